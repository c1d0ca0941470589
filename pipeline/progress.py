"""Where a run is: the pipeline logs each stage it enters; the CLI shows them (a live display or plain lines).

A stage report is an ordinary ``logging`` record at INFO carrying a ``stage`` name in
:data:`STAGE_FIELD`, so the pipeline never knows whether a terminal, a log file or nothing is
listening. Transcription also reports every :data:`REPORT_EVERY_S` seconds of audio done, so a
long unattended run leaves a line in its log at least that often.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from video2blog.pipeline.textutil import clock

# Called with (seconds of audio done, total seconds): the engines' ProgressCallback.
ProgressCallback = Callable[[float, float], None]

STAGE_FIELD = "video2blog_stage"
# On DEBUG records for a live display: (seconds done, seconds total, the media's name), per report.
PROGRESS_FIELD = "video2blog_progress"
# Stage names, in the order a draft passes through them.
STAGES = ("read", "model", "transcribe", "compose", "write")
REPORT_EVERY_S = 600.0


def report_stage(logger: logging.Logger, stage: str, message: str, *args: object) -> None:
    """Log ``message`` as the start (or a milestone) of ``stage``."""
    logger.info(message, *args, extra={STAGE_FIELD: stage})


_UNWRITABLE: set[str] = set()  # where a cache could not be written this run (the nearest folder that exists)


def cache_unwritable(logger: logging.Logger, what: str, folder: object, exc: OSError) -> None:
    """Say once a run that a cache cannot be written (a read-only home, a full disk) and how to move or
    skip it; each later one that the same place makes fail (every cache lies under one folder), only in
    the debug log. The draft goes on."""
    blocked = Path(str(folder))
    while not blocked.exists() and blocked != blocked.parent:
        blocked = blocked.parent
    if str(blocked) in _UNWRITABLE:
        logger.debug("cannot write %s in %s: %s", what, folder, exc)
        return
    _UNWRITABLE.add(str(blocked))
    logger.warning(
        "cannot write %s in %s (%s); drafting goes on without keeping it: --no-cache skips the cache, "
        "XDG_CACHE_HOME moves it",
        what,
        folder,
        exc.strerror or exc,
    )


def stage_of(record: logging.LogRecord) -> str | None:
    """The stage a log record reports, or None for an ordinary record."""
    stage = getattr(record, STAGE_FIELD, None)
    return stage if isinstance(stage, str) else None


def progress_of(record: logging.LogRecord) -> tuple[float, float, str] | None:
    """The transcription progress a DEBUG record carries, or None."""
    progress = getattr(record, PROGRESS_FIELD, None)
    return progress if isinstance(progress, tuple) else None


def milestones(
    progress: ProgressCallback | None, logger: logging.Logger, name: str, every: float = REPORT_EVERY_S
) -> ProgressCallback:
    """``progress``, also logging a ``transcribe`` stage report each time another ``every`` s are done.

    Every report is also logged at DEBUG (with :data:`PROGRESS_FIELD`), for a display that shows a
    bar for work it has no callback into (a batch's jobs).
    """
    reported = [0.0]

    def forward(done: float, total: float) -> None:
        if logger.isEnabledFor(logging.DEBUG):
            extra = {PROGRESS_FIELD: (done, total, name)}
            logger.debug("heard %s of %s: %s", clock(done), clock(total), name, extra=extra)
        if done >= reported[0] + every:
            reported[0] = done - done % every
            report_stage(logger, "transcribe", "transcribed %s of %s: %s", clock(done), clock(total), name)
        if progress is not None:
            progress(done, total)

    return forward
