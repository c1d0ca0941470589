"""The post's keywords (its WordPress tags) follow the editor's words: a glossary term the editor writes
into headings and paragraphs becomes a keyword on Save and stays one on a redraft."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from tests.conftest import make_transcript
from tests.test_review import TEXT
from tests.test_review_server import saved_by_server
from video2blog.cli import app
from video2blog.pipeline.editing import store
from video2blog.pipeline.serialize import to_json, transcript_to_dict
from video2blog.pipeline.text.sentences import split_sentences


def _keywords(out: Path) -> list[str]:
    return json.loads((out / "draft.json").read_text(encoding="utf-8"))["keywords"]


def test_a_glossary_term_the_editor_writes_in_becomes_a_keyword_on_save_and_redraft(tmp_path: Path):
    source, out, glossary = tmp_path / "talk.json", tmp_path / "d", tmp_path / "glossary.txt"
    source.write_bytes(to_json(transcript_to_dict(split_sentences(make_transcript(TEXT)))))
    glossary.write_text("Spravato\nketamine\n", encoding="utf-8")
    runner = CliRunner()
    drafted = runner.invoke(app, ["draft", str(source), "--out", str(out), "--glossary", str(glossary)])
    assert drafted.exit_code == 0, drafted.output
    assert "Spravato" not in _keywords(out)
    draft = store.load(out).draft
    section = next(i for i, s in enumerate(draft.sections) if s.paragraphs and not s.lead)
    written = "Spravato is a nasal spray used at low doses for nerve pain; Spravato has helped many patients."
    edits = [
        {"op": "heading", "section": section, "text": "What is Spravato and why does it help?"},
        {"op": "paragraph", "section": section, "paragraph": 0, "text": written},
    ]
    status, reply = saved_by_server(out, edits)
    assert status == 200, reply
    saved = _keywords(out)
    assert "Spravato" in saved, saved
    again = runner.invoke(
        app, ["draft", str(source), "--out", str(out), "--force", "--glossary", str(glossary)]
    )
    assert again.exit_code == 0, again.output
    assert _keywords(out) == saved
