"""How much each boundary cue says, and how far sentence starts allow a boundary to be found.

For every kind of talk the boundary model is trained on (real YouTube talks, synthetic clinic
monologues; punctuated and stripped, see :mod:`benchmarks.train_boundaries`), prints:

- the share of gaps between sentences that are true boundaries (the nearest gap to a true start,
  within 3 s);
- each feature's AUC over those gaps (0.5: says nothing; below 0.5: points the other way);
- the oracle: F1 and Pk of choosing, for every true start, the nearest sentence start within 3 s
  (what a perfect choice among our sentences would reach);
- the share of gaps whose pause is zero (captions whose cues abut hide every pause).

Usage::

    python -m benchmarks.boundary_cues [--kind embeddings|lexical] [--no-talks]
"""

from __future__ import annotations

import argparse
import statistics
import sys

import numpy as np

from benchmarks.train_boundaries import KINDS, TOLERANCE_S, Talk, _kind, load, starts_figures
from video2blog.pipeline.text import segment


def auc(scores: np.ndarray, labels: np.ndarray) -> float:
    """Area under the ROC curve (Mann-Whitney, ties broken by order)."""
    order = np.argsort(scores, kind="stable")
    ranks = np.empty(len(scores))
    ranks[order] = np.arange(len(scores))
    positive = labels > 0
    count = int(positive.sum())
    if count in (0, len(labels)):
        return 0.5
    return float((ranks[positive].sum() - count * (count - 1) / 2) / (count * (len(labels) - count)))


def oracle(talk: Talk) -> tuple[float, float]:
    """F1 and Pk of the nearest sentence start to each true start, where within 3 s."""
    starts = [t[0] for t in talk.times]
    found = []
    for true in talk.truth[1:]:
        nearest = min(starts[1:], key=lambda s: abs(s - true))
        if abs(nearest - true) <= TOLERANCE_S:
            found.append(nearest)
    return starts_figures(talk, found)


def report(kind: str, talks: list[Talk]) -> None:
    """One block of figures for the talks of one kind."""
    features = np.concatenate([t.features for t in talks])
    labels = np.concatenate([t.labels for t in talks])
    best = [oracle(t) for t in talks]
    print(f"== {kind}: {len(talks)} talks, {len(labels)} gaps, {labels.mean():.1%} boundaries")
    aucs = "  ".join(f"{n} {auc(features[:, i], labels):.2f}" for i, n in enumerate(segment.FEATURES))
    print(f"   AUC {aucs}")
    f1, pk_ = statistics.fmean(f for f, _ in best), statistics.fmean(p for _, p in best)
    print(f"   oracle F1 {f1:.2f}  Pk {pk_:.2f}; gaps with no pause {_zero_pauses(talks):.0%}")


def _zero_pauses(talks: list[Talk]) -> float:
    gaps = [b[0] - a[1] for t in talks for a, b in zip(t.times, t.times[1:])]
    return float(np.mean(np.array(gaps) <= 0.01))


def main(argv: list[str] | None = None) -> int:
    """Print the figures per kind of talk."""
    parser = argparse.ArgumentParser(description="What each boundary cue says; the sentence-start oracle.")
    parser.add_argument("--kind", choices=("embeddings", "lexical"), default="embeddings")
    parser.add_argument("--no-talks", action="store_true", help="real talks only (no whisper needed)")
    args = parser.parse_args(argv)
    talks = load(args.kind, not args.no_talks, text=True)
    for kind in KINDS:
        chosen = [t for t in talks if _kind(t) == kind]
        if chosen:
            report(kind, chosen)
    return 0


if __name__ == "__main__":
    sys.exit(main())
