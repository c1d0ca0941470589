"""Small text helpers shared by the text stages (no I/O beyond package data)."""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

_WORD_RE = re.compile(r"[^\W_]+(?:['’][^\W_]+)*", re.UNICODE)


@cache
def word_list(name: str) -> frozenset[str]:
    """A word list shipped in ``pipeline/data`` (one entry a line, ``#`` comments)."""
    text = resources.files("video2blog.pipeline.data").joinpath(name).read_text(encoding="utf-8")
    entries = (line.split("#", 1)[0].strip().lower() for line in text.splitlines())
    return frozenset(e for e in entries if e)


def bare(token: str) -> str:
    """A word lower-cased without surrounding punctuation ("Ketamine," -> "ketamine")."""
    return " ".join(_WORD_RE.findall(token.lower().replace("’", "'")))


def tokens(text: str) -> list[str]:
    """Lower-cased word tokens of ``text``."""
    return _WORD_RE.findall(text.lower().replace("’", "'"))


def join_words(texts: list[str]) -> str:
    """Join recognised words with spaces, attaching split-off hyphen parts ("post -herpetic")."""
    out = ""
    for text in texts:
        glue = out and not (text.startswith("-") and len(text) > 1 and out[-1].isalnum())
        out += (" " if glue else "") + text
    return out


def clock(seconds: float) -> str:
    """``m:ss``, or ``h:mm:ss`` from an hour on, for a time in seconds (whole seconds, rounded down)."""
    total = max(0, int(seconds))
    h, rest = divmod(total, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"
