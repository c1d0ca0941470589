"""Measure sections and headings on real YouTube talks, and on every talk with its punctuation lost.

Data sets (read at run time, never copied into the repository):

- ``real``: ``../shared/realdata/vidchapters-dev/`` (96 YouTube videos: ``<id>.srt`` as YouTube's
  speech recognition wrote it, ``<id>.truth.json`` with the creator's chapters). The ``.srt`` is
  read by :func:`video2blog.pipeline.ingest.captions.read_captions`; no whisper is run.
- ``asked`` / ``monologue``: the synthetic clinic talks of ``benchmarks/out/eval`` transcribed by
  the bundled tiny.en (cached, see :mod:`benchmarks.eval_sections`); ``--talks`` adds them.

Every item is also scored with its recognised words stripped of punctuation and case (``-bare``
rows), as tiny.en sometimes and most automatic captions always deliver them.

Each item runs the real pipeline (``split_sentences`` -> ``make_draft``: sections, headings) and
prints, beside the baselines ``none`` (no split) and ``even`` (the true count of sections cut
evenly in time; for headings, each stretch named by its three most frequent content words):

- **F1**: section-boundary F1, a boundary matched one-to-one within 3 s;
- **Pk**: Beeferman's Pk over the words (k = half the mean true section length);
- **HAgr**: heading agreement, the share of true chapters whose heading shares a content stem with
  the heading of the draft section overlapping it most in time (chapters titled only "Intro",
  "Introduction", "Outro" or "Conclusion" included: a heading for them is as easy to get right;
  "intro" counts as "introduction", a clipping, as in ``eval_headings``).

``--folds N`` also prints the means over N held-apart folds of the real ids (for checking that
tuned parameters generalise: tune on some folds, read the others).

Usage::

    python -m benchmarks.eval_real [--talks] [--only-talks] [--encoder auto|lexical] [--items ID ...]
        [--folds 4] [--json] [--headings]
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import zlib
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from benchmarks.eval_headings import CLIPPINGS
from benchmarks.eval_sections import EVAL_DIR, boundary_f1, label, pk, stems
from video2blog.pipeline.engines import embed
from video2blog.pipeline.ingest.captions import read_captions
from video2blog.pipeline.run import DraftOptions, make_draft
from video2blog.pipeline.schema import Draft, Source, Transcript
from video2blog.pipeline.text.sentences import split_sentences

ROOT = Path(__file__).resolve().parents[1]
REAL_DIR = ROOT.parent / "shared" / "realdata" / "vidchapters-dev"  # ../shared beside the checkout
_PUNCT = re.compile(r"[^\w'’-]+")


@dataclass(frozen=True)
class Truth:
    """One item to score: its words and the true section starts (seconds) and headings."""

    item: str
    dataset: str
    words: Transcript
    starts: tuple[float, ...]
    headings: tuple[str, ...]


@dataclass(frozen=True)
class Score:
    """Boundary and heading figures of one item for the pipeline and both baselines."""

    item: str
    dataset: str
    f1: float
    pk: float
    agreement: float
    even_f1: float
    even_pk: float
    even_agreement: float
    none_pk: float
    true_sections: int
    draft_sections: int
    longest_sentence: int
    headings: tuple[str, ...]


def real_items(folder: Path = REAL_DIR, only: Sequence[str] = ()) -> list[Truth]:
    """The real YouTube talks: captions read as the pipeline reads them, chapters as truth."""
    items = []
    for truth_path in sorted(folder.glob("*.truth.json")):
        name = truth_path.name.removesuffix(".truth.json")
        if only and name not in only:
            continue
        truth = json.loads(truth_path.read_text(encoding="utf-8"))
        words = read_captions(folder / f"{name}.srt")
        starts = [0.0, *truth["starts"][1:]]  # a first chapter after 0 is scored as starting at 0
        items.append(Truth(name, "real", words, tuple(starts), tuple(truth["headings"])))
    return items


def talk_items() -> list[Truth]:
    """The synthetic clinic talks, transcribed by tiny.en (cached)."""
    from benchmarks.eval_sections import transcript_of

    items = []
    for truth_path in sorted(EVAL_DIR.glob("*.truth.json")):
        truth = json.loads(truth_path.read_text(encoding="utf-8"))
        words, _ = transcript_of(truth_path.parent / truth["media"])
        starts = [0.0, *[s["start"] for s in truth["sections"][1:]]]
        headings = [s["heading"] or "" for s in truth["sections"]]
        name = truth_path.name.removesuffix(".truth.json")
        items.append(Truth(name, truth["variant"], words, tuple(starts), tuple(headings)))
    return items


def stripped(item: Truth) -> Truth:
    """The item with punctuation and case stripped from every recognised word."""
    words = tuple(replace(w, text=bare) for w in item.words.words if (bare := _bare(w.text)))
    return replace(
        item, item=item.item + "-bare", dataset=item.dataset + "-bare", words=replace(item.words, words=words)
    )


def _bare(text: str) -> str:
    return _PUNCT.sub("", text.lower()).strip("-")


def draft_of(item: Truth) -> tuple[Draft, Transcript]:
    """The pipeline's draft of an item, exactly as ``video2blog draft`` makes it from these words."""
    transcript = split_sentences(item.words)
    source = Source(item.item, "0" * 64, item.words.duration)
    return make_draft(transcript, source, DraftOptions(date="2000-01-01")), transcript


