"""A video with chapter marks is sectioned by them (real ffmpeg and model on the bundled sample)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import run_ffmpeg
from video2blog.cli import app

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def chaptered(sample_video: Path, sample_truth: dict, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample remuxed with one chapter mark per section of its truth, titled by hand."""
    folder = tmp_path_factory.mktemp("chapters")
    sections = sample_truth["sections"]
    ends = [s["start"] for s in sections[1:]] + [sample_truth["duration"]]
    meta = [";FFMETADATA1"]
    for i, (section, end) in enumerate(zip(sections, ends, strict=True)):
        start = 0.0 if i == 0 else section["start"]
        title = section["heading"] or "Welcome"
        meta += ["[CHAPTER]", "TIMEBASE=1/1000", f"START={int(start * 1000)}", f"END={int(end * 1000)}"]
        meta.append(f"title=Part {i + 1}: {title.rstrip('?')}")
    (folder / "meta.txt").write_text("\n".join(meta) + "\n", encoding="utf-8")
    out = folder / "chaptered.mp4"
    run_ffmpeg(
        "-i", str(sample_video), "-i", str(folder / "meta.txt"), "-map_chapters", "1", "-c", "copy", str(out)
    )
    return out


def draft(video: Path, out: Path, cache: Path, *extra: str) -> dict:
    env = {"XDG_CACHE_HOME": str(cache)}
    result = CliRunner().invoke(app, ["draft", str(video), "--out", str(out), *extra], env=env)
    assert result.exit_code == 0, result.output
    return json.loads((out / "draft.json").read_text(encoding="utf-8"))


def test_chapters_are_the_sections_unless_ignored(chaptered: Path, sample_truth: dict, tmp_path: Path):
    cache = tmp_path / "cache"
    marked = draft(chaptered, tmp_path / "marked", cache)
    titles = [s["heading"] for s in marked["sections"]]
    assert titles == [
        f"Part {i + 1}: {(s['heading'] or 'Welcome').rstrip('?')}"
        for i, s in enumerate(sample_truth["sections"])
    ]
    assert {s["heading_source"] for s in marked["sections"]} == {"chapters"}
    prose = " ".join(p["text"] for s in marked["sections"] for p in s["paragraphs"])
    assert "What type of pain is ketamine good at treating" not in prose  # the spoken title is the heading

    ignored = draft(chaptered, tmp_path / "ignored", cache, "--ignore-chapters")
    assert "chapters" not in {s["heading_source"] for s in ignored["sections"]}
    assert "spoken" in {s["heading_source"] for s in ignored["sections"]}
