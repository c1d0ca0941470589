"""A Ctrl-C that lands inside library code stays an interrupt.

rapidocr builds its configuration with OmegaConf, which turns a KeyboardInterrupt raised inside it
into a ConfigKeyError or swallows it; a batch with ``--jobs 1`` then counted the video as failed,
logged a traceback and went on. The signals here are real (``os.kill`` of this process) and go to
the real handlers; the OCR reader is the real rapidocr one.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from types import FrameType
from typing import Any

import pytest

from video2blog.pipeline.batch.jobs import InlineExecutor
from video2blog.pipeline.ingest import screen
from video2blog.pipeline.signals import held_signals, noting_signals, restore_handlers


@pytest.fixture(autouse=True)
def ctrl_c_raises() -> Iterator[None]:
    """Ctrl-C raises KeyboardInterrupt here, even in a suite started with SIGINT ignored."""
    saved = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, saved)


def interrupt_self() -> None:
    os.kill(os.getpid(), signal.SIGINT)


def test_a_ctrl_c_inside_a_held_step_is_raised_when_the_step_ends():
    steps = []
    with pytest.raises(KeyboardInterrupt):
        with held_signals():
            interrupt_self()
            steps.append("after the signal")  # not reached were the signal raised at once
        steps.append("after the block")
    assert steps == ["after the signal"]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


class Terminated(Exception):
    """What the SIGTERM handler of these tests raises (the CLI's raises its own KeyboardInterrupt)."""


@pytest.fixture
def sigterm_raises() -> Iterator[list[int]]:
    """A SIGTERM handler that records each call and raises :class:`Terminated`."""
    got: list[int] = []

    def on_term(signum: int, frame: FrameType | None) -> None:
        got.append(signum)
        raise Terminated

    saved = signal.signal(signal.SIGTERM, on_term)
    yield got
    signal.signal(signal.SIGTERM, saved)


def test_a_sigterm_inside_a_held_step_goes_to_its_own_handler_once(sigterm_raises: list[int]):
    with pytest.raises(Terminated), held_signals():
        os.kill(os.getpid(), signal.SIGTERM)
        os.kill(os.getpid(), signal.SIGTERM)
        assert sigterm_raises == []
    assert sigterm_raises == [signal.SIGTERM]
    assert signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL


def test_of_a_ctrl_c_and_a_sigterm_held_together_the_sigterm_ends_the_run(sigterm_raises: list[int]):
    with pytest.raises(BaseException) as caught, held_signals():  # which one is the point
        interrupt_self()
        os.kill(os.getpid(), signal.SIGTERM)
    assert isinstance(caught.value, Terminated)  # not the Ctrl-C's KeyboardInterrupt: exit status 143
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_a_step_that_fails_while_holding_a_ctrl_c_ends_interrupted():
    with pytest.raises(KeyboardInterrupt) as caught, held_signals():
        interrupt_self()
        raise ValueError("the step's own error")
    assert isinstance(caught.value.__context__, ValueError)


def test_the_ocr_reader_is_built_whole_before_a_ctrl_c_inside_omegaconf_is_raised():
    """The signal is sent from inside OmegaConf's config building (a trace counts its lines)."""
    screen.build_reader(2)  # rapidocr's lazy imports done: what is traced below is the config building
    lines = _omegaconf_lines(lambda: screen.build_reader(2))
    assert lines > 100
    built = []
    for k in (lines // 10, lines // 2, lines * 9 // 10):
        screen._READERS.clear()
        with pytest.raises(KeyboardInterrupt):
            sys.settrace(_signal_at_line(k))
            try:
                screen.reader(2)
            finally:
                sys.settrace(None)
        built.append(2 in screen._READERS)
    assert built == [True, True, True]  # without the hold the interrupt stops the build: nothing is kept


def _omegaconf_lines(step: Callable[[], object]) -> int:
    count = [0]

    def trace(frame: FrameType, event: str, arg: object) -> Any:
        if "omegaconf" not in frame.f_code.co_filename:
            return None
        count[0] += event == "line"
        return trace

    sys.settrace(trace)
    try:
        step()
    finally:
        sys.settrace(None)
    return count[0]


def _signal_at_line(k: int) -> Any:
    count = [0]

    def trace(frame: FrameType, event: str, arg: object) -> Any:
        if "omegaconf" not in frame.f_code.co_filename:
            return None
        if event == "line":
            count[0] += 1
            if count[0] == k:
                interrupt_self()
        return trace

    return trace


def library_step() -> str:
    """Like OmegaConf: a KeyboardInterrupt raised inside comes out as an error of its own."""
    try:
        interrupt_self()
        return "finished"
    except KeyboardInterrupt:
        raise RuntimeError("'NoneType' object has no attribute 'flags'") from None


def test_a_job_failing_after_a_ctrl_c_ends_a_one_job_batch_as_interrupted():
    with pytest.raises(KeyboardInterrupt):
        InlineExecutor().submit(library_step)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_a_sigterm_turned_into_an_error_goes_to_the_sigterm_handler_again(sigterm_raises: list[int]):
    def terminated_step() -> None:
        try:
            os.kill(os.getpid(), signal.SIGTERM)
        except Terminated:
            raise RuntimeError("the library's own error") from None

    with pytest.raises(Terminated):
        InlineExecutor().submit(terminated_step)
    assert sigterm_raises == [signal.SIGTERM, signal.SIGTERM]


def test_a_job_whose_library_swallows_the_ctrl_c_still_ends_a_one_job_batch():
    def swallowing() -> str:
        with contextlib.suppress(KeyboardInterrupt):
            interrupt_self()
        return "finished"

    with pytest.raises(KeyboardInterrupt):
        InlineExecutor().submit(swallowing)


def test_a_job_without_a_signal_gives_its_result_or_its_error():
    assert InlineExecutor().submit(lambda: "drafted").result() == "drafted"


def test_a_job_failing_without_a_signal_is_a_failed_video():
    def broken() -> None:
        raise ValueError("not a video")

    future = InlineExecutor().submit(broken)
    assert isinstance(future.exception(), ValueError)


def test_outside_the_main_thread_signals_are_neither_held_nor_noted():
    seen: list[Any] = []

    def worker() -> None:
        with noting_signals() as came, held_signals():
            seen.append((came, signal.getsignal(signal.SIGINT)))

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join(10)
    assert seen == [([], signal.default_int_handler)]


def test_every_handler_is_put_back_though_a_signal_lands_between_two(monkeypatch: pytest.MonkeyPatch):
    """The CLI and the wrappers here put their handlers back through ``restore_handlers``: a SIGTERM
    that lands after the first is put back, while the second is still the one to be replaced, raises
    there; the second is put back all the same."""

    def keep_int(_signum: int, _frame: FrameType | None) -> None: ...

    def keep_term(_signum: int, _frame: FrameType | None) -> None: ...

    def raising(_signum: int, _frame: FrameType | None) -> None:
        raise RuntimeError("the SIGTERM landed between two handlers")

    real = signal.signal

    def then_sigterm(signum: int, handler: Any) -> Any:
        before = real(signum, handler)
        if signum == signal.SIGINT:
            os.kill(os.getpid(), signal.SIGTERM)
        return before

    saved_term = signal.signal(signal.SIGTERM, raising)
    try:
        monkeypatch.setattr(signal, "signal", then_sigterm)
        with pytest.raises(RuntimeError, match="between two"):
            restore_handlers({signal.SIGTERM: keep_term, signal.SIGINT: keep_int})
        monkeypatch.undo()
        assert signal.getsignal(signal.SIGINT) is keep_int
        assert signal.getsignal(signal.SIGTERM) is keep_term
    finally:
        real(signal.SIGTERM, saved_term)


def test_the_cli_puts_back_every_handler_though_a_sigterm_lands_while_it_does(
    monkeypatch: pytest.MonkeyPatch,
):
    """The command's own handlers (``cli._errors_to_exit``) go back through ``restore_handlers``: a SIGTERM
    that lands after the first handler is put back still reaches the command's handler, which raises,
    and the handlers before the command are all put back."""
    from video2blog.cli import _errors_to_exit

    def keep_term(_signum: int, _frame: FrameType | None) -> None: ...

    real = signal.signal
    calls: list[int] = []

    def then_sigterm(signum: int, handler: Any) -> Any:
        before = real(signum, handler)
        calls.append(signum)
        if len(calls) == 1:
            os.kill(os.getpid(), signal.SIGTERM)
        return before

    saved_term = real(signal.SIGTERM, keep_term)
    saved_alarm = signal.getsignal(signal.SIGALRM)
    try:
        guard = _errors_to_exit()
        guard.__enter__()
        monkeypatch.setattr(signal, "signal", then_sigterm)
        with pytest.raises(KeyboardInterrupt):
            guard.__exit__(None, None, None)
        monkeypatch.undo()
        assert calls[0] == signal.SIGALRM  # put back first: a finalizer's retry never meets its default
        assert signal.getsignal(signal.SIGTERM) is keep_term
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    finally:
        real(signal.SIGTERM, saved_term)
        real(signal.SIGALRM, saved_alarm)
