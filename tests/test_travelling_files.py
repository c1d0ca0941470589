"""Files meant to travel (a zipped draft folder sent on) do not publish where the media sat on the machine
that drafted it: the review page names the media by its file name only."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from video2blog.cli import app

TALK = "1\n00:00:00,000 --> 00:00:05,000\nHello, I am a doctor at the pain clinic and this is our talk.\n"


def test_the_review_page_names_the_media_by_its_file_name(tmp_path: Path):
    folder = tmp_path / "home" / "jane" / "Patients"
    folder.mkdir(parents=True)
    (folder / "talk.srt").write_text(TALK)
    out = tmp_path / "draft"
    args = ["draft", str(folder / "talk.srt"), "--out", str(out), "--formats", "review", "--no-cache"]
    done = CliRunner().invoke(app, args)
    assert done.exit_code == 0, done.output
    page = (out / "review.html").read_text()
    assert "<code>talk.srt</code>" in page
    assert "Patients" not in page and str(tmp_path) not in page
