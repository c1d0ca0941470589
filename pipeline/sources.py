"""The kinds of file a draft can be made from, told by their suffix (one list for every stage)."""

from __future__ import annotations

import os
from pathlib import Path, PurePath
from typing import Literal

from video2blog.pipeline.errors import InputError

SourceKind = Literal["video", "audio", "captions", "transcript"]

# .mts and .m2ts: a camcorder's AVCHD recordings (MPEG transport streams, as .ts).
VIDEO_SUFFIXES = frozenset(
    {".mp4", ".m4v", ".mov", ".mkv", ".webm", ".ogv", ".avi", ".mpg", ".mpeg", ".wmv", ".3gp", ".ts"}
    | {".mts", ".m2ts"}
)
# .amr and .3ga: a phone's voice memos (Android's recorder, older phones), which draft reads like any other.
AUDIO_SUFFIXES = frozenset(
    {".m4a", ".mp3", ".wav", ".flac", ".ogg", ".oga", ".opus", ".aac", ".wma", ".amr", ".3ga"}
)
# Media: what ffmpeg decodes, and what a batch picks up from a folder by default.
MEDIA_SUFFIXES = VIDEO_SUFFIXES | AUDIO_SUFFIXES
CAPTION_SUFFIXES = frozenset({".srt", ".vtt"})
# Drafted from words already recognised: a transcript.json of an earlier draft, or captions.
TRANSCRIPT_SUFFIXES = frozenset({".json"}) | CAPTION_SUFFIXES


def source_kind(path: str | PurePath) -> SourceKind | None:
    """What ``path`` holds, by its suffix; None for a suffix the pipeline does not know."""
    suffix = PurePath(path).suffix.lower()
    if suffix in VIDEO_SUFFIXES:
        return "video"
    if suffix in AUDIO_SUFFIXES:
        return "audio"
    if suffix in CAPTION_SUFFIXES:
        return "captions"
    return "transcript" if suffix == ".json" else None


def inside(folder: Path, path: Path) -> Path | None:
    """``path`` with links followed, if it stays inside ``folder`` (with links followed); else None: what a
    draft folder's files name (a still, a draft beside it) never leads out of it."""
    root = Path(os.path.realpath(folder))
    real = Path(os.path.realpath(path))
    return real if real != root and real.is_relative_to(root) else None


def folder_file(folder: Path, name: str) -> Path:
    """``folder/name``, a draft folder's own file, to read: a folder may come from anyone, and a link in
    it must not make video2blog read (and send to a language model, or copy into the folder) a file of
    the user's elsewhere.

    Raises:
        InputError: the file is there but leads outside the folder once links are followed.
    """
    path = folder / name
    if os.path.lexists(path) and inside(folder, path) is None:
        raise InputError(
            "leads outside the draft folder (a link?); put the file itself there, or move it away", path
        )
    return path
