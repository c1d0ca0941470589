"""Measure the text stages on the synthetic evaluation set: words, section boundaries and headings.

Every item of ``benchmarks/out/eval`` (built by ``make_eval_set.py`` when missing) is transcribed
with the bundled tiny.en once (transcripts are cached under ``benchmarks/cache/`` keyed by the
media's SHA-256 and the recognition settings, so a re-run only redoes the text stages), then
drafted with :func:`video2blog.pipeline.run.make_draft` and compared with its ``.truth.json``.

Metrics, per item and averaged per variant:

- **WER**: word error rate of the recognised words against the spoken text (lower case, no
  punctuation).
- **F1**: section-boundary F1. Boundaries are the start times of every section but the first;
  a draft boundary matches a true one within 3 s, greedily one-to-one (closest pairs first).
- **Pk**: Beeferman's Pk over the recognised words, each labelled with the true section and the
  draft section its midpoint time falls in; window k = half the mean true section length in
  words. Lower is better; 0 is perfect.
- **HRec** (``asked`` only): heading recall, the share of true (spoken) headings matched
  one-to-one by a draft heading with normalised WER <= 0.25; an unheaded opening is not counted.
- **HRel** (``monologue`` only): heading relevance, the share of generated headings at least one
  of whose content words (stop words dropped, Porter-stemmed) occurs in the text or heading of the
  true section the draft section overlaps most in time.
- **Qs**: the share of generated headings phrased as questions (reported, not scored).

Targets with tiny.en: asked F1 >= 0.9 and HRec >= 0.9; monologue F1 >= 0.6 and Pk <= 0.25.

Topic shifts use sentence embeddings (in the default install), else lexical cohesion; ``--lexical``
measures the latter either way. ``benchmarks/eval_real.py`` scores the real YouTube talks and the
punctuation-stripped variant of every talk with the same scoring functions.

Usage::

    python -m benchmarks.eval_sections [--only NAME ...] [--variant asked|monologue] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

import jiwer
from nltk.stem import PorterStemmer

from video2blog.pipeline.digest import sha256_file
from video2blog.pipeline.engines import EngineOptions, embed
from video2blog.pipeline.ingest import media
from video2blog.pipeline.ingest.transcribe import TranscribeOptions, transcribe_media
from video2blog.pipeline.run import DraftOptions, make_draft
from video2blog.pipeline.schema import Draft, Source, Transcript
from video2blog.pipeline.text.sentences import split_sentences
from video2blog.pipeline.textutil import tokens, word_list

ROOT = Path(__file__).resolve().parents[1]


EVAL_DIR = ROOT / "benchmarks" / "out" / "eval"
CACHE_DIR = ROOT / "benchmarks" / "cache"
TOLERANCE_S = 3.0
HEADING_MAX_WER = 0.25
_TIDY = jiwer.Compose(
    [
        jiwer.ToLowerCase(),
        jiwer.RemovePunctuation(),
        jiwer.RemoveMultipleSpaces(),
        jiwer.Strip(),
        jiwer.ReduceToListOfListOfWords(),
    ]
)
_STEM = PorterStemmer()


@dataclass(frozen=True)
class Result:
    """The measurements of one evaluation item."""

    item: str
    variant: str
    wer: float
    f1: float
    pk: float
    heading_recall: float | None
    heading_relevance: float | None
    question_share: float | None
    true_sections: int
    draft_sections: int
    headings: tuple[str, ...]


def ensure_eval_set() -> list[Path]:
    """The truth files of the evaluation set, building the set first if any are missing."""
    from benchmarks import make_eval_set

    jobs = make_eval_set.plan_jobs(make_eval_set.TALKS, EVAL_DIR, video=False)
    if not all(job.media.exists() and job.truth.exists() for job in jobs):
        make_eval_set.main([])
    return [job.truth for job in jobs]


def transcript_of(media_path: Path, cache_dir: Path = CACHE_DIR) -> tuple[Transcript, Source]:
    """Recognised words of one item with the bundled tiny.en, cached by content hash under ``cache_dir``."""
    info = media.probe(media_path)
    sha = sha256_file(media_path)
    options = TranscribeOptions(engine_options=EngineOptions(threads=2), cache_dir=cache_dir)
    transcript = transcribe_media(info, sha, options)
    return transcript, Source(str(media_path), sha, round(info.duration, 3))


def wer(reference: str, hypothesis: str) -> float:
    """Word error rate after lower-casing and removing punctuation."""
    if not tokens(reference):
        return 0.0 if not tokens(hypothesis) else 1.0
    return jiwer.wer(reference, hypothesis, reference_transform=_TIDY, hypothesis_transform=_TIDY)


def boundary_f1(truth: list[float], found: list[float], tolerance: float = TOLERANCE_S) -> float:
    """F1 of boundary times, matched one-to-one within ``tolerance``, closest pairs first."""
    if not truth and not found:
        return 1.0
    pairs = sorted((abs(t - f), i, j) for i, t in enumerate(truth) for j, f in enumerate(found))
    used_t: set[int] = set()
    used_f: set[int] = set()
    for distance, i, j in pairs:
        if distance <= tolerance and i not in used_t and j not in used_f:
            used_t.add(i)
            used_f.add(j)
    hits = len(used_t)
    if hits == 0:
        return 0.0
    precision, recall = hits / len(found), hits / len(truth)
    return 2 * precision * recall / (precision + recall)


def label(times: list[float], starts: list[float]) -> list[int]:
    """For each time, the index of the last segment starting at or before it."""
    return [max([0] + [i for i, s in enumerate(starts) if s <= t]) for t in times]


def pk(truth_labels: list[int], found_labels: list[int]) -> float:
    """Beeferman's Pk with k = half the mean true segment length (in items)."""
    n = len(truth_labels)
    segments = len(set(truth_labels))
    k = max(1, round(n / segments / 2))
    if n <= k:
        return 0.0
    errors = sum(
        (truth_labels[i] == truth_labels[i + k]) != (found_labels[i] == found_labels[i + k])
        for i in range(n - k)
    )
    return errors / (n - k)


