"""Media stage: find ffmpeg, probe a file, and extract 16 kHz mono speech audio.

Long recordings are decoded as a stream of windows (:func:`iter_audio`) so that
memory does not grow with the length of the media: ffmpeg writes samples to a
pipe and only one window (ten minutes by default) is held at a time.
"""

from __future__ import annotations

import json
import logging
import math
import os
import re
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Generator, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from types import TracebackType
from typing import IO, Any

import ffmpeg
import numpy as np

from video2blog.pipeline.engines.base import SAMPLE_RATE
from video2blog.pipeline.errors import InputError, UsageError
from video2blog.pipeline.schema import Chapter
from video2blog.pipeline.textutil import clock, message

log = logging.getLogger(__name__)

WINDOW_SECONDS = 600.0
# A window ends at the quietest moment of its last stretch of this many seconds (a pause, not a word).
CUT_SEARCH_SECONDS = 30.0
# Energy is compared over pauses of this length, in 20 ms frames.
PAUSE_FRAMES = 10
# Decoded audio may fall short of the stream's declared length by this much before it counts as truncated.
TRUNCATION_SLACK = (2.0, 0.02)  # seconds, fraction of the duration
# What ffmpeg warns where a file states no length and it guessed one from the bitrate (raw AMR or AAC, an
# mp3 without a Xing header): no declared length, so no measure of a cut.
ESTIMATED = "Estimating duration from bitrate"
_AV_LOGGING = threading.Lock()
# Samples a second a track is decoded at only to measure its length (:func:`decoded_seconds`).
LENGTH_RATE = 1000
# Audio that stops this much short of its declared length, within the slack, is noted in the draft.
TRUNCATION_NOTICE_S = 0.5
# Bytes of a WAV file read for its header's chunks (fmt and data come first; a long LIST chunk may not).
WAV_HEADER_READ = 65536
# Several audio tracks: each is heard in this many excerpts of this many seconds to find the speech.
SPEECH_EXCERPTS = 3
SPEECH_EXCERPT_S = 20.0
EXCERPT_TIMEOUT_S = 120
# Decode onto the media's timeline: gaps between audio packets become silence (not dropped time).
TIMELINE = "aresample=async=1"
# A track whose two channels cancel when mixed to mono (one wired or recorded phase-inverted) is heard from
# its louder channel: its mix is quieter than this share of that channel's level (a true mix of speech
# from two microphones stays above half of it).
CANCELLED_SHARE = 0.1


@dataclass(frozen=True)
class AudioTrack:
    """One audio stream of a media file: its number among the audio streams (from 1)."""

    number: int
    duration: float = 0.0  # declared length; 0 when unknown
    default: bool = False  # the container marks it as the one to play
    lead: float = 0.0  # seconds the picture runs before this sound starts (sound brought in late in an edit)
    channel: int | None = None  # the one channel heard where the mix cancels (:func:`with_cancelled_channel`)
    language: str = ""  # the language the container tags it with ("spa", "eng"); "" when untagged


@dataclass(frozen=True)
class MediaInfo:
    """What a probe learns about a media file."""

    path: Path
    duration: float
    has_audio: bool
    has_video: bool
    chapters: tuple[Chapter, ...] = ()
    audio_duration: float = 0.0  # the first audio stream's declared length; 0 when unknown
    tracks: tuple[AudioTrack, ...] = ()

    def track_duration(self, number: int) -> float:
        """The declared length of audio track ``number`` (the first stream's when not probed)."""
        track = next((t for t in self.tracks if t.number == number), None)
        return track.duration if track else self.audio_duration

    def track_lead(self, number: int) -> float:
        """Seconds from the media's start to audio track ``number``'s first sound (0 when not probed)."""
        track = next((t for t in self.tracks if t.number == number), None)
        return track.lead if track else 0.0

    def track_channel(self, number: int) -> int | None:
        """The one channel of audio track ``number`` to hear (None: the mix of them all)."""
        track = next((t for t in self.tracks if t.number == number), None)
        return track.channel if track else None


