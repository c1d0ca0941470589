"""What each section's question names: the talk's subject, or the thing the section itself is about.

A clinic's questions do not all name the treatment: "How long will the skin test take?" and "What is
immunotherapy?" sit on an allergy clinic's page, "Will I have a scar?" on a hair transplant clinic's.
For each section whose question was not spoken, the candidates are the talk's subject and the noun
phrases the section says (:func:`~video2blog.pipeline.text.metadata.topic_candidates`); a logistic model
over the named :data:`SUBJECT_FEATURES` scores each, and the best names the section's question. It was
learned from real clinic questions (a candidate is right where the question names it beyond the words
of the question's form) by ``python -m benchmarks.train_subjects --write``, held apart by specialty.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from video2blog.pipeline.text.lexicon import can_be_noun
from video2blog.pipeline.text.metadata import TopicCandidates, known_share
from video2blog.pipeline.text.phrases import keep_case, sentences_of
from video2blog.pipeline.text.questions import SENTENCE_REACH, Encode, Subject, subject_of
from video2blog.pipeline.textutil import shipped_json, tokens

SUBJECT_MODEL = "subject_model.json"
# How many of a section's first words count as its opening (where an answer echoes its question).
OPENING_WORDS = 8
# The named features of a candidate in a section (see :func:`candidate_row`).
SUBJECT_FEATURES = (
    "topic",
    "said_here",
    "share_here",
    "sections",
    "words",
    "first_sentence",
    "known",
    "acronym",
    "holds_topic",
    "said",
    "opening",
    "position",
    "near_section",
)


@dataclass(frozen=True)
class SubjectModel:
    """A logistic model over :data:`SUBJECT_FEATURES`, standardised by ``mean`` and ``scale``, of the
    candidates said in a section's first ``opening_sentences`` sentences (an answer names what it answers
    early; the training script chooses how many on held-apart folds); another candidate names a
    section's question instead of the talk's subject only where its log-odds beat the subject's by
    ``margin`` (a wrong switch reads worse than the treatment's name: "Do men hurt?")."""

    weights: np.ndarray
    bias: float
    mean: np.ndarray
    scale: np.ndarray
    opening_sentences: int
    margin: float = 0.0

    def choose(self, rows: np.ndarray) -> int:
        """The chosen candidate's index (row 0 is the talk's subject; :func:`section_candidates`)."""
        scores = self.scores(rows)
        best = int(np.argmax(scores))
        return best if scores[best] > scores[0] + self.margin else 0

    def scores(self, rows: np.ndarray) -> np.ndarray:
        """Each row's log-odds of naming the section's question."""
        return np.asarray(((rows - self.mean) / self.scale) @ self.weights + self.bias)


@dataclass(frozen=True)
class SectionCandidates:
    """One section's candidate subjects (lower case; the talk's subject first, always present), each as
    the talk first writes it ("PRP"), and their feature rows."""

    keys: list[str]
    shown: list[str]
    rows: np.ndarray


def section_candidates(
    sections: Sequence[str], found: TopicCandidates, topic: str, encode: Encode, reach: int
) -> list[SectionCandidates]:
    """Each section's candidates: the talk's subject ``topic``, then the noun phrases its first ``reach``
    sentences say that may be a talk's subject (``found``: the sections'
    :func:`~video2blog.pipeline.text.metadata.topic_candidates`); ``encode`` gives sentence vectors (for
    how close a candidate's meaning is to the section's opening). None without a subject: there is
    nothing to replace."""
    key = topic.lower()
    if not key:
        return []
    allowed = set(found.keys)
    listed = []
    for text, said_here in zip(sections, found.per_section):
        early = f" {' '.join(tokens(' '.join(sentences_of(text)[:reach])))} "
        keys = [key]
        keys += [
            k
            for k in said_here
            if k in allowed and k != key and can_be_noun(k.split()[-1]) and _said(k) in early
        ]
        listed.append(keys)
    near = _closeness(sections, listed, encode)
    out = []
    for index, (text, keys) in enumerate(zip(sections, listed)):
        first = sentences_of(text)[:1]
        parts = Parts(f" {' '.join(tokens(text))} ", f" {' '.join(tokens(first[0]))} " if first else "  ")
        rows = [
            [*candidate_row(k, key, index, found, parts, len(sections)), near[index][n]]
            for n, k in enumerate(keys)
        ]
        matrix = np.array(rows, dtype=np.float64).reshape(len(keys), len(SUBJECT_FEATURES))
        out.append(SectionCandidates(keys, [found.shown.get(k, k) for k in keys], matrix))
    return out


def _closeness(sections: Sequence[str], listed: Sequence[list[str]], encode: Encode) -> list[np.ndarray]:
    """For each section, the cosine between each candidate's vector and the unit mean vector of the
    section's first sentences (the part of an answer that echoes its question). One encoder call."""
    openings = [sentences_of(text)[:SENTENCE_REACH] for text in sections]
    texts = list(dict.fromkeys([*(s for o in openings for s in o), *(k for keys in listed for k in keys)]))
    vectors = dict(zip(texts, encode(texts), strict=True)) if texts else {}
    near = []
    for opening, keys in zip(openings, listed):
        if not opening or not keys:
            near.append(np.zeros(len(keys)))
            continue
        mean = np.mean([vectors[s] for s in opening], axis=0)
        mean = mean / max(float(np.linalg.norm(mean)), 1e-12)
        rows = np.vstack([vectors[k] for k in keys])
        near.append(rows @ mean / np.maximum(np.linalg.norm(rows, axis=1), 1e-12))
    return near


@dataclass(frozen=True)
class Parts:
    """A section's words and its first sentence's words, each space-joined with a space either side."""

    words: str
    first: str


def candidate_row(
    key: str, topic: str, index: int, found: TopicCandidates, parts: Parts, count: int
) -> list[float]:
    """The :data:`SUBJECT_FEATURES` of candidate ``key`` in section ``index``: whether it is the talk's
    subject ``topic``; log of times the section says it; the share of the talk's uses in the section;
    the share of sections that say it; extra words; said in the section's first sentence; the share of
    its words the sentence encoder knows whole (everyday words); an acronym; holds the talk's subject
    ("allergy shot"); log of times the talk says it; said in the section's first words; how early the
    section first says it (1 at its start, 0 never). (The last feature, ``near_section``, needs the
    encoder: :func:`section_candidates` adds it.)"""
    here = found.per_section[index].get(key, 0)
    words = key.split()
    at = parts.words.find(_said(key))
    opening = " ".join(parts.words.split()[:OPENING_WORDS])
    return [
        float(key == topic),
        math.log1p(here),
        here / max(1, found.said[key]),
        found.spread[key] / max(1, count),
        float(len(words) - 1),
        float(_said(key) in parts.first),
        known_share(words),
        float(found.shown.get(key, key).isupper()),
        float(bool(topic) and key != topic and f" {topic} " in f" {key} "),
        math.log1p(found.said[key]),
        float(_said(key) in f" {opening} "),
        1.0 - at / len(parts.words) if at >= 0 else 0.0,
    ]


def _said(key: str) -> str:
    """A candidate as :func:`~video2blog.pipeline.textutil.tokens` writes a text ("crohn's", not
    "crohn’s"), a space either side, to find it among a section's words."""
    return f" {' '.join(tokens(key))} "


def section_subjects(
    sections: Sequence[str],
    found: TopicCandidates,
    topic: str,
    text: str,
    encode: Encode,
    model: SubjectModel | None = None,
) -> list[Subject]:
    """What each section's question names: the candidate (of ``found``, the sections'
    :func:`~video2blog.pipeline.text.metadata.topic_candidates`) the model (the shipped one by default)
    scores best, as the talk names it (:func:`~video2blog.pipeline.text.questions.subject_of`); the
    talk's subject everywhere where no model ships."""
    model = model or shipped_subject_model()
    subject = subject_of(topic, text)
    if model is None or not topic:
        return [subject] * len(sections)
    chosen = []
    for candidates in section_candidates(sections, found, topic, encode, model.opening_sentences):
        best = model.choose(candidates.rows)
        chosen.append(subject if best == 0 else subject_of(keep_case(candidates.shown[best]), text))
    return chosen


def subject_model_from(data: dict[str, object]) -> SubjectModel:
    """A model from its JSON form (``benchmarks/train_subjects.py`` writes it)."""
    weights = dict(data["weights"])  # type: ignore[call-overload]
    mean, scale = dict(data["mean"]), dict(data["scale"])  # type: ignore[call-overload]
    return SubjectModel(
        weights=np.array([float(weights[n]) for n in SUBJECT_FEATURES]),
        bias=float(data["bias"]),  # type: ignore[arg-type]
        mean=np.array([float(mean[n]) for n in SUBJECT_FEATURES]),
        scale=np.maximum(np.array([float(scale[n]) for n in SUBJECT_FEATURES]), 1e-9),
        opening_sentences=int(data["opening_sentences"]),  # type: ignore[call-overload]
        margin=float(data.get("margin", 0.0)),  # type: ignore[arg-type]
    )


@lru_cache(maxsize=1)
def shipped_subject_model() -> SubjectModel | None:
    """The shipped model (``pipeline/data/subject_model.json``), or None where none was trained."""
    data = shipped_json(SUBJECT_MODEL)
    return subject_model_from(data) if data is not None else None
