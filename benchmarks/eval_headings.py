"""Measure generated headings apart from boundaries: the true chapter spans are given to compose.

Two data sets:

- **real**: ``../shared/realdata/vidchapters-dev/`` (real YouTube ASR captions with their creators'
  chapter titles; read at run time, never copied). Each chapter's words (by cue time) become one
  section; every heading is generated.
- **talks**: the synthetic clinic talks of ``benchmarks/out/eval`` (``make_eval_set.py``), transcribed
  with the bundled tiny.en (cached under ``benchmarks/cache/``), cut at the true section starts.
  ``asked`` talks speak their headings; ``monologue`` talks do not. Skipped when the set is absent.

**Agreement**: the share of chapters whose generated heading shares a content-word stem
(:func:`video2blog.pipeline.textutil.content_stems`) with the true title; chapters whose title has no
content word (e.g. "2020") are left out. "intro" counts as "introduction" (a clipping; creators
title openings "Intro"). **Baseline**: the three most frequent content words of the chapter's words.
**Flaws**: generated headings that are greetings, fillers, fragments or bare names
(:func:`heading_flaws`), with examples.

Usage::

    python -m benchmarks.eval_headings [--data real|talks] [--list] [--json] [--folds 4]

``--folds N`` also prints the real set's agreement and baseline per fold of its ids (the folds of
:func:`benchmarks.eval_real.fold_of`): a change should help on most folds, not only the mean.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from video2blog.pipeline.ingest.captions import read_captions
from video2blog.pipeline.schema import Draft, Sentence, Source, Transcript, Word
from video2blog.pipeline.text.compose import ComposeOptions, compose
from video2blog.pipeline.text.sections import SectionSpan
from video2blog.pipeline.text.sentences import split_sentences
from video2blog.pipeline.textutil import GREETING, content_stems, content_words, tokens, word_list

ROOT = Path(__file__).resolve().parents[1]
REAL_DIR = ROOT.parent / "shared" / "realdata" / "vidchapters-dev"  # ../shared beside the checkout
EVAL_DIR = ROOT / "benchmarks" / "out" / "eval"
CACHE_DIR = ROOT / "benchmarks" / "cache"
# Clippings creators use for the words a generated heading spells out.
CLIPPINGS = {"intro": "introduct"}
_FILLER_OPENING = re.compile(r"^(?:all right|alright|okay|ok|so|um|uh|yeah|well|now|and|but)\b", re.I)


@dataclass(frozen=True)
class Chapter:
    """One true chapter and what was generated for it."""

    item: str
    truth: str
    heading: str
    text: str
    baseline: tuple[str, ...]
    agrees: bool | None
    baseline_agrees: bool | None
    flaws: tuple[str, ...]


@dataclass(frozen=True)
class Item:
    """One talk or video: its chapters and the draft's metadata."""

    name: str
    title: str
    true_title: str
    description: str
    keywords: tuple[str, ...]
    chapters: tuple[Chapter, ...]


def title_stems(text: str) -> set[str]:
    """Content stems of a heading or title, clippings spelt out."""
    return {CLIPPINGS.get(s, s) for s in content_stems(text)}


def baseline_words(text: str, count: int = 3) -> tuple[str, ...]:
    """The ``count`` most frequent content words of ``text`` (ties by first use)."""
    return tuple(w for w, _ in Counter(content_words(text)).most_common(count))


def heading_flaws(heading: str) -> tuple[str, ...]:
    """Why an editor would not keep ``heading``: greeting, filler, fragment, name or empty."""
    words = tokens(heading)
    stop = word_list("stopwords.txt")
    flaws = []
    if not words or all(w in stop for w in words):
        flaws.append("no content")
    if GREETING.search(heading):
        flaws.append("greeting")
    if _FILLER_OPENING.match(heading):
        flaws.append("filler")
    # a verb ends a fragment ("Harsh scrubs tend"), except a participle after a noun ("Tools needed")
    verb_end = bool(words) and _verb_only(words[-1]) and not (len(words) > 1 and words[-1].endswith("ed"))
    if words and not heading.endswith("?") and (words[-1] in stop or verb_end):
        flaws.append("fragment")
    if re.search(r"\b(?:stuff|things?)\b", heading, re.I):
        flaws.append("vague")
    return tuple(flaws)


def _verb_only(word: str) -> bool:
    """A word the lexicon knows only as a verb form ("tends", "spent")."""
    from video2blog.pipeline.text.lexicon import verb_only

    return verb_only(word)


