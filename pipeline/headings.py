"""Headings and metadata: generated section headings, title, slug, description and keywords."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence

from pipeline.textutil import tokens, word_list

DESCRIPTION_LIMIT = 160
MIN_KEYWORD_LENGTH = 4


def content_words(text: str) -> list[str]:
    """Tokens of ``text`` that carry topic: no function words, no short tokens, no numbers."""
    stop = word_list("stopwords.txt")
    return [t for t in tokens(text) if t not in stop and len(t) >= MIN_KEYWORD_LENGTH and not t.isdigit()]


def keywords(text: str, limit: int = 6) -> list[str]:
    """The most frequent content words of ``text``, most frequent first (ties by first use)."""
    words = content_words(text)
    order = {w: i for i, w in reversed(list(enumerate(words)))}
    counts = Counter(words)
    return sorted(counts, key=lambda w: (-counts[w], order[w]))[:limit]


def generate_heading(text: str, used: Iterable[str], context: str = "") -> str:
    """A short topic heading for a section with none spoken, distinct from ``used``.

    Words frequent in this section but not everywhere in ``context`` (the whole
    talk) describe what sets the section apart.
    """
    taken = {h.lower() for h in used}
    background = Counter(content_words(context))
    local = keywords(text, limit=12)
    ranked = sorted(local, key=lambda w: background[w] > 3 * max(1, text.lower().count(w)))
    for first, second in _pairs(ranked):
        heading = f"{first.capitalize()} and {second}" if second else first.capitalize()
        if heading.lower() not in taken:
            return heading
    return f"More about {ranked[0]}" if ranked else "In closing"


def _pairs(words: list[str]) -> list[tuple[str, str | None]]:
    pairs: list[tuple[str, str | None]] = [(a, b) for i, a in enumerate(words) for b in words[i + 1 : i + 3]]
    return pairs + [(w, None) for w in words]


def make_title(text: str, asked: bool) -> str:
    """A title from the talk's main topic words."""
    top = keywords(text, limit=2)
    if not top:
        return "Draft post"
    topic = top[0].capitalize() if len(top) == 1 else f"{top[0].capitalize()} and {top[1]}"
    return f"{topic}: your questions answered" if asked else topic


def slugify(text: str, limit: int = 80) -> str:
    """ASCII, lower-case, hyphenated slug of ``text``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:limit].rstrip("-") or "draft"


def make_description(sentences: Sequence[str], limit: int = DESCRIPTION_LIMIT) -> str:
    """A meta description of at most ``limit`` characters from the first sentences."""
    text = ""
    for sentence in sentences:
        candidate = f"{text} {sentence}".strip()
        if len(candidate) > limit:
            break
        text = candidate
    if text:
        return text
    first = sentences[0] if sentences else ""
    return _truncate(first, limit)


def _truncate(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + "…"
