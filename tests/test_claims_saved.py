"""The claims to check follow the editor's text: a Save (and a redraft that re-applies the edits)
checks each changed paragraph again, so a deleted claim is no longer flagged and a typed one is."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

from typer.testing import CliRunner

from tests.test_review import sample_context
from video2blog.cli import app
from video2blog.pipeline.editing import store
from video2blog.pipeline.editing.edits import Edit
from video2blog.pipeline.serialize import to_json, transcript_to_dict

HEARD = "Each infusion takes about forty minutes in a quiet room."  # as the post reads it (no "uh")
TYPED = "This treatment works wonders and cures pain forever."


def _claims(out: Path) -> list[str]:
    return [c["text"] for c in json.loads((out / "draft.json").read_text())["claims"]]


def _comments(out: Path) -> str:
    with zipfile.ZipFile(io.BytesIO((out / "post.docx").read_bytes())) as docx:
        return docx.read("word/comments.xml").decode() if "word/comments.xml" in docx.namelist() else ""


def test_save_and_redraft_check_the_claims_of_the_edited_text(tmp_path: Path):
    source, out, claims = tmp_path / "talk.json", tmp_path / "d", tmp_path / "claims.txt"
    source.write_bytes(to_json(transcript_to_dict(sample_context().transcript)))
    claims.write_text("[clinic claim]\nforty minutes\nworks wonders\n")
    draft = ["draft", str(source), "--out", str(out), "--claims-file", str(claims)]
    runner = CliRunner()
    assert runner.invoke(app, draft).exit_code == 0
    assert [c[:19] for c in _claims(out)] == ["Each infusion takes"] and "forty minutes" in _comments(out)
    paragraph = store.load(out).draft.sections[1].paragraphs[0].text
    edit = Edit("paragraph", section=1, paragraph=0, text=paragraph.replace(HEARD, TYPED))
    store.save(out, [edit], store.load(out).version, None)
    assert _claims(out) == [TYPED]
    assert "forty minutes" not in _comments(out) and "works wonders" in _comments(out)
    assert 'class="claim"' in (out / "review.html").read_text()
    again = runner.invoke(app, draft)
    assert again.exit_code == 0, again.output
    assert _claims(out) == [TYPED]


def test_a_claims_file_gone_since_the_draft_blocks_no_save_nor_redraft(tmp_path: Path, caplog):
    """settings.json keeps the --claims-file's path; a folder copied elsewhere, or the file renamed, made
    every Save fail (HTTP 400) and every redraft exit 2. Both go on with the built-in patterns and say so."""
    source, out, claims = tmp_path / "talk.json", tmp_path / "d", tmp_path / "claims.txt"
    source.write_bytes(to_json(transcript_to_dict(sample_context().transcript)))
    claims.write_text("[clinic claim]\nforty minutes\n")
    runner = CliRunner()
    assert (
        runner.invoke(app, ["draft", str(source), "--out", str(out), "--claims-file", str(claims)]).exit_code
        == 0
    )
    claims.rename(tmp_path / "claims-moved.txt")
    paragraph = store.load(out).draft.sections[1].paragraphs[0].text
    edit = Edit("paragraph", section=1, paragraph=0, text=paragraph.replace(HEARD, TYPED))
    saved = store.save(out, [edit], store.load(out).version, None)
    assert any("claims.txt" in note and "built-in" in note for note in saved.notes), saved.notes
    assert _claims(out) == [TYPED]  # the built-in patterns still flag a cure
    again = runner.invoke(app, ["draft", str(source), "--out", str(out)])
    assert again.exit_code == 0, again.output
    assert any("claims.txt" in r.getMessage() and "is gone" in r.getMessage() for r in caplog.records)
