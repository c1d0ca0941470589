"""A redraft keeps how the folder was drafted: every option not given again comes from its
settings.json, one line says which, and an option given again wins."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from tests.test_review import sample_context
from video2blog.cli import app
from video2blog.pipeline.serialize import to_json, transcript_to_dict

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"


def _talk(tmp_path: Path) -> Path:
    source = tmp_path / "talk.json"
    source.write_bytes(to_json(transcript_to_dict(sample_context().transcript)))
    return source


def _clinic(tmp_path: Path) -> tuple[Path, Path]:
    templates = tmp_path / "tpl"
    templates.mkdir(mode=0o755)
    (templates / "post.md.j2").write_text((TEMPLATES / "post.md.j2").read_text() + "CLINIC-TEMPLATE\n")
    claims = tmp_path / "claims.txt"
    claims.write_text("[clinic claim]\nworks wonders\n")
    return templates, claims


def test_a_redraft_without_the_options_keeps_the_folders_settings_and_says_so(tmp_path: Path):
    source, out = _talk(tmp_path), tmp_path / "d"
    templates, claims = _clinic(tmp_path)
    first = [
        *("draft", str(source), "--out", str(out), "--template-dir", str(templates), "--front-matter"),
        *("hugo", "--medical", "--formats", "md,html,json,wxr", "--claims-file", str(claims), "--no-images"),
    ]
    runner = CliRunner()
    assert runner.invoke(app, first).exit_code == 0
    before = json.loads((out / "settings.json").read_text())
    again = runner.invoke(app, ["draft", str(source), "--out", str(out)])
    assert again.exit_code == 0, again.output
    assert json.loads((out / "settings.json").read_text()) == before
    assert "CLINIC-TEMPLATE" in (out / "post.md").read_text()
    assert "MedicalWebPage" in (out / "post.html").read_text()
    assert before["claims_file"] == str(claims.resolve()) and before["images"] is False
    said = [line for line in again.output.splitlines() if "kept this folder's settings" in line]
    assert len(said) == 1 and "--medical" in said[0] and "--front-matter hugo" in said[0]
    assert f"--claims-file {claims.resolve()}" in said[0] and "--no-images" in said[0]


def test_an_option_given_again_wins_over_the_folders_settings(tmp_path: Path):
    source, out = _talk(tmp_path), tmp_path / "d"
    runner = CliRunner()
    first = ["draft", str(source), "--out", str(out), "--medical", "--front-matter", "hugo"]
    assert runner.invoke(app, first).exit_code == 0
    again = runner.invoke(app, ["draft", str(source), "--out", str(out), "--no-medical"])
    assert again.exit_code == 0, again.output
    settings = json.loads((out / "settings.json").read_text())
    assert settings["medical"] is False and settings["front_matter"] == "hugo"
    assert "MedicalWebPage" not in (out / "post.html").read_text()
    assert "--medical" not in again.output and "--front-matter hugo" in again.output


def test_a_redraft_with_a_new_glossary_prompts_with_the_folders_terms_too(tmp_path: Path):
    """A new --glossary alone made the recogniser's prompt: the talk was heard otherwise than the
    folder's draft, and the editor's edits no longer fitted."""
    source, out = _talk(tmp_path), tmp_path / "d"
    (tmp_path / "old.txt").write_text("ketamine\nneuropathic\n")
    (tmp_path / "new.txt").write_text("allodynia\n")
    runner = CliRunner()
    first = ["draft", str(source), "--out", str(out), "--glossary", str(tmp_path / "old.txt")]
    assert runner.invoke(app, first).exit_code == 0
    again = ["draft", str(source), "--out", str(out), "--glossary", str(tmp_path / "new.txt")]
    assert runner.invoke(app, again).exit_code == 0
    assert json.loads((out / "settings.json").read_text())["hotwords"] == "allodynia, ketamine, neuropathic."
