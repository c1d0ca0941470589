"""Build the synthetic evaluation set from ``benchmarks/talks/*.md``.

Every talk is synthesised in both variants (``asked``: headings spoken as
questions/titles before each answer; ``monologue``: headings silent) into
``benchmarks/out/eval/<name>-<variant>.m4a`` (``.mp4`` with ``--video``)
plus ``<name>-<variant>.truth.json``.  Seeds are fixed per talk and variant,
so rebuilding gives the same audio.  Outputs that already exist and are newer
than both their script and ``samples/synth.py`` are skipped.  A manifest of
all items is written to ``benchmarks/out/eval/index.json``.

Usage::

    python -m benchmarks.make_eval_set [--video] [--jobs N] [--force] [--only NAME ...]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import zlib
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

from tools import synth

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"


TALKS = ROOT / "benchmarks" / "talks"
OUT = ROOT / "benchmarks" / "out" / "eval"


@dataclass(frozen=True)
class Job:
    """One item of the evaluation set.

    Attributes:
        name: Talk name (script stem).
        variant: ``"asked"`` or ``"monologue"``.
        script: Path of the talk script.
        media: Output media path.
        seed: Synthesis seed.
    """

    name: str
    variant: str
    script: Path
    media: Path
    seed: int

    @property
    def truth(self) -> Path:
        """Path of the ground-truth JSON beside the media."""
        return synth.truth_path(self.media)


def seed_for(name: str, variant: str) -> int:
    """Return the fixed seed of a talk/variant pair.

    Args:
        name: Talk name.
        variant: Variant name.

    Returns:
        A stable non-negative 31-bit seed.
    """
    return zlib.crc32(f"{name}:{variant}".encode()) & 0x7FFFFFFF


def plan_jobs(talks: Path, out: Path, video: bool, only: list[str] | None = None) -> list[Job]:
    """List every talk/variant item to build.

    Args:
        talks: Folder of ``*.md`` scripts.
        out: Output folder.
        video: Produce ``.mp4`` instead of ``.m4a``.
        only: Optional talk names to restrict to.

    Returns:
        Jobs in a stable order.
    """
    suffix = ".mp4" if video else ".m4a"
    jobs = []
    for script in sorted(talks.glob("*.md")):
        if only and script.stem not in only:
            continue
        for variant in synth.VARIANTS:
            media = out / f"{script.stem}-{variant}{suffix}"
            jobs.append(Job(script.stem, variant, script, media, seed_for(script.stem, variant)))
    return jobs


def is_fresh(job: Job) -> bool:
    """Tell whether a job's outputs exist and are newer than its inputs.

    Args:
        job: The job.

    Returns:
        True if both media and truth are newer than the script and synth.py.
    """
    if not (job.media.exists() and job.truth.exists()):
        return False
    newest_input = max(job.script.stat().st_mtime, Path(synth.__file__).stat().st_mtime)
    return min(job.media.stat().st_mtime, job.truth.stat().st_mtime) > newest_input


def run_job(job: Job, video: bool) -> tuple[Job, float, float]:
    """Synthesise one item.

    Args:
        job: The job.
        video: Include the still video track.

    Returns:
        ``(job, duration_s, elapsed_s)``.
    """
    started = time.monotonic()
    talk = synth.parse_script(job.script)
    truth = synth.synthesize(talk, job.variant, job.media, job.seed, video=video)  # type: ignore[arg-type]
    return job, truth["duration"], time.monotonic() - started


def write_index(jobs: list[Job], out: Path) -> Path:
    """Write ``index.json`` describing every built item.

    Args:
        jobs: All jobs of the set.
        out: Output folder.

    Returns:
        The index path.
    """
    items = []
    for job in jobs:
        if not job.truth.exists():
            continue
        truth = json.loads(job.truth.read_text(encoding="utf-8"))
        item = {k: str(v) if isinstance(v, Path) else v for k, v in asdict(job).items()}
        item.update(media=job.media.name, truth=job.truth.name, script=str(job.script.relative_to(ROOT)))
        item.update(duration=truth["duration"], sections=len(truth["sections"]))
        items.append(item)
    index = out / "index.json"
    index.write_text(json.dumps(items, indent=2) + "\n", encoding="utf-8")
    return index


def build(jobs: list[Job], video: bool, workers: int) -> None:
    """Run jobs, in parallel when ``workers > 1``, printing progress.

    Args:
        jobs: Jobs to run.
        video: Include the still video track.
        workers: Number of worker processes.
    """
    if workers <= 1:
        results = (run_job(job, video) for job in jobs)
        for job, dur, took in results:
            print(f"  {job.media.name}: {dur:6.1f} s audio in {took:5.1f} s", flush=True)
        return
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(run_job, job, video) for job in jobs]
        for fut in futures:
            job, dur, took = fut.result()
            print(f"  {job.media.name}: {dur:6.1f} s audio in {took:5.1f} s", flush=True)


def main(argv: list[str] | None = None) -> int:
    """Run the command-line interface.

    Args:
        argv: Arguments (defaults to ``sys.argv[1:]``).

    Returns:
        Process exit status.
    """
    p = argparse.ArgumentParser(description="Synthesise the talk evaluation set.")
    p.add_argument("--video", action="store_true", help="write .mp4 with a still video track")
    p.add_argument("--jobs", type=int, default=2, help="worker processes (default 2)")
    p.add_argument("--force", action="store_true", help="rebuild even if outputs are fresh")
    p.add_argument("--only", nargs="+", metavar="NAME", help="only these talk names")
    p.add_argument("--out", type=Path, default=OUT, help="output folder")
    args = p.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    jobs = plan_jobs(TALKS, args.out, args.video, args.only)
    todo = [j for j in jobs if args.force or not is_fresh(j)]
    print(f"{len(jobs)} items, {len(jobs) - len(todo)} up to date, building {len(todo)}", flush=True)
    started = time.monotonic()
    build(todo, args.video, args.jobs)
    index = write_index(jobs, args.out)
    print(f"done in {time.monotonic() - started:.1f} s; index: {index}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
