"""What a run shows while it works: the CLI's progress display (the pipeline only logs its stages).

At a terminal, a live line: the stage (reading, loading the model, transcribing, finding sentences
and sections, writing), then the transcription bar. In a pipe or a log, plain lines, each after the
time since the start: one per stage, one per ten minutes of audio, and a ``still ...`` line after any
minute without one, so an unattended run is never silent. The stages come from the pipeline's log
records (:mod:`video2blog.pipeline.progress`), so the pipeline never touches the terminal.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import typer

from video2blog.pipeline.batch.report import ItemRecord
from video2blog.pipeline.batch.runner import BatchItem
from video2blog.pipeline.engines import ProgressCallback
from video2blog.pipeline.progress import progress_of, stage_of
from video2blog.pipeline.signals import held_signals
from video2blog.pipeline.textutil import clock

HEARTBEAT_S = 60.0  # in a log, a line at least this often while a stage runs
# Whisper hears audio this many seconds at a time: the stretch a run that reports no progress is working on.
WINDOW_S = 30.0
# The live line's bar: its widest, and its narrowest before it is left out (see fit_line).
BAR_CELLS, BAR_MIN_CELLS = 40, 10
STAGE_MIN_CELLS = 12  # the stage's words keep this many cells before the bar gives way
_LOGGER = "video2blog.pipeline"  # where the stage reports come from (video2blog.pipeline.progress)


def stderr_mode() -> str:
    """``live`` on a terminal; ``plain`` in a pipe, file or /dev/null, and on a terminal that cannot redraw a
    line (``TERM=dumb``: Emacs' shell, some CI runners, where a live display shows nothing at all);
    ``quiet`` for an in-memory stream.

    An in-memory stream (Typer's CliRunner) has no file descriptor: whoever reads it wants only
    the command's messages, not its progress.
    """
    if sys.stderr.isatty():
        return "plain" if os.environ.get("TERM") == "dumb" else "live"
    try:
        sys.stderr.fileno()
    except (AttributeError, OSError, ValueError):
        return "quiet"
    return "plain"


ProgressReport = Callable[[float, float, str], None]


class _StageLog(logging.Handler):
    """Hands the pipeline's stage reports (log records with a stage) to a display, and its progress
    reports (DEBUG records) to ``heard`` where given."""

    def __init__(self, show: Callable[[str, str], None], heard: ProgressReport | None) -> None:
        super().__init__(logging.DEBUG if heard else logging.INFO)
        self.show, self.heard = show, heard

    def emit(self, record: logging.LogRecord) -> None:
        stage, progress = stage_of(record), progress_of(record)
        try:
            if stage is not None:
                self.show(stage, record.getMessage())
            elif progress is not None and self.heard is not None:
                self.heard(*progress)
        except Exception:  # a display that fails must not fail the draft (logging's own rule)
            self.handleError(record)


class _Listening:
    """While active, the stage reports of the pipeline reach ``show`` (and its progress reports
    ``heard``), whatever the log level."""

    def __init__(self, show: Callable[[str, str], None], heard: ProgressReport | None = None) -> None:
        self.handler, self.logger = _StageLog(show, heard), logging.getLogger(_LOGGER)

    def __enter__(self) -> None:
        self.level = self.logger.level
        if self.logger.getEffectiveLevel() > self.handler.level:
            self.logger.setLevel(self.handler.level)
        self.logger.addHandler(self.handler)

    def __exit__(self, *exc: object) -> None:
        self.logger.removeHandler(self.handler)
        self.logger.setLevel(self.level)


class PlainLines:
    """Plain lines on stderr, each after the time since the start; a reminder when a stage runs long."""

    def __init__(self, doing: Callable[[], str], every: float = HEARTBEAT_S) -> None:
        self.doing, self.every = doing, every
        self.started = self.last = time.monotonic()
        self.lock, self.stop = threading.Lock(), threading.Event()
        self.thread = threading.Thread(target=self._beat, name="video2blog-heartbeat", daemon=True)

    def __enter__(self) -> PlainLines:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join(timeout=5)

    def line(self, text: str) -> None:
        with self.lock:
            now = time.monotonic()
            typer.echo(f"[{clock(now - self.started)}] {text}", err=True)
            self.last = now

    def _beat(self) -> None:
        while not self.stop.wait(min(self.every, 5.0)):
            doing = self.doing()
            if doing and time.monotonic() - self.last >= self.every:
                self.line(f"still {doing}")


def fit_line(width: int, stage: int, tail: int, bar: bool) -> tuple[int, int]:
    """The cells the stage's words and the bar get on a live line ``width`` cells wide that ends in
    ``tail`` cells (the audio done, the time taken, the time left: these never shrink).

    The bar gives way first, down to :data:`BAR_MIN_CELLS`; then the words, down to
    :data:`STAGE_MIN_CELLS`; then the bar is left out and the words take what is left.
    """
    room = max(0, width - tail - (1 if tail else 0))
    if not bar:
        return min(stage, room), 0
    words = min(stage, max(STAGE_MIN_CELLS, room - 1 - BAR_MIN_CELLS))
    cells = min(BAR_CELLS, room - words - 1)
    return (words, cells) if cells >= BAR_MIN_CELLS else (min(stage, room), 0)


def _live_progress(*columns: Any) -> Any:
    """A batch's live display: a spinner, ``columns``, the time taken and about how long is left."""
    from rich.progress import ProgressColumn, TimeElapsedColumn
    from rich.text import Text

    class Left(ProgressColumn):
        """About how long the bar has left, from its pace so far ("~1:10 left"); nothing without a total."""

        def render(self, task: Any) -> Text:
            left = task.time_remaining if task.total else None
            return Text(f"~{clock(left)} left" if left is not None else "", style="progress.remaining")

    return _live(*columns, TimeElapsedColumn(), Left())


def _live(*columns: Any) -> Any:
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn

    console = Console(stderr=True, soft_wrap=True)  # log lines above the bar stay whole lines
    return Progress(SpinnerColumn(), *columns, console=console, transient=True)


def _stage_line(parts: Callable[[], tuple[str, tuple[float, float] | None, str]]) -> Any:
    """The live line after the spinner: the stage, a bar where it has one, then the times (``parts``
    gives them as they are now), fitted to the terminal's width (:func:`fit_line`) at each redraw."""
    from rich.cells import cell_len
    from rich.console import Console, ConsoleOptions, RenderResult
    from rich.measure import Measurement
    from rich.progress import ProgressColumn
    from rich.progress_bar import ProgressBar
    from rich.table import Table
    from rich.text import Text

    class Line:
        def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
            stage, bar, tail = parts()
            whole = cell_len(stage) + cell_len(tail) + 1 + (BAR_CELLS + 1 if bar else 0)
            return Measurement(min(whole, options.max_width), min(whole, options.max_width))

        def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
            stage, bar, tail = parts()
            words, cells = fit_line(options.max_width, cell_len(stage), cell_len(tail), bar is not None)
            line = Table.grid(padding=(0, 1))
            line.add_column(width=words, no_wrap=True, overflow="ellipsis")
            row: list[Any] = [Text(stage, no_wrap=True, overflow="ellipsis")]
            if bar is not None and cells:
                line.add_column(width=cells)
                row.append(ProgressBar(total=bar[1], completed=bar[0], width=cells))
            line.add_column(no_wrap=True)
            line.add_row(*row, Text(tail, style="progress.remaining"))
            yield line

    class StageLine(ProgressColumn):
        def render(self, task: Any) -> Line:
            return Line()

    return StageLine()


class DraftDisplay:
    """One draft's progress: on a terminal a live line (the stage, then the transcription bar); in a
    pipe or log a plain line per stage, per ten minutes of audio, and a reminder each minute."""

    def __init__(self, video: Path, mode: str | None = None) -> None:
        self.video, self.mode = video, mode or stderr_mode()
        self.message, self.done, self.total, self.transcribing = "", 0.0, 0.0, False
        self.shown = f"starting on {video.name}"  # the live line's stage (a milestone leaves it as it is)
        self.started = time.monotonic()
        self.heard_from: float | None = None  # when the first progress was reported: the pace so far
        # The time left as the last report put it, and when: it counts down until the next report.
        self.estimate: tuple[float, float] | None = None
        self.bar: Any = None
        self.lines: PlainLines | None = None
        self.listening = _Listening(self.stage)

    def __enter__(self) -> ProgressCallback | None:
        if self.mode == "quiet":
            return None
        if self.mode == "live":
            self.bar = _live(_stage_line(self._parts))
            self.bar.__enter__()
            self.bar.add_task("", total=None)
        else:
            self.lines = PlainLines(self._doing).__enter__()
        self.listening.__enter__()
        return self.progress

    def __exit__(self, *exc: object) -> None:
        if self.mode == "quiet":
            return
        self.listening.__exit__(*exc)
        if self.bar is not None:
            with held_signals():  # a Ctrl-C inside the display's stop left the cursor hidden
                self.bar.__exit__(*exc)
        if self.lines is not None:
            self.lines.__exit__(*exc)

    def stage(self, stage: str, message: str) -> None:
        """A stage report from the pipeline. A new stage has no bar until it reports progress of its own:
        the transcription's, finished, would say "~0:00 left" through the stages after it."""
        self.message, self.transcribing = message, stage == "transcribe"
        if not message.startswith("transcribed "):  # a milestone of the transcription goes on with its bar
            self.shown, self.done, self.total, self.heard_from, self.estimate = message, 0.0, 0.0, None, None
        if self.lines is not None:
            self.lines.line(message + self._left() if message.startswith("transcribed ") else message)
        elif self.bar is not None:
            self.bar.refresh()  # each stage is drawn at least once, however short

    def progress(self, done: float, total: float) -> None:
        """Seconds of audio transcribed, of ``total``."""
        self.done, self.total = done, total
        now = time.monotonic()
        if self.heard_from is None:
            self.heard_from = now
        pace = self._pace(now)
        self.estimate = None if pace is None else (pace, now)
        if self.bar is not None:
            self.bar.refresh()  # a report comes per stretch of speech: draw each, the last one too

    def _parts(self) -> tuple[str, tuple[float, float] | None, str]:
        """The live line as it is now: the stage, the bar's (done, total) where it has one, and the times:
        "0:53/1:48 0:12 ~0:40 left" while transcribing, the time taken alone in a stage without progress."""
        taken = clock(time.monotonic() - self.started)
        if not self.total:
            return self.shown, None, taken
        ahead = self._ahead("~{} left")
        times = f"{clock(self.done)}/{clock(self.total)} {taken}" + (f" {ahead}" if ahead else "")
        return self.shown, (self.done, self.total), times

    def _ahead(self, left_as: str) -> str:
        """The time left (``left_as`` with it) while the estimate lasts; once it has run out with no report
        since (a slow stretch: openai-whisper reports once per 30 s window), the stretch being heard,
        "working on 1:19-1:48", so that a slow run is not taken for a hung one; "" before an estimate."""
        left = self._remaining()
        if left is None or self.done >= self.total:
            return ""
        if left >= 1:
            return left_as.format(clock(left))
        return f"working on {clock(self.done)}-{clock(min(self.done + WINDOW_S, self.total))}"

    def _left(self) -> str:
        """ " (about 1:10 left)" at the pace so far, once a tenth of the audio is heard; else nothing."""
        ahead = self._ahead("about {} left")
        return f" ({ahead})" if ahead else ""

    def _remaining(self) -> float | None:
        """Seconds of transcription left: as the last report's pace put it, less the time since, so that it
        counts down (never grows) while nothing is reported; None before a tenth of the audio is heard."""
        if self.estimate is None:
            return None
        left, at = self.estimate
        return max(0.0, left - (time.monotonic() - at))

    def _pace(self, now: float) -> float | None:
        """Seconds of transcription left at the pace so far, once a tenth of the audio is heard."""
        if self.heard_from is None or not self.total or not self.total / 10 <= self.done < self.total:
            return None
        return (now - self.heard_from) / self.done * (self.total - self.done)

    def _doing(self) -> str:
        if self.transcribing and self.total:
            done = f"{clock(self.done)} of {clock(self.total)} done"
            return f"{self.message} ({', '.join(filter(None, (done, self._ahead('about {} left'))))})"
        return self.message


class BatchDisplay:
    """Batch progress: on a terminal a live bar with the videos in hand; in a log, one line per video."""

    def __init__(self, mode: str | None = None) -> None:
        self.total, self.done, self.current = 0, 0, {}  # type: ignore[var-annotated]
        self.mode, self.message = mode or stderr_mode(), ""
        self.bar: Any = None
        self.lines: PlainLines | None = None
        self.heard: dict[str, Any] = {}  # a bar per video being transcribed in this process
        self.numbers: dict[str, int] = {}  # each finished video's place in the count, for a revised line
        self.listening = _Listening(self.stage, self.transcribed if self.mode == "live" else None)

    def __enter__(self) -> BatchDisplay:
        if self.mode == "live":
            from rich.progress import BarColumn, TextColumn

            amount = TextColumn("{task.fields[amount]}")
            self.bar = _live_progress(BarColumn(), amount, TextColumn("{task.description}"))
            self.bar.__enter__()
            self.task = self.bar.add_task("", total=None, amount="")
        elif self.mode == "plain":
            self.lines = PlainLines(self._doing).__enter__()
        if self.mode != "quiet":
            self.listening.__enter__()  # reports from jobs in this process (--jobs 1, or threads)
        return self

    def transcribed(self, done: float, total: float, name: str) -> None:
        """A job in this process has transcribed ``done`` s of ``name``: its own bar under the batch's."""
        if name not in self.heard:
            label = f"  transcribing {Path(name).name}"
            self.heard[name] = self.bar.add_task(label, total=total or None, amount="")
        amount = f"{clock(done)}/{clock(total)}"
        self.bar.update(self.heard[name], completed=done, total=total or None, amount=amount)
        self.bar.refresh()

    def __exit__(self, *exc: object) -> None:
        if self.mode != "quiet":
            self.listening.__exit__(*exc)
        if self.bar is not None:
            self.bar.__exit__(*exc)
        if self.lines is not None:
            self.lines.__exit__(*exc)

    def stage(self, stage: str, message: str) -> None:
        """A stage report from a job running in this process."""
        if self.lines is not None:
            self.lines.line(message)
        elif message.startswith("transcribed "):  # the video's own bar shows it, and keeps up to date
            return
        self.message = message
        self._show()
        if self.bar is not None:
            self.bar.refresh()  # each stage is drawn at least once, however short

    def _doing(self) -> str:
        return f"drafting {', '.join(self.current.values())}" if self.current else ""

    def begin(self, items: Sequence[BatchItem]) -> None:
        self.total = len(items)
        self._show()

    def started(self, item: BatchItem) -> None:
        self.current[str(item.source)] = item.relative
        self._show()

    def finished(self, record: ItemRecord) -> None:
        self.done += 1
        self.current.pop(record.input, None)
        if record.input in self.heard:
            self.bar.remove_task(self.heard.pop(record.input))
        self.numbers[record.input] = self.done
        error = record.error.removeprefix(f"{record.input}: ")
        note = f": {error}" if error else f" ({record.seconds:.1f} s)"
        self._line(f"[{self.done}/{self.total}] {record.status} {record.input}{note}")
        self._show()

    def revised(self, record: ItemRecord) -> None:
        """The video's line again, under the status the summary counts it as: the related posts step
        kept an edited file of a skipped draft (``kept-edits``)."""
        place = self.numbers.get(record.input, self.done)
        why = "related posts updated, your edit kept"
        self._line(f"[{place}/{self.total}] {record.status} {record.input} ({why})")

    def _line(self, line: str) -> None:
        if self.lines is not None:
            self.lines.line(line)
        elif self.bar is None:
            typer.echo(line, err=True)
        else:
            self.bar.console.print(line, markup=False, highlight=False)

    def _show(self) -> None:
        if self.bar is not None:
            doing = ", ".join(self.current.values())
            if doing and self.message:
                doing = f"{doing}: {self.message}"
            counts = {"total": self.total, "completed": self.done, "amount": f"{self.done}/{self.total}"}
            self.bar.update(self.task, description=doing, **counts)
