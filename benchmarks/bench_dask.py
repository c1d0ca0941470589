"""The same folder drafted locally with --jobs 2 and on a two-worker Dask cluster on loopback.

Cuts ``--count`` clips of ``--seconds`` each from the bundled sample and drafts them
from scratch (no transcript cache) twice:

- ``local``: ``--jobs 2`` (processes) in a fresh Python process (start-up and model loads included);
- ``dask``: a ``LocalCluster`` of two worker processes with one thread each, bound to
  127.0.0.1, started beforehand (its start time is shown apart), with this process as the
  client that hashes, sends jobs and writes every file.

Then shows where the cluster's time goes: the workers' compute per video (the first video
on each worker includes its model load), the time the client saw per video, and the
per-video overhead of the cluster path against the local run.

Usage::

    python -m benchmarks.bench_dask [--count 6] [--seconds 10]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from benchmarks.bench_batch import FORMATS, measure
from tools.batch_media import make_clips

ROOT = Path(__file__).resolve().parents[1]


def run_dask(folder: Path, out: Path) -> dict[str, object]:
    """Start a loopback cluster, draft ``folder`` on it; the timings."""
    from distributed import LocalCluster

    from video2blog.pipeline.batch.runner import BatchOptions, run_batch
    from video2blog.pipeline.run import DraftOptions

    started = time.perf_counter()
    with LocalCluster(
        host="127.0.0.1", n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        ready = time.perf_counter()
        draft = DraftOptions(formats=FORMATS, date="2025-01-01")
        report = run_batch(BatchOptions(folder, out, draft, scheduler=cluster.scheduler_address))
        done = time.perf_counter()
    return {"cluster_start": ready - started, "wall": done - ready, "records": report.records}


def show(local: dict, dask: dict, count: int) -> None:
    records = dask["records"]
    compute = [r.compute_seconds or 0.0 for r in records]
    seen = [r.seconds for r in records]
    firsts = _first_per_worker(records)
    later = [r.compute_seconds or 0.0 for r in records if r not in firsts]
    print(f"local --jobs 2 : wall {local['process_wall']:6.1f} s (process start and model load included)")
    print(
        f"dask 2 workers : wall {dask['wall']:6.1f} s (+ {dask['cluster_start']:.1f} s to start the cluster)"
    )
    print(f"  ratio dask/local wall        {dask['wall'] / local['process_wall']:5.2f}")
    print(f"  per-video overhead vs local  {(dask['wall'] - local['process_wall']) / count:+6.2f} s")
    print(f"  worker compute per video     mean {statistics.mean(compute):5.2f} s, sum {sum(compute):6.1f} s")
    print(f"  first video on each worker   {', '.join(f'{r.compute_seconds:.2f} s' for r in firsts)}")
    if later:
        print(f"  later videos                 mean {statistics.mean(later):5.2f} s (model already loaded)")
    print(f"  client saw per video         mean {statistics.mean(seen):5.2f} s (queue wait + send + write)")
    idle = dask["wall"] - sum(compute) / 2
    print(f"  wall - compute/2 workers     {idle:6.2f} s (client hashing, scheduling, writes, idle workers)")
    print(f"  statuses {sorted({r.status for r in records})}; load average {os.getloadavg()[0]:.1f}")


def _first_per_worker(records: list) -> list:
    seen: dict[str, object] = {}
    for record in records:
        seen.setdefault(record.worker, record)
    return list(seen.values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=6)
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-dask-") as tmp:
        folder = make_clips(Path(tmp) / "videos", args.count, args.seconds)[0].parent
        print(f"{args.count} videos of {args.seconds:.0f} s")
        local = measure(folder, Path(tmp) / "local", "jobs2-process")
        dask = run_dask(folder, Path(tmp) / "dask")
        show(local, dask, args.count)


if __name__ == "__main__":
    main()
