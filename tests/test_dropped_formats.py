"""Outputs of formats a redraft no longer asks for are removed (an editor's copy stays), and a Save
writes only the formats the draft asked for."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from tests.test_review import sample_context
from video2blog.cli import app
from video2blog.pipeline.editing import store
from video2blog.pipeline.editing.edits import Edit
from video2blog.pipeline.serialize import to_json, transcript_to_dict


def _talk(tmp_path: Path) -> Path:
    source = tmp_path / "talk.json"
    source.write_bytes(to_json(transcript_to_dict(sample_context().transcript)))
    return source


def test_a_redraft_without_wxr_removes_the_stale_wordpress_xml(tmp_path: Path):
    source, out = _talk(tmp_path), tmp_path / "d"
    runner = CliRunner()
    first = ["draft", str(source), "--out", str(out), "--formats", "md,json,wxr,srt"]
    assert runner.invoke(app, first).exit_code == 0 and (out / "wordpress.xml").is_file()
    (out / "captions.srt").write_text("the editor's own captions\n")
    again = runner.invoke(app, ["draft", str(source), "--out", str(out), "--formats", "md,json"])
    assert again.exit_code == 0, again.output
    assert not (out / "wordpress.xml").exists() and "removed the out-of-date" in again.output
    assert (out / "captions.srt").read_text() == "the editor's own captions\n"  # an editor's copy stays
    assert (out / "transcript.json").is_file() and (out / "post.md").is_file()


def test_a_save_writes_no_review_html_where_the_draft_left_it_out(tmp_path: Path):
    source, out = _talk(tmp_path), tmp_path / "d"
    drafted = CliRunner().invoke(app, ["draft", str(source), "--out", str(out), "--formats", "md,json"])
    assert drafted.exit_code == 0 and not (out / "review.html").exists()
    store.save(out, [Edit("heading", section=1, text="How ketamine helps")], store.load(out).version, None)
    assert "## How ketamine helps" in (out / "post.md").read_text()
    assert not (out / "review.html").exists()
