"""Batch: draft every video and audio file in a folder, unattended, resumable and in parallel.

Each input gets its own draft folder ``OUT/<name>/`` with the same files as
``video2blog draft``. The per-video work runs behind the standard
``concurrent.futures.Executor`` interface (see :mod:`video2blog.pipeline.batch.jobs`):
in this process, a local pool, or a Dask cluster; this module only feeds it,
writes each result atomically as it comes back, and keeps the report. One bad
file is recorded as failed and the batch carries on. A draft folder records
the source it was made from (:mod:`video2blog.pipeline.batch.state`), so a re-run skips
unchanged videos, and a run killed at any point resumes where it stopped.
"""

from __future__ import annotations

import contextlib
import fnmatch
import hashlib
import logging
import os
import time
from collections import Counter, deque
from collections.abc import Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Protocol

from video2blog.pipeline.batch.jobs import (
    POOLS,
    Backend,
    BackendLost,
    Job,
    JobResult,
    LocalBackend,
    cpu_cores,
)
from video2blog.pipeline.batch.library import LibraryOptions, update_library
from video2blog.pipeline.batch.report import (
    PENDING,
    REPORT_CSV,
    REPORT_JSON,
    BatchReport,
    ItemRecord,
    now,
    write_report,
)
from video2blog.pipeline.batch.state import STATE, SourceState, current_state, folder_settings_key, read_state
from video2blog.pipeline.errors import TRY_LATER, UsageError, Video2BlogError
from video2blog.pipeline.ingest.media import check_readable
from video2blog.pipeline.output import MANIFEST, FolderBusy, created_parts, folder_lock, remove_created
from video2blog.pipeline.publish.wordpress import published_sites
from video2blog.pipeline.run import ComputedDraft, DraftOptions, check_local, write_draft
from video2blog.pipeline.serialize import path_text
from video2blog.pipeline.signals import Terminated
from video2blog.pipeline.sources import MEDIA_SUFFIXES

log = logging.getLogger(__name__)

# Largest file a Dask client sends to workers that cannot read it themselves (see README).
MAX_SEND_BYTES = 256 * 1024 * 1024
# How long a batch waits while its Dask cluster has no worker (a scheduler restarted, its workers gone).
WORKER_WAIT_S = 600.0
# How often a batch waiting for results asks its backend whether its workers stalled (``Backend.watch``).
WATCH_S = 2.0
# What the report says of a file whose size, time or inode changed between the job's start and its draft.
CHANGED = "changed while it was being drafted (still being copied?); the next run drafts it"
# ... and of one whose draft folder another run (a `video2blog draft`, a review page's Save) was writing into.
BUSY_DRAFT = (
    "another video2blog run was writing into {folder}: left to it; the next run drafts this video again"
)
# Why a batch is refused an --out another batch holds.
BATCH_BUSY = "another batch is writing into this folder; wait for it to end"


@dataclass(frozen=True)
class BatchOptions:
    """What to draft, where, and how: built by the CLI from its flags.

    Attributes:
        folder: the folder of videos.
        out_dir: where the draft folders and the report go.
        draft: the options of every draft.
        recursive: look in subfolders too.
        patterns: glob patterns (on the file name or the path inside ``folder``); none means every
            video and audio file, any means every file that matches.
        jobs: videos drafted at once on this machine.
        pool: ``process`` or ``thread``: how ``jobs`` > 1 run.
        scheduler: a Dask scheduler address; the work then runs on its workers.
        max_send_bytes: the largest file sent to Dask workers that cannot read it.
        worker_wait_s: how long a batch waits while its Dask cluster has no worker before it ends.
    """

    folder: Path
    out_dir: Path
    draft: DraftOptions = field(default_factory=DraftOptions)
    recursive: bool = False
    patterns: tuple[str, ...] = ()
    jobs: int = 1
    pool: str = "process"
    scheduler: str | None = None
    max_send_bytes: int = MAX_SEND_BYTES
    worker_wait_s: float = WORKER_WAIT_S


@dataclass(frozen=True)
class BatchItem:
    """One input: its path, its path inside the batch folder, and its draft folder's name."""

    source: Path
    relative: str
    name: str


