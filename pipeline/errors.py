"""The project's error family. Only the CLI turns these into exit statuses."""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

_E = TypeVar("_E", bound="Video2BlogError")

# The exit status of a batch that ran into nothing wrong with its inputs, and that the same command can finish
# later (sysexits.h's EX_TEMPFAIL): its cluster unreachable or gone, its --out held by another batch, or
# videos left pending (a file still being copied).
TRY_LATER = 75


class Video2BlogError(Exception):
    """Base class: a problem the user can fix, with a message that says how.

    An error made by :meth:`said` also carries its message catalogue key and values, so that a page in
    another language (the review server's) can say it in the draft's language.
    """

    exit_code = 1

    def __init__(self, message: str, path: Path | str | None = None) -> None:
        self.path = str(path) if path is not None else None
        self.reason = message  # what is wrong, without the path
        self.key = ""
        self.values: dict[str, str] = {}
        super().__init__(f"{self.path}: {message}" if self.path else message)

    @classmethod
    def said(cls: type[_E], key: str, **values: str) -> _E:
        """The error whose message is the catalogue's ``key`` (``pipeline/data/messages-en.json``)."""
        from video2blog.pipeline.textutil import message

        error = cls(message("en", key, **values))
        error.key, error.values = key, values
        return error


class InputError(Video2BlogError):
    """The input file is missing, unreadable or holds no usable speech."""


class OutputError(Video2BlogError):
    """The output folder cannot be created or written."""


class ModelError(Video2BlogError):
    """The speech model cannot be found or loaded."""


class UsageError(Video2BlogError):
    """An option or option file is wrong."""

    exit_code = 2


class TemplateError(Video2BlogError):
    """A template is missing or broken."""
