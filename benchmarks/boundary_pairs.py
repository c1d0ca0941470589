"""Does a pair classifier over the two sides of a gap find section boundaries better? (Held-apart AUC.)

For every gap between two sentences, ``a`` and ``b`` are the unit means of the ``--window`` sentence
vectors before and after it (the talk's mean taken off, as the section stage takes it off:
:func:`video2blog.pipeline.text.segment.sentence_rows`); the pair's features are ``[|a - b|, a * b]``
(768 numbers). A logistic regression (L2, classes balanced) on them is trained on the talks
:func:`benchmarks.train_boundaries.load` gives (real YouTube talks, clinic pages and own talks as
monologues, each also stripped of punctuation), with K held-apart folds by page. Printed per kind of
talk: the held-apart AUC of the gap model's own features (:data:`~video2blog.pipeline.text.segment.FEATURES`,
the shipped design), of the pair classifier alone, and of the gap features with the pair classifier's
score added (its score for the training talks from inner folds, so the stack never sees a score made
on the talk it is fitted to).

Usage::

    python -m benchmarks.boundary_pairs [--window 2] [--l2 10 100] [--folds 4] [--speech]
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

import numpy as np

from benchmarks import train_boundaries as tb
from benchmarks.boundary_cues import auc
from benchmarks.eval_real import fold_of

INNER_FOLDS = 3
Scorer = Callable[[list[int], list[int]], list[np.ndarray]]


def _unit(v: np.ndarray) -> np.ndarray:
    norm = float(np.linalg.norm(v))
    return v / norm if norm > 0 else v


def pair_features(talk: tb.Talk, window: int) -> np.ndarray:
    """``[|a - b|, a * b]`` of every gap of the talk, one row each."""
    rows = talk.rows
    out = []
    for j in range(len(rows) - 1):
        a = _unit(rows[max(0, j + 1 - window) : j + 1].mean(axis=0))
        b = _unit(rows[j + 1 : j + 1 + window].mean(axis=0))
        out.append(np.concatenate([np.abs(a - b), a * b]))
    return np.array(out)


def _score(x: np.ndarray, beta: np.ndarray) -> np.ndarray:
    return np.hstack([x, np.ones((len(x), 1))]) @ beta


def _standard_fit(x: np.ndarray, y: np.ndarray, l2: float) -> Callable[[np.ndarray], np.ndarray]:
    centre, spread = x.mean(axis=0), x.std(axis=0)
    spread[spread == 0] = 1.0
    beta = tb.newton((x - centre) / spread, y, l2, steps=30)
    return lambda rows: _score((rows - centre) / spread, beta)


def held_apart(talks: Sequence[tb.Talk], folds: int, scorer: Scorer) -> list[np.ndarray]:
    """Each talk's gap scores from a model fit on the other folds."""
    fold = [fold_of(t.group, folds) for t in talks]
    scores: list[np.ndarray] = [np.zeros(0)] * len(talks)
    for k in range(folds):
        train = [i for i in range(len(talks)) if fold[i] != k]
        test = [i for i in range(len(talks)) if fold[i] == k]
        for i, s in zip(test, scorer(train, test)):
            scores[i] = s
    return scores


def print_aucs(name: str, talks: Sequence[tb.Talk], scores: list[np.ndarray]) -> None:
    """Held-apart AUC per kind of talk."""
    cells = []
    for kind in tb.KINDS:
        idx = [i for i, t in enumerate(talks) if t.kind == kind]
        if idx:
            value = auc(
                np.concatenate([scores[i] for i in idx]), np.concatenate([talks[i].labels for i in idx])
            )
            cells.append(f"{kind} {value:.3f}")
    print(f"{name:34} " + "  ".join(cells), flush=True)


def scorers(talks: Sequence[tb.Talk], pairs: list[np.ndarray], l2: float) -> dict[str, Scorer]:
    """The gap model's features, the pair classifier, and the two stacked."""
    labels = [t.labels for t in talks]

    def gaps(train: list[int], test: list[int]) -> list[np.ndarray]:
        fit = _standard_fit(
            np.concatenate([talks[i].features for i in train]),
            np.concatenate([labels[i] for i in train]),
            tb.L2,
        )
        return [fit(talks[i].features) for i in test]

    def pair_model(train: Sequence[int]) -> np.ndarray:
        return tb.newton(
            np.concatenate([pairs[i] for i in train]),
            np.concatenate([labels[i] for i in train]),
            l2,
            steps=30,
        )

    def pair(train: list[int], test: list[int]) -> list[np.ndarray]:
        beta = pair_model(train)
        return [_score(pairs[i], beta) for i in test]

    def stacked(train: list[int], test: list[int]) -> list[np.ndarray]:
        inner = {i: fold_of(talks[i].group + ":inner", INNER_FOLDS) for i in train}
        own: dict[int, np.ndarray] = {}
        for k in range(INNER_FOLDS):
            beta = pair_model([i for i in train if inner[i] != k])
            own.update({i: _score(pairs[i], beta) for i in train if inner[i] == k})
        beta = pair_model(train)
        x = np.concatenate([np.column_stack([talks[i].features, own[i]]) for i in train])
        fit = _standard_fit(x, np.concatenate([labels[i] for i in train]), tb.L2)
        return [fit(np.column_stack([talks[i].features, _score(pairs[i], beta)])) for i in test]

    return {
        "gap features (shipped design)": gaps,
        f"pair, L2 {l2:g}": pair,
        f"gap + pair, L2 {l2:g}": stacked,
    }


def main(argv: list[str] | None = None) -> int:
    """Print the held-apart AUCs."""
    parser = argparse.ArgumentParser(description="Held-apart AUC of a pair classifier over gap sides.")
    parser.add_argument("--window", type=int, default=2, help="sentences a side")
    parser.add_argument("--l2", type=float, nargs="+", default=[10.0, 100.0])
    parser.add_argument("--folds", type=int, default=4)
    parser.add_argument("--speech", action="store_true", help="clinic pages and talks as cached speech")
    args = parser.parse_args(argv)
    talks = tb.load("embeddings", True, text=not args.speech)
    pairs = [pair_features(t, args.window) for t in talks]
    print(f"{len(talks)} talks, window {args.window}, {args.folds} held-apart folds by page")
    done: set[str] = set()
    for l2 in args.l2:
        for name, scorer in scorers(talks, pairs, l2).items():
            if name not in done:
                print_aucs(name, talks, held_apart(talks, args.folds, scorer))
                done.add(name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
