"""What holding numpy's BLAS to one thread costs faster-whisper's log-Mel features, and what it changes.

Run: ``python -m benchmarks.bench_features [--minutes 10] [--repeat 5]``

The bundled sample's audio is repeated to ``--minutes`` and its features computed as faster-whisper does
(``FeatureExtractor``, 80 bins), with numpy's BLAS at one thread (as a transcription now runs:
``pipeline/engines/faster.py``) and at every core, alternately. It prints the machine, the median wall
time of each and their ratio, and the largest difference between the two features (not 0 where the
thread count changes the sums, which is why the words could differ).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

from benchmarks.machine import describe

SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "ketamine-pain.mp4"
RATE = 16000


Extract = Callable[[np.ndarray], np.ndarray]


def features_of(minutes: float) -> tuple[np.ndarray, Extract]:
    from faster_whisper.audio import decode_audio
    from faster_whisper.feature_extractor import FeatureExtractor

    audio = decode_audio(str(SAMPLE), sampling_rate=RATE)
    audio = np.tile(audio, int(np.ceil(minutes * 60 * RATE / len(audio))))[: int(minutes * 60 * RATE)]
    return audio, FeatureExtractor(feature_size=80)


def timed(extract: Extract, audio: np.ndarray, threads: int) -> tuple[float, np.ndarray]:
    with threadpool_limits(limits=threads, user_api="blas"):
        start = time.perf_counter()
        found = extract(audio)
        return time.perf_counter() - start, np.asarray(found)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    cores = os.cpu_count() or 1
    print(describe())
    if cores < 2:
        raise SystemExit("one core here: numpy's BLAS runs one thread either way, nothing to compare")
    audio, extract = features_of(args.minutes)
    times: dict[int, list[float]] = {1: [], cores: []}
    found: dict[int, np.ndarray] = {}
    for _ in range(args.repeat):
        for threads in times:
            seconds, found[threads] = timed(extract, audio, threads)
            times[threads].append(seconds)
    one, every = statistics.median(times[1]), statistics.median(times[cores])
    print(f"log-Mel features of {args.minutes:g} minutes, median of {args.repeat}:")
    print(f"  numpy's BLAS at 1 thread:       {one:.3f} s")
    print(f"  numpy's BLAS at {cores} threads (all): {every:.3f} s")
    print(f"  ratio one / all: {one / every:.2f}")
    print(f"  largest difference between the two: {float(np.abs(found[1] - found[cores]).max()):.3g}")


if __name__ == "__main__":
    main()
