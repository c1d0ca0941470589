"""Rebuild an openai-whisper checkpoint from a CTranslate2 Whisper model.

CTranslate2 stores the network in ``model.bin``: a version number, the spec
name and revision, then named variables (rank, shape, dtype, byte count, raw
little-endian data), then aliases (one variable standing in for another, e.g.
the output projection tied to the token embedding). The layout is the one
written by ``ctranslate2/specs/model_spec.py`` (``LayerSpec._serialize``) and
read by ``src/models/model.cc``.

The Whisper spec fuses the self-attention query/key/value into one matrix
(``linear_0``) and the cross-attention key/value into another; openai-whisper
keeps them apart and its key projections have no bias. Layer norms are named
``gamma``/``beta``. Everything else maps one to one, so the rebuilt model
computes the same function as the CTranslate2 one.
"""

from __future__ import annotations

import base64
import gzip
import json
import logging
import os
import struct
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from video2blog.pipeline.digest import sha256_file
from video2blog.pipeline.errors import ModelError

logger = logging.getLogger(__name__)

SUPPORTED_BINARY_VERSION = 6
# Order of CTranslate2's DataType enum (include/ctranslate2/types.h).
_DTYPE_IDS: dict[int, str] = {
    0: "float32",
    1: "int8",
    2: "int16",
    3: "int32",
    4: "float16",
    5: "bfloat16",
}
# Binary versions before 4 stored the item width instead of a dtype id.
_LEGACY_ITEM_SIZES: dict[int, str] = {4: "float32", 2: "int16", 1: "int8"}

Variables = dict[str, np.ndarray]


@dataclass(frozen=True)
class CT2Model:
    """The raw content of a CTranslate2 ``model.bin``."""

    binary_version: int
    spec: str
    revision: int
    variables: Variables
    aliases: dict[str, str]


class _Cursor:
    """Sequential little-endian reader over the bytes of ``model.bin``."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def unpack(self, fmt: str) -> int:
        (value,) = struct.unpack_from("<" + fmt, self.data, self.pos)
        self.pos += struct.calcsize(fmt)
        return value

    def raw(self, size: int) -> bytes:
        if self.pos + size > len(self.data):
            raise ValueError(f"truncated: wanted {size} bytes at offset {self.pos}")
        chunk = self.data[self.pos : self.pos + size]
        self.pos += size
        return chunk

    def string(self) -> str:
        size = self.unpack("H")  # Counts the trailing NUL.
        return self.raw(size).split(b"\0", 1)[0].decode("utf-8")


def _to_array(raw: bytes, dtype: str, shape: tuple[int, ...]) -> np.ndarray:
    """Turn a variable's raw bytes into an array (bfloat16 widened to float32)."""
    if dtype == "bfloat16":
        bits = np.frombuffer(raw, dtype="<u2").astype(np.uint32) << 16
        return bits.view(np.float32).reshape(shape)
    return np.frombuffer(raw, dtype=np.dtype(dtype).newbyteorder("<")).reshape(shape)


def _read_variable(cur: _Cursor, version: int) -> tuple[str, np.ndarray]:
    """Read one named variable record."""
    name = cur.string()
    rank = cur.unpack("B")
    shape = tuple(cur.unpack("I") for _ in range(rank))
    if version >= 4:
        dtype = _DTYPE_IDS[cur.unpack("B")]
        num_bytes = cur.unpack("I")
    else:
        item_size = cur.unpack("B")
        dtype = _LEGACY_ITEM_SIZES[item_size]
        num_bytes = cur.unpack("I") * item_size
    return name, _to_array(cur.raw(num_bytes), dtype, shape)


