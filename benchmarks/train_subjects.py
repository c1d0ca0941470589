"""Learn what a section's question names, and score it on held-apart folds.

A clinic's question names the treatment ("Does a vasectomy hurt?") or the thing the answer is about
("How long will the skin test take?", "Will I have a scar?"). For each answer of the clinic FAQ pages
(``../shared/realdata/clinic-faq-dev``, read at run time; ``clinic-faq-extra`` too where present, for
training only) and the project's talks, the candidates are those of
:func:`video2blog.pipeline.text.subjects.section_candidates`, said in the answer's first 1, 2 or 3
sentences (the number with the best held-apart F1 ships with the model); a candidate is labelled right
where the clinic's question names it (all its stems in the question) beyond the words of the question's
form ("the recovery" in "What is the recovery ...?" does not count). A balanced logistic regression over
the named :data:`~video2blog.pipeline.text.subjects.SUBJECT_FEATURES` learns it.

Printed per set, each group (a clinic specialty, a talk) scored by a model fit without it: content-word
F1 of the labelled form's question (the form a clinic's question takes, the ceiling of choosing forms)
filled with the talk's subject everywhere (before) and with the learned subject of each section, beside
the best candidate a chooser could take; and how often the learned subject is not the talk's.

Usage::

    python -m benchmarks.train_subjects [--write] [--no-extra]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from benchmarks.eval_headings import title_stems
from benchmarks.eval_questions import f1
from benchmarks.qa_pages import Page, clinic_pages, extra_pages, is_extra, talk_pages
from benchmarks.train_boundaries import newton
from benchmarks.train_questions import embed
from video2blog.pipeline.text.metadata import best_topic, topic_candidates
from video2blog.pipeline.text.phrases import keep_case
from video2blog.pipeline.text.questions import ask, form_words, label_of, question_forms, subject_of
from video2blog.pipeline.text.subjects import (
    SUBJECT_FEATURES,
    SUBJECT_MODEL,
    SectionCandidates,
    SubjectModel,
    section_candidates,
    shipped_subject_model,
)

L2 = 1.0
# How much more likely (log-odds) another candidate must be than the talk's subject to replace it.
MARGIN = 1.5
MARGINS = (0.0, 0.5, 1.0, MARGIN, 2.0)
# How many of an answer's first sentences its candidates may come from: chosen on held-apart folds.
REACHES = (1, 2, 3)
OUT = Path(__file__).resolve().parent.parent / "pipeline" / "data" / SUBJECT_MODEL


@dataclass(frozen=True)
class Example:
    """One answer: its page, group, true question, form label, candidates (as keys and as written),
    their feature rows and labels, and the whole talk's text (for the subject's article)."""

    page: str
    group: str
    question: str
    form: str | None
    keys: list[str]
    shown: list[str]
    rows: np.ndarray
    labels: np.ndarray
    text: str


def examples(pages: Sequence[Page], reach: int) -> list[Example]:
    """Every answer of ``pages`` with its candidates (said in its first ``reach`` sentences), labelled
    against its question."""
    templates = {f.name: f.template for f in question_forms()}
    out = []
    for page in pages:
        texts = [" ".join(p.sentences) for p in page.pairs]
        talk = topic_candidates(texts)
        topic = keep_case(best_topic(talk))
        for pair, found in zip(page.pairs, section_candidates(texts, talk, topic, embed, reach)):
            form = label_of(pair.question)
            own = form_words(templates[form]) if form else set()
            asked = title_stems(pair.question)
            labels = [_names(title_stems(k), asked, own) for k in found.keys]
            labelled = np.array(labels, dtype=np.float64)
            text = " ".join(texts)
            out.append(Example(page.name, page.group, pair.question, form, *_columns(found), labelled, text))
    return out


def _columns(found: SectionCandidates) -> tuple[list[str], list[str], np.ndarray]:
    return found.keys, found.shown, found.rows


def _names(stems: set[str], asked: set[str], form: set[str]) -> float:
    return float(bool(stems) and stems <= asked and not stems <= form)


def fit(data: Sequence[Example], reach: int, l2: float = L2, margin: float = MARGIN) -> SubjectModel:
    """The model fit on ``data``, whose candidates came from ``reach`` sentences (features standardised
    over its candidates)."""
    x = np.vstack([e.rows for e in data if len(e.rows)])
    y = np.concatenate([e.labels for e in data if len(e.rows)])
    mean, scale = x.mean(axis=0), np.maximum(x.std(axis=0), 1e-9)
    beta = newton((x - mean) / scale, y, l2)
    return SubjectModel(beta[:-1], float(beta[-1]), mean, scale, reach, margin)


def shipped_reach() -> int:
    """How many sentences the shipped model's candidates come from (the evaluations' held-apart models
    use the same)."""
    shipped = shipped_subject_model()
    if shipped is None:
        raise SystemExit("no subject model ships: run python -m benchmarks.train_subjects --write")
    return shipped.opening_sentences


def held_apart(
    data: Sequence[Example], scored: Sequence[Example], reach: int, margin: float = MARGIN
) -> dict[str, float]:
    """Mean F1 of the labelled form filled with the talk's subject, the learned one (fit without the
    group), and the best candidate; and the share of sections whose learned subject is not the talk's."""
    templates = {f.name: f.template for f in question_forms()}
    figures: dict[str, list[float]] = {"talk": [], "learned": [], "best": [], "changed": []}
    for group in sorted({e.group for e in scored}):
        model = fit([e for e in data if e.group != group], reach, margin=margin)
        for e in (e for e in scored if e.group == group and e.form and e.keys):
            filled = [
                f1(ask(templates[e.form], subject_of(keep_case(s), e.text)), e.question) for s in e.shown
            ]
            pick = model.choose(e.rows)
            figures["talk"].append(filled[0])
            figures["learned"].append(filled[pick])
            figures["best"].append(max(filled))
            figures["changed"].append(float(pick != 0))
    return {k: float(np.mean(v)) if v else 0.0 for k, v in figures.items()}


