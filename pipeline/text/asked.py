"""Whether a stretch of a talk not in English is a question the speaker asked: a small learned model.

Whisper base writes few of the Spanish questions a clinic reads out as questions: it leaves out the
"¿...?" ("Es normal sentir dolor durante los ejercicios."), runs them into their answer with a comma
("Cuando debo empezar la rehabilitación, normalmente...") and drops accents ("Como sé si..."). What
still tells a question is in the words around it: an interrogative first (accents folded), an answer
word next ("Sí,", "No,", "Depende"), a comma where the answer was run on, the marks where Whisper wrote
them. A logistic regression over those named features (:data:`FEATURES`) gives the probability;
``python -m benchmarks.train_asked --write`` fits it on the development talks and writes
``asked_model-<code>.json``, which the sentence stage uses where it ships (:mod:`.locales`). None ships
for Spanish yet: on talks kept apart it found questions less well than the interrogative rule, and it
made statements of the monologues into questions ("¿Significa que el sistema inmune está trabajando?"
before "No hace falta..."); ``benchmarks/RESULTS.md``, issue 26. The lists it reads are
``question-words-<code>.txt`` and ``answer-words-<code>.txt``.
"""

from __future__ import annotations

import json
import math
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

from video2blog.pipeline.schema import Word
from video2blog.pipeline.textutil import bare, word_list

FEATURES = (
    "marked",  # the recogniser wrote it as a question ("¿" or "?")
    "interrogative",  # opens with an interrogative, accents folded ("Cuando debo...", "Que hago...")
    "answer_next",  # the next word opens an answer ("Sí,", "No,", "Depende")
    "comma_end",  # ends in a comma: an answer was run on
)
# Measured and left out (leave-one-talk-out F1 on the asked development talks 0.72 with them, 0.79 without):
# "short" (1 / words), "pause_after" (log pause over the typical gap), "full_stop".


@dataclass(frozen=True)
class AskedModel:
    """P(question) = sigmoid(weights . features + bias); a question at ``threshold`` or above."""

    weights: tuple[float, ...]
    bias: float
    threshold: float


@cache
def model(language: str) -> AskedModel | None:
    """The shipped model of ``language``, or None where none ships."""
    name = f"asked_model-{language}.json"
    if not _shipped(name):
        return None
    path = resources.files("video2blog.pipeline.data").joinpath(name)
    data = json.loads(path.read_text(encoding="utf-8"))
    weights = tuple(float(data["weights"][name]) for name in FEATURES)
    return AskedModel(weights, float(data["bias"]), float(data["threshold"]))


def fold(text: str) -> str:
    """``text`` lower-cased without accents ("Cuándo" -> "cuando"), as the recogniser may write it."""
    decomposed = unicodedata.normalize("NFD", bare(text))
    return "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")


@cache
def folded_list(name: str) -> frozenset[str]:
    if not _shipped(name):
        return frozenset()
    return frozenset(" ".join(fold(w) for w in entry.split()) for entry in word_list(name))


def _shipped(name: str) -> bool:
    return resources.files("video2blog.pipeline.data").joinpath(name).is_file()


def features(words: Sequence[Word], span: tuple[int, int], typical: float, language: str) -> list[float]:
    """The :data:`FEATURES` of ``words[first:last]``; ``typical``: the talk's typical gap between words."""
    first, last = span
    texts = [w.text for w in words[first:last]]
    folded = [fold(t) for t in texts[:2]]
    interrogatives = folded_list(f"question-words-{language}.txt")
    opens = folded[0] in interrogatives or " ".join(folded) in interrogatives
    return [
        float(texts[0].startswith("¿") or texts[-1].endswith("?")),
        float(opens),
        float(last < len(words) and _answers(words[last].text, language)),
        float(texts[-1].endswith(",")),
    ]


def _answers(text: str, language: str) -> bool:
    """Whether a word opens an answer: one of ``answer-words-<code>.txt``, or "si" set apart by a comma
    (the recogniser's "Si," for "Sí,")."""
    name = f"answer-words-{language}.txt"
    listed = _shipped(name) and bare(text) in word_list(name)
    return listed or (fold(text) == "si" and text.endswith(","))


def probability(words: Sequence[Word], span: tuple[int, int], typical: float, language: str) -> float | None:
    """P(``words[first:last]`` is a question the speaker asked), or None without a model for the language."""
    fitted = model(language)
    if fitted is None or span[1] <= span[0]:
        return None
    x = features(words, span, typical, language)
    z = fitted.bias + sum(w * v for w, v in zip(fitted.weights, x))
    return 1.0 / (1.0 + math.exp(-z))


def asks(words: Sequence[Word], span: tuple[int, int], typical: float, language: str) -> bool | None:
    """Whether the model takes the stretch for a question; None without a model for the language."""
    p = probability(words, span, typical, language)
    fitted = model(language)
    return None if p is None or fitted is None else p >= fitted.threshold
