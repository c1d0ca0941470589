"""What a Ctrl-C at a random moment of building the OCR reader turns into, with and without the hold.

rapidocr builds its configuration with OmegaConf, which can turn a KeyboardInterrupt raised inside it
into a ConfigKeyError or swallow it (see :mod:`video2blog.pipeline.signals`). Each try clears the
cached reader and builds it again, a real SIGINT sent at a moment drawn uniformly over one build's
time, and sorts the outcome:

- **interrupted**: KeyboardInterrupt came out (what the user asked for);
- **error**: another exception came out (a batch with ``--jobs 1`` counted the video as failed);
- **lost**: the build finished although the signal was handled inside it (nothing stopped);
- **after**: the signal came once the build had finished (the timer was later than the build).

Printed for the bare build (``screen.build_reader``), the reader as the pipeline builds it
(``screen.reader``, signals held) and the bare build run by a one-job batch's executor (a job that ends
after a signal has the signal delivered again there). The draws are seeded; the moments still depend on
the machine's speed.

Usage::

    python -m benchmarks.bench_interrupts [--tries 300]
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import time
from collections import Counter
from collections.abc import Callable
from types import FrameType
from typing import Any

from video2blog.pipeline.batch.jobs import InlineExecutor
from video2blog.pipeline.ingest import screen

OUTCOMES = ("interrupted", "error", "lost", "after")


def build_time(threads: int) -> float:
    """Seconds of one build once rapidocr's lazy imports are done (the first build does them)."""
    screen.build_reader(threads)
    started = time.perf_counter()
    screen.build_reader(threads)
    return time.perf_counter() - started


def tries(build: Callable[[], Any], count: int, span: float, seed: int) -> Counter[str]:
    """The outcomes of ``count`` builds, each sent SIGINT at a moment drawn over ``span`` seconds."""
    handled = [False]

    def on_sigint(signum: int, frame: FrameType | None) -> None:
        handled[0] = True
        raise KeyboardInterrupt

    saved = signal.signal(signal.SIGINT, on_sigint)
    alarm = signal.signal(signal.SIGALRM, lambda *_: os.kill(os.getpid(), signal.SIGINT))
    rng, outcomes = random.Random(seed), Counter[str]()
    try:
        for _ in range(count):
            screen._READERS.clear()
            handled[0] = False
            outcomes[_one(build, rng.uniform(0, span), handled)] += 1
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, alarm)
        signal.signal(signal.SIGINT, saved)
    return outcomes


def _one(build: Callable[[], Any], delay: float, handled: list[bool]) -> str:
    try:
        signal.setitimer(signal.ITIMER_REAL, delay)
        build()
        signal.setitimer(signal.ITIMER_REAL, 0)
    except KeyboardInterrupt:
        return "interrupted"
    except Exception:
        return "error"
    return "lost" if handled[0] else "after"


def by_one_job_batch(threads: int) -> None:
    """The bare build as a ``--jobs 1`` batch runs a video: its error, if any, through the future."""
    error = InlineExecutor().submit(screen.build_reader, threads).exception()
    if error is not None:
        raise error


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tries", type=int, default=300)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    span = build_time(args.threads)
    print(f"one build of the OCR reader: {span * 1000:.0f} ms; {args.tries} tries each, SIGINT within it")
    print(f"{'build':<34}" + "".join(f"{name:>13}" for name in OUTCOMES))
    ways: dict[str, Callable[[], Any]] = {
        "bare (screen.build_reader)": lambda: screen.build_reader(args.threads),
        "held (screen.reader)": lambda: screen.reader(args.threads),
        "bare, in a one-job batch": lambda: by_one_job_batch(args.threads),
    }
    for name, build in ways.items():
        got = tries(build, args.tries, span, args.seed)
        print(f"{name:<34}" + "".join(f"{got[o]:>13}" for o in OUTCOMES))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
