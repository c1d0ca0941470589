"""Guards on suggested headings, titles and descriptions: only what the talk said gets through.

A language model (``--llm``) suggests wording; these pure functions decide what of it may reach
the draft. A suggestion whose content words (Porter stems) are neither in the text it is about
nor in the glossary is flagged :data:`NOT_IN_TRANSCRIPT`; one that brings a number or a medical
claim the text does not make, or repeats another section's heading, is dropped. Descriptions are
cut here, at whole sentences.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache

from video2blog.pipeline.text.segment import stems
from video2blog.pipeline.textutil import DESCRIPTION_LIMIT, NUMBER_WORDS, stem, tokens, word_list

NOT_IN_TRANSCRIPT = "check: not in the transcript"
REPEATS_HEADING = "dropped: repeats another section's heading"
NEW_NUMBER = "dropped: a number the talk does not say"
NEW_CLAIM = "dropped: a claim the talk does not make"
EMPTY = "dropped: not a heading"
NO_TOPIC = "check: names nothing the section is about"
MAX_HEADING_WORDS = 12
# A word counts as said when its stem and a said one's differ only in an ending after this many letters.
MIN_SHARED_STEM = 4
# Words that frame a heading without adding a fact ("Understanding ketamine", "Ketamine explained").
FRAMING = word_list("framing_words.txt")
# Words that make a promise about outcomes; they reach a heading only if the talk says them.
CLAIM_WORDS = word_list("claim_words.txt")


@cache
def claim_stems() -> frozenset[str]:
    """The stems of :data:`CLAIM_WORDS` (worked out when first asked: stemming imports NLTK)."""
    return frozenset(s for word in CLAIM_WORDS for s in stems(word) or [word])


# Words two headings may differ by and still say the same.
FILLER = word_list("heading_glue.txt")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"“‘'(])")
_LIST_MARK = re.compile(r"^\s*(?:[-*•·>]+|\(?\d{1,2}[.):]|[a-c][.)])\s*")
_LABEL = re.compile(
    rf"^\s*(?:{'|'.join(sorted(word_list('suggestion_labels.txt')))})\s*\d*\s*[:\-–]\s*", re.I
)
_QUOTES = "\"'“”‘’`*_#"


@dataclass(frozen=True)
class Verdict:
    """What the guards make of one suggestion: ``keep`` False drops it; ``note`` warns the editor."""

    keep: bool
    note: str = ""

    @property
    def clean(self) -> bool:
        """Kept with nothing to check: fit to be used without an editor's look."""
        return self.keep and not self.note


def tidy(line: str) -> str:
    """One suggested heading as the model wrote it, without list marks, labels, quotes or a full stop."""
    text = _LABEL.sub("", _LIST_MARK.sub("", line.strip()))
    text = text.strip().strip(_QUOTES).strip()
    text = text[:-1].rstrip() if text.endswith(".") and not text.endswith("..") else text
    return " ".join(text.split())


def check_heading(
    text: str, source: str, glossary: Sequence[str] = (), others: Iterable[str] = ()
) -> Verdict:
    """Judge a suggested heading for a section.

    Args:
        text: the suggestion.
        source: the section's own prose.
        glossary: clinic terms (their words count as said).
        others: the other sections' headings; repeating one drops the suggestion.
    """
    words = tokens(text)
    if not words or len(words) > MAX_HEADING_WORDS:
        return Verdict(False, EMPTY)
    if any(same_heading(text, other) for other in others):
        return Verdict(False, REPEATS_HEADING)
    verdict = check_wording(text, source, glossary)
    if verdict.clean and not topical(text):
        return Verdict(True, NO_TOPIC)  # "How it works" fits any section
    return verdict


def topical(text: str) -> bool:
    """Whether ``text`` has a content word beyond the framing ones ("understanding", "tips")."""
    framing = _framing_stems()
    return any(s not in framing for s in stems(text))


@cache
def _framing_stems() -> frozenset[str]:
    return frozenset(s for w in FRAMING for s in stems(w))


def check_wording(text: str, source: str, glossary: Sequence[str] = ()) -> Verdict:
    """Drop new numbers and claims; flag content words the source and glossary do not have."""
    if new_numbers(text, source):
        return Verdict(False, NEW_NUMBER)
    if new_claims(text, source):
        return Verdict(False, NEW_CLAIM)
    return Verdict(True, NOT_IN_TRANSCRIPT if unsupported(text, source, glossary) else "")


def unsupported(text: str, source: str, glossary: Sequence[str] = ()) -> list[str]:
    """Content words of ``text`` whose stems are in neither ``source`` nor ``glossary``."""
    known = set(stems(source)) | {s for term in glossary for s in stems(term)}
    new = [w for w in dict.fromkeys(stems(text)) if w not in known and w not in _framing_stems()]
    return [w for w in new if not any(_inflected(w, k) for k in known)]


def _inflected(a: str, b: str) -> bool:
    """Stems Porter leaves apart that are one word ("given" and "give", "infusions" and "infus")."""
    short, long = sorted((a, b), key=len)
    return len(short) >= MIN_SHARED_STEM and long.startswith(short) and len(long) - len(short) <= 3


def new_numbers(text: str, source: str) -> list[str]:
    """Numbers (digits or number words, "%") in ``text`` that ``source`` does not say."""
    said = set(tokens(source)) | ({"percent"} if "%" in source else set())
    found = [t for t in tokens(text) if t.isdigit() or t in NUMBER_WORDS]
    found += ["percent"] if "%" in text else []
    return [n for n in dict.fromkeys(found) if n not in said]


def new_claims(text: str, source: str) -> list[str]:
    """Outcome claims ("cure", "painless", "guaranteed") in ``text`` that ``source`` does not make."""
    said = set(stems(source)) | set(tokens(source))
    claims = claim_stems()
    found = [s for s in stems(text) if s in claims] + [t for t in tokens(text) if t in claims]
    return [c for c in dict.fromkeys(found) if c not in said]


def same_heading(a: str, b: str) -> bool:
    """Two headings that say the same: the same words but for articles and endings ("Side effects",
    "The side effect"); "How is ketamine given?" and "What is ketamine?" differ."""
    return _gist(a) == _gist(b)


def _gist(heading: str) -> tuple[str, ...]:
    return tuple(stem(t) for t in tokens(heading) if t not in FILLER)


def sentences_of(text: str) -> list[str]:
    """``text`` split into sentences at a full stop, question or exclamation mark."""
    return [s.strip() for s in _SENTENCE_END.split(" ".join(text.split())) if s.strip()]


def cut_description(text: str, limit: int = DESCRIPTION_LIMIT) -> str:
    """The whole sentences of ``text`` that fit in ``limit`` characters ("" if the first does not)."""
    kept = ""
    for sentence in sentences_of(text):
        candidate = f"{kept} {sentence}".strip()
        if len(candidate) > limit:
            break
        kept = candidate
    return kept


def guarded_description(text: str, source: str, glossary: Sequence[str] = ()) -> str:
    """A suggested description less every sentence the guards would not let through, then cut."""
    passed = [s for s in sentences_of(text) if check_wording(s, source, glossary).clean]
    return cut_description(" ".join(s if s[-1:] in ".!?" else s + "." for s in passed))
