"""Word classes in context: an averaged-perceptron part-of-speech tagger.

The weights come inside the ``denckring-en-pos`` package (trained on the Universal Dependencies English
Web Treebank, CC BY-SA 4.0; UPOS accuracy 0.93 on its held-out test split, as that package measured it):
a JSON table read once, no download. Inference follows the feature set that package trained with
(Honnibal's averaged perceptron, as in ``textblob-aptagger``); the package itself is not imported (its
``__init__`` loads a larger framework this project does not need).

Where the package is not installed every word reads as untagged (:data:`UNKNOWN`), and the rules that
ask the tagger decide as they did without it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from video2blog.pipeline.textutil import packaged_json

DISTRIBUTION = "denckring-en-pos"
WEIGHTS = "denckring_en_pos/data/tagger.json.gz"
UNKNOWN = "X"
_START, _END = "<s>", "</s>"
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")


@dataclass(frozen=True)
class _Model:
    weights: dict[str, dict[str, float]]
    tagdict: dict[str, str]
    classes: tuple[str, ...]


@lru_cache(maxsize=1)
def _model() -> _Model | None:
    raw = packaged_json(DISTRIBUTION, WEIGHTS)
    if not isinstance(raw, dict) or not {"weights", "tagdict", "classes"} <= raw.keys():
        return None  # not installed, or not the table this module reads
    return _Model(raw["weights"], raw["tagdict"], tuple(sorted(raw["classes"])))


def available() -> bool:
    """Whether the tagger's weights are installed."""
    return _model() is not None


def _features(index: int, word: str, context: Sequence[str], prev: str, prev2: str) -> list[str]:
    lower = context[index]
    shape = ("X" if word[:1].isupper() else "x") + ("d" if any(c.isdigit() for c in word) else "")
    return [
        "bias",
        f"suf3 {lower[-3:]}",
        f"suf2 {lower[-2:]}",
        f"suf1 {lower[-1:]}",
        f"pre1 {lower[:1]}",
        f"shape {shape}",
        f"w {lower}",
        f"t-1 {prev}",
        f"t-2 {prev2}",
        f"t-1t-2 {prev} {prev2}",
        f"w-1 {context[index - 1] if index else _START}",
        f"w-2 {context[index - 2] if index > 1 else _START}",
        f"w+1 {context[index + 1] if index + 1 < len(context) else _END}",
        f"w+2 {context[index + 2] if index + 2 < len(context) else _END}",
        f"t-1 w {prev} {lower}",
    ]


def _predict(model: _Model, features: list[str]) -> str:
    scores: dict[str, float] = {}
    for feature in features:
        for label, weight in model.weights.get(feature, {}).items():
            scores[label] = scores.get(label, 0.0) + weight
    return max(model.classes, key=lambda label: (scores.get(label, 0.0), label))


@lru_cache(maxsize=8192)
def tag_words(words: tuple[str, ...]) -> tuple[str, ...]:
    """One universal part-of-speech tag per word of one sentence ("NOUN", "VERB", "ADJ", ...), read in
    context ("the evening walks" against "she walks home"); :data:`UNKNOWN` for each without weights."""
    model = _model()
    if model is None:
        return (UNKNOWN,) * len(words)
    context = [w.lower() for w in words]
    tags: list[str] = []
    prev = prev2 = _START
    for index, word in enumerate(words):
        label = model.tagdict.get(context[index]) or _predict(
            model, _features(index, word, context, prev, prev2)
        )
        tags.append(label)
        prev2, prev = prev, label
    return tuple(label.partition("|")[0] for label in tags)


def tag_sentence(sentence: str) -> list[tuple[str, str]]:
    """The sentence's words (letters, inner apostrophes and hyphens; no numbers or punctuation, as the
    tagger was trained) with their tags."""
    words = tuple(_WORD.findall(sentence.replace("’", "'")))
    return list(zip(words, tag_words(words), strict=True))
