"""Regenerate the bundled sample video ``samples/ketamine-pain.mp4``.

Synthesises ``samples/ketamine-pain.md`` in the ``"asked"`` variant with a
fixed seed, writing the video and ``samples/ketamine-pain.truth.json``, then
gives it pictures (:func:`picture`): a speaker stand-in, a new shot at each
answer, the clinic's name in a corner, the speaker's name as a lower third and
title cards for some of the questions (``tools/screen_video.py``).

``--picture-only`` replaces only the pictures of the existing sample, copying
its audio stream as it is, so its transcription and truth file stay valid.

Usage::

    python -m tools.make_sample [--chapters] [--picture-only]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from tools import synth
from tools.screen_video import Shown, Style, render
from video2blog.pipeline.ingest import media

SAMPLES = Path(__file__).resolve().parents[1] / "samples"


SCRIPT = SAMPLES / "ketamine-pain.md"
OUT = SAMPLES / "ketamine-pain.mp4"
SEED = 20240611
VARIANT: synth.Variant = "asked"
SIZE = (640, 360)
LOGO = "Riverside Pain Clinic"
SPEAKER = "Dr. Alex Rivera, MD - pain medicine"
CARDS = (1, 3, 5)  # the sections whose question is shown on a card as it is asked


def make_sample(out: Path = OUT, chapters: bool = False) -> dict:
    """Synthesise the sample video and its ground truth.

    Args:
        out: Destination ``.mp4``.
        chapters: Embed chapter marks (the committed sample has none).

    Returns:
        The ground-truth dictionary.
    """
    truth = synth.synthesize(synth.parse_script(SCRIPT), VARIANT, out, SEED, video=True, chapters=chapters)
    picture(out)
    return truth


def picture(video: Path = OUT) -> None:
    """Replace ``video``'s pictures with a generated scene, keeping its audio stream byte for byte."""
    truth = json.loads(synth.truth_path(video).read_text(encoding="utf-8"))
    sections = truth["sections"]
    starts = [s["start"] - 0.4 for s in sections[1:]]
    shown = [Shown(SPEAKER, 0.8, 6.0, "name")]
    shown += [
        Shown(sections[i]["heading"], sections[i]["start"], sections[i]["start"] + 3.0, "top") for i in CARDS
    ]
    style = Style(background="gradient", logo=LOGO, cuts=tuple(starts), size=0.06, shot="0xd8d0c0")
    duration = media.probe(video).duration
    with tempfile.TemporaryDirectory() as tmp:
        original = Path(tmp) / "original.mp4"
        shutil.copy(video, original)
        render(Path(tmp) / "new.mp4", duration, shown, style, audio=original, size=SIZE, fps=15, crf=32)
        os.replace(Path(tmp) / "new.mp4", video)


def main(argv: list[str] | None = None) -> int:
    """Run the command-line interface.

    Args:
        argv: Arguments (defaults to ``sys.argv[1:]``).

    Returns:
        Process exit status.
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chapters", action="store_true", help="embed chapter marks")
    parser.add_argument("--out", type=Path, default=OUT, help="output .mp4")
    parser.add_argument("--picture-only", action="store_true", help="new pictures, the same audio")
    args = parser.parse_args(argv)
    started = time.monotonic()
    if args.picture_only:
        picture(args.out)
        truth = json.loads(synth.truth_path(args.out).read_text(encoding="utf-8"))
    else:
        truth = make_sample(args.out, args.chapters)
    size_kb = args.out.stat().st_size / 1024
    took = time.monotonic() - started
    print(f"{args.out}: {truth['duration']:.1f} s, {size_kb:.0f} KiB, made in {took:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
