"""A redraft keeps how the folder was drafted: every option not given again comes from its
settings.json, one line says which, and an option given again wins."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from tests.test_review import sample_context
from video2blog.cli import app
from video2blog.pipeline.engines.base import SAMPLE_RATE, ProgressCallback
from video2blog.pipeline.ingest import transcribe
from video2blog.pipeline.schema import Transcript, Word
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


class _Heard:
    """Stands in for an engine: hears one word, and notes which engine was asked for."""

    def __init__(self, name: str, asked: list[str]) -> None:
        self.name = name
        asked.append(name)

    def transcribe(self, audio: np.ndarray, progress: ProgressCallback | None = None) -> Transcript:
        seconds = len(audio) / SAMPLE_RATE
        words = (Word("Hello", 0.1, 0.4, 0.9), Word("there.", seconds - 0.4, seconds - 0.1, 0.9))
        return Transcript(words=words, language="en", duration=seconds, engine=self.name, model="tiny.en")


@pytest.fixture
def asked(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[str]:
    """The engines the drafts asked for, in order (a stand-in engine hears the words)."""
    names: list[str] = []
    monkeypatch.setattr(transcribe, "get_engine", lambda name, options, cache_dir=None: _Heard(name, names))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return names


def test_a_redraft_without_engine_keeps_the_folders_engine(media_dir: Path, tmp_path: Path, asked: list[str]):
    """A folder drafted with openai-whisper was silently heard again by faster-whisper on a redraft without
    --engine: other words, and an editor's paragraph edits dropped."""
    source, out = media_dir / "tone.wav", tmp_path / "d"
    runner = CliRunner()
    first = runner.invoke(app, ["draft", str(source), "--out", str(out), "--engine", "openai-whisper"])
    assert first.exit_code == 0, first.output
    again = runner.invoke(app, ["draft", str(source), "--out", str(out)])
    assert again.exit_code == 0, again.output
    assert asked[-1] == "openai-whisper" and "openai-whisper" in again.output
    assert json.loads((out / "settings.json").read_text())["engine"] == "openai-whisper"
    assert "kept this folder's settings: --engine openai-whisper;" in again.output
    other = runner.invoke(app, ["draft", str(source), "--out", str(out), "--engine", "faster-whisper"])
    assert other.exit_code == 0 and asked[-1] == "faster-whisper"  # given again, it wins
    assert json.loads((out / "settings.json").read_text())["engine"] == "faster-whisper"


def test_a_settings_file_without_an_engine_keeps_none(media_dir: Path, tmp_path: Path, asked: list[str]):
    """A folder drafted before the engine was recorded redrafts with the engine given, as before."""
    source, out = media_dir / "tone.wav", tmp_path / "d"
    runner = CliRunner()
    assert runner.invoke(app, ["draft", str(source), "--out", str(out)]).exit_code == 0
    settings = json.loads((out / "settings.json").read_text())
    del settings["engine"]
    (out / "settings.json").write_text(json.dumps(settings))
    again = runner.invoke(app, ["draft", str(source), "--out", str(out), "--engine", "openai-whisper"])
    assert again.exit_code == 0, again.output
    assert asked[-1] == "openai-whisper" and "kept this folder's settings" not in again.output


def test_a_settings_file_naming_an_unknown_engine_is_refused(
    media_dir: Path, tmp_path: Path, asked: list[str]
):
    source, out = media_dir / "tone.wav", tmp_path / "d"
    runner = CliRunner()
    assert runner.invoke(app, ["draft", str(source), "--out", str(out)]).exit_code == 0
    settings = out / "settings.json"
    settings.write_text(json.dumps({**json.loads(settings.read_text()), "engine": "whisper-cpp"}))
    again = runner.invoke(app, ["draft", str(source), "--out", str(out)])
    assert again.exit_code == 1 and f"{settings}: names an unknown engine 'whisper-cpp'" in again.output


def test_a_batch_rerun_without_engine_skips_the_folders_drafted_with_it(
    media_dir: Path, tmp_path: Path, asked: list[str]
):
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    shutil.copy(media_dir / "tone.wav", inbox / "talk.wav")
    runner, line = CliRunner(), ["batch", str(inbox), "--out", str(out)]
    assert runner.invoke(app, [*line, "--engine", "openai-whisper"]).exit_code == 0
    assert runner.invoke(app, line).exit_code == 0  # the nightly line, without --engine
    assert _statuses(out) == {"talk": "skipped"} and asked == ["openai-whisper"]
    assert runner.invoke(app, [*line, "--engine", "faster-whisper"]).exit_code == 0
    assert _statuses(out) == {"talk": "drafted"} and asked[-1] == "faster-whisper"


def _statuses(out: Path) -> dict[str, str]:
    data = json.loads((out / "batch-report.json").read_text())
    return {Path(item["output"]).name: item["status"] for item in data["items"]}
