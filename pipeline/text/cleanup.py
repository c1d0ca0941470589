"""Cleanup stage: turn spoken sentences into written ones, recording every word left out."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from video2blog.pipeline.schema import Removal, Sentence, Word
from video2blog.pipeline.textutil import (
    ATTACHED_MARKS,
    NUMBER_WORDS,
    PERCENT,
    bare,
    has_catalogue,
    join_words,
    word_list,
)

if TYPE_CHECKING:
    from video2blog.pipeline.text.locales import Fillers

# Doubled words that are usually emphasis, not a stutter ("really, really helpful").
EMPHASIS = word_list("emphasis_words.txt")
# Words said twice on purpose ("I know that that helps", "we had had two").
DOUBLES = word_list("double_words.txt")
# "I" and its contractions are those of the first-person words that start with an "i".
FIRST_PERSON = word_list("first_person.txt")
TERMINAL = ".?!"
# Marks that end a sentence: those, and other scripts' (an ellipsis, the CJK full stop and marks, the Arabic
# question mark, the Devanagari danda), after which no full stop is added.
ENDS = TERMINAL + "…。！？؟।"
# Marks that end a question: "?", the fullwidth and the Arabic one (Greek's, ";": :func:`question_marks`).
QUESTION_MARKS = "?？؟"
# Marks after which the next word starts a new sentence or clause: a word said again there is no stutter.
SENTENCE_BREAKS = (".", "?", "!", ";", ":")
# Closing quotes and brackets, which may follow a sentence's end mark ('said, "why?"').
CLOSERS = "\"')]”’"
# The recogniser's space before a mark ("0 .5mg", "it , works"), or before a number's percent sign ("20 %").
_SPACE_BEFORE_PUNCT = re.compile(rf"\s+(?=[{re.escape(ATTACHED_MARKS)}])|(?<=\d)\s+(?={PERCENT})")


@dataclass(frozen=True)
class CleanSentence:
    """A sentence as written in the post, and the words it left out."""

    text: str
    removals: tuple[Removal, ...]


def clean_sentence(
    words: tuple[Word, ...],
    sentence: Sentence,
    verbatim: bool = False,
    merged: Mapping[int, str] | None = None,
    language: str = "en",
) -> CleanSentence:
    """Write one spoken sentence as prose.

    Fillers (um, uh, "you know", "I mean", filler "like"), stutters ("the the",
    "I think I think") and false starts ("keta- ketamine") are dropped and recorded;
    a lone "i" becomes "I"; the rest is capitalised and given an end mark. With
    ``verbatim`` every word is kept.

    Args:
        words: the transcript's words (glossary corrections already applied).
        sentence: the sentence to write.
        verbatim: keep every word as spoken.
        merged: words (by transcript index) already accounted for elsewhere, with the
            reason to record, such as words merged into a glossary correction.
        language: the talk's language; other than English, its fillers come from
            ``fillers-<language>.txt`` (see :func:`.locales.filler_positions`).
    """
    first, last = sentence.words
    reasons = {} if verbatim else _removal_reasons(words[first:last], language)
    reasons.update({i - first: r for i, r in (merged or {}).items() if first <= i < last})
    kept = _kept_words(words[first:last], reasons, has_catalogue(language))
    text = _asked_as_found(_punctuate(kept, _end_mark(sentence.text, language)), sentence.text)
    if not text:  # only punctuation or blanks were left: record them, so that no word vanishes unrecorded
        reasons = {k: reasons.get(k, "punctuation") for k in range(last - first)}
    removals = tuple(
        Removal(
            word=first + k,
            text=words[first + k].text,
            reason=r,
            start=words[first + k].start,
            end=words[first + k].end,
        )
        for k, r in sorted(reasons.items())
    )
    return CleanSentence(text=text, removals=removals)


def _kept_words(chunk: tuple[Word, ...], reasons: dict[int, str], first_person: bool = True) -> list[str]:
    """Words kept, dropping the comma that set apart a removed aside ("it, you know, works"); with
    ``first_person``, a lone "i" written "I" (not in Italian, whose "i" is an article)."""
    kept: list[str] = []
    for i, word in enumerate(chunk):
        if i not in reasons:
            kept.append(_first_person(word.text) if first_person else word.text)
        elif word.text.endswith(",") and kept and kept[-1].endswith(","):
            kept[-1] = kept[-1][:-1]
    return kept


def _removal_reasons(chunk: tuple[Word, ...], language: str = "en") -> dict[int, str]:
    texts = [w.text for w in chunk]
    if language != "en":
        return _other_reasons(texts, language)
    reasons: dict[int, str] = {}
    for i in range(len(texts)):
        reason = _word_reason(texts, i)
        if reason:
            reasons[i] = reason
    for i in _filler_phrase_positions(texts):
        reasons.setdefault(i, "filler")
    for i in _repeated_phrase_positions(texts):
        reasons.setdefault(i, "repetition")
    # A filler or false start taken from between two sayings leaves a stutter ("that's, you know,
    # that's okay"): look again in the words left, each with the comma it was said with.
    left = [i for i in range(len(texts)) if i not in reasons]
    if len(left) < len(texts):
        for k in _repetition_positions([texts[i] for i in left]):
            reasons.setdefault(left[k], "repetition")
    return reasons


def _repetition_positions(texts: list[str]) -> list[int]:
    """Positions of the first saying of each word or run said twice in a row, not on purpose."""
    words = [i for i in range(len(texts)) if _repeated(texts, i)]
    return sorted({*words, *_repeated_phrase_positions(texts)})


def _other_reasons(texts: list[str], language: str) -> dict[int, str]:
    """Fillers of a language other than English, stutters and false starts; in a language the stages
    are not made for (:func:`has_catalogue`), its fillers only where a list ships: a word said twice is
    grammar there as often as a stutter (Vietnamese "từ từ", gradually), and a word ending in "-" may
    be written so (German "Vor- und Nachsorge")."""
    from video2blog.pipeline.text.locales import filler_positions

    reasons = dict.fromkeys(filler_positions(texts, language), "filler")
    if not has_catalogue(language):
        return reasons
    for i, text in enumerate(texts):
        if text.endswith("-") and len(text) > 1:
            reasons.setdefault(i, "false_start")
        elif (
            i + 1 < len(texts) and bare(text) and bare(text) == bare(texts[i + 1]) and not text.endswith(",")
        ):
            reasons.setdefault(i, "repetition")
    for i in _repeated_phrase_positions(texts):
        reasons.setdefault(i, "repetition")
    return reasons


def _repeated_phrase_positions(texts: list[str]) -> list[int]:
    """Words of a run of two or three said twice in a row ("I think I think"): the first saying."""
    plain = [bare(t) for t in texts]
    found: set[int] = set()
    for size in (2, 3):
        for i in range(len(plain) - 2 * size + 1):
            first, second = plain[i : i + size], plain[i + size : i + 2 * size]
            if first == second and all(first) and not _deliberate_run(texts[i : i + size], first):
                found.update(range(i, i + size))
    return sorted(found)


def _deliberate_run(said: list[str], words: list[str]) -> bool:
    """A run said again after a sentence end, or a run with a content word said again after a comma
    ("it's hard, it's hard"), is meant; a run of function words is a stutter ("I think, I think")."""
    if said[-1].rstrip(CLOSERS).endswith(SENTENCE_BREAKS):
        return True
    stop = word_list("stopwords.txt")
    return said[-1].endswith(",") and any(w not in stop for w in words)


def _first_person(text: str) -> str:
    """ "i", "i'm", "i've"... as written: upper-case I."""
    return "I" + text[1:] if bare(text) in FIRST_PERSON and text[:1] == "i" else text


def _word_reason(texts: list[str], i: int) -> str | None:
    word = bare(texts[i])
    if word in _english_fillers().always and not _unit(texts, i):
        return "filler"
    if texts[i].endswith("-") and len(texts[i]) > 1:
        return "false_start"
    if word == "like" and _set_apart(texts, i, 1):
        return "filler"
    return "repetition" if _repeated(texts, i) else None


def _repeated(texts: list[str], i: int) -> bool:
    """Whether word i is said again next as a stutter ("the the"), not on purpose (:func:`_deliberate`)."""
    word = bare(texts[i])
    repeated = i + 1 < len(texts) and word and word == bare(texts[i + 1]) and word not in DOUBLES
    return bool(repeated) and not _deliberate(texts[i], word)


def _deliberate(said: str, word: str) -> bool:
    """Whether a word said again right after ``said`` is meant: across a sentence end ("rich in
    platelets. Platelets carry"), or a content word (or emphasis) repeated after a comma
    ("challenging, challenging"; "really, really"), not a stutter ("the the", "I, I")."""
    if said.rstrip(CLOSERS).endswith(SENTENCE_BREAKS):
        return True
    return said.endswith(",") and (word in EMPHASIS or word not in word_list("stopwords.txt"))


def _filler_phrase_positions(texts: list[str]) -> list[int]:
    """Positions of the words of the set-apart filler phrases ("you know") in ``texts``."""
    return phrase_positions(texts, _english_fillers().apart, _filler_apart)


def _filler_apart(texts: list[str], i: int, length: int) -> bool:
    """A set-apart filler, unless it stands between two numbers: there it marks a correction ("$300, I
    mean, $350"), and without it the two would read as one contradictory figure ("$300 $350"). Which
    words the speaker took back cannot be told ("3 to 4, I mean, 5 to 6 weeks"), so none is dropped."""
    between = i > 0 and i + length < len(texts) and _number(texts[i - 1]) and _number(texts[i + length])
    return _set_apart(texts, i, length) and not between


def _unit(texts: list[str], i: int) -> bool:
    """Whether word i, said right after a number with no pause between, is its unit ("2.5 mm"), not a
    filler; one after a comma is a hesitation still ("2, um, 3")."""
    return i > 0 and _number(texts[i - 1]) and not texts[i - 1].endswith((",", *SENTENCE_BREAKS))


def _number(text: str) -> bool:
    return any(ch.isdigit() for ch in text) or bare(text) in NUMBER_WORDS


def phrase_positions(
    texts: list[str], phrases: Iterable[tuple[str, ...]], apart: Callable[[list[str], int, int], bool]
) -> list[int]:
    """Positions of the words of each of ``phrases`` (bare words) said in ``texts`` where ``apart(texts,
    first, length)`` holds: the set-apart fillers of a language."""
    plain = [bare(t) for t in texts]
    found: set[int] = set()
    for phrase in phrases:
        size = len(phrase)
        for i in range(len(plain) - size + 1):
            if tuple(plain[i : i + size]) == phrase and apart(texts, i, size):
                found.update(range(i, i + size))
    return sorted(found)


@cache
def _english_fillers() -> Fillers:
    """The English fillers (``fillers-en.txt``): words always left out, and phrases ("you know") left
    out only where set apart (:func:`_set_apart`)."""
    from video2blog.pipeline.text.locales import fillers

    return fillers("en")


def _set_apart(texts: list[str], i: int, length: int) -> bool:
    """Whether words i..i+length-1 stand between commas, or between the sentence's start and a comma."""
    before = i == 0 or texts[i - 1].endswith(",")
    after = texts[i + length - 1].endswith(",")
    return before and after


def sentence_ends(language: str) -> str:
    """The marks that end a sentence in ``language``: :data:`ENDS`, and in Greek ";" (its question mark,
    which Unicode's NFC writes as a semicolon)."""
    return ENDS + (";" if language == "el" else "")


def question_marks(language: str) -> str:
    """The marks that end a question in ``language``: :data:`QUESTION_MARKS`, and in Greek ";"."""
    return QUESTION_MARKS + (";" if language == "el" else "")


def _end_mark(text: str, language: str) -> str:
    """The mark ``text`` ends with, "." for none: in a talk drafted as heard, its script's own marks too
    (Greek's question mark is ";")."""
    marks = TERMINAL if has_catalogue(language) else sentence_ends(language)
    stripped = text.rstrip()
    return stripped[-1] if stripped and stripped[-1] in marks else "."


def _asked_as_found(text: str, found: str) -> str:
    """``text`` written as a question where the sentence stage found one that the recogniser closed with
    a full stop (a talk not in English: the voice, or the words of a run-on, told it): its "?", and the
    "¿" that opens a Spanish one."""
    if not (text and found.rstrip().endswith("?")):
        return text
    text = text.rstrip(".…") + "?" if text.endswith((".", "…")) else text
    return "¿" + text if found.lstrip().startswith("¿") and not text.startswith("¿") else text


def _punctuate(kept: list[str], end_mark: str) -> str:
    text = _SPACE_BEFORE_PUNCT.sub("", join_words(kept)).strip()
    text = text.lstrip(",;: ").rstrip(",;: ")
    if not text:
        return ""
    if not text.rstrip(CLOSERS).endswith(tuple(ENDS)):  # 'hurt?"' has its mark
        text += end_mark
    return capitalize_first(text)


def capitalize_first(text: str) -> str:
    """Upper-case the first letter, leaving the rest (names, acronyms) as they are. A sentence that
    opens with a number keeps its unit as said ("3 g", not "3 G"), and a word with a capital inside it
    is written as its field writes it ("pH", "eGFR", "mL" would read as other terms capitalised)."""
    for i, ch in enumerate(text):
        if ch.isdigit():
            return text
        if ch.isalpha():
            word = text[i:].split(maxsplit=1)[0]
            if not ch.islower() or any(c.isupper() for c in word[1:]):
                return text
            return text[:i] + ch.upper() + text[i + 1 :]
    return text
