"""Missed speech: stretches the VAD hears as speech but the recogniser wrote no words for.

Whisper can skip a whole 30 s window (a prompt that crowds its context, a no-speech guess, a
timestamp that jumps ahead) and end its transcript early with no error. After each window is
transcribed, a stretch of at least :data:`HOLE_S` with no word in which Silero VAD hears at least
:data:`MISSED_SPEECH_S` of speech counts as missed. Where the words came from a prompted engine
(the glossary), the window is heard again without the prompt and whichever hearing missed less
speech is kept; the words around a hole are often mistimed, so the window is taken whole rather
than patched. Speech still missed is logged as a warning with its times: a transcript that lost
speech never passes silently.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import numpy as np

from video2blog.pipeline.engines import Engine
from video2blog.pipeline.ingest import media
from video2blog.pipeline.schema import Transcript, Word
from video2blog.pipeline.textutil import clock

log = logging.getLogger(__name__)

HOLE_S = 5.0
MISSED_SPEECH_S = 2.0
# Silero's speech stretches reach this far past the words in them (faster-whisper pads them by 0.4 s).
VAD_PAD_S = 0.5

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
    part: Transcript, samples: np.ndarray, again: Callable[[], Engine] | None, where: float = 0.0
) -> Transcript:
    """``part`` (the words of ``samples``), or the words ``again()``'s engine hears there if it misses less.

    Args:
        part: the words recognised in ``samples``, timed from their start.
        samples: the 16 kHz audio the words came from.
        again: builds (once, only when needed) the engine without a prompt; None when ``part`` had none.
        where: where ``samples`` start in the media, for the warning's times.
    """
    duration = len(samples) / media.SAMPLE_RATE
    speech = media.speech_spans(samples)
    lost = missed_seconds(part.words, duration, speech)
    if lost and again is not None:
        second = again().transcribe(samples)
        if missed_seconds(second.words, duration, speech) < lost:
            log.warning(
                "speech at %s was missed with the glossary prompt; heard again without it "
                "(the glossary still corrects spellings)",
                _at(where, duration),
            )
            part = second
    for begin, end in holes(part.words, duration, speech):
        log.warning(
            "speech at %s-%s was not recognised; check the draft against the media there",
            clock(where + begin), clock(where + end),
        )  # fmt: skip
    return part


def _at(where: float, duration: float) -> str:
    return f"{clock(where)}-{clock(where + duration)}"
