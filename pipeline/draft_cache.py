"""A draft made again from the very same inputs comes from the cache folder instead of being made again.

The text stages and the writers are pure: the same input and settings give the same draft, byte for
byte. So a draft's files, computed once, are kept beside the cached transcripts
(``drafts/<media SHA-256>.pickle``, written whole or not at all) with the digest of everything they were
made from (:func:`draft_key`): the words heard, the source, every option, the draft folder they are for,
the editor's saved edits, the related posts kept, what the video showed, the date, and video2blog's own
code, data and templates, the installed libraries and Python. A re-draft whose digest matches takes its
files from there, and the warnings the first draft logged are logged again; any change (a setting, the
transcript, a template, a version) drafts afresh and replaces the entry. The files still go through the
output folder as before, so an editor's edited file is never written over. Drafts that ask a language
model (``--llm``) are never cached. A cache that cannot be read or written is passed over (logged),
never an error.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import pickle
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from video2blog.pipeline.output import atomic_write
from video2blog.pipeline.progress import cache_unwritable

if TYPE_CHECKING:
    from video2blog.pipeline.run import ComputedDraft, DraftOptions

log = logging.getLogger(__name__)
PACKAGE = Path(__file__).resolve().parents[1]  # the video2blog package: pipeline/ and templates/
SHAPING = ("pipeline", "templates")
FOLDER = "drafts"
# What reading a damaged or foreign pickle may raise.
UNREADABLE = (OSError, pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError, ImportError)


@dataclass(frozen=True)
class Said:
    """A warning logged while a draft was made: logged again when the draft comes from the cache."""

    logger: str
    level: int
    message: str


@dataclass(frozen=True)
class Entry:
    """What the cache keeps of one media file: the digest of the inputs and the draft made from them."""

    key: str
    computed: ComputedDraft
    said: tuple[Said, ...]


def draft_key(options: DraftOptions, *inputs: object) -> str | None:
    """The digest of everything a draft is made from: ``options`` (the date resolved to today's where
    none was given; ``force`` and ``given`` left out, as they shape no file once the folder's settings are
    taken), the files of ``options.template_dir``,
    the ``inputs`` (words, source, folder, edits and the rest, as their ``repr``), and
    :func:`environment`. None where the draft is not to be cached (it asks a language model)."""
    if options.llm is not None:
        return None
    digest = hashlib.sha256()
    date = options.date or dt.date.today().isoformat()
    for part in (environment(), replace(options, force=False, date=date, given=None), *inputs):
        digest.update(repr(part).encode("utf-8", "surrogatepass") + b"\0")
    if options.template_dir is not None:
        digest.update(_files_digest([options.template_dir]).encode())
    return digest.hexdigest()


@lru_cache(maxsize=1)
def environment() -> str:
    """video2blog's own code, data and templates (a digest of their files), the installed distributions
    (their names and versions) and Python's version: what a draft depends on beside its inputs."""
    return "\n".join([_files_digest([PACKAGE / name for name in SHAPING]), _distributions(), sys.version])


def _files_digest(folders: list[Path]) -> str:
    digest = hashlib.sha256()
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(f"{path.relative_to(folder)}\0".encode() + path.read_bytes())
    return digest.hexdigest()


def _distributions() -> str:
    """The names of the installed distributions' metadata folders (``jinja2-3.1.6.dist-info``)."""
    names: set[str] = set()
    for entry in sys.path:
        try:
            names.update(n for n in os.listdir(entry or ".") if n.endswith((".dist-info", ".egg-info")))
        except OSError:
            continue
    return ",".join(sorted(names))


def entry_path(cache_dir: Path, sha256: str) -> Path:
    """Where the draft of the media with this SHA-256 is kept."""
    return cache_dir / FOLDER / f"{sha256}.pickle"


def read_cached(cache_dir: Path | None, sha256: str, key: str | None) -> ComputedDraft | None:
    """The draft kept for these inputs (its warnings logged again), or None."""
    if cache_dir is None or key is None or not sha256:
        return None
    path = entry_path(cache_dir, sha256)
    try:
        entry = pickle.loads(path.read_bytes())
    except (FileNotFoundError, NotADirectoryError):  # none kept (nor a folder to keep one in)
        return None
    except UNREADABLE as exc:
        log.warning("cannot read the cached draft %s: %s", path, exc)
        return None
    if not isinstance(entry, Entry) or entry.key != key:
        return None
    for said in entry.said:
        logging.getLogger(said.logger).log(said.level, "%s", said.message)
    return entry.computed


@dataclass(frozen=True)
class Pending:
    """Where and under which digest a draft just made is to be kept, with the warnings it logged."""

    cache_dir: Path
    sha256: str
    key: str
    said: tuple[Said, ...]


def keep(computed: ComputedDraft) -> None:
    """Keep a draft that was written for the next run with the same inputs (replacing the media's
    earlier one); nothing for a draft that came from the cache or is not to be kept."""
    pending = computed.keep
    if pending is None or not pending.sha256:
        return
    path = entry_path(pending.cache_dir, pending.sha256)
    entry = Entry(pending.key, replace(computed, keep=None), pending.said)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, pickle.dumps(entry, protocol=pickle.HIGHEST_PROTOCOL))
    except OSError as exc:
        cache_unwritable(log, "the cached draft", path.parent, exc)


@contextmanager
def warnings_said() -> Iterator[list[Said]]:
    """The warnings video2blog's loggers log inside the block."""
    said: list[Said] = []
    handler = _Collector(said)
    root = logging.getLogger("video2blog")
    root.addHandler(handler)
    try:
        yield said
    finally:
        root.removeHandler(handler)


class _Collector(logging.Handler):
    def __init__(self, said: list[Said]) -> None:
        super().__init__(logging.WARNING)
        self.said = said

    def emit(self, record: logging.LogRecord) -> None:
        self.said.append(Said(record.name, record.levelno, record.getMessage()))
