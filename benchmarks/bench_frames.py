"""Still frames per section: time taken, and how often the frame is usable, against two baselines.

Run: ``python -m benchmarks.bench_frames [--minutes 5] [--sections 10]``

Makes a video (ffmpeg's test sources, one scene per section, each fading in from black over 1.2 s, at
640x360 and 25 frames a second) in ``benchmarks/out/frames/``, then takes a frame per section three ways:

- ``start``: the frame at the section's start (what a plain ``-ss START -frames:v 1`` gives);
- ``thumbnail``: ffmpeg's ``thumbnail`` filter over the same first seconds the chooser searches;
- ``video2blog``: :func:`video2blog.pipeline.ingest.frames.section_frames`.

For each it prints the wall time, the share of frames that are usable (not black, not flat, by the same
test the chooser uses) and their mean sharpness (variance of the Laplacian at 160x90).
"""

from __future__ import annotations

import argparse
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from tools.images import grey
from video2blog.pipeline.ingest.frames import PROBE_SIZE, SEARCH_SECONDS, section_frames, sharpness, usable
from video2blog.pipeline.ingest.media import ffmpeg_exe

OUT = Path(__file__).resolve().parents[1] / "benchmarks" / "out" / "frames"
SCENES = (
    "testsrc2",
    "smptebars",
    "mandelbrot",
    "rgbtestsrc",
    "pal100bars",
    "yuvtestsrc",
    "testsrc",
    "life=ratio=0.3:death_color=#303030",
)


def make_video(out: Path, minutes: float, sections: int) -> list[tuple[float, float]]:
    """The test video and its sections' (start, end)."""
    length = minutes * 60 / sections
    spans = [(i * length, (i + 1) * length) for i in range(sections)]
    if out.exists():
        return spans
    inputs, chains = [], []
    for i in range(sections):
        scene = SCENES[i % len(SCENES)]
        inputs += ["-f", "lavfi", "-i", scene + (":" if "=" in scene else "=") + "s=640x360:r=25"]
        chains.append(
            f"[{i}]trim=duration={length:.3f},setpts=PTS-STARTPTS,fade=in:st=0:d=1.2,format=yuv420p[v{i}]"
        )
    graph = (
        ";".join(chains) + ";" + "".join(f"[v{i}]" for i in range(sections)) + f"concat=n={sections}:v=1[v]"
    )
    cmd = [
        ffmpeg_exe(),
        "-nostdin",
        "-v",
        "error",
        "-y",
        *inputs,
        "-filter_complex",
        graph,
        "-map",
        "[v]",
        "-c:v",
        "libx264",
        "-preset",
        "veryfast",
        str(out),
    ]
    subprocess.run(cmd, check=True, timeout=1800)
    return spans


def grab(video: Path, start: float, vf: str = "") -> bytes:
    filters = ["-vf", vf] if vf else []
    cmd = [
        ffmpeg_exe(),
        "-nostdin",
        "-v",
        "error",
        "-ss",
        f"{start:.3f}",
        "-t",
        f"{SEARCH_SECONDS}",
        "-i",
        str(video),
        *filters,
        "-frames:v",
        "1",
        "-f",
        "image2",
        "-c:v",
        "mjpeg",
        "pipe:",
    ]
    return subprocess.run(cmd, capture_output=True, check=True, timeout=300).stdout


def measure(name: str, take: Callable[[], list[bytes | None]]) -> None:
    started = time.monotonic()
    jpegs = take()
    took = time.monotonic() - started
    frames = [grey(j, PROBE_SIZE) for j in jpegs if j]
    good = [f for f in frames if usable(f)]
    sharp = np.mean([sharpness(f) for f in good]) if good else 0.0
    print(
        f"{name:12} {took:7.2f} s  {took / len(jpegs):5.2f} s/section  usable {len(good):3}/{len(jpegs):<3}"
        f"  sharpness {sharp:8.0f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--sections", type=int, default=10)
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    video = OUT / f"slides-{args.minutes:g}min-{args.sections}.mp4"
    spans = make_video(video, args.minutes, args.sections)
    print(f"{video.name}: {args.sections} sections of {spans[0][1]:.0f} s")
    measure("start", lambda: [grab(video, s) for s, _ in spans])
    measure("thumbnail", lambda: [grab(video, s, "thumbnail=50") for s, _ in spans])
    measure("video2blog", lambda: [f.jpeg if f else None for f in section_frames(video, spans)])


if __name__ == "__main__":
    main()
