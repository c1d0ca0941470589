"""SHA-256 of files and bytes: the one place content is fingerprinted (sources, models, outputs)."""

from __future__ import annotations

import hashlib
from pathlib import Path

CHUNK = 1 << 20  # files are read a MiB at a time, so a two-hour video never sits in memory


def sha256_bytes(data: bytes) -> str:
    """Hex SHA-256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    """Hex SHA-256 of the file at ``path``, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()
