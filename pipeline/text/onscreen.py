"""On-screen headings as section starts: which text a video showed is a question or a title, and
which sentence it heads.

A question (or a title) shown on screen (a title card, a lower third) as a section's answer begins
is that section's heading, kept as shown after OCR cleanup; text shown for most of the video (a logo, the
clinic's name) never is. Where the speaker asked a question of their own at the same place, the
spoken one wins and the card is offered to the editor as a suggestion.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from video2blog.pipeline.schema import ScreenText, Sentence
from video2blog.pipeline.text.spoken import (
    heading_kind,
    heading_text,
    is_heading_question,
    opens_like_question,
)

# A shown question heads the sentence starting nearest its appearance, from this long before it
# (the answer began as the card came up) to this long after (the speaker starts after the cut).
LEAD_BEFORE_S = 1.5
LEAD_AFTER_S = 4.0
MIN_WORDS = 3  # a shown question has at least this many words, a shown title at least TITLE_WORDS
TITLE_WORDS = 2
SAME_HEADING = 0.8  # a card this similar to the spoken question says the same thing


@dataclass(frozen=True)
class ShownHeads:
    """Sentence index -> heading: questions shown on screen that open sections, and those offered as
    suggestions beside a spoken question at the same place."""

    heads: dict[int, str] = field(default_factory=dict)
    offered: dict[int, str] = field(default_factory=dict)


def screen_question(item: ScreenText) -> str | None:
    """The heading a shown text makes, cleaned of OCR's spacing and capitals; None unless it is a
    question (shown with its question mark) or a title (the spoken-heading model's "title": not a
    name with credentials, not a step of a list), and not on screen most of the video."""
    if item.persistent:
        return None
    text = clean_shown(item.text)
    words = len(text.split())
    if text.endswith("?"):
        # A card is no aside: "Which ...?" opens a shown question as well as any.
        asked = is_heading_question(text) or opens_like_question(text.split())
        return text if asked and words >= MIN_WORDS else None
    return text if words >= TITLE_WORDS and heading_kind(text) == "title" else None


def clean_shown(text: str) -> str:
    """OCR text as a heading: one space between words, none before punctuation, sentence case where
    it was all capitals, one closing "?" where it ended in one."""
    text = " ".join(text.split())
    text = re.sub(r"\s+([?.,!:;])", r"\1", text)
    text = re.sub(r"\?[\W_]*$", "?", text)
    text = re.sub(r"(\w)- (\w)", r"\1-\2", text)  # a hyphenated word wrapped onto two lines
    if text.isupper():
        text = text.lower()
    return text[:1].upper() + text[1:]


def shown_heads(
    sentences: Sequence[Sentence], screen: Sequence[ScreenText], spoken: Sequence[int]
) -> ShownHeads:
    """Which sentences the questions shown on screen head, and the cards offered beside spoken questions.

    Args:
        sentences: the talk's sentences.
        screen: the texts the video showed.
        spoken: indices of sentences spoken as headings.
    """
    heads: dict[int, str] = {}
    offered: dict[int, str] = {}
    for item in screen:
        heading = screen_question(item)
        index = None if heading is None else nearest_start(sentences, item.start)
        if heading is None or index is None:
            continue
        said = next((h for h in spoken if index - 1 <= h <= index), None)
        if said is None:
            heads.setdefault(index, heading)
        elif not _same(heading_text(sentences[said].text), heading):
            offered.setdefault(said, heading)
    return ShownHeads(heads, offered)


def nearest_start(sentences: Sequence[Sentence], time: float) -> int | None:
    """The sentence starting nearest ``time``, within :data:`LEAD_BEFORE_S` before to
    :data:`LEAD_AFTER_S` after it; None if none does."""
    near = [(abs(s.start - time), i) for i, s in enumerate(sentences) if s.start - time >= -LEAD_BEFORE_S]
    near = [(gap, i) for gap, i in near if sentences[i].start - time <= LEAD_AFTER_S]
    return min(near)[1] if near else None


def _same(a: str, b: str) -> bool:
    return SequenceMatcher(None, a.lower().rstrip("?"), b.lower().rstrip("?")).ratio() >= SAME_HEADING