class BatchObserver(Protocol):
    """Told of the batch's progress (the CLI shows it); must not raise."""

    def begin(self, items: Sequence[BatchItem]) -> None: ...

    def started(self, item: BatchItem) -> None: ...

    def finished(self, record: ItemRecord) -> None: ...

    def revised(self, record: ItemRecord) -> None:
        """``record`` finished as another status before the related posts step changed it (a skipped
        draft whose edited file that step kept is ``kept-edits``)."""


class _Quiet:
    def begin(self, items: Sequence[BatchItem]) -> None: ...

    def started(self, item: BatchItem) -> None: ...

    def finished(self, record: ItemRecord) -> None: ...

    def revised(self, record: ItemRecord) -> None: ...


def run_batch(options: BatchOptions, observer: BatchObserver | None = None) -> BatchReport:
    """Draft every input of ``options.folder`` into ``options.out_dir``, skipping the up-to-date ones.

    Returns:
        The report, also written as ``batch-report.json`` and ``.csv``; its ``exit_code`` is 1
        when any input failed.

    Raises:
        UsageError: the folder or an option is wrong.
        OutputError: the output folder cannot be written, or another batch is writing to it.
        KeyboardInterrupt: after ending the work and writing the report of what was finished.
    """
    check_options(options)
    found = find_inputs(options.folder, options.recursive, options.patterns, options.out_dir)
    same = same_files(options.folder, found)
    items = plan(options, [r for r in found if r not in same])
    observer = observer or _Quiet()
    with batch_lock(options.out_dir):
        _remove_stale_reports(options.out_dir)
        report = BatchReport(str(options.folder), str(options.out_dir), [_record(options, i) for i in items])
        report.passed_over = sum(1 for _ in folder_files(options.folder, options.recursive, options.out_dir))
        report.passed_over -= len(found)
        report.links = _say_links(options, same)
        write_report(report, options.out_dir)
        observer.begin(items)
        _run(options, items, report, observer)
        report.library = update_library(options.out_dir, library_options(options.draft))
        report.records = _revised(report.records, report.library.kept, observer)
        write_report(report, options.out_dir)  # with what the related posts step changed and kept
    return report


def _kept_by_library(records: list[ItemRecord], kept: Sequence[Path]) -> list[ItemRecord]:
    """The records with each skipped input whose hand-edited file the related posts step kept (its new
    version beside it) counted ``kept-edits``, as a redraft that kept one is: the editor has a step to
    take."""
    folders = {folder.resolve() for path in kept for folder in path.parents}
    edited = [r.status == "skipped" and Path(r.output).resolve() in folders for r in records]
    return [replace(r, status="kept-edits") if e else r for r, e in zip(records, edited, strict=True)]


def _revised(records: list[ItemRecord], kept: Sequence[Path], observer: BatchObserver) -> list[ItemRecord]:
    """:func:`_kept_by_library`, each record it changed told to ``observer``: its line said the same as
    the summary."""
    revised = _kept_by_library(records, kept)
    for before, after in zip(records, revised, strict=True):
        if after.status != before.status:
            observer.revised(after)
    return revised


def library_options(draft: DraftOptions) -> LibraryOptions:
    """The library step renders the drafts again as the batch drafted them."""
    return LibraryOptions(draft.related, draft.template_dir, draft.front_matter, draft.medical, draft.force)


def _run(options: BatchOptions, items: list[BatchItem], report: BatchReport, observer: BatchObserver) -> None:
    runner = _Runner(options, report, observer)
    try:
        runner.run(items)
    except KeyboardInterrupt as stop:
        report.interrupted, report.stopped = True, stop.exit_status if isinstance(stop, Terminated) else 130
        raise
    except Exception as exc:  # the batch itself failed: what was not tried stays pending for the next run
        report.stopped = exc.exit_code if isinstance(exc, Video2BlogError) else 1
        raise
    finally:
        runner.close()
        report.finished = now()
        write_report(report, options.out_dir)


def _remove_stale_reports(out_dir: Path) -> None:
    """Temporary report files a killed batch left (safe: this batch holds the folder's lock)."""
    for name in (REPORT_JSON, REPORT_CSV):
        for stale in out_dir.glob(f".{name}.*.tmp"):
            stale.unlink(missing_ok=True)


