"""The README's paths lead somewhere: a file it names exists, and its architecture tree names every module."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_source_file_the_readme_names_exists():
    """It named pipeline/batch.py (now pipeline/batch/runner.py) and pipeline/review.py (now in writers/)."""
    named = set(re.findall(r"`((?:pipeline|scripts|benchmarks|tests)/[\w/.-]+\.(?:py|sh))`", README))
    assert named and sorted(p for p in named if not (ROOT / p).is_file()) == []


def test_the_architecture_tree_names_every_module_of_pipeline():
    tree = README.split("### Architecture", 1)[1].split("```", 2)[1]
    modules = [p for p in (ROOT / "pipeline").glob("*.py") if p.name != "__init__.py"]
    modules += [p for p in (ROOT / "pipeline" / "batch").glob("*.py") if p.name != "__init__.py"]
    assert sorted(p.stem for p in modules if p.stem not in tree) == []