def heading_recall(truth: list[str], found: list[str]) -> float:
    """Share of true headings matched one-to-one by a found heading with WER <= 0.25."""
    pairs = sorted((wer(t, f), i, j) for i, t in enumerate(truth) for j, f in enumerate(found))
    used_t: set[int] = set()
    used_f: set[int] = set()
    for score, i, j in pairs:
        if score <= HEADING_MAX_WER and i not in used_t and j not in used_f:
            used_t.add(i)
            used_f.add(j)
    return len(used_t) / len(truth) if truth else 1.0


def stems(text: str) -> set[str]:
    """Porter stems of the content words of ``text``."""
    stop = word_list("stopwords.txt")
    return {_STEM.stem(t) for t in tokens(text) if t not in stop and not t.isdigit()}


def heading_relevance(truth: dict, draft: Draft) -> float | None:
    """Share of generated headings sharing a content stem with the true section they overlap most."""
    generated = [s for s in draft.sections if s.heading_source == "generated"]
    if not generated:
        return None
    hits = 0
    for section in generated:
        best = max(truth["sections"], key=lambda t: _overlap(t, section.start, section.end))
        hits += bool(stems(section.heading) & stems(best["text"] + " " + (best["heading"] or "")))
    return hits / len(generated)


def _overlap(true_section: dict, start: float, end: float) -> float:
    return min(true_section["end"], end) - max(true_section["start"], start)


