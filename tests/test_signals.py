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
from collections.abc import Iterator
from types import FrameType
from typing import Any

import pytest

from video2blog.pipeline.batch.jobs import InlineExecutor
from video2blog.pipeline.ingest import screen
from video2blog.pipeline.signals import held_signals, noting_signals


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


def test_a_sigterm_inside_a_held_step_goes_to_its_own_handler_once(monkeypatch: pytest.MonkeyPatch):
    got: list[int] = []

    def on_term(signum: int, frame: FrameType | None) -> None:
        got.append(signum)

    saved = signal.signal(signal.SIGTERM, on_term)
    try:
        with held_signals():
            os.kill(os.getpid(), signal.SIGTERM)
            os.kill(os.getpid(), signal.SIGTERM)
            assert got == []
        assert got == [signal.SIGTERM]
        assert signal.getsignal(signal.SIGTERM) is on_term
    finally:
        signal.signal(signal.SIGTERM, saved)


def test_the_ocr_reader_is_built_whole_before_a_ctrl_c_inside_omegaconf_is_raised():
    """The signal is sent from inside OmegaConf's config building (a trace counts its lines)."""
    screen.reader(2)  # rapidocr's lazy imports done, so the k-th line below is inside the config building
    built = []
    for k in (50, 400, 1500):
        screen._reader.cache_clear()
        with pytest.raises(KeyboardInterrupt):
            sys.settrace(_signal_at_line(k))
            try:
                screen.reader(2)
            finally:
                sys.settrace(None)
        built.append(screen._reader.cache_info().currsize)
    assert built == [1, 1, 1]  # without the hold the interrupt stops the build: nothing is cached


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
    with pytest.raises(KeyboardInterrupt) as caught:
        InlineExecutor().submit(library_step)
    assert isinstance(caught.value.__cause__, RuntimeError)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


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
