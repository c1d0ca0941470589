"""The review page's view of a draft: every word of the post tied to its time in the media.

The post's prose is the cleaned text of :class:`~video2blog.pipeline.schema.Paragraph`; the
words it came from are a range of ``Transcript.words``. :func:`align` walks the
two together so the page can show the prose exactly as written while each word
seeks the player, carries its confidence, and the words the cleanup removed
(or a glossary replaced) sit where they were spoken. Pure: no file I/O.
"""

from __future__ import annotations

import os
import re
import urllib.parse
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

from video2blog.pipeline.schema import Correction, Draft, Reason, Section, Transcript
from video2blog.pipeline.sources import source_kind
from video2blog.pipeline.textutil import bare, message, messages

LOW_CONFIDENCE = 0.6
"""Without the combined signals of :mod:`video2blog.pipeline.text.confidence` (which the orchestration
passes in), words the recogniser gave a lower probability than this are highlighted for checking."""


PieceKind = Literal["text", "word", "removed", "corrected"]


@dataclass(frozen=True)
class Piece:
    """A run of prose: plain text between words, a timed word, a removed word, or a glossary term.

    ``note`` is the removal's reason for a removed word and the words heard for a corrected one.
    """

    text: str
    kind: PieceKind = "text"
    start: float = 0.0
    probability: float = 1.0
    note: str = ""
    index: int = -1  # the transcript word (the first, for a correction) this piece stands for
    unsure: str = ""  # why the word is flagged for checking ("" when it is not): see text/confidence.py
    fixed: bool = False  # a correction the editor made (not the glossary's): checked, never flagged

    @property
    def timed(self) -> bool:
        return self.kind != "text"

    @property
    def low(self) -> bool:
        return self.kind in ("word", "corrected") and bool(self.unsure)

    @property
    def lead(self) -> str:
        """The space before the text (a removed word at the end of its paragraph)."""
        return self.text[: len(self.text) - len(self.text.lstrip())]

    @property
    def trail(self) -> str:
        """The space after the text (a removed word before the next word)."""
        return self.text[len(self.text.rstrip()) :]


@dataclass(frozen=True)
class ReviewParagraph:
    """A paragraph of the post as pieces, with its time in the media."""

    start: float
    end: float
    pieces: tuple[Piece, ...]


@dataclass(frozen=True)
class ReviewSection:
    """A section: its heading (as pieces when spoken), where it starts, and its paragraphs."""

    section: Section
    heading: tuple[Piece, ...]
    paragraphs: tuple[ReviewParagraph, ...]

    @property
    def generated(self) -> bool:
        """Written by video2blog and not yet checked: an accepted or edited heading is the editor's, and
        a spoken or shown one (read off the screen) is the talk's own."""
        return self.section.heading_source not in ("spoken", "edited", "on-screen")

    @property
    def shown(self) -> bool:
        """Read off the video's picture and not yet checked: a card may head another answer than its own
        (cards shown out of order) or be misread."""
        return self.section.heading_source == "on-screen"


@dataclass(frozen=True)
class MediaLink:
    """How the review page reaches the source media: a URL relative to the page, and the player."""

    href: str
    kind: Literal["video", "audio", ""]


@dataclass(frozen=True)
class Review:
    """Everything ``review.html.j2`` shows beyond the draft itself."""

    sections: tuple[ReviewSection, ...]
    media: MediaLink
    low_confidence: float
    unsure: int
    removed: int
    corrected: int
    sentence_starts: frozenset[int] = frozenset()  # word indices where a sentence starts (split points)


@dataclass(frozen=True)
class Edits:
    """What the cleanup and the glossary changed: removal reason by word, correction by first word;
    and why each unsure word should be checked."""

    removed: dict[int, str]
    corrections: dict[int, Correction]
    unsure: dict[int, str] = field(default_factory=dict)


def build_review(
    draft: Draft,
    transcript: Transcript,
    out_dir: Path | None = None,
    unsure: Mapping[int, tuple[Reason, ...]] | None = None,
    media_href: str | None = None,
) -> Review:
    """The review page's view of ``draft``.

    Args:
        draft: the finished draft.
        transcript: the transcript the draft's word ranges point into.
        out_dir: the folder the page is written to, so the media link is relative to it.
        unsure: the words to check and why (:func:`video2blog.pipeline.text.confidence.unsure_words`,
            run by the orchestration); without it, words below :data:`LOW_CONFIDENCE`.
        media_href: the link to the media, where the caller knows it (the review server).
    """
    flagged = _below_threshold(transcript) if unsure is None else unsure
    edits = Edits(
        removed={r.word: say_reason(r.reason, draft.language) for r in draft.removals},
        corrections={c.words[0]: c for c in draft.corrections},
        unsure={i: say_reasons(why, draft.language) for i, why in flagged.items()},
    )
    media = media_link(draft.source.path, out_dir)
    if media_href is not None:
        media = MediaLink(media_href, media.kind)
    sections = tuple(_review_section(s, transcript, edits) for s in draft.sections)
    pieces = [p for s in sections for para in (s.heading, *(p.pieces for p in s.paragraphs)) for p in para]
    return Review(
        sections=sections,
        media=media,
        low_confidence=LOW_CONFIDENCE,
        unsure=sum(p.low for p in pieces),
        removed=sum(p.kind == "removed" for p in pieces),
        corrected=sum(p.kind == "corrected" for p in pieces),
        sentence_starts=frozenset(sent.words[0] for sent in transcript.sentences),
    )


def say_reasons(reasons: Sequence[Reason | str], language: str) -> str:
    """Why a word is flagged or removed, in ``language``'s words, reasons joined by "; "."""
    return "; ".join(say_reason(r, language) for r in reasons)


