"""The batch report: every input with its status, duration, time taken and error, as JSON and CSV.

The report is rewritten (atomically) when the batch starts, after each video
it drafts, and at the end, so a batch that was killed still leaves an accurate
account of what it finished; inputs not reached yet are ``pending``. Until the
batch ends, its ``finished`` and ``exit_status`` are null: a report left by a
batch that was killed (``kill -9``, a power cut) claims no outcome.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import Counter
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from video2blog.pipeline.errors import TRY_LATER, OutputError
from video2blog.pipeline.output import atomic_write
from video2blog.pipeline.serialize import path_text, to_json

if TYPE_CHECKING:
    from video2blog.pipeline.batch.library import LibraryResult

REPORT_JSON = "batch-report.json"
REPORT_CSV = "batch-report.csv"
# dropped-edits: redrafted, but some of the editor's saved review edits no longer fit and are not in it
STATUSES = ("drafted", "skipped", "kept-edits", "dropped-edits", "failed")
PENDING = "pending"
COLUMNS = ("input", "output", "status", "duration", "seconds", "error", "compute_seconds", "worker")


@dataclass(frozen=True)
class ItemRecord:
    """One input's outcome: ``duration`` is the media's length, ``seconds`` the time it took."""

    input: str
    output: str
    status: str = PENDING
    duration: float | None = None
    seconds: float = 0.0
    error: str = ""
    compute_seconds: float | None = None
    worker: str = ""

    def done(self, status: str, seconds: float, **more: Any) -> ItemRecord:
        """This record with its outcome filled in."""
        return replace(self, status=status, seconds=round(seconds, 3), **more)


@dataclass
class BatchReport:
    """Every input of a batch, in order, with its outcome so far."""

    folder: str
    out_dir: str
    records: list[ItemRecord]
    started: str = field(default_factory=lambda: now())
    finished: str = ""
    interrupted: bool = False
    library: LibraryResult | None = None  # the related posts step after the drafts (batch/library.py)
    # The exit status of a batch that ended before every input was tried: 130 after Ctrl-C, 143 after
    # SIGTERM, 129 after SIGHUP, the error's where the batch itself failed (75 for its Dask scheduler
    # lost); 0 while it runs through.
    stopped: int = 0
    passed_over: int = 0  # files of the folder that are no input: not media, or matching no --pattern
    links: int = 0  # links passed over: to a file drafted from another path, or to a folder

    def update(self, record: ItemRecord) -> None:
        """Replace the record of the same input."""
        self.records = [record if r.input == record.input else r for r in self.records]

    def counts(self) -> dict[str, int]:
        """How many inputs have each status (every status listed, pending only when present)."""
        counted = Counter(r.status for r in self.records)
        return {s: counted[s] for s in STATUSES} | ({PENDING: counted[PENDING]} if counted[PENDING] else {})

    @property
    def exit_code(self) -> int:
        """0 when every input was drafted (edits dropped or not), skipped or kept edits; 1 when any
        failed; else :data:`TRY_LATER` when any is left pending; the status it :attr:`stopped` with where
        it ended early."""
        if self.stopped:
            return self.stopped
        if any(r.status == "failed" for r in self.records):
            return 1
        return TRY_LATER if any(r.status == PENDING for r in self.records) else 0

    def failures(self) -> list[ItemRecord]:
        return [r for r in self.records if r.status == "failed"]


def now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def write_report(report: BatchReport, out_dir: Path) -> None:
    """Write ``batch-report.json`` and ``batch-report.csv`` into ``out_dir``, each atomically.

    Raises:
        OutputError: a report cannot be written (a full disk), naming it.
    """
    _write(out_dir / REPORT_JSON, to_json(report_dict(report)))
    _write(out_dir / REPORT_CSV, report_csv(report))


def _write(path: Path, data: bytes) -> None:
    try:
        atomic_write(path, data)
    except OSError as exc:  # not left to the CLI, whose last word on an OSError is about its own output
        raise OutputError(f"cannot write the batch report ({exc.strerror})", path) from exc


def report_dict(report: BatchReport) -> dict[str, object]:
    """The JSON form of the report."""
    return {
        "folder": path_text(report.folder),
        "out": path_text(report.out_dir),
        "started": report.started,
        "finished": report.finished or None,
        "interrupted": report.interrupted,
        "counts": report.counts(),
        "exit_status": report.exit_code if report.finished else None,  # none claimed before the end
        "items": [_record_dict(r) for r in report.records],
        "library": _library_dict(report.library),
    }


def _record_dict(record: ItemRecord) -> dict[str, Any]:
    """A record as the report files hold it: its paths as text (see :func:`path_text`); the record
    itself keeps the path as the file system gives it, the key the batch finds the input by."""
    return asdict(record) | {"input": path_text(record.input), "output": path_text(record.output)}


def _library_dict(library: LibraryResult | None) -> dict[str, object] | None:
    """The related posts step: the drafts whose related posts changed, and the editor's files kept where
    that change could not be written over them (the new version beside each)."""
    if library is None:
        return None
    return {
        "drafts": library.drafts,
        "updated": [path_text(name) for name in library.updated],
        "kept_edits": [path_text(p) for p in library.kept],
        "failed": [path_text(why) for why in library.failed],
    }


def report_csv(report: BatchReport) -> bytes:
    """The CSV form: one row per input, the columns of :data:`COLUMNS`."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for record in report.records:
        row = _record_dict(record)
        writer.writerow({k: "" if row[k] is None else row[k] for k in COLUMNS})
    return buffer.getvalue().encode("utf-8")
