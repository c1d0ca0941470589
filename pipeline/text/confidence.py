"""Unsure words: which recognised words an editor should check, and why.

The recogniser's probability alone misses many errors: a small model is often confident about a
wrong but common word, and unsure about right ones. A word's risk adds what else is known:

- its probability (the lower, the riskier);
- whether it is outside a shipped list of common English words (misheard terms often are);
- whether it is close to, but not, a clinic glossary term (a near miss is likely that term);
- capitals the recogniser was unsure of (an acronym, or a capitalised word inside a sentence);
- whether its sentence has no punctuation at all (the recogniser lost its footing there).

A word is flagged when its risk reaches :data:`THRESHOLD`. The weights are round numbers set on
the synthetic clinic talks (``python -m benchmarks.eval_unsure`` prints recall, precision and flag
rate beside the probability-only baseline). Pure: a function of the transcript and the glossary.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import process
from rapidfuzz.distance import Indel

from video2blog.pipeline.schema import Reason, Transcript, Word
from video2blog.pipeline.textutil import bare, word_list

BASELINE = 0.6
"""The old rule: a probability below this, and nothing else."""
# Risk is the recogniser's log-odds against the word, plus the weights of the other signals; the
# baseline rule is a risk of log(0.4 / 0.6) = -0.41 or more. Weights and threshold are round numbers.
THRESHOLD = -0.6
RARE_WEIGHT = 1.3
FUNCTION_WORD_WEIGHT = 0.8  # tiny models insert and swap short function words ("the", "of", "in")
NEIGHBOUR_WEIGHT = 1.0  # times (1 - the lower probability of the words either side)
NEAR_TERM_WEIGHT = 1.0
KNOWN_TERM_WEIGHT = -1.0
CAPITALS_WEIGHT = 0.5
CAPITALS_SURE = 0.9
UNPUNCTUATED_WEIGHT = 0.5
UNPUNCTUATED_WORDS = 12
NEAR_TERM_SIMILARITY = 0.75
MIN_RARE_LETTERS = 5  # the common-word list holds words of five letters or more
_PUNCTUATION = ".,;:?!"
_CLAMP = 1e-3


@dataclass(frozen=True)
class Signal:
    """Why one word is (or is not) flagged: its risk and the reasons that add to it."""

    risk: float
    reasons: tuple[Reason, ...]


def unsure_words(transcript: Transcript, glossary: Sequence[str] = ()) -> dict[int, tuple[Reason, ...]]:
    """Transcript word index -> the reasons to check it (catalogue keys: the writers word them), for every
    word flagged.

    Args:
        transcript: the recognised words and their sentences.
        glossary: the clinic's terms (near misses of them are flagged; the terms themselves trusted).
    """
    signals = word_signals(transcript, glossary)
    return {i: s.reasons for i, s in enumerate(signals) if s.risk >= THRESHOLD}


def baseline_unsure(transcript: Transcript) -> dict[int, tuple[Reason, ...]]:
    """The probability-only rule the review page used before: below :data:`BASELINE`."""
    return {
        i: (percent_reason(w.probability),)
        for i, w in enumerate(transcript.words)
        if w.probability < BASELINE
    }


def word_signals(transcript: Transcript, glossary: Sequence[str] = ()) -> list[Signal]:
    """The risk of every word of ``transcript`` and what it is made of."""
    terms = _term_keys(glossary)
    unpunctuated = _unpunctuated_words(transcript)
    firsts = {s.words[0] for s in transcript.sentences} | {0}
    words, english = transcript.words, transcript.language == "en"
    return [
        _signal(word, _neighbour(words, i), terms, i in unpunctuated, i in firsts, english)
        for i, word in enumerate(words)
    ]


def _neighbour(words: Sequence[Word], i: int) -> float:
    """The lower probability of the words either side (errors come in runs)."""
    return min((words[j].probability for j in (i - 1, i + 1) if 0 <= j < len(words)), default=1.0)


def _signal(
    word: Word, neighbour: float, terms: dict[str, str], unpunctuated: bool, first: bool, english: bool = True
) -> Signal:
    p = min(max(word.probability, _CLAMP), 1 - _CLAMP)
    risk = math.log((1 - p) / p) + NEIGHBOUR_WEIGHT * (1 - neighbour)
    reasons = [percent_reason(word.probability)]
    for weight, reason in _extra(word, terms, unpunctuated, first, english):
        risk += weight
        if weight > 0:
            reasons.append(reason)
    return Signal(risk, tuple(reasons))


def _extra(
    word: Word, terms: dict[str, str], unpunctuated: bool, first: bool, english: bool = True
) -> list[tuple[float, Reason]]:
    """What adds to a word's risk besides its probability. The word lists are English: on a talk in
    another language no word is judged rare or a short function word (every Spanish word would be)."""
    key, found = _letters(word.text), []
    if key in terms:
        return [(KNOWN_TERM_WEIGHT, Reason("term"))]
    rare = english and _rare(word.text, key)
    if rare:
        found.append((RARE_WEIGHT, Reason("rare")))
        near = _near_term(key, terms)
        if near:
            found.append((NEAR_TERM_WEIGHT, Reason("near_term", (("term", near),))))
    if english and bare(word.text) in word_list("stopwords.txt"):
        found.append((FUNCTION_WORD_WEIGHT, Reason("short")))
    if _odd_capitals(word, first):
        found.append((CAPITALS_WEIGHT, Reason("capitals")))
    if unpunctuated:
        found.append((UNPUNCTUATED_WEIGHT, Reason("unpunctuated")))
    return found


def percent_reason(probability: float) -> Reason:
    """The recogniser's confidence in a word, as a reason to check it ("31% confidence")."""
    return Reason("percent", (("percent", str(round(probability * 100))),))


