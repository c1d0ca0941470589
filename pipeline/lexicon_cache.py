"""The word-class lexicon's table kept in the cache folder, so that a re-draft does not parse it again.

LemmInflect reads its lemma table from a gzipped CSV of 80,000 lines the first time a word's classes are
asked (0.38 s, a fifth of a cached re-draft of a 13-minute talk). The first draft stores the parsed
table as a pickle beside the cached transcripts (``lexicon/lemminflect-<version>.pickle``, written
whole or not at all); later drafts load it in about 0.05 s. A table that cannot be read or written is
passed over (logged), never an error: LemmInflect then reads its own file as before.
"""

from __future__ import annotations

import gc
import logging
import pickle
from pathlib import Path

import lemminflect

from video2blog.pipeline.output import atomic_write
from video2blog.pipeline.progress import cache_unwritable
from video2blog.pipeline.text import lexicon
from video2blog.pipeline.text.phrases import phrases_of

log = logging.getLogger(__name__)
# The tables this process has read or written: a batch's next draft has its table already.
_DONE: set[Path] = set()


def table_path(cache_dir: Path) -> Path:
    """Where the table of the installed LemmInflect is kept."""
    return cache_dir / "lexicon" / f"lemminflect-{lemminflect.__version__}.pickle"


def warm_lexicon(cache_dir: Path | None) -> None:
    """Give the lexicon its table from ``cache_dir`` (or store it there for the next draft)."""
    if cache_dir is None or table_path(cache_dir) in _DONE:
        return
    path = table_path(cache_dir)
    try:
        lexicon.use_lemma_table(_load(path))
        phrases_of.cache_clear()  # phrases found with the table before: found again with this one
        _DONE.add(path)
        return
    except (FileNotFoundError, NotADirectoryError):  # none kept (nor a folder to keep one in)
        pass
    except (OSError, pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError) as exc:
        log.warning("cannot read the lexicon cache %s: %s", path, exc)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, pickle.dumps(lexicon.lemma_table(), protocol=pickle.HIGHEST_PROTOCOL))
        _DONE.add(path)
    except OSError as exc:
        cache_unwritable(log, "the lexicon cache", path.parent, exc)


def _load(path: Path) -> object:
    """The pickled table (written by :func:`warm_lexicon` only), read with the garbage collector paused:
    80,000 small dictionaries would otherwise set it off many times (0.07 s against 0.04 s)."""
    data = path.read_bytes()
    paused = gc.isenabled()
    gc.disable()
    try:
        return pickle.loads(data)
    finally:
        if paused:
            gc.enable()
