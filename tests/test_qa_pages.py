"""The question/answer pages the form model trains on: the extra clinic pages are training only."""

import json
from pathlib import Path

import pytest

from benchmarks.qa_pages import extra_pages, is_extra


def test_extra_pages_train_with_their_specialty_and_are_named_apart(tmp_path: Path) -> None:
    (tmp_path / "lasik-someclinic.md").write_text(
        "## Does the procedure hurt?\nNumbing drops are used. Most people feel pressure.\n\n"
        "## How long does it take?\nAbout ten minutes for each eye.\n",
        encoding="utf-8",
    )
    sources = [{"file": "lasik-someclinic.md", "specialty": "LASIK / ophthalmology"}]
    (tmp_path / "sources.json").write_text(json.dumps(sources), encoding="utf-8")
    (page,) = extra_pages(tmp_path)
    # held apart with the dev pages of its specialty (same group), never scored (its own name)
    assert page.group == "LASIK / ophthalmology" and is_extra(page.name) and not is_extra("lasik-someclinic")
    assert [p.question for p in page.pairs] == ["Does the procedure hurt?", "How long does it take?"]


def test_without_the_extra_folder_training_says_so_and_goes_on(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert extra_pages(tmp_path / "absent") == []
    assert "no extra clinic pages" in capsys.readouterr().err  # stdout stays for figures and --json
