"""The post's own fields beside its sections, as the editor's edits carry them along: the slug made from
the title, and the description quoted from the prose. Pure: no file I/O.

A draft's description is one or two sentences of its talk (``text/metadata.py``: ``make_description``).
When the editor rewrites the paragraph it quotes, the description follows: it becomes the sentence as
rewritten, or, where that sentence is gone (or no longer reads as a description), it is chosen afresh from
the edited text, so the post never describes itself with words it no longer says.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import replace

from video2blog.pipeline.schema import Draft
from video2blog.pipeline.text import locales
from video2blog.pipeline.text.cleanup import capitalize_first
from video2blog.pipeline.text.metadata import DESCRIPTION_LIMIT, main_topic, make_description
from video2blog.pipeline.textutil import intro_pattern, slugify

Opcode = tuple[str, int, int, int, int]


def retitled(draft: Draft, title: str) -> Draft:
    """``draft`` titled ``title``; its slug follows where it was made from the title (not one set
    otherwise), so the post's address says what its title does."""
    return replace(draft, title=title, slug=slugify(title) if follows_title(draft) else draft.slug)


def follows_title(draft: Draft) -> bool:
    """Whether the draft's slug is the one made from its title (and so follows a new title): as slugs
    are made now, or ASCII only, as they were made before other scripts' letters were kept."""
    return draft.slug in (slugify(draft.title), slugify(draft.title, ascii_only=True))


def followed_description(before: Draft, after: Draft) -> str:
    """The description of ``after``, ``before`` with its prose rewritten: as it was where the words it
    quotes are unchanged (or it quotes none: the editor's own, or one made from the headings); the
    rewritten words in their place where they still read as a description; else one chosen afresh."""
    old, new = _prose(before).split(), _prose(after).split()
    span = _quoted(before.description, old)
    if span is None:
        return before.description
    ops = difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes()
    if not _touched(span, ops):
        return before.description
    start, end = _mapped(span[0], ops, first=True), _mapped(span[1] - 1, ops, first=False)
    text = capitalize_first(" ".join(new[start:end]))
    return text if end > start and _reads_as_description(text) else chosen_afresh(after)


def chosen_afresh(draft: Draft) -> str:
    """A description of ``draft`` chosen from its prose, as the draft command chooses one (without the
    sentence encoder, which a save does not load)."""
    if draft.language != "en":
        prose = [p.text for s in draft.sections if not s.lead for p in s.paragraphs]
        return locales.describe(prose, intro_pattern(draft.language))
    texts = [" ".join(p.text for p in s.paragraphs) for s in draft.sections]
    return make_description(
        [p.text for s in draft.sections for p in s.paragraphs],
        topic=main_topic(texts),
        headings=[s.heading for s in draft.sections],
        section_of=[n for n, s in enumerate(draft.sections) for _ in s.paragraphs],
    )


def _prose(draft: Draft) -> str:
    return " ".join(p.text for s in draft.sections for p in s.paragraphs)


def _quoted(description: str, words: Sequence[str]) -> tuple[int, int] | None:
    """The range of ``words`` the description quotes (its first letter capitalised, an opening filler
    dropped: matched regardless of case, from a word's start), or None where it quotes none."""
    if not description.strip():
        return None
    text = " ".join(words)
    match = re.search(rf"(?<!\S){re.escape(' '.join(description.split()))}(?!\S)", text, re.IGNORECASE)
    if match is None:
        return None
    first = len(text[: match.start()].split())
    return first, first + len(match.group().split())


def _touched(span: tuple[int, int], ops: Sequence[Opcode]) -> bool:
    """Whether the rewrite changed, removed or wrote new words inside ``span``."""
    for tag, a0, a1, _, _ in ops:
        inside = span[0] < a0 < span[1] if a0 == a1 else a0 < span[1] and span[0] < a1
        if tag != "equal" and inside:
            return True
    return False


def _mapped(word: int, ops: Sequence[Opcode], first: bool) -> int:
    """Where old ``word`` went in the new words: the start of what took its place (``first``), else the
    end of it."""
    for tag, a0, a1, b0, b1 in ops:
        if a0 <= word < a1:
            if tag == "equal":
                return b0 + word - a0 + (0 if first else 1)
            return b0 if first or tag == "delete" else b1
    return 0


def _reads_as_description(text: str) -> bool:
    """Whether rewritten words still make a description: whole sentences that fit its limit."""
    return 0 < len(text) <= DESCRIPTION_LIMIT and text[-1] in ".!"
