"""Fit the model that names a talk not in English by its word (``pipeline/data/central_word_model.json``).

**Examples:** what Whisper base heard of the Spanish talks (``benchmarks/eval_spanish.py``: both variants,
espeak-ng), drafted as ``video2blog`` drafts them. Each content word of a talk
(:func:`~video2blog.pipeline.text.locales.content_words` of its prose) is one example with the named
:data:`~video2blog.pipeline.text.central.FEATURES`; it is the talk's word where its stem (Spanish
Snowball) is one of the stems of the talk's written title before its colon ("Preguntas sobre la vacuna
de la gripe" -> vacuna, gripe, preguntas).

**Model:** logistic regression on standardised features, classes weighted to balance, L2 1.0. The
feature set is chosen by leave-one-talk-out folds on the development talks (``benchmarks/talks-es``):
the share of talks whose chosen word is a title word, then the fewest features. The held-out talks
(``-heldout``, ``-heldout2``, ``-heldout3``) are only scored, beside the most used word (the rule before).

Usage::

    python -m benchmarks.train_central_word [--write]
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from nltk.stem.snowball import SnowballStemmer

from benchmarks import eval_spanish
from benchmarks.train_boundaries import newton
from video2blog.pipeline.engines import embed
from video2blog.pipeline.run import DraftOptions, make_draft
from video2blog.pipeline.text import central, locales
from video2blog.pipeline.textutil import tokens

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "pipeline" / "data" / central.MODEL_FILE
PENALTY = 1.0
HELD_OUT = ("heldout", "heldout2", "heldout3")


@dataclass(frozen=True)
class TalkWords:
    """One drafted talk: its name, its content words, their features, which are title words, and the
    word the rule before took (the most used)."""

    talk: str
    words: list[str]
    rows: np.ndarray
    labels: np.ndarray
    most_used: str


def talk_words(talk_set: str) -> list[TalkWords]:
    """Every talk of a set, both variants, as :class:`TalkWords`."""
    stem = SnowballStemmer("spanish").stem
    encode = embed.multilingual_encoder("es", eval_spanish.CACHE_DIR)
    out = []
    for truth_path in eval_spanish.spoken_talks(("asked", "monologue"), talk_set):
        truth = json.loads(truth_path.read_text(encoding="utf-8"))
        heard, source = eval_spanish.transcript_of(truth_path.parent / truth["media"], "default")
        transcript = eval_spanish.sentences_of(heard)
        draft = make_draft(transcript, source, DraftOptions(date="2000-01-01"))
        prose = " ".join(p.text for s in draft.sections for p in s.paragraphs)
        text = " ".join([prose, *(s.heading for s in draft.sections)])
        assert encode is not None, "the multilingual encoder (the base extra) is needed"
        words, rows = central.candidates(transcript, locales.content_words(text, "es"), encode)
        titled = {stem(w) for w in tokens(truth["title"].split(":")[0])}
        labels = np.array([stem(w) in titled for w in words], dtype=float)
        most_used = locales.keywords(text, "es", limit=1)
        out.append(TalkWords(truth_path.name, words, rows, labels, most_used[0] if most_used else ""))
    return out


def fit(talks: list[TalkWords], columns: list[int]) -> central.CentralModel:
    """A balanced logistic regression on the standardised features ``columns``
    (:func:`benchmarks.train_boundaries.newton`, L2 :data:`PENALTY`), for Spanish."""
    x = np.vstack([t.rows[:, columns] for t in talks])
    y = np.concatenate([t.labels for t in talks])
    mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-9
    beta = newton((x - mean) / scale, y, PENALTY)
    names = tuple(central.FEATURES[c] for c in columns)
    return central.CentralModel(names, beta[:-1], float(beta[-1]), mean, scale, frozenset({"es"}))


def chosen_right(talk: TalkWords, fitted: central.CentralModel) -> bool:
    return bool(len(talk.words)) and bool(talk.labels[int(np.argmax(central.scores(fitted, talk.rows)))])


def name_of(talk: TalkWords) -> str:
    return talk.talk.rsplit("-", 1)[0]


def held_apart(dev: list[TalkWords], columns: list[int]) -> float:
    """Share of the development talks whose word is a title word, each by a model fitted without it."""
    right = []
    for name in sorted({name_of(t) for t in dev}):
        fitted = fit([t for t in dev if name_of(t) != name], columns)
        right += [chosen_right(t, fitted) for t in dev if name_of(t) == name]
    return float(np.mean(right))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--write", action="store_true", help=f"write {OUT.relative_to(ROOT)}")
    args = parser.parse_args(argv)
    dev = talk_words("dev")
    held = {name: talk_words(name) for name in HELD_OUT}
    rule = [
        np.mean([t.most_used in t.words and t.labels[t.words.index(t.most_used)] for t in ts])
        for ts in (dev, *held.values())
    ]
    print(
        f"the most used word (before): dev {rule[0]:.2f}  "
        + "  ".join(f"{n} {v:.2f}" for n, v in zip(HELD_OUT, rule[1:]))
    )
    best: tuple[tuple[float, int], list[int]] | None = None
    for size in range(1, len(central.FEATURES) + 1):
        for columns in itertools.combinations(range(len(central.FEATURES)), size):
            share = held_apart(dev, list(columns))
            rank = (round(share, 4), -size)
            if best is None or rank > best[0]:
                best = (rank, list(columns))
    assert best is not None
    columns = best[1]
    names = [central.FEATURES[c] for c in columns]
    fitted = fit(dev, columns)
    scored = {n: float(np.mean([chosen_right(t, fitted) for t in ts])) for n, ts in held.items()}
    print(
        f"chosen features {names}: dev (leave one talk out) {best[0][0]:.2f}  "
        + "  ".join(f"{n} {v:.2f}" for n, v in scored.items())
    )
    weights, bias, mean, scale = fitted.weights, fitted.bias, fitted.mean, fitted.scale
    print("weights", dict(zip(names, np.round(weights, 4))), "bias", round(bias, 4))
    if args.write:
        data = {
            "about": "logistic regression over standardised named features of a content word: "
            "is the talk about it",
            "rebuild": "python -m benchmarks.train_central_word --write",
            "trained_on": "benchmarks/talks-es (espeak-ng, Whisper base), title words as labels",
            "languages": ["es"],
            "features": names,
            "weights": {n: round(float(v), 6) for n, v in zip(names, weights)},
            "bias": round(bias, 6),
            "mean": {n: round(float(v), 6) for n, v in zip(names, mean)},
            "scale": {n: round(float(v), 6) for n, v in zip(names, scale)},
        }
        OUT.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
