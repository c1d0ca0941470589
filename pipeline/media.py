"""Media stage: find ffmpeg, probe a file, and extract 16 kHz mono speech audio."""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import subprocess
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import ffmpeg
import numpy as np

from pipeline.errors import InputError
from pipeline.schema import Chapter

log = logging.getLogger(__name__)

SAMPLE_RATE = 16000
MEDIA_SUFFIXES = frozenset(
    [
        ".mp4",
        ".mov",
        ".mkv",
        ".webm",
        ".m4a",
        ".mp3",
        ".wav",
        ".flac",
        ".ogg",
        ".opus",
        ".aac",
        ".avi",
        ".m4v",
        ".wma",
        ".mpg",
        ".mpeg",
    ]
)


@dataclass(frozen=True)
class MediaInfo:
    """What a probe learns about a media file."""

    path: Path
    duration: float
    has_audio: bool
    has_video: bool
    chapters: tuple[Chapter, ...] = ()


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
    except (av.error.FFmpegError, ValueError, OSError) as exc:
        raise InputError("is not a media file ffmpeg can read (is it corrupt or truncated?)", path) from exc
    return MediaInfo(path, duration, "audio" in kinds, "video" in kinds, chapters)


def _av_duration(container: object) -> float:
    duration = getattr(container, "duration", None)
    if duration:
        return float(duration) / 1_000_000
    streams = [s for s in container.streams if s.duration and s.time_base]  # type: ignore[attr-defined]
    return max((float(s.duration * s.time_base) for s in streams), default=0.0)


def _av_chapters(raw: list[dict]) -> list[Chapter]:
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
    duration = float(data.get("format", {}).get("duration") or 0.0)
    chapters = tuple(
        Chapter(
            title=(c.get("tags", {}).get("title") or f"Chapter {i + 1}").strip(),
            start=float(c["start_time"]),
            end=float(c["end_time"]),
        )
        for i, c in enumerate(data.get("chapters", []))
    )
    return MediaInfo(path, duration, "audio" in kinds, "video" in kinds, chapters)


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


def _last_line(stderr: bytes | None) -> str:
    lines = (stderr or b"").decode("utf-8", "replace").strip().splitlines()
    return lines[-1].strip() if lines else "no details from ffmpeg"


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    """Hex SHA-256 of a file's content, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(chunk):
            digest.update(block)
    return digest.hexdigest()
