"""Caption files (SubRip ``.srt``, WebVTT ``.vtt``) read as a transcript of timed words.

A small parser rather than the ``srt`` and ``webvtt-py`` packages: both formats are the same
cue structure (an optional id, a ``start --> end`` line, text lines), one parser covers both,
and neither package removes the rolling duplicates of YouTube's automatic captions, which is
most of the work here. Tolerated: a byte-order mark, CRLF or CR line ends, the WEBVTT header,
NOTE, STYLE and REGION blocks, cue settings, missing or wrong cue numbers, ``<c>``, ``<v Speaker>``,
``<i>``, ``<font>`` and inline-time tags, ``{\\an8}`` positioning, HTML entities and ``[Music]``-style
sound labels.

Each cue's time is spread over its words in proportion to their length; words get probability 1.0.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path

from video2blog.pipeline.errors import InputError
from video2blog.pipeline.schema import Transcript, Word
from video2blog.pipeline.textutil import bare, bom_encoding, never_kept, spread_words

_TIME = r"(?:(\d+):)?(\d{1,2}):(\d{1,2})(?:[.,:](\d{1,3}))?"
_TIMING = re.compile(rf"^\s*{_TIME}\s*-->\s*{_TIME}")
_LIKE_TIMING = re.compile(r"^\s*[\d:.,]+\s*-->")  # a timing line, read or not; an arrow in words is text
# The tags of SubRip and WebVTT cue text, and WebVTT's inline times; a "<" or ">" in words ("a dose < 0.5
# mg/kg") is text.
_TAG = re.compile(r"</?(?:b|i|u|s|c|v|lang|ruby|rt|font|span)\b[^<>\n]*>|<\d+(?::\d+)+(?:\.\d+)?>", re.I)
_BREAK = re.compile(r"<br\s*/?>", re.I)  # a line break inside a cue line: a space
_ASS_TAG = re.compile(r"\{\\[^}]*\}")
_SOUND = re.compile(r"\[[^\]\n]*\]|♪+|♫+")
_SPEAKER_MARK = re.compile(r"^\s*(?:>>+|-)\s*")
# A run of words a cue repeats from the text before it counts as a rolling duplicate from this length.
MIN_OVERLAP_WORDS = 3
# A file is read as rolling captions when at least this many cues (and half of them) repeat the one before.
MIN_ROLLING_CUES = 3
# A cue shorter than this is a rolling caption's step (YouTube's 10 ms cues), not something said.
TRANSITION_S = 0.05


class CueError(ValueError):
    """A cue whose times cannot be: its words would be lost from the draft, unsaid."""


@dataclass(frozen=True)
class Cue:
    """One caption cue: its time and its text with markup removed (lines joined by spaces)."""

    start: float
    end: float
    lines: tuple[str, ...]


def read_captions(path: Path) -> Transcript:
    """The words of an ``.srt`` or ``.vtt`` file, timed from its cues.

    Raises:
        InputError: the file cannot be read or holds no cue with text.
    """
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot be read ({exc.strerror})", path) from exc
    try:
        cues = parse_cues(decode(raw))
    except CueError as exc:
        raise InputError(str(exc), path) from exc
    words = caption_words(cues)
    if not words:
        raise InputError("holds no timed caption text; is it an .srt or .vtt caption file?", path)
    return Transcript(words=words, duration=words[-1].end, engine="captions", model=path.suffix.lower()[1:])


def decode(raw: bytes) -> str:
    """Caption bytes as text: in the encoding their byte-order mark says (UTF-16 from Windows' "Unicode"),
    else UTF-8, else Windows-1252; newlines made ``\\n``."""
    marked = bom_encoding(raw)
    try:
        text = raw.decode(marked or "utf-8")
    except UnicodeDecodeError:
        text = raw.decode(marked or "cp1252", errors="replace")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def parse_cues(text: str) -> list[Cue]:
    """Cues of an SRT or VTT document, in time order.

    Read line by line rather than split at blank lines: YouTube puts a line holding one space
    inside its cues. Lines outside a cue (header, NOTE, STYLE and REGION blocks, cue numbers) are
    skipped; so is a cue number that lost the blank line before it.

    Raises:
        CueError: a cue ends before it starts, or its timing line cannot be read ("00:00:03,1000 -->"),
            naming the cue and its line: its words would be dropped, and the draft silently shorter.
    """
    cues: list[Cue] = []
    lines = text.split("\n")
    timing: tuple[float, float] | None = None
    body: list[str] = []
    count = 0
    for i, line in enumerate(lines):
        match = _TIMING.match(line)
        if not match and _LIKE_TIMING.match(line):
            raise CueError(f"cue {count + 1} (line {i + 1}) has times that cannot be read ({line.strip()})")
        if match or (timing and body and not line.strip()):
            _close(cues, timing, body)
            timing, body = (_times(match), []) if match else (None, [])
            count += bool(match)
            if timing and timing[1] < timing[0]:
                raise CueError(
                    f"cue {count} (line {i + 1}) ends before it starts ({line.strip()}); correct its times"
                )
        elif timing and line.strip() and not _is_cue_number(lines, i):
            body.append(line)
    _close(cues, timing, body)
    return sorted(cues, key=lambda c: c.start)


def _is_cue_number(lines: list[str], i: int) -> bool:
    """A bare number right before a timing line is the next cue's number, not text."""
    return lines[i].strip().isdigit() and i + 1 < len(lines) and _TIMING.match(lines[i + 1]) is not None


def _close(cues: list[Cue], timing: tuple[float, float] | None, body: list[str]) -> None:
    text = tuple(t for t in (clean_line(x) for x in body) if t)
    if timing and text:
        cues.append(Cue(timing[0], timing[1], text))


def _times(match: re.Match[str]) -> tuple[float, float]:
    groups = match.groups()
    return _seconds(groups[:4]), _seconds(groups[4:])


def _seconds(parts: tuple[str | None, ...]) -> float:
    hours, minutes, seconds, fraction = parts
    frac = float(f"0.{fraction}") if fraction else 0.0
    return int(hours or 0) * 3600 + int(minutes or 0) * 60 + int(seconds or 0) + frac


def clean_line(line: str) -> str:
    """Caption text without markup, entities, sound labels or speaker-change marks, nor the characters a
    post never keeps (a "\u202e" would show a heading backwards on the site)."""
    text = never_kept(html.unescape(_ASS_TAG.sub("", _TAG.sub("", _BREAK.sub(" ", line)))))
    text = _SPEAKER_MARK.sub("", _SOUND.sub(" ", text))
    return " ".join(text.split())


def caption_words(cues: list[Cue]) -> tuple[Word, ...]:
    """Timed words of the cues, leaving out the text a rolling caption repeats from the cue before it.

    Only a file whose cues mostly repeat the one before is read as rolling (:func:`is_rolling`); in
    any other a phrase said twice in a row is two phrases, and both are kept.
    """
    rolling = is_rolling(cues)
    words: list[Word] = []
    previous: tuple[str, ...] = ()
    for cue in cues:
        tail = [w.text for w in words[-30:]]
        if not _is_transition(cue, tail):
            fresh = _fresh_words(cue.lines, previous, tail) if rolling else " ".join(cue.lines).split()
            words.extend(spread_words(fresh, cue.start, cue.end))
        previous = cue.lines
    return tuple(words)


def is_rolling(cues: list[Cue]) -> bool:
    """Whether the cues roll: at least half of them (and :data:`MIN_ROLLING_CUES`) repeat the cue before.

    A cue repeats the one before when it starts with that cue's last line, or with a run of at least
    :data:`MIN_OVERLAP_WORDS` of its last words.
    """
    repeats = sum(_repeats(cue.lines, before.lines) for before, cue in zip(cues, cues[1:]))
    return repeats >= MIN_ROLLING_CUES and repeats * 2 >= len(cues) - 1


def _repeats(lines: tuple[str, ...], previous: tuple[str, ...]) -> bool:
    before, tokens = " ".join(previous).split()[-30:], " ".join(lines).split()
    return _lines_repeated(lines, previous) > 0 or _overlap(before, tokens) >= MIN_OVERLAP_WORDS


def _is_transition(cue: Cue, tail: list[str]) -> bool:
    """A cue too short to be read (YouTube's 10 ms cues) that only repeats the words so far."""
    tokens = " ".join(cue.lines).split()
    return cue.end - cue.start < TRANSITION_S and _overlap(tail, tokens) == len(tokens)


def _fresh_words(lines: tuple[str, ...], previous: tuple[str, ...], tail: list[str]) -> list[str]:
    """The words of a rolling cue that are new.

    Rolling captions repeat the previous cue's last lines above the new ones: those are dropped,
    then a run of at least :data:`MIN_OVERLAP_WORDS` words that continues the words so far, where the
    cue goes on past it (a cue that only repeats them was said again).
    """
    tokens = " ".join(lines[_lines_repeated(lines, previous) :]).split()
    overlap = _overlap(tail, tokens)
    return tokens[overlap:] if MIN_OVERLAP_WORDS <= overlap < len(tokens) else tokens


def _lines_repeated(lines: tuple[str, ...], previous: tuple[str, ...]) -> int:
    """How many of ``lines``' first lines are ``previous``' last lines (a roll-up's lines moved up)."""
    for size in range(min(len(lines), len(previous)), 0, -1):
        if lines[:size] == previous[-size:]:
            return size
    return 0


def _overlap(before: list[str], after: list[str]) -> int:
    """Length of the longest run that ends ``before`` and starts ``after`` (compared as bare words)."""
    left, right = [bare(w) for w in before], [bare(w) for w in after]
    for size in range(min(len(left), len(right)), 0, -1):
        if left[-size:] == right[:size]:
            return size
    return 0
