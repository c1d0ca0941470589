"""A batch's per-video work on a Dask cluster (``video2blog batch --scheduler tcp://HOST:PORT``).

Imported only when a scheduler is given; Dask itself is an optional extra
(``pip install 'video2blog[dask]'``).

The client (the machine running ``video2blog batch``) keeps every file: it
reads the transcript cache, writes the drafts, the cache and the report.
Workers only read inputs and compute, in a scratch folder of their own:

- A worker reads the input at the client's path when it can see it (shared
  storage mounted at the same path: the client sends it as an absolute path).
  When it cannot, or sees a different file there, the worker says so
  (:class:`NotVisible`; no error in its log) and the client sends it
  again with the file's bytes (up to ``max_send_bytes``), and from then on
  sends bytes with every job.
- A transcription the client has cached is sent with the job, so the worker
  only redoes the text stages; a new transcription comes back for the client
  to cache.
- Each worker process loads the model once (the engine's per-process cache)
  with its share of the machine's cores: cores / worker threads on that host.
- A worker that dies mid-video is no loss: the scheduler runs the video again
  on another worker (up to Dask's ``allowed-failures``), and the client, which
  alone writes, writes it once.
"""

from __future__ import annotations

import contextlib
import logging
import os
import tempfile
import time
import urllib.parse
from collections import defaultdict
from collections.abc import Iterator
from concurrent.futures import CancelledError, Future
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from video2blog.pipeline.batch.jobs import BackendLost, Job, JobResult, cpu_cores
from video2blog.pipeline.digest import sha256_file
from video2blog.pipeline.errors import TRY_LATER, InputError, UsageError, Video2BlogError
from video2blog.pipeline.ingest.transcribe import cache_key, read_cached, write_cached
from video2blog.pipeline.run import ComputedDraft, DraftOptions, compute_draft

log = logging.getLogger(__name__)

INSTALL_HINT = "pip install 'video2blog[dask]'"
CONNECT_TIMEOUT = "20s"
CLOSE_TIMEOUT_S = 5
SCHEMES = ("tcp", "tls", "ws", "wss")  # the protocols a Dask scheduler listens on
CLIENT_LOG = "distributed.client"


class ClusterError(Video2BlogError):
    """The Dask scheduler cannot be reached or used."""

    exit_code = TRY_LATER


class SourceNotVisible(Exception):
    """A worker cannot read the job's input at the client's path, or finds another file there."""


@dataclass(frozen=True)
class NotVisible:
    """What a worker returns, rather than raising, for an input it cannot read at the client's path: the
    expected case of workers without the client's storage, answered by sending the file, which is no
    error (Dask logs a task that raises as an ERROR with a traceback, in every worker's log)."""

    why: str


def check_address(address: str) -> None:
    """Raise :class:`UsageError` for a ``--scheduler`` that is no Dask address (a scheme Dask does not
    speak, no host, a port that is no number), before a client tries it: one given a malformed address
    waits 40 s while it is collected."""
    parts = urllib.parse.urlsplit(address.strip() if "://" in address else f"tcp://{address.strip()}")
    try:
        _ = parts.port  # a port that is no number raises
        numbered = True
    except ValueError:
        numbered = False
    extra = parts.path.strip("/") or parts.query
    if not numbered or parts.scheme not in SCHEMES or not parts.hostname or extra:
        raise UsageError(
            f"--scheduler {address!r} is not a Dask scheduler address; give the one 'dask scheduler' "
            "prints, like tcp://10.0.0.5:8786"
        )


def import_distributed() -> Any:
    """The ``distributed`` package, or a :class:`UsageError` that says how to install it."""
    try:
        import distributed
    except ImportError as exc:
        raise UsageError(
            f"--scheduler needs Dask, which is not installed; install it with: {INSTALL_HINT}"
        ) from exc
    return distributed


