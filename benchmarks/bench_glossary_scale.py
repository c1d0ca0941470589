"""Measure what a big glossary costs the text stages (issue 23: a 1 MB glossary took 342 s there).

The sample talk's truth text (``samples/ketamine-pain.truth.json``, 310 words, evenly timed) is drafted
by :func:`video2blog.pipeline.run.make_draft` with glossaries of made-up clinic-like terms (seeded, one
to three words each) of several sizes, the last about 1 MB. Printed per size: the terms, the file's
size, the CPU seconds of the glossary correction stage (``text/glossary.correct_words``) and of the
whole draft, and the corrections made. With ``--baseline`` the correction stage of main before issue 23
(every term judged at every word; read from git at ``--before``) runs beside, on the sizes up to
``--baseline-max`` terms, and must make the same corrections.

Usage::

    python -m benchmarks.bench_glossary_scale [--sizes 0 300 3000 20000 64000] [--baseline]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import random
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path
from types import ModuleType

from video2blog.pipeline.run import DraftOptions, make_draft
from video2blog.pipeline.schema import Source, Transcript, Word
from video2blog.pipeline.text import glossary
from video2blog.pipeline.text.sentences import split_sentences

ROOT = Path(__file__).resolve().parents[1]
TRUTH = ROOT / "samples" / "ketamine-pain.truth.json"
SIZES = (0, 300, 3000, 20000, 64000)
PARTS = ["ka", "ta", "mi", "ne", "fi", "bro", "my", "al", "gi", "lo", "pra", "zo", "lam", "cy", "clo", "ben"]
PARTS += ["za", "pine", "dol", "ox", "ine", "ase", "ol", "per", "ti", "ce", "vo", "ra", "ster"]


def talk() -> Transcript:
    """The truth text as a transcript, each word given an equal share of the talk, some misheard."""
    truth = json.loads(TRUTH.read_text())
    texts, seconds = truth["text"].split(), float(truth["duration"])
    step = seconds / len(texts)
    words = [Word(t, round(i * step, 3), round((i + 0.8) * step, 3), 0.9) for i, t in enumerate(texts)]
    words = [replace(w, text="catamine") if w.text.lower() == "ketamine" else w for w in words]
    return split_sentences(Transcript(words=tuple(words), duration=seconds, language="en"))


def terms(count: int, seed: int = 1) -> tuple[str, ...]:
    rng = random.Random(seed)

    def word() -> str:
        return "".join(rng.choice(PARTS) for _ in range(rng.randint(2, 5)))

    made = [" ".join(word() for _ in range(rng.choice((1, 1, 1, 2, 2, 3)))) for _ in range(count - 1)]
    return ("ketamine", *made)[:count]


def cpu(fn: object, *args: object) -> tuple[float, object]:
    start = time.process_time()
    result = fn(*args)  # type: ignore[operator]
    return time.process_time() - start, result


def module_before(commit: str) -> ModuleType:
    """text/glossary.py as it was at ``commit``, imported under another name."""
    source = subprocess.run(
        ["git", "show", f"{commit}:pipeline/text/glossary.py"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    path = Path("/tmp") / f"video2blog_glossary_{commit[:8]}.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location("glossary_before", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["glossary_before"] = module
    spec.loader.exec_module(module)
    return module


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=SIZES)
    parser.add_argument("--baseline", action="store_true", help="run main's correction stage beside")
    parser.add_argument("--before", default="9d417f7", help="the commit of the baseline")
    parser.add_argument("--baseline-max", type=int, default=3000, help="largest glossary for the baseline")
    args = parser.parse_args()
    before = module_before(args.before) if args.baseline else None
    transcript, source = talk(), Source("talk.mp4", "0" * 64, 108.4)
    print(f"{'terms':>7} {'bytes':>9} {'correct s':>10} {'draft s':>8} {'fixes':>5} {'before s':>9} same")
    for size in args.sizes:
        glossed = terms(size)
        took, found = cpu(glossary.correct_words, transcript.words, glossed)
        whole, _ = cpu(make_draft, transcript, source, DraftOptions(date="2026-01-01", glossary=glossed))
        line = f"{size:>7} {sum(len(t) + 1 for t in glossed):>9} {took:>10.2f} {whole:>8.2f} {len(found):>5}"  # type: ignore[arg-type]
        if before is not None and size <= args.baseline_max:
            old, was = cpu(before.correct_words, transcript.words, glossed)
            line += f" {old:>9.2f} {was == found}"
        print(line, flush=True)


if __name__ == "__main__":
    main()
