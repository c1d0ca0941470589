"""The project's error family. Only the CLI turns these into exit statuses."""

from __future__ import annotations

from pathlib import Path


class Video2BlogError(Exception):
    """Base class: a problem the user can fix, with a message that says how."""

    exit_code = 1

    def __init__(self, message: str, path: Path | str | None = None) -> None:
        self.path = str(path) if path is not None else None
        super().__init__(f"{self.path}: {message}" if self.path else message)


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
