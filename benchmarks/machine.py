"""The machine a benchmark ran on, in one line: the speed figures depend on it.

The sentence encoder, most of a first draft's text stages, runs about four times faster on a CPU with
AVX-512 and VNNI than on one with AVX2 alone (``benchmarks/RESULTS.md``, round 19), so a figure without
its machine cannot be compared with another.
"""

from __future__ import annotations

import os
import platform
from pathlib import Path

# The vector extensions that matter to onnxruntime's and CTranslate2's kernels, as /proc/cpuinfo names them.
EXTENSIONS = ("avx2", "avx512f", "avx512_vnni", "avx_vnni", "amx_tile")


def describe(cpuinfo: Path = Path("/proc/cpuinfo")) -> str:
    """ "machine: <CPU model>, <cores usable> cores, <extensions>" (the model from ``platform`` where
    ``cpuinfo`` cannot be read: not Linux)."""
    model, flags = _cpuinfo(cpuinfo)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    found = [name for name in EXTENSIONS if name in flags] if flags else ["extensions unknown"]
    found = found or ["none of " + "/".join(EXTENSIONS)]
    return f"machine: {model or platform.processor() or platform.machine()}, {cores} cores, {' '.join(found)}"


def _cpuinfo(path: Path) -> tuple[str, set[str]]:
    """The first processor's model name and flags in ``path`` (empty where it cannot be read)."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return "", set()
    fields: dict[str, str] = {}
    for line in text.splitlines():
        if not line.strip():
            if fields:
                break
            continue
        name, _, value = line.partition(":")
        fields.setdefault(name.strip(), value.strip())
    return fields.get("model name", ""), set(fields.get("flags", "").split())
