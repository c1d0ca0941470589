"""The word a talk not in English is about, for its title and first keyword: a small learned model.

The English stages find a talk's subject with English phrase rules and an English lexicon. For another
language the draft took the talk's most used content word, and that was often a verb, an adverb or a
word the recogniser misheard ("Dura", "Muchas", "Oivo": the title "Oivo: lo que debe saber"). A word
the talk is about is one whose meaning is close to the whole talk's and that the recogniser heard
surely (the features the folds chose; where it first comes, how often and how widely it is said were
measured and left out). :func:`central_word` weighs a content word's named :data:`FEATURES` with a
logistic regression (``central_word_model.json``, shipped for the ``languages`` it was chosen on;
``python -m benchmarks.train_central_word --write`` fits it on the Spanish development talks, chooses its
features by leave-one-talk-out folds and scores the held-out talks). It needs the multilingual sentence
encoder (the ``base`` extra); without it the most used word stays.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

import numpy as np

from video2blog.pipeline.schema import Transcript
from video2blog.pipeline.textutil import shipped_json, tokens

if TYPE_CHECKING:
    from video2blog.pipeline.text.questions import Encode

MODEL_FILE = "central_word_model.json"
FEATURES = (
    "confidence",  # the recogniser's mean probability over the word's occurrences (a misheard word is unsure)
    "first",  # where the talk first says it (share of its sentences before it)
    "centrality",  # cosine between the word's vector and the mean of the talk's sentence vectors
    "count",  # log(1 + times said)
    "spread",  # share of the talk's sentences that say it
)


@dataclass(frozen=True)
class CentralModel:
    """P(the talk is about a word) ~ weights . (features - mean) / scale + bias, over ``features``."""

    features: tuple[str, ...]
    weights: np.ndarray
    bias: float
    mean: np.ndarray
    scale: np.ndarray
    languages: frozenset[str]


@cache
def model() -> CentralModel | None:
    """The shipped model, or None where it does not ship."""
    data = shipped_json(MODEL_FILE)
    if data is None:
        return None
    names = tuple(data["features"])
    return CentralModel(
        names,
        np.array([data["weights"][n] for n in names]),
        float(data["bias"]),
        np.array([data["mean"][n] for n in names]),
        np.array([data["scale"][n] for n in names]),
        frozenset(data["languages"]),
    )


def candidates(transcript: Transcript, words: list[str], encode: Encode) -> tuple[list[str], np.ndarray]:
    """The content ``words`` the talk says (in order of first use) and one row of :data:`FEATURES` each."""
    sentences = [s.text for s in transcript.sentences]
    heard: dict[str, list[tuple[int, float]]] = defaultdict(list)
    for number, sentence in enumerate(transcript.sentences):
        for word in transcript.words[sentence.words[0] : sentence.words[1]]:
            for token in tokens(word.text):
                heard[token].append((number, word.probability))
    said = [w for w in dict.fromkeys(words) if heard.get(w)]
    if not said or not sentences:
        return [], np.zeros((0, len(FEATURES)))
    talk = np.asarray(encode(sentences), dtype=np.float64).mean(axis=0)
    talk /= max(float(np.linalg.norm(talk)), 1e-12)
    closeness = np.asarray(encode(said), dtype=np.float64) @ talk
    rows = []
    for name, close in zip(said, closeness):
        times = heard[name]
        numbers = {n for n, _ in times}
        rows.append(
            [
                float(np.mean([p for _, p in times])),
                min(numbers) / len(sentences),
                float(close),
                float(np.log1p(len(times))),
                len(numbers) / len(sentences),
            ]
        )
    return said, np.array(rows)


def central_word(transcript: Transcript, words: list[str], encode: Encode | None) -> str | None:
    """The one of the talk's content ``words`` the model takes it to be about; None without the model (or
    one for the talk's language), the encoder, or words."""
    fitted = model()
    if fitted is None or encode is None or transcript.language not in fitted.languages:
        return None
    said, rows = candidates(transcript, words, encode)
    if not said:
        return None
    return said[int(np.argmax(scores(fitted, rows)))]  # the first said wins a tie


def scores(fitted: CentralModel, rows: np.ndarray) -> np.ndarray:
    """The model's log odds for each row of :func:`candidates`' :data:`FEATURES`."""
    columns = [FEATURES.index(name) for name in fitted.features]
    return np.asarray((rows[:, columns] - fitted.mean) / fitted.scale @ fitted.weights + fitted.bias)