def read_ct2_model(model_bin: Path) -> CT2Model:
    """Read every variable and alias of a CTranslate2 ``model.bin``.

    Args:
        model_bin: Path to the ``model.bin`` file.

    Returns:
        The file's version, spec, variables (as stored, not dequantized) and aliases.

    Raises:
        ModelError: The file is missing, truncated or from a newer CTranslate2.
    """
    try:
        cur = _Cursor(model_bin.read_bytes())
        version = cur.unpack("I")
        if not 1 <= version <= SUPPORTED_BINARY_VERSION:
            raise ValueError(f"unsupported binary version {version}")
        spec, revision = (cur.string(), cur.unpack("I")) if version >= 2 else ("", 1)
        variables = dict(_read_variable(cur, version) for _ in range(cur.unpack("I")))
        aliases: dict[str, str] = {}
        if version >= 3:
            for _ in range(cur.unpack("I")):
                alias = cur.string()
                aliases[alias] = cur.string()
    except (OSError, ValueError, KeyError, struct.error) as exc:
        raise ModelError(f"cannot read CTranslate2 model: {exc}", model_bin) from exc
    return CT2Model(version, spec, revision, variables, aliases)


def _resolve(model: CT2Model) -> Variables:
    """Apply aliases (and their scales) and dequantize int8/int16 weights to float32."""
    variables = dict(model.variables)
    for alias, target in model.aliases.items():
        for suffix in ("", "_scale"):
            if target + suffix in variables:
                variables[alias + suffix] = variables[target + suffix]
    for name, value in list(variables.items()):
        scale = variables.get(name + "_scale")
        if scale is not None and value.dtype in (np.int8, np.int16):
            shape = (-1,) + (1,) * (value.ndim - 1) if scale.ndim == 1 else ()
            variables[name] = value.astype(np.float32) / scale.reshape(shape)
        elif name.endswith("weight") and value.dtype.kind in "iu":
            raise ValueError(f"{name} is quantized ({value.dtype}) but has no saved scale")
    return variables


def _count_layers(variables: Variables, stack: str) -> int:
    """Number of ``<stack>/layer_N`` blocks."""
    prefix = f"{stack}/layer_"
    indices = {name[len(prefix) :].split("/")[0] for name in variables if name.startswith(prefix)}
    return sum(1 for index in indices if index.isdigit())


def _heads(variables: Variables, stack: str, width: int) -> int:
    """Attention heads of a stack; Whisper's head width is always 64 if unrecorded."""
    value = variables.get(f"{stack}/num_heads")
    return int(value.reshape(())) if value is not None else width // 64


def model_dimensions(variables: Variables) -> dict[str, int]:
    """Work out openai-whisper's ``ModelDimensions`` fields from the variable shapes.

    Args:
        variables: Resolved CTranslate2 Whisper variables.

    Returns:
        The ``dims`` dict of an openai-whisper checkpoint.
    """
    conv1 = variables["encoder/conv1/weight"]
    audio_ctx, audio_state = variables["encoder/position_encodings/encodings"].shape
    text_ctx, text_state = variables["decoder/position_encodings/encodings"].shape
    return {
        "n_mels": int(conv1.shape[1]),
        "n_audio_ctx": int(audio_ctx),
        "n_audio_state": int(audio_state),
        "n_audio_head": _heads(variables, "encoder", int(audio_state)),
        "n_audio_layer": _count_layers(variables, "encoder"),
        "n_vocab": int(variables["decoder/embeddings/weight"].shape[0]),
        "n_text_ctx": int(text_ctx),
        "n_text_state": int(text_state),
        "n_text_head": _heads(variables, "decoder", int(text_state)),
        "n_text_layer": _count_layers(variables, "decoder"),
    }