def check_options(options: BatchOptions) -> None:
    """Raise :class:`UsageError` for a folder or option that cannot work."""
    check_local(options.folder)
    if options.folder.exists() and not options.folder.is_dir():
        why = "is a file, not a folder; give the folder that holds the videos (one video: 'video2blog draft')"
        raise UsageError(f"{options.folder}: {why}")
    if not options.folder.is_dir():
        raise UsageError(f"{options.folder}: no such folder; give the folder that holds the videos")
    if options.out_dir.exists() and not options.out_dir.is_dir():
        raise UsageError(f"{options.out_dir}: is a file, not a folder; give --out a folder for the drafts")
    if options.jobs < 1:
        raise UsageError(f"--jobs must be 1 or more, not {options.jobs}")
    if options.scheduler and options.jobs > 1:
        raise UsageError("give --jobs or --scheduler, not both: a cluster's workers set how many run at once")
    if options.scheduler:
        from video2blog.pipeline.batch.cluster import check_address

        check_address(options.scheduler)
    if options.worker_wait_s < 0:
        raise UsageError(f"--worker-wait must be 0 seconds or more, not {options.worker_wait_s:g}")
    if options.pool not in POOLS:
        raise UsageError(f"unknown pool {options.pool!r}; choose one of: {', '.join(POOLS)}")


def plan(options: BatchOptions, found: Sequence[str]) -> list[BatchItem]:
    """The inputs ``found`` (see :func:`find_inputs`), in path order, each with its draft folder name."""
    names = draft_names(found, drafted_names(options.out_dir, found))
    return [BatchItem(options.folder / rel, rel, names[rel]) for rel in found]


def drafted_names(out_dir: Path, relatives: Sequence[str]) -> dict[str, str]:
    """The folder of ``out_dir`` an earlier batch drafted each of ``relatives`` into (its state file names
    the input), so that a video keeps its folder, and an editor's work in it, when another file of the
    same name joins the inbox. Where two folders name one input, the first by name."""
    wanted = {path_text(r): r for r in relatives}  # as the state file writes it
    found: dict[str, str] = {}
    with contextlib.suppress(OSError):
        for folder in sorted(out_dir.iterdir()):
            state = read_state(folder) if folder.is_dir() else None
            if state is not None and state.source in wanted:
                found.setdefault(wanted[state.source], folder.name)
    return found


def find_inputs(
    folder: Path, recursive: bool, patterns: Sequence[str], out_dir: Path | None = None
) -> list[str]:
    """Paths (relative to ``folder``, with ``/``) of the files to draft, sorted.

    Hidden files and folders, draft folders and ``out_dir`` are passed over.
    """
    return sorted(r for r in folder_files(folder, recursive, out_dir) if _wanted(r, patterns))


def folder_files(folder: Path, recursive: bool, out_dir: Path | None = None) -> Iterator[str]:
    """Every file a batch looks at (relative to ``folder``, with ``/``): not hidden, nor in a hidden
    folder, a draft folder or ``out_dir``."""
    for here, _, files in _walk(folder, recursive, out_dir):
        yield from ((here / f).relative_to(folder).as_posix() for f in files)


def folder_links(folder: Path, recursive: bool, out_dir: Path | None = None) -> list[str]:
    """The links to folders a recursive batch passes over (relative to ``folder``): it follows none, as a
    link can loop, or lead to files it drafts already."""
    return [
        (here / d).relative_to(folder).as_posix()
        for here, links, _ in _walk(folder, recursive, out_dir)
        for d in links
    ]


def _walk(folder: Path, recursive: bool, out_dir: Path | None) -> Iterator[tuple[Path, list[str], list[str]]]:
    """Each folder a batch looks in, with the links to folders in it and its files that are not hidden."""
    for root, dirs, files in os.walk(folder):  # not into links to folders: they stay in ``dirs``
        here = Path(root)
        dirs[:] = [d for d in dirs if recursive and _walkable(here / d, out_dir)]
        yield here, [d for d in dirs if (here / d).is_symlink()], [f for f in files if not f.startswith(".")]