def say_reason(reason: Reason | str, language: str) -> str:
    """One reason in ``language``'s words: its catalogue message ``why_<key>`` with its values filled.

    A removal's reason is a bare key; a key no catalogue knows (text a hand-edited draft.json holds) is
    shown as it is.
    """
    key, values = (reason, ()) if isinstance(reason, str) else (reason.key, reason.values)
    if f"why_{key}" not in messages(language):
        return key
    return message(language, f"why_{key}", **dict(values))


def _below_threshold(transcript: Transcript) -> dict[int, tuple[Reason, ...]]:
    return {
        i: (Reason("percent", (("percent", str(round(w.probability * 100))),)),)
        for i, w in enumerate(transcript.words)
        if w.probability < LOW_CONFIDENCE
    }


def _review_section(section: Section, transcript: Transcript, edits: Edits) -> ReviewSection:
    span = section.heading_words
    heading = align(section.heading, transcript, span, edits) if span else (Piece(section.heading),)
    paragraphs = tuple(
        ReviewParagraph(p.start, p.end, align(p.text, transcript, p.words, edits)) for p in section.paragraphs
    )
    return ReviewSection(section, heading, paragraphs)


def align(text: str, transcript: Transcript, span: tuple[int, int], edits: Edits) -> tuple[Piece, ...]:
    """Cut ``text`` into pieces tied to the words ``span`` of the transcript it was written from.

    Words are found in order; a word that cannot be found (the cleanup rewrote it)
    stays plain text, so the pieces always join back to exactly ``text``.
    """
    out: list[Piece] = []
    held: list[Piece] = []  # removed words, placed just before the next word found
    cursor, i = 0, span[0]
    while i < span[1]:
        if i in edits.removed:
            held.append(_removed(transcript, i, edits.removed[i]))
            i += 1
            continue
        piece, nxt = _spoken(transcript, i, edits)
        found = _find(text, piece.text, cursor)
        if found:
            out.extend(_gap(text[cursor : found[0]]) + held + [_with_text(piece, text[found[0] : found[1]])])
            held, cursor = [], found[1]
        i = nxt
    tail = [replace(p, text=" " + p.text.strip()) for p in held]
    out.extend(_gap(text[cursor:]) + tail)
    return tuple(out)


def _spoken(transcript: Transcript, i: int, edits: Edits) -> tuple[Piece, int]:
    """The piece the words from ``i`` should appear as, and the index after them."""
    correction = edits.corrections.get(i)
    if correction is None:
        word = transcript.words[i]
        unsure = edits.unsure.get(i, "")
        return Piece(word.text, "word", word.start, word.probability, index=i, unsure=unsure), i + 1
    first, last = correction.words
    probability = min((w.probability for w in transcript.words[first:last]), default=1.0)
    fixed = by_editor(correction, transcript)
    unsure = "" if fixed else next((edits.unsure[j] for j in range(first, last) if j in edits.unsure), "")
    piece = Piece(
        correction.corrected,
        "corrected",
        correction.start,
        probability,
        correction.original,
        i,
        unsure,
        fixed,
    )
    return piece, max(last, i + 1)


def by_editor(correction: Correction, transcript: Transcript) -> bool:
    """Whether the editor made ``correction`` (a word fix respells the transcript's word as well;
    a glossary correction leaves the word as it was heard)."""
    shown = bare(transcript.words[correction.words[0]].text)
    return shown == bare(correction.corrected) != bare(correction.original)


def _removed(transcript: Transcript, i: int, reason: str) -> Piece:
    word = transcript.words[i]
    return Piece(word.text + " ", "removed", word.start, word.probability, reason, i)


def _find(text: str, word: str, cursor: int) -> tuple[int, int] | None:
    """Where ``word`` (without its punctuation) comes next in ``text``, with only punctuation before it."""
    core = word.strip().strip(".,;:!?\"'()[]{}…-–—“”‘’")
    if not core:
        return None
    lower, wanted = text.lower(), core.lower()
    if len(lower) == len(text) and len(wanted) == len(core):  # no letter changes length in lower case
        start = lower.find(wanted, cursor)  # a string search: a regex per word cost 0.1 s a draft
        found = (start, start + len(core)) if start >= 0 else None
    else:
        match = re.compile(re.escape(core), re.IGNORECASE).search(text, cursor)
        found = match.span() if match else None
    if found is None or any(ch.isalnum() for ch in text[cursor : found[0]]):
        return None
    return found


def _gap(text: str) -> list[Piece]:
    return [Piece(text)] if text else []


def _with_text(piece: Piece, text: str) -> Piece:
    return replace(piece, text=text)


def media_link(source: str, out_dir: Path | None) -> MediaLink:
    """A link from the page in ``out_dir`` to the source media, relative so the folder can travel.

    A draft made from a transcript or caption file has no media to play (``kind`` is empty).
    """
    path = Path(source)
    kind = source_kind(path)
    if kind in ("captions", "transcript") or path.suffix.lower() == ".txt":
        return MediaLink("", "")
    return MediaLink(_href(path, out_dir), "video" if kind == "video" else "audio")


def _href(path: Path, out_dir: Path | None) -> str:
    if out_dir is None:  # folder unknown: a link that works on this machine only
        return Path(os.path.abspath(path)).as_uri()
    try:
        relative = os.path.relpath(os.path.abspath(path), os.path.abspath(out_dir))
    except ValueError:  # another drive on Windows: no relative path exists
        return Path(os.path.abspath(path)).as_uri()
    # quote() also escapes ':' so a name like "clinic: talk.mp4" is not read as a URL scheme;
    # surrogateescape gives the bytes of a name that is not UTF-8, as the file system holds them
    return urllib.parse.quote(Path(relative).as_posix(), errors="surrogateescape")