@dataclass(frozen=True)
class AudioWindow:
    """A stretch of decoded audio and where it starts in the media (seconds)."""

    start: float
    samples: np.ndarray

    @property
    def duration(self) -> float:
        return len(self.samples) / SAMPLE_RATE


# ffmpeg runs in a session of its own: a signal sent to video2blog's process group (Ctrl-C in a terminal,
# a script's job whose video2blog ignores SIGINT) reaches video2blog alone, which stops ffmpeg itself.
# ffmpeg stopped on its own looked like a file it cannot decode ("ffmpeg could not decode its audio").
OWN_SESSION = True


@lru_cache(maxsize=1)
def ffmpeg_exe() -> str:
    """The ffmpeg on PATH, else the binary shipped in the ``imageio-ffmpeg`` wheel."""
    found = shutil.which("ffmpeg")
    if found:
        return found
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


@lru_cache(maxsize=1)
def ffmpeg_version() -> str:
    """What ``ffmpeg -version`` prints (its build, configuration and libraries), asked once per process:
    another ffmpeg decodes other samples and pictures, so it is part of a transcript's and a draft's
    settings. "" where it cannot be run (decoding then fails and says so)."""
    try:
        done = subprocess.run([ffmpeg_exe(), "-version"], capture_output=True, timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    version = done.stdout.decode("utf-8", "replace").strip()
    log.info("media is decoded by %s (%s)", version.partition("\n")[0], ffmpeg_exe())
    return version


def ffmpeg_name() -> str:
    """The first line of :func:`ffmpeg_version` without its copyright ("ffmpeg version 7.0.2-static")."""
    first = ffmpeg_version().partition("\n")[0]
    return first.partition(" Copyright")[0].strip()


def check_readable(path: Path) -> None:
    """Raise :class:`InputError` unless ``path`` is a non-empty readable file."""
    if not path.exists():
        raise InputError("no such file; check the path and try again", path)
    if path.is_dir():
        raise InputError("is a folder, not a media file; use 'video2blog batch' for folders", path)
    if not path.is_file():  # opening a named pipe would wait for a writer, a device would never end
        raise InputError("is not a regular file (a named pipe, device or socket); give a media file", path)
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
    info = _as_declared(_probe_ffprobe(path) if shutil.which("ffprobe") else _probe_av(path))
    if not info.has_audio:
        raise InputError("has no audio stream, so there is no speech to transcribe", path)
    if not all(math.isfinite(t) and t >= 0 for t in (info.duration, *(a.duration for a in info.tracks))):
        raise InputError(
            "states a length that is not a finite time; re-mux it (ffmpeg -i IN -c copy OUT)", path
        )
    return info


def _as_declared(info: MediaInfo) -> MediaInfo:
    """``info`` with a WAV's audio as long as its header declares, where that is longer than probed."""
    declared = wav_declared_seconds(info.path)
    if not declared or not info.tracks or declared <= info.tracks[0].duration:
        return info
    tracks = (replace(info.tracks[0], duration=declared), *info.tracks[1:])
    return replace(info, tracks=tracks, audio_duration=declared)


def _undeclared(info: MediaInfo) -> MediaInfo:
    """``info`` with its audio's length unknown: ffmpeg's estimate from the bitrate is no declared length
    (a whole AMR memo "stopped at 1:48 of 1:51", a VBR mp3 at 3:37 of 5:03)."""
    tracks = tuple(replace(t, duration=0.0) for t in info.tracks)
    return replace(info, tracks=tracks, audio_duration=0.0)


@contextmanager
def _av_warnings() -> Iterator[list[tuple[int, str, str]]]:
    """The (level, source, message) warnings libav logs while the block runs (PyAV logs none unless asked).

    PyAV's level is one for every thread: one probe at a time sets it and puts it back."""
    import av.logging

    with _AV_LOGGING:
        level, skip = av.logging.get_level(), av.logging.get_skip_repeated()
        av.logging.set_level(av.logging.WARNING)
        av.logging.set_skip_repeated(False)  # else a file probed twice warns once, its second probe held back
        try:
            with av.logging.Capture() as logs:
                yield logs
        finally:
            av.logging.set_skip_repeated(skip)
            av.logging.set_level(level)


def _probe_av(path: Path) -> MediaInfo:
    import av

    try:
        with _av_warnings() as warnings, av.open(str(path)) as container:
            kinds = {s.type for s in container.streams if not _cover_art(s)}
            duration = _av_duration(container)
            chapters = tuple(_av_chapters(container.chapters()))
            start = container.start_time / 1_000_000 if container.start_time is not None else None
            tracks = tuple(_av_track(n, s, start) for n, s in enumerate(container.streams.audio, 1))
    except (av.error.FFmpegError, ValueError, OSError) as exc:
        raise InputError("is not a media file ffmpeg can read (is it corrupt or truncated?)", path) from exc
    audio = tracks[0].duration if tracks else 0.0
    info = MediaInfo(path, duration, "audio" in kinds, "video" in kinds, chapters, audio, tracks)
    return _undeclared(info) if any(ESTIMATED in message for _, _, message in warnings) else info


def _cover_art(stream: Any) -> bool:
    """A picture attached to an audio file (an mp3's or m4a's cover art), which is no video."""
    from av.stream import Disposition

    return stream.type == "video" and bool(stream.disposition & Disposition.attached_pic)


def _av_track(number: int, stream: Any, start: float | None) -> AudioTrack:
    from av.stream import Disposition

    begins = float(stream.start_time * stream.time_base) if stream.start_time is not None else None
    default = bool(stream.disposition & Disposition.default)
    tagged = _tagged_language(stream.metadata.get("language"))
    return AudioTrack(number, _av_stream_seconds(stream), default, lead_of(begins, start), language=tagged)


def _tagged_language(tag: object) -> str:
    """A stream's language tag, "" where it has none or says it is undetermined ("und")."""
    text = str(tag or "").strip()
    return "" if text.lower() == "und" else text


def lead_of(audio_start: float | None, media_start: float | None) -> float:
    """Seconds the media runs before its audio starts (audio brought in after the picture, as an edit
    or a phone may), to the millisecond; 0 where either is unknown or the audio starts first. A player's
    clock starts with the media, so the audio is laid that much later on it."""
    if audio_start is None or media_start is None:
        return 0.0
    return max(0.0, round(audio_start - media_start, 3))


def _av_stream_seconds(stream: object) -> float:
    if stream is None:
        return 0.0
    if not stream.duration or not stream.time_base:  # type: ignore[attr-defined]
        return tagged_seconds(stream.metadata)  # type: ignore[attr-defined]
    return float(stream.duration * stream.time_base)  # type: ignore[attr-defined]


def tagged_seconds(tags: Mapping[str, str]) -> float:
    """A stream's length as its ``DURATION`` tag states it ("00:01:48.485000000": Matroska and WebM give
    no other per stream), or 0 where there is none."""
    found = re.fullmatch(r"(\d+):(\d{2}):(\d{2}(?:\.\d+)?)", str(tags.get("DURATION", "")).strip())
    if not found:
        return 0.0
    hours, minutes, seconds = found.groups()
    return int(hours) * 3600 + int(minutes) * 60 + float(seconds)


def wav_declared_seconds(path: Path) -> float:
    """The length a WAV file's header declares (its ``data`` chunk's size over the byte rate), or 0 for
    a file that is no WAV or leaves it open (a size of 0 or 0xFFFFFFFF, as a recorder still writing it
    does). ffmpeg takes a WAV's length from the file's size, so only the header tells it was cut short."""
    try:
        with path.open("rb") as file:
            head = file.read(WAV_HEADER_READ)
    except OSError:
        return 0.0
    if head[:4] != b"RIFF" or head[8:12] != b"WAVE":
        return 0.0
    rate, at = 0, 12
    while at + 8 <= len(head):
        chunk, size = head[at : at + 4], int.from_bytes(head[at + 4 : at + 8], "little")
        if chunk == b"fmt " and at + 20 <= len(head):
            rate = int.from_bytes(head[at + 16 : at + 20], "little")  # average bytes a second
        if chunk == b"data":
            return size / rate if rate and 0 < size < 0xFFFFFFFF else 0.0
        at += 8 + size + (size & 1)
    return 0.0


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
        "warning",
        "-print_format",
        "json",
        "-show_format",
        "-show_streams",
        "-show_chapters",
        str(path),
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False, start_new_session=OWN_SESSION)
    if proc.returncode != 0:
        raise InputError("is not a media file ffmpeg can read (is it corrupt or truncated?)", path)
    data = json.loads(proc.stdout or "{}")
    streams = data.get("streams", [])
    kinds = {s.get("codec_type") for s in streams if not (s.get("disposition") or {}).get("attached_pic")}
    audios = [s for s in streams if s.get("codec_type") == "audio"]
    begins = data.get("format", {}).get("start_time")
    tracks = tuple(
        AudioTrack(
            n,
            float(a.get("duration") or 0.0) or tagged_seconds(a.get("tags") or {}),
            bool((a.get("disposition") or {}).get("default")),
            lead_of(_seconds(a.get("start_time")), _seconds(begins)),
            language=_tagged_language((a.get("tags") or {}).get("language")),
        )
        for n, a in enumerate(audios, 1)
    )
    duration = float(data.get("format", {}).get("duration") or 0.0)
    chapters = tuple(
        Chapter(
            title=(c.get("tags", {}).get("title") or f"Chapter {i + 1}").strip(),
            start=float(c["start_time"]),
            end=float(c["end_time"]),
        )
        for i, c in enumerate(data.get("chapters", []))
    )
    audio_duration = tracks[0].duration if tracks else 0.0
    info = MediaInfo(path, duration, "audio" in kinds, "video" in kinds, chapters, audio_duration, tracks)
    return _undeclared(info) if ESTIMATED in proc.stderr else info