def same_files(folder: Path, relatives: Sequence[str]) -> dict[str, str]:
    """The inputs that are another input's file (a link to it, or a hard link), each with the input
    drafted instead: the file itself (not a link) where it is one, else the first by path."""
    by_file: dict[tuple[int, int], list[str]] = {}
    for relative in relatives:
        with contextlib.suppress(OSError):  # a broken link is an input: its job says what is wrong
            st = (folder / relative).stat()
            by_file.setdefault((st.st_dev, st.st_ino), []).append(relative)
    same: dict[str, str] = {}
    for group in by_file.values():
        kept = min(group, key=lambda r: ((folder / r).is_symlink(), r))
        same.update({r: kept for r in group if r != kept})
    return same


def _say_links(options: BatchOptions, same: dict[str, str]) -> int:
    """Warn of each link the batch passes over (see :func:`same_files`, :func:`folder_links`); how many."""
    for link, kept in same.items():
        log.warning(
            "%s: the same file as %s, drafted once from there; passed over", *_paths(options, link, kept)
        )
    linked = folder_links(options.folder, options.recursive, options.out_dir)
    for link in linked:
        why = "a batch follows no link to a folder: run one on the folder it points to"
        log.warning("%s: a link to a folder; passed over (%s)", *_paths(options, link), why)
    return len(same) + len(linked)


def _paths(options: BatchOptions, *relatives: str) -> list[str]:
    return [path_text(str(options.folder / r)) for r in relatives]


def _walkable(folder: Path, out_dir: Path | None) -> bool:
    if folder.name.startswith(".") or (folder / MANIFEST).exists():
        return False
    return out_dir is None or not _same_folder(folder, out_dir)


def _same_folder(a: Path, b: Path) -> bool:
    with contextlib.suppress(OSError):
        return a.samefile(b)
    return False


def _wanted(relative: str, patterns: Sequence[str]) -> bool:
    if not patterns:
        return Path(relative).suffix.lower() in MEDIA_SUFFIXES
    name = relative.rsplit("/", 1)[-1]
    return any(fnmatch.fnmatch(name, p) or fnmatch.fnmatch(relative, p) for p in patterns)


def draft_names(relatives: Sequence[str], drafted: dict[str, str] | None = None) -> dict[str, str]:
    """A distinct draft folder name for each input path, stable for a given set of paths.

    An input ``drafted`` into a folder before keeps that folder's name. Any other's name is the file's
    name without its extension. Where two inputs share it (``a/talk.mp4``, ``b/talk.mov``), each gets its
    whole path instead, with ``/`` and ``.`` made ``-`` (``a-talk-mp4``, ``b-talk-mov``); a short hash of
    the path settles any clash left.
    """
    inputs = set(relatives)
    kept = {r: n for r, n in (drafted or {}).items() if r in inputs}
    new = [r for r in relatives if r not in kept]
    reserved = Counter([REPORT_JSON, REPORT_CSV, *kept.values()])
    reserved = Counter({name.casefold(): n for name, n in reserved.items()})
    stems = Counter(_stem(r).casefold() for r in new) + reserved
    first = {r: _stem(r) if stems[_stem(r).casefold()] == 1 else _flat(r) for r in new}
    taken = Counter(n.casefold() for n in first.values()) + reserved
    named = {r: n if taken[n.casefold()] == 1 else f"{n}-{_short_hash(r)}" for r, n in first.items()}
    return {r: kept.get(r) or named[r] for r in relatives}


def _stem(relative: str) -> str:
    return Path(relative).stem


def _flat(relative: str) -> str:
    return relative.replace("/", "-").replace(".", "-")


def _short_hash(relative: str) -> str:
    return hashlib.sha1(relative.encode("utf-8")).hexdigest()[:8]


def _record(options: BatchOptions, item: BatchItem) -> ItemRecord:
    return ItemRecord(input=str(item.source), output=str(options.out_dir / item.name))


class BatchBusy(FolderBusy):
    """Another batch is writing into the same ``--out``: nothing is wrong, the same batch can run later."""

    exit_code = TRY_LATER


