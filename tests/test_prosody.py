"""The voice's pitch at each word's end (ingest/prosody.py): a question's voice rises, a statement's falls."""

from __future__ import annotations

import shutil
import subprocess
import wave
from pathlib import Path

import numpy as np
import pytest

from video2blog.pipeline.ingest import prosody
from video2blog.pipeline.schema import Transcript, Word
from video2blog.pipeline.serialize import transcript_from_dict, transcript_to_dict
from video2blog.pipeline.text import asked

RATE = 16000


def tone(hz_from: float, hz_to: float, seconds: float) -> np.ndarray:
    """A voiced sound (a fundamental and two harmonics) gliding from one pitch to another."""
    t = np.arange(round(seconds * RATE)) / RATE
    hz = np.linspace(hz_from, hz_to, len(t))
    phase = 2 * np.pi * np.cumsum(hz) / RATE
    return (0.3 * np.sin(phase) + 0.2 * np.sin(2 * phase) + 0.1 * np.sin(3 * phase)).astype(np.float32)


def test_a_gliding_voice_reads_at_its_pitch_and_rises_or_falls_by_its_interval():
    rising, falling = tone(110, 165, 0.6), tone(200, 150, 0.6)  # a fifth up; about five semitones down
    audio = np.concatenate([rising, np.zeros(RATE // 5, np.float32), falling])
    words = (Word("sube", 0.0, 0.6, 1.0), Word("baja", 0.8, 1.4, 1.0))
    up, down = prosody.with_pitch(words, audio)
    # the middle of each glide, and the interval from there to its end (165 / 137.5: 3.2 semitones up; 150 /
    # 175: 2.7 down), within a semitone
    assert up.pitch is not None and 128 <= up.pitch <= 148
    assert up.rise is not None and 2.2 <= up.rise <= 4.2
    assert down.pitch is not None and 165 <= down.pitch <= 185
    assert down.rise is not None and -3.7 <= down.rise <= -1.7


def test_silence_and_noise_have_no_pitch():
    noise = np.random.default_rng(1).normal(0, 0.1, RATE).astype(np.float32)
    audio = np.concatenate([np.zeros(RATE, np.float32), noise])
    quiet, hiss = prosody.with_pitch((Word("a", 0.0, 1.0, 1.0), Word("b", 1.0, 2.0, 1.0)), audio)
    assert (quiet.pitch, quiet.rise, hiss.pitch, hiss.rise) == (None, None, None, None)


def test_pitch_survives_transcript_json_and_is_left_out_where_not_heard():
    words = (Word("¿Duele", 0.0, 0.4, 0.9, 120.5, 2.5), Word("mucho?", 0.4, 0.9, 0.8))
    data = transcript_to_dict(Transcript(words=words, language="es"))
    assert data["words"][0]["pitch"] == 120.5 and "pitch" not in data["words"][1]
    assert transcript_from_dict(data).words == words


def espeak(text: str, path: Path) -> np.ndarray:
    subprocess.run(["espeak-ng", "-v", "es", "-s", "135", "-w", str(path), text], check=True)
    with wave.open(str(path)) as f:
        rate, data = f.getframerate(), f.readframes(f.getnframes())
    samples = np.frombuffer(data, dtype=np.int16).astype(np.float32) / 32768
    positions = np.arange(0, len(samples), rate / RATE)
    return np.interp(positions, np.arange(len(samples)), samples).astype(np.float32)


@pytest.mark.skipif(not shutil.which("espeak-ng"), reason="espeak-ng (Debian package) is missing")
def test_a_spoken_yes_no_question_ends_higher_than_the_same_words_said_as_a_statement(tmp_path):
    said = "Es normal sentir dolor durante los ejercicios"
    levels = []
    for text in (f"¿{said}?", f"{said}."):
        audio = espeak(text, tmp_path / "talk.wav")
        seconds = np.flatnonzero(np.abs(audio) > 0.02)[-1] / RATE  # where the speech ends
        # the words evenly over the speech; the last one is long enough to carry the ending
        names = said.split()
        step = seconds / len(names)
        words = tuple(Word(n, i * step, (i + 1) * step, 1.0) for i, n in enumerate(names))
        heard = asked.voice(prosody.with_pitch(words, audio))
        assert heard is not None
        levels.append(heard)
    question, statement = levels
    assert question > statement + 0.1, levels  # more than a semitone apart, in octaves
    assert statement < 0, levels  # the statement falls below its own middle


def test_mains_hum_below_the_voice_has_no_pitch_and_a_voice_over_it_keeps_its_own():
    seconds = np.arange(2 * RATE) / RATE
    hum = (0.3 * np.sin(2 * np.pi * 50 * seconds)).astype(np.float32)  # 50 Hz: below any voice
    voice = np.concatenate([tone(120, 120, 1.0), np.zeros(RATE, np.float32)])
    words = (Word("voz", 0.0, 1.0, 1.0), Word("zumbido", 1.0, 2.0, 1.0))
    spoken, humming = prosody.with_pitch(words, voice + 0.3 * hum)
    assert spoken.pitch is not None and 115 <= spoken.pitch <= 125
    assert (humming.pitch, humming.rise) == (None, None)


def test_a_jump_of_an_octave_within_a_word_is_taken_for_the_trackers_error_not_a_rise():
    jump = np.concatenate([tone(110, 110, 0.4), tone(220, 220, 0.1)])
    (word,) = prosody.with_pitch((Word("sí", 0.0, 0.5, 1.0),), jump)
    assert (word.pitch, word.rise) == (None, None)
