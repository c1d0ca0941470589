"""The engine interface and the registry that picks one by name."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from video2blog.pipeline.errors import UsageError
from video2blog.pipeline.schema import Transcript

SAMPLE_RATE = 16000

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


class Engine(Protocol):
    """What every engine offers: audio in, timed words out."""

    name: str

    def transcribe(self, audio: np.ndarray, progress: ProgressCallback | None = None) -> Transcript:
        """Transcribe 16 kHz mono float32 ``audio`` into timed words (no sentences yet)."""
        ...


ENGINES = ("faster-whisper", "openai-whisper")


def get_engine(name: str, options: EngineOptions) -> Engine:
    """Build the engine called ``name`` with ``options``.

    Raises:
        UsageError: ``name`` is not a known engine.
    """
    if name == "faster-whisper":
        from video2blog.pipeline.engines.faster import FasterWhisperEngine

        return FasterWhisperEngine(options)
    if name == "openai-whisper":
        from video2blog.pipeline.engines.openai import OpenAIWhisperEngine

        return OpenAIWhisperEngine(options)
    raise UsageError(f"unknown engine {name!r}; choose one of: {', '.join(ENGINES)}")
