"""Missed speech: stretches the VAD hears as speech but the recogniser wrote no words for.

Whisper can skip a whole 30 s window (a prompt that crowds its context, a no-speech guess, a
timestamp that jumps ahead) and end its transcript early with no error. After each window is
transcribed, a stretch of at least :data:`HOLE_S` with no word in which Silero VAD hears at least
:data:`MISSED_SPEECH_S` of speech counts as missed. Where the words came from a prompted engine
(the glossary), the window is heard again without the prompt and whichever hearing missed less
speech is kept; the words around a hole are often mistimed, so the window is taken whole rather
than patched. Each stretch still without words is then heard alone by a second try that decodes
another way (still the same every run), and its words fill the stretch. Speech still missed is
logged as a warning and named in the draft's notes with its times: a transcript that lost speech
never passes silently.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace

import numpy as np

from video2blog.pipeline.engines import Engine
from video2blog.pipeline.ingest import media
from video2blog.pipeline.schema import Transcript, Word
from video2blog.pipeline.textutil import clock, message

log = logging.getLogger(__name__)

HOLE_S = 5.0
MISSED_SPEECH_S = 2.0
# Silero's speech stretches reach this far past the words in them (faster-whisper pads them by 0.4 s).
VAD_PAD_S = 0.5
# A stretch heard again alone is cut this much wider on each side: Whisper needs a run-up to a word.
CLIP_PAD_S = 1.0

Span = tuple[float, float]


def holes(words: tuple[Word, ...], duration: float, speech: list[Span]) -> list[Span]:
    """Stretches of at least HOLE_S without words holding at least MISSED_SPEECH_S of ``speech``.

    Each is narrowed to the speech heard in it; the VAD's margin around the words heard is not speech missed.
    """
    edges = [0.0, *(t for w in words for t in (w.start, w.end)), duration]
    found = []
    for begin, end in zip(edges[::2], edges[1::2]):
        lo, hi = begin + VAD_PAD_S, end - VAD_PAD_S
        inside = [(max(a, lo), min(b, hi)) for a, b in speech if b > lo and a < hi]
        if end - begin >= HOLE_S and sum(b - a for a, b in inside) >= MISSED_SPEECH_S:
            found.append((inside[0][0], inside[-1][1]))
    return found


def missed_seconds(words: tuple[Word, ...], duration: float, speech: list[Span]) -> float:
    """Seconds of ``speech`` inside the :func:`holes` of ``words``."""
    gaps = holes(words, duration, speech)
    return sum(max(0.0, min(b, e) - max(a, s)) for s, e in gaps for a, b in speech)


def rehear(
    part: Transcript,
    samples: np.ndarray,
    again: Callable[[], Engine] | None,
    where: float = 0.0,
    second: Callable[[], Engine] | None = None,
    whole: bool = False,
) -> Transcript:
    """``part`` with the speech it missed heard again; what is still missed is warned about and noted.

    First the whole window is heard without the prompt (``again``), kept if it misses less; then each
    stretch still without words is heard alone by the engine ``second`` builds (another way of
    decoding, see ``EngineOptions.second_try``). A stretch still empty is logged as a warning and
    named with its times in the transcript's ``notes``, which go into the draft's.

    Args:
        part: the words recognised in ``samples``, timed from their start.
        samples: the 16 kHz audio the words came from.
        again: builds (once, only when needed) the engine without a prompt; None when ``part`` had none.
        where: where ``samples`` start in the media, for the warning's times.
        second: builds (once, only when needed) the engine of the second try; None: no second try.
        whole: ``samples`` are the whole talk, as the warning says when it is heard again.
    """
    duration = len(samples) / media.SAMPLE_RATE
    speech = media.speech_spans(samples)
    lost = missed_seconds(part.words, duration, speech)
    if lost and again is not None:
        part = _without_prompt(
            part, samples, again, speech, "the whole talk" if whole else _at(where, duration)
        )
    if second is not None:
        part = _second_try(part, samples, second, speech)
    gaps = holes(part.words, duration, speech)
    notes = tuple(missed_note(where + begin, where + end, part.language or "en") for begin, end in gaps)
    for note in notes:
        log.warning("%s", note)
    return replace(part, notes=part.notes + notes) if notes else part


def missed_note(begin: float, end: float, language: str = "en") -> str:
    """The draft's note for speech heard between ``begin`` and ``end`` that no words were written for, in
    the ``language`` of the talk (the catalogue's ``note_missed``)."""
    return message(language, "note_missed", where=f"{clock(begin)}-{clock(end)}")


def _without_prompt(
    part: Transcript, samples: np.ndarray, again: Callable[[], Engine], speech: list[Span], stretch: str
) -> Transcript:
    """The window heard again without the prompt, if that misses less speech; ``stretch`` names it."""
    duration = len(samples) / media.SAMPLE_RATE
    plain = again().transcribe(samples)
    if missed_seconds(plain.words, duration, speech) >= missed_seconds(part.words, duration, speech):
        return part
    log.warning(
        "the recogniser's prompt (the glossary's terms, or the language's sample sentence) made it skip "
        "speech, so %s was heard again without it (a glossary still corrects spellings)",
        stretch,
    )
    return plain


def _second_try(
    part: Transcript, samples: np.ndarray, second: Callable[[], Engine], speech: list[Span]
) -> Transcript:
    """``part`` with the words the second try hears in each of its holes, each heard alone."""
    duration = len(samples) / media.SAMPLE_RATE
    words = list(part.words)
    for begin, end in holes(part.words, duration, speech):
        first = max(0.0, begin - CLIP_PAD_S)
        clip = samples[int(first * media.SAMPLE_RATE) : int((end + CLIP_PAD_S) * media.SAMPLE_RATE)]
        heard = second().transcribe(clip).words
        lo, hi = begin - VAD_PAD_S - first, end + VAD_PAD_S - first  # inside the hole, not its neighbours
        words.extend(_moved(w, first) for w in heard if w.start >= lo and w.end <= hi)
    if len(words) == len(part.words):
        return part
    return replace(part, words=tuple(sorted(words, key=lambda w: (w.start, w.end))))


def _moved(word: Word, by: float) -> Word:
    return replace(word, start=round(word.start + by, 3), end=round(word.end + by, 3))


def _at(where: float, duration: float) -> str:
    return f"{clock(where)}-{clock(where + duration)}"
