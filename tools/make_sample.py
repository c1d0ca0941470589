"""Regenerate the bundled sample video ``samples/ketamine-pain.mp4``.

Synthesises ``samples/ketamine-pain.md`` in the ``"asked"`` variant with a
fixed seed, writing the video and ``samples/ketamine-pain.truth.json``.

Usage::

    python -m tools.make_sample [--chapters]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from tools import synth

SAMPLES = Path(__file__).resolve().parents[1] / "samples"


SCRIPT = SAMPLES / "ketamine-pain.md"
OUT = SAMPLES / "ketamine-pain.mp4"
SEED = 20240611
VARIANT: synth.Variant = "asked"


def make_sample(out: Path = OUT, chapters: bool = False) -> dict:
    """Synthesise the sample video and its ground truth.

    Args:
        out: Destination ``.mp4``.
        chapters: Embed chapter marks (the committed sample has none).

    Returns:
        The ground-truth dictionary.
    """
    return synth.synthesize(synth.parse_script(SCRIPT), VARIANT, out, SEED, video=True, chapters=chapters)


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
    args = parser.parse_args(argv)
    started = time.monotonic()
    truth = make_sample(args.out, args.chapters)
    size_kb = args.out.stat().st_size / 1024
    took = time.monotonic() - started
    print(f"{args.out}: {truth['duration']:.1f} s, {size_kb:.0f} KiB, made in {took:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
