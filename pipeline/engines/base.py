"""The engine interface and the registry that picks one by name."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from video2blog.pipeline.errors import ModelError, UsageError
from video2blog.pipeline.schema import Transcript

SAMPLE_RATE = 16000

DEVICE_CHOICES = "auto, cpu, cuda or cuda:N"

# Called with (seconds of audio done, total seconds).
ProgressCallback = Callable[[float, float], None]


@dataclass(frozen=True)
class EngineOptions:
    """Settings that shape recognition. ``model`` None means the bundled tiny.en."""

    model: str | None = None
    device: str = "auto"
    compute_type: str = "default"
    threads: int = 0
    beam_size: int = 5
    vad: bool = True
    batched: bool = False
    language: str | None = "en"
    initial_prompt: str | None = None
    hotwords: str | None = None
    # A second try at speech the first hearing missed: decoded another way, still the same every run.
    second_try: bool = False


# Whisper's temperature fallback samples at random; every engine decodes at temperature 0 only, so that
# the same audio and settings give the same words every run. Missed speech is heard again instead
# (ingest/missed.py), by a second try that is seeded (openai-whisper) or greedy (faster-whisper).
TEMPERATURE = 0.0
SECOND_TRY_TEMPERATURES = (0.2, 0.4, 0.6)
SEED = 0


class Engine(Protocol):
    """What every engine offers: audio in, timed words out."""

    name: str

    def transcribe(self, audio: np.ndarray, progress: ProgressCallback | None = None) -> Transcript:
        """Transcribe 16 kHz mono float32 ``audio`` into timed words (no sentences yet)."""
        ...


ENGINES = ("faster-whisper", "openai-whisper")


@dataclass(frozen=True)
class Device:
    """Where recognition runs: ``cpu``, or CUDA GPU number ``index``."""

    kind: str
    index: int = 0

    def __str__(self) -> str:
        return "cpu" if self.kind == "cpu" else f"cuda:{self.index}"


def resolve_device(device: str, gpu_count: int) -> Device:
    """Turn ``--device`` (auto, cpu, cuda or cuda:N) into a device that exists.

    Args:
        device: what the user asked for.
        gpu_count: how many CUDA GPUs the engine's runtime sees.

    Raises:
        UsageError: ``device`` is none of the choices.
        ModelError: a GPU is asked for that the runtime does not see.
    """
    kind, colon, number = device.partition(":")
    if kind not in ("auto", "cpu", "cuda") or (colon and (kind != "cuda" or not number.isdigit())):
        raise UsageError(f"unknown device {device!r}; choose one of: {DEVICE_CHOICES}")
    if kind == "auto":
        return Device("cuda") if gpu_count > 0 else Device("cpu")
    if kind == "cpu":
        return Device("cpu")
    index = int(number or 0)
    if index >= gpu_count:
        seen = f"{gpu_count} CUDA GPU(s)" if gpu_count else "no CUDA GPU"
        raise ModelError(f"device {device!r} asked for, but the engine sees {seen}; use device cpu or auto")
    return Device("cuda", index)


def check_engine(name: str) -> str:
    """``name``, where it is a known engine: checked before any work, not once the model is loading.

    Raises:
        UsageError: ``name`` is not a known engine.
    """
    if name not in ENGINES:
        raise UsageError(f"unknown engine {name!r}; choose one of: {', '.join(ENGINES)}")
    return name


def get_engine(name: str, options: EngineOptions, cache_dir: Path | None = None) -> Engine:
    """Build the engine called ``name`` with ``options``.

    ``cache_dir`` is where an engine may keep models it converts (openai-whisper converts the bundled
    CTranslate2 model); None keeps them only for this process.

    Raises:
        UsageError: ``name`` is not a known engine.
    """
    if check_engine(name) == "faster-whisper":
        from video2blog.pipeline.engines.faster import FasterWhisperEngine

        return FasterWhisperEngine(options, cache_dir)
    from video2blog.pipeline.engines.openai import OpenAIWhisperEngine

    return OpenAIWhisperEngine(options, cache_dir)
