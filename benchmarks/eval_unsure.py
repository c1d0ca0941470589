"""Measure the unsure-word signals on the synthetic evaluation set: recall, precision, flag rate.

Every item of ``benchmarks/out/eval`` is transcribed with the bundled tiny.en (cached, as in
``eval_sections``). Its recognised words are aligned to the spoken text of its ``.truth.json``
(difflib over lower-cased word tokens, numbers spelt out on both sides); a recognised word is
*wrong* when any of its tokens falls outside an equal run. Then, for each rule:

- **recall**: the share of wrong words flagged;
- **precision**: the share of flagged words that are wrong;
- **flag rate**: the share of all words flagged (an editor checks these).

Rules: ``baseline`` (probability below 0.6, what the review page did), ``p<0.77`` (probability
alone at about the flag rate of the signals, for a fair comparison), ``signals`` (the
combined risk of :mod:`video2blog.pipeline.text.confidence`, no glossary) and
``signals+glossary`` (the same with a clinic glossary: the talk's words outside the common-word
list, which is what a clinic lists for its own speciality). Aim: recall >= 60% at a flag rate under 10%.

Usage::

    python -m benchmarks.eval_unsure [--only NAME ...] [--show]
"""

from __future__ import annotations

import argparse
import difflib
import json
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from benchmarks.eval_sections import EVAL_DIR, transcript_of
from video2blog.pipeline.schema import Reason, Transcript
from video2blog.pipeline.text.confidence import baseline_unsure, unsure_words
from video2blog.pipeline.text.sentences import split_sentences
from video2blog.pipeline.textutil import tokens, word_list
from video2blog.pipeline.writers.review import say_reasons

Rule = Callable[[Transcript, tuple[str, ...]], dict[int, tuple[Reason, ...]]]
RULES: dict[str, Rule] = {
    "baseline": lambda t, g: baseline_unsure(t),
    "p<0.77": lambda t, g: {i: () for i, w in enumerate(t.words) if w.probability < 0.77},
    "signals": lambda t, g: unsure_words(t),
    "signals+glossary": unsure_words,
}
_ONES = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen".split()
)
_TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()


@dataclass(frozen=True)
class Counts:
    """Words, wrong words, flagged words and flagged wrong words of one item under one rule."""

    words: int
    wrong: int
    flagged: int
    hits: int

    def __add__(self, other: Counts) -> Counts:
        return Counts(*(a + b for a, b in zip(self.astuple(), other.astuple())))

    def astuple(self) -> tuple[int, int, int, int]:
        return self.words, self.wrong, self.flagged, self.hits


def spell_number(token: str) -> list[str]:
    """A number token as the words a speaker says (up to 999; years and longer stay as digits)."""
    if not token.isdigit() or len(token) > 3:
        return [token]
    n = int(token)
    hundreds, rest = divmod(n, 100)
    out = [_ONES[hundreds], "hundred"] if hundreds else []
    if rest or not out:
        out += [_ONES[rest]] if rest < 20 else [_TENS[rest // 10]] + ([_ONES[rest % 10]] if rest % 10 else [])
    return out


def norm_tokens(text: str) -> list[str]:
    return [part for t in tokens(text.replace("-", " ").replace("%", " percent")) for part in spell_number(t)]


def wrong_words(transcript: Transcript, spoken: str) -> set[int]:
    """Indices of recognised words that do not match the spoken text."""
    truth = norm_tokens(spoken)
    hyp, owner = [], []
    for i, word in enumerate(transcript.words):
        for token in norm_tokens(word.text):
            hyp.append(token)
            owner.append(i)
    wrong: set[int] = set()
    matcher = difflib.SequenceMatcher(None, truth, hyp, autojunk=False)
    for tag, _, _, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            wrong.update(owner[j1:j2])
    return wrong


def clinic_glossary(spoken: str) -> tuple[str, ...]:
    """The terms a clinic would list: the talk's words outside the common-word list."""
    common = word_list("common_words.txt")
    return tuple(sorted({t for t in tokens(spoken) if len(t) >= 5 and t not in common and not t.isdigit()}))


def count(transcript: Transcript, wrong: set[int], flagged: Mapping[int, object]) -> Counts:
    scored = {i for i, w in enumerate(transcript.words) if norm_tokens(w.text)}
    hits = len(wrong & set(flagged) & scored)
    return Counts(len(scored), len(wrong & scored), len(set(flagged) & scored), hits)


def figures(c: Counts) -> tuple[float, float, float]:
    recall = c.hits / c.wrong if c.wrong else 1.0
    precision = c.hits / c.flagged if c.flagged else 1.0
    return recall, precision, c.flagged / c.words if c.words else 0.0


def evaluate(truth_path: Path, show: bool) -> dict[str, Counts]:
    truth = json.loads(truth_path.read_text(encoding="utf-8"))
    transcript = split_sentences(transcript_of(truth_path.parent / truth["media"])[0])
    wrong = wrong_words(transcript, truth["text"])
    glossary = clinic_glossary(truth["text"])
    out = {}
    for name, rule in RULES.items():
        flagged = rule(transcript, glossary)
        out[name] = count(transcript, wrong, flagged)
        if show and name == "signals+glossary":
            _show(truth_path, transcript, wrong, flagged)
    return out


def _show(
    path: Path, transcript: Transcript, wrong: set[int], flagged: Mapping[int, tuple[Reason, ...]]
) -> None:
    print(f"\n# {path.name}")
    for i in sorted(wrong | set(flagged)):
        w = transcript.words[i]
        mark = ("HIT " if i in flagged else "MISS") if i in wrong else "FA  "
        print(f"  {mark} {w.text!r:18} p={w.probability:.2f} {say_reasons(flagged.get(i, ()), 'en')}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", nargs="*", help="items to evaluate (names without .truth.json)")
    parser.add_argument("--show", action="store_true", help="list every wrong or flagged word")
    args = parser.parse_args(argv)
    paths = sorted(EVAL_DIR.glob("*.truth.json"))
    if args.only:
        paths = [p for p in paths if p.name.removesuffix(".truth.json") in args.only]
    if not paths:
        print(f"no evaluation items in {EVAL_DIR}: run python -m benchmarks.make_eval_set", file=sys.stderr)
        return 1
    totals = {name: Counts(0, 0, 0, 0) for name in RULES}
    print(f"{'item':32} " + "  ".join(f"{n:>23}" for n in RULES))
    for path in paths:
        counts = evaluate(path, args.show)
        print(f"{path.name.removesuffix('.truth.json'):32} " + "  ".join(_cell(counts[n]) for n in RULES))
        totals = {n: totals[n] + counts[n] for n in RULES}
    print(f"{'ALL (recall/precision/flagged)':32} " + "  ".join(_cell(totals[n]) for n in RULES))
    t = totals["baseline"]
    print(f"\n{len(paths)} items, {t.words} words, {t.wrong} misrecognised ({t.wrong / max(1, t.words):.1%})")
    for name in RULES:
        recall, precision, rate = figures(totals[name])
        print(f"{name:18} recall {recall:6.1%}  precision {precision:6.1%}  flag rate {rate:6.1%}")
    return 0


def _cell(c: Counts) -> str:
    recall, precision, rate = figures(c)
    return f"{recall:7.1%} {precision:7.1%} {rate:7.1%}"


if __name__ == "__main__":
    sys.exit(main())