def evaluate(truth_path: Path) -> Result:
    """Transcribe (cached), draft and score one item."""
    truth = json.loads(truth_path.read_text(encoding="utf-8"))
    transcript, source = transcript_of(truth_path.parent / truth["media"])
    draft = make_draft(split_sentences(transcript), source, DraftOptions(date="2000-01-01"))
    true_starts = [s["start"] for s in truth["sections"]]
    found_starts = [s.start for s in draft.sections]
    mids = [(w.start + w.end) / 2 for w in transcript.words]
    generated = [s.heading for s in draft.sections if s.heading_source == "generated"]
    asked = truth["variant"] == "asked"
    return Result(
        item=truth_path.name.removesuffix(".truth.json"),
        variant=truth["variant"],
        wer=wer(truth["text"], transcript.text),
        f1=boundary_f1(true_starts[1:], found_starts[1:]),
        pk=pk(label(mids, true_starts), label(mids, found_starts)),
        heading_recall=heading_recall(_true_headings(truth), _headings(draft)) if asked else None,
        heading_relevance=None if asked else heading_relevance(truth, draft),
        question_share=sum(h.endswith("?") for h in generated) / len(generated) if generated else None,
        true_sections=len(true_starts),
        draft_sections=len(found_starts),
        headings=tuple(_headings(draft)),
    )


def _true_headings(truth: dict) -> list[str]:
    return [s["heading"] for s in truth["sections"] if s["heading"]]


def _headings(draft: Draft) -> list[str]:
    return [s.heading for s in draft.sections]


def _mean(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return sum(present) / len(present) if present else None


def summary(results: list[Result]) -> dict[str, dict[str, float | None]]:
    """Mean of each metric per variant."""
    out = {}
    for variant in sorted({r.variant for r in results}):
        rows = [r for r in results if r.variant == variant]
        out[variant] = {
            key: _mean([getattr(r, key) for r in rows])
            for key in ("wer", "f1", "pk", "heading_recall", "heading_relevance", "question_share")
        }
    return out


def _fmt(value: float | None) -> str:
    return "   -" if value is None else f"{value:4.2f}"


def print_table(results: list[Result], verbose: bool) -> None:
    """A fixed-width table per item, then the per-variant means."""
    print(f"{'item':32} {'WER':>4} {'F1':>4} {'Pk':>4} {'HRec':>4} {'HRel':>4} {'Qs':>4}  true/draft")
    for r in results:
        cells = (r.wer, r.f1, r.pk, r.heading_recall, r.heading_relevance, r.question_share)
        print(f"{r.item:32} " + " ".join(_fmt(c) for c in cells) + f"  {r.true_sections}/{r.draft_sections}")
        if verbose:
            for heading in r.headings:
                print(f"    - {heading}")
    for variant, means in summary(results).items():
        print(f"{'MEAN ' + variant:32} " + " ".join(_fmt(v) for v in means.values()))


def main(argv: list[str] | None = None) -> int:
    """Run the evaluation and print (or emit as JSON) the results."""
    parser = argparse.ArgumentParser(description="Evaluate sections and headings on the synthetic talks.")
    parser.add_argument("--only", nargs="+", metavar="NAME", help="only these talk names")
    parser.add_argument("--variant", choices=("asked", "monologue"), help="only this variant")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("--headings", action="store_true", help="list each draft's headings")
    parser.add_argument(
        "--lexical", action="store_true", help="lexical cohesion only, even where sentence embeddings exist"
    )
    args = parser.parse_args(argv)
    if args.lexical:
        embed.available = lambda: False  # lexical cohesion, as where the model package is missing
    method = "sentence embeddings" if embed.available() else "lexical cohesion"
    paths = [
        p
        for p in ensure_eval_set()
        if (not args.only or p.name.split("-")[0] in args.only or _talk(p) in args.only)
        and (not args.variant or p.name.endswith(f"-{args.variant}.truth.json"))
    ]
    results = [evaluate(p) for p in paths]
    if args.json:
        data = {"topic_shifts": method, "items": [asdict(r) for r in results], "summary": summary(results)}
        print(json.dumps(data, indent=2))
    else:
        print(f"topic shifts from {method}")
        print_table(results, args.headings)
    return 0


def _talk(path: Path) -> str:
    return path.name.removesuffix(".truth.json").rsplit("-", 1)[0]


if __name__ == "__main__":
    sys.exit(main())
