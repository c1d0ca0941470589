"""Speed of the sentence encoder on real transcript sentences: milliseconds per sentence.

Embeds the sentences of the first ``--talks`` real YouTube transcripts
(``../shared/realdata/vidchapters-dev``) once to warm up, then ``--repeat`` times, and prints the
best time per sentence. The machine's load matters (two shared cores here): run it quiet.

Usage::

    python -m benchmarks.bench_embed [--talks 15] [--repeat 3]
"""

from __future__ import annotations

import argparse
import sys
import time

from benchmarks.eval_real import real_items
from video2blog.pipeline.engines import embed
from video2blog.pipeline.text.sentences import split_sentences


def sentences(count: int) -> list[str]:
    """The sentences of the first ``count`` real talks, as the pipeline splits them."""
    items = real_items()[:count]
    return [s.text for item in items for s in split_sentences(item.words).sentences]


def main(argv: list[str] | None = None) -> int:
    """Time the encoder and print ms per sentence."""
    parser = argparse.ArgumentParser(description="Time the sentence encoder.")
    parser.add_argument("--talks", type=int, default=15)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    if not embed.available():
        print("the sentence-embedding model is not installed")
        return 1
    texts = sentences(args.talks)
    embed.embed(texts[:8])
    best = float("inf")
    for _ in range(args.repeat):
        began = time.perf_counter()
        embed.embed(texts)
        best = min(best, time.perf_counter() - began)
    print(f"{embed.describe()}: {len(texts)} sentences, {1000 * best / len(texts):.1f} ms per sentence")
    return 0


if __name__ == "__main__":
    sys.exit(main())