class DaskBackend:
    """Runs jobs on the workers of the Dask scheduler at ``address``, through its ``Executor``."""

    def __init__(
        self, address: str, cache_dir: Path | None, max_send_bytes: int, worker_wait_s: float
    ) -> None:
        self.address, self.worker_wait_s = address, worker_wait_s
        self.client = connect(address)
        # Dask logs a lost scheduler as an error of its own; the batch says it once, and how to resume.
        logging.getLogger(CLIENT_LOG).addFilter(_not_reconnecting)
        _allow_large_jobs(max_send_bytes)
        self.executor = self.client.get_executor(pure=False)  # a concurrent.futures.Executor
        self.cache_dir, self.max_send_bytes = cache_dir, max_send_bytes
        self.send_bytes = False  # set once a worker could not read an input itself
        self.threads_by_host = threads_by_host(self.client)
        self.idle_since: float | None = None  # since when the cluster has had no worker
        self._check_workers()

    def slots(self) -> int:
        """One video per worker thread, plus one queued so no worker waits for the client.

        Raises:
            BackendLost: the scheduler is gone.
        """
        return max(1, self._threads()) + 1

    def _threads(self) -> int:
        try:
            return sum(self.client.nthreads().values())
        except (OSError, TimeoutError) as exc:  # distributed's CommClosedError is an OSError
            raise self._lost() from exc

    def submit(self, job: Job) -> Future[JobResult]:
        try:
            return _seen(self.executor.submit(run_on_worker, job, self.threads_by_host))
        except (OSError, TimeoutError, RuntimeError) as exc:  # a closed client refuses with RuntimeError
            raise self._lost() from exc

    def _lost(self) -> BackendLost:
        return BackendLost(
            f"lost the Dask scheduler at {self.address}; the videos not drafted stay pending: start it "
            "again and run the same batch to resume"
        )

    def prepare(self, job: Job) -> Job:
        """The job with its source as an absolute path (a worker started in another folder reads the
        same file), its content hash, the client's cached transcription, and its bytes if needed."""
        job = replace(job, source=Path(os.path.abspath(job.source)))  # links kept: the worker follows them
        sha = job.sha256 or sha256_file(job.source)
        words = read_cached(self.cache_dir, cache_key(sha, job.options.transcribe))
        data = self._read(job) if self.send_bytes and job.data is None else job.data
        return replace(job, sha256=sha, words=words, data=data)

    def _read(self, job: Job) -> bytes:
        size = job.source.stat().st_size
        if size > self.max_send_bytes:
            limit = self.max_send_bytes / 2**20
            raise InputError(
                f"is {size / 2**20:.0f} MiB, more than the {limit:.0f} MiB a batch sends to workers that "
                "cannot read it; put the videos where every worker sees them at the same path",
                job.label,
            )
        return job.source.read_bytes()

    def retry(self, job: Job, error: BaseException) -> Job | None:
        """Send the file itself to a worker that could not read it; other errors are final.

        Raises:
            BackendLost: the job was cancelled because the scheduler is gone.
        """
        if isinstance(error, CancelledError) and self.client.status != "running":
            raise self._lost()
        if not isinstance(error, SourceNotVisible) or job.data is not None:
            return None
        if not self.send_bytes:  # once: every later job carries its file
            log.warning(
                "%s; sending each video to the workers through the scheduler from now on (up to %d MiB "
                "each): mount the videos at the same path on every worker to spare it",
                error,
                self.max_send_bytes // 2**20,
            )
        self.send_bytes = True
        return replace(job, data=self._read(job), attempt=job.attempt + 1)

    def finish(self, job: Job, result: JobResult) -> None:
        """Cache a new transcription on the client, as a local batch would have."""
        if result.words is not None and job.words is None:
            write_cached(self.cache_dir, cache_key(job.sha256, job.options.transcribe), result.words)

    def watch(self) -> None:
        """Dask's scheduler reschedules the jobs of a worker that died, and waits for ever for one where
        none is left (a restarted scheduler, whose workers exited): the batch waits ``worker_wait_s``.

        Raises:
            BackendLost: the cluster has had no worker for ``worker_wait_s``.
        """
        self._check_workers()

    def _check_workers(self) -> None:
        if self._threads():
            self.idle_since = None
            return
        now, wait = time.monotonic(), _minutes(self.worker_wait_s)
        if self.idle_since is None:
            self.idle_since = now
            log.warning("the Dask scheduler at %s has no workers; waiting %s for one", self.address, wait)
        elif now - self.idle_since >= self.worker_wait_s:
            raise BackendLost(
                f"the Dask scheduler at {self.address} has had no workers for {wait}; the videos not drafted "
                "stay pending: start workers (dask worker) and run the same batch to resume"
            )

    def close(self, cancel: bool) -> None:
        try:
            self.executor.shutdown(wait=not cancel)
        finally:
            lost = self.client.status != "running"
            with _quiet(CLIENT_LOG, lost), contextlib.suppress(OSError, TimeoutError):
                self.client.close(timeout=CLOSE_TIMEOUT_S)  # a scheduler that is gone is not waited for


def _minutes(seconds: float) -> str:
    """``seconds`` as minutes and seconds, ``10:00``."""
    return f"{int(seconds) // 60}:{int(seconds) % 60:02d}"


def _seen(future: Future[JobResult | NotVisible]) -> Future[JobResult]:
    """The job's result, failed with :class:`SourceNotVisible` where the worker could not read its input."""
    seen: Future[JobResult] = Future()
    seen.set_running_or_notify_cancel()

    def relay(done: Future[JobResult | NotVisible]) -> None:
        try:
            result = done.result()
        except Exception as exc:  # handed on as it came, a cancellation included
            seen.set_exception(exc)
            return
        if isinstance(result, NotVisible):
            seen.set_exception(SourceNotVisible(result.why))
        else:
            seen.set_result(result)

    future.add_done_callback(relay)
    return seen


