"""Measure what a glossary costs in speech: words recognised and sections found per glossary size.

The sample talk (``samples/ketamine-pain.mp4``) is transcribed with the bundled tiny.en, with no
cache, once per glossary size (the first N terms of ``tests/data/clinic-glossary-300.txt``, a pain
clinic's 300 terms) and per way of prompting Whisper with the glossary:

- ``full``: what video2blog did before: every term joined into the hot-words prompt (faster-whisper
  cuts it at 223 tokens, which leaves too little of Whisper's 448-token window for the speech), and
  no second hearing of missed speech (the engine's prompt bound and ``missed.rehear`` are patched out).
- ``bounded``: :func:`video2blog.pipeline.ingest.transcribe.glossary_prompt` (the terms the tokeniser
  splits most, within ``engines.prompt.PROMPT_TOKENS``), and a window that missed speech with the
  prompt heard again without it (``ingest/missed.py``); video2blog before a crowded prompt was chosen
  by ear.
- ``heard``: video2blog now: as ``bounded``, but where the glossary's hard terms do not all fit, the
  prompt is those the talk's opening is heard to say (:func:`video2blog.pipeline.run.with_heard_prompt`).
- ``crowded``: the whole glossary as in ``full``, with no hearing without the prompt: what the second
  try alone (each stretch without words heard again another way, issue 23) brings back.

Each transcript is drafted with the whole N-term glossary in the correction stage. Printed per
size and mode: prompt tokens, words recognised, the share of the spoken words found (in order,
against the truth text), where the last word ends against the audio's length, the draft's sections
and how many of the five spoken question headings it found; with ``--json``, also the prompt, whether
the talk was heard again without it, and the seconds taken.

With ``--glossaries`` the sample is heard ``--runs`` times (the last of ``--modes``) with each 300-term
glossary named (``project``: the test glossary above; any other name: a made-up clinic vocabulary from
``benchmarks/glossaries.py``, which nothing was tuned on), and words and sections are printed per
glossary per run: the same glossary must give the same words every run, and keep every section.

Usage::

    python -m benchmarks.bench_glossary [--sizes 0 20 50 75 104 300] [--modes full bounded heard]
    python -m benchmarks.bench_glossary --glossaries project anaesthesia dental --runs 3 [--modes bounded]
"""

from __future__ import annotations

import argparse
import contextlib
import difflib
import json
import logging
import time
from collections.abc import Iterator
from pathlib import Path
from unittest import mock

from benchmarks import glossaries
from benchmarks.eval_sections import heading_recall
from video2blog.pipeline.engines import EngineOptions, embed, faster
from video2blog.pipeline.engines.prompt import PROMPT_TOKENS
from video2blog.pipeline.ingest import media, missed, transcribe
from video2blog.pipeline.ingest.transcribe import (
    TranscribeOptions,
    glossary_prompt,
    load_glossary,
    prompt_tokens,
    transcribe_media,
)
from video2blog.pipeline.run import DraftOptions, make_draft, with_heard_prompt
from video2blog.pipeline.schema import Source
from video2blog.pipeline.text.sentences import split_sentences
from video2blog.pipeline.textutil import tokens

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "ketamine-pain.mp4"
GLOSSARY = ROOT / "tests" / "data" / "clinic-glossary-300.txt"
SIZES = (0, 20, 50, 75, 104, 300)


def full_prompt(terms: tuple[str, ...]) -> str | None:
    """Every term in the prompt, as before it was bounded."""
    return ", ".join(terms) + "." if terms else None


PROMPTS = {"full": full_prompt, "bounded": glossary_prompt, "heard": glossary_prompt}
BUDGET = {"tokens": PROMPT_TOKENS}


def bounded_prompt(terms: tuple[str, ...]) -> str | None:
    """The prompt as video2blog builds it, within the budget given (``--budget``)."""
    return glossary_prompt(terms, BUDGET["tokens"])


PROMPTS["bounded"] = bounded_prompt
PROMPTS["crowded"] = full_prompt


def crowded() -> contextlib.ExitStack:
    """The whole glossary as the prompt, no hearing without it: only the second try can find the speech."""
    stack = contextlib.ExitStack()
    stack.enter_context(mock.patch.object(faster, "fit_prompt", lambda text, *_: text))
    stack.enter_context(mock.patch.object(transcribe, "_plain", lambda options: None))
    return stack


def word_recall(truth: str, heard: str) -> float:
    """Share of the spoken words found, in order (longest matching runs)."""
    said, got = tokens(truth), tokens(heard)
    matcher = difflib.SequenceMatcher(None, said, got, autojunk=False)
    return sum(b.size for b in matcher.get_matching_blocks()) / max(1, len(said))


def as_before() -> contextlib.ExitStack:
    """The pipeline as it was before the prompt was bounded: no cut in the engine, no second hearing."""
    stack = contextlib.ExitStack()
    stack.enter_context(mock.patch.object(faster, "fit_prompt", lambda text, *_: text))
    stack.enter_context(mock.patch.object(missed, "rehear", lambda part, *_: part))
    return stack


