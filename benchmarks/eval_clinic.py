"""One evaluation of sections and headings on clinic talks: real clinic FAQ pages read as talks, the
project's own talks, and real YouTube talks, beside the baselines.

Data sets (read at run time, never copied into the repository):

- ``clinic``: ``../shared/realdata/clinic-faq-dev/*.md``, real clinic FAQ pages (``## question`` and
  the clinic's answer), each made into a talk with the questions spoken (``asked``) and one
  without (``monologue``);
- ``talks``: the project's own talk scripts, ``benchmarks/talks/*.md``, made the same way;
- ``youtube``: ``../shared/realdata/vidchapters-dev``, YouTube's own captions and the creators'
  chapters (see :mod:`benchmarks.eval_real`).

A script becomes a talk in one of two ways (the figures printed say which):

- ``--text`` (fast, seconds): each sentence's words get synthetic times (a pace per character,
  short gaps between words) and the sentences randomised pauses, drawn from one distribution
  inside and between sections (:data:`tools.synth.GAP_RANGE`), so a pause alone cannot tell where
  a section starts; the words keep the script's punctuation and case.
- speech (the default): the script is synthesised with piper (:mod:`tools.synth`, the same random
  pauses) and transcribed with the bundled tiny.en, exactly as ``benchmarks.make_eval_set`` and
  ``benchmarks.eval_sections`` do; audio and transcripts are cached under ``--cache`` (outside the
  repository), so a re-run only redoes the text stages.

Seeds are fixed per talk and variant. Every item is drafted by :func:`video2blog.pipeline.run.make_draft`
and scored:

- **F1**: boundary F1, a boundary matched one-to-one within 3 s; **Pk**: Beeferman's Pk over words;
- **HRec** (``asked``): spoken-heading recall, true headings matched by a draft heading (WER <= 0.25);
- **HF1**: heading agreement with the clinic's (or talk's, or chapter's) heading: for each true
  section, the content-word F1 (stop words dropped, Porter-stemmed) of the heading of the draft
  section overlapping it most;
- **Q%**: the share of generated headings (not spoken ones) that are questions, among the headings
  the post shows: a lead (the talk's greeting, which opens the post) shows none, so its internal
  heading is not counted (HF1 compares the clinic's questions only, and a lead answers none).

Baselines beside them: ``none`` (no split: F1 0 by definition, its Pk), ``even`` (the true number of
sections cut evenly in time: F1, Pk), ``what`` (the draft's sections, each headed "What is <subject>?"
with the talk's most frequent content word as subject: HF1).

``--folds K`` also prints the means over K held-apart folds of the items (CRC32 of the page or talk
name, as :mod:`benchmarks.train_boundaries` folds them); ``--held-apart`` scores each fold with a
boundary model trained by :mod:`benchmarks.train_boundaries` without that fold (else the shipped model,
which saw every item); ``--held-apart-answers`` keeps the shipped weights and rule and learns only the
rule for a talk of answers (:meth:`~video2blog.pipeline.text.segment.BoundaryModel.answering`) without
each fold; ``--held-apart-gate`` drafts each fold with a question gate
(:mod:`benchmarks.train_gate`) trained without that fold's talks and their clinic specialties (the
shipped gate saw every item); ``--held-apart-subject`` drafts each fold with a subject model
(:mod:`benchmarks.train_subjects`: what each generated question names) trained the same way.

Usage::

    python -m benchmarks.eval_clinic [--text] [--sets clinic talks youtube] [--folds 4]
        [--held-apart | --held-apart-answers | --held-apart-gate |
         --held-apart-subject] [--cache DIR] [--items NAME ...]
        [--headings] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import zlib
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np

from benchmarks.eval_real import REAL_DIR, Truth, _select_encoder, draft_of, even_starts, fold_of, real_items
from benchmarks.eval_sections import boundary_f1, heading_recall, label, pk, stems
from tools import synth
from video2blog.pipeline.schema import Transcript, Word
from video2blog.pipeline.textutil import tokens, word_list

ROOT = Path(__file__).resolve().parents[1]
CLINIC_DIR = ROOT.parent / "shared" / "realdata" / "clinic-faq-dev"  # ../shared beside the checkout
TALKS_DIR = ROOT / "benchmarks" / "talks"
DEFAULT_CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "video2blog-eval"
SETS = ("clinic", "talks", "youtube")
# Synthetic word timing for --text: seconds per character and per word, and the gap between words.
CHAR_SECONDS = 0.06
WORD_SECONDS = 0.08
WORD_GAP = (0.0, 0.08)


@dataclass(frozen=True)
class Item:
    """One talk to draft: its words, the true section starts, headings and which were spoken."""

    truth: Truth
    group: str
    spoken: tuple[bool, ...]


@dataclass(frozen=True)
class Row:
    """The figures of one item, the pipeline's and the baselines'."""

    item: str
    dataset: str
    group: str
    f1: float
    pk: float
    heading_recall: float | None
    heading_f1: float
    question_share: float | None
    none_pk: float
    even_f1: float
    even_pk: float
    what_f1: float
    true_sections: int
    draft_sections: int
    headings: tuple[str, ...]


# --- Talks from scripts -------------------------------------------------------------------------


def clinic_scripts(folder: Path = CLINIC_DIR) -> list[tuple[str, synth.Talk]]:
    """Each clinic FAQ page as a talk script (its title, never spoken, is the page's specialty)."""
    out = []
    for path in sorted(p for p in folder.glob("*.md") if p.name != "README.md"):
        specialty = path.stem.rsplit("-", 1)[0].replace("-", " ")
        out.append((path.stem, synth.parse_text(f"# {specialty}\n\n" + path.read_text(encoding="utf-8"))))
    return out


def own_scripts(folder: Path = TALKS_DIR) -> list[tuple[str, synth.Talk]]:
    """The project's own talk scripts."""
    return [(path.stem, synth.parse_script(path)) for path in sorted(folder.glob("*.md"))]


def seed_for(name: str, variant: str) -> int:
    """The fixed seed of a talk and variant (as :func:`benchmarks.make_eval_set.seed_for`)."""
    return zlib.crc32(f"{name}:{variant}".encode()) & 0x7FFFFFFF


def text_item(name: str, talk: synth.Talk, variant: str, dataset: str) -> Item:
    """A talk as words with synthetic times and randomised pauses between sentences (``--text``)."""
    rng = np.random.default_rng(seed_for(name, variant))
    clock = float(rng.uniform(*synth.GAP_RANGE))
    words: list[Word] = []
    starts: dict[int, float] = {}
    for utterance in synth._plan(talk, variant):  # type: ignore[arg-type]
        starts.setdefault(utterance.section, clock)
        for text in utterance.text.split():
            length = WORD_SECONDS + CHAR_SECONDS * len(text)
            words.append(Word(text, round(clock, 3), round(clock + length, 3), 0.9))
            clock += length + float(rng.uniform(*WORD_GAP))
        clock += float(rng.uniform(*synth.GAP_RANGE))
    transcript = Transcript(words=tuple(words), duration=round(clock, 3))
    return _item(name, variant, dataset, talk, transcript, [starts[k] for k in sorted(starts)])


def _item(
    name: str, variant: str, dataset: str, talk: synth.Talk, words: Transcript, starts: list[float]
) -> Item:
    headings = ([""] if talk.intro else []) + [s.heading for s in talk.sections]
    spoken = [bool(h) and variant == "asked" for h in headings]
    truth = Truth(f"{name}-{variant}", f"{dataset}-{variant}", words, (0.0, *starts[1:]), tuple(headings))
    return Item(truth, name, tuple(spoken))


def speech_item(name: str, talk: synth.Talk, variant: str, dataset: str, cache: Path) -> Item:
    """A talk synthesised with piper and transcribed with tiny.en, both cached under ``cache``."""
    from benchmarks.eval_sections import transcript_of

    media = cache / "audio" / f"{dataset}-{name}-{variant}.m4a"
    truth_path = synth.truth_path(media)
    if not (media.exists() and truth_path.exists()):
        media.parent.mkdir(parents=True, exist_ok=True)
        synth.synthesize(talk, variant, media, seed_for(name, variant), video=False)  # type: ignore[arg-type]
    truth = json.loads(truth_path.read_text(encoding="utf-8"))
    words, _ = transcript_of(media, cache / "transcripts")
    return _item(name, variant, dataset, talk, words, [s["start"] for s in truth["sections"]])


def script_items(
    dataset: str,
    scripts: list[tuple[str, synth.Talk]],
    text: bool,
    cache: Path,
    variants: Sequence[str] = synth.VARIANTS,
) -> list[Item]:
    """Both variants (or those asked for) of every script, as words."""
    items = []
    for name, talk in scripts:
        for variant in variants:
            if text:
                items.append(text_item(name, talk, variant, dataset))
            else:
                print(f"  {dataset} {name} {variant}", file=sys.stderr, flush=True)
                items.append(speech_item(name, talk, variant, dataset, cache))
    return items


def youtube_items(only: Sequence[str] = ()) -> list[Item]:
    """The real YouTube talks, their chapters never spoken as headings (as far as the truth says)."""
    return [Item(t, t.item, tuple(False for _ in t.starts)) for t in real_items(REAL_DIR, only)]


# --- Scoring ----------------------------------------------------------------------------------


def score(item: Item) -> Row:
    """Draft one item and score it beside the baselines."""
    truth = item.truth
    draft, _ = draft_of(truth)
    found = [s.start for s in draft.sections]
    mids = [(w.start + w.end) / 2 for w in truth.words.words]
    truth_labels = label(mids, list(truth.starts))
    even = even_starts(truth)
    spans = [(s.start, s.end) for s in draft.sections]
    headings = [s.heading for s in draft.sections]
    what = [f"What is {subject_of(truth.words)}?"] * len(headings)
    # the headings the post shows: a lead (the talk's greeting, opening the post) shows none
    generated = [s.heading for s in draft.sections if s.heading_source == "generated" and not s.lead]
    spoken = [h for h, said in zip(truth.headings, item.spoken) if said]
    return Row(
        item=truth.item,
        dataset=truth.dataset,
        group=item.group,
        f1=boundary_f1(list(truth.starts[1:]), found[1:]),
        pk=pk(truth_labels, label(mids, found)),
        heading_recall=heading_recall(spoken, headings) if spoken else None,
        heading_f1=heading_agreement(item, spans, headings),
        question_share=sum(h.endswith("?") for h in generated) / len(generated) if generated else None,
        none_pk=pk(truth_labels, [0] * len(mids)),
        even_f1=boundary_f1(list(truth.starts[1:]), even[1:]),
        even_pk=pk(truth_labels, label(mids, even)),
        what_f1=heading_agreement(item, spans, what),
        true_sections=len(truth.starts),
        draft_sections=len(found),
        headings=tuple(headings),
    )


def subject_of(words: Transcript) -> str:
    """The talk's most frequent content word (the "What is <subject>?" baseline's subject)."""
    stop = word_list("stopwords.txt")
    counts = Counter(t for t in tokens(words.text) if t not in stop and len(t) > 2 and not t.isdigit())
    return counts.most_common(1)[0][0] if counts else "this"


def content_f1(truth: str, found: str) -> float:
    """F1 of the content-word stems of two headings."""
    want, got = stems(truth), stems(found)
    hits = len(want & got)
    if not hits:
        return 0.0
    return 2 * hits / (len(want) + len(got))


def heading_agreement(item: Item, spans: list[tuple[float, float]], headings: list[str]) -> float:
    """Mean, over the true sections that have a heading, of :func:`content_f1` with the heading of
    the draft section overlapping it most in time."""
    truth = item.truth
    end = max(truth.words.duration, truth.words.words[-1].end) + 1
    bounds = list(zip(truth.starts, [*truth.starts[1:], end]))
    values = []
    for (begin, stop), title in zip(bounds, truth.headings):
        if not title:
            continue
        best = max(range(len(spans)), key=lambda k: min(stop, spans[k][1]) - max(begin, spans[k][0]))
        values.append(content_f1(title, headings[best]))
    return statistics.fmean(values) if values else 0.0


# --- Report -------------------------------------------------------------------------------------

_KEYS = (
    "f1",
    "pk",
    "heading_recall",
    "heading_f1",
    "question_share",
    "none_pk",
    "even_f1",
    "even_pk",
    "what_f1",
)


def means(rows: list[Row]) -> dict[str, float | None]:
    """Mean of every figure over rows (None where no row has it)."""
    out: dict[str, float | None] = {}
    for key in _KEYS:
        present = [v for r in rows if (v := getattr(r, key)) is not None]
        out[key] = statistics.fmean(present) if present else None
    return out


def _cell(value: float | None) -> str:
    return "    -" if value is None else f"{value:5.2f}"


def print_table(rows: list[Row], folds: int, verbose: bool) -> None:
    """Per data set (and, with ``folds``, per held-apart fold): the pipeline's figures, then baselines'."""
    print(
        f"{'':30} {'F1':>5} {'Pk':>5} {'HRec':>5} {'HF1':>5} {'Q%':>5} | {'noPk':>5} {'evF1':>5} "
        f"{'evPk':>5} {'whatF':>5}  n"
    )
    for r in rows if verbose else []:
        print(
            f"{r.item:30} "
            + " ".join(_cell(getattr(r, k)) for k in _KEYS[:5])
            + " | "
            + " ".join(_cell(getattr(r, k)) for k in _KEYS[5:])
            + f"  {r.draft_sections}/{r.true_sections}"
        )
        for heading in r.headings:
            print(f"      - {heading}")
    for dataset in dict.fromkeys(r.dataset for r in rows):
        group = [r for r in rows if r.dataset == dataset]
        _print_mean(f"MEAN {dataset}", group)
        for k in range(folds):
            _print_mean(f"  fold {k}/{folds}", [r for r in group if fold_of(r.group, folds) == k])


def _print_mean(name: str, rows: list[Row]) -> None:
    if not rows:
        return
    m = means(rows)
    print(
        f"{name:30} "
        + " ".join(_cell(m[k]) for k in _KEYS[:5])
        + " | "
        + " ".join(_cell(m[k]) for k in _KEYS[5:])
        + f"  {len(rows)}"
    )


def load_items(
    sets: Sequence[str],
    text: bool,
    cache: Path,
    only: Sequence[str],
    variants: Sequence[str] = synth.VARIANTS,
) -> list[Item]:
    """The items of the chosen data sets."""
    items: list[Item] = []
    if "clinic" in sets:
        items += script_items("clinic", _only(clinic_scripts(), only), text, cache, variants)
    if "talks" in sets:
        items += script_items("talks", _only(own_scripts(), only), text, cache, variants)
    if "youtube" in sets:
        items += youtube_items(only)
    return items


def _only(scripts: list[tuple[str, synth.Talk]], only: Sequence[str]) -> list[tuple[str, synth.Talk]]:
    return [s for s in scripts if not only or s[0] in only]


def held_apart_rows(items: list[Item], folds: int, text: bool, answers_only: bool = False) -> list[Row]:
    """Each fold's items scored with a boundary model trained without that fold (for the kind of
    cohesion in use: sentence embeddings where installed, else lexical); with ``answers_only``, the
    shipped weights and rule with a rule for a talk of answers learned without that fold."""
    from benchmarks import train_boundaries as tb
    from video2blog.pipeline.engines import embed
    from video2blog.pipeline.text import segment

    kind = "embeddings" if embed.encoder() is not None else "lexical"
    talks = tb.load(kind, True, text)
    original = segment.boundary_model
    base = replace(original(kind), answers=()) if answers_only else None

    def install(fold: int, _held: set[str]) -> Callable[[], None]:
        model = tb.train(tb.training_talks(talks, folds, fold), base)
        segment.boundary_model = lambda _kind, model=model: model  # type: ignore[assignment,misc]

        def restore() -> None:
            segment.boundary_model = original

        return restore

    return _fold_rows(items, folds, install)


def gate_held_apart_rows(items: list[Item], folds: int) -> list[Row]:
    """Each fold's items scored with a question gate trained without that fold's talks (and, for a
    clinic page, without every page of its specialty)."""
    from benchmarks import train_gate
    from video2blog.pipeline.text import compose, questions

    data = train_gate.examples()
    original = compose.shipped_gate

    def install(_fold: int, held: set[str]) -> Callable[[], None]:
        kinds = {e.group for e in data if e.name in held}
        gate = train_gate.fit([e for e in data if e.name not in held and e.group not in kinds])
        # The heading stage and the section stage (the rule for a talk of answers) ask the same gate.
        compose.shipped_gate = questions.shipped_gate = lambda gate=gate: gate  # type: ignore[assignment,misc]

        def restore() -> None:
            compose.shipped_gate = questions.shipped_gate = original

        return restore

    return _fold_rows(items, folds, install)


def subject_held_apart_rows(items: list[Item], folds: int) -> list[Row]:
    """Each fold's items scored with a subject model (:mod:`benchmarks.train_subjects`) trained without
    that fold's talks (and, for a clinic page, without every page of its specialty)."""
    from benchmarks import train_subjects
    from benchmarks.qa_pages import clinic_pages, extra_pages, talk_pages
    from video2blog.pipeline.text import subjects

    reach = train_subjects.shipped_reach()
    data = train_subjects.examples([*clinic_pages(), *talk_pages(), *extra_pages()], reach)
    original = subjects.shipped_subject_model

    def install(_fold: int, held: set[str]) -> Callable[[], None]:
        kinds = {e.group for e in data if e.page in held}
        model = train_subjects.fit([e for e in data if e.page not in held and e.group not in kinds], reach)
        subjects.shipped_subject_model = lambda model=model: model  # type: ignore[assignment,misc]

        def restore() -> None:
            subjects.shipped_subject_model = original

        return restore

    return _fold_rows(items, folds, install)


def _fold_rows(
    items: list[Item], folds: int, install: Callable[[int, set[str]], Callable[[], None]]
) -> list[Row]:
    """Each fold's items scored with what ``install`` puts in place for the fold (its number and its
    held-out groups); ``install`` returns how to put the shipped one back."""
    rows: list[Row] = []
    for k in range(folds):
        restore = install(k, {i.group for i in items if fold_of(i.group, folds) == k})
        try:
            rows += [score(i) for i in items if fold_of(i.group, folds) == k]
        finally:
            restore()
        print(f"  fold {k}/{folds} scored", file=sys.stderr, flush=True)
    order = {i.truth.item: n for n, i in enumerate(items)}
    return sorted(rows, key=lambda r: order[r.item])


def main(argv: list[str] | None = None) -> int:
    """Make the talks, draft and score them, print the figures (or JSON)."""
    parser = argparse.ArgumentParser(description="Evaluate sections and headings on clinic talks.")
    parser.add_argument("--text", action="store_true", help="synthetic word times, no speech (fast)")
    parser.add_argument("--sets", nargs="+", choices=SETS, default=list(SETS))
    parser.add_argument("--items", nargs="+", default=(), metavar="NAME", help="only these pages/talks/ids")
    parser.add_argument("--folds", type=int, default=0, help="also print means over K held-apart folds")
    apart = parser.add_mutually_exclusive_group()
    apart.add_argument(
        "--held-apart", action="store_true", help="score each fold with a model trained without it"
    )
    apart.add_argument(
        "--held-apart-answers",
        action="store_true",
        help="the shipped model, with its rule for a talk of answers learned without each fold",
    )
    apart.add_argument(
        "--held-apart-gate",
        action="store_true",
        help="score each fold with a question gate trained without it",
    )
    apart.add_argument(
        "--held-apart-subject",
        action="store_true",
        help="score each fold with a subject model (what a question names) trained without it",
    )
    parser.add_argument(
        "--cache", type=Path, default=DEFAULT_CACHE, help=f"speech cache (default {DEFAULT_CACHE})"
    )
    parser.add_argument("--encoder", choices=("auto", "lexical"), default="auto")
    parser.add_argument("--headings", action="store_true", help="per item, with its headings")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    needed = {"clinic": CLINIC_DIR, "youtube": REAL_DIR}
    missing = [str(needed[name]) for name in args.sets if name in needed and not needed[name].is_dir()]
    if missing:  # a set scored on no items would print figures of the others alone, as if all
        parser.error(
            f"{', '.join(missing)}: not found; the real data is read from ../shared beside the checkout"
        )
    method = _select_encoder(args.encoder)
    items = load_items(args.sets, args.text, args.cache, args.items)
    apart_any = args.held_apart or args.held_apart_answers or args.held_apart_gate or args.held_apart_subject
    folds = args.folds or (4 if apart_any else 0)
    if args.held_apart or args.held_apart_answers:
        rows = held_apart_rows(items, folds, args.text, args.held_apart_answers)
    elif args.held_apart_gate:
        rows = gate_held_apart_rows(items, folds)
    elif args.held_apart_subject:
        rows = subject_held_apart_rows(items, folds)
    else:
        rows = [score(i) for i in items]
    if args.json:
        print(json.dumps({"mode": _mode(args), "items": [asdict(r) for r in rows]}, indent=1))
        return 0
    model = "held-apart boundary models" if args.held_apart else "the shipped boundary model"
    model += " (its rule for answers held apart)" if args.held_apart_answers else ""
    gate = "held-apart question gates" if args.held_apart_gate else "the shipped question gate"
    gate += "; held-apart subject models" if args.held_apart_subject else ""
    print(f"talks from {_mode(args)}; topic shifts from {method}; {model}; {gate}")
    print_table(rows, folds, args.headings)
    return 0


def _mode(args: argparse.Namespace) -> str:
    return "text (synthetic word times)" if args.text else "speech (piper + tiny.en)"


if __name__ == "__main__":
    sys.exit(main())
