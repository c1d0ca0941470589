"""Which language a talk is in, heard by the multilingual Whisper base model (the ``base`` extra)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from video2blog.pipeline.engines.base import EngineOptions
from video2blog.pipeline.engines.faster import (
    check_compute_type,
    cpu_threads,
    ct2_device,
    load_model,
    one_blas_thread,
    resolve_model,
)
from video2blog.pipeline.engines.models import BASE_MODEL


def detect_language(audio: np.ndarray, options: EngineOptions, cache_dir: Path | None) -> tuple[str, float]:
    """The language Whisper base hears in the first 30 s of speech of ``audio``, and its probability.

    Loads the model as the engine would (same device, compute type and threads), so that a talk
    then transcribed with base reuses it.

    Raises:
        ModelError: the ``base`` extra is not installed or its model is damaged.
    """
    device = ct2_device(options.device)
    compute_type = check_compute_type(device.kind, options.compute_type)
    model = load_model(
        resolve_model(BASE_MODEL, cache_dir), device, compute_type, cpu_threads(options.threads)
    )
    with one_blas_thread():
        language, probability, _ = model.detect_language(audio, vad_filter=options.vad)
    return str(language), float(probability)