def _not_reconnecting(record: logging.LogRecord) -> bool:
    return "reconnect" not in record.getMessage()


@contextlib.contextmanager
def _quiet(logger: str, when: bool) -> Iterator[None]:
    """``logger`` silent inside the block, ``when`` asked (closing a client whose scheduler is gone logs
    the cancelled reconnection as an error with no message)."""
    log_to = logging.getLogger(logger)
    before = log_to.disabled
    log_to.disabled = before or when
    try:
        yield
    finally:
        log_to.disabled = before


def connect(address: str) -> Any:
    """A client of the scheduler at ``address``.

    Raises:
        UsageError: Dask is not installed.
        ClusterError: the scheduler cannot be reached.
    """
    distributed = import_distributed()
    try:
        return distributed.Client(address, timeout=CONNECT_TIMEOUT, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        raise ClusterError(
            f"cannot reach the Dask scheduler at {address} ({exc}); start one with 'dask scheduler' "
            "and give the address it prints"
        ) from exc


def _allow_large_jobs(max_send_bytes: int) -> None:
    """Jobs may carry a file's bytes: no "large graph" warning for those within the send limit."""
    import dask

    dask.config.set({"distributed.admin.large-graph-warning-threshold": max_send_bytes + 2**20})


def threads_by_host(client: Any) -> dict[str, int]:
    """Recogniser threads per job on each host: its cores shared among its workers' threads."""
    workers = client.scheduler_info(n_workers=-1)["workers"]
    cores = client.run(cpu_cores)
    slots: dict[str, int] = defaultdict(int)
    host_cores: dict[str, int] = {}
    for address, info in workers.items():
        slots[info["host"]] += info["nthreads"]
        host_cores[info["host"]] = cores.get(address, 1)
    return {host: max(1, host_cores[host] // n) for host, n in slots.items()}


def run_on_worker(job: Job, threads_by_host: dict[str, int]) -> JobResult | NotVisible:
    """The per-video work on a Dask worker. It writes nothing but its own scratch folder.

    Returns:
        The result, or :class:`NotVisible` where the input is not at ``job.source`` here, or is another file.

    Raises:
        Video2BlogError: the input cannot be drafted (the message names the client's path).
    """
    started = time.perf_counter()
    address, threads = _worker_threads(threads_by_host)
    if job.data is None and not job.source.is_file():
        return NotVisible(f"a worker cannot read {job.label} at {job.source} ({address})")
    with tempfile.TemporaryDirectory(prefix="video2blog-") as scratch:
        cache = Path(scratch) / "cache"
        options = _worker_options(job.options, cache, threads)
        key = cache_key(job.sha256, options.transcribe)
        if job.words is not None:
            write_cached(cache, key, job.words)  # so the transcribe stage finds it, as at the client
        computed = _compute(_local_source(job, Path(scratch)), options, job)
        words = read_cached(cache, key) if job.words is None else None
    if computed.draft.source.sha256 != job.sha256:
        return NotVisible(f"{job.source} on {address} is not the client's file {job.label}")
    return JobResult(computed, time.perf_counter() - started, words, address)


def _worker_threads(threads_by_host: dict[str, int]) -> tuple[str, int]:
    distributed = import_distributed()
    worker = distributed.get_worker()
    host = distributed.comm.get_address_host(worker.address)
    fallback = max(1, cpu_cores() // max(1, worker.state.nthreads))  # a worker that joined later
    return worker.address, threads_by_host.get(host, fallback)


def _worker_options(options: DraftOptions, cache: Path, threads: int) -> DraftOptions:
    engine = replace(options.transcribe.engine_options, threads=threads)
    transcribe = replace(options.transcribe, engine_options=engine, cache_dir=cache)
    return replace(options, transcribe=transcribe)


def _local_source(job: Job, scratch: Path) -> Path:
    """The input as a path on this worker: the client's path, or a scratch copy of the bytes sent."""
    if job.data is None:
        return job.source
    copy = scratch / "input" / job.source.name  # keep the name: ffmpeg may go by the extension
    copy.parent.mkdir()
    copy.write_bytes(job.data)
    return copy


def _compute(source: Path, options: DraftOptions, job: Job) -> ComputedDraft:
    try:
        return compute_draft(source, options, label=job.label, out_dir=job.out_dir)
    except Video2BlogError as exc:
        if exc.path is None or exc.path == job.label:
            raise
        message = str(exc).removeprefix(f"{exc.path}: ")  # name the client's file, not the scratch copy
        raise type(exc)(message, job.label) from None
