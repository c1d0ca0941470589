"""Learn the on-screen model (``pipeline/data/screen_model.json``) and check it on held-apart folds.

Two parts, both logistic regressions (Newton's method, L2, classes balanced, as
:mod:`benchmarks.train_boundaries`):

- **Which shown text is a heading.** Every text a screen talk showed (not persistent, long enough, shown
  as a sentence starts) is described by :data:`video2blog.pipeline.text.onscreen.SHOWN_FEATURES` and
  labelled a heading when it matches a true section heading (similarity >= 0.8).
- **What a hard cut says.** Every gap between two sentences has the shipped boundary model's log odds;
  with those as a fixed offset, the weight of "a hard cut falls in this pause" is fitted on the gaps of
  the talks with cuts (a gap is a boundary when it is the gap nearest a true start, within 3 s).

Training talks: the nine screen talks of :mod:`benchmarks.eval_screen` (readings and transcripts
cached). Each talk is scored by a model fitted on the other eight (leave one talk out): heading recall,
boundary F1 and Pk with the screen read, and on the cuts alone (the screen's text left out), beside the
same without the cut cue. The held-out talks (``--held-out``) are never used here. ``--write`` writes
the model fitted on all nine.

Usage::

    nice -n 10 python -m benchmarks.train_screen [--write]
    nice -n 10 python -m benchmarks.train_screen --held-out   # the held-out talks, shipped model, no training
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from collections.abc import Callable
from dataclasses import replace
from functools import cache

import numpy as np

from benchmarks.eval_screen import SAME, Talk, similar, talks
from benchmarks.eval_sections import boundary_f1, label, pk
from benchmarks.train_boundaries import ROOT, weights_and_bias
from tools import make_screen_talks
from video2blog.pipeline.engines import embed
from video2blog.pipeline.text import onscreen, segment
from video2blog.pipeline.text.sections import find_sections

MODEL_PATH = ROOT / "pipeline" / "data" / "screen_model.json"
TOLERANCE_S = 3.0
L2 = 1.0


def shown_rows(talk: Talk) -> tuple[np.ndarray, np.ndarray]:
    """Features and labels (a true heading or not) of the texts a talk showed as a sentence starts,
    shaped as a question or a title (those :func:`.onscreen.screen_question` weighs)."""
    headings = [s["heading"] for s in talk.meta["truth"]["sections"] if s["heading"]]
    rows, labels = [], []
    sentences = talk.transcript.sentences
    for item in talk.screen.texts:
        text = onscreen.heading_shaped(item)
        index = onscreen.nearest_start(sentences, item.start)
        if text is None or index is None:
            continue
        rows.append(onscreen.shown_features(item, sentences[index].start - item.start))
        labels.append(float(any(similar(text, h) >= SAME for h in headings)))
    return np.array(rows).reshape(-1, len(onscreen.SHOWN_FEATURES)), np.array(labels)


def fit_headings(chosen: list[Talk]) -> tuple[np.ndarray, float]:
    """Weights and bias over :data:`SHOWN_FEATURES` (fitted standardised, returned for raw features)."""
    pairs = [shown_rows(t) for t in chosen]
    x = np.concatenate([p[0] for p in pairs])
    y = np.concatenate([p[1] for p in pairs])
    centre, spread = x.mean(axis=0), x.std(axis=0)
    spread[spread == 0] = 1.0
    weights, bias = weights_and_bias((x - centre) / spread, y)
    return weights / spread, bias - float((weights / spread) @ centre)


@cache
def _encoder() -> Callable[[list[str]], np.ndarray] | None:
    """Sentence embeddings, cached beside the screen talks' transcripts."""
    return embed.encoder(make_screen_talks.OUT / "transcripts")


_GAPS: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}


def gap_rows(talk: Talk) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each gap's boundary log odds (the shipped boundary model), whether a cut falls in its pause, and
    its label."""
    if talk.name in _GAPS:
        return _GAPS[talk.name]
    sentences = talk.transcript.sentences
    texts = [s.text for s in sentences]
    times = [(s.start, s.end) for s in sentences]
    encode = _encoder()
    vectors = (
        encode(texts) if encode is not None and len(texts) >= 2 * segment.min_length(len(texts)) else None
    )
    offset = segment.gap_log_odds(texts, vectors, times)
    cut = np.array(
        [float(onscreen.has_cut(a, b, talk.screen.cuts)) for a, b in zip(sentences, sentences[1:])]
    )
    labels = np.zeros(len(texts) - 1)
    for section in talk.meta["truth"]["sections"][1:]:
        gap = min(range(1, len(texts)), key=lambda g: abs(times[g][0] - section["start"]))
        if abs(times[gap][0] - section["start"]) <= TOLERANCE_S:
            labels[gap - 1] = 1.0
    _GAPS[talk.name] = (offset, cut, labels)
    return offset, cut, labels


def fit_cut(chosen: list[Talk]) -> float:
    """The weight of a cut in a pause, the boundary model's log odds held fixed (1-D Newton, L2)."""
    triples = [gap_rows(t) for t in chosen if t.screen.cuts]
    if not triples:
        return 0.0
    offset, cut, y = (np.concatenate([t[k] for t in triples]) for k in range(3))
    positive = max(1.0, y.sum())
    balance = np.where(y > 0, len(y) / (2 * positive), len(y) / (2 * max(1.0, len(y) - positive)))
    weight = 0.0
    for _ in range(50):
        p = 1 / (1 + np.exp(-(offset + weight * cut)))
        step = (float(cut @ (balance * (p - y))) + L2 * weight) / (
            float(cut**2 @ (balance * p * (1 - p))) + L2
        )
        weight -= step
        if abs(step) < 1e-6:
            break
    return weight


