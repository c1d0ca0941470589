"""Peak memory of transcribing long recordings: whole-file decoding against windowed streaming.

Makes long audio by looping the bundled sample's sound track with ffmpeg's
``-stream_loop`` (stream copy, so a 2-hour file takes seconds and ~40 MB;
cached in ``benchmarks/cache/``), then measures the peak resident memory of
a fresh Python process for each step and length:

- ``decode-whole``: ``media.load_audio``, the whole file as one float32 array
  (how transcription worked before streaming);
- ``decode-windows``: ``media.iter_audio``, ten-minute windows cut at pauses;
- ``features-whole`` / ``features-windows``: the same plus faster-whisper's
  log-mel feature extraction, which the engine runs over all the audio it is
  given -- the engine's own memory with the recogniser itself stubbed out;
- ``engine-windows``: the real pipeline stage (``transcribe.transcribe_windows``
  with faster-whisper, bundled tiny.en, beam 1), on the shorter lengths only
  since it runs at a few times real time on a small CPU.

Prints peak RSS (MB) per length and the ratio to the shortest length: with
streaming the ratio stays near 1 however long the recording; decoding whole
grows with it (a 2-hour file alone is 460 MB of samples).

Usage::

    python -m benchmarks.bench_memory [--minutes 10 60 120] [--engine-minutes 10 30] [--threads 2]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from video2blog.pipeline.ingest import media

ROOT = Path(__file__).resolve().parents[1]


CACHE = ROOT / "benchmarks" / "cache"
SAMPLE = ROOT / "samples" / "ketamine-pain.mp4"
STEPS = ("decode-whole", "decode-windows", "features-whole", "features-windows")


def long_audio(minutes: int) -> Path:
    """The sample's sound track looped to ``minutes`` (made once, then reused)."""
    out = CACHE / f"ketamine-loop-{minutes}min.m4a"
    if not out.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        cmd = [media.ffmpeg_exe(), "-nostdin", "-v", "error", "-y", "-stream_loop", "-1", "-i", str(SAMPLE)]
        subprocess.run([*cmd, "-t", str(minutes * 60), "-vn", "-c:a", "copy", str(out)], check=True)
    return out


def peak_mb() -> float:
    """This process's peak resident memory (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(step: str, path: Path, threads: int, window_s: float) -> dict[str, object]:
    """Run one step in this (fresh) process and report its cost."""
    began = time.monotonic()
    result = STEP_FUNCTIONS[step](path, threads, window_s)
    return {"peak_mb": round(peak_mb(), 1), "seconds": round(time.monotonic() - began, 1), **result}


def decode_whole(path: Path, threads: int, window_s: float) -> dict[str, object]:
    return {"audio_s": round(len(media.load_audio(path)) / media.SAMPLE_RATE, 1)}


def decode_windows(path: Path, threads: int, window_s: float) -> dict[str, object]:
    return {"audio_s": round(sum(w.duration for w in media.iter_audio(path, window_s)), 1)}


def features_whole(path: Path, threads: int, window_s: float) -> dict[str, object]:
    from faster_whisper.feature_extractor import FeatureExtractor

    audio = media.load_audio(path)
    return {"frames": float(FeatureExtractor()(audio).shape[-1])}


def features_windows(path: Path, threads: int, window_s: float) -> dict[str, object]:
    from faster_whisper.feature_extractor import FeatureExtractor

    extractor = FeatureExtractor()
    return {"frames": float(sum(extractor(w.samples).shape[-1] for w in media.iter_audio(path, window_s)))}


def engine_windows(path: Path, threads: int, window_s: float) -> dict[str, object]:
    from video2blog.pipeline.engines import EngineOptions, get_engine
    from video2blog.pipeline.ingest.transcribe import transcribe_windows

    engine = get_engine("faster-whisper", EngineOptions(beam_size=1, threads=threads, device="cpu"))
    traced = _PeakPerWindow(engine)
    transcript = transcribe_windows(traced, media.probe(path), window_s)  # type: ignore[arg-type]
    return {"words": float(len(transcript.words)), "peak_after_each_window_mb": traced.peaks}


class _PeakPerWindow:
    """An engine wrapper noting the process's peak memory after each window: a plateau, or growth?"""

    def __init__(self, engine: object) -> None:
        self.engine, self.peaks = engine, []  # type: ignore[var-annotated]
        self.name = getattr(engine, "name", "")

    def transcribe(self, audio: object, progress: object = None) -> object:
        result = self.engine.transcribe(audio, progress)  # type: ignore[attr-defined]
        self.peaks.append(round(peak_mb()))
        return result


STEP_FUNCTIONS = {
    "decode-whole": decode_whole,
    "decode-windows": decode_windows,
    "features-whole": features_whole,
    "features-windows": features_windows,
    "engine-windows": engine_windows,
}


def measure(step: str, path: Path, args: argparse.Namespace) -> dict[str, object]:
    """One step in a fresh Python process, so each peak is its own."""
    cmd = [sys.executable, __file__, "--child", step, str(path), "--threads", str(args.threads)]
    cmd += ["--window", str(args.window)]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"{step} on {path.name} failed:\n{proc.stderr}")
    return json.loads(proc.stdout)


def report(step: str, rows: dict[int, dict[str, Any]]) -> None:
    first = rows[min(rows)]["peak_mb"]
    for minutes, row in sorted(rows.items()):
        extra = ", ".join(f"{k} {v}" for k, v in row.items() if k not in ("peak_mb", "seconds"))
        ratio = row["peak_mb"] / first
        figures = f"peak {row['peak_mb']:8.1f} MB  x{ratio:5.2f}  {row['seconds']:7.1f} s"
        print(f"{step:17} {minutes:4d} min  {figures}  {extra}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=int, nargs="*", default=[10, 60, 120])
    parser.add_argument("--engine-minutes", type=int, nargs="*", default=[10, 30])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--window", type=float, default=media.WINDOW_SECONDS, help="seconds per window")
    parser.add_argument("--child", nargs=2, metavar=("STEP", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child[0], Path(args.child[1]), args.threads, args.window)))
        return
    print(f"window {args.window:g} s; peak RSS of a fresh process per step (ratio to the shortest)")
    for step in STEPS if args.minutes else ():
        report(step, {m: measure(step, long_audio(m), args) for m in args.minutes})
    if args.engine_minutes:
        report(
            "engine-windows",
            {m: measure("engine-windows", long_audio(m), args) for m in args.engine_minutes},
        )


if __name__ == "__main__":
    main()