@contextlib.contextmanager
def batch_lock(out_dir: Path) -> Iterator[None]:
    """Hold the lock on ``out_dir`` (see :func:`folder_lock`): two batches never write into one folder.

    Raises:
        BatchBusy: another batch holds it.
    """
    with contextlib.ExitStack() as held:
        try:
            held.enter_context(folder_lock(out_dir, busy=BATCH_BUSY))
        except FolderBusy as exc:
            raise BatchBusy(exc.reason, out_dir) from None
        yield


def open_backend(options: BatchOptions) -> Backend:
    """The local pool, or (with a scheduler address) the Dask cluster; Dask is imported only then."""
    if options.scheduler:
        from video2blog.pipeline.batch.cluster import DaskBackend

        cache = options.draft.transcribe.cache_dir
        return DaskBackend(options.scheduler, cache, options.max_send_bytes, options.worker_wait_s)
    jobs = min(options.jobs, cpu_cores())
    if jobs < options.jobs:
        log.warning("--jobs %d is more than the %d cores; drafting %d at a time", options.jobs, jobs, jobs)
    return LocalBackend(jobs, options.pool)


@dataclass
class _Flight:
    item: BatchItem
    job: Job
    stat: os.stat_result
    started: float
    settings: str  # the key of the settings it is drafted with, for the state file


class _Runner:
    """Feeds jobs to a backend a few at a time, and writes each result as it comes back."""

    def __init__(self, options: BatchOptions, report: BatchReport, observer: BatchObserver) -> None:
        self.options, self.report, self.observer = options, report, observer
        self.backend: Backend | None = None
        self.flights: dict[Future[JobResult], _Flight] = {}

    def run(self, items: Sequence[BatchItem]) -> None:
        queue = deque(items)
        while queue or self.flights:
            self._fill(queue)
            if not self.flights:
                continue
            done, _ = wait(self.flights, timeout=WATCH_S, return_when=FIRST_COMPLETED)
            if not done:
                self._backend().watch()
            for future in done:
                self._collect(future)

    def close(self) -> None:
        if self.backend is not None:
            self.backend.close(cancel=bool(self.flights))

    def _fill(self, queue: deque[BatchItem]) -> None:
        while queue and (not self.flights or len(self.flights) < self._backend().slots()):
            item = queue.popleft()
            settings = folder_settings_key(self.options.draft, self.options.out_dir / item.name)
            if not self._skipped(item, settings):
                self._start(item, settings)

    def _backend(self) -> Backend:
        if self.backend is None:  # not before it is needed: a re-run that skips all starts no pool
            self.backend = open_backend(self.options)
        return self.backend

    def _skipped(self, item: BatchItem, settings: str) -> bool:
        started = time.perf_counter()
        folder = self.options.out_dir / item.name
        state = current_state(folder, item.source, item.relative, settings, self.options.draft.force)
        if state is not None:
            record = self._base(item).done("skipped", time.perf_counter() - started, duration=state.duration)
            self._finish(record, write=False)
        return state is not None

    def _start(self, item: BatchItem, settings: str) -> None:
        self._backend()  # a pool or cluster that cannot start ends the batch, not just this video
        try:
            check_readable(item.source)
            published_sites(self.options.out_dir / item.name)  # one that cannot be read fails before the work
            stat, started = item.source.stat(), time.perf_counter()
            out = link_base(item.source, self.options.out_dir / item.name)
            job = self._backend().prepare(Job(item.source, str(item.source), self.options.draft, out_dir=out))
            self._submit(_Flight(item, job, stat, started, settings))
        except BackendLost:
            raise  # the batch ends; this video stays pending
        except (Video2BlogError, OSError) as exc:
            self._fail(item, exc, 0.0)

    def _submit(self, flight: _Flight) -> None:
        self.observer.started(flight.item)
        self.flights[self._backend().submit(flight.job)] = flight

    def _collect(self, future: Future[JobResult]) -> None:
        flight = self.flights.pop(future)
        try:
            result = future.result()
        except Exception as exc:  # one bad file never stops the rest
            self._retry_or_fail(flight, exc)
            return
        self._write(flight, result)

    def _retry_or_fail(self, flight: _Flight, error: BaseException) -> None:
        try:
            again = self._backend().retry(flight.job, error)
            if again is not None:
                self._submit(replace(flight, job=again))
                return
        except BackendLost:
            raise  # the batch ends; this video stays pending
        except (Video2BlogError, OSError) as exc:
            error = exc
        self._fail(flight.item, error, time.perf_counter() - flight.started)

    def _write(self, flight: _Flight, result: JobResult) -> None:
        if _changed(flight):  # a draft of part of a recording: write nothing, and leave it to the next run
            seconds = time.perf_counter() - flight.started
            record = self._base(flight.item).done(PENDING, seconds, error=CHANGED)
            self._finish(record)
            return
        folder, computed = self.options.out_dir / flight.item.name, _with_state(flight, result)
        created = created_parts(folder)
        try:
            with folder_lock(folder):  # a `video2blog draft` into the same folder is not overwritten
                written = write_draft(computed, folder, self.options.draft.force)
        except FolderBusy:  # nothing wrong with the video: the other run's files stand until the next batch
            self._left_to_other_run(flight, result, folder)
            return
        except Video2BlogError as exc:
            remove_created(created)  # a full disk leaves no empty draft folder (never one made before)
            self._fail(flight.item, exc, time.perf_counter() - flight.started)
            return
        self._backend().finish(flight.job, result)
        seconds = time.perf_counter() - flight.started
        more = {"compute_seconds": round(result.seconds, 3), "worker": result.worker}
        duration = computed.draft.source.duration
        self._finish(self._base(flight.item).done(written.status, seconds, duration=duration, **more))

    def _left_to_other_run(self, flight: _Flight, result: JobResult, folder: Path) -> None:
        self._backend().finish(flight.job, result)  # its transcription is kept for the next run
        busy = BUSY_DRAFT.format(folder=path_text(str(folder)))
        self._finish(self._base(flight.item).done(PENDING, time.perf_counter() - flight.started, error=busy))

    def _fail(self, item: BatchItem, exc: BaseException, seconds: float) -> None:
        if not isinstance(exc, Video2BlogError):
            log.error("unexpected error drafting %s", item.source, exc_info=exc)
        self._finish(self._base(item).done("failed", seconds, error=one_line(exc)))

    def _base(self, item: BatchItem) -> ItemRecord:
        return _record(self.options, item)

    def _finish(self, record: ItemRecord, write: bool = True) -> None:
        self.report.update(record)
        if write:  # skips are cheap and many: the end of the batch records them
            write_report(self.report, self.options.out_dir)
        self.observer.finished(record)


