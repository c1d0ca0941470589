"""What a talk is about, as one vector, and which other talks of a library are most like it.

A draft's topic vector is the mean of its sections' vectors, each the mean of the sentence embeddings of
its prose, a sentence weighted by its length (a short greeting or sign-off counts for little; headings
and questions not at all). Across a library the vectors are compared after the library's mean is taken
away: what every talk shares (the clinic's welcome, its thanks for listening) then says nothing, and a
shared topic decides. Pure: the encoder is passed in, as to the section stage.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import numpy as np

from video2blog.pipeline.schema import Draft, Transcript
from video2blog.pipeline.text.claims import prose_sentences
from video2blog.pipeline.text.questions import Encode

RELATED_COUNT = 3  # related posts per draft, at most
FULL_WEIGHT_WORDS = 15  # a sentence this long or longer counts fully; a shorter one by its share
CENTRE_AT = 3  # libraries this large are compared about their mean (two talks would come out opposite)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=\S)")


def topic_vector(draft: Draft, transcript: Transcript, encode: Encode) -> np.ndarray | None:
    """The draft's topic vector (unit length), or None for a draft without prose sentences."""
    sections = [_prose_sentences(draft, transcript, n) for n in range(len(draft.sections))]
    texts = [t for section in sections for t in section]
    if not texts:
        return None
    rows, vectors, at = [], encode(texts), 0
    for section in sections:
        if section:
            weights = np.array([min(1.0, len(t.split()) / FULL_WEIGHT_WORDS) for t in section])
            rows.append(weights @ vectors[at : at + len(section)] / weights.sum())
        at += len(section)
    return _unit(np.mean(rows, axis=0))


def _prose_sentences(draft: Draft, transcript: Transcript, section: int) -> list[str]:
    return [s.text for s in prose_sentences(draft, transcript, section) if not s.text.rstrip().endswith("?")]


def rank_related(
    vectors: Mapping[str, np.ndarray], count: int = RELATED_COUNT, centre: bool = True
) -> dict[str, list[str]]:
    """For each name, up to ``count`` other names, most related first (ties by name, so stable).

    ``centre``: compare the vectors about the library's mean (from :data:`CENTRE_AT` drafts on).
    """
    names = sorted(vectors)
    if len(names) < 2:
        return {n: [] for n in names}
    matrix = np.stack([_unit(vectors[n]) for n in names])
    if centre and len(names) >= CENTRE_AT:
        matrix = np.stack([_unit(row) for row in matrix - matrix.mean(axis=0)])
    similar = matrix @ matrix.T
    return {name: _closest(names, similar[i], i)[:count] for i, name in enumerate(names)}


def rank_by_language(
    vectors: Mapping[str, np.ndarray], languages: Mapping[str, str], count: int = RELATED_COUNT
) -> dict[str, list[str]]:
    """:func:`rank_related` among the drafts of each language: a post offers only posts its readers can
    read (a Spanish post, Spanish ones), whatever the vectors say across languages."""
    ranked: dict[str, list[str]] = {}
    for language in sorted({languages[n] for n in vectors}):
        ranked.update(rank_related({n: v for n, v in vectors.items() if languages[n] == language}, count))
    return ranked


def _closest(names: list[str], similar: np.ndarray, own: int) -> list[str]:
    others = sorted((j for j in range(len(names)) if j != own), key=lambda j: (-similar[j], names[j]))
    return [names[j] for j in others]


def teaser(description: str) -> str:
    """The first whole sentence of a description ("" where it holds none, e.g. cut off mid-sentence)."""
    for sentence in _SENTENCE_END.split(description.strip()):
        if sentence.endswith((".", "!", "?")) and not sentence.endswith("..."):
            return sentence
    return ""


def _unit(vector: np.ndarray) -> np.ndarray:
    return vector / max(float(np.linalg.norm(vector)), 1e-12)
