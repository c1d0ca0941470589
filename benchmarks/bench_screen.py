"""What reading on-screen text costs: frames sampled, frames read, OCR seconds per frame read, and the
whole pass as a multiple of the video's length, for a 10-minute 1080p talk (target <= 0.3x on 2 cores).

The talk is generated with ffmpeg (``tools/screen_video.py``: a speaker stand-in that sways, a clinic's
name in a corner, a cut and a question every 75 s, as a card or a lower third, a speaker's name lower
third; two 75 s stretches drawn and repeated) and cached in ``~/.cache/video2blog-screen``.

Usage::

    python -m benchmarks.bench_screen [--minutes 10] [--height 1080]
"""

from __future__ import annotations

import argparse
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from tools.make_screen_talks import OUT
from tools.screen_video import Shown, Style, render
from video2blog.pipeline.ingest import screen
from video2blog.pipeline.ingest.media import ffmpeg_exe

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
    """The benchmark video, rendered once: one :data:`EVERY_S` stretch (a cut, a question, an answer)
    drawn and then repeated by stream copy to the length asked for (drawing 1080p is slow)."""
    out = OUT / f"bench-{minutes:g}min-{height}p.mp4"
    if out.exists():
        return out
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        parts = [_stretch(Path(tmp), k, height) for k in range(2)]
        count = math.ceil(minutes * 60 / EVERY_S)
        listing = Path(tmp) / "list.txt"
        listing.write_text("".join(f"file '{parts[k % 2]}'\n" for k in range(count)), encoding="utf-8")
        cmd = [ffmpeg_exe(), "-y", "-v", "error", "-f", "concat", "-safe", "0", "-i", str(listing)]
        subprocess.run([*cmd, "-c", "copy", "-t", f"{minutes * 60:.1f}", str(out)], check=True, timeout=600)
    return out


def _stretch(tmp: Path, k: int, height: int) -> Path:
    """75 s opening with a cut and a question (a card, or a lower third), the speaker's name in the first."""
    out = tmp / f"part{k}.mp4"
    kind = "card" if k == 0 else "lower-third"
    shown = [Shown(QUESTIONS[k], 0.5, 4.5 if k == 0 else 7.5, kind)]
    if k == 0:
        shown.append(Shown("Dr. Maya Ortiz, MD", 12.0, 17.0, "name"))
    style = Style(background="plain", logo="Riverside Family Clinic", cuts=(0.4,), size=0.05, shot="0xd8d0c0")
    render(out, EVERY_S, shown, style, size=(height * 16 // 9, height), preset="ultrafast", crf=28)
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

    def timed(ocr: Any, image: Any, widened: Any = None) -> list[screen.Line]:
        started = time.monotonic()
        try:
            return plain(ocr, image, widened)
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
        f"{len(found.texts)} texts, {questions} questions of {math.ceil(duration / EVERY_S)} shown, "
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
