"""Word error rate and time of tiny.en (bundled) against Whisper base (the ``base`` extra).

Items: the real speech of ``../shared/fixtures`` (every ``*.flac``/``*.wav`` with a ``.txt`` of its
exact words beside it) and, where the Debian package ``pocketsphinx-testdata`` is installed
(``apt-get install pocketsphinx-testdata``: a benchmark's data, not a dependency of video2blog), its real
recorded English with transcriptions, read from ``/usr/share/pocketsphinx/test/data`` (``librivox/``:
five LibriVox sentences of *Sense and Sensibility*; ``cards/``: five playing-card names); the bundled
sample (Piper's synthetic voice, ``samples/*.truth.json``); and with ``--spanish`` the Spanish talks of
``benchmarks/out/talks-es`` (espeak-ng; made by ``benchmarks/eval_spanish.py``), heard by base only
(tiny.en hears no Spanish).

Each model transcribes each item through video2blog's own engine (faster-whisper, int8 on CPU,
beam 5, VAD), once to load and warm up and then ``--repeat`` times; CPU seconds (all threads) and
wall seconds are the mean of the repeats. Printed: WER per item and model, the pooled WER (errors
over reference words) per kind, and base's time as a multiple of tiny.en's. Both texts are normalised
as Whisper's own evaluations do (``whisper.normalizers``: "Mr." and "mister", "10" and "ten" agree)
where openai-whisper is installed (the test extra), else only lower-cased without punctuation;
``--plain`` asks for the latter.

Targets: on real speech base's WER at least 10% lower than tiny.en's, in at most 2.5x its time.

Usage::

    python -m benchmarks.bench_wer [--repeat 2] [--threads 2] [--spanish] [--plain]
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import jiwer

from benchmarks.eval_sections import _TIDY
from video2blog.pipeline.engines import EngineOptions, get_engine
from video2blog.pipeline.ingest import media

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT.parent / "shared" / "fixtures"
SPANISH = ROOT / "benchmarks" / "out" / "talks-es"
CACHE = ROOT / "benchmarks" / "out" / "xdg-cache"
MODELS = ("tiny.en", "base")
POCKETSPHINX = Path("/usr/share/pocketsphinx/test/data")  # Debian package pocketsphinx-testdata
_SPHINX_LINE = re.compile(r"<s>(.*)</s>\s*\((\S+)\)")


@dataclass(frozen=True)
class Item:
    """One recording and the words spoken in it."""

    name: str
    kind: str  # "real", "synthetic" or "spanish"
    path: Path
    reference: str
    language: str


@dataclass(frozen=True)
class Score:
    """One model on one item."""

    item: Item
    model: str
    errors: int
    words: int
    cpu: float
    wall: float

    @property
    def wer(self) -> float:
        return self.errors / self.words if self.words else 0.0


def items(spanish: bool) -> list[Item]:
    """The recordings to measure on."""
    found = [
        Item(p.stem, "real", p, p.with_suffix(".txt").read_text(encoding="utf-8"), "en")
        for p in sorted(FIXTURES.glob("*"))
        if p.suffix in (".flac", ".wav") and p.with_suffix(".txt").exists()
    ]
    found += pocketsphinx_items()
    for truth in sorted((ROOT / "samples").glob("*.truth.json")):
        data = json.loads(truth.read_text(encoding="utf-8"))
        found.append(
            Item(truth.name.split(".")[0], "synthetic", truth.parent / data["media"], data["text"], "en")
        )
    if spanish:
        for truth in sorted(SPANISH.glob("*-asked.truth.json")):
            data = json.loads(truth.read_text(encoding="utf-8"))
            found.append(
                Item(truth.name.split(".")[0], "spanish", truth.parent / data["media"], data["text"], "es")
            )
    return found


def pocketsphinx_items(root: Path = POCKETSPHINX) -> list[Item]:
    """The real recordings of pocketsphinx-testdata with their transcriptions ("<s> words </s> (id)")."""
    found = []
    for folder in ("librivox", "cards"):
        listing = next(iter(sorted((root / folder).glob("*transcription"))), None)
        for line in listing.read_text(encoding="utf-8").splitlines() if listing else ():
            match = _SPHINX_LINE.search(line)
            wav = root / folder / f"{match.group(2)}.wav" if match else None
            if match and wav and wav.exists():
                found.append(
                    Item(f"{folder}-{match.group(2)[-4:]}", "real", wav, match.group(1).strip(), "en")
                )
    return found


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def normaliser(language: str, plain: bool = False) -> Callable[[str], str] | None:
    """Whisper's text normaliser for ``language`` (English: numbers, titles and spellings made one), or
    None where openai-whisper is not installed or ``plain``."""
    if plain:
        return None
    try:
        from whisper.normalizers import BasicTextNormalizer, EnglishTextNormalizer
    except ImportError:
        return None
    normal: Callable[[str], str] = EnglishTextNormalizer() if language == "en" else BasicTextNormalizer()
    return normal


def measure(item: Item, model: str, threads: int, repeat: int, plain: bool = False) -> Score:
    """Transcribe ``item`` with ``model``: its errors and mean CPU and wall seconds over ``repeat`` runs."""
    options = EngineOptions(model=model, language=item.language, threads=threads)
    engine = get_engine("faster-whisper", options, CACHE)
    audio = next(media.iter_audio(item.path, window_s=3600.0)).samples
    text, cpu, wall = engine.transcribe(audio).text, 0.0, 0.0
    for _ in range(repeat):
        cpu0, wall0 = _cpu(), time.perf_counter()
        text = engine.transcribe(audio).text
        cpu, wall = cpu + _cpu() - cpu0, wall + time.perf_counter() - wall0
    normal = normaliser(item.language, plain)
    reference = normal(item.reference) if normal else item.reference
    text = normal(text) if normal else text
    out = jiwer.process_words(reference, text, reference_transform=_TIDY, hypothesis_transform=_TIDY)
    errors = out.substitutions + out.deletions + out.insertions
    words = out.hits + out.substitutions + out.deletions
    return Score(item, model, errors, words, cpu / repeat, wall / repeat)


def main(argv: list[str] | None = None) -> int:
    """Measure every item with both models and print the table and the ratios."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--spanish", action="store_true")
    parser.add_argument("--plain", action="store_true", help="no Whisper normaliser: lower case only")
    args = parser.parse_args(argv)
    scores = []
    which = "Whisper's (whisper.normalizers)" if normaliser("en", args.plain) else "lower case only"
    print(f"text normaliser: {which}")
    print(f"{'item':26s} {'kind':9s} {'model':8s} {'WER':>6s} {'CPU s':>7s} {'wall s':>7s}")
    for item in items(args.spanish):
        for model in MODELS if item.language == "en" else ("base",):
            score = measure(item, model, args.threads, args.repeat, args.plain)
            scores.append(score)
            timing = f"{score.cpu:7.2f} {score.wall:7.2f}"
            print(f"{item.name:26s} {item.kind:9s} {model:8s} {score.wer:6.3f} {timing}")
    for kind in dict.fromkeys(s.item.kind for s in scores):
        print(_pooled(kind, [s for s in scores if s.item.kind == kind]))
    return 0


def _pooled(kind: str, scores: list[Score]) -> str:
    parts = []
    for model in MODELS:
        mine = [s for s in scores if s.model == model]
        if mine:
            wer = sum(s.errors for s in mine) / max(1, sum(s.words for s in mine))
            parts.append(f"{model} WER {wer:.3f} CPU {sum(s.cpu for s in mine):.2f} s")
    line = f"{kind:9s} pooled: " + "; ".join(parts)
    tiny, base = ([s for s in scores if s.model == m] for m in MODELS)
    if tiny and base:
        ratio = sum(s.cpu for s in base) / max(1e-9, sum(s.cpu for s in tiny))
        wall = sum(s.wall for s in base) / max(1e-9, sum(s.wall for s in tiny))
        tw = sum(s.errors for s in tiny) / max(1, sum(s.words for s in tiny))
        bw = sum(s.errors for s in base) / max(1, sum(s.words for s in base))
        change = (bw - tw) / tw if tw else 0.0
        line += f"; base/tiny.en CPU {ratio:.2f}x, wall {wall:.2f}x; WER change {change:+.0%}"
    return line


if __name__ == "__main__":
    sys.exit(main())
