"""Where the voice goes at the end of each word: the pitch cue that tells a spoken question.

A Spanish yes/no question has a statement's words; only the voice tells them apart, rising at its end
("¿Es normal sentir dolor?") where a statement falls ("Es normal sentir dolor."), and the recogniser
often writes both with a full stop. So each word gets its median pitch in Hz
(:attr:`~video2blog.pipeline.schema.Word.pitch`) and its :attr:`~video2blog.pipeline.schema.Word.rise`:
the interval in semitones from that to its last voiced pitch (positive: the voice rose); both None where
too little of the word is voiced to say. The sentence stage of a language whose
questions are told by the voice weighs it (``pipeline/text/asked.py``).

Pitch is read every :data:`HOP_S` from the normalised autocorrelation of :data:`FRAME_S` of audio, the
textbook estimator: a frame is voiced where its best period between :data:`LOW_HZ` and :data:`HIGH_HZ`
repeats with correlation :data:`VOICED` or more and it is not near silence. The shortest period whose
peak comes close to the best (:data:`OCTAVE_SHARE`) is taken, so that a doubled period does not halve
the pitch, and placed between lags by a parabola through its peak.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from video2blog.pipeline.engines.base import SAMPLE_RATE
from video2blog.pipeline.schema import Word

FRAME_S = 0.04
HOP_S = 0.01
LOW_HZ = 70.0
HIGH_HZ = 400.0
VOICED = 0.5
OCTAVE_SHARE = 0.85
# A frame quieter than this share of the audio's loud frames (95th percentile) is silence.
QUIET_SHARE = 0.05
MIN_VOICED = 5  # frames of a word (50 ms) needed to say where its voice went
END_FRAMES = 3  # the word's last voiced frames whose median is its end pitch
TAIL_S = 0.1  # the recogniser may end a word before its voice stops: look this far on, up to the next word
# Semitones: a voice moves less than this within one word's end; more is the tracker jumping an octave
# (a voice strong in its second harmonic), and the word gets no pitch.
MAX_RISE = 9.0
CHUNK = 4096  # frames per FFT batch: bounds memory on long windows
PITCH_STEP = 2  # pairs of 16 kHz samples averaged: the voice's pitch needs no more than 8 kHz, half the work


def pitch_track(samples: np.ndarray) -> np.ndarray:
    """The pitch in Hz of every :data:`HOP_S` frame of ``samples`` (16 kHz; NaN where unvoiced)."""
    usable = len(samples) // PITCH_STEP * PITCH_STEP
    audio = samples[:usable].astype(np.float64).reshape(-1, PITCH_STEP).mean(axis=1)
    rate = SAMPLE_RATE // PITCH_STEP
    size, hop = round(FRAME_S * rate), round(HOP_S * rate)
    if len(audio) < size:
        return np.full(0, np.nan)
    frames = np.lib.stride_tricks.sliding_window_view(audio, size)[::hop]
    shortest, longest = int(rate / HIGH_HZ), int(rate / LOW_HZ)
    pitch, loud = np.full(len(frames), np.nan), np.zeros(len(frames))
    for start in range(0, len(frames), CHUNK):
        batch = frames[start : start + CHUNK]
        loud[start : start + len(batch)] = np.sqrt(np.mean(batch**2, axis=1))
        pitch[start : start + len(batch)] = _periods(batch, shortest, longest, rate)
    pitch[loud <= QUIET_SHARE * float(np.percentile(loud, 95))] = np.nan
    return pitch


def _periods(frames: np.ndarray, shortest: int, longest: int, rate: int) -> np.ndarray:
    """Each frame's pitch from its normalised autocorrelation; NaN where no period in the band repeats."""
    centred = frames - frames.mean(axis=1, keepdims=True)
    n = 1 << (2 * centred.shape[1] - 1).bit_length()
    spectrum = np.fft.rfft(centred, n)
    corr = np.fft.irfft(np.abs(spectrum) ** 2, n)[:, : longest + 2]
    corr = corr / np.maximum(corr[:, :1], 1e-12)
    band = corr[:, shortest - 1 : longest + 2]  # one lag either side, to find the peaks
    middle = band[:, 1:-1]
    best = middle.max(axis=1)
    peaks = (middle >= band[:, :-2]) & (middle >= band[:, 2:]) & (middle >= OCTAVE_SHARE * best[:, None])
    at = np.argmax(peaks, axis=1)  # the first (shortest) period's peak as high as the best's share
    rows = np.arange(len(band))
    before, here, after = band[rows, at], band[rows, at + 1], band[rows, at + 2]
    bend = before - 2 * here + after  # a parabola through the peak places it between two lags
    offset = np.where(bend < 0, 0.5 * (before - after) / np.where(bend < 0, bend, -1.0), 0.0)
    lag = at + shortest + np.clip(offset, -0.5, 0.5)
    repeats = peaks.any(axis=1) & (best >= VOICED)  # a peak inside the band, not its edge (hum below it)
    return np.where(repeats, rate / lag, np.nan)


def with_pitch(words: tuple[Word, ...], samples: np.ndarray) -> tuple[Word, ...]:
    """``words`` (timed in ``samples``, 16 kHz) each with its :attr:`~Word.pitch` and :attr:`~Word.rise`."""
    pitch = pitch_track(samples)
    out = []
    for i, word in enumerate(words):
        stop = word.end + TAIL_S
        if i + 1 < len(words):
            stop = min(stop, max(words[i + 1].start, word.end))
        middle, rise = _contour(pitch, word.start, stop)
        out.append(replace(word, pitch=middle, rise=rise))
    return tuple(out)


def _contour(pitch: np.ndarray, start: float, stop: float) -> tuple[float | None, float | None]:
    """The median pitch of a stretch and the semitones from it to its last voiced pitch; None where too
    little of it is voiced or the voice seems to jump an octave."""
    centre = FRAME_S / 2  # frame i spans i * HOP_S to that plus FRAME_S
    first, last = max(0, math.ceil((start - centre) / HOP_S)), max(0, math.ceil((stop - centre) / HOP_S))
    voiced = pitch[first:last]
    voiced = voiced[np.isfinite(voiced) & (voiced > 0)]
    if len(voiced) < MIN_VOICED:
        return None, None
    end, middle = float(np.median(voiced[-END_FRAMES:])), float(np.median(voiced))
    semitones = 12.0 * math.log2(end / middle)
    if abs(semitones) > MAX_RISE:
        return None, None
    return round(middle, 1), round(semitones, 2)
