"""The per-video work of a batch, and the local pools that run it behind the ``Executor`` interface.

A :class:`Job` is everything one video's work needs; it is sent to a
``concurrent.futures.Executor`` (in this process, a process pool, a thread
pool, or a Dask cluster: see :mod:`video2blog.pipeline.batch.cluster`) and comes back as a
:class:`JobResult` holding the rendered files. The batch, not the job, writes
them: workers only read inputs and compute.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from functools import partial
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any, Protocol

from video2blog.pipeline.errors import TRY_LATER, Video2BlogError
from video2blog.pipeline.run import ComputedDraft, DraftOptions, compute_draft
from video2blog.pipeline.schema import Transcript
from video2blog.pipeline.signals import deliver_again, noting_signals

log = logging.getLogger(__name__)

POOLS = ("process", "thread")
WORKER_END_S = 10.0  # how long a worker ended by Ctrl-C has to exit before it is killed
# How long a pool may keep a dead worker without failing its jobs before it counts as stalled: CPython's
# pool notices a dead worker within milliseconds, unless it is waiting for the rest of that worker's result.
STALL_S = 10.0


@dataclass(frozen=True)
class Job:
    """One video's work.

    Attributes:
        source: the file as the batch sees it.
        label: the source path to record in the draft.
        options: the draft options (with the thread count this job may use).
        sha256: the content hash when the batch already knows it ("" if not).
        words: a cached transcription of the same content and settings, to reuse.
        data: the file's bytes, for a worker that cannot read ``source``.
        attempt: how many times this job was tried before.
        out_dir: the draft folder, in the same form as ``label`` (both relative or both absolute),
            so that the review page's link to the media is the same whatever the worker's cwd.
    """

    source: Path
    label: str
    options: DraftOptions
    sha256: str = ""
    words: Transcript | None = None
    data: bytes | None = None
    attempt: int = 0
    out_dir: Path | None = None


@dataclass(frozen=True)
class JobResult:
    """A computed draft, the worker's time on it, and a new transcription for the batch to cache."""

    computed: ComputedDraft
    seconds: float
    words: Transcript | None = None
    worker: str = ""


class Backend(Protocol):
    """Where jobs run. ``slots`` bounds how many are in flight, so the batch feeds them lazily."""

    def slots(self) -> int: ...

    def prepare(self, job: Job) -> Job:
        """The job as this backend sends it (its thread share, a content hash, cached words...)."""
        ...

    def submit(self, job: Job) -> Future[JobResult]: ...

    def retry(self, job: Job, error: BaseException) -> Job | None:
        """A job to submit again after ``error``, or None: the video failed."""
        ...

    def finish(self, job: Job, result: JobResult) -> None:
        """Client-side bookkeeping once a result is written (e.g. caching its transcription)."""
        ...

    def watch(self) -> None:
        """Called while the batch waits for results: a backend whose workers stalled frees them, so
        that their jobs fail (and are retried) instead of being waited for forever."""
        ...

    def close(self, cancel: bool) -> None: ...


class BackendLost(Video2BlogError):
    """Where the jobs ran is gone (a Dask scheduler that stopped): the batch ends, and the videos not
    finished stay pending for the next run instead of failing."""

    exit_code = TRY_LATER


class Cancelled(Exception):
    """The batch was interrupted; a job in a pool thread stops at its next progress report."""


def compute_job(job: Job, cancel: threading.Event | None = None) -> JobResult:
    """The per-video work on a local worker: read, transcribe (through the shared cache), render."""
    started = time.perf_counter()
    computed = compute_draft(job.source, job.options, _stopper(cancel), label=job.label, out_dir=job.out_dir)
    worker = f"pid {os.getpid()} {threading.current_thread().name}"
    return JobResult(computed, time.perf_counter() - started, worker=worker)


def _stopper(cancel: threading.Event | None) -> Callable[[float, float], None] | None:
    """A progress callback that ends the job once ``cancel`` is set (threads cannot be killed)."""
    if cancel is None:
        return None

    def check(done: float, total: float) -> None:
        if cancel.is_set():
            raise Cancelled("the batch was interrupted")

    return check


def cpu_cores() -> int:
    """Cores this process may run on (the affinity mask where the OS has one)."""
    affinity = getattr(os, "sched_getaffinity", None)
    return len(affinity(0)) if affinity else (os.cpu_count() or 1)


def with_threads(options: DraftOptions, threads: int) -> DraftOptions:
    """``options`` with the recogniser limited to ``threads`` CPU threads."""
    engine = replace(options.transcribe.engine_options, threads=threads)
    return replace(options, transcribe=replace(options.transcribe, engine_options=engine))


class InlineExecutor(Executor):
    """Runs each call at once in the caller's thread: ``--jobs 1``, where Ctrl-C stops the work at once
    (where a step holds it, as the OCR reader's build does, once the step ends).

    A library can turn the KeyboardInterrupt of a Ctrl-C into an error of its own, or swallow it (OmegaConf
    does both; see :mod:`video2blog.pipeline.signals`): a call that ends after SIGINT or SIGTERM came has
    the signal delivered again, so the batch stops as interrupted instead of counting one more failed (or
    drafted) video and going on. A job finished that way is drafted again on resume.
    """

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()
        with noting_signals() as came:
            try:
                future.set_result(fn(*args, **kwargs))
            except Exception as exc:  # handed to the caller through the future
                future.set_exception(exc)
        if came:
            deliver_again(came)
        return future