def _changed(flight: _Flight) -> bool:
    """Whether the source is no longer the file its job started from: a copy still being written grows
    (its size and time change), one that a finished copy renamed over it is another inode; the job read
    it several times, so its draft may be of any part of it."""
    try:
        now = flight.item.source.stat()
    except OSError:
        return True  # gone or moved away
    then = flight.stat
    return (now.st_size, now.st_mtime_ns, now.st_ino) != (then.st_size, then.st_mtime_ns, then.st_ino)


def _with_state(flight: _Flight, result: JobResult) -> ComputedDraft:
    """The computed files plus the state file that lets a re-run skip this video."""
    computed = result.computed
    state = SourceState(
        source=path_text(flight.item.relative),
        sha256=computed.draft.source.sha256,
        size=flight.stat.st_size,
        mtime_ns=flight.stat.st_mtime_ns,
        settings=flight.settings,
        duration=computed.draft.source.duration,
        files=tuple(computed.files),
    )
    return replace(computed, files={**computed.files, STATE: state.to_bytes()})


def link_base(source: Path, folder: Path) -> Path:
    """``folder`` in the same form as ``source``: both relative (to this cwd) or both absolute.

    The review page links the media relative to its folder; with both paths in one form the
    link comes out the same on a worker whose working folder is another.
    """
    absolute = Path(os.path.abspath(folder))
    if source.is_absolute():
        return absolute
    with contextlib.suppress(ValueError):  # another drive (Windows): no relative path
        return Path(os.path.relpath(absolute))
    return absolute


def one_line(exc: BaseException) -> str:
    """An error as one line: the project's own message, else the exception's type and message."""
    text = str(exc) if isinstance(exc, Video2BlogError) else f"{type(exc).__name__}: {exc}"
    return " ".join(text.split()) or type(exc).__name__
