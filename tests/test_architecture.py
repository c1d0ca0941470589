"""The dependence rules of the house, held as import contracts over the source (ast), so a change that
breaks one fails here: cli -> orchestration (run) -> stages -> shared types, and each room apart.

- text stages import only the shared types, the text helpers and each other: no engine, no media, no
  writer, no file, process or network I/O;
- engines know nothing of the rooms downstream; writers never call back into the stages; ingest
  does not reach forward into text or writers; nothing but batch knows it is in a batch;
- nothing under pipeline/ imports the CLI, prints, or reads environment variables;
- every exception class a user can meet derives from the project's error base.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
from pathlib import Path

import pytest

import video2blog.pipeline
from video2blog.pipeline.errors import Video2BlogError

ROOT = Path(__file__).resolve().parents[1]
PIPELINE = ROOT / "pipeline"
PKG = "video2blog.pipeline"

# Shared by every room: the types, errors, helpers without I/O of their own.
SHARED = {f"{PKG}.{m}" for m in ("schema", "errors", "textutil", "sources", "digest", "progress")} | {PKG}
# What each room may import of the project, beside SHARED and its own modules.
ALLOWED: dict[str, set[str]] = {
    "text": set(),
    "engines": set(),
    "writers": {f"{PKG}.serialize", "video2blog.templates"},
    "ingest": {f"{PKG}.engines", f"{PKG}.serialize", f"{PKG}.output", f"{PKG}.signals"},
}
# Standard-library modules that do file, process or network I/O: not for the text stages.
IO_MODULES = {
    "os",
    "pathlib",
    "io",
    "shutil",
    "subprocess",
    "tempfile",
    "socket",
    "urllib",
    "http",
    "glob",
    "sqlite3",
    "multiprocessing",
    "concurrent",
    "requests",
    "httpx",
}
# Internal control-flow signals that never leave the pipeline (each is caught where it is raised).
INTERNAL_SIGNALS = {
    f"{PKG}.batch.cluster.SourceNotVisible",  # the worker asks the client to send the video's bytes
    f"{PKG}.batch.jobs.Cancelled",  # a queued job dropped after Ctrl-C
    f"{PKG}.ingest.captions.CueError",  # a cue's impossible times: an InputError naming the file says it
    f"{PKG}.llm.client.LlmUnavailable",  # the --llm endpoint failed: one warning, the classical draft
    f"{PKG}.llm.client._Retryable",  # a failure worth another try, caught inside the client
    f"{PKG}.signals.Terminated",  # SIGTERM raised like Ctrl-C: the same clean-up, exit status 143
}


def modules() -> list[tuple[str, Path]]:
    """Every module under pipeline/ as (dotted name, path)."""
    found = []
    for path in sorted(PIPELINE.rglob("*.py")):
        parts = path.relative_to(PIPELINE).with_suffix("").parts
        dotted = ".".join([PKG, *parts]).removesuffix(".__init__")
        found.append((dotted, path))
    return found


def imports(path: Path, dotted: str) -> set[str]:
    """The absolute names a module imports (relative imports resolved against ``dotted``)."""
    names: set[str] = set()
    package = dotted if path.name == "__init__.py" else dotted.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}".rstrip(".")
            names.add(base)
            names |= {f"{base}.{alias.name}" for alias in node.names}
    return names


ROOMS = {p.parent.name for p in PIPELINE.glob("*/__init__.py")}


def room(dotted: str) -> str:
    """The sub-package a module lives in (``text``, ``engines``...), or '' for the top level."""
    first = dotted.removeprefix(PKG + ".").split(".")[0] if dotted.startswith(PKG + ".") else ""
    return first if first in ROOMS else ""


def project_imports(path: Path, dotted: str) -> set[str]:
    """The project modules (not names inside them) that a module imports."""
    found = set()
    for name in imports(path, dotted):
        if not name.startswith("video2blog"):
            continue
        while name and name not in KNOWN:
            name = name.rpartition(".")[0]
        found.add(name)
    return found - {""}


KNOWN = {d for d, _ in modules()} | {"video2blog", "video2blog.cli", "video2blog.templates"}


def allowed(importer: str, imported: str) -> bool:
    own = room(importer)
    if imported in SHARED or (own and room(imported) == own and imported.startswith(f"{PKG}.{own}")):
        return True
    return any(imported == a or imported.startswith(a + ".") for a in ALLOWED[own])


@pytest.mark.parametrize("guarded", sorted(ALLOWED))
def test_each_room_imports_only_what_it_may(guarded: str) -> None:
    broken = [
        f"{dotted} imports {imported}"
        for dotted, path in modules()
        if room(dotted) == guarded
        for imported in project_imports(path, dotted)
        if not allowed(dotted, imported)
    ]
    assert not broken, broken


def test_text_stages_do_no_io() -> None:
    broken = []
    for dotted, path in modules():
        if room(dotted) != "text":
            continue
        stdlib = {name.split(".")[0] for name in imports(path, dotted)}
        broken += [f"{dotted} imports {m}" for m in sorted(stdlib & IO_MODULES)]
        broken += [f"{dotted} calls open()" for call in _calls(path) if call == "open"]
    assert not broken, broken


def test_only_batch_knows_about_batches() -> None:
    broken = [
        f"{dotted} imports {imported}"
        for dotted, path in modules()
        if room(dotted) != "batch"
        for imported in project_imports(path, dotted)
        if room(imported) == "batch"
    ]
    assert not broken, broken


def test_nothing_in_the_pipeline_imports_the_cli_prints_or_reads_the_environment() -> None:
    broken = []
    for dotted, path in modules():
        if "video2blog.cli" in project_imports(path, dotted):
            broken.append(f"{dotted} imports the CLI")
        broken += [f"{dotted} calls {c}()" for c in _calls(path) if c in ("print", "getenv", "putenv")]
        source = path.read_text(encoding="utf-8")
        if "environ" in {n.attr for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Attribute)}:
            broken.append(f"{dotted} reads os.environ")
    assert not broken, broken


def test_every_error_a_user_can_meet_derives_from_the_project_base() -> None:
    broken = []
    for info in pkgutil.walk_packages(video2blog.pipeline.__path__, PKG + "."):
        module = importlib.import_module(info.name)
        for _, value in inspect.getmembers(module, inspect.isclass):
            qualified = f"{value.__module__}.{value.__qualname__}"
            if value.__module__ != info.name or not issubclass(value, BaseException):
                continue
            if not issubclass(value, Video2BlogError) and qualified not in INTERNAL_SIGNALS:
                broken.append(qualified)
    assert not broken, broken


def test_the_contracts_catch_a_breach(tmp_path: Path) -> None:
    """The checks above are not vacuous: a text stage that imports an engine and opens a file fails."""
    bad = tmp_path / "bad.py"
    bad.write_text("import os\nfrom video2blog.pipeline.engines import embed\nopen('x')\n")
    dotted = f"{PKG}.text.bad"
    refused = {i for i in project_imports(bad, dotted) if not allowed(dotted, i)}
    assert refused == {f"{PKG}.engines", f"{PKG}.engines.embed"}
    assert "os" in {n.split(".")[0] for n in imports(bad, dotted)} and "open" in _calls(bad)
    assert len(modules()) > 30 and room(f"{PKG}.text.sections") == "text" and room(f"{PKG}.run") == ""


def _calls(path: Path) -> list[str]:
    """Names of the plain functions and methods a module calls."""
    calls = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call):
            func = node.func
            calls.append(func.id if isinstance(func, ast.Name) else getattr(func, "attr", ""))
    return calls