def train(chosen: list[Talk]) -> onscreen.ScreenModel:
    weights, bias = fit_headings(chosen)
    return onscreen.ScreenModel(tuple(float(w) for w in weights), bias, fit_cut(chosen))


def scores(talk: Talk, model: onscreen.ScreenModel, text: bool = True) -> dict[str, float]:
    """Heading recall, boundary F1 and Pk of the talk's sections under ``model``; ``text``: with the
    screen's text (else the cuts alone)."""
    transcript = talk.transcript
    encode = _encoder()
    screen = talk.screen.texts if text else ()
    spans = find_sections(transcript, encode=encode, screen=screen, cuts=talk.screen.cuts, screen_model=model)
    sections = talk.meta["truth"]["sections"]
    truth = [s["start"] for s in sections]
    found = [transcript.sentences[span.sentences[0]].start for span in spans]
    mids = [(w.start + w.end) / 2 for w in transcript.words]
    shown = [s["heading"] for s in sections if s["heading"]]
    headings = [span.heading or "" for span in spans]
    return {
        "recall": sum(any(similar(h, g) >= SAME for g in headings) for h in shown) / max(1, len(shown)),
        "f1": boundary_f1(truth[1:], found[1:]),
        "pk": pk(label(mids, truth), label(mids, found)),
    }


def cross_validate(chosen: list[Talk]) -> None:
    """Each talk scored by the model fitted on the others, with and without the cut cue."""
    print(
        f"{'talk':18} {'cuts':>4} | screen+cuts: recall F1 Pk | screen alone | cuts alone | neither | weight"
    )
    table: dict[str, list[dict[str, float]]] = {"both": [], "screen": [], "cuts": [], "neither": []}
    for talk in chosen:
        model = train([t for t in chosen if t is not talk])
        row = _four_ways(talk, model)
        for key, value in row.items():
            table[key].append(value)
        cells = " | ".join(_cell(row[k]) for k in table)
        print(f"{talk.name:18} {len(talk.screen.cuts):4d} | {cells} | {model.cut_weight:5.2f}", flush=True)
    for key, rows in table.items():
        means = {m: statistics.mean(r[m] for r in rows) for m in ("recall", "f1", "pk")}
        print(f"mean {key:8}: {_cell(means)}")


def _four_ways(talk: Talk, model: onscreen.ScreenModel) -> dict[str, dict[str, float]]:
    """A talk's scores with the screen text and the cuts, each alone, and neither."""
    plain = replace(model, cut_weight=0.0)
    return {
        "both": scores(talk, model),
        "screen": scores(talk, plain),
        "cuts": scores(talk, model, text=False),
        "neither": scores(talk, plain, text=False),
    }


def report_held_out(chosen: list[Talk]) -> None:
    """The held-out talks under the shipped model, with and without its cut cue, and on the cuts alone."""
    model = onscreen.screen_model()
    print(f"{'talk':18} {'cuts':>4} | screen+cuts: recall F1 Pk | screen alone | cuts alone | neither")
    table: dict[str, list[dict[str, float]]] = {"both": [], "screen": [], "cuts": [], "neither": []}
    for talk in chosen:
        row = _four_ways(talk, model)
        for key, value in row.items():
            table[key].append(value)
        print(f"{talk.name:18} {len(talk.screen.cuts):4d} | " + " | ".join(_cell(row[k]) for k in table))
    for key, rows in table.items():
        print(
            f"mean {key:8}: {_cell({m: statistics.mean(r[m] for r in rows) for m in ('recall', 'f1', 'pk')})}"
        )


def _cell(row: dict[str, float]) -> str:
    return f"{row['recall']:4.2f} {row['f1']:4.2f} {row['pk']:4.2f}"


def to_json(model: onscreen.ScreenModel) -> dict[str, object]:
    weights = {name: round(w, 4) for name, w in zip(onscreen.SHOWN_FEATURES, model.weights)}
    return {
        "heading": {"weights": weights, "bias": round(model.bias, 4)},
        "cut": {"weight": round(model.cut_weight, 4)},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--write", action="store_true", help=f"write the model fitted on all nine to {MODEL_PATH}"
    )
    parser.add_argument(
        "--held-out",
        action="store_true",
        help="score the held-out talks with the shipped model (no training)",
    )
    args = parser.parse_args(argv)
    if args.held_out:
        report_held_out(talks(held_out=True))
        return 0
    chosen = talks()
    cross_validate(chosen)
    model = train(chosen)
    print(json.dumps(to_json(model)))
    if args.write:
        MODEL_PATH.write_text(json.dumps(to_json(model), indent=2) + "\n", encoding="utf-8")
        print(f"wrote {MODEL_PATH}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
