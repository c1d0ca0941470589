"""Transcribe stage: media in, timed words out, through the chosen engine and a cache."""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from pipeline import media
from pipeline.engines import EngineOptions, ProgressCallback, get_engine
from pipeline.errors import InputError, UsageError
from pipeline.output import atomic_write
from pipeline.schema import Transcript
from pipeline.serialize import to_json, transcript_from_dict, transcript_to_dict

log = logging.getLogger(__name__)

CACHE_VERSION = 1


@dataclass(frozen=True)
class TranscribeOptions:
    """Which engine runs, how, and where transcripts are cached (None: no cache)."""

    engine: str = "faster-whisper"
    engine_options: EngineOptions = field(default_factory=EngineOptions)
    cache_dir: Path | None = None


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
    audio = media.load_audio(info.path)
    engine = get_engine(options.engine, options.engine_options)
    transcript = replace(engine.transcribe(audio, progress), duration=info.duration or len(audio) / 16000)
    if not transcript.words:
        raise InputError("no speech was recognised (is the sound track silent?)", info.path)
    write_cached(options.cache_dir, key, transcript)
    return transcript


def cache_key(sha256: str, options: TranscribeOptions) -> str:
    """Content hash + engine + every setting that changes the words."""
    settings = {
        "v": CACHE_VERSION,
        "media": sha256,
        "engine": options.engine,
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
