"""The captions carry the post's corrected words: a glossary correction, and an editor's word fix added
to the glossary, read the same in captions.srt as in post.md through Save, redraft and Save."""

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

SHINGLES = " Shingles can leave posturpetic neurology behind for months."


def _talk(tmp_path: Path, text: str) -> Path:
    source = tmp_path / "talk.json"
    source.write_bytes(to_json(transcript_to_dict(split_sentences(make_transcript(text)))))
    return source


def _captions(out: Path) -> str:
    return " ".join((out / "captions.srt").read_text().split())


def test_a_glossary_correction_reaches_the_captions(tmp_path: Path):
    source, out, glossary = _talk(tmp_path, TEXT + SHINGLES), tmp_path / "d", tmp_path / "terms.txt"
    glossary.write_text("post-herpetic neuralgia\n")
    drafted = CliRunner().invoke(app, ["draft", str(source), "--out", str(out), "--glossary", str(glossary)])
    assert drafted.exit_code == 0, drafted.output
    assert "leave post-herpetic neuralgia behind" in (out / "post.md").read_text()
    assert "leave post-herpetic neuralgia behind" in _captions(out)
    assert "posturpetic" not in _captions(out)


def test_a_word_fix_added_to_the_glossary_stays_in_the_captions_across_redrafts(tmp_path: Path):
    source, out = _talk(tmp_path, TEXT), tmp_path / "d"
    runner, draft = CliRunner(), ["draft", str(source), "--out", str(out)]
    assert runner.invoke(app, draft).exit_code == 0
    loaded = store.load(out)
    word = [w.text for w in loaded.transcript.words].index("anaesthetic")
    fix = Edit("word", word=word, original="anaesthetic", text="anesthetic", glossary=True)
    store.save(out, [fix], loaded.version, None)
    assert "an anesthetic used" in _captions(out)
    assert runner.invoke(app, draft).exit_code == 0
    assert "an anesthetic used" in (out / "post.md").read_text()
    assert "an anesthetic used" in _captions(out)
    heading = Edit("heading", section=1, text="How ketamine helps")
    store.save(out, [heading], store.load(out).version, None)
    assert "an anesthetic used" in _captions(out)
