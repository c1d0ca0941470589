"""Claims an editor must check: sentences of the post that promise an outcome, deny a risk, claim an
approval, compare with no basis, or offer a testimonial as evidence.

The patterns are data (``pipeline/data/claims.txt``, extended by a clinic's ``--claims-file``), parsed
here from text: the orchestration reads the files. A match is not a claim where the sentence is a
question, or where a hedge ("no", "not", "may", "rarely", "usually", ...) comes before it in the same
clause: "no treatment is guaranteed" and "side effects are rare and usually mild" are plain clinical
statements; "results are guaranteed" and "there are no side effects" are claims.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache

from video2blog.pipeline.errors import UsageError
from video2blog.pipeline.schema import Claim, Draft, Paragraph, Sentence, Transcript
from video2blog.pipeline.text.sentences import sentences_in

HEDGE = "hedge"  # the section of a rules file that holds hedges, not claims
BREAK = "clause break"  # the section of the words that open a new clause ("but", "pero")
# Where a clause ends, in any language: a hedge before one does not soften what comes after it.
_PUNCTUATION_BREAK = r"[,;:.!?\u2013\u2014]"
_HEADING = re.compile(r"^\[([^\]]+)\]$")


@dataclass(frozen=True)
class ClaimRules:
    """Claim patterns as (reason, regular expression) pairs, the hedges that cancel them, and the words
    that open a new clause (where a hedge's reach ends)."""

    patterns: tuple[tuple[str, str], ...] = ()
    hedges: tuple[str, ...] = ()
    breaks: tuple[str, ...] = ()

    def __add__(self, other: ClaimRules) -> ClaimRules:
        return ClaimRules(
            self.patterns + other.patterns, self.hedges + other.hedges, self.breaks + other.breaks
        )


def parse_rules(text: str, origin: str) -> ClaimRules:
    """Claim rules from the text of a rules file (see ``pipeline/data/claims.txt`` for the form).

    Raises:
        UsageError: naming ``origin`` and the line, for a pattern before any [reason] heading or one
            that is not a regular expression.
    """
    reason, patterns, hedges, breaks = "", list[tuple[str, str]](), list[str](), list[str]()
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        heading = _HEADING.match(line)
        if heading:
            reason = heading.group(1).strip()
            continue
        _check_pattern(line, reason, f"{origin}, line {number}")
        if reason.lower() == HEDGE:
            hedges.append(line)
        elif reason.lower() == BREAK:
            breaks.append(line)
        else:
            patterns.append((reason, line))
    return ClaimRules(tuple(patterns), tuple(hedges), tuple(breaks))


def _check_pattern(pattern: str, reason: str, where: str) -> None:
    if not reason:
        raise UsageError(
            f"{where}: a pattern before any [reason] heading; add one, e.g. [promise of outcome]"
        )
    try:
        re.compile(pattern)
    except re.error as exc:
        raise UsageError(f"{where}: {pattern!r} is not a regular expression ({exc})") from exc


def find_claims(draft: Draft, transcript: Transcript, rules: ClaimRules) -> tuple[Claim, ...]:
    """The sentences of the draft's paragraphs that make a claim, in the order of the talk.

    Args:
        draft: the composed draft (its paragraphs say which words are prose, not headings).
        transcript: the words and sentences the paragraphs point into.
        rules: claim patterns and hedges (:func:`parse_rules`).
    """
    claims = []
    for sentence in prose_sentences(draft, transcript):
        reason = claim_reason(sentence.text, rules)
        if reason:
            claims.append(Claim(sentence.text.strip(), sentence.start, sentence.end, reason, sentence.words))
    return tuple(claims)


def edited_claims(
    before: Draft, after: Draft, transcript: Transcript, rules: ClaimRules
) -> tuple[Claim, ...]:
    """The claims of ``after``, the draft ``before`` as an editor changed it: ``before``'s claims in each
    paragraph left as it was, and each changed paragraph's sentences checked again as they now read (a
    claim the editor deleted is gone, one the editor typed is found).

    Args:
        before: the draft with its claims (as drafted, or as the last save found them).
        after: the same draft with the editor's edits.
        transcript: the words the paragraphs point into (a sentence the editor left as heard keeps
            its own times; a new one is placed on its paragraph).
        rules: claim patterns and hedges (:func:`parse_rules`).
    """
    kept = {(p.text, p.words) for s in before.sections for p in s.paragraphs}
    claims: list[Claim] = []
    for paragraph in (p for s in after.sections for p in s.paragraphs):
        if (paragraph.text, paragraph.words) in kept:
            claims += [c for c in before.claims if _claim_in(c, paragraph)]
        else:
            claims += _paragraph_claims(paragraph, transcript, rules)
    return tuple(sorted(dict.fromkeys(claims), key=lambda c: (c.start, c.words)))


def _claim_in(claim: Claim, paragraph: Paragraph) -> bool:
    """Whether ``claim`` is made in ``paragraph``: by its words, or by its times for a claim recorded
    before claims kept their words (``(0, 0)``)."""
    if claim.words == (0, 0):
        return claim.end > paragraph.start and claim.start < paragraph.end
    return _within(claim.words, paragraph.words)


def _within(words: tuple[int, int], span: tuple[int, int]) -> bool:
    return span[0] <= words[0] and words[1] <= span[1]


def _paragraph_claims(paragraph: Paragraph, transcript: Transcript, rules: ClaimRules) -> list[Claim]:
    """The claims of a paragraph's text as it reads now."""
    heard = {s.text.strip(): s for s in transcript.sentences if _within(s.words, paragraph.words)}
    claims = []
    for text in sentences_in(paragraph.text):
        reason = claim_reason(text, rules)
        said = heard.get(text)
        if reason and said is not None:
            claims.append(Claim(text, said.start, said.end, reason, said.words))
        elif reason:
            claims.append(Claim(text, paragraph.start, paragraph.end, reason, paragraph.words))
    return claims


def prose_sentences(draft: Draft, transcript: Transcript, section: int | None = None) -> list[Sentence]:
    """The transcript's sentences that lie within a paragraph of the draft (of section ``section`` only,
    where given): the post's prose, not its headings or what the cleanup left out."""
    chosen = draft.sections if section is None else draft.sections[section : section + 1]
    spans = sorted(p.words for s in chosen for p in s.paragraphs)
    starts = [first for first, _ in spans]
    inside = []
    for sentence in transcript.sentences:
        at = bisect_right(starts, sentence.words[0]) - 1
        if at >= 0 and sentence.words[1] <= spans[at][1]:
            inside.append(sentence)
    return inside


def claim_reason(sentence: str, rules: ClaimRules) -> str:
    """Why ``sentence`` is a claim to check, else "": the reasons of its unhedged matches in order, a
    match inside a longer one left out ("100% safe" denies a risk; its "100%" promises nothing more)."""
    if sentence.rstrip().endswith("?"):
        return ""
    compiled, hedge, clause_break = _compiled(rules)
    found = [
        (match.start(), match.end(), reason)
        for reason, pattern in compiled
        for match in pattern.finditer(sentence)
        if not hedge.search(_clause_before(sentence, match.start(), clause_break))
    ]
    kept = [f for f in found if not any(_inside(f, other) for other in found)]
    return "; ".join(dict.fromkeys(reason for _, _, reason in sorted(kept)))


def _inside(match: tuple[int, int, str], other: tuple[int, int, str]) -> bool:
    """Whether ``match`` lies inside the longer match ``other``."""
    return other[0] <= match[0] and match[1] <= other[1] and other[1] - other[0] > match[1] - match[0]


def _clause_before(sentence: str, at: int, clause_break: re.Pattern[str]) -> str:
    """The part of ``sentence`` before ``at`` back to the start of its clause."""
    before = sentence[:at]
    breaks = list(clause_break.finditer(before))
    return before[breaks[-1].end() :] if breaks else before


@lru_cache(maxsize=8)
def _compiled(
    rules: ClaimRules,
) -> tuple[tuple[tuple[str, re.Pattern[str]], ...], re.Pattern[str], re.Pattern[str]]:
    patterns = tuple((reason, _whole_words(p)) for reason, p in rules.patterns)
    hedge = _whole_words("|".join(f"(?:{h})" for h in rules.hedges) or r"(?!x)x")
    words = "|".join(f"(?:{b})" for b in rules.breaks)
    clause_break = re.compile(_PUNCTUATION_BREAK + (f"|{_whole_words(words).pattern}" if words else ""), re.I)
    return patterns, hedge, clause_break


def _whole_words(pattern: str) -> re.Pattern[str]:
    # Not \b: a pattern may start or end in punctuation ("100%", "#1").
    return re.compile(rf"(?<!\w)(?:{pattern})(?!\w)", re.I)
