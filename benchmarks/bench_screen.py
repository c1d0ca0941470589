"""What reading on-screen text costs: frames sampled, frames read, OCR seconds per frame read, and the
whole pass as a multiple of the video's length, for a 10-minute 1080p talk (target <= 0.3x on 2 cores).

The talk is generated with ffmpeg (``tools/screen_video.py``: a speaker stand-in that sways, a clinic's
name in a corner, a question every 75 s as a card or a lower third, a cut before each answer, a
speaker's name lower third) and cached in ``~/.cache/video2blog-screen``.

Usage::

    python -m benchmarks.bench_screen [--minutes 10] [--height 1080]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any

from tools.make_screen_talks import OUT
from tools.screen_video import Shown, Style, render
from video2blog.pipeline.ingest import screen

QUESTIONS = (
    "How long does the relief last?",
    "Can I drive myself home afterwards?",
    "Is the treatment safe?",
    "What does a first visit look like?",
    "How many sessions will I need?",
    "Does insurance cover it?",
    "What should I bring on the day?",
    "When will I notice a change?",
)
EVERY_S = 75.0


def make_talk(minutes: float, height: int) -> Path:
    """The benchmark video, rendered once."""
    width = height * 16 // 9
    out = OUT / f"bench-{minutes:g}min-{height}p.mp4"
    if out.exists():
        return out
    OUT.mkdir(parents=True, exist_ok=True)
    duration = minutes * 60
    starts = [EVERY_S * k + 5 for k in range(int(duration // EVERY_S))]
    shown = [
        Shown(
            QUESTIONS[k % len(QUESTIONS)],
            t,
            t + (4.0 if k % 2 == 0 else 7.0),
            "card" if k % 2 == 0 else "lower-third",
        )
        for k, t in enumerate(starts)
    ]
    shown.append(Shown("Dr. Maya Ortiz, MD", 20.0, 25.0, "name"))
    style = Style(background="plain", logo="Riverside Family Clinic", cuts=tuple(starts), size=0.05)
    render(out, duration, shown, style, size=(width, height), preset="ultrafast", crf=28)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--height", type=int, default=1080)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args(argv)
    video = make_talk(args.minutes, args.height)
    duration = args.minutes * 60
    spent: list[float] = []
    plain = screen.read_frame

    def timed(ocr: Any, image: Any) -> list[screen.Line]:
        started = time.monotonic()
        try:
            return plain(ocr, image)
        finally:
            spent.append(time.monotonic() - started)

    screen.reader(args.threads)  # the models load once per process: not part of a video's cost
    screen.read_frame = timed  # type: ignore[assignment]
    started, cpu = time.monotonic(), time.process_time()
    found = screen.read_screen(video, duration, threads=args.threads)
    took, cpu = time.monotonic() - started, time.process_time() - cpu
    questions = sum(t.text.endswith("?") for t in found.texts)
    print(f"{video.name}: {duration:.0f} s at {args.height}p, {args.threads} threads")
    print(
        f"frames sampled {found.frames}, read by OCR {found.read} ({found.read / max(1, found.frames):.0%})"
    )
    print(
        f"OCR per frame read {sum(spent) / max(1, len(spent)):.2f} s; OCR in all {sum(spent):.1f} s; "
        f"decoding and sampling {took - sum(spent):.1f} s"
    )
    print(
        f"whole video {took:.1f} s = {took / duration:.3f}x its length (target <= 0.3x); "
        f"{len(found.texts)} texts, {questions} questions of {int(duration // EVERY_S)} shown, "
        f"{len(found.cuts)} cuts"
    )
    # On a shared machine the wall clock counts other work too; CPU time over the threads is the cost.
    print(
        f"CPU time {cpu:.1f} s = {cpu / duration:.3f} core-seconds per second of video; "
        f"on {args.threads} idle cores at best {cpu / args.threads / duration:.3f}x; "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
