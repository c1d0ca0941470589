"""Transcribe stage: media in, timed words out, through the chosen engine and a cache."""

from __future__ import annotations

import hashlib
import json
import logging
from contextlib import closing
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from video2blog.pipeline.engines import Engine, EngineOptions, ProgressCallback, get_engine
from video2blog.pipeline.errors import InputError, UsageError
from video2blog.pipeline.ingest import media
from video2blog.pipeline.output import atomic_write
from video2blog.pipeline.schema import Transcript, Word
from video2blog.pipeline.serialize import to_json, transcript_from_dict, transcript_to_dict

log = logging.getLogger(__name__)

CACHE_VERSION = 1


@dataclass(frozen=True)
class TranscribeOptions:
    """Which engine runs, how, and where transcripts are cached (None: no cache).

    ``window_s`` bounds memory: the media is decoded and transcribed that many seconds at a time.
    """

    engine: str = "faster-whisper"
    engine_options: EngineOptions = field(default_factory=EngineOptions)
    cache_dir: Path | None = None
    window_s: float = media.WINDOW_SECONDS


def load_glossary(path: Path) -> tuple[str, ...]:
    """Terms from a glossary file: one a line, blank lines and ``#`` comments skipped.

    Raises:
        UsageError: the file cannot be read.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(
            f"{path}: cannot read the glossary ({exc}); give a UTF-8 text file, one term a line"
        ) from exc
    terms = (line.split("#", 1)[0].strip() for line in text.splitlines())
    return tuple(dict.fromkeys(t for t in terms if t))


def glossary_prompt(terms: tuple[str, ...]) -> str | None:
    """A prompt that biases Whisper toward the glossary's spellings."""
    return ", ".join(terms) + "." if terms else None


def transcribe_media(
    info: media.MediaInfo, sha256: str, options: TranscribeOptions, progress: ProgressCallback | None = None
) -> Transcript:
    """Transcribe a probed media file, reusing a cached transcript of the same content and settings.

    Raises:
        InputError: the audio cannot be decoded or holds no recognisable speech.
    """
    key = cache_key(sha256, options)
    cached = read_cached(options.cache_dir, key)
    if cached is not None:
        log.info("reusing cached transcript %s", key[:12])
        return cached
    engine = get_engine(options.engine, options.engine_options, options.cache_dir)
    transcript = transcribe_windows(engine, info, options.window_s, progress)
    if not transcript.words:
        raise InputError("no speech was recognised (is the sound track silent?)", info.path)
    write_cached(options.cache_dir, key, transcript)
    return transcript


def transcribe_windows(
    engine: Engine, info: media.MediaInfo, window_s: float, progress: ProgressCallback | None = None
) -> Transcript:
    """Transcribe the media one window at a time (see :func:`media.iter_audio`) and join the words.

    Windows are cut in pauses and follow each other with no overlap, so each
    word is heard in exactly one window; its times are shifted by the window's
    start. Progress is reported in seconds of the whole media.

    Raises:
        InputError: the audio cannot be decoded, or stops well short of its declared length.
    """
    words: list[Word] = []
    first: Transcript | None = None
    decoded = 0.0
    with closing(media.iter_audio(info.path, window_s)) as windows:
        for window in windows:
            part = engine.transcribe(window.samples, _window_progress(progress, window, info.duration))
            words.extend(_shifted(part.words, window))
            first, decoded = first or part, window.start + window.duration
    media.check_complete(info, decoded)
    return replace(first or Transcript(words=()), words=tuple(words), duration=info.duration or decoded)


def _window_progress(
    progress: ProgressCallback | None, window: media.AudioWindow, total: float
) -> ProgressCallback | None:
    if progress is None:
        return None
    return lambda done, _: progress(float(window.start + done), total or window.start + window.duration)


def _shifted(words: tuple[Word, ...], window: media.AudioWindow) -> list[Word]:
    """Words timed in the media, kept within their window so that windows stay in order."""

    def at(t: float) -> float:
        return round(window.start + min(max(t, 0.0), window.duration), 3)

    return [replace(w, start=at(w.start), end=at(w.end)) for w in words]


def cache_key(sha256: str, options: TranscribeOptions) -> str:
    """Content hash + engine + every setting that changes the words."""
    settings = {
        "v": CACHE_VERSION,
        "media": sha256,
        "engine": options.engine,
        "window": options.window_s,  # long media is heard in windows of this length
        **asdict(options.engine_options),
    }
    settings.pop("threads", None)  # thread count changes speed, not words
    return hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()


def read_cached(cache_dir: Path | None, key: str) -> Transcript | None:
    """A cached transcript, or None when absent or unreadable."""
    if cache_dir is None:
        return None
    try:
        data = json.loads((cache_dir / "transcripts" / f"{key}.json").read_text(encoding="utf-8"))
        return transcript_from_dict(data)
    except (OSError, ValueError, KeyError, TypeError):
        return None


def write_cached(cache_dir: Path | None, key: str, transcript: Transcript) -> None:
    """Store a transcript in the cache; a cache that cannot be written is only logged."""
    if cache_dir is None:
        return
    folder = cache_dir / "transcripts"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        atomic_write(folder / f"{key}.json", to_json(transcript_to_dict(transcript)))
    except OSError as exc:
        log.warning("cannot write the transcript cache in %s: %s", folder, exc)
