"""The post's date can be pinned: ``--date``, else SOURCE_DATE_EPOCH's day (UTC), else a redraft keeps its
folder's date, else today; the Word document states the same day as the post, in no time zone."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from video2blog.cli import app

TALK = (
    "1\n00:00:00,000 --> 00:00:05,000\nHello, I am a doctor at the pain clinic.\n\n2\n00:00:05,500 --> "
    "00:00:15,000\nKetamine helps nerve pain, and we give it as an infusion over forty minutes.\n"
)
runner = CliRunner()


@pytest.fixture
def talk(tmp_path: Path) -> Path:
    path = tmp_path / "talk.srt"
    path.write_text(TALK)
    return path


def _draft(talk: Path, out: Path, *extra: str, epoch: str | None = None) -> dict:
    args = ["draft", str(talk), "--out", str(out), "--formats", "md,json,docx", "--no-cache", *extra]
    done = runner.invoke(app, args, env={"SOURCE_DATE_EPOCH": epoch})
    assert done.exit_code == 0, done.output
    return json.loads((out / "draft.json").read_text())


def test_source_date_epoch_dates_the_post_and_the_document_alike(talk: Path, tmp_path: Path):
    out = tmp_path / "draft"
    assert _draft(talk, out, epoch="1700000000")["date"] == "2023-11-14"  # 22:13 UTC that day
    assert "2023-11-14" in (out / "post.md").read_text()
    with zipfile.ZipFile(out / "post.docx") as docx:
        core = docx.read("docProps/core.xml").decode()
    assert re.findall(r"<dcterms:(?:created|modified)[^>]*>([^<]*)<", core) == ["2023-11-14", "2023-11-14"]
    assert "Z<" not in core  # no midnight UTC: the day before the post's west of Greenwich


def test_date_option_wins_and_a_redraft_keeps_the_folders_date(talk: Path, tmp_path: Path):
    out = tmp_path / "draft"
    assert _draft(talk, out, "--date", "2024-02-29", epoch="1700000000")["date"] == "2024-02-29"
    assert _draft(talk, out)["date"] == "2024-02-29"  # a published post's date does not move
    assert _draft(talk, out, "--date", "2025-01-31")["date"] == "2025-01-31"  # unless told


@pytest.mark.parametrize(
    ("extra", "epoch", "said"),
    [
        (["--date", "2024-02-30"], None, "--date"),
        (["--date", "14/03/2026"], None, "YYYY-MM-DD"),
        ([], "soon", "SOURCE_DATE_EPOCH"),
    ],
)
def test_a_date_that_is_not_one_is_refused_in_one_line(talk, tmp_path, extra, epoch, said):
    out = tmp_path / "draft"
    done = runner.invoke(
        app, ["draft", str(talk), "--out", str(out), *extra], env={"SOURCE_DATE_EPOCH": epoch}
    )
    assert done.exit_code == 2 and said in done.output and "Traceback" not in done.output, done.output
    assert not out.exists()