def chaptered(words: Sequence[Word], starts: Sequence[float]) -> tuple[Transcript, list[SectionSpan]]:
    """A sentence-split transcript whose sections are the chapters starting at ``starts``."""
    cuts = [0, *(_first_word_at(words, t) for t in starts[1:]), len(words)]
    sentences: list[Sentence] = []
    spans: list[SectionSpan] = []
    for first, last in zip(cuts, cuts[1:]):
        if first >= last:
            continue
        part = split_sentences(Transcript(words=tuple(words[first:last])))
        begin = len(sentences)
        sentences.extend(replace(s, words=(s.words[0] + first, s.words[1] + first)) for s in part.sentences)
        spans.append(SectionSpan(sentences=(begin, len(sentences))))
    return Transcript(words=tuple(words), sentences=tuple(sentences)), spans


def _first_word_at(words: Sequence[Word], time: float) -> int:
    return next((i for i, w in enumerate(words) if (w.start + w.end) / 2 >= time), len(words))


def draft_with_chapters(words: Sequence[Word], starts: Sequence[float], name: str) -> Draft:
    """Compose a draft whose sections are the true chapters, every heading generated."""
    transcript, spans = chaptered(words, starts)
    source = Source(name, "0" * 64, words[-1].end if words else 0.0)
    return compose(transcript, spans, source, ComposeOptions(date="2000-01-01"))


def score(name: str, draft: Draft, truths: Sequence[str], true_title: str) -> Item:
    """Compare each section's heading (and the baseline) with the true titles, in order."""
    chapters = []
    for section, truth in zip(draft.sections, truths):
        text = " ".join(p.text for p in section.paragraphs)
        base = baseline_words(text)
        wanted = title_stems(truth)
        chapters.append(
            Chapter(
                item=name,
                truth=truth,
                heading=section.heading,
                text=text,
                baseline=base,
                agrees=bool(title_stems(section.heading) & wanted) if wanted else None,
                baseline_agrees=bool(title_stems(" ".join(base)) & wanted) if wanted else None,
                flaws=heading_flaws(section.heading),
            )
        )
    return Item(name, draft.title, true_title, draft.description, draft.keywords, tuple(chapters))


def real_items(folder: Path = REAL_DIR) -> list[Item]:
    """Score every video of the real data set (captions + creators' chapters)."""
    items = []
    for truth_path in sorted(folder.glob("*.truth.json")):
        truth = json.loads(truth_path.read_text(encoding="utf-8"))
        name = truth_path.name.removesuffix(".truth.json")
        words = read_captions(folder / f"{name}.srt").words
        starts = [0.0, *truth["starts"][1:]]
        draft = draft_with_chapters(words, starts, name)
        items.append(score(name, draft, _kept_titles(words, starts, truth["headings"]), truth["title"]))
    return items


def _kept_titles(words: Sequence[Word], starts: Sequence[float], titles: Sequence[str]) -> list[str]:
    """The titles of the chapters that hold words (an empty chapter gets no section)."""
    cuts = [0, *(_first_word_at(words, t) for t in starts[1:]), len(words)]
    return [t for t, a, b in zip(titles, cuts, cuts[1:]) if a < b]


def talk_items(folder: Path = EVAL_DIR) -> list[Item]:
    """Score every synthetic talk (transcribed with tiny.en, cached), cut at its true sections."""
    items = []
    for truth_path in sorted(folder.glob("*.truth.json")):
        truth = json.loads(truth_path.read_text(encoding="utf-8"))
        words = _transcribe(truth_path.parent / truth["media"]).words
        starts = [0.0, *(s["start"] for s in truth["sections"][1:])]
        draft = draft_with_chapters(words, starts, truth_path.name)
        titles = [s["heading"] or "Introduction" for s in truth["sections"]]
        items.append(score(truth_path.name.removesuffix(".truth.json"), draft, titles, truth["title"]))
    return items


def _transcribe(media_path: Path) -> Transcript:
    from video2blog.pipeline.digest import sha256_file
    from video2blog.pipeline.engines import EngineOptions
    from video2blog.pipeline.ingest import media
    from video2blog.pipeline.ingest.transcribe import TranscribeOptions, transcribe_media

    options = TranscribeOptions(engine_options=EngineOptions(threads=2), cache_dir=CACHE_DIR)
    return transcribe_media(media.probe(media_path), sha256_file(media_path), options)