class LocalBackend:
    """Jobs on this machine: in this process (jobs=1), or a pool of ``jobs`` threads or processes.

    Each job gets ``cores // jobs`` recogniser threads, so the pool never oversubscribes the CPU.
    Processes (the default) load the model once each. Threads share one model and start at once,
    but their words can differ slightly from a one-at-a-time run (measured: timings and
    probabilities of a few words), so a draft would depend on what ran beside it.
    """

    def __init__(self, jobs: int, pool: str = "process") -> None:
        self.jobs, self.pool = jobs, pool
        self.threads = max(1, cpu_cores() // jobs)
        self.cancel = threading.Event()
        self.stalled: tuple[frozenset[int], float] | None = None  # dead workers of a pool, and since when
        self.executor = self._start()
        self.work = partial(compute_job, cancel=self.cancel) if self._threaded() else compute_job

    def _threaded(self) -> bool:
        return self.jobs > 1 and self.pool == "thread"

    def _start(self) -> Executor:
        if self.jobs == 1:
            return InlineExecutor()
        if self.pool == "thread":
            return ThreadPoolExecutor(self.jobs, thread_name_prefix="video2blog")
        spawn = multiprocessing.get_context("spawn")  # fork would copy the display's threads and locks
        return ProcessPoolExecutor(self.jobs, spawn, initializer=_init_worker, initargs=(os.getpid(),))

    def slots(self) -> int:
        return self.jobs

    def prepare(self, job: Job) -> Job:
        return replace(job, options=with_threads(job.options, self.threads))

    def submit(self, job: Job) -> Future[JobResult]:
        try:
            return self.executor.submit(self.work, job)
        except BrokenProcessPool:  # a worker died (a crash in a native library, out of memory)
            log.warning("a worker process died; starting a new pool")
            self.executor.shutdown(wait=False, cancel_futures=True)
            self.executor = self._start()
            return self.executor.submit(self.work, job)

    def retry(self, job: Job, error: BaseException) -> Job | None:
        """Jobs lost with a dead worker run once more; a job in hand when its pool fails twice has failed."""
        if isinstance(error, BrokenProcessPool) and job.attempt < 1:
            return replace(job, attempt=job.attempt + 1)
        return None

    def finish(self, job: Job, result: JobResult) -> None:
        return None  # local jobs use the transcript cache directly

    def watch(self) -> None:
        """A worker that died halfway through sending its result (killed for memory) leaves the pool
        waiting for the rest, its jobs never failed: once the same dead workers have stood for
        :data:`STALL_S`, the pool is ended and a new one started, so the old pool's jobs fail as a dead
        worker's do and run once more."""
        dead = _dead_workers(self.executor)
        if not dead:
            self.stalled = None
            return
        now = time.monotonic()
        if self.stalled is None or self.stalled[0] != dead:
            self.stalled = (dead, now)
        elif now - self.stalled[1] >= STALL_S:
            log.warning("a worker process died while handing back its result; its videos run once more")
            _terminate(self.executor)
            self.executor.shutdown(wait=False)
            self.executor = self._start()
            self.stalled = None

    def close(self, cancel: bool) -> None:
        if cancel:
            self.cancel.set()
            _terminate(self.executor)
        self.executor.shutdown(wait=True, cancel_futures=cancel)


def _terminate(executor: Executor) -> None:
    """End a process pool's workers now (Ctrl-C): their results would be thrown away anyway.

    A worker ended halfway through sending its result leaves the pool's manager thread waiting for
    the rest, and the pool's shutdown (and Python's exit, which joins that thread) with it. So the
    pool's own copy of the result pipe's writing end is closed first (a second Ctrl-C during the
    workers' ending cannot skip it): once the workers are gone too, the wait ends at the end of the
    pipe. A job too big for the call pipe, which no worker will read now, is not waited for either.
    (No public API for any of this before Python 3.14.)
    """
    calls = getattr(executor, "_call_queue", None)
    if calls is not None:
        calls.cancel_join_thread()
    writer = getattr(getattr(executor, "_result_queue", None), "_writer", None)
    if writer is not None:
        writer.close()
    processes = _workers(executor)
    for process in processes:
        process.terminate()
    deadline = time.monotonic() + WORKER_END_S
    for process in processes:
        process.join(max(0.0, deadline - time.monotonic()))
        if process.is_alive():
            process.kill()
            process.join()


def _dead_workers(executor: Executor) -> frozenset[int]:
    """The workers that have exited of a process pool that is not (yet) broken: their process ids."""
    if getattr(executor, "_broken", False):
        return frozenset()
    return frozenset(p.pid for p in _workers(executor) if p.pid is not None and p.exitcode is not None)


def _workers(executor: Executor) -> list[BaseProcess]:
    """A process pool's worker processes (none for other executors; no public API before Python 3.14)."""
    return list((getattr(executor, "_processes", None) or {}).values())


def _init_worker(parent: int) -> None:
    for signum in (signal.SIGINT, signal.SIGHUP):  # the batch handles Ctrl-C and a closed terminal,
        signal.signal(signum, signal.SIG_IGN)  # and ends the pool
    threading.Thread(target=_exit_with_parent, args=(parent,), daemon=True).start()


def _exit_with_parent(parent: int) -> None:
    """A worker whose batch was killed (kill -9) exits instead of lingering as an orphan."""
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)