def _seconds(value: object) -> float | None:
    """A time ffprobe printed ("2.950000"), or None where it printed none."""
    try:
        return float(value) if value is not None else None  # type: ignore[arg-type]
    except ValueError:
        return None


def timeline(lead: float, channel: int | None = None) -> str:
    """The audio filter laying the sound on the media's timeline: ``lead`` seconds of silence before it
    where it starts after the picture, and silence in any gap between its packets; only ``channel`` (from
    0) where the channels cancel when mixed (:func:`cancelled_channel`)."""
    delay = round(lead * 1000)
    parts = [f"pan=mono|c0=c{channel}"] if channel is not None else []
    parts += [f"adelay=delays={delay}:all=1"] if delay > 0 else []
    return ",".join([*parts, TIMELINE])


def with_cancelled_channel(info: MediaInfo, track: int = 1) -> MediaInfo:
    """``info`` with audio track ``track`` heard from one channel where its channels cancel when mixed."""
    channel = cancelled_channel(info, track)
    if channel is None:
        return info
    tracks = tuple(replace(t, channel=channel) if t.number == track else t for t in info.tracks)
    return replace(info, tracks=tracks)


def cancelled_channel(info: MediaInfo, track: int = 1) -> int | None:
    """The channel (0 or 1) to hear alone where audio track ``track``'s channels cancel out when mixed to
    mono, as one phase-inverted does (a stereo player plays it, the mix is silence); None where the mix is
    sound. Told from the excerpts :func:`speech_seconds` hears, spread over the media."""
    starts = _excerpt_starts(info.duration)
    pairs = [_pair(_excerpt(info.path, track, start, SPEECH_EXCERPT_S)) for start in starts]
    louder = _cancelled(np.concatenate(pairs)) if pairs else None
    if louder is not None:
        log.warning(
            "%s: its two channels cancel when mixed (one is phase-inverted); hearing the %s channel alone",
            display_path(info.path),
            ("left", "right")[louder],
        )
    return louder