def summary(items: Sequence[Item], keep: Callable[[Item], bool] = lambda _: True) -> dict[str, float]:
    """Agreement, baseline agreement and flaw share over the chapters of the kept items."""
    chapters = [c for item in items if keep(item) for c in item.chapters]
    scored = [c for c in chapters if c.agrees is not None]
    kept = [item for item in items if keep(item)]
    return {
        "items": len(kept),
        "title": _share(bool(title_stems(i.title) & title_stems(i.true_title)) for i in kept),
        "title_baseline": _share(
            bool(title_stems(" ".join(_top_word(i))) & title_stems(i.true_title)) for i in kept
        ),
        "chapters": len(chapters),
        "scored": len(scored),
        "agreement": _share(c.agrees for c in scored),
        "baseline": _share(c.baseline_agrees for c in scored),
        "flawed": _share(bool(c.flaws) for c in chapters),
        "questions": _share(c.heading.endswith("?") for c in chapters),
    }


def fold_figures(items: Sequence[Item], folds: int) -> list[dict[str, float]]:
    """:func:`summary` of each fold of the items' ids (CRC32 of the id mod ``folds``)."""
    from benchmarks.eval_real import fold_of

    return [summary(items, lambda i, k=k: fold_of(i.name, folds) == k) for k in range(folds)]  # type: ignore[misc]


def _top_word(item: Item) -> tuple[str, ...]:
    """The baseline title: the most frequent content word of the whole talk."""
    return baseline_words(" ".join(c.text for c in item.chapters), count=1)


def _share(flags: object) -> float:
    values = list(flags)  # type: ignore[call-overload]
    return sum(map(bool, values)) / len(values) if values else 0.0


def print_report(label: str, items: Sequence[Item], listing: bool) -> None:
    """Figures per variant, flawed examples, and (with ``listing``) every heading beside the truth."""
    variants = sorted({_variant(i.name) for i in items})
    for variant in variants:
        s = summary(items, lambda i, v=variant: _variant(i.name) == v)  # type: ignore[misc]
        print(
            f"{label + ' ' + variant:22} chapters {s['chapters']:4} scored {s['scored']:4}  "
            f"agreement {s['agreement']:.2f}  baseline {s['baseline']:.2f}  "
            f"flawed {s['flawed']:.2f}  questions {s['questions']:.2f}"
        )
        print(
            f"{'':22} titles {s['items']:4}  title agreement {s['title']:.2f}  "
            f"baseline {s['title_baseline']:.2f}"
        )
    flawed = [c for i in items for c in i.chapters if c.flaws]
    for chapter in flawed[:12]:
        print(f"    flawed ({', '.join(chapter.flaws)}): {chapter.heading!r}   [truth: {chapter.truth!r}]")
    if listing:
        _print_listing(items)


def _print_listing(items: Sequence[Item]) -> None:
    for item in items:
        print(f"  {item.name}: title {item.title!r} (true {item.true_title!r})")
        print(f"      description {item.description!r}")
        print(f"      keywords {', '.join(item.keywords)}")
        for c in item.chapters:
            mark = {True: "+", False: "-", None: " "}[c.agrees]
            print(f"    {mark} {c.heading:45.45} | {c.truth:40.40} | base: {' '.join(c.baseline)}")


def _variant(name: str) -> str:
    for variant in ("asked", "monologue"):
        if name.endswith(f"-{variant}"):
            return variant
    return "youtube"


def main(argv: list[str] | None = None) -> int:
    """Run the evaluation and print (or emit as JSON) the results."""
    parser = argparse.ArgumentParser(description="Evaluate generated headings on true chapter spans.")
    parser.add_argument("--data", choices=("real", "talks"), action="append", help="data sets (default both)")
    parser.add_argument("--list", action="store_true", help="list every heading beside the true one")
    parser.add_argument("--json", action="store_true", help="print every chapter as JSON (with its text)")
    parser.add_argument("--real-dir", type=Path, default=REAL_DIR, help="the vidchapters-dev folder")
    parser.add_argument(
        "--folds", type=int, default=0, help="also the real set's figures per fold of its ids"
    )
    args = parser.parse_args(argv)
    chosen = args.data or ["real", "talks"]
    results: dict[str, list[Item]] = {}
    if "real" in chosen and not args.real_dir.is_dir():
        print(f"eval_headings: no real data at {args.real_dir}; pass --real-dir", file=sys.stderr)
    elif "real" in chosen:
        results["real"] = real_items(args.real_dir)
    if "talks" in chosen and (EVAL_DIR / "index.json").exists():
        results["talks"] = talk_items()
    if args.json:
        print(json.dumps({k: [asdict(i) for i in v] for k, v in results.items()}, indent=1))
        return 0
    for label, items in results.items():
        print_report(label, items, args.list)
    for k, fold in enumerate(fold_figures(results.get("real", []), args.folds) if args.folds > 0 else []):
        print(
            f"{'  fold ' + str(k) + '/' + str(args.folds):22} chapters {fold['chapters']:4} scored "
            f"{fold['scored']:4}  agreement {fold['agreement']:.2f}  baseline {fold['baseline']:.2f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