def score(item: Truth) -> Score:
    """Draft one item and score it beside the baselines."""
    draft, transcript = draft_of(item)
    found = [s.start for s in draft.sections]
    even = even_starts(item)
    mids = [(w.start + w.end) / 2 for w in item.words.words]
    truth_labels = label(mids, list(item.starts))
    spans = [(s.start, s.end) for s in draft.sections]
    return Score(
        item=item.item,
        dataset=item.dataset,
        f1=boundary_f1(list(item.starts[1:]), found[1:]),
        pk=pk(truth_labels, label(mids, found)),
        agreement=agreement(item, spans, [s.heading for s in draft.sections]),
        even_f1=boundary_f1(list(item.starts[1:]), even[1:]),
        even_pk=pk(truth_labels, label(mids, even)),
        even_agreement=agreement(item, _spans(even, _end(item)), even_headings(item, even)),
        none_pk=pk(truth_labels, [0] * len(mids)),
        true_sections=len(item.starts),
        draft_sections=len(found),
        longest_sentence=max((s.words[1] - s.words[0] for s in transcript.sentences), default=0),
        headings=tuple(s.heading for s in draft.sections),
    )


def _end(item: Truth) -> float:
    return max(item.words.duration, item.words.words[-1].end if item.words.words else 0.0)


def _spans(starts: list[float], end: float) -> list[tuple[float, float]]:
    return list(zip(starts, [*starts[1:], end]))


def even_starts(item: Truth) -> list[float]:
    """The true number of sections cut evenly over the spoken time."""
    first, last = item.words.words[0].start, item.words.words[-1].end
    count = len(item.starts)
    return [0.0] + [first + (last - first) * k / count for k in range(1, count)]


def even_headings(item: Truth, starts: list[float]) -> list[str]:
    """Each evenly cut stretch named by its three most frequent content words."""
    out = []
    for begin, end in _spans(starts, _end(item) + 1):
        text = " ".join(w.text for w in item.words.words if begin <= w.start < end)
        common = Counter(_content(text)).most_common(3)
        out.append(" ".join(word for word, _ in common))
    return out


def _content(text: str) -> list[str]:
    from video2blog.pipeline.textutil import tokens, word_list

    stop = word_list("stopwords.txt")
    return [t for t in tokens(text) if t not in stop and len(t) > 2 and not t.isdigit()]


def agreement(item: Truth, spans: list[tuple[float, float]], headings: list[str]) -> float:
    """Share of true sections whose heading shares a content stem with the draft heading over it."""
    truth_spans = _spans(list(item.starts), _end(item) + 1)
    hits = 0
    for (begin, end), title in zip(truth_spans, item.headings):
        best = max(range(len(spans)), key=lambda k: min(end, spans[k][1]) - max(begin, spans[k][0]))
        hits += bool(_stems(title) & _stems(headings[best]))
    return hits / len(truth_spans)


def _stems(text: str) -> set[str]:
    """Content stems, clippings spelt out ("intro" is "introduction"), as eval_headings counts them."""
    return {CLIPPINGS.get(s, s) for s in stems(text)}


