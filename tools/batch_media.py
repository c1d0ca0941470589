"""Short real videos for batch tests and benchmarks, cut from the bundled sample with ffmpeg."""

from __future__ import annotations

import subprocess
from pathlib import Path

from video2blog.pipeline.ingest.media import ffmpeg_exe

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "ketamine-pain.mp4"
SAMPLE_SECONDS = 106.0  # the sample is 108 s long


def cut_clip(out: Path, start: float, seconds: float, video: bool = True) -> Path:
    """``seconds`` of the sample from ``start``: a small mp4 (or, without video, an m4a)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    picture = ["-vf", "scale=160:90", "-c:v", "mpeg4", "-q:v", "12"] if video else ["-vn"]
    cmd = [ffmpeg_exe(), "-nostdin", "-v", "error", "-y", "-ss", f"{start:.2f}", "-t", f"{seconds:.2f}"]
    sound = ["-c:a", "aac", "-b:a", "48k"]
    subprocess.run([*cmd, "-i", str(SAMPLE), *picture, *sound, str(out)], check=True)
    return out


def make_clips(folder: Path, count: int, seconds: float, suffix: str = ".mp4") -> list[Path]:
    """``count`` clips ``talk-N<suffix>`` of different parts of the sample."""
    step = (SAMPLE_SECONDS - seconds) / max(1, count - 1)
    return [
        cut_clip(folder / f"talk-{i + 1}{suffix}", i * step, seconds, video=suffix != ".m4a")
        for i in range(count)
    ]


def truncate(source: Path, out: Path, keep: float = 0.4) -> Path:
    """A corrupt copy of ``source``: its first ``keep`` fraction, as a broken download leaves it."""
    data = source.read_bytes()
    out.write_bytes(data[: int(len(data) * keep)])
    return out
