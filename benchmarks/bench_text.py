"""How long the text stages take, per 10 minutes of talk, and how much faster a cached re-draft is.

Text stages: :func:`~video2blog.pipeline.text.sentences.split_sentences`, then
:func:`~video2blog.pipeline.run.make_draft` (sentence embeddings, sections, cleanup, headings, title,
description, keywords). Talks are the project's own talk scripts (``benchmarks/talks``) run together
to the length asked for, as words with synthetic times (:func:`benchmarks.eval_clinic.text_item`), so
no speech is needed. ``make_draft`` embeds each text once a draft (``run.Remembered``, as the command
does); the row "every caller embeds" gives it the bare encoder, as every caller of ``make_draft``
but the command ran it before, to show what that saves. Each stage is timed alone (the best of
``--repeat`` runs, wall and CPU seconds; the machine's other work shows in the wall time, less in the
CPU time) and printed per 10 minutes of talk; the target is at most 1 s for all of them on 2 cores.

``--sentences N`` also drafts a random talk of N sentences (what ``tests/test_properties.py`` checks
for lost words, without its clock), with lexical cohesion: the text stages should stay roughly linear
in the talk's length.

``--media FILE`` also runs the installed ``video2blog draft FILE`` twice with a fresh transcript cache:
the first draft (transcription included) and the cached re-draft, and prints their ratio (target >= 50x).

Usage::

    python -m benchmarks.bench_text [--minutes 10 13] [--repeat 3] [--sentences 3000] [--media FILE]
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TypeVar

from benchmarks import eval_clinic, machine
from tools import synth
from video2blog.pipeline.engines import embed
from video2blog.pipeline.ingest.transcribe import TranscribeOptions
from video2blog.pipeline.run import DraftOptions, make_draft
from video2blog.pipeline.schema import Source, Transcript, Word
from video2blog.pipeline.text.phrases import phrases_of
from video2blog.pipeline.text.sections import find_sections
from video2blog.pipeline.text.sentences import split_sentences

T = TypeVar("T")
OPTIONS = DraftOptions(date="2000-01-01")


def talk_of(minutes: float) -> Transcript:
    """The project's talks run together (as a monologue) until the words last ``minutes``."""
    scripts = eval_clinic.own_scripts()
    sections: list[synth.Section] = []
    words: Transcript | None = None
    while words is None or words.duration < minutes * 60:
        sections.append(scripts[len(sections) % len(scripts)][1].sections[len(sections) // len(scripts) % 3])
        words = eval_clinic.text_item(
            "bench", synth.Talk("bench", [], sections), "monologue", "bench"
        ).truth.words
    cut = [w for w in words.words if w.end <= minutes * 60]
    return Transcript(words=tuple(cut), duration=cut[-1].end)


def timed(run: Callable[[], T], repeat: int) -> tuple[T, float, float]:
    """The result of ``run`` and its best wall and CPU seconds over ``repeat`` runs; the phrases of
    the texts found afresh in each (as a first draft finds them: ``phrases_of`` remembers them)."""
    best_wall = best_cpu = float("inf")
    result = run()  # warm: models loaded, caches filled
    for _ in range(repeat):
        phrases_of.cache_clear()
        wall, cpu = time.perf_counter(), time.process_time()
        result = run()
        best_wall = min(best_wall, time.perf_counter() - wall)
        best_cpu = min(best_cpu, time.process_time() - cpu)
    return result, best_wall, best_cpu


def stage_times(words: Transcript, repeat: int) -> dict[str, tuple[float, float]]:
    """Wall and CPU seconds of each text stage on one talk."""
    source = Source("bench", "0" * 64, words.duration)
    split, *sentences = timed(lambda: split_sentences(words), repeat)
    texts = [s.text for s in split.sentences]
    encode = embed.encoder()
    out = {"sentences": (sentences[0], sentences[1])}
    if encode is not None:
        _, wall, cpu = timed(lambda: encode(texts), repeat)
        out["embeddings"] = (wall, cpu)
    _, wall, cpu = timed(lambda: find_sections(split, encode=None), repeat)
    out["sections (lexical)"] = (wall, cpu)
    if encode is not None:  # the bare encoder: each caller embeds its texts again
        _, wall, cpu = timed(lambda: make_draft(split, source, OPTIONS, encode), repeat)
        out["make_draft, every caller embeds"] = (wall, cpu)
    _, wall, cpu = timed(lambda: make_draft(split, source, OPTIONS), repeat)  # each text embedded once
    out["make_draft (all after sentences)"] = (wall, cpu)
    with tempfile.TemporaryDirectory() as tmp:
        cached = replace(OPTIONS, transcribe=TranscribeOptions(cache_dir=Path(tmp)))
        _, wall, cpu = timed(lambda: make_draft(split, source, cached), repeat)
    out["make_draft, vectors cached (re-draft)"] = (wall, cpu)
    return out


def print_stages(minutes: float, repeat: int) -> None:
    """One block of per-stage figures for a talk of ``minutes``."""
    words = talk_of(minutes)
    per10 = 600 / words.duration
    print(
        f"== {words.duration / 60:.1f} min talk, {len(words.words)} words "
        f"(seconds per 10 min of talk: wall / CPU; best of {repeat})"
    )
    rows = stage_times(words, repeat)
    for name, (wall, cpu) in rows.items():
        print(f"   {name:38} {wall * per10:6.2f} / {cpu * per10:6.2f}")
    for name, draft in (
        ("first draft", "make_draft (all after sentences)"),
        ("re-draft", "make_draft, vectors cached (re-draft)"),
    ):
        wall, cpu = (rows["sentences"][k] + rows[draft][k] for k in (0, 1))
        print(
            f"   {'text stages in all, ' + name:38} {wall * per10:6.2f} / {cpu * per10:6.2f}  (target <= 1 s)"
        )


def random_talk(sentences: int, seed: int) -> Transcript:
    """Random sentences of the project's words (as ``tests/test_properties.random_talk``)."""
    rng = random.Random(seed)
    vocabulary = [
        w
        for _, talk in eval_clinic.own_scripts()[:2]
        for s in talk.sections
        for p in s.paragraphs
        for line in p
        for w in line.split()
    ]
    words, clock = [], 0.0
    for _ in range(sentences):
        count, end = rng.randint(3, 14), rng.choice([".", "?", ""])
        for k in range(count):
            text = rng.choice(vocabulary).strip(".?!,") + (end if k == count - 1 else "")
            words.append(Word(text, round(clock, 3), round(clock + 0.3, 3), 0.9))
            clock += 0.38
    return Transcript(words=tuple(words), duration=round(clock, 3))


def print_many(count: int) -> None:
    """Seconds to draft a random talk of ``count`` sentences, lexical cohesion."""
    words = random_talk(count, seed=7)
    available = embed.available
    embed.available = lambda: False  # type: ignore[assignment]
    try:
        began, cpu = time.perf_counter(), time.process_time()
        draft = make_draft(split_sentences(words), Source("random", "0" * 64, words.duration), OPTIONS)
        took, cpu = time.perf_counter() - began, time.process_time() - cpu
    finally:
        embed.available = available  # type: ignore[assignment]
    print(
        f"== {count} random sentences ({words.duration / 60:.0f} min): {took:.1f} s wall, {cpu:.1f} s CPU, "
        f"{len(draft.sections)} sections"
    )


def print_redraft(media: Path) -> None:
    """First draft (fresh transcript cache) against the cached re-draft of the installed command, in
    wall and CPU seconds (the CPU time of the command and its children, ffmpeg included)."""
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "XDG_CACHE_HOME": str(Path(tmp) / "cache")}
        command = ["video2blog", "draft", str(media), "--out", str(Path(tmp) / "out"), "--force"]
        walls, cpus = [], []
        for _ in range(2):
            began, used = time.perf_counter(), _children_cpu()
            subprocess.run(command, env=env, check=True, capture_output=True)
            walls.append(time.perf_counter() - began)
            cpus.append(_children_cpu() - used)
    print(
        f"== video2blog draft {media.name}: first {walls[0]:.1f} s wall / {cpus[0]:.1f} s CPU, cached "
        f"re-draft {walls[1]:.2f} s / {cpus[1]:.2f} s: {walls[0] / walls[1]:.0f}x wall, "
        f"{cpus[0] / cpus[1]:.0f}x CPU (target >= 50x)"
    )


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main(argv: list[str] | None = None) -> int:
    """Print the figures asked for."""
    parser = argparse.ArgumentParser(description="Time the text stages per 10 minutes of talk.")
    parser.add_argument("--minutes", type=float, nargs="*", default=[10.0, 13.0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--sentences", type=int, default=0, help="also a random talk of N sentences")
    parser.add_argument("--media", type=Path, help="also the first draft / cached re-draft ratio")
    args = parser.parse_args(argv)
    print(machine.describe())
    for minutes in args.minutes:
        print_stages(minutes, args.repeat)
    if args.sentences:
        print_many(args.sentences)
    if args.media:
        print_redraft(args.media)
    return 0


if __name__ == "__main__":
    sys.exit(main())