def means(rows: list[Score]) -> dict[str, float]:
    """Mean of every figure over rows."""
    keys = ("f1", "pk", "agreement", "even_f1", "even_pk", "even_agreement", "none_pk")
    out = {key: statistics.fmean(getattr(r, key) for r in rows) for key in keys}
    out["sections"] = statistics.fmean(r.draft_sections / r.true_sections for r in rows)
    out["longest"] = max(r.longest_sentence for r in rows)
    return out


def fold_of(item: str, folds: int) -> int:
    """A fixed fold for an id (CRC32 of the id, so folds do not depend on the listing order)."""
    return zlib.crc32(item.removesuffix("-bare").encode()) % folds


def print_table(rows: list[Score], verbose: bool, folds: int) -> None:
    """Per item (verbose) and per data set: the pipeline's figures, then the baselines'."""
    head = f"{'':24} {'F1':>5} {'Pk':>5} {'HAgr':>5} | "
    head += f"{'evenF1':>6} {'evenPk':>6} {'evenHA':>6} {'nonePk':>6}"
    print(head + "  draft/true  longest")
    for r in rows if verbose else []:
        print(
            f"{r.item:24} {r.f1:5.2f} {r.pk:5.2f} {r.agreement:5.2f} | {r.even_f1:6.2f} {r.even_pk:6.2f} "
            f"{r.even_agreement:6.2f} {r.none_pk:6.2f}  {r.draft_sections}/{r.true_sections}"
            f"  {r.longest_sentence}"
        )
        for heading in r.headings if verbose else ():
            print(f"      - {heading}")
    for dataset in sorted({r.dataset for r in rows}, key=lambda d: (d.endswith("-bare"), d)):
        group = [r for r in rows if r.dataset == dataset]
        _print_mean(f"MEAN {dataset} ({len(group)})", means(group))
        for k in range(folds if dataset.startswith("real") else 0):
            _print_mean(f"  fold {k}/{folds}", means([r for r in group if fold_of(r.item, folds) == k]))


def _print_mean(name: str, m: dict[str, float]) -> None:
    print(
        f"{name:24} {m['f1']:5.2f} {m['pk']:5.2f} {m['agreement']:5.2f} | {m['even_f1']:6.2f} "
        f"{m['even_pk']:6.2f} {m['even_agreement']:6.2f} {m['none_pk']:6.2f}  x{m['sections']:.2f}"
        f"  {m['longest']:.0f}"
    )


def _select_encoder(choice: str) -> str:
    if choice == "lexical":
        embed.available = lambda: False  # type: ignore[assignment]
        embed.encoder = lambda *_: None  # type: ignore[assignment]
    encoder: Callable[..., object] | None = embed.encoder()
    if encoder is not None:
        embed.encoder = lambda *_: _cached_embed  # type: ignore[assignment]
    return "lexical cohesion" if encoder is None else f"sentence embeddings ({embed.describe()})"


def _cached_embed(texts: list[str]) -> object:
    """Sentence embeddings cached on disk by the texts (re-runs only redo the text stages)."""
    from benchmarks.train_boundaries import vectors_for

    return vectors_for(texts, "embeddings")


def main(argv: list[str] | None = None) -> int:
    """Score the chosen data sets and print (or emit as JSON) the figures."""
    parser = argparse.ArgumentParser(description="Evaluate sections on real talks and on stripped words.")
    parser.add_argument("--talks", action="store_true", help="also the synthetic clinic talks (tiny.en)")
    parser.add_argument("--only-talks", action="store_true", help="only the synthetic clinic talks")
    parser.add_argument("--items", nargs="+", default=(), metavar="ID", help="only these real ids")
    parser.add_argument("--encoder", choices=("auto", "lexical"), default="auto")
    parser.add_argument("--no-bare", action="store_true", help="skip the punctuation-stripped variant")
    parser.add_argument("--folds", type=int, default=0, help="also print means over N folds of the real ids")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--headings", action="store_true", help="per item, with its headings")
    args = parser.parse_args(argv)
    method = _select_encoder(args.encoder)
    items = [] if args.only_talks else real_items(only=args.items)
    items += talk_items() if args.talks or args.only_talks else []
    items += [] if args.no_bare else [stripped(i) for i in items]
    rows = [score(i) for i in items]
    if args.json:
        print(json.dumps({"topic_shifts": method, "items": [asdict(r) for r in rows]}, indent=1))
    else:
        print(f"topic shifts from {method}")
        print_table(rows, args.headings, args.folds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
