"""Ctrl-C, SIGTERM and SIGHUP (the terminal closed) around library code that does not survive them.

Some libraries turn the KeyboardInterrupt a signal raises inside them into an error of their own, or
swallow it: rapidocr builds its configuration with OmegaConf, where a Ctrl-C that lands inside fails
the build with a ConfigKeyError or is lost (49 and 4 of 300 timed interrupts in one run here:
``python -m benchmarks.bench_interrupts``). Two tools keep such an interrupt an interrupt:

- :func:`held_signals` holds SIGINT, SIGTERM and SIGHUP over a short step and delivers them when it ends;
- :func:`noting_signals` notes the signals that come during a long step, each going to its handler at
  once as before, so that its caller can :func:`deliver_again` one that the step's library turned into
  an error or swallowed;
- :func:`restore_handlers` puts saved handlers back, all of them even where a signal lands between two
  (these tools and the CLI's own handlers).

Only the main thread sets handlers (Python runs them there), and only Python handlers are wrapped:
where a signal is ignored or kills the process there is nothing to hold or note.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import partial
from types import FrameType
from typing import Any

Handler = Callable[[int, FrameType | None], Any]  # a Python signal handler


class Terminated(KeyboardInterrupt):
    """SIGTERM, or SIGHUP (the terminal closed), raised like Ctrl-C so that the same clean-up runs."""

    def __init__(self, signum: int = signal.SIGTERM) -> None:
        super().__init__(signum)
        self.signum = signum

    @property
    def exit_status(self) -> int:
        """The shell's status for a run ended by the signal: 143 for SIGTERM, 129 for SIGHUP."""
        return 128 + self.signum


# The order they are delivered in when several came: the gravest first.
SIGNALS = (signal.SIGTERM, signal.SIGHUP, signal.SIGINT)


@contextmanager
def noting_signals() -> Iterator[list[int]]:
    """The signals that come inside the block, in order; each still goes to its handler at once."""
    came: list[int] = []
    saved: dict[int, Handler] = {}
    try:
        _wrap(lambda handler: partial(_note, came, handler), saved)
        yield came
    finally:
        restore_handlers(saved)


@contextmanager
def held_signals() -> Iterator[None]:
    """SIGINT, SIGTERM and SIGHUP that come inside the block are held; when it ends, the gravest of them
    (in the order of :data:`SIGNALS`, so that a run asked to end by two ends as terminated) goes to its
    handler once (:func:`deliver_again`).

    For steps of a second or two: a Ctrl-C waits for them.
    """
    came: list[int] = []
    saved: dict[int, Handler] = {}
    try:
        _wrap(lambda _handler: partial(_hold, came), saved)
        yield
    finally:
        restore_handlers(saved)
        if came:
            deliver_again(came)


def deliver_again(came: Sequence[int]) -> None:
    """Send the process the gravest signal of ``came`` (in the order of :data:`SIGNALS`) again, so that
    the handler installed now deals with it; KeyboardInterrupt where that handler raises nothing."""
    signal.raise_signal(min(set(came), key=SIGNALS.index))
    raise KeyboardInterrupt


def _wrap(make: Callable[[Handler], Handler], saved: dict[int, Handler]) -> None:
    """Each Python handler of :data:`SIGNALS` replaced by ``make(handler)``, the replaced ones kept in
    ``saved`` (filled before each is replaced: a signal that lands in between leaves nothing unrestored)."""
    if threading.current_thread() is not threading.main_thread():
        return
    for signum in SIGNALS:
        handler = signal.getsignal(signum)
        if callable(handler):
            saved[signum] = handler
            signal.signal(signum, make(handler))


def restore_handlers(saved: dict[int, Any]) -> None:
    """Put back the handlers in ``saved`` (signal number to handler, as :func:`signal.getsignal` gave
    it), the last saved first; all of them, even where a signal that lands between two raises."""
    pending = list(saved.items())
    try:
        while pending:
            signum, handler = pending[-1]
            signal.signal(signum, handler)
            pending.pop()
    finally:
        for signum, handler in pending:
            signal.signal(signum, handler)


def _note(came: list[int], handler: Handler, signum: int, frame: FrameType | None) -> Any:
    came.append(signum)
    return handler(signum, frame)


def _hold(came: list[int], signum: int, _frame: FrameType | None) -> None:
    came.append(signum)
