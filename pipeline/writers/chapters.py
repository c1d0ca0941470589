"""YouTube chapters: "0:00 Heading" lines to paste into a video's description.

YouTube shows chapters only when the first timestamp is 0:00, there are at least three, and each
lasts at least ten seconds. Sections that break a rule are merged into their neighbour (their heading
dropped), and each change is reported in ``notes`` so the editor knows.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from video2blog.pipeline.schema import Reason, Section
from video2blog.pipeline.textutil import clock, message

MIN_CHAPTERS = 3
MIN_SECONDS = 10
MAX_TITLE = 100  # YouTube cuts longer chapter titles
CUT = "…"  # ends a title cut to MAX_TITLE
_UNSAFE = re.compile(r"[<>\r\n]+")  # YouTube refuses angle brackets in a description
# ...and one before a mark is dropped, not spaced: "which one <first>?" is "which one first?"
_UNSAFE_BEFORE_MARK = re.compile(r"[<>\r\n]+(?=[.,:;!?)])")


@dataclass(frozen=True)
class Chapters:
    """The chapter lines (empty when YouTube's rules cannot be met) and what was changed to meet them, as
    message catalogue keys (``chapter_merged``, ``chapters_empty``) with their values."""

    lines: tuple[str, ...]
    reasons: tuple[Reason, ...]

    def said(self, language: str) -> tuple[str, ...]:
        """What was changed, in ``language`` (the draft's notes, the review page's save reply)."""
        return tuple(message(language, r.key, **dict(r.values)) for r in self.reasons)


def youtube_chapters(sections: Sequence[Section], duration: float) -> Chapters:
    """Chapters from the sections' headings and starts, following YouTube's rules.

    Args:
        sections: the draft's sections, in order.
        duration: the media's length in seconds (the last chapter ends there).
    """
    marks = [(0 if i == 0 else int(s.start), _title(s.heading)) for i, s in enumerate(sections)]
    cut = {title for (_, title), s in zip(marks, sections) if len(_flat(s.heading)) > MAX_TITLE}
    end = int(max(duration, sections[-1].end if sections else 0.0))
    kept, notes = _merge_short(marks, end)
    notes[:0] = [
        _reason("chapter_cut", title=repr(t), at=clock(at), limit=MAX_TITLE) for at, t in kept if t in cut
    ]
    if len(kept) < MIN_CHAPTERS:
        notes.append(_reason("chapters_empty", chapters=MIN_CHAPTERS, seconds=MIN_SECONDS, count=len(kept)))
        return Chapters((), tuple(notes))
    return Chapters(tuple(f"{clock(t)} {title}" for t, title in kept), tuple(notes))


def _merge_short(marks: list[tuple[int, str]], end: int) -> tuple[list[tuple[int, str]], list[Reason]]:
    """Drop each chapter shorter than the minimum into the one before it; a short first one (an
    introduction of a few seconds) into the next, which then starts at 0:00 as YouTube's first must."""
    kept, notes = list(marks), list[Reason]()
    while len(kept) > 1:
        lengths = [b[0] - a[0] for a, b in zip(kept, kept[1:])] + [end - kept[-1][0]]
        short = next((i for i, n in enumerate(lengths) if n < MIN_SECONDS), None)
        if short is None:
            break
        dropped = kept.pop(short)
        if short == 0:
            kept[0] = (0, kept[0][1])
        notes.append(
            _reason("chapter_merged", title=repr(dropped[1]), at=clock(dropped[0]), seconds=MIN_SECONDS)
        )
    return kept, notes


def _reason(key: str, **values: object) -> Reason:
    return Reason(key, tuple((name, str(value)) for name, value in values.items()))


def _title(heading: str) -> str:
    """The heading as a chapter's title: on one line, without angle brackets, and where longer than YouTube
    shows, cut at a word's end with :data:`CUT` (the notes say so)."""
    title = _flat(heading)
    if len(title) <= MAX_TITLE:
        return title or "Chapter"
    room = title[: MAX_TITLE - len(CUT) + 1]
    space = room.rfind(" ")
    kept = room[:space] if space > MAX_TITLE // 2 else room[:-1]
    return kept.rstrip(" ,;:-–—") + CUT


def _flat(heading: str) -> str:
    return " ".join(_UNSAFE.sub(" ", _UNSAFE_BEFORE_MARK.sub("", heading)).split())


def render_chapters(sections: Sequence[Section], duration: float) -> bytes:
    """chapters.txt: one "m:ss Heading" line per chapter (empty when YouTube's rules cannot be met)."""
    lines = youtube_chapters(sections, duration).lines
    return ("\n".join(lines) + "\n").encode("utf-8") if lines else b""
