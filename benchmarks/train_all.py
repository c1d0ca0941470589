"""Rebuild every shipped weight (``pipeline/data/*.json``) from its data, each with its held-apart figures.

One command runs the training scripts in the order they depend on each other, with the options the
shipped files were made with, and prints each script's own held-apart folds:

1. the question-form model, then the question gate and the spoken-question floor, which read it
   (:mod:`benchmarks.train_questions`);
2. the boundary model (:mod:`benchmarks.train_boundaries`: speech through piper and tiny.en, cached),
   then its rule for a talk of answers (text, sentence embeddings; the gate decides which talks are
   answers), then the same model over the multilingual encoder's vectors, with which a talk not in
   English is segmented (text; the ``base`` extra);
3. the keyword model (:mod:`benchmarks.train_keywords`) and the subject model
   (:mod:`benchmarks.train_subjects`);
4. the on-screen model (:mod:`benchmarks.train_screen`: it reads the boundary model's log odds);
5. the Spanish spoken-question model (:mod:`benchmarks.train_asked`: espeak-ng and Whisper base; it
   weighs the voice's pitch, read from the audio), then the model that reads a question run into its
   answer (:mod:`benchmarks.train_question_text`: real clinic questions and the Spanish development
   scripts, its threshold chosen on what Whisper base heard of the development talks), then the model
   that names a talk not in English by its word (:mod:`benchmarks.train_central_word`).

Steps 2, 4 and 5 synthesise and transcribe speech the first time (an hour or more on 2 cores; cached
under ``benchmarks/out`` after that). ``--dry-run`` prints every figure and writes nothing; ``--only``
runs some steps. Data: ``../shared/realdata`` (read at run time), the project's talks and screen talks.

Usage::

    python -m benchmarks.train_all [--dry-run] [--only questions boundaries answers multilingual keywords
        subjects screen asked reading central]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from dataclasses import dataclass


@dataclass(frozen=True)
class Step:
    """One training script, what it writes, and its options to write and to only print."""

    name: str
    module: str
    writes: str
    write: tuple[str, ...]
    dry: tuple[str, ...]


STEPS = (
    Step(
        "questions",
        "benchmarks.train_questions",
        "question_model.json, question_gate.json, spoken_question.json",
        (),
        ("--dry-run",),
    ),
    Step("boundaries", "benchmarks.train_boundaries", "boundary_model.json", ("--write",), ()),
    Step(
        "answers",
        "benchmarks.train_boundaries",
        "boundary_model.json (the rule for a talk of answers)",
        ("--text", "--kind", "embeddings", "--answers-only", "--write"),
        ("--text", "--kind", "embeddings", "--answers-only"),
    ),
    Step(
        "multilingual",
        "benchmarks.train_boundaries",
        "boundary_model.json (the model over the multilingual encoder's vectors)",
        ("--text", "--kind", "multilingual", "--write"),
        ("--text", "--kind", "multilingual"),
    ),
    Step("keywords", "benchmarks.train_keywords", "keyword_model.json", ("--write",), ()),
    Step("subjects", "benchmarks.train_subjects", "subject_model.json", ("--write",), ()),
    Step("screen", "benchmarks.train_screen", "screen_model.json", ("--write",), ()),
    Step("asked", "benchmarks.train_asked", "asked_model-es.json", ("--write",), ()),
    Step("reading", "benchmarks.train_question_text", "question_text_model.json", ("--write",), ()),
    Step("central", "benchmarks.train_central_word", "central_word_model.json", ("--write",), ()),
)


def run(step: Step, dry_run: bool) -> int:
    """Run one step; its exit status."""
    argv = list(step.dry if dry_run else step.write)
    print(f"== {step.name}: python -m {step.module} {' '.join(argv)}".rstrip(), flush=True)
    started = time.perf_counter()
    # Its own process: a step reads the files the steps before it wrote, never a model they cached.
    status = subprocess.run([sys.executable, "-m", step.module, *argv], check=False).returncode
    done = "printed only" if dry_run or not step.writes else f"wrote pipeline/data/{step.writes}"
    outcome = done if status == 0 else f"failed ({status})"
    print(f"== {step.name}: {outcome} in {time.perf_counter() - started:.0f} s")
    return status


def main(argv: list[str] | None = None) -> int:
    """Run the chosen steps in order; stop at the first that fails (a later one may read its output)."""
    parser = argparse.ArgumentParser(description="Rebuild every shipped weight from its data.")
    parser.add_argument("--dry-run", action="store_true", help="print every figure, write nothing")
    parser.add_argument("--only", nargs="+", choices=[s.name for s in STEPS], help="only these steps")
    args = parser.parse_args(argv)
    for step in STEPS:
        if args.only and step.name not in args.only:
            continue
        status = run(step, args.dry_run)
        if status:
            return status
    return 0


if __name__ == "__main__":
    sys.exit(main())
