"""How the captions video2blog writes measure against subtitle practice, on real speech timings.

Each real YouTube transcript of ``../shared/realdata/vidchapters-dev`` (its words timed by its own
captions) is split into sentences as a draft is, and laid out as ``captions.srt`` cues. Printed: how
many cues, and the share of them that break a rule subtitlers keep: a line over 42 characters, more
than two lines, under 1 s on screen, read faster than 20 characters a second, starting before the
cue before ends, or running past the media's end.

    python -m benchmarks.eval_captions [--folder ../shared/realdata/vidchapters-dev]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from video2blog.pipeline.ingest.captions import read_captions
from video2blog.pipeline.text.sentences import split_sentences

try:
    from video2blog.pipeline.writers.cues import caption_cues
except ImportError:  # before the cues had a module of their own (to measure an older checkout)
    from video2blog.pipeline.writers.formats import caption_cues  # type: ignore[attr-defined,no-redef]

ROOT = Path(__file__).resolve().parents[1]
FOLDER = ROOT.parent / "shared" / "realdata" / "vidchapters-dev"
RULES = ("line over 42", "over 2 lines", "under 1 s", "over 20 chars/s", "overlaps", "past the end")


def broken(cues: list[tuple[float, float, str]], duration: float) -> dict[str, int]:
    """How many of ``cues`` break each rule of :data:`RULES`."""
    counts = dict.fromkeys(RULES, 0)
    for k, (start, end, text) in enumerate(cues):
        lines, shown = text.split("\n"), max(end - start, 1e-9)
        counts["line over 42"] += any(len(line) > 42 for line in lines)
        counts["over 2 lines"] += len(lines) > 2
        counts["under 1 s"] += shown < 1.0 - 1e-9
        counts["over 20 chars/s"] += len(" ".join(lines)) / shown > 20.0
        counts["overlaps"] += k > 0 and start < cues[k - 1][1] - 1e-9
        counts["past the end"] += end > duration + 1e-9
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", type=Path, default=FOLDER)
    args = parser.parse_args()
    total, counts = 0, dict.fromkeys(RULES, 0)
    for path in sorted(args.folder.glob("*.srt")):
        transcript = split_sentences(read_captions(path))
        cues = caption_cues(transcript)
        total += len(cues)
        for rule, n in broken(cues, transcript.duration).items():
            counts[rule] += n
    print(f"{total} cues from {len(list(args.folder.glob('*.srt')))} real transcripts")
    for rule in RULES:
        print(f"  {rule:16s} {counts[rule]:5d}  ({counts[rule] / max(total, 1):.1%})")


if __name__ == "__main__":
    main()
