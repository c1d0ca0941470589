"""Measure question headings where the questions are not spoken, on real clinic FAQ pages.

Each page of ``../shared/realdata/clinic-faq-dev/`` (read at run time, never copied) and each of the
project's talks (``benchmarks/talks/*.md``) becomes a transcript of its answers only (words 0.3 s
long, from the text: no audio), cut at the TRUE answer boundaries, so that only headings are
measured. Every heading is generated; it is compared with the clinic's own question:

- **F1**: content-word F1 after stemming (:func:`benchmarks.eval_headings.title_stems`) between the
  heading and the question, averaged over sections;
- **questions**: the share of headings that are questions.

Beside the draft (question-form model, **held apart**: for each page it is refit without the page's
group, the clinic's specialty or the talk, by ``benchmarks.train_questions``), the baselines:
**rules** (the draft without the model: the heading rules before it), **constant** ("What is
<subject>?" on every section) and **oracle** (the form a labeller reads off the true question, with the
same subject: the ceiling of choosing forms; only labelled questions).

Usage::

    python -m benchmarks.eval_questions [--set clinic|talks] [--list] [--shipped] [--no-extra]

``--shipped`` uses the shipped model for every page instead of the held-apart ones (it saw them).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from benchmarks import train_questions as tq
from benchmarks.eval_headings import draft_with_chapters, title_stems
from benchmarks.qa_pages import Page, clinic_pages, extra_pages, talk_pages
from video2blog.pipeline.schema import Draft, Source, Word
from video2blog.pipeline.text.compose import ComposeOptions, compose
from video2blog.pipeline.text.metadata import main_topic
from video2blog.pipeline.text.phrases import keep_case
from video2blog.pipeline.text.questions import (
    QuestionModel,
    ask,
    label_of,
    question_forms,
    shipped_model,
    subject_of,
)
from video2blog.pipeline.text.subjects import SubjectModel

WORD_SECONDS = 0.3
GAP_SECONDS = 0.08


@dataclass(frozen=True)
class Scored:
    """One section: the clinic's question and each variant's heading."""

    page: str
    truth: str
    headings: dict[str, str]


def f1(heading: str, truth: str) -> float:
    """Content-word F1 (stems) of a heading against the true question."""
    got, want = title_stems(heading), title_stems(truth)
    common = len(got & want)
    if not got or not want or not common:
        return 0.0
    precision, recall = common / len(got), common / len(want)
    return 2 * precision * recall / (precision + recall)


def page_words(page: Page) -> tuple[list[Word], list[float]]:
    """The answers' words, timed from their text, and the time each answer starts."""
    words: list[Word] = []
    starts: list[float] = []
    t = 0.0
    for pair in page.pairs:
        starts.append(t + GAP_SECONDS)
        for token in " ".join(pair.sentences).split():
            t += GAP_SECONDS
            words.append(Word(token, round(t, 3), round(t + WORD_SECONDS, 3), 0.95))
            t += WORD_SECONDS
        t += 1.0  # a pause between answers
    return words, starts


def draft_of(page: Page, model: QuestionModel | None, subjects: SubjectModel | None = None) -> Draft:
    """The page's draft at its true boundaries: with the question model (and the ``subjects`` model;
    None: the shipped one), or (``model`` None) without them."""
    words, starts = page_words(page)
    if model is None:
        return draft_with_chapters(words, starts, page.name)
    from benchmarks.eval_headings import chaptered

    transcript, spans = chaptered(words, starts)
    source = Source(page.name, "0" * 64, words[-1].end)
    options = ComposeOptions(date="2000-01-01", question_model=model, subject_model=subjects)
    return compose(transcript, spans, source, options, encode=tq.embed)


def score_page(page: Page, model: QuestionModel, subjects: SubjectModel | None = None) -> list[Scored]:
    """Each section's question beside the model's, the rules', the constant and the oracle heading."""
    drafted = draft_of(page, model, subjects)
    ruled = draft_of(page, None)
    texts = [" ".join(p.text for p in s.paragraphs) for s in drafted.sections]
    topic = main_topic(texts)
    subject = subject_of(keep_case(topic), " ".join(texts)) if topic else None
    templates = {f.name: f.template for f in question_forms()}
    scored = []
    for pair, mine, old in zip(page.pairs, drafted.sections, ruled.sections):
        label = label_of(pair.question)
        headings = {"model": mine.heading, "rules": old.heading}
        headings["constant"] = ask("What {be} {X}?", subject) if subject else "What is this?"
        if label and subject:
            headings["oracle"] = ask(templates[label], subject)
        scored.append(Scored(page.name, pair.question, headings))
    return scored


