"""Sentence stage: Punkt sentences over timed words, with spoken questions split from their answers."""

from __future__ import annotations

import statistics
from dataclasses import replace
from functools import lru_cache

from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer

from video2blog.pipeline.schema import Sentence, Transcript, Word
from video2blog.pipeline.text.spoken import opens_like_question
from video2blog.pipeline.textutil import join_words, word_list

# A spoken question that Whisper ran into its answer is split at a pause at least this long...
MIN_QUESTION_PAUSE = 0.3
# ...and at least this many times the sentence's median gap between words.
PAUSE_RATIO = 2.5
MIN_QUESTION_WORDS = 3


@lru_cache(maxsize=1)
def _punkt() -> PunktSentenceTokenizer:
    params = PunktParameters()
    params.abbrev_types = set(word_list("abbreviations.txt"))
    return PunktSentenceTokenizer(params)


def split_sentences(transcript: Transcript) -> Transcript:
    """Group a transcript's words into timed sentences.

    Punkt (with the project's own abbreviation list) finds sentence ends from
    punctuation; a sentence that opens like a question and holds a clear pause
    is split there, since Whisper often runs a spoken question into its answer.

    Args:
        transcript: words from an engine or caption file; existing sentences are ignored.

    Returns:
        A new transcript with ``sentences`` covering every word exactly once, in order.
    """
    words = transcript.words
    sentences = [
        make_sentence(words, span, question=asked)
        for punkt_span in _punkt_ranges(words)
        for span, asked in _split_run_on(words, punkt_span)
    ]
    return replace(transcript, sentences=tuple(sentences))


def make_sentence(words: tuple[Word, ...], span: tuple[int, int], question: bool = False) -> Sentence:
    """A sentence over ``words[span[0]:span[1]]``, timed from its words.

    ``question`` marks a question split from a run-on; it gets the ``?`` Whisper left out.
    """
    first, last = span
    chunk = words[first:last]
    text = join_words([w.text for w in chunk])
    if question:
        text = text.rstrip(",;:") + "?"
    return Sentence(text=text, start=chunk[0].start, end=chunk[-1].end, words=span)


def _punkt_ranges(words: tuple[Word, ...]) -> list[tuple[int, int]]:
    if not words:
        return []
    offsets, pos = [], 0
    for w in words:
        offsets.append(pos)
        pos += len(w.text) + 1
    text = " ".join(w.text for w in words)
    starts = sorted({_word_at(offsets, s) for s, _ in _punkt().span_tokenize(text)} | {0})
    return list(zip(starts, starts[1:] + [len(words)]))


def _word_at(offsets: list[int], char: int) -> int:
    lo, hi = 0, len(offsets) - 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if offsets[mid] <= char:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _split_run_on(words: tuple[Word, ...], span: tuple[int, int]) -> list[tuple[tuple[int, int], bool]]:
    first, last = span
    if last - first < 2 * MIN_QUESTION_WORDS or not looks_like_question(words[first:last]):
        return [(span, False)]
    if words[last - 1].text.endswith("?"):
        return [(span, False)]
    cut = _question_cut(words, first, last)
    return [(span, False)] if cut is None else [((first, cut), True), ((cut, last), False)]


def looks_like_question(words: tuple[Word, ...]) -> bool:
    """Whether words open like a question (:func:`.spoken.opens_like_question`)."""
    return opens_like_question([w.text for w in words])


def _question_cut(words: tuple[Word, ...], first: int, last: int) -> int | None:
    gaps = [(words[i].start - words[i - 1].end, i) for i in range(first + 1, last)]
    median = statistics.median(g for g, _ in gaps)
    allowed = [(g, i) for g, i in gaps if first + MIN_QUESTION_WORDS <= i <= last - 2]
    if not allowed:
        return None
    gap, cut = max(allowed)
    if any(w.text.endswith(",") for w in words[first : cut - 1]):
        return None  # a clause with commas before the pause reads as a statement
    if gap >= MIN_QUESTION_PAUSE and gap >= PAUSE_RATIO * max(median, 0.02):
        return cut
    return None
