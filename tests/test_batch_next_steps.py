"""What a batch tells its user to do next: resume after Ctrl-C, and bring a kept edit together with the
new version beside it (counted as kept edits, not as skipped)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import make_transcript
from video2blog import cli
from video2blog.cli import app
from video2blog.pipeline.serialize import to_json, transcript_to_dict
from video2blog.pipeline.text.sentences import split_sentences

TALKS = {
    "knee": "How long does a knee injection take? It takes about ten minutes, and you can walk out after it. "
    "The knee may ache for a day, so rest it and use ice on the joint.",
    "hip": "Is a hip injection painful? We numb the skin first, so most feel only pressure in the hip joint. "
    "The hip may ache for a day, so rest it and use ice on the joint.",
    "back": "When does a back injection work? Most feel relief in the back within a week of the injection. "
    "The back may ache for a day, so rest it and use ice on the joint.",
}


def _talk(inbox: Path, name: str) -> None:
    transcript = split_sentences(make_transcript(TALKS[name]))
    (inbox / f"{name}.json").write_bytes(to_json(transcript_to_dict(transcript)))


def test_ctrl_c_on_a_batch_says_to_run_the_same_command_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    def interrupted(*_: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "run_batch", interrupted)
    (tmp_path / "in").mkdir()
    result = CliRunner().invoke(app, ["batch", str(tmp_path / "in"), "--out", str(tmp_path / "out")])
    assert result.exit_code == 130
    assert (
        "interrupted; finished files were kept, nothing half-written; run the same command again to resume"
        in (result.output)
    )


def test_an_edited_post_kept_by_a_rerun_is_counted_as_kept_edits_and_says_what_to_do(tmp_path: Path):
    inbox, out = tmp_path / "in", tmp_path / "out"
    inbox.mkdir()
    _talk(inbox, "knee"), _talk(inbox, "hip")
    runner, env = CliRunner(), {"XDG_CACHE_HOME": str(tmp_path / "cache")}
    command = ["batch", str(inbox), "--out", str(out), "--pattern", "*.json"]
    assert runner.invoke(app, command, env=env).exit_code == 0
    edited = next(out.glob("knee*/post.md"))
    edited.write_text(edited.read_text(encoding="utf-8") + "\nThe editor's own line.\n", encoding="utf-8")
    _talk(inbox, "back")  # a new video joins: the others' related posts change
    again = runner.invoke(app, command, env=env)
    assert again.exit_code == 0, again.output
    assert (edited.parent / "post.new.md").is_file(), again.output
    assert (
        f"make your change in 'video2blog review {edited.parent}' too, delete post.md and Save"
        in again.output
    )
    report = json.loads((out / "batch-report.json").read_text())
    assert {Path(i["output"]).name.split("-")[0]: i["status"] for i in report["items"]}[
        "knee"
    ] == "kept-edits"
    summary = next(line for line in again.output.splitlines() if line.startswith("Batch of 3"))
    assert "1 skipped, 1 kept-edits" in summary, summary  # the edited one was counted as skipped
    said = [line for line in again.output.splitlines() if line.startswith("[") and "knee.json" in line]
    assert " kept-edits " in said[-1], said  # its own line said "skipped", the summary "kept-edits"
