"""Whether a stretch of a talk not in English is a question the speaker asked: a small learned model.

Whisper base writes few of the Spanish questions a clinic reads out as questions. Where it ran one into
its answer or dropped its marks but the sentence opens with an interrogative, the sentence stage's rules
find it (:mod:`.locales`). What they cannot find is a yes/no question written as a statement ("Es normal
sentir dolor durante los ejercicios."): its words are a statement's; only the voice tells it, staying up
at its end where a statement's falls. So a whole sentence the recogniser closed with a full stop and
that opens with no interrogative (:func:`~.locales.left_to_the_voice`) is weighed by a logistic
regression over named features (:data:`FEATURES`): where its voice ends against its own median pitch
(each word's pitch comes from the audio, ``pipeline/ingest/prosody.py``), an answer word after it ("Sí,",
"No,", "Depende"), and an interrogative whose accent was dropped (the Spanish model ships with the voice
alone: the others drew level with it in the folds). ``python -m benchmarks.train_asked --write`` fits it
on the development talks, chooses its features and threshold by leave-one-talk-out folds and writes
``asked_model-<code>.json``, used where it ships and the voice was heard at the sentence's end
(:func:`voice`); without its pitch (a transcript made without the audio) such a sentence stays a statement.

Without the voice, a model of this kind did worse than the rules on talks kept apart and turned the
monologues' statements into questions; one with the voice that also decided the pieces cut at a comma
did worse than the rules in the development folds (before a comma the voice stays up anyway). Figures:
``benchmarks/RESULTS.md``, issue 26, round 5. The lists it reads are ``question-words-<code>.txt`` and
``answer-words-<code>.txt``.

A question the recogniser ran into its answer after a comma ("Puedo tomar café si soy hipertenso, una o
dos tazas al día...") opens with no interrogative either, and before a comma the voice stays up anyway.
Its words tell it: "can I", "do I need", what a patient asks. :func:`reads_as_question` weighs the
opening piece's sentence vector (the multilingual encoder the ``base`` extra brings) with a logistic
regression trained on real clinics' questions against the opening clauses of their answers, in
English, on the project's English talks and on the Spanish development talks' scripts
(``question_text_model.json``; rebuilt by ``python -m benchmarks.train_question_text --write``, which
chooses its threshold on the Spanish development talks' transcripts, each scored by a model fitted
without its script). It is asked only in the languages its threshold was chosen for (``languages``).
"""

from __future__ import annotations

import logging
import math
import statistics
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

import numpy as np

from video2blog.pipeline.schema import Word
from video2blog.pipeline.textutil import bare, has_data, join_words, shipped_json, word_list

if TYPE_CHECKING:
    from video2blog.pipeline.text.questions import Encode

log = logging.getLogger(__name__)

FEATURES = (
    "interrogative",  # opens with an interrogative, accents folded ("Cuando debo...", "Que hago...")
    "answer_next",  # the next word opens an answer ("Sí,", "No,", "Depende")
    "voice_level",  # octaves from the sentence's median pitch to where its voice ends (a statement falls)
)
# Measured and left out (leave-one-talk-out F1 on the asked development talks 0.72 with them, 0.79 without):
# "short" (1 / words), "pause_after" (log pause over the typical gap), "full_stop"; with the voice, the last
# word's own rise (0.84 with it, 0.86 without).


@dataclass(frozen=True)
class AskedModel:
    """P(question) = sigmoid(weights . features + bias); a question at ``threshold`` or above."""

    weights: tuple[float, ...]
    bias: float
    threshold: float


TEXT_MODEL = "question_text_model.json"


@dataclass(frozen=True)
class TextModel:
    """P(a piece reads as a question) = sigmoid(weights . vector + bias); a question at ``threshold``, in
    the ``languages`` its threshold was chosen for, or at ``answered_floor`` where an answer word set apart
    by a comma follows it (:func:`reads_run_on`)."""

    weights: np.ndarray
    bias: float
    threshold: float
    languages: frozenset[str]
    answered_floor: float | None = None


@cache
def model(language: str) -> AskedModel | None:
    """The shipped model of ``language``, or None where none ships."""
    data = shipped_json(f"asked_model-{language}.json")
    if data is None:
        return None
    weights = tuple(float(data["weights"][name]) for name in FEATURES)
    return AskedModel(weights, float(data["bias"]), float(data["threshold"]))


def fold(text: str) -> str:
    """``text`` lower-cased without accents ("Cuándo" -> "cuando"), as the recogniser may write it."""
    decomposed = unicodedata.normalize("NFD", bare(text))
    return "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")


@cache
def folded_list(name: str) -> frozenset[str]:
    if not has_data(name):
        return frozenset()
    return frozenset(" ".join(fold(w) for w in entry.split()) for entry in word_list(name))


def features(words: Sequence[Word], span: tuple[int, int], language: str) -> list[float] | None:
    """The :data:`FEATURES` of ``words[first:last]``; None where its voice was not heard at its end
    (:func:`voice`): the model weighs the voice, and without it the sentence stage's rule decides."""
    first, last = span
    level = voice(words[first:last]) if last > first else None
    if level is None:
        return None
    texts = [w.text for w in words[first:last]]
    folded = [fold(t) for t in texts[:2]]
    interrogatives = folded_list(f"question-words-{language}.txt")
    opens = folded[0] in interrogatives or " ".join(folded) in interrogatives
    return [
        float(opens),
        float(last < len(words) and _answers(words[last].text, language)),
        level,
    ]


