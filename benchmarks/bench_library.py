"""Speed of ``video2blog library`` (related posts across a folder of drafts) over ``--count`` drafts.

The drafts are made once from text, no audio: the talks of ``benchmarks/talks``, ``library`` and
``claims`` as transcript.json files, each talk also with its sections in other orders and subsets so that
there are ``--count`` distinct drafts, drafted with ``video2blog batch`` (md, html, docx, json) into
``benchmarks/out/library-N`` (kept between runs). Then, each in a fresh process on at most two cores, as
the installed command runs:

- ``all-new``: every draft gets its related posts (they were cleared with ``--no-related`` first);
- ``unchanged``: nothing to change, a re-run;
- ``no-topics``: the topic vectors kept beside the drafts removed, so every draft is embedded again.

Prints wall and CPU seconds beside the 5 s target, the start-up of the command alone (``--version``) and
the 1-minute load average (other work on the machine skews wall time; CPU seconds much less).

    python -m benchmarks.bench_library [--count 50]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.talk_text import CLAIMS, LIBRARY, ROOT, TALKS, spoken_text, transcript_dict
from video2blog.pipeline.run import TOPIC_FILE

OUT = ROOT / "benchmarks" / "out"
COMMAND = str(Path(sys.executable).with_name("video2blog"))
TARGET_SECONDS = 5.0


def variants(count: int) -> dict[str, str]:
    """``count`` spoken texts: each talk whole, then with its sections rotated and one left out."""
    talks = sorted([*TALKS.glob("*.md"), *LIBRARY.glob("*.md"), *CLAIMS.glob("*.md")])
    texts: dict[str, str] = {}
    for round_ in range(count):
        path = talks[round_ % len(talks)]
        parts = re.split(r"^(?=## )", path.read_text(encoding="utf-8"), flags=re.M)
        head, sections = parts[0], parts[1:]
        turn = round_ // len(talks)
        if turn:
            sections = (sections[turn:] + sections[:turn])[: max(2, len(sections) - 1)]
        texts[f"{path.stem}-{turn}"] = spoken_text(head + "".join(sections))
    return texts


def make_library(count: int) -> Path:
    """The folder of ``count`` drafts, made once and kept."""
    drafts = OUT / f"library-{count}"
    if len(list(drafts.glob("*/draft.json"))) == count:
        return drafts
    with tempfile.TemporaryDirectory() as tmp:
        for name, text in variants(count).items():
            Path(tmp, f"{name}.json").write_text(json.dumps(transcript_dict(text)), encoding="utf-8")
        cmd = [
            COMMAND,
            "batch",
            tmp,
            "-o",
            str(drafts),
            "-p",
            "*.json",
            "-j",
            "2",
            "--formats",
            "md,html,docx,json",
        ]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return drafts


def timed(args: list[str]) -> tuple[float, float]:
    """Wall seconds and CPU seconds (user + system) of one run of the command."""
    before, started = _children_cpu(), time.perf_counter()
    subprocess.run([COMMAND, *args], check=True, stdout=subprocess.DEVNULL, preexec_fn=_two_cores)
    return time.perf_counter() - started, _children_cpu() - before


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _two_cores() -> None:
    cores = sorted(os.sched_getaffinity(0))
    os.sched_setaffinity(0, cores[:2])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=50)
    args = parser.parse_args(argv)
    source = make_library(args.count)
    with tempfile.TemporaryDirectory() as tmp:
        drafts = Path(tmp) / "drafts"
        shutil.copytree(source, drafts)
        timed(["library", str(drafts), "--no-related"])
        figures = {"all-new": timed(["library", str(drafts)]), "unchanged": timed(["library", str(drafts)])}
        for topic in drafts.glob(f"*/{TOPIC_FILE}"):
            topic.unlink()
        timed(["library", str(drafts), "--no-related"])
        figures["no-topics"] = timed(["library", str(drafts)])
    print(f"video2blog library over {args.count} drafts, at most 2 cores (target < {TARGET_SECONDS:.0f} s):")
    baseline = timed(["--version"])
    print(f"  {'start-up':10} {baseline[0]:6.2f} s wall {baseline[1]:6.2f} s CPU  (video2blog --version)")
    for name, (wall, cpu) in figures.items():
        print(f"  {name:10} {wall:6.2f} s wall {cpu:6.2f} s CPU  ({wall / TARGET_SECONDS:.2f} x target)")
    print(f"  load average (1 min): {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
