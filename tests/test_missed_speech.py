"""Speech the recogniser skipped is heard again without the prompt, or warned about: never lost silently."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import SAMPLE, make_words
from video2blog.pipeline.engines import EngineOptions
from video2blog.pipeline.ingest import media, missed
from video2blog.pipeline.ingest.transcribe import TranscribeOptions, _plain, transcribe_windows
from video2blog.pipeline.schema import Transcript, Word


@pytest.fixture(scope="module")
def talk() -> np.ndarray:
    return media.load_audio(SAMPLE)  # 108 s of speech with short pauses


def words_until(end: float) -> tuple[Word, ...]:
    """Words every 0.38 s from the start to ``end``: what a recogniser that stopped early wrote."""
    return tuple(w for w in make_words(" ".join(["word"] * 400)) if w.end <= end)


class Stub:
    """An engine that hears words all the way through the audio it is given."""

    name = "stub"

    def __init__(self) -> None:
        self.calls = 0

    def transcribe(self, audio: np.ndarray, progress=None) -> Transcript:
        self.calls += 1
        return Transcript(words=words_until(len(audio) / media.SAMPLE_RATE - 1.0), engine="stub")


def test_holes_are_long_wordless_stretches_with_speech_in_them():
    words = (*make_words("a b c"), *make_words("d e f", start=30.0))
    speech = [(0.0, 1.5), (10.0, 14.0), (30.0, 32.0), (50.0, 51.5)]
    assert missed.holes(words, 60.0, speech) == [(10.0, 14.0)]  # the VAD's margins, and 1.5 s: not missed
    assert missed.holes(words, 60.0, [(0.0, 1.2), (31.0, 33.0)]) == []  # the pauses are silent


def test_a_transcript_that_stops_early_is_heard_again_without_the_prompt(talk: np.ndarray, caplog):
    """The warning said "speech at 0:00-1:48 was missed with the recogniser's prompt" when the prompt had
    made it skip speech and the whole talk was heard again without it: it says what happened."""
    part = Transcript(words=words_until(70.0), engine="stub")
    stub = Stub()
    with caplog.at_level(logging.WARNING):
        heard = missed.rehear(part, talk, lambda: stub, whole=True)
        missed.rehear(part, talk, lambda: stub, where=600.0)  # one window of a long talk
    assert stub.calls == 2 and heard.words[-1].end > 100.0
    said = [r.getMessage() for r in caplog.records]
    prompt = "the recogniser's prompt (the glossary's terms, or the language's sample sentence) made it skip"
    assert said[0].startswith(f"{prompt} speech, so the whole talk was heard again without it"), said
    assert said[1].startswith(f"{prompt} speech, so 10:00-11:48 was heard again without it"), said


def test_speech_still_missed_is_warned_about_and_noted_with_its_time(talk: np.ndarray, caplog):
    part = Transcript(words=words_until(70.0), engine="stub")
    deaf = Deaf()
    with caplog.at_level(logging.WARNING):
        heard = missed.rehear(part, talk, None, where=600.0, second=lambda: deaf)
    assert heard.words == part.words and deaf.calls == 1  # the stretch was heard again, alone
    warned = [r.getMessage() for r in caplog.records if "was not recognised" in r.getMessage()]
    assert len(warned) == 1 and warned[0].startswith("speech at 11:1")  # 600 s + about 70 s
    assert heard.notes == (warned[0],)


class Deaf:
    """An engine that hears nothing."""

    name = "deaf"

    def __init__(self) -> None:
        self.calls = 0

    def transcribe(self, audio: np.ndarray, progress=None) -> Transcript:
        self.calls += 1
        return Transcript(words=(), engine="deaf")


def test_each_stretch_still_missed_is_heard_alone_by_the_second_try_and_filled(talk: np.ndarray):
    words = words_until(107.0)
    part = Transcript(words=tuple(w for w in words if not 40.0 < w.start < 60.0), engine="stub")
    stub = Stub()
    heard = missed.rehear(part, talk, None, second=lambda: stub)
    assert stub.calls == 1 and not heard.notes
    filled = [w for w in heard.words if 40.0 < w.start < 60.0]
    assert filled and len(heard.words) > len(part.words)
    assert all(a.start <= b.start for a, b in zip(heard.words, heard.words[1:]))


def test_a_whole_hearing_is_left_alone(talk: np.ndarray, caplog: pytest.LogCaptureFixture):
    stub = Stub()
    part = Transcript(words=words_until(107.0), engine="stub")
    with caplog.at_level(logging.WARNING):
        assert missed.rehear(part, talk, lambda: stub) is part
    assert stub.calls == 0 and not caplog.records


def test_only_a_prompted_engine_gets_a_second_hearing():
    assert _plain(TranscribeOptions()) is None
    again = _plain(TranscribeOptions(engine_options=EngineOptions(hotwords="ketamine.")))
    assert again is not None


def test_silence_is_no_hole(tmp_path: Path):
    quiet = np.zeros(30 * media.SAMPLE_RATE, dtype=np.float32)
    assert missed.holes((), 30.0, media.speech_spans(quiet)) == []


class Stopped(Stub):
    """A prompted engine that wrote nothing after 70 s, as tiny.en did, looping on its prompt."""

    def transcribe(self, audio: np.ndarray, progress=None) -> Transcript:
        return Transcript(words=words_until(70.0), engine="stub")


def test_a_talk_heard_in_one_window_is_said_to_be_heard_again_whole(caplog: pytest.LogCaptureFixture):
    stub = Stub()
    with caplog.at_level(logging.WARNING):
        heard = transcribe_windows(Stopped(), media.probe(SAMPLE), media.WINDOW_SECONDS, again=lambda: stub)
    assert stub.calls == 1 and heard.words[-1].end > 100.0
    said = [r.getMessage() for r in caplog.records if "heard again" in r.getMessage()]
    assert len(said) == 1 and "made it skip speech, so the whole talk was heard again without it" in said[0]