def _rare(text: str, key: str) -> bool:
    """Outside the common-word list (numbers and very short words are not judged)."""
    token = bare(text)
    if len(key) < MIN_RARE_LETTERS or any(ch.isdigit() for ch in token):
        return False
    common, stop = word_list("common_words.txt"), word_list("stopwords.txt")
    forms = {token, token.removesuffix("'s"), token.removesuffix("s"), token.removesuffix("es")}
    return not any(f in common or f in stop for f in forms)


def _odd_capitals(word: Word, first: bool) -> bool:
    core = word.text.strip("\"'()[]" + _PUNCTUATION)
    if not core or word.probability >= CAPITALS_SURE or core == "I" or core.startswith("I'"):
        return False
    acronym = len(core) > 1 and core.isupper()
    return acronym or (core[0].isupper() and not first)


def _unpunctuated_words(transcript: Transcript) -> set[int]:
    """Words of long sentences that hold no punctuation mark at all (end mark included)."""
    found: set[int] = set()
    for sentence in transcript.sentences:
        first, last = sentence.words
        texts = [w.text for w in transcript.words[first:last]]
        if last - first >= UNPUNCTUATED_WORDS and not any(ch in _PUNCTUATION for t in texts for ch in t):
            found.update(range(first, last))
    return found


def _term_keys(glossary: Sequence[str]) -> dict[str, str]:
    """Letters -> term, for each single word of each glossary term."""
    keys: dict[str, str] = {}
    for term in glossary:
        for part in term.split():
            letters = _letters(part)
            if len(letters) >= MIN_RARE_LETTERS - 1:
                keys.setdefault(letters, term.strip())
    return keys


def _near_term(key: str, terms: dict[str, str]) -> str:
    """The first term (in glossary order) whose letters are close to ``key``'s, or ""."""
    keys = list(terms)
    hits = process.extract(
        key, keys, scorer=Indel.normalized_similarity, score_cutoff=NEAR_TERM_SIMILARITY, limit=None
    )
    return terms[keys[min(index for _, _, index in hits)]] if hits else ""


def _letters(text: str) -> str:
    return "".join(ch for ch in bare(text) if ch.isalpha())
