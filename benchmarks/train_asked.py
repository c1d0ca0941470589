"""Fit the spoken-question model of a talk not in English (``pipeline/text/asked.py``) and ship its weights.

The examples are the stretches the sentence stage weighs (:func:`candidates`): every sentence Punkt
finds in what Whisper base heard of the Spanish development talks (``benchmarks/talks-es/``, both
variants, spoken by espeak-ng, ``benchmarks/eval_spanish.py``), and every first piece of one up to a
pause after a comma or no mark. A stretch is a question where it starts and ends within
:data:`TOLERANCE_S` of a question the talk asked. A logistic regression with an L2 penalty is fitted;
its threshold is chosen by leave-one-talk-out cross-validation on the development talks (best F1), and
the held-out talks (``benchmarks/talks-es-heldout/``) are only scored, never fitted on.

Usage::

    python -m benchmarks.train_asked [--write]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from benchmarks import eval_spanish
from video2blog.pipeline.schema import Word
from video2blog.pipeline.text import asked, locales

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "pipeline" / "data" / "asked_model-es.json"
TOLERANCE_S = 1.0
PENALTY = 1.0
# Both variants: the monologues (no question spoken) teach that "No" or "Sí" after a sentence does not make
# it a question (trained on the asked talks alone, 11 of the 8 monologues' sentences became questions).
VARIANTS = ("asked", "monologue")
THRESHOLDS = np.round(np.arange(0.2, 0.85, 0.05), 2)


def candidates(words: tuple[Word, ...], typical: float) -> list[tuple[int, int]]:
    """Every Punkt sentence, and every first piece of one that ends at a pause (see ``locales``)."""
    spans = []
    for first, last in locales.punkt_spans(words, "es"):
        spans.append((first, last))
        for cut in range(first + locales.MIN_QUESTION_WORDS, last - locales.MIN_QUESTION_WORDS + 1):
            if locales.sentence_pause(words, cut, typical):
                spans.append((first, cut))
    return spans


def examples(talk_set: str) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """Per talk: its name, the features of every candidate stretch and whether it is a question."""
    out = []
    for truth_path in eval_spanish.spoken_talks(VARIANTS, talk_set):
        truth = json.loads(truth_path.read_text(encoding="utf-8"))
        transcript, _ = eval_spanish.transcript_of(truth_path.parent / truth["media"], "default")
        words = transcript.words
        typical = locales.typical_gap(words)
        heads = [s["sentences"][0] for s in truth["sections"] if s["heading"] and s.get("spoken")]
        rows, labels = [], []
        for span in candidates(words, typical):
            start, end = words[span[0]].start, words[span[1] - 1].end
            rows.append(asked.features(words, span, typical, "es"))
            labels.append(
                any(
                    abs(start - h["start"]) <= TOLERANCE_S and abs(end - h["end"]) <= TOLERANCE_S
                    for h in heads
                )
            )
        out.append((truth_path.name, np.array(rows), np.array(labels, dtype=float)))
    return out


def fit(x: np.ndarray, y: np.ndarray, penalty: float = PENALTY) -> tuple[np.ndarray, float]:
    """L2-penalised logistic regression by Newton's method (the bias is not penalised)."""
    design = np.hstack([x, np.ones((len(x), 1))])
    w = np.zeros(design.shape[1])
    ridge = np.eye(len(w)) * penalty
    ridge[-1, -1] = 0.0
    for _ in range(50):
        p = 1.0 / (1.0 + np.exp(-design @ w))
        grad = design.T @ (p - y) + ridge @ w
        hess = design.T @ (design * (p * (1 - p))[:, None]) + ridge + 1e-9 * np.eye(len(w))
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return w[:-1], float(w[-1])


def scores(x: np.ndarray, weights: np.ndarray, bias: float) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-(x @ weights + bias)))


def f1(p: np.ndarray, y: np.ndarray, threshold: float) -> tuple[float, float, float]:
    said = p >= threshold
    tp = float((said & (y == 1)).sum())
    precision = tp / said.sum() if said.sum() else 0.0
    recall = tp / (y == 1).sum() if (y == 1).sum() else 0.0
    return (2 * precision * recall / (precision + recall) if tp else 0.0), precision, recall


def cross_validate(dev: list[tuple[str, np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    """Out-of-fold probabilities of every development example (leave one talk out, both of its variants
    together), and their labels."""
    ps, ys = [], []
    for talk in sorted({name.rsplit("-", 1)[0] for name, _, _ in dev}):
        rest = [d for d in dev if not d[0].startswith(f"{talk}-")]
        weights, bias = fit(np.vstack([d[1] for d in rest]), np.concatenate([d[2] for d in rest]))
        for _, x, y in (d for d in dev if d[0].startswith(f"{talk}-")):
            ps.append(scores(x, weights, bias))
            ys.append(y)
    return np.concatenate(ps), np.concatenate(ys)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--write", action="store_true", help=f"write {OUT.relative_to(ROOT)}")
    args = parser.parse_args(argv)
    dev, held = examples("dev"), examples("heldout")
    p_cv, y_cv = cross_validate(dev)
    threshold = float(max(THRESHOLDS, key=lambda t: f1(p_cv, y_cv, t)[0]))
    print(f"development: {len(y_cv)} stretches, {int(y_cv.sum())} questions")
    print(
        f"leave-one-talk-out F1 / precision / recall at {threshold:.2f}: "
        + " / ".join(f"{v:.2f}" for v in f1(p_cv, y_cv, threshold))
    )
    baseline = np.concatenate([np.maximum(x[:, 0], x[:, 1]) for _, x, _ in dev])  # marked or interrogative
    print(
        "rule (marked or opens with an interrogative): "
        + " / ".join(f"{v:.2f}" for v in f1(baseline, y_cv, 0.5))
    )
    weights, bias = fit(np.vstack([d[1] for d in dev]), np.concatenate([d[2] for d in dev]))
    x_h, y_h = np.vstack([d[1] for d in held]), np.concatenate([d[2] for d in held])
    print(
        f"held out: {len(y_h)} stretches, {int(y_h.sum())} questions; F1 / precision / recall "
        + " / ".join(f"{v:.2f}" for v in f1(scores(x_h, weights, bias), y_h, threshold))
        + "; rule "
        + " / ".join(f"{v:.2f}" for v in f1(np.maximum(x_h[:, 0], x_h[:, 1]), y_h, 0.5))
    )
    named = {name: round(float(w), 4) for name, w in zip(asked.FEATURES, weights)}
    print("weights:", named, "bias", round(bias, 4))
    if args.write:
        data = {
            "weights": named,
            "bias": round(bias, 4),
            "threshold": threshold,
            "trained_on": "benchmarks/talks-es (espeak-ng, Whisper base with prompt-es.txt)",
            "rebuild": "python -m benchmarks.train_asked --write",
        }
        OUT.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"wrote {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
