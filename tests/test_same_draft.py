"""Same input and settings, same draft: two drafts of the sample are byte for byte the same.

Each is heard afresh (``--no-cache``), so recognition itself must repeat (no sampling at random;
see test_deterministic.py), with and without a glossary (a made-up one nothing was tuned on), and
with however many threads run it. The Word file is a zip whose member dates may differ: its members are
compared instead.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from benchmarks.glossaries import glossary
from tests.conftest import SAMPLE

COMMAND = Path(sys.executable).with_name("video2blog")


def draft(talk: Path, out: Path, *extra: str, env: dict[str, str] | None = None) -> None:
    args = [str(COMMAND), "draft", str(talk), "--out", str(out), "--no-cache", *extra]
    result = subprocess.run(args, capture_output=True, text=True, timeout=900, check=False, env=env)
    assert result.returncode == 0, result.stderr


def contents(folder: Path) -> dict[str, bytes | dict[str, bytes]]:
    """Every file of ``folder`` by its path; a .docx as its zip members."""
    found: dict[str, bytes | dict[str, bytes]] = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        name = path.relative_to(folder).as_posix()
        if path.suffix == ".docx":
            with zipfile.ZipFile(path) as docx:
                found[name] = {member: docx.read(member) for member in docx.namelist()}
        else:
            found[name] = path.read_bytes()
    return found


@pytest.mark.parametrize("with_glossary", [False, True], ids=["no-glossary", "glossary"])
def test_two_drafts_of_the_same_input_and_settings_are_the_same(tmp_path: Path, with_glossary: bool):
    talk = tmp_path / SAMPLE.name
    shutil.copy(SAMPLE, talk)
    extra: list[str] = []
    if with_glossary:
        terms = tmp_path / "glossary.txt"
        terms.write_text("\n".join(glossary("anaesthesia", 300)) + "\n", encoding="utf-8")
        extra = ["--glossary", str(terms)]
    draft(talk, tmp_path / "one", *extra)
    draft(talk, tmp_path / "two", *extra)
    one, two = contents(tmp_path / "one"), contents(tmp_path / "two")
    assert sorted(one) == sorted(two)
    assert [name for name in one if one[name] != two[name]] == []


@pytest.mark.parametrize(
    ("extra", "environment"),
    [
        # A Dask worker's nanny sets these in the worker's environment; numpy's BLAS reads them.
        ((), {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}),
        # A batch job gets its share of the cores.
        (("--threads", "1"), {}),
    ],
    ids=["one-blas-thread", "one-recogniser-thread"],
)
def test_a_draft_does_not_depend_on_how_many_threads_ran_it(
    tmp_path: Path, extra: tuple[str, ...], environment: dict[str, str]
):
    talk = tmp_path / SAMPLE.name
    shutil.copy(SAMPLE, talk)
    free = {k: v for k, v in os.environ.items() if not k.endswith("_NUM_THREADS")}
    draft(talk, tmp_path / "usual", env=free)
    draft(talk, tmp_path / "limited", *extra, env={**free, **environment})
    usual, limited = contents(tmp_path / "usual"), contents(tmp_path / "limited")
    assert sorted(usual) == sorted(limited)
    assert [name for name in usual if usual[name] != limited[name]] == []