def voice(words: Sequence[Word]) -> float | None:
    """Where the voice ends over a stretch, in octaves from its words' median pitch to the end of its last
    word: a statement's falls, a yes/no question's stays up or rises.

    Where the last word's pitch was not heard, the word before it is read: the recogniser may time a
    word after its voice ("casa." in the silence after "¿Es malo andar descalzo por casa?", its vowels
    counted to "por"). None where neither was heard (or a transcript without its audio), or in a stretch
    of two words the last was not; within an octave either way.
    """
    pitches = [w.pitch for w in words if w.pitch is not None and w.pitch > 0]
    ends = [_end(w) for w in words[-2:] if len(words) >= 3 or w is words[-1]]
    heard = [end for end in ends if end is not None]
    if not heard:
        return None
    level = heard[-1] - math.log2(statistics.median(pitches))
    return round(max(-1.0, min(1.0, level)), 4)


def _end(word: Word) -> float | None:
    """Where a word's voice ends, in octaves (log2 Hz); None where it was not heard."""
    if word.pitch is None or word.rise is None or word.pitch <= 0:
        return None
    return math.log2(word.pitch) + word.rise / 12.0


def _answers(text: str, language: str) -> bool:
    """Whether a word opens an answer: one of ``answer-words-<code>.txt``, or "si" set apart by a comma
    (the recogniser's "Si," for "Sí,")."""
    name = f"answer-words-{language}.txt"
    listed = has_data(name) and bare(text) in word_list(name)
    return listed or (fold(text) == "si" and text.endswith(","))


def probability(words: Sequence[Word], span: tuple[int, int], language: str) -> float | None:
    """P(``words[first:last]`` is a question the speaker asked), or None without a model for the language
    or where the voice was not heard at its end."""
    fitted = model(language)
    x = features(words, span, language) if fitted is not None else None
    if fitted is None or x is None:
        return None
    return _sigmoid(fitted.bias + sum(w * v for w, v in zip(fitted.weights, x)))


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))


def asks(words: Sequence[Word], span: tuple[int, int], language: str) -> bool | None:
    """Whether the model takes the stretch for a question; None without a model for the language (or
    without the voice)."""
    p = probability(words, span, language)
    fitted = model(language)
    return None if p is None or fitted is None else p >= fitted.threshold


@cache
def text_model() -> TextModel | None:
    """The shipped :data:`TEXT_MODEL`, or None where it does not ship."""
    data = shipped_json(TEXT_MODEL)
    if data is None:
        return None
    weights = np.array(data["weights"], dtype=np.float64)
    floor = data.get("answered_floor")
    languages = frozenset(data["languages"])
    answered = None if floor is None else float(floor)
    return TextModel(weights, float(data["bias"]), float(data["threshold"]), languages, answered)


def as_heard(text: str) -> str:
    """A question or clause as the recogniser writes a piece of a run-on: no question marks, no end
    mark or comma ("¿Puedo tomar café?" -> "Puedo tomar café"); the text model reads both so."""
    return text.replace("¿", "").replace("?", "").strip().rstrip(",.;:!").strip()


def reads_as_question(text: str, encode: Encode | None, language: str, bar: float | None = None) -> bool:
    """Whether a sentence's opening piece reads as a patient's question (:data:`TEXT_MODEL` over its
    multilingual sentence vector, at the model's threshold, or at ``bar`` where that is lower); False
    wherever :func:`question_score` is None."""
    p = question_score(text, encode, language)
    fitted = text_model()
    if p is None or fitted is None:
        return False
    return p >= (fitted.threshold if bar is None else min(bar, fitted.threshold))


def reads_run_on(words: Sequence[Word], span: tuple[int, int], encode: Encode | None, language: str) -> bool:
    """Whether a sentence's opening piece ``words[first:cut]``, closed by a comma and a pause, is a question
    run into its answer: its words read as a question (:func:`reads_as_question`), or read so at the
    model's lower ``answered_floor`` where the next word answers it, set apart by a comma ("Puedo beber
    agua del grifo, no, en muchos países..."; not "..., no hace falta", which follows statements too).
    The shipped model has none (``null``): statements are followed by "sí," / "no, perdón," set apart too."""
    first, cut = span
    fitted = text_model()
    floor = fitted.answered_floor if fitted is not None else None
    bar = floor if floor is not None and answered_apart(words, cut, language) else None
    return reads_as_question(join_words([w.text for w in words[first:cut]]), encode, language, bar)


def answered_apart(words: Sequence[Word], cut: int, language: str) -> bool:
    """Whether the word at ``cut`` opens an answer (:func:`_answers`) and a comma sets it apart ("No,")."""
    return cut < len(words) and words[cut].text.endswith(",") and _answers(words[cut].text, language)


def question_score(text: str, encode: Encode | None, language: str) -> float | None:
    """P(``text`` reads as a patient's question) by :data:`TEXT_MODEL`; None without the model or the
    encoder, in a language its threshold was not chosen for, or for vectors of another width (another
    encoder's)."""
    if encode is None:
        return None
    fitted = text_model()
    if fitted is None or language not in fitted.languages:
        return None
    vector = np.asarray(encode([as_heard(text)])[0], dtype=np.float64)
    if vector.shape != fitted.weights.shape:
        shapes = (fitted.weights.shape, vector.shape)
        log.warning("the run-on question model reads vectors of shape %s, not %s: not asked", *shapes)
        return None
    return _sigmoid(float(vector @ fitted.weights) + fitted.bias)
