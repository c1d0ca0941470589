"""What a batch remembers in each draft folder, so that a re-run skips the videos that have not changed.

The state file is written in the same all-or-nothing commit as the draft it
describes, so a folder never claims a draft it does not hold. It records the
source's SHA-256 (the truth) and its size and modification time (a fast
pre-check that spares hashing an unchanged file), and a key of the settings
the draft was made with.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from video2blog.pipeline import __version__
from video2blog.pipeline.digest import sha256_file
from video2blog.pipeline.errors import OutputError, Video2BlogError
from video2blog.pipeline.output import OutputFolder, recover
from video2blog.pipeline.run import DraftOptions, with_folder_settings
from video2blog.pipeline.serialize import path_text, to_json

log = logging.getLogger(__name__)

STATE = ".video2blog-batch.json"


@dataclass(frozen=True)
class SourceState:
    """The video a draft folder was made from (``source``: its path inside the batch folder as
    :func:`path_text` writes it), and the settings it was made with."""

    source: str
    sha256: str
    size: int
    mtime_ns: int
    settings: str
    duration: float
    files: tuple[str, ...]

    def to_bytes(self) -> bytes:
        return to_json(asdict(self))


def settings_key(options: DraftOptions) -> str:
    """A hash of every setting that shapes a draft: not ``force``, the cache folder or the thread count."""
    data = asdict(options)
    data.pop("force", None)
    data.pop("related", None)  # the library step's, after the drafts: turning it off redrafts nothing
    data.pop("given", None)  # which options were typed: the same settings typed again redraft nothing
    data["transcribe"].pop("cache_dir", None)
    data["transcribe"]["engine_options"].pop("threads", None)
    if data.get("llm"):  # the API key, the cache folder and --allow-http change no draft
        unshaping = ("api_key", "cache_dir", "allow_http")
        data["llm"] = {k: v for k, v in data["llm"].items() if k not in unshaping}
    data["templates"] = _template_fingerprint(options.template_dir)
    data["version"] = __version__
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def folder_settings_key(options: DraftOptions, folder: Path) -> str:
    """The key of the settings a draft into ``folder`` is made with: the options given, and for those
    not given the folder's recorded ones and its glossary (as the draft itself takes them), so that a
    re-run without its options skips what the options it left out would draft the same."""
    if not (folder / "settings.json").exists():
        return settings_key(options)
    try:
        return settings_key(with_folder_settings(options, folder)[0])
    except Video2BlogError:  # unreadable settings: the draft will say so
        return settings_key(options)


def _template_fingerprint(folder: Path | None) -> list[tuple[str, int, int]]:
    """Name, size and mtime of each template, so that an edited template redrafts."""
    if folder is None:
        return []
    try:
        stats = [(p.name, p.stat()) for p in folder.iterdir() if p.is_file()]
    except OSError:
        return []
    return sorted((name, st.st_size, st.st_mtime_ns) for name, st in stats)


def read_state(folder: Path) -> SourceState | None:
    """The state recorded in a draft folder, or None when absent or unreadable."""
    try:
        data = json.loads((folder / STATE).read_text(encoding="utf-8"))
        known = {f.name for f in fields(SourceState)}
        return SourceState(**{**{k: v for k, v in data.items() if k in known}, "files": tuple(data["files"])})
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def current_state(
    folder: Path, source: Path, relative: str, settings: str, force: bool = False
) -> SourceState | None:
    """The folder's state when its draft is up to date with ``source`` and ``settings``, else None.

    Size and modification time unchanged since the draft means unchanged; otherwise the
    file is hashed, and a matching SHA-256 still means unchanged (the recorded times are
    refreshed so the next run need not hash it again). With ``force``, a draft whose files
    an editor changed is not up to date: force means "replace edited files".
    """
    if not (folder / STATE).exists():
        return None
    try:
        recover(folder)  # finish a commit a killed run left half-renamed
    except OutputError:
        return None  # drafting it again will report the problem
    state = read_state(folder)
    if state is None or (state.source, state.settings) != (path_text(relative), settings):
        return None
    if not _files_intact(folder, state, force):
        return None
    return _same_content(folder, source, state)


def _files_intact(folder: Path, state: SourceState, force: bool) -> bool:
    if any(not (folder / name).exists() for name in state.files):
        return False
    if not force:
        return True
    out = OutputFolder(folder)
    return not any(out.edited(name) for name in state.files)


def _same_content(folder: Path, source: Path, state: SourceState) -> SourceState | None:
    try:
        st = source.stat()
        if (st.st_size, st.st_mtime_ns) == (state.size, state.mtime_ns):
            return state
        if sha256_file(source) != state.sha256:
            return None
    except OSError:
        return None  # vanished or unreadable: the job will say so
    fresh = SourceState(**{**asdict(state), "size": st.st_size, "mtime_ns": st.st_mtime_ns})
    _refresh(folder, fresh)
    return fresh


def _refresh(folder: Path, state: SourceState) -> None:
    """Record new times for an unchanged source (through the folder, so the manifest stays true)."""
    try:
        out = OutputFolder(folder, force=True)
        out.add(STATE, state.to_bytes())
        out.commit()
    except OutputError as exc:
        log.warning("cannot refresh %s: %s", folder / STATE, exc)