def _pair(stereo: np.ndarray) -> np.ndarray:
    """Interleaved two-channel samples as rows of (left, right)."""
    return stereo[: len(stereo) // 2 * 2].reshape(-1, 2)


def _cancelled(pair: np.ndarray) -> int | None:
    """The louder channel of ``pair`` (rows of left, right) where their mix is far quieter than it (the
    channels cancel), else None."""
    if not len(pair):
        return None
    wide = pair.astype(np.float64)
    levels = np.sqrt(np.mean(np.square(wide), axis=0))
    mixed = float(np.sqrt(np.mean(np.square(wide.mean(axis=1)))))
    louder = int(np.argmax(levels))
    return louder if levels[louder] > 0 and mixed < CANCELLED_SHARE * levels[louder] else None


def _heard_excerpt(path: Path, track: int, start: float, length: float) -> np.ndarray:
    """An excerpt as the draft would hear it: the mix, or the louder channel where the mix cancels."""
    pair = _pair(_excerpt(path, track, start, length))
    louder = _cancelled(pair)
    return pair.mean(axis=1) if louder is None else pair[:, louder]


def load_audio(
    path: Path, sample_rate: int = SAMPLE_RATE, track: int = 1, lead: float = 0.0, channel: int | None = None
) -> np.ndarray:
    """Decode audio track ``track`` (from 1) of ``path`` to mono float32 at ``sample_rate``, on its timeline
    (``lead``: :meth:`MediaInfo.track_lead`).

    Raises:
        InputError: ffmpeg cannot decode the file.
    """
    stream = ffmpeg.input(str(path)).output(
        "pipe:",
        format="f32le",
        acodec="pcm_f32le",
        ac=1,
        ar=sample_rate,
        map=f"0:a:{track - 1}",
        af=timeline(lead, channel),
    )
    cmd = stream.global_args("-nostdin", "-hide_banner", "-loglevel", "error").compile(cmd=ffmpeg_exe())
    proc = subprocess.run(cmd, capture_output=True, check=False, start_new_session=OWN_SESSION)
    if proc.returncode != 0:
        raise InputError(f"ffmpeg could not decode its audio ({_last_line(proc.stderr)})", path)
    return np.frombuffer(proc.stdout, dtype=np.float32).copy()


def iter_audio(
    path: Path,
    window_s: float = WINDOW_SECONDS,
    search_s: float | None = None,
    track: int = 1,
    lead: float = 0.0,
    channel: int | None = None,
) -> Generator[AudioWindow, None, None]:
    """Decode audio track ``track`` (from 1) of ``path`` as consecutive windows of 16 kHz mono float32.

    The audio is laid on the media's timeline: where its packets leave a gap (clips joined whose
    pictures outlast their sound, a recorder that dropped packets) the gap is filled with silence,
    so a time in the audio is the same time in the video; and sound that starts ``lead`` seconds after
    the picture (:meth:`MediaInfo.track_lead`) starts that late in the audio too. ``channel``: the one
    channel heard where the channels cancel when mixed (:func:`cancelled_channel`).

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
    with tempfile.TemporaryFile() as errors, _decoder(path, errors, track, lead, channel) as proc:
        assert proc.stdout is not None
        yield from _windows(proc.stdout, window, min(search, window))
        if proc.wait() != 0:
            errors.seek(0)
            reason = _last_line(errors.read())
            raise InputError(f"ffmpeg could not decode its audio ({reason})", path)


def iter_track(
    info: MediaInfo, track: int = 1, window_s: float = WINDOW_SECONDS
) -> Generator[AudioWindow, None, None]:
    """:func:`iter_audio` of audio track ``track`` of probed media, laid on its timeline as probed (its
    :meth:`~MediaInfo.track_lead`) and from the channel to hear (:meth:`~MediaInfo.track_channel`)."""
    return iter_audio(
        info.path, window_s, track=track, lead=info.track_lead(track), channel=info.track_channel(track)
    )


def _decoder(
    path: Path, errors: IO[bytes], track: int = 1, lead: float = 0.0, channel: int | None = None
) -> subprocess.Popen[bytes]:
    """ffmpeg writing the audio as raw float32 to a pipe; its messages go to a file, not a pipe that fills."""
    cmd = [ffmpeg_exe(), "-nostdin", "-hide_banner", "-loglevel", "error", "-i", str(path)]
    cmd += ["-map", f"0:a:{track - 1}", "-af", timeline(lead, channel), "-ac", "1", "-ar", str(SAMPLE_RATE)]
    cmd += ["-acodec", "pcm_f32le", "-f", "f32le"]
    cmd.append("pipe:")
    return _KilledOnExit(
        cmd, stdout=subprocess.PIPE, stderr=errors, stdin=subprocess.DEVNULL, start_new_session=OWN_SESSION
    )


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


def choose_track(info: MediaInfo, wanted: int = 0) -> int:
    """The audio track to transcribe (from 1): ``wanted`` where given, else the one with the most speech.

    Media with several tracks (a commentary and a music bed, a silent camera channel and a lapel
    microphone) are heard in a few short excerpts each with faster-whisper's Silero VAD; ties go
    to the track the container marks as default, then to the first.

    Raises:
        UsageError: ``wanted`` is not the number of one of the file's audio tracks.
    """
    count = len(info.tracks) or 1
    if wanted:
        if not 1 <= wanted <= count:
            tracks = "1 audio track" if count == 1 else f"{count} audio tracks (1 to {count})"
            raise UsageError(f"{info.path}: has {tracks}, not a track {wanted}; choose another --audio-track")
        return wanted
    if count == 1:
        return 1
    heard = {t.number: speech_seconds(info, t.number) for t in info.tracks}
    best = max(info.tracks, key=lambda t: (round(heard[t.number]), t.default, -t.number))
    log.info("audio tracks %s: seconds of speech heard %s; using track %d", info.path, heard, best.number)
    return best.number


def tracks_note(info: MediaInfo, track: int, language: str = "en") -> str | None:
    """The note saying which of several audio tracks was drafted, and how to draft another; None for one.

    A dubbed video's other language is otherwise passed over without a word."""
    if len(info.tracks) < 2:
        return None
    listed = ", ".join(_track_label(t, language) for t in info.tracks)
    values = {"path": display_path(info.path), "count": str(len(info.tracks)), "tracks": listed}
    return message(language, "note_audio_tracks", **values, track=str(track), last=str(len(info.tracks)))


def _track_label(track: AudioTrack, language: str) -> str:
    default = f" {message(language, 'track_default')}" if track.default else ""
    return f"{track.number}{f' {track.language}' if track.language else ''}{default}"


def speech_seconds(info: MediaInfo, track: int) -> float:
    """Seconds of speech Silero VAD hears in a few excerpts of audio track ``track``."""
    heard = 0.0
    for start in _excerpt_starts(info.duration):
        samples = _heard_excerpt(info.path, track, start, SPEECH_EXCERPT_S)
        heard += sum(end - begin for begin, end in speech_spans(samples))
    return heard


def speech_spans(samples: np.ndarray) -> list[tuple[float, float]]:
    """(start, end) seconds of 16 kHz ``samples`` that faster-whisper's Silero VAD hears as speech."""
    if not len(samples):
        return []
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    spans = get_speech_timestamps(samples, VadOptions(), sampling_rate=SAMPLE_RATE)
    return [(s["start"] / SAMPLE_RATE, s["end"] / SAMPLE_RATE) for s in spans]


def _excerpt_starts(duration: float) -> list[float]:
    """Where the excerpts start: the whole file when short, else spread evenly over it."""
    count, length = SPEECH_EXCERPTS, SPEECH_EXCERPT_S
    if duration <= count * length:
        return [length * k for k in range(max(1, math.ceil(duration / length)))]
    return [max(0.0, duration * (k + 0.5) / count - length / 2) for k in range(count)]


def _excerpt(path: Path, track: int, start: float, length: float) -> np.ndarray:
    """``length`` seconds of audio track ``track`` from ``start``, as float32, two channels interleaved
    (so that channels which cancel when mixed are told apart, :func:`_heard_excerpt`)."""
    cmd = [ffmpeg_exe(), "-nostdin", "-hide_banner", "-loglevel", "error", "-ss", f"{start:.3f}"]
    cmd += ["-t", f"{length:.3f}", "-i", str(path), "-map", f"0:a:{track - 1}", "-ac", "2"]
    cmd += ["-ar", str(SAMPLE_RATE), "-acodec", "pcm_f32le", "-f", "f32le", "pipe:"]
    try:
        proc = subprocess.run(
            cmd, capture_output=True, check=False, timeout=EXCERPT_TIMEOUT_S, start_new_session=OWN_SESSION
        )
    except subprocess.TimeoutExpired:
        return np.zeros(0, dtype=np.float32)
    return np.frombuffer(proc.stdout, dtype=np.float32) if proc.returncode == 0 else np.zeros(0, np.float32)


def check_complete(info: MediaInfo, decoded_s: float, track: int = 1, language: str = "en") -> str | None:
    """Raise :class:`InputError` when the decoded audio falls well short of the stream's declared length.

    A file cut short in copying (a faststart mp4 whose index survives while
    its data ends half-way) decodes without an ffmpeg error but only in part;
    a draft of the first half would silently lose the rest of the talk. (Gaps inside the audio
    are filled with silence when decoding, so they do not count as missing.) A shorter cut,
    within the slack, may still have cut a sentence: it is returned as a note for the draft
    (and logged as a warning), however small past :data:`TRUNCATION_NOTICE_S`.

    Returns:
        The note for a small cut, in ``language`` (the talk's); None when the audio is whole.
    """
    expected = info.track_duration(track)
    _refuse_cut(info, decoded_s, expected)
    if expected and decoded_s < expected - TRUNCATION_NOTICE_S:
        note = message(
            language, "note_cut_short", path=display_path(info.path), at=clock(decoded_s), of=clock(expected)
        )
        log.warning("%s", note)
        return note
    return None


def check_reaches_end(info: MediaInfo, track: int = 1) -> None:
    """Raise :class:`InputError` before any transcription where audio track ``track`` stops well short of
    its declared length: a truncated file was refused only after all of it was heard (67 s for half a
    podcast). A second of audio is decoded from just inside the slack; only where there is none is the
    whole track decoded (no picture, so seconds) to say where it stops."""
    expected = info.track_duration(track)
    if not expected:
        return
    probe_at = max(0.0, expected - _slack(expected) - 1.0)
    if len(_excerpt(info.path, track, probe_at, 1.0)):
        return
    _refuse_cut(info, decoded_seconds(info, track), expected)


def decoded_seconds(info: MediaInfo, track: int = 1) -> float:
    """How long audio track ``track`` decodes on the media's timeline, as :func:`iter_track` decodes it
    (at a thousand samples a second, which is all a length needs)."""
    cmd = [ffmpeg_exe(), "-nostdin", "-hide_banner", "-loglevel", "error", "-i", str(info.path)]
    cmd += ["-map", f"0:a:{track - 1}", "-af", timeline(info.track_lead(track), info.track_channel(track))]
    cmd += ["-ac", "1", "-ar", str(LENGTH_RATE), "-acodec", "pcm_s16le", "-f", "s16le", "pipe:"]
    proc = subprocess.run(cmd, capture_output=True, check=False, start_new_session=OWN_SESSION)
    return len(proc.stdout) / 2 / LENGTH_RATE


def _slack(expected: float) -> float:
    return max(TRUNCATION_SLACK[0], TRUNCATION_SLACK[1] * expected)


def _refuse_cut(info: MediaInfo, decoded_s: float, expected: float) -> None:
    """Raise :class:`InputError` where ``decoded_s`` falls short of ``expected`` by more than the slack."""
    if expected and decoded_s < expected - _slack(expected):
        stops = f"its audio stops at {clock(decoded_s)} of {clock(expected)}"
        raise InputError(f"is truncated or damaged: {stops}; copy or export the file again", info.path)


def _last_line(stderr: bytes | None) -> str:
    lines = (stderr or b"").decode("utf-8", "replace").strip().splitlines()
    return lines[-1].strip() if lines else "no details from ffmpeg"


def display_path(path: Path | str) -> str:
    """``path`` as text any file can hold: bytes of a name that are not UTF-8 become U+FFFD.

    A name from an old archive may hold Latin-1 bytes, which Python keeps as lone
    surrogates that cannot be written to a UTF-8 ``draft.json`` or ``post.md``.
    """
    return os.fsencode(path).decode("utf-8", "replace")