class _Builder:
    """Collects openai-whisper state-dict entries from CTranslate2 variables."""

    def __init__(self, variables: Variables) -> None:
        self.src = variables
        self.out: dict[str, np.ndarray] = {}

    def copy(self, src: str, dst: str) -> None:
        self.out[dst] = self.src[src]

    def linear(self, src: str, dst: str) -> None:
        self.copy(f"{src}/weight", f"{dst}.weight")
        self.copy(f"{src}/bias", f"{dst}.bias")

    def layer_norm(self, src: str, dst: str) -> None:
        self.copy(f"{src}/gamma", f"{dst}.weight")
        self.copy(f"{src}/beta", f"{dst}.bias")

    def fused(self, src: str, dst: str, names: tuple[str, ...]) -> None:
        """Split a fused projection into ``names`` (the key gets no bias)."""
        weights = np.split(self.src[f"{src}/weight"], len(names), axis=0)
        biases = np.split(self.src[f"{src}/bias"], len(names), axis=0)
        for name, weight, bias in zip(names, weights, biases):
            self.out[f"{dst}.{name}.weight"] = weight
            if name != "key":
                self.out[f"{dst}.{name}.bias"] = bias
            elif np.any(bias != 0):
                logger.warning("%s: dropping a non-zero key bias (openai-whisper has none)", src)

    def attention(self, src: str, dst: str, cross: bool) -> None:
        self.layer_norm(f"{src}/layer_norm", f"{dst}_ln")
        if cross:
            self.linear(f"{src}/linear_0", f"{dst}.query")
            self.fused(f"{src}/linear_1", dst, ("key", "value"))
        else:
            self.fused(f"{src}/linear_0", dst, ("query", "key", "value"))
        self.linear(f"{src}/linear_{2 if cross else 1}", f"{dst}.out")

    def block(self, src: str, dst: str, cross: bool) -> None:
        self.attention(f"{src}/self_attention", f"{dst}.attn", cross=False)
        if cross:
            self.attention(f"{src}/attention", f"{dst}.cross_attn", cross=True)
        self.layer_norm(f"{src}/ffn/layer_norm", f"{dst}.mlp_ln")
        self.linear(f"{src}/ffn/linear_0", f"{dst}.mlp.0")
        self.linear(f"{src}/ffn/linear_1", f"{dst}.mlp.2")


def _check_spec(model: CT2Model, variables: Variables) -> None:
    """Refuse models openai-whisper's architecture cannot express."""
    if model.spec and model.spec != "WhisperSpec":
        raise ValueError(f"not a Whisper model (spec {model.spec!r})")
    projection = variables.get("decoder/projection/weight")
    if projection is not None and not np.array_equal(projection, variables["decoder/embeddings/weight"]):
        raise ValueError("output projection is not tied to the token embedding")
    bias = variables.get("decoder/projection/bias")
    if bias is not None and np.any(bias != 0):
        raise ValueError("output projection has a bias")


def build_state_dict(variables: Variables, dims: dict[str, int]) -> dict[str, np.ndarray]:
    """Map CTranslate2 Whisper variables onto openai-whisper parameter names.

    Args:
        variables: Resolved CTranslate2 Whisper variables.
        dims: The model dimensions (for the layer counts).

    Returns:
        Arrays keyed exactly like ``whisper.model.Whisper(dims).state_dict()``.
    """
    b = _Builder(variables)
    for conv in ("conv1", "conv2"):
        b.linear(f"encoder/{conv}", f"encoder.{conv}")
    b.copy("encoder/position_encodings/encodings", "encoder.positional_embedding")
    for i in range(dims["n_audio_layer"]):
        b.block(f"encoder/layer_{i}", f"encoder.blocks.{i}", cross=False)
    b.layer_norm("encoder/layer_norm", "encoder.ln_post")
    b.copy("decoder/embeddings/weight", "decoder.token_embedding.weight")
    b.copy("decoder/position_encodings/encodings", "decoder.positional_embedding")
    for i in range(dims["n_text_layer"]):
        b.block(f"decoder/layer_{i}", f"decoder.blocks.{i}", cross=True)
    b.layer_norm("decoder/layer_norm", "decoder.ln")
    return b.out


def encode_alignment_heads(heads: list[list[int]], n_layer: int, n_head: int) -> str:
    """Encode (layer, head) pairs the way ``Whisper.set_alignment_heads`` expects.

    Args:
        heads: ``[layer, head]`` pairs, as in CTranslate2's ``config.json``.
        n_layer: Number of decoder layers.
        n_head: Number of decoder attention heads.

    Returns:
        The base85 text of the gzipped boolean ``(n_layer, n_head)`` mask.
    """
    mask = np.zeros((n_layer, n_head), dtype=bool)
    for layer, head in heads:
        mask[layer, head] = True
    return base64.b85encode(gzip.compress(mask.tobytes(), mtime=0)).decode("ascii")


