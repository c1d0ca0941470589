"""--llm-boundaries: the model chooses among the boundaries the classical sectioner scored.

Never a free-form boundary: for each section start found from the content (not a spoken heading,
not a chapter mark), the likeliest gaps near it (the log odds of the learned boundary model,
:func:`video2blog.pipeline.text.segment.gap_log_odds`) are the candidates, and the model picks one by
number.
A reply that names no candidate keeps the classical start.
"""

from __future__ import annotations

import re

import numpy as np

from video2blog.pipeline.llm.client import LlmUnavailable
from video2blog.pipeline.llm.prompts import BOUNDARY_TOKENS, boundary_messages
from video2blog.pipeline.llm.suggest import Session, failure
from video2blog.pipeline.schema import LlmSuggestion, Transcript
from video2blog.pipeline.text.questions import Encode
from video2blog.pipeline.text.sections import SectionSpan, spans_from_starts
from video2blog.pipeline.text.segment import gap_log_odds, min_length

MAX_CANDIDATES = 3
_NUMBER = re.compile(r"\d+")


def with_boundaries(
    transcript: Transcript, spans: list[SectionSpan], session: Session, encode: Encode | None = None
) -> tuple[list[SectionSpan], list[LlmSuggestion], str]:
    """:func:`choose_boundaries`, or the classical spans and a warning when the endpoint fails."""
    texts = [s.text for s in transcript.sentences]
    big = encode is not None and len(texts) >= 2 * min_length(len(texts))
    try:
        chosen, record = choose_boundaries(
            transcript, spans, session, encode(texts) if big and encode else None
        )
    except LlmUnavailable as exc:
        return spans, [], failure(session, exc)
    return chosen, record, ""


def candidates(scores: np.ndarray, starts: list[int], index: int, count: int) -> list[int]:
    """The best-scoring sentence starts that could replace ``starts[index]``, the classical one first.

    Each keeps the sections on both sides at least the sectioner's shortest length.
    """
    shortest = min_length(count)
    low = (starts[index - 1] if index else 0) + shortest
    high = (starts[index + 1] if index + 1 < len(starts) else count) - shortest
    room = [g for g in range(max(1, low), high + 1) if g != starts[index]]
    ranked = sorted(room, key=lambda g: -scores[g - 1])[: MAX_CANDIDATES - 1]
    return [starts[index], *sorted(ranked)]


def choose_boundaries(
    transcript: Transcript, spans: list[SectionSpan], session: Session, vectors: np.ndarray | None = None
) -> tuple[list[SectionSpan], list[LlmSuggestion]]:
    """Spans with the model's choice of start for each section found from content.

    Only talks whose sections were all found from content are changed (spoken headings and chapter
    marks are the speaker's own boundaries).

    Raises:
        LlmUnavailable: the endpoint failed.
    """
    if len(spans) < 2 or any(s.heading_source != "generated" for s in spans):
        return spans, []
    texts = [s.text for s in transcript.sentences]
    scores = gap_log_odds(texts, vectors, [(s.start, s.end) for s in transcript.sentences])
    starts = [s.sentences[0] for s in spans[1:]]
    record: list[LlmSuggestion] = []
    for i, start in enumerate(list(starts)):
        options = candidates(scores, starts, i, len(texts))
        if len(options) < 2:
            continue
        listing = [f"{texts[g - 1]} | {texts[g]}" for g in options]
        reply = session.ask(boundary_messages(listing), BOUNDARY_TOKENS)
        if reply is None:
            break
        chosen = pick(reply, options)
        starts[i] = chosen
        record.append(
            LlmSuggestion("boundary", i + 1, f"sentence {chosen}", f"sentence {start}", "", chosen != start)
        )
    return spans_from_starts(transcript, sorted(set(starts)), []), record


def pick(reply: str, options: list[int]) -> int:
    """The candidate the reply names by number (1-based); the classical start when it names none."""
    match = _NUMBER.search(reply)
    number = int(match.group()) if match else 0
    return options[number - 1] if 1 <= number <= len(options) else options[0]
