"""Still frames read back for checks: a JPEG decoded by ffmpeg to a small greyscale array."""

from __future__ import annotations

import subprocess

import numpy as np

from video2blog.pipeline.ingest.media import ffmpeg_exe


def grey(jpeg: bytes, size: tuple[int, int]) -> np.ndarray:
    """``jpeg`` scaled to ``size`` (width, height), as float32 grey levels 0-255."""
    width, height = size
    cmd = [ffmpeg_exe(), "-v", "error", "-f", "image2pipe", "-i", "pipe:", "-vf", f"scale={width}:{height}"]
    cmd += ["-f", "rawvideo", "-pix_fmt", "gray", "pipe:"]
    raw = subprocess.run(cmd, input=jpeg, capture_output=True, check=True, timeout=60).stdout
    return np.frombuffer(raw, np.uint8).reshape(height, width).astype(np.float32)
