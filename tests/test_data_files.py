"""The files in ``pipeline/data``: each is read by the package, and each word list says what it is."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from video2blog.pipeline.text import cleanup, spoken
from video2blog.pipeline.textutil import data_files, word_list

PIPELINE = Path(spoken.__file__).resolve().parents[1]
# A language's own file is named ``<kind>-<code>.<ext>`` and read as f"<kind>-{language}...".
LANGUAGE_FILE = re.compile(r"^(?P<kind>[\w-]+)-[a-z]{2}\.(?:txt|json)$")
NOT_A_LIST = {"__init__.py", "minilm_vocab.txt"}  # the package marker; the sentence encoder's vocabulary


def _string_literals() -> set[str]:
    """Every string constant of the package's code, and each constant piece of its f-strings
    (``f"fillers-{language}.txt"`` gives "fillers-" and ".txt"); comments and docstrings do not count."""
    found: set[str] = set()
    for path in sorted(PIPELINE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {
            id(node.body[0].value)
            for node in ast.walk(tree)
            if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
            and node.body
            and isinstance(node.body[0], ast.Expr)
        }
        found |= {
            node.value
            for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
        }
    return found


def _shipped_names() -> list[str]:
    names = sorted(p.name for p in data_files() if p.is_file())
    assert len(names) > 40, names  # the package's data was found
    return names


def test_every_shipped_data_file_is_read_by_the_package():
    literals = _string_literals()
    unread = []
    for name in _shipped_names():
        language = LANGUAGE_FILE.match(name)
        kind = language["kind"] if language else None
        if name == "__init__.py" or name in literals or kind in literals or f"{kind}-" in literals:
            continue
        unread.append(name)
    assert not unread, f"pipeline/data files no code reads (dead lists): {unread}"


@pytest.mark.parametrize("name", [n for n in _shipped_names() if n.endswith(".txt") and n not in NOT_A_LIST])
def test_every_word_list_opens_with_a_comment_saying_what_it_is(name: str):
    first = next(p for p in data_files() if p.name == name).read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# ") and len(first.split()) >= 5, f"{name}: {first!r}"


def test_a_clause_word_list_holds_every_auxiliary_and_the_subjects_every_demonstrative():
    assert spoken.AUXILIARIES < spoken.CLAUSE_WORDS
    assert spoken.DEMONSTRATIVES < spoken.SUBJECTS
    assert spoken.ARTICLES < spoken.OBJECT_OPENERS
    assert "i" in spoken.SUBJECTS and "there" in spoken.SUBJECTS


def test_a_patients_statement_in_the_future_leads_their_question():
    # "I'll" is the patient speaking of themselves, as "I'm" is: one first-person list for both stages.
    question = "How long will I need off work?"
    assert spoken.question_lead(["I'll be having my surgery next month."], question) == 1
    assert spoken.question_lead(["You'll be asleep for it."], question) == 0


@pytest.mark.parametrize(("said", "written"), [("i'll", "I'll"), ("i'd", "I'd"), ("i", "I"), ("my", "my")])
def test_i_and_its_contractions_are_written_upper_case(said: str, written: str):
    assert cleanup._first_person(said) == written
    assert "i'll" in word_list("first_person.txt")
