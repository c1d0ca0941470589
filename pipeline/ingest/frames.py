"""A still frame per section: a sharp, representative picture near the section's start.

ffmpeg samples a few small greyscale candidates from the first seconds of each section; black, flat
(fades, title cards of one colour) and blurred candidates lose to the sharpest well-lit one, which is
then taken again at full size as a JPEG. Frames come back as bytes: the draft folder's atomic writes
put them in ``images/``.
"""

from __future__ import annotations

import logging
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from video2blog.pipeline.errors import InputError
from video2blog.pipeline.ingest.media import OWN_SESSION, ffmpeg_exe

log = logging.getLogger(__name__)

# Candidates: one a second over the first seconds of a section, skipping its very start (cuts and
# fades sit on section boundaries), measured at a small size.
SEARCH_SECONDS = 8.0
SKIP_SECONDS = 0.5
CANDIDATES = 8
PROBE_SIZE = (160, 90)
# Below this mean brightness (0-255) a frame is black; below this spread it is one flat colour.
MIN_BRIGHTNESS = 24.0
MIN_CONTRAST = 10.0
JPEG_WIDTH = 1280
FFMPEG_TIMEOUT = 120.0


@dataclass(frozen=True)
class Frame:
    """A chosen still: its time in the media and the JPEG's bytes."""

    time: float
    jpeg: bytes


def section_frames(
    video: Path, spans: list[tuple[float, float]], shown: Sequence[tuple[float, float]] = ()
) -> list[Frame | None]:
    """One frame per (start, end) span, or None where the section shows nothing usable; of its usable
    frames, one from while the fewest texts were ``shown`` (start, end).

    Raises:
        InputError: ffmpeg cannot decode the video's pictures.
    """
    return [_section_frame(video, start, end, shown) for start, end in spans]


def _section_frame(
    video: Path, start: float, end: float, shown: Sequence[tuple[float, float]]
) -> Frame | None:
    first = start + min(SKIP_SECONDS, max(0.0, end - start) / 4)
    length = max(0.5, min(SEARCH_SECONDS, end - first))
    times, grey = _candidates(video, first, length)
    # A title card's crisp letters are the sharpest picture of all: the speaker, not the card, is the still.
    # Counted, not all-or-nothing: a name card up after the question card leaves every frame with a text.
    texts = [sum(a <= t < b for a, b in shown) for t in times]
    best = pick_frame(grey, texts)
    if best is None:
        log.info("no usable frame in %.1f-%.1f s of %s", start, end, video)
        return None
    return Frame(round(times[best], 3), _jpeg(video, times[best]))


def pick_frame(frames: list[np.ndarray], texts: Sequence[int] = ()) -> int | None:
    """The index of the sharpest frame that is neither black nor flat, or None if all are; of those, one
    showing the fewest texts (``texts[i]``: how many frame ``i`` shows; none where not given)."""
    count = list(texts) + [0] * (len(frames) - len(texts))
    scored = [(-count[i], sharpness(f), i) for i, f in enumerate(frames) if usable(f)]
    return max(scored)[2] if scored else None


def usable(frame: np.ndarray) -> bool:
    """Whether a greyscale frame has picture in it: not black, not one flat colour (a fade)."""
    return float(frame.mean()) >= MIN_BRIGHTNESS and float(frame.std()) >= MIN_CONTRAST


def sharpness(frame: np.ndarray) -> float:
    """Variance of the Laplacian: high where edges are crisp, low when blurred or in motion."""
    f = frame.astype(np.float32)
    lap = f[1:-1, :-2] + f[1:-1, 2:] + f[:-2, 1:-1] + f[2:, 1:-1] - 4 * f[1:-1, 1:-1]
    return float(lap.var())


def _candidates(video: Path, first: float, length: float) -> tuple[list[float], list[np.ndarray]]:
    width, height = PROBE_SIZE
    rate = CANDIDATES / length
    vf = f"fps={rate:.4f},scale={width}:{height},format=gray"
    args = ["-ss", f"{first:.3f}", "-t", f"{length:.3f}", "-i", str(video), "-an", "-vf", vf]
    raw = _ffmpeg(video, [*args, "-f", "rawvideo", "pipe:"])
    count = len(raw) // (width * height)
    frames = [
        np.frombuffer(raw, np.uint8, width * height, i * width * height).reshape(height, width)
        for i in range(count)
    ]
    return [first + i / rate for i in range(count)], frames


def _jpeg(video: Path, time: float) -> bytes:
    vf = f"scale='min({JPEG_WIDTH},iw)':-2"
    args = ["-ss", f"{time:.3f}", "-i", str(video), "-an", "-frames:v", "1", "-vf", vf, "-q:v", "3"]
    return _ffmpeg(video, [*args, "-f", "image2", "-c:v", "mjpeg", "pipe:"])


def _ffmpeg(video: Path, args: list[str]) -> bytes:
    cmd = [ffmpeg_exe(), "-nostdin", "-hide_banner", "-loglevel", "error", *args]
    try:
        done = subprocess.run(
            cmd, capture_output=True, timeout=FFMPEG_TIMEOUT, check=False, start_new_session=OWN_SESSION
        )
    except subprocess.TimeoutExpired as exc:
        raise InputError("ffmpeg took too long taking still frames; try --no-images", video) from exc
    if done.returncode != 0:
        why = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["unknown error"]
        raise InputError(f"cannot take still frames ({why[0]}); try --no-images", video)
    return done.stdout
