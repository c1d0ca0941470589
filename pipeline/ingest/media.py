"""Media stage: find ffmpeg, probe a file, and extract 16 kHz mono speech audio.

Long recordings are decoded as a stream of windows (:func:`iter_audio`) so that
memory does not grow with the length of the media: ffmpeg writes samples to a
pipe and only one window (ten minutes by default) is held at a time.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import tempfile
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import TracebackType
from typing import IO, Any

import ffmpeg
import numpy as np

from video2blog.pipeline.engines.base import SAMPLE_RATE
from video2blog.pipeline.errors import InputError
from video2blog.pipeline.schema import Chapter
from video2blog.pipeline.textutil import clock

log = logging.getLogger(__name__)

WINDOW_SECONDS = 600.0
# A window ends at the quietest moment of its last stretch of this many seconds (a pause, not a word).
CUT_SEARCH_SECONDS = 30.0
# Energy is compared over pauses of this length, in 20 ms frames.
PAUSE_FRAMES = 10
# Decoded audio may fall short of the stream's declared length by this much before it counts as truncated.
TRUNCATION_SLACK = (2.0, 0.02)  # seconds, fraction of the duration


@dataclass(frozen=True)
class MediaInfo:
    """What a probe learns about a media file."""

    path: Path
    duration: float
    has_audio: bool
    has_video: bool
    chapters: tuple[Chapter, ...] = ()
    audio_duration: float = 0.0  # the first audio stream's declared length; 0 when unknown


@dataclass(frozen=True)
class AudioWindow:
    """A stretch of decoded audio and where it starts in the media (seconds)."""

    start: float
    samples: np.ndarray

    @property
    def duration(self) -> float:
        return len(self.samples) / SAMPLE_RATE


@lru_cache(maxsize=1)
def ffmpeg_exe() -> str:
    """The ffmpeg on PATH, else the binary shipped in the ``imageio-ffmpeg`` wheel."""
    found = shutil.which("ffmpeg")
    if found:
        return found
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def check_readable(path: Path) -> None:
    """Raise :class:`InputError` unless ``path`` is a non-empty readable file."""
    if not path.exists():
        raise InputError("no such file; check the path and try again", path)
    if path.is_dir():
        raise InputError("is a folder, not a media file; use 'video2blog batch' for folders", path)
    try:
        size = path.stat().st_size
        with path.open("rb"):
            pass
    except OSError as exc:
        raise InputError(f"cannot be read ({exc.strerror})", path) from exc
    if size == 0:
        raise InputError("is empty (0 bytes); re-export or re-copy the file", path)


def probe(path: Path) -> MediaInfo:
    """Probe duration, streams and chapter marks, with ffprobe where present, else PyAV.

    Raises:
        InputError: the file is missing, unreadable, not media, or has no audio stream.
    """
    check_readable(path)
    info = _probe_ffprobe(path) if shutil.which("ffprobe") else _probe_av(path)
    if not info.has_audio:
        raise InputError("has no audio stream, so there is no speech to transcribe", path)
    return info


def _probe_av(path: Path) -> MediaInfo:
    import av

    try:
        with av.open(str(path)) as container:
            kinds = {s.type for s in container.streams}
            duration = _av_duration(container)
            chapters = tuple(_av_chapters(container.chapters()))
            audio = _av_stream_seconds(next(iter(container.streams.audio), None))
    except (av.error.FFmpegError, ValueError, OSError) as exc:
        raise InputError("is not a media file ffmpeg can read (is it corrupt or truncated?)", path) from exc
    return MediaInfo(path, duration, "audio" in kinds, "video" in kinds, chapters, audio)


def _av_stream_seconds(stream: object) -> float:
    if stream is None or not stream.duration or not stream.time_base:  # type: ignore[attr-defined]
        return 0.0
    return float(stream.duration * stream.time_base)  # type: ignore[attr-defined]


def _av_duration(container: object) -> float:
    duration = getattr(container, "duration", None)
    if duration:
        return float(duration) / 1_000_000
    streams = [s for s in container.streams if s.duration and s.time_base]  # type: ignore[attr-defined]
    return max((float(s.duration * s.time_base) for s in streams), default=0.0)


def _av_chapters(raw: list[Any]) -> list[Chapter]:
    chapters = []
    for i, ch in enumerate(raw):
        base = ch["time_base"]
        start, end = float(ch["start"] * base), float(ch["end"] * base)
        title = (ch.get("metadata") or {}).get("title") or f"Chapter {i + 1}"
        chapters.append(Chapter(title=title.strip(), start=start, end=end))
    return chapters


def _probe_ffprobe(path: Path) -> MediaInfo:
    cmd = [
        "ffprobe",
        "-v",
        "error",
        "-print_format",
        "json",
        "-show_format",
        "-show_streams",
        "-show_chapters",
        str(path),
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise InputError("is not a media file ffmpeg can read (is it corrupt or truncated?)", path)
    data = json.loads(proc.stdout or "{}")
    kinds = {s.get("codec_type") for s in data.get("streams", [])}
    audio: dict[str, Any] = next((s for s in data.get("streams", []) if s.get("codec_type") == "audio"), {})
    duration = float(data.get("format", {}).get("duration") or 0.0)
    chapters = tuple(
        Chapter(
            title=(c.get("tags", {}).get("title") or f"Chapter {i + 1}").strip(),
            start=float(c["start_time"]),
            end=float(c["end_time"]),
        )
        for i, c in enumerate(data.get("chapters", []))
    )
    audio_duration = float(audio.get("duration") or 0.0)
    return MediaInfo(path, duration, "audio" in kinds, "video" in kinds, chapters, audio_duration)


def load_audio(path: Path, sample_rate: int = SAMPLE_RATE) -> np.ndarray:
    """Decode the first audio stream of ``path`` to mono float32 at ``sample_rate``.

    Raises:
        InputError: ffmpeg cannot decode the file.
    """
    stream = ffmpeg.input(str(path)).output(
        "pipe:", format="f32le", acodec="pcm_f32le", ac=1, ar=sample_rate, map="0:a:0"
    )
    try:
        out, _ = stream.global_args("-nostdin", "-hide_banner", "-loglevel", "error").run(
            cmd=ffmpeg_exe(), capture_stdout=True, capture_stderr=True
        )
    except ffmpeg.Error as exc:
        reason = _last_line(exc.stderr)
        raise InputError(f"ffmpeg could not decode its audio ({reason})", path) from exc
    return np.frombuffer(out, dtype=np.float32).copy()


def iter_audio(
    path: Path, window_s: float = WINDOW_SECONDS, search_s: float | None = None
) -> Generator[AudioWindow, None, None]:
    """Decode the first audio stream of ``path`` as consecutive windows of 16 kHz mono float32.

    Each window is at most ``window_s`` seconds long and ends at the quietest
    moment of its last ``search_s`` seconds (default: 30 s, or a quarter of
    the window if shorter), so that a cut falls in a pause rather than in a
    word; the rest is carried into the next window. Windows follow each other
    with no gap and no overlap, so ``start`` plus a time within a window is a
    time in the media. Only one window is held in memory at a time.

    Raises:
        InputError: ffmpeg cannot decode the file.
    """
    window = max(1, round(window_s * SAMPLE_RATE))
    search_s = min(CUT_SEARCH_SECONDS, window_s / 4) if search_s is None else search_s
    search = round(search_s * SAMPLE_RATE)
    with tempfile.TemporaryFile() as errors, _decoder(path, errors) as proc:
        assert proc.stdout is not None
        yield from _windows(proc.stdout, window, min(search, window))
        if proc.wait() != 0:
            errors.seek(0)
            reason = _last_line(errors.read())
            raise InputError(f"ffmpeg could not decode its audio ({reason})", path)


def _decoder(path: Path, errors: IO[bytes]) -> subprocess.Popen[bytes]:
    """ffmpeg writing the audio as raw float32 to a pipe; its messages go to a file, not a pipe that fills."""
    cmd = [ffmpeg_exe(), "-nostdin", "-hide_banner", "-loglevel", "error", "-i", str(path)]
    cmd += ["-map", "0:a:0", "-ac", "1", "-ar", str(SAMPLE_RATE), "-acodec", "pcm_f32le", "-f", "f32le"]
    cmd.append("pipe:")
    return _KilledOnExit(cmd, stdout=subprocess.PIPE, stderr=errors, stdin=subprocess.DEVNULL)


class _KilledOnExit(subprocess.Popen[bytes]):
    """A Popen that, leaving its ``with`` block early (error, interrupt, consumer gone), kills the child."""

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self.poll() is None:
            self.kill()
        super().__exit__(kind, exc, tb)


def _windows(stream: IO[bytes], window: int, search: int) -> Iterator[AudioWindow]:
    carry, start = np.zeros(0, dtype=np.float32), 0
    while True:
        buffer = np.empty(window, dtype=np.float32)  # the one window held, filled in place
        buffer[: len(carry)] = carry
        filled = len(carry) + _read_into(stream, buffer[len(carry) :])
        if filled < window:  # end of stream
            if filled:
                yield AudioWindow(start / SAMPLE_RATE, buffer[:filled])
            return
        cut = quietest_point(buffer, window - search, window)
        carry = buffer[cut:].copy()
        yield AudioWindow(start / SAMPLE_RATE, buffer[:cut])
        start += cut


def _read_into(stream: IO[bytes], samples: np.ndarray) -> int:
    """Fill ``samples`` from ``stream``; the number of samples read, fewer only at its end."""
    view, filled = samples.data.cast("B"), 0
    while filled < len(view):
        got = stream.readinto(view[filled:])  # type: ignore[attr-defined]
        if not got:
            break
        filled += got
    return filled // 4


def quietest_point(samples: np.ndarray, lo: int, hi: int) -> int:
    """The sample index in ``[lo, hi]`` at the middle of the quietest 200 ms (``hi`` if too short to tell).

    Ties go to the latest such point, so windows stay as long as allowed.
    """
    frame = SAMPLE_RATE // 50
    count = (hi - lo) // frame
    if count < PAUSE_FRAMES:
        return hi
    region = samples[lo : lo + count * frame].astype(np.float64)
    energy = np.square(region).reshape(count, frame).mean(axis=1)
    smooth = np.convolve(energy, np.ones(PAUSE_FRAMES) / PAUSE_FRAMES, mode="valid")
    best = len(smooth) - 1 - int(np.argmin(smooth[::-1]))
    return lo + (best + PAUSE_FRAMES // 2) * frame


def check_complete(info: MediaInfo, decoded_s: float) -> None:
    """Raise :class:`InputError` when the decoded audio falls well short of the stream's declared length.

    A file cut short in copying (a faststart mp4 whose index survives while
    its data ends half-way) decodes without an ffmpeg error but only in part;
    a draft of the first half would silently lose the rest of the talk.
    """
    expected = info.audio_duration
    slack = max(TRUNCATION_SLACK[0], TRUNCATION_SLACK[1] * expected)
    if expected and decoded_s < expected - slack:
        raise InputError(
            f"is truncated or damaged: its audio stops at {clock(decoded_s)} of {clock(expected)}; "
            "copy or export the file again",
            info.path,
        )



def _last_line(stderr: bytes | None) -> str:
    lines = (stderr or b"").decode("utf-8", "replace").strip().splitlines()
    return lines[-1].strip() if lines else "no details from ffmpeg"


def display_path(path: Path | str) -> str:
    """``path`` as text any file can hold: bytes of a name that are not UTF-8 become U+FFFD.

    A name from an old archive may hold Latin-1 bytes, which Python keeps as lone
    surrogates that cannot be written to a UTF-8 ``draft.json`` or ``post.md``.
    """
    return os.fsencode(path).decode("utf-8", "replace")
