"""A long clinic glossary never costs speech: the sample drafted with 300 terms keeps words and sections."""

from __future__ import annotations

import difflib
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.test_end_to_end import wer
from video2blog.cli import app
from video2blog.pipeline.textutil import tokens

pytestmark = pytest.mark.slow

CLINIC = Path(__file__).parent / "data" / "clinic-glossary-300.txt"


def drafted(video: Path, out: Path, *extra: str) -> dict:
    result = CliRunner().invoke(app, ["draft", str(video), "--out", str(out), "--no-cache", *extra])
    assert result.exit_code == 0, result.output
    return json.loads((out / "draft.json").read_text(encoding="utf-8"))


def words_of(out: Path) -> list[str]:
    return tokens(" ".join(w["text"] for w in json.loads((out / "transcript.json").read_text())["words"]))


@pytest.fixture(scope="module")
def drafts(sample_video: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("clinic")
    drafted(sample_video, base / "plain")
    drafted(sample_video, base / "clinic", "--glossary", str(CLINIC))
    return base / "plain", base / "clinic"


def test_a_300_term_glossary_keeps_95_percent_of_the_words(drafts: tuple[Path, Path]):
    plain, clinic = (words_of(d) for d in drafts)
    matcher = difflib.SequenceMatcher(None, plain, clinic, autojunk=False)
    kept = sum(block.size for block in matcher.get_matching_blocks())
    assert kept >= 0.95 * len(plain), (kept, len(plain))


def test_a_300_term_glossary_keeps_every_section(drafts: tuple[Path, Path], sample_truth: dict):
    plain, clinic = (json.loads((d / "draft.json").read_text()) for d in drafts)
    spoken = [s["heading"] for s in clinic["sections"] if s["heading_source"] == "spoken"]
    truth = [s["heading"] for s in sample_truth["sections"] if s["heading"]]
    assert len(clinic["sections"]) == len(sample_truth["sections"]) == len(plain["sections"])
    assert len(spoken) == len(truth)
    for got, want in zip(spoken, truth):
        assert wer(want, got) <= 0.25, (got, want)
    last = clinic["sections"][-1]
    assert last["end"] >= sample_truth["sections"][-1]["end"] - 2.0  # the talk is heard to its end