def held_apart_models(pages: Sequence[Page], train: Sequence[Page]) -> dict[str, QuestionModel]:
    """For each group of ``pages``, the shipped kind of model refit on the ``train`` pages of other groups."""
    data = tq.examples(train)
    shipped = shipped_model()
    if shipped is None:
        raise SystemExit("eval_questions: no shipped model; run python -m benchmarks.train_questions")
    groups = np.array(data.groups)
    method, value = json.loads(tq.OUT.read_text(encoding="utf-8"))["method"]
    how = (str(method), float(value))
    models = {}
    for group in sorted({p.group for p in pages}):
        models[group] = tq.fit(data, shipped.features, how, groups != group, shipped.repeat_penalty)
    return models


def held_apart_subjects(pages: Sequence[Page], train: Sequence[Page]) -> dict[str, SubjectModel]:
    """For each group of ``pages``, the subject model (:mod:`benchmarks.train_subjects`) fit on the
    ``train`` pages of other groups."""
    from benchmarks import train_subjects

    reach = train_subjects.shipped_reach()
    data = train_subjects.examples(train, reach)
    return {g: train_subjects.fit([e for e in data if e.group != g], reach) for g in {p.group for p in pages}}


def summary(rows: Sequence[Scored], variant: str) -> tuple[float, float, int]:
    """Mean F1, share of questions and count over the sections holding ``variant``."""
    held = [r for r in rows if variant in r.headings]
    if not held:
        return 0.0, 0.0, 0
    scores = [f1(r.headings[variant], r.truth) for r in held]
    asked = [r.headings[variant].endswith("?") for r in held]
    return float(np.mean(scores)), float(np.mean(asked)), len(held)


def report(label: str, rows: Sequence[Scored], listing: bool, pages: int) -> None:
    """Print each variant's F1 and share of questions."""
    print(f"{label}: {pages} pages, {len(rows)} sections")
    for variant in ("model", "rules", "constant", "oracle"):
        score, asked, count = summary(rows, variant)
        print(f"  {variant:9} F1 {score:.3f}  questions {asked:.2f}  (sections {count})")
    for row in rows if listing else []:
        print(f"    {row.truth[:44]:44} | {row.headings['model'][:44]:44} | {row.headings['rules'][:40]}")


def main(argv: list[str] | None = None) -> int:
    """Score the headings of every page with held-apart models and print the figures."""
    parser = argparse.ArgumentParser(description="Question headings against clinics' own questions.")
    parser.add_argument(
        "--set", choices=("clinic", "talks"), action="append", help="data sets (default both)"
    )
    parser.add_argument("--list", action="store_true", help="list every heading beside the true question")
    parser.add_argument("--shipped", action="store_true", help="use the shipped model (not held apart)")
    parser.add_argument("--no-extra", action="store_true", help="train without clinic-faq-extra")
    args = parser.parse_args(argv)
    sets: dict[str, Callable[[], list[Page]]] = {"clinic": clinic_pages, "talks": talk_pages}
    chosen = {k: sets[k]() for k in args.set or list(sets)}
    if "clinic" in chosen and not chosen["clinic"]:
        print("eval_questions: no clinic pages at ../shared/realdata/clinic-faq-dev", file=sys.stderr)
    train = clinic_pages() + talk_pages() + ([] if args.no_extra else extra_pages())
    for label, pages in chosen.items():
        if not pages:
            continue
        models = {} if args.shipped else held_apart_models(pages, train)
        subjects = {} if args.shipped else held_apart_subjects(pages, train)
        shipped = shipped_model()
        assert shipped is not None  # held_apart_models stops without one
        rows = [r for p in pages for r in score_page(p, models.get(p.group, shipped), subjects.get(p.group))]
        report(
            label + (" (shipped model, seen)" if args.shipped else " (held apart)"),
            rows,
            args.list,
            len(pages),
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
