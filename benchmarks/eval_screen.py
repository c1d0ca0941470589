"""On-screen headings: heading recall against the headings shown (all, and the questions alone),
boundary F1 and Pk, with the audio-only draft beside.

The talks come from ``tools/make_screen_talks.py`` (built first if missing): the project's own talk
scripts spoken without their headings, each heading shown on screen in one of several styles. A
section's heading counts when a draft heading matches the shown one with similarity >= 0.8
(difflib, case-folded); boundaries as in ``eval_sections`` (within 3 s). The clinic's name (a
persistent logo) must never be a heading.

Usage::

    nice -n 10 python -m benchmarks.eval_screen [--held-out] [--only NAME ...]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from pathlib import Path

from benchmarks.eval_sections import boundary_f1, label, pk
from tools import make_screen_talks
from video2blog.pipeline.digest import sha256_file
from video2blog.pipeline.engines import EngineOptions
from video2blog.pipeline.ingest import media
from video2blog.pipeline.ingest.screen import read_cached_screen, read_screen, write_cached_screen
from video2blog.pipeline.ingest.transcribe import TranscribeOptions, transcribe_media
from video2blog.pipeline.run import DraftOptions, make_draft
from video2blog.pipeline.schema import Draft, ScreenReading, Source, Transcript
from video2blog.pipeline.text.sentences import split_sentences

SAME = 0.8
TALKS = (
    "allergy",
    "audiology",
    "cardiology",
    "ophthalmology",
    "orthopedics",
    "physical-therapy",
    "podiatry",
    "urology",
    "weight-loss",
)


def similar(a: str, b: str) -> float:
    return SequenceMatcher(None, a.lower().strip(), b.lower().strip()).ratio()


def question_recall(questions: list[str], draft: Draft) -> float | None:
    """Share of shown questions that head a section of the draft (similarity >= :data:`SAME`)."""
    if not questions:
        return None
    headings = [s.heading for s in draft.sections]
    return sum(any(similar(q, h) >= SAME for h in headings) for q in questions) / len(questions)


def score(meta: dict, transcript: Transcript, draft: Draft) -> dict[str, float | None]:
    truth = meta["truth"]
    true_starts = [s["start"] for s in truth["sections"]]
    found = [s.start for s in draft.sections]
    mids = [(w.start + w.end) / 2 for w in transcript.words]
    shown = [s["heading"] for s in truth["sections"] if s["heading"]]
    questions = [h for h in shown if h.endswith("?")]
    logo = meta["style"]["logo"]
    return {
        "recall": question_recall(shown, draft),
        "questions": question_recall(questions, draft),
        "f1": boundary_f1(true_starts[1:], found[1:]),
        "pk": pk(label(mids, true_starts), label(mids, found)),
        "logo_heading": float(bool(logo) and any(similar(logo, s.heading) >= SAME for s in draft.sections)),
    }


@dataclass(frozen=True)
class Talk:
    """One screen talk: how it was drawn and its truth, its words, and what its screen showed."""

    name: str
    meta: dict
    transcript: Transcript
    source: Source
    screen: ScreenReading


def load(video: Path, cache: Path) -> Talk:
    """A screen talk's transcript and reading of its screen, both cached under ``cache``."""
    meta = json.loads(video.with_suffix(".json").read_text(encoding="utf-8"))
    info = media.probe(video)
    options = TranscribeOptions(engine_options=EngineOptions(threads=2), cache_dir=cache)
    digest = sha256_file(video)
    transcript = split_sentences(transcribe_media(info, digest, options))
    source = Source(str(video), "0" * 64, round(info.duration, 3))
    screen = read_cached_screen(cache, digest)  # read again whenever SCREEN_CACHE_VERSION changes
    if screen is None:
        screen = read_screen(video, info.duration)
        write_cached_screen(cache, digest, screen)
    return Talk(video.stem, meta, transcript, source, screen)


def talks(held_out: bool = False, only: Sequence[str] = ()) -> list[Talk]:
    """The nine screen talks (or the held-out ones), built first where missing."""
    out = make_screen_talks.OUT / "held-out" if held_out else make_screen_talks.OUT
    out.mkdir(parents=True, exist_ok=True)
    if held_out:
        scripts = list(enumerate(make_screen_talks.held_out_scripts()))
    else:
        scripts = [
            (n, s) for n, s in enumerate(sorted(make_screen_talks.TALKS.glob("*.md"))) if s.stem in TALKS
        ]
    chosen = [(n, s) for n, s in scripts if not only or s.stem in only]
    return [load(make_screen_talks.build(s, out, n, held_out), out / "transcripts") for n, s in chosen]


def evaluate(talk: Talk) -> tuple[dict, dict]:
    """Scores of the draft with the screen read and of the audio-only draft."""
    options = DraftOptions(date="2000-01-01")
    seen = make_draft(talk.transcript, talk.source, options, screen=talk.screen)
    heard = make_draft(talk.transcript, talk.source, options)
    return score(talk.meta, talk.transcript, seen), score(talk.meta, talk.transcript, heard)


def _fmt(value: float | None) -> str:
    return "  -  " if value is None else f"{value:5.2f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", default=[])
    parser.add_argument("--held-out", action="store_true", help="the held-out talks instead of the nine")
    args = parser.parse_args(argv)
    print(
        f"{'talk':18} {'layout':12} {'backgr':8} | screen: recall  F1    Pk  logo "
        "| audio: recall  F1    Pk | frames read s/frame"
    )
    rows = []
    for talk in talks(args.held_out, args.only):
        seen, heard = evaluate(talk)
        screen = talk.screen
        rows.append((seen, heard, screen))
        style = talk.meta["style"]
        print(
            f"{talk.name:18} {style['layout']:12} {style['background']:8} | "
            f"{_fmt(seen['recall'])} {_fmt(seen['f1'])} {_fmt(seen['pk'])} {seen['logo_heading']:3.0f} | "
            f"{_fmt(heard['recall'])} {_fmt(heard['f1'])} {_fmt(heard['pk'])} | "
            f"{screen.frames:5d} {screen.read:4d} {screen.seconds / max(1, screen.read):6.2f}",
            flush=True,
        )
    _summary(rows)
    return 0


def _summary(rows: list[tuple[dict, dict, ScreenReading]]) -> None:
    def mean(values: list[float | None]) -> float | None:
        present = [v for v in values if v is not None]
        return sum(present) / len(present) if present else None

    for name, pick in (("screen", 0), ("audio-only", 1)):
        scores = [r[pick] for r in rows]
        print(
            f"mean {name:10}: heading recall {_fmt(mean([s['recall'] for s in scores]))} "
            f"(questions {_fmt(mean([s['questions'] for s in scores]))}), "
            f"boundary F1 {_fmt(mean([s['f1'] for s in scores]))}, "
            f"Pk {_fmt(mean([s['pk'] for s in scores]))}, "
            f"clinic name as a heading in {sum(s['logo_heading'] for s in scores):.0f} of {len(scores)} talks"
        )


if __name__ == "__main__":
    sys.exit(main())
