"""Caption cues: a transcript's sentences laid out as subtitles are (the SRT and WebVTT writers' cues).

A cue holds one sentence, or an even share of a long one, on at most two lines of :data:`CAPTION_LINE`
characters, broken where a reader pauses (after a comma, not after "the" or "Dr."), and it stays up long
enough to be read (:data:`READING_CPS`) where the next cue leaves room, never past the end of the media.
A word an editor rewrote as several ("the nervous system" for "nerves") is laid out as those words,
sharing its time. A word the post writes against the one before ("0" ".5mg" as "0.5mg") is joined to it
as there, and no line or cue breaks between them.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import replace
from functools import cache

from video2blog.pipeline.schema import Correction, Transcript, Word
from video2blog.pipeline.textutil import attaches, join_words, spread_words, word_list

# A cue holds two lines of CAPTION_LINE characters (subtitle practice) and lasts at most CAPTION_SECONDS.
CAPTION_LINE = 42
CAPTION_CHARS = 2 * CAPTION_LINE
CAPTION_SECONDS = 6.0
# A cue stays up at least MIN_CUE_SECONDS, and long enough to read at READING_CPS characters a second,
# where the next cue leaves room (MIN_CUE_GAP before it); none is shorter than MIN_CUE_GAP.
MIN_CUE_SECONDS = 1.0
READING_CPS = 17.0
MIN_CUE_GAP = 0.1
# A cue still shorter than MIN_CUE_SECONDS joins the one before where that ended at most this long before.
JOIN_WITHIN_S = 1.0
# Words a line does not end on ("the", "of"), as a sentence does not (English's; no other language's
# ship); and a language's abbreviations ("Dr.", "Dra."), which no line ends on either.
DANGLING_FILES = {"en": "dangling_words.txt"}
ABBREVIATION_FILES = {"en": "abbreviations.txt", "es": "abbreviations-es.txt"}
# What a line break costs, in characters of the longer line: after a word that leads into the next, and
# (a saving) after a clause's punctuation.
DANGLING_COST = 12
CLAUSE_SAVING = 6

Cue = tuple[float, float, str]


@cache
def _leading(language: str) -> frozenset[str]:
    """The words a line of a talk in ``language`` does not end on, as written ("the", "Dr." lower-cased)."""
    dangling = word_list(DANGLING_FILES[language]) if language in DANGLING_FILES else frozenset()
    short = word_list(ABBREVIATION_FILES[language]) if language in ABBREVIATION_FILES else frozenset()
    return dangling | {f"{word}." for word in short}


def caption_cues(transcript: Transcript, skip: Collection[int] = frozenset()) -> list[Cue]:
    """(start, end, text) caption cues: a sentence each, split where too long to read, none without length.

    Words whose index is in ``skip`` (those Whisper invented) are left out, and words an editor deleted
    from the post (spelt "").
    """
    cues: list[Cue] = []
    leading = _leading(transcript.language)
    for sentence in transcript.sentences:
        first, last = sentence.words
        said = [i for i in range(first, last) if i not in skip and transcript.words[i].text]
        pieces = _attached([p for i in said for p in _pieces(transcript, i)])
        cues += [_cue(chunk, leading) for chunk in _balanced(pieces)]
    return _with_length(cues, transcript.duration, leading)


def corrected_words(transcript: Transcript, corrections: Iterable[Correction]) -> Transcript:
    """The transcript with each glossary correction spelt as the post spells it (its first word the term,
    with the heard words' punctuation, the rest blanked), so the captions read what the post reads. A
    correction whose words are no longer as heard (an editor's fix or rewrite is there) is left alone."""
    words = list(transcript.words)
    for correction in corrections:
        first, last = correction.words
        if not 0 <= first < last <= len(words) or _said(words[first:last]) != _said_text(correction.original):
            continue
        lead = re.match(r"\W*", words[first].text).group()  # type: ignore[union-attr]
        trail = re.search(r"\W*$", words[last - 1].text).group()  # type: ignore[union-attr]
        term = correction.corrected
        if words[first].text[len(lead) : len(lead) + 1].isupper() and term[:1].islower():
            term = term[0].upper() + term[1:]  # a sentence's first word, as the post writes it
        # an editor's fix that put them there ("# nurse", "(nurse)") spells them in the term already
        lead, trail = "" if term.startswith(lead) else lead, "" if term.endswith(trail) else trail
        words[first] = replace(words[first], text=lead + term + trail)
        words[first + 1 : last] = [replace(w, text="") for w in words[first + 1 : last]]
    return replace(transcript, words=tuple(words))


def _said(words: list[Word]) -> list[str]:
    return _said_text(" ".join(w.text for w in words))


def _said_text(text: str) -> list[str]:
    return re.sub(r"[^\w\s'-]", " ", text).lower().split()


def _pieces(transcript: Transcript, i: int) -> list[Word]:
    """Word ``i`` as the words it is spelt with, its time shared by their lengths."""
    word = transcript.words[i]
    texts = word.text.split()
    return [word] if len(texts) < 2 else spread_words(texts, word.start, word.end)


def _attached(pieces: list[Word]) -> list[Word]:
    """Each piece the post writes against the one before (cleanup's rule: ".5mg" after "0") made one
    with it, so that the captions read "0.5mg" as the post does, never "0" ending a line or a cue."""
    out: list[Word] = []
    for piece in pieces:
        if out and attaches(piece.text, out[-1].text):
            out[-1] = replace(out[-1], text=out[-1].text + piece.text, end=max(out[-1].end, piece.end))
        else:
            out.append(piece)
    return out


def _balanced(pieces: list[Word]) -> list[list[Word]]:
    """A sentence's words in as few cues as hold them, of about equal length: a long sentence is not
    filled to the brim and its last word left to flash alone ("joint.", half a second)."""
    greedy: list[list[Word]] = []
    for piece in pieces:
        if greedy and not _overflows([*greedy[-1], piece]):
            greedy[-1].append(piece)
        else:
            greedy.append([piece])
    if len(greedy) < 2:
        return greedy
    sizes = [len(p.text) + 1 for p in pieces]
    target, even, size = sum(sizes) / len(greedy), [[pieces[0]]], sizes[0]
    for piece, width in zip(pieces[1:], sizes[1:]):
        if len(even) < len(greedy) and size + width / 2 > target * len(even):
            even.append([])
        even[-1].append(piece)
        size += width
    fits = all(not _overflows(chunk) for chunk in even)
    return even if fits and len(even) == len(greedy) else greedy


def _overflows(chunk: list[Word]) -> bool:
    """Whether ``chunk`` is more than one cue holds: two lines of :data:`CAPTION_LINE`, CAPTION_SECONDS."""
    text = _text(chunk)
    return _break_at(text) is None or chunk[-1].end - chunk[0].start > CAPTION_SECONDS


def _text(chunk: list[Word]) -> str:
    return join_words([p.text for p in chunk]).replace("-->", "->")


def _cue(chunk: list[Word], leading: frozenset[str]) -> Cue:
    return chunk[0].start, chunk[-1].end, two_lines(_text(chunk), leading)


def two_lines(text: str, leading: frozenset[str] = frozenset()) -> str:
    """A cue's text on one line where it fits :data:`CAPTION_LINE`, else on two, broken at the space
    that leaves the longer line shortest, after a clause rather than after a word ``leading`` into the
    next."""
    at = _break_at(text, leading)
    if at is None:  # a word longer than a line (an address): the space that leaves the longer line shortest
        spaces = [k for k, ch in enumerate(text) if ch == " "]
        at = min(spaces, key=lambda k: (max(k, len(text) - k - 1), -k)) if spaces else -1
    return text if at < 0 else f"{text[:at]}\n{text[at + 1 :]}"


def _break_at(text: str, leading: frozenset[str] = frozenset()) -> int | None:
    """Where ``text`` breaks into two lines that fit: -1 where one line holds it, None where none do."""
    if len(text) <= CAPTION_LINE:
        return -1
    fits = [
        k
        for k, ch in enumerate(text)
        if ch == " " and k <= CAPTION_LINE and len(text) - k - 1 <= CAPTION_LINE
    ]
    if not fits:
        return None
    return min(fits, key=lambda k: (max(k, len(text) - k - 1) + _break_cost(text[:k], leading), -k))


def _break_cost(line: str, leading: frozenset[str]) -> int:
    """What ending a first line with ``line``'s last word costs: a word leading on, or a clause's end."""
    last = line.rsplit(" ", 1)[-1].lower()
    if last.rstrip(",;:!?\"')") in leading:
        return DANGLING_COST
    return -CLAUSE_SAVING if last[-1:] in ",;:.!?" else 0


def _with_length(cues: list[Cue], duration: float, leading: frozenset[str]) -> list[Cue]:
    """Each cue kept up long enough to read where the next cue leaves room, and not past ``duration``
    (where known); one still too short joins the cue just before it where the two fit, else stays, at
    least :data:`MIN_CUE_GAP` long and never before the cue before it ends."""
    out: list[Cue] = []
    for k, (start, end, text) in enumerate(cues):
        start = max(start, out[-1][1]) if out else start
        room = cues[k + 1][0] - MIN_CUE_GAP if k + 1 < len(cues) else float("inf")
        if duration > 0:
            room = min(room, duration)
        wanted = start + max(MIN_CUE_SECONDS, len(_flat(text)) / READING_CPS)
        end = max(end, min(wanted, room))
        end = min(end, duration) if duration > 0 else end
        if out and end - start < MIN_CUE_SECONDS and _joins(out[-1], start, text):
            before = out.pop()
            joined = two_lines(join_words([_flat(before[2]), _flat(text)]), leading)
            out.append((before[0], max(before[1], end), joined))
        else:
            out.append((start, max(end, start + MIN_CUE_GAP), text))
    return out


def _joins(before: Cue, start: float, text: str) -> bool:
    """Whether a short cue starting at ``start`` can join ``before``: close behind it, and the two fit."""
    joined = join_words([_flat(before[2]), _flat(text)])
    return (
        start - before[1] <= JOIN_WITHIN_S
        and _break_at(joined) is not None
        and start - before[0] < CAPTION_SECONDS
    )


def _flat(text: str) -> str:
    return text.replace("\n", " ")
