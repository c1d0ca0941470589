"""Ctrl-C and SIGTERM around library code that does not survive them.

Some libraries turn the KeyboardInterrupt a signal raises inside them into an error of their own, or
swallow it: rapidocr builds its configuration with OmegaConf, where a Ctrl-C that lands inside fails
the build with a ConfigKeyError or is lost (49 and 4 of 300 timed interrupts in one run here:
``python -m benchmarks.bench_interrupts``). Two tools keep such an interrupt an interrupt:

- :func:`held_signals` holds SIGINT and SIGTERM over a short step and handles them when it ends;
- :func:`noting_signals` notes the signals that came during a long step, each handled as before at
  once, so that its caller can tell an error the interrupt caused from a real one.

Only the main thread sets handlers (Python runs them there), and only Python handlers are wrapped:
where a signal is ignored or kills the process there is nothing to hold or note.
"""

from __future__ import annotations

import inspect
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from types import FrameType
from typing import Any

Handler = Callable[[int, FrameType | None], Any]  # a Python signal handler
SIGNALS = (signal.SIGINT, signal.SIGTERM)


@contextmanager
def noting_signals() -> Iterator[list[int]]:
    """The signals that come inside the block, in order; each still goes to its handler at once."""
    came: list[int] = []
    saved = _wrap(lambda handler: partial(_note, came, handler))
    try:
        yield came
    finally:
        _restore(saved)


@contextmanager
def held_signals() -> Iterator[None]:
    """SIGINT and SIGTERM that come inside the block go to their handlers when it ends.

    For steps of a second or two: a Ctrl-C waits for them.
    """
    came: list[int] = []
    saved = _wrap(lambda _handler: partial(_hold, came))
    try:
        yield
    finally:
        _restore(saved)
        for signum in dict.fromkeys(came):  # each signal once, in the order they came
            saved[signum](signum, inspect.currentframe())


def _wrap(make: Callable[[Handler], Handler]) -> dict[int, Handler]:
    """Each Python handler of :data:`SIGNALS` replaced by ``make(handler)``; the replaced ones."""
    saved: dict[int, Handler] = {}
    if threading.current_thread() is not threading.main_thread():
        return saved
    try:
        for signum in SIGNALS:
            handler = signal.getsignal(signum)
            if callable(handler):
                saved[signum] = handler
                signal.signal(signum, make(handler))
    except BaseException:  # a signal between the two: no handler is left wrapped
        _restore(saved)
        raise
    return saved


def _restore(saved: dict[int, Handler]) -> None:
    for signum, handler in saved.items():
        signal.signal(signum, handler)


def _note(came: list[int], handler: Handler, signum: int, frame: FrameType | None) -> Any:
    came.append(signum)
    return handler(signum, frame)


def _hold(came: list[int], signum: int, _frame: FrameType | None) -> None:
    came.append(signum)
