"""The word-class table kept in the cache folder: read back whole, a damaged copy passed over."""

import logging
import pickle
from pathlib import Path

import pytest
from lemminflect import Lemmatizer

from video2blog.pipeline import lexicon_cache
from video2blog.pipeline.lexicon_cache import table_path, warm_lexicon
from video2blog.pipeline.text import lexicon


@pytest.fixture(autouse=True)
def _own_table():
    """Each test leaves LemmInflect its table as it found it."""
    table = lexicon.lemma_table()
    yield
    lexicon.use_lemma_table(table)


def test_the_first_draft_stores_the_table_and_the_next_reads_it(tmp_path: Path):
    warm_lexicon(tmp_path)
    stored = table_path(tmp_path)
    assert pickle.loads(stored.read_bytes()) == lexicon.lemma_table()
    marked = {"zzqx": {"NOUN": ("zzqx",)}, **lexicon.lemma_table()}
    stored.write_bytes(pickle.dumps(marked))
    lexicon_cache._DONE.clear()  # the next draft: a new process
    warm_lexicon(tmp_path)
    assert "zzqx" in Lemmatizer().lemma_dict  # read from the file, not from LemmInflect's own
    assert lexicon.word_classes("zzqx") == {"NOUN"}
    assert lexicon.can_be_noun("treatment") and lexicon.verb_only("tends")


def test_a_damaged_table_is_passed_over_and_written_again(tmp_path: Path, caplog):
    stored = table_path(tmp_path)
    stored.parent.mkdir(parents=True)
    stored.write_bytes(b"not a pickle")
    with caplog.at_level(logging.WARNING):
        warm_lexicon(tmp_path)
    assert "cannot read the lexicon cache" in caplog.text
    assert pickle.loads(stored.read_bytes()) == lexicon.lemma_table()
    assert lexicon.verb_only("tends")


def test_something_else_in_its_place_is_refused(tmp_path: Path, caplog):
    stored = table_path(tmp_path)
    stored.parent.mkdir(parents=True)
    stored.write_bytes(pickle.dumps(["a", "list"]))
    with caplog.at_level(logging.WARNING):
        warm_lexicon(tmp_path)
    assert "not a lemma table" in caplog.text and lexicon.can_be_noun("treatment")


def test_no_cache_folder_and_an_unwritable_one_are_no_error(tmp_path: Path, caplog):
    warm_lexicon(None)
    blocked = tmp_path / "file"
    blocked.write_text("")
    with caplog.at_level(logging.WARNING):
        warm_lexicon(blocked)  # a file where the folder should be
    assert "cannot write the lexicon cache" in caplog.text
    assert lexicon.verb_only("tends")


def test_a_batch_reads_the_table_once(tmp_path: Path, monkeypatch):
    warm_lexicon(tmp_path)
    reads: list[object] = []
    monkeypatch.setattr(lexicon, "use_lemma_table", reads.append)
    warm_lexicon(tmp_path)  # the next draft of a batch, in the same process
    assert reads == []
