"""Repetition loops: the same phrase decoded again and again, cut to its first saying (both engines)."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from video2blog.pipeline.schema import Word

log = logging.getLogger(__name__)

# Decoding at temperature 0 only (the same words every run; both engines) loses Whisper's own way out of a
# repetition loop, the fall-back to sampling: tiny.en ends the sample "Thank you. Bye. Bye. Bye. ..." a
# hundred times.
# A phrase of up to 20 words said four times or more in a row is a loop, not speech: its first is kept.
LOOP_REPEATS = 4
LOOP_LONGEST = 20  # words in the longest phrase looked for


def without_loops(words: Sequence[Word]) -> list[Word]:
    """``words`` less the repeats of a loop (see :data:`LOOP_REPEATS`)."""
    keys = [w.text.strip().lower() for w in words]
    kept: list[Word] = []
    i = 0
    while i < len(words):
        size, count = _loop_at(keys, i)
        kept.extend(words[i : i + size])
        i += size * count
    if len(kept) < len(words):
        log.info("dropped %d words of a repetition loop", len(words) - len(kept))
    return kept


def _loop_at(keys: list[str], i: int) -> tuple[int, int]:
    """(phrase length, times in a row) of a loop starting at ``i``; (1, 1) where there is none."""
    for size in range(1, LOOP_LONGEST + 1):
        phrase, count = keys[i : i + size], 1
        while keys[i + size * count : i + size * (count + 1)] == phrase:
            count += 1
        if count >= LOOP_REPEATS:
            return size, count
    return 1, 1
