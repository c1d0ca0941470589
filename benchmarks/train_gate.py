"""Train the question gate (``pipeline/data/question_gate.json``): is a talk one a clinic heads with its
patients' questions (a clinic's Q&A), or one whose sections take topic headings (a how-to video)?

Examples: the real clinic FAQ pages (``../shared/realdata/clinic-faq-dev``, read at run time) and the
project's own talks ask; the real YouTube talks (``../shared/realdata/vidchapters-dev``) do not. Each
talk's true sections (answers, chapters) are turned into the named features of
:func:`video2blog.pipeline.text.questions.talk_features` with the shipped question-form model's
prototypes, exactly as the compose stage turns a draft's sections into them. A logistic regression
(the two classes weighed alike, L2 ``STRENGTH``) is cross-validated leaving one group out (a clinic
specialty, a talk, a YouTube video), and refit on every talk for shipping.

Usage::

    python -m benchmarks.train_gate [--dry-run]

``python -m benchmarks.train_questions`` runs it too, so one command rebuilds both question weights.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from benchmarks.eval_real import REAL_DIR, real_items
from benchmarks.qa_pages import clinic_pages, talk_pages
from video2blog.pipeline.text.questions import (
    GATE_FEATURES,
    GATE_FILE,
    QuestionGate,
    asks_probability,
    form_rows,
    shipped_model,
    talk_features,
)
from video2blog.pipeline.text.sentences import split_sentences

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "pipeline" / "data" / GATE_FILE
STRENGTH = 0.01
STEPS = 2000
THRESHOLD = 0.5


@dataclass(frozen=True)
class Example:
    """One talk: its gate features, whether it asks, its name and held-apart group."""

    features: np.ndarray
    asks: bool
    name: str
    group: str


def examples() -> list[Example]:
    """Every talk of the three kinds as a gate example."""
    found = []
    for page in [*clinic_pages(), *talk_pages()]:
        found.append(_example([p.sentences for p in page.pairs], True, page.name, page.group))
    for item in real_items(REAL_DIR):
        sentences = split_sentences(item.words).sentences
        bounds = [*item.starts[1:], float("inf")]
        chapters = [[s.text for s in sentences if a <= s.start < b] for a, b in zip(item.starts, bounds)]
        found.append(_example([c for c in chapters if c], False, item.item, item.item))
    return found


def _example(sections: Sequence[Sequence[str]], asks: bool, name: str, group: str) -> Example:
    from benchmarks.train_questions import embed

    model = shipped_model()
    if model is None:
        raise SystemExit("train_gate: no question-form model; run python -m benchmarks.train_questions")
    features = talk_features(form_rows(sections, embed, model), len(model.forms))
    return Example(features, asks, name, group)


def fit(data: Sequence[Example]) -> QuestionGate:
    """Balanced, L2-penalised logistic regression on standardised features (full-batch gradient)."""
    x = np.vstack([e.features for e in data])
    y = np.array([e.asks for e in data], dtype=np.float64)
    mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-9
    z = (x - mean) / scale
    weigh = np.where(y == 1, 0.5 / max(y.mean(), 1e-9), 0.5 / max(1 - y.mean(), 1e-9))
    w, b = np.zeros(z.shape[1]), 0.0
    for _ in range(STEPS):
        p = 1.0 / (1.0 + np.exp(-(z @ w + b)))
        r = weigh * (p - y)
        w -= 0.5 * (z.T @ r / len(y) + STRENGTH * w)
        b -= 0.5 * float(r.mean())
    return QuestionGate(w, b, mean, scale, THRESHOLD)


def held_apart(data: Sequence[Example]) -> np.ndarray:
    """Each talk's probability from a gate fit without its group."""
    out = np.zeros(len(data))
    for group in sorted({e.group for e in data}):
        gate = fit([e for e in data if e.group != group])
        for i, e in enumerate(data):
            if e.group == group:
                out[i] = asks_probability(gate, e.features)
    return out


def auc(scores: np.ndarray, labels: np.ndarray) -> float:
    """Area under the ROC curve (ties count half)."""
    pos, neg = scores[labels], scores[~labels]
    if not len(pos) or not len(neg):
        return float("nan")
    return float(((pos[:, None] > neg[None, :]) + 0.5 * (pos[:, None] == neg[None, :])).mean())


def report(data: Sequence[Example], probs: np.ndarray) -> None:
    """Held-apart AUC and, per kind, the share of talks the gate lets ask."""
    labels = np.array([e.asks for e in data])
    print(
        f"{len(data)} talks, {len({e.group for e in data})} groups; held-apart AUC {auc(probs, labels):.3f}"
    )
    kinds = {
        "clinic": lambda e: e.asks and not e.group.startswith("talk:"),
        "talks": lambda e: e.group.startswith("talk:"),
    }
    kinds["youtube"] = lambda e: not e.asks
    for kind, picks in kinds.items():
        rows = [i for i, e in enumerate(data) if picks(e)]
        asked = [data[i].name for i in rows if probs[i] >= THRESHOLD]
        wrong = [data[i].name for i in rows if (probs[i] >= THRESHOLD) != data[i].asks]
        print(f"  {kind:8} {len(asked)}/{len(rows)} headed by questions; wrong: {', '.join(wrong) or '-'}")


def as_dict(gate: QuestionGate, area: float) -> dict[str, object]:
    """The gate's JSON form."""
    return {
        "about": f"logistic regression, balanced, L2 {STRENGTH}; held-apart AUC {area:.3f} (one group out). "
        "Rebuild: python -m benchmarks.train_gate",
        "features": list(GATE_FEATURES),
        "weights": [round(float(v), 6) for v in gate.weights],
        "bias": round(float(gate.bias), 6),
        "mean": [round(float(v), 6) for v in gate.mean],
        "scale": [round(float(v), 6) for v in gate.scale],
        "threshold": gate.threshold,
    }


def main(argv: list[str] | None = None) -> int:
    """Cross-validate the gate, print its figures, and ship it."""
    parser = argparse.ArgumentParser(description="Train the question gate (clinic Q&A or not).")
    parser.add_argument("--dry-run", action="store_true", help="print the figures, write nothing")
    args = parser.parse_args(argv)
    data = examples()
    if not any(e.asks for e in data) or all(e.asks for e in data):
        print("train_gate: needs clinic pages and YouTube talks under ../shared/realdata", file=sys.stderr)
        return 1
    probs = held_apart(data)
    report(data, probs)
    gate = fit(data)
    print("weights: " + ", ".join(f"{n} {w:+.2f}" for n, w in zip(GATE_FEATURES, gate.weights)))
    if not args.dry_run:
        labels = np.array([e.asks for e in data])
        OUT.write_text(json.dumps(as_dict(gate, auc(probs, labels)), indent=1) + "\n", encoding="utf-8")
        print(f"wrote {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
