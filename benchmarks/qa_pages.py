"""Question/answer pages for the question-form model: real clinic FAQ pages and the project's talks.

Both are ``## <question>`` + answer paragraphs. The clinic pages are read at run time from
``../shared/realdata/clinic-faq-dev/`` (never copied into the project); their group, for held-apart
folds, is the clinic's specialty (``sources.json``), so a fold's pages are of a specialty the model did
not see. The talks (``benchmarks/talks/*.md``) are each their own group. ``clinic-faq-extra/`` (where
present) holds more pages of the same specialties, for training only.
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CLINIC_DIR = ROOT.parent / "shared" / "realdata" / "clinic-faq-dev"
# More pages of the same eleven specialties, for training only (never scored): held apart with their
# specialty like the dev pages. CI's ../shared does not have it.
EXTRA_DIR = ROOT.parent / "shared" / "realdata" / "clinic-faq-extra"
TALKS_DIR = ROOT / "benchmarks" / "talks"
_SENTENCE_END = re.compile(r"(?<=[.?!])\s+|\n+")


@dataclass(frozen=True)
class Pair:
    """One question and its answer's sentences."""

    question: str
    sentences: tuple[str, ...]


@dataclass(frozen=True)
class Page:
    """A page (or talk) of question/answer pairs and the group it is held apart with."""

    name: str
    group: str
    pairs: tuple[Pair, ...]


def read_page(path: Path, group: str) -> Page:
    """The ``## question`` + answer pairs of a Markdown page (a leading ``# title`` is skipped)."""
    pairs: list[Pair] = []
    question, body = "", list[str]()
    for line in [*path.read_text(encoding="utf-8").splitlines(), "## "]:
        if line.startswith("## "):
            if question and body:
                pairs.append(Pair(question, tuple(split(" ".join(body)))))
            question, body = line[3:].strip(), []
        elif question and line.strip():
            body.append(line.strip())
    return Page(path.stem, group, tuple(pairs))


def split(text: str) -> list[str]:
    """The sentences of a written answer."""
    return [s.strip() for s in _SENTENCE_END.split(text) if s.strip()]


def clinic_pages(folder: Path = CLINIC_DIR) -> list[Page]:
    """Every clinic FAQ page, grouped by specialty; empty where the folder is absent."""
    if not (folder / "sources.json").exists():
        return []
    sources = json.loads((folder / "sources.json").read_text(encoding="utf-8"))
    specialty = {Path(_name(s)).stem: s.get("specialty", "") for s in _entries(sources)}
    return [
        read_page(p, specialty.get(p.stem) or p.stem.rsplit("-", 1)[0]) for p in sorted(folder.glob("*.md"))
    ]


def extra_pages(folder: Path = EXTRA_DIR) -> list[Page]:
    """The extra clinic pages (training only), named ``extra:<file>``; empty, with a line saying so,
    where the folder is absent."""
    pages = clinic_pages(folder)
    if not pages:
        print(
            f"qa_pages: no extra clinic pages at {folder} (training on clinic-faq-dev alone)", file=sys.stderr
        )
    return [Page(f"extra:{p.name}", p.group, p.pairs) for p in pages]


def is_extra(page_name: str) -> bool:
    """Whether a page is an extra (training-only) page."""
    return page_name.startswith("extra:")


def _entries(sources: object) -> list[dict[str, str]]:
    if isinstance(sources, dict):
        return [{"file": k, **v} if isinstance(v, dict) else {"file": k} for k, v in sources.items()]
    return list(sources) if isinstance(sources, list) else []


def _name(entry: dict[str, str]) -> str:
    return entry.get("file") or entry.get("path") or entry.get("name") or ""


def talk_pages(folder: Path = TALKS_DIR) -> list[Page]:
    """The project's own talks, each its own group."""
    return [read_page(p, f"talk:{p.stem}") for p in sorted(folder.glob("*.md"))]
