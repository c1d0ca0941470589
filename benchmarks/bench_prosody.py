"""What reading each word's pitch costs the transcript stage (``pipeline/ingest/prosody.py``).

Run: ``python -m benchmarks.bench_prosody [--minutes 10] [--repeat 3]``

The audio is a voice-like glide (a fundamental and two harmonics) broken by pauses, with words of 0.3 s
every 0.4 s laid over it: the pitch is read for every 10 ms frame whatever the words, so the cost depends
on the audio's length, not on what is said. Prints the best of ``--repeat`` runs in seconds per 10
minutes of audio, and as a share of the audio's length (tiny.en transcribes 10 minutes in roughly a
minute on two cores: ``benchmarks/bench_transcribe.py``).
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np

from video2blog.pipeline.engines.base import SAMPLE_RATE
from video2blog.pipeline.ingest import prosody
from video2blog.pipeline.schema import Word


def voice_like(seconds: float) -> np.ndarray:
    t = np.arange(round(seconds * SAMPLE_RATE)) / SAMPLE_RATE
    hz = 120 + 30 * np.sin(2 * np.pi * t / 2.7)
    phase = 2 * np.pi * np.cumsum(hz) / SAMPLE_RATE
    sound = 0.3 * np.sin(phase) + 0.2 * np.sin(2 * phase) + 0.1 * np.sin(3 * phase)
    sound[(t % 5.0) > 4.2] = 0.0  # a pause every five seconds
    return sound.astype(np.float32)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    seconds = args.minutes * 60
    audio = voice_like(seconds)
    words = tuple(Word("w", i * 0.4, i * 0.4 + 0.3, 1.0) for i in range(int(seconds / 0.4)))
    times = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        heard = prosody.with_pitch(words, audio)
        times.append(time.perf_counter() - started)
    best = min(times)
    pitched = sum(w.pitch is not None for w in heard) / len(heard)
    print(f"{args.minutes:g} min of audio, {len(words)} words ({pitched:.0%} with a pitch)")
    per_ten = best / (seconds / 600)
    print(f"pitch of every word: {best:.2f} s (best of {args.repeat}), {per_ten:.2f} s per 10 min of audio")
    print(f"share of the audio's length: {best / seconds:.2%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
