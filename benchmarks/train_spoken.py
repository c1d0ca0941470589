"""Train the floor above which a spoken question heads its section though its shape alone would not
(``pipeline/data/spoken_question.json``).

The shape rules of ``text/headings.keeps_spoken`` leave out questions that end on a pronoun or name
nothing ("How's it going?", "Why am I gonna do that?"), and with them real patients' questions a clinic
reads out ("When can I drive?", "How can orthodontics benefit me?"). What tells them apart is measured:
the question's cosine similarity to the nearest prototype of the shipped question forms
(``text/questions.prototype_similarity``). Examples the shape rules leave out: the real clinic FAQ pages'
questions (``../shared/realdata/clinic-faq-dev``, read at run time; they head their answers) against the
questions of the real YouTube talks' captions (``vidchapters-dev``; asides, rhetorical questions). The
floor is the decision stump on that one feature with the fewest errors (the midpoint of the widest gap
among the best): an aside taken for a heading costs as much as a patient's question left out. It is
checked leaving one group out (a clinic specialty, a YouTube video).

Usage::

    python -m benchmarks.train_spoken [--dry-run]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

import numpy as np

from benchmarks.eval_real import real_items
from benchmarks.qa_pages import clinic_pages
from video2blog.pipeline.engines.embed import embed
from video2blog.pipeline.text.headings import keeps_spoken
from video2blog.pipeline.text.questions import SPOKEN_FILE, prototype_similarity, shipped_model

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "pipeline" / "data" / SPOKEN_FILE
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def examples() -> tuple[list[str], list[str], list[bool]]:
    """(question, group, is a clinic's question) of every question the shape rules leave out."""
    rows = [(p.question, page.group, True) for page in clinic_pages() for p in page.pairs]
    for item in real_items():
        text = " ".join(w.text for w in item.words.words)
        rows += [(s, item.item, False) for s in _SENTENCE_END.split(text) if s.endswith("?")]
    doubted = [r for r in rows if not keeps_spoken(r[0])]
    return [r[0] for r in doubted], [r[1] for r in doubted], [r[2] for r in doubted]


def stump(values: np.ndarray, labels: np.ndarray) -> float:
    """The floor that misjudges the fewest examples; among equals, the middle of the widest gap."""
    ordered = np.unique(values)
    cuts = np.concatenate([[ordered[0] - 0.01], (ordered[:-1] + ordered[1:]) / 2, [ordered[-1] + 0.01]])

    def score(cut: float) -> tuple[float, float]:
        right = (values >= cut) == labels
        return float(right.mean()), float(np.min(np.abs(values - cut)))

    return float(max(cuts, key=score))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Train the spoken-question floor.")
    parser.add_argument("--dry-run", action="store_true", help="print the figures, write nothing")
    args = parser.parse_args(argv)
    model = shipped_model()
    questions, groups, clinic = examples()
    if model is None or not any(clinic):
        print("train_spoken: no question model or no clinic pages in ../shared/realdata", file=sys.stderr)
        return 1
    values, labels = prototype_similarity(questions, embed, model), np.array(clinic)
    held = np.zeros(len(values), dtype=bool)
    for group in sorted(set(groups)):
        out = np.array([g == group for g in groups])
        held[out] = values[out] >= stump(values[~out], labels[~out])
    floor = stump(values, labels)
    print(
        f"{labels.sum()} clinic questions and {(~labels).sum()} YouTube questions the shape rules leave out"
    )
    print(
        f"held apart (one group out): clinic questions kept {held[labels].sum()}/{labels.sum()}, "
        f"YouTube questions kept {held[~labels].sum()}/{(~labels).sum()}"
    )
    print(
        f"floor on all: {floor:.3f} (keeps {(values[labels] >= floor).sum()} and "
        f"{(values[~labels] >= floor).sum()})"
    )
    for text, value, is_clinic in sorted(zip(questions, values, clinic), key=lambda r: -r[1])[:12]:
        print(f"  {value:.2f} {'clinic ' if is_clinic else 'youtube'} {text[:80]}")
    if not args.dry_run:
        about = "Rebuild: python -m benchmarks.train_spoken (cosine to the nearest question-form prototype)"
        OUT.write_text(
            json.dumps({"about": about, "floor": round(floor, 4)}, indent=1) + "\n", encoding="utf-8"
        )
        print(f"wrote {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
