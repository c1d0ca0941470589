"""The installed package: one top-level name, ``video2blog``, and both ways of running it."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    cmd = [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(out), str(ROOT)]
    subprocess.run(cmd, check=True, capture_output=True, timeout=300)
    [built] = out.glob("video2blog-*.whl")
    return built


def test_the_wheel_adds_only_the_video2blog_namespace(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    top = {name.split("/")[0] for name in names}
    dist_info = {t for t in top if t.endswith(".dist-info")}
    assert top - dist_info == {"video2blog"}, top
    assert "video2blog/cli.py" in names and "video2blog/__main__.py" in names
    assert "video2blog/pipeline/text/sections.py" in names and "video2blog/templates/post.md.j2" in names
    assert "video2blog/pipeline/data/common_words.txt" in names
    not_shipped = tuple(f"video2blog/{folder}/" for folder in ("tests", "benchmarks", "tools", "samples"))
    assert not [n for n in names if n.startswith(not_shipped)]
    [info] = dist_info
    top_level = zipfile.ZipFile(wheel).read(f"{info}/top_level.txt").decode().split()
    assert top_level == ["video2blog"]


def test_console_script_and_module_run_the_same_cli(tmp_path: Path) -> None:
    script = Path(sys.executable).parent / "video2blog"
    for cmd in ([str(script), "--help"], [sys.executable, "-m", "video2blog", "--help"]):
        proc = subprocess.run(cmd, cwd=tmp_path, capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, proc.stderr
        assert "Usage: video2blog" in proc.stdout and "draft" in proc.stdout and "batch" in proc.stdout
