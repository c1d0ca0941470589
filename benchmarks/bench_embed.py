"""Speed of the sentence encoder on real transcript sentences: milliseconds per sentence.

Embeds the sentences of the first ``--talks`` real YouTube transcripts
(``../shared/realdata/vidchapters-dev``) once to warm up, then ``--repeat`` times for each batch size
of ``--batches`` (taken in turn, so that the machine's load falls on each alike), and prints the best
wall-clock and CPU time per sentence of each, and its ratio to the shipped size's. The machine's load
matters (two shared cores here): run it quiet.

Usage::

    python -m benchmarks.bench_embed [--talks 15] [--repeat 3] [--batches 8 16 32]
"""

from __future__ import annotations

import argparse
import sys
import time

from benchmarks import machine
from benchmarks.eval_real import real_items
from video2blog.pipeline.engines import embed
from video2blog.pipeline.text.sentences import split_sentences


def sentences(count: int) -> list[str]:
    """The sentences of the first ``count`` real talks, as the pipeline splits them."""
    items = real_items()[:count]
    return [s.text for item in items for s in split_sentences(item.words).sentences]


def main(argv: list[str] | None = None) -> int:
    """Time the encoder and print ms per sentence for each batch size."""
    parser = argparse.ArgumentParser(description="Time the sentence encoder.")
    parser.add_argument("--talks", type=int, default=15)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--batches", type=int, nargs="+", default=[embed.BATCH])
    args = parser.parse_args(argv)
    if not embed.available():
        print("the sentence-embedding model is not installed")
        return 1
    texts = sentences(args.talks)
    print(machine.describe())
    shipped = embed.BATCH
    embed.embed(texts[:8])
    best = {size: (float("inf"), float("inf")) for size in args.batches}
    try:
        for _ in range(args.repeat):
            for size in args.batches:
                embed.BATCH = size
                wall, cpu = time.perf_counter(), time.process_time()
                embed.embed(texts)
                took = (time.perf_counter() - wall, time.process_time() - cpu)
                best[size] = (min(best[size][0], took[0]), min(best[size][1], took[1]))
    finally:
        embed.BATCH = shipped
    print(f"{embed.describe()}: {len(texts)} sentences, ms per sentence (wall / CPU, best of {args.repeat})")
    for size, (wall, cpu) in best.items():
        ratio = f"  x{wall / best[shipped][0]:.2f} of batch {shipped}" if shipped in best else ""
        shown = "  <- shipped" if size == shipped else ""
        per = f"{1000 * wall / len(texts):6.2f} / {1000 * cpu / len(texts):6.2f}"
        print(f"  batch {size:3}: {per}{ratio}{shown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