def _alignment_heads(ct2_dir: Path, dims: dict[str, int]) -> str | None:
    """The encoded alignment heads from ``config.json``, or None if it lists none."""
    config_path = ct2_dir / "config.json"
    if not config_path.is_file():
        return None
    heads = json.loads(config_path.read_text(encoding="utf-8")).get("alignment_heads")
    if not heads:
        return None
    return encode_alignment_heads(heads, dims["n_text_layer"], dims["n_text_head"])


def _to_tensors(arrays: dict[str, np.ndarray]) -> dict[str, Any]:
    """Numpy arrays to torch tensors, keeping float16 and widening other floats to float32."""
    import torch

    tensors = {}
    for name, array in arrays.items():
        dtype = np.float16 if array.dtype == np.float16 else np.float32
        tensors[name] = torch.from_numpy(np.array(array, dtype=dtype, order="C", copy=True))
    return tensors


def convert_ct2_to_openai(ct2_dir: Path) -> dict[str, Any]:
    """Rebuild an openai-whisper checkpoint from a CTranslate2 Whisper folder.

    Args:
        ct2_dir: Folder with ``model.bin`` (and optionally ``config.json``).

    Returns:
        ``{"dims": {...}, "model_state_dict": {...}}`` as ``whisper.load_model``
        reads it, plus ``"alignment_heads"`` (the encoded form for
        ``Whisper.set_alignment_heads``) when ``config.json`` lists them.

    Raises:
        ModelError: The folder does not hold a readable CTranslate2 Whisper model.
    """
    model = read_ct2_model(Path(ct2_dir) / "model.bin")
    try:
        variables = _resolve(model)
        _check_spec(model, variables)
        dims = model_dimensions(variables)
        state = build_state_dict(variables, dims)
        heads = _alignment_heads(Path(ct2_dir), dims)
    except (KeyError, ValueError) as exc:
        raise ModelError(f"cannot convert CTranslate2 Whisper model: {exc}", ct2_dir) from exc
    checkpoint: dict[str, Any] = {"dims": dims, "model_state_dict": _to_tensors(state)}
    if heads is not None:
        checkpoint["alignment_heads"] = heads
    return checkpoint


def cached_openai_checkpoint(ct2_dir: Path, cache_dir: Path, name: str | None = None) -> Path:
    """Convert ``ct2_dir`` once and return the path of the cached ``.pt`` checkpoint.

    The file is ``cache_dir/openai-whisper/<name>-<sha256 prefix of model.bin>.pt``;
    it is written to a temporary file and renamed, so concurrent processes are safe.

    Args:
        ct2_dir: Folder with the CTranslate2 ``model.bin``.
        cache_dir: Root of the cache (e.g. ``~/.cache/video2blog``).
        name: Label for the file name; defaults to the folder's name.

    Returns:
        Path of a checkpoint that ``whisper.load_model`` can read.

    Raises:
        ModelError: The model cannot be read or the cache cannot be written.
    """
    ct2_dir = Path(ct2_dir)
    model_bin = ct2_dir / "model.bin"
    try:
        digest = sha256_file(model_bin)
    except OSError as exc:
        raise ModelError(f"cannot read CTranslate2 model: {exc}", model_bin) from exc
    target = Path(cache_dir) / "openai-whisper" / f"{name or ct2_dir.name}-{digest[:16]}.pt"
    if target.is_file():
        logger.debug("using cached openai-whisper checkpoint %s", target)
        return target
    logger.info("converting %s to an openai-whisper checkpoint at %s", ct2_dir, target)
    _save_atomically(convert_ct2_to_openai(ct2_dir), target)
    return target


def _save_atomically(checkpoint: dict[str, Any], target: Path) -> None:
    """``torch.save`` to a temporary file beside ``target``, then rename it into place."""
    import torch

    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=target.name, suffix=".tmp")
    except OSError as exc:
        raise ModelError(f"cannot create the model cache: {exc}", target.parent) from exc
    try:
        with os.fdopen(fd, "wb") as handle:
            torch.save(checkpoint, handle)
        os.replace(tmp_name, target)
    except BaseException as exc:
        Path(tmp_name).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise ModelError(f"cannot write the model cache: {exc}", target) from exc
        raise