def named_glossary(name: str, size: int = 300) -> tuple[str, ...]:
    """``project`` (tests/data/clinic-glossary-300.txt) or a made-up vocabulary (benchmarks/glossaries.py)."""
    return load_glossary(GLOSSARY)[:size] if name == "project" else glossaries.glossary(name, size)


def runs(names: list[str], count: int, truth: dict, mode: str = "heard") -> None:
    """Words, sections and spoken questions found, per glossary per run; and whether runs agree."""
    print(f"{'glossary':14} {'run':>3} {'words':>5} {'recall':>6} again sections  notes  seconds  prompt")
    for name in names:
        terms = named_glossary(name)
        seen = set()
        for run in range(1, count + 1):
            row = measure(terms, mode, truth)
            seen.add(row["text_hash"])
            print(
                f"{name:14} {run:>3} {row['words']:>5} {row['recall']:>6.1%} "
                f"{'yes' if row['heard_again'] else 'no':>5} "
                f"{row['sections']} ({row['headings_found']}/{row['headings']} questions)  {row['notes']}  "
                f"{row['seconds']}  {row['prompt']}",
                flush=True,
            )
        print(f"{name:14} same words in every run: {'yes' if len(seen) == 1 else 'NO'}", flush=True)


PATCHES = {"full": as_before, "crowded": crowded}


def measure(terms: tuple[str, ...], mode: str, truth: dict) -> dict[str, object]:
    """Transcribe the sample with ``terms`` prompted the ``mode`` way; draft and score it."""
    prompt = PROMPTS[mode](terms)
    options = TranscribeOptions(engine_options=EngineOptions(hotwords=prompt), cache_dir=None)
    info = media.probe(SAMPLE)
    began = time.perf_counter()
    with PATCHES.get(mode, contextlib.nullcontext)(), reheard() as again:
        if mode == "heard":
            options = with_heard_prompt(
                DraftOptions(transcribe=options, glossary=terms), info, "bench"
            ).transcribe
            prompt = options.engine_options.hotwords
        words = transcribe_media(info, "bench", options)
    seconds = time.perf_counter() - began
    transcript = split_sentences(words)
    source = Source(str(SAMPLE), "bench", info.duration)
    draft = make_draft(transcript, source, DraftOptions(glossary=terms, date="2026-01-01"))
    spoken = [s["heading"] for s in truth["sections"] if s["heading"]]
    found = heading_recall(spoken, [s.heading for s in draft.sections])
    return {
        "terms": len(terms),
        "mode": mode,
        "prompt_tokens": prompt_tokens(prompt) if prompt else 0,
        "words": len(words.words),
        "recall": round(word_recall(truth["text"], words.text), 3),
        "last_end": words.words[-1].end if words.words else 0.0,
        "duration": round(info.duration, 1),
        "sections": len(draft.sections),
        "headings_found": round(found * len(spoken)),
        "headings": len(spoken),
        "seconds": round(seconds, 1),
        "notes": len(getattr(words, "notes", ())),  # none before notes existed (for a run on old code)
        "text_hash": hash(words.text),
        "prompt": prompt,
        "heard_again": bool(again),
    }


@contextlib.contextmanager
def reheard() -> Iterator[list[str]]:
    """The warnings that a window was heard again without the prompt, as they are logged."""
    said: list[str] = []

    class Catch(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if "heard again without it" in record.getMessage():
                said.append(record.getMessage())

    logger, handler = logging.getLogger(missed.__name__), Catch(logging.WARNING)
    logger.addHandler(handler)
    try:
        yield said
    finally:
        logger.removeHandler(handler)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--modes", nargs="+", choices=sorted(PROMPTS), default=["full", "heard"])
    parser.add_argument("--budget", type=int, default=PROMPT_TOKENS, help="prompt tokens for 'bounded'")
    parser.add_argument("--json", action="store_true", help="print the rows as JSON too")
    made_up = " ".join(glossaries.VOCABULARIES)
    parser.add_argument("--glossaries", nargs="+", help=f"project, or made up: {made_up}")
    parser.add_argument("--runs", type=int, default=3, help="hearings per glossary (with --glossaries)")
    args = parser.parse_args()
    BUDGET["tokens"] = args.budget
    truth = json.loads(SAMPLE.with_suffix(".truth.json").read_text(encoding="utf-8"))
    if args.glossaries:
        embed.encoder()
        runs(args.glossaries, args.runs, truth, args.modes[-1])
        return
    glossary = load_glossary(GLOSSARY)
    embed.encoder()  # load the sentence encoder (if installed) before timing anything
    rows = []
    print(
        f"{'terms':>5} {'mode':8} {'tokens':>6} {'words':>5} {'recall':>6} {'last/len s':>11} again sections"
    )
    for size in args.sizes:
        for mode in args.modes[:1] if size == 0 else args.modes:  # no glossary: one way only
            row = measure(glossary[:size], mode, truth)
            rows.append(row)
            print(
                f"{row['terms']:>5} {row['mode']:8} {row['prompt_tokens']:>6} {row['words']:>5} "
                f"{row['recall']:>6.1%} {row['last_end']:>5.1f}/{row['duration']:<5} "
                f"{'yes' if row['heard_again'] else 'no':>5} "
                f"{row['sections']} ({row['headings_found']}/{row['headings']} questions)",
                flush=True,
            )
    if args.json:
        print(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
