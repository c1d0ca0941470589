"""Throughput of ``video2blog batch`` on a folder of short videos: --jobs 1 against --jobs 2.

Cuts ``--count`` clips of ``--seconds`` each from the bundled sample, then drafts the
folder from scratch (no transcript cache) once per configuration, each in a fresh
Python process so every run pays its own start-up and model loads, as a real run does:

- ``jobs1``: one video at a time, in the batch's own process, the recogniser on every core;
- ``jobs2-process``: two at a time in a pool of two processes, one recogniser thread each;
- ``jobs2-thread``: two at a time in two threads sharing one model, one recogniser thread each.

Prints wall time, videos per minute, seconds of media per wall second, the CPU seconds the
run used (all its processes), the ratio to ``jobs1`` and the 1-minute load average (other
work on the machine skews every figure but CPU seconds), then a re-run of the last
configuration, which should skip everything.

Usage::

    python -m benchmarks.bench_batch [--count 6] [--seconds 10] [--rounds 1]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tools.batch_media import make_clips

ROOT = Path(__file__).resolve().parents[1]


CONFIGS = {"jobs1": (1, "process"), "jobs2-process": (2, "process"), "jobs2-thread": (2, "thread")}
FORMATS = ("draft", "md", "json", "srt", "vtt")


def run_one(folder: Path, out: Path, jobs: int, pool: str) -> dict[str, object]:
    """Draft ``folder`` into ``out`` in this process; the batch's own figures."""
    from video2blog.pipeline.batch.runner import BatchOptions, run_batch
    from video2blog.pipeline.run import DraftOptions

    draft = DraftOptions(formats=FORMATS, date="2025-01-01")
    options = BatchOptions(folder, out, draft, jobs=jobs, pool=pool)
    started = time.perf_counter()
    report = run_batch(options)
    records = report.records
    return {
        "wall": time.perf_counter() - started,
        "counts": report.counts(),
        "media_seconds": sum(r.duration or 0 for r in records),
        "compute": [r.compute_seconds for r in records if r.compute_seconds is not None],
    }


def measure(folder: Path, out: Path, config: str) -> dict[str, object]:
    """Run one configuration in a fresh interpreter; its figures plus the process's whole wall time."""
    jobs, pool = CONFIGS[config]
    cmd = [sys.executable, __file__, "--one", str(folder), str(out), str(jobs), pool]
    started, cpu = time.perf_counter(), _children_cpu()
    proc = subprocess.run(cmd, capture_output=True, text=True, check=True)
    figures = json.loads(proc.stdout.strip().splitlines()[-1])
    return {**figures, "process_wall": time.perf_counter() - started, "cpu": _children_cpu() - cpu}


def _children_cpu() -> float:
    """CPU seconds (user + system) of every finished child process and its own children."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def show(config: str, fig: dict, base: float | None) -> None:
    n = sum(fig["counts"].values())
    wall = fig["process_wall"]
    ratio = f"{base / wall:5.2f}x" if base else "  1.00x"
    mean = sum(fig["compute"]) / max(1, len(fig["compute"]))
    print(
        f"{config:14} {n} videos  wall {wall:6.1f} s (batch {fig['wall']:6.1f} s)  "
        f"{60 * n / wall:5.1f} videos/min  {fig['media_seconds'] / wall:5.2f} media-s/s  "
        f"per video {mean:5.1f} s  cpu {fig['cpu']:5.1f} s  speed vs jobs1 {ratio}  "
        f"load {os.getloadavg()[0]:.1f}  {fig['counts']}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=6)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--one", nargs=4, metavar=("FOLDER", "OUT", "JOBS", "POOL"))
    args = parser.parse_args()
    if args.one:
        folder, out, jobs, pool = args.one
        print(json.dumps(run_one(Path(folder), Path(out), int(jobs), pool)))
        return
    with tempfile.TemporaryDirectory(prefix="bench-batch-") as tmp:
        run_all(Path(tmp), args)


def run_all(tmp: Path, args: argparse.Namespace) -> None:
    folder = tmp / "videos"
    make_clips(folder, args.count, args.seconds)
    print(f"{args.count} videos of {args.seconds:.0f} s; {args.rounds} round(s); cores: {_cores()}")
    for round_ in range(args.rounds):
        base = None
        for config in CONFIGS:
            fig = measure(folder, tmp / f"out-{config}-{round_}", config)
            show(config, fig, base)
            base = base or fig["process_wall"]
    last = list(CONFIGS)[-1]
    show(f"re-run {last}", measure(folder, tmp / f"out-{last}-0", last), None)


def _cores() -> int:
    from video2blog.pipeline.batch.jobs import cpu_cores

    return cpu_cores()


if __name__ == "__main__":
    main()