def to_json(model: SubjectModel) -> dict[str, object]:
    """The model as ``pipeline/data/subject_model.json`` holds it."""

    def named(values: np.ndarray) -> dict[str, float]:
        return {n: round(float(v), 6) for n, v in zip(SUBJECT_FEATURES, values)}

    return {
        "about": "What a generated question names (pipeline/text/subjects.py); rebuilt by "
        "python -m benchmarks.train_subjects --write",
        "weights": named(model.weights),
        "bias": round(model.bias, 6),
        "margin": model.margin,
        "opening_sentences": model.opening_sentences,
        "mean": named(model.mean),
        "scale": named(model.scale),
    }


def _scored(data: Sequence[Example], names: set[str]) -> list[Example]:
    return [e for e in data if e.page in names and not is_extra(e.page)]


def _listed(sets: dict[str, set[str]], scores: Sequence[float]) -> str:
    return "  ".join(f"{name} {score:.3f}" for name, score in zip(sets, scores))


def main(argv: list[str] | None = None) -> int:
    """Print the held-apart figures; with ``--write``, fit on everything and write the shipped model."""
    parser = argparse.ArgumentParser(description="Learn what a section's question names.")
    parser.add_argument("--write", action="store_true", help=f"write {OUT.name}")
    parser.add_argument("--no-extra", action="store_true", help="train without clinic-faq-extra")
    args = parser.parse_args(argv)
    clinic, talks = clinic_pages(), talk_pages()
    if not clinic:
        print("train_subjects: no clinic pages at ../shared/realdata/clinic-faq-dev", file=sys.stderr)
        return 1
    pages = [*clinic, *talks, *([] if args.no_extra else extra_pages())]
    sets = {"clinic": {p.name for p in clinic}, "talks": {p.name for p in talks}}
    by_reach = {}
    for reach in REACHES:
        data = examples(pages, reach)
        scores = [held_apart(data, _scored(data, names), reach)["learned"] for names in sets.values()]
        by_reach[reach] = (float(np.mean(scores)), data)
        print(
            f"first {reach} sentences: labelled-form F1, learned, margin {MARGIN}: " + _listed(sets, scores)
        )
    reach = max(REACHES, key=lambda r: (by_reach[r][0], -r))
    data = by_reach[reach][1]
    for name, names in sets.items():
        for margin in MARGINS:
            got = held_apart(data, _scored(data, names), reach, margin)
            print(
                f"{name:7} margin {margin:3}: labelled-form F1, talk's subject {got['talk']:.3f}  learned "
                f"{got['learned']:.3f}  best candidate {got['best']:.3f}  (learned differs from the "
                f"talk's: {got['changed']:.2f}){'  <- shipped' if margin == MARGIN else ''}"
            )
    print(f"candidates from the first {reach} sentences (the best mean held apart)")
    if args.write:
        OUT.write_text(json.dumps(to_json(fit(data, reach)), indent=1) + "\n", encoding="utf-8")
        print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
