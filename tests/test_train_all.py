"""The one command that rebuilds every shipped weight."""

import importlib
import re
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks import train_all


def test_one_script_rebuilds_every_shipped_weight():
    written = {name for step in train_all.STEPS for name in re.findall(r"[\w-]+\.json", step.writes)}
    data = Path(__file__).resolve().parents[1] / "pipeline" / "data"
    hand_written = {"question_forms.json"}  # the forms and their prototype wordings, not weights
    weights = {p.name for p in data.glob("*.json") if not p.name.startswith("messages-")} - hand_written
    assert weights and weights <= written, sorted(weights - written)
    names = [step.name for step in train_all.STEPS]
    assert names.index("questions") < names.index("answers")  # the gate decides which talks are answers
    assert names.index("boundaries") < names.index("screen")  # the screen model reads its log odds
    for step in train_all.STEPS:
        assert callable(importlib.import_module(step.module).main), step.module


def test_each_step_runs_in_its_own_process_so_it_reads_what_the_last_one_wrote(monkeypatch, capsys):
    calls: list[list[str]] = []

    def fake_run(command: list[str], check: bool) -> subprocess.CompletedProcess[str]:
        calls.append(command)
        return subprocess.CompletedProcess(command, 1 if "benchmarks.train_keywords" in command else 0)

    monkeypatch.setattr(subprocess, "run", fake_run)
    assert train_all.main(["--only", "answers", "keywords", "subjects"]) == 1  # stops at the failure
    answers = ["--text", "--kind", "embeddings", "--answers-only", "--write"]
    assert calls == [
        [sys.executable, "-m", "benchmarks.train_boundaries", *answers],
        [sys.executable, "-m", "benchmarks.train_keywords", "--write"],
    ]
    assert "keywords: failed (1)" in capsys.readouterr().out
    calls.clear()
    assert train_all.main(["--dry-run", "--only", "questions"]) == 0
    assert calls == [[sys.executable, "-m", "benchmarks.train_questions", "--dry-run"]]


@pytest.mark.parametrize("name", [s.name for s in train_all.STEPS])
def test_a_dry_run_writes_nothing(name: str):
    step = next(s for s in train_all.STEPS if s.name == name)
    assert "--write" not in step.dry
