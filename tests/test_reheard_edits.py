"""An editor's one-place word fix survives a redraft that hears the talk a little differently (a new
glossary changes the recogniser's prompt): it is found again by its word, the nearest to where it was,
and a fix is said to be lost only where its word is no longer in the draft."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from tests.conftest import make_transcript
from tests.test_review import TEXT
from video2blog.cli import app
from video2blog.pipeline.editing import store
from video2blog.pipeline.editing.edits import Edit
from video2blog.pipeline.serialize import to_json, transcript_to_dict
from video2blog.pipeline.text.sentences import split_sentences


def _heard(path: Path, text: str) -> None:
    path.write_bytes(to_json(transcript_to_dict(split_sentences(make_transcript(text)))))


def _fix(out: Path, heard: str, fixed: str) -> None:
    loaded = store.load(out)
    word = [w.text.strip(",.") for w in loaded.transcript.words].index(heard)
    edit = Edit("word", word=word, original=heard, text=fixed, everywhere=False)
    store.save(out, [edit], loaded.version, None)


def test_a_word_fix_is_found_again_where_the_talk_is_heard_with_two_more_words(tmp_path: Path, caplog):
    source, out = tmp_path / "talk.json", tmp_path / "d"
    _heard(source, TEXT)
    runner = CliRunner()
    assert runner.invoke(app, ["draft", str(source), "--out", str(out)]).exit_code == 0
    _fix(out, "anaesthetic", "anesthetic")
    _heard(source, TEXT.replace("Hello and welcome", "Hello there and a welcome"))
    again = runner.invoke(app, ["draft", str(source), "--out", str(out), "--force"])
    assert again.exit_code == 0, again.output
    assert "not in the draft any more" not in again.output + "".join(r.getMessage() for r in caplog.records)
    post = (out / "post.md").read_text()
    assert "an anesthetic used" in post and "an anaesthetic used" not in post


def test_a_word_fix_is_said_lost_only_where_its_word_is_gone(tmp_path: Path, caplog):
    source, out = tmp_path / "talk.json", tmp_path / "d"
    _heard(source, TEXT)
    runner = CliRunner()
    assert runner.invoke(app, ["draft", str(source), "--out", str(out)]).exit_code == 0
    _fix(out, "anaesthetic", "anesthetic")
    _heard(source, TEXT.replace("an anaesthetic", "a medicine"))
    again = runner.invoke(app, ["draft", str(source), "--out", str(out), "--force"])
    assert again.exit_code == 0, again.output
    said = [r.getMessage() for r in caplog.records]
    assert any("'anaesthetic' is not in the draft any more" in m for m in said), said
