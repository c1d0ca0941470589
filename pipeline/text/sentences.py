"""Sentence stage: Punkt sentences over timed words, with spoken questions split from their answers.

Where the recogniser lost the punctuation (YouTube's automatic captions have none; tiny.en drops it
on some talks) Punkt returns run-ons of hundreds of words. Any sentence longer than
:data:`LONG_SENTENCE` words is then re-split where a new sentence most likely starts, scored from
what the words still carry: the pause before a word, a capital the recogniser kept mid-sentence
("...the tube Spent..."), an opener ("so", "now", "okay", a question's "how do"), and a word
before it that cannot end a sentence ("the", "of", "and"). A piece is cut while a strong cut exists,
and always until none is over :data:`MAX_WORDS` words. A talk that kept its punctuation has its
sentences over :data:`MAX_WORDS` words cut only at their own clause punctuation, never mid-clause.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import replace
from functools import lru_cache
from typing import TYPE_CHECKING

from video2blog.pipeline.schema import Sentence, Transcript, Word
from video2blog.pipeline.text.lexicon import word_classes
from video2blog.pipeline.text.spoken import (
    AUXILIARIES,
    MAX_QUESTION_WORDS,
    MIN_HEADING_WORDS,
    WH_WORDS,
    heading_kind,
    opens_like_question,
    subject_before_aux,
)
from video2blog.pipeline.text.tagger import tag_sentence
from video2blog.pipeline.textutil import NUMBER_WORDS, bare, join_words, word_list

if TYPE_CHECKING:
    from nltk.tokenize.punkt import PunktSentenceTokenizer

# A spoken question that Whisper ran into its answer is split at a pause at least this long...
MIN_QUESTION_PAUSE = 0.3
# ...and at least this many times the sentence's median gap between words.
PAUSE_RATIO = 2.5
# The shortest question ("Does it hurt?"), in every language and stage: a piece cut from a run-on
# keeps at least this many words, and a question found in a section's opening heads it from this many.
MIN_QUESTION_WORDS = 3
# Re-splitting run-ons (lost punctuation: fewer than one sentence end per LONG_SENTENCE words; else
# only sentences over MAX_WORDS): a sentence longer than LONG_SENTENCE words is cut, and its
# pieces longer than PIECE_WORDS again, where a cut scores at least CUT_SCORE; pieces longer than
# MAX_WORDS are cut at their best cut whatever its score (in a talk that kept its punctuation, only
# after a clause's comma, semicolon or colon); no piece is shorter than MIN_PIECE words.
LONG_SENTENCE = 24
PIECE_WORDS = 12
MAX_WORDS = 40
MIN_PIECE = 4
# ...unless long pauses close it on both sides (a title read out: "aftercare at home").
MIN_SHORT_PIECE = 2
CUT_SCORE = 0.6
# A spoken heading of up to MAX_HEAD_WORDS words opening a re-split piece is cut from the answer
# after it (at least MIN_HEAD_ANSWER words) where the cut scores at least HEAD_CUT.
MAX_HEAD_WORDS = 12
MIN_HEAD_ANSWER = 6
HEAD_CUT = 0.4
# A pause this long (or this many times the talk's median gap between words) scores PAUSE_WEIGHT.
FULL_PAUSE = 0.5
PAUSE_WEIGHT = 1.2
# A word held this much longer than its neighbours' pace (final lengthening) scores LENGTH_WEIGHT.
FULL_LENGTHENING = 0.3
LENGTH_WEIGHT = 1.0
PACE_REACH = 6
SAME_DURATION = 0.005
HELD_PAUSE = True
CAPITAL_WEIGHT = 0.9
OPENER_WEIGHT = 0.7
# A cut just after a comma or after a word that cannot end a sentence is unlikely.
COMMA_PENALTY = 0.6
DANGLING_PENALTY = 1.5
OPENERS = word_list("sentence_openers.txt")
# Words a sentence does not end on: articles, prepositions, conjunctions, possessives, auxiliaries.
DANGLING = word_list("dangling_words.txt")
# Verbs a wh-clause follows inside a sentence ("explain what happens", "know how long").
REPORTING = word_list("reporting_verbs.txt")
# Subjects that often open a sentence: a weak cue, enough to place a cut forced by length.
SUBJECT_OPENERS = word_list("subject_openers.txt")
SUBJECT_WEIGHT = 0.3
# Capitalised mid-sentence for reasons other than a lost full stop.
ALWAYS_CAPITAL = word_list("always_capital.txt")
# A clock time's "a.m."/"p.m." ends a sentence only where the next word is capitalised ("at 5 p.m. We
# close", not "at 2:30 p.m. on Monday"). Punkt cannot be told so: without them as abbreviations it cuts
# after every one, and with them after none (it has no case statistics for the next word).
CLOCK_MARKS = ("a.m.", "p.m.")
# A run-on is never cut inside a quantity: before a unit after its number ("2.5 mm"), or a word going on
# with the quantity ("120 to 150 mg", "0.5 mg per kilogram").
QUANTITY_LINKS = word_list("quantity_links.txt")
# An abbreviation Punkt keeps whole ("Dr. Patel") ends a sentence where the speaker stopped after it
# for this long and a capitalised word that is no name follows: "Thanks for being here, Dr. [pause]
# Thanks for having me." (A pause alone does not tell: speakers pause after "Dr." before a name too.)
ABBREVIATION_END_PAUSE = 0.5
# Words read after the abbreviation to tell a name from a sentence's opening word.
NAME_CONTEXT = 4


@lru_cache(maxsize=1)
def _punkt() -> PunktSentenceTokenizer:
    from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer  # 0.3 s: textutil._stemmer

    params = PunktParameters()
    params.abbrev_types = set(word_list("abbreviations.txt"))
    return PunktSentenceTokenizer(params)


def split_sentences(transcript: Transcript) -> Transcript:
    """Group a transcript's words into timed sentences.

    Punkt (with the project's own abbreviation list) finds sentence ends from
    punctuation; a sentence that opens like a question and holds a clear pause
    is split there, since Whisper often runs a spoken question into its answer.

    Args:
        transcript: words from an engine or caption file; existing sentences are ignored.

    Returns:
        A new transcript with ``sentences`` covering every word exactly once, in order.
    """
    words = transcript.words
    typical_gap = _typical_gap(words)
    spans = _punkt_ranges(words)
    longest = LONG_SENTENCE if _punctuation_lost(words, spans) else MAX_WORDS
    sentences = [
        make_sentence(words, span, question=asked, resplit=resplit)
        for punkt_span in spans
        for cut_piece, resplit in _resplit(words, punkt_span, typical_gap, longest)
        for piece in (_head_split(words, cut_piece, typical_gap) if resplit else [cut_piece])
        for span, asked in _split_run_on(words, piece)
    ]
    return replace(transcript, sentences=tuple(sentences))


def make_sentence(
    words: tuple[Word, ...], span: tuple[int, int], question: bool = False, resplit: bool = False
) -> Sentence:
    """A sentence over ``words[span[0]:span[1]]``, timed from its words.

    ``question`` marks a question split from a run-on; it gets the ``?`` Whisper left out.
    ``resplit`` marks a piece cut from a run-on; it gets a full stop (or a question mark, where it
    opens like a question) if it has no end mark, so later stages read it as a sentence.
    """
    first, last = span
    chunk = words[first:last]
    text = join_words([w.text for w in chunk])
    if question:
        text = text.rstrip(",;:") + "?"
    elif resplit and not text.endswith((".", "?", "!")):
        asks = len(chunk) <= MAX_QUESTION_WORDS and _asks(chunk)
        text = text.rstrip(",;:") + ("?" if asks else ".")
    return Sentence(text=text, start=chunk[0].start, end=chunk[-1].end, words=span)


def _typical_gap(words: tuple[Word, ...]) -> float:
    gaps = [b.start - a.end for a, b in zip(words, words[1:])]
    return max(statistics.median(gaps), 0.02) if gaps else 0.02


def _punctuation_lost(words: tuple[Word, ...], spans: list[tuple[int, int]]) -> bool:
    """Whether the recogniser left fewer sentence ends than one per :data:`LONG_SENTENCE` words."""
    return len(spans) * LONG_SENTENCE < len(words)


def _resplit(
    words: tuple[Word, ...], span: tuple[int, int], typical_gap: float, longest: int
) -> list[tuple[tuple[int, int], bool]]:
    """A Punkt sentence, or the pieces of a run-on longer than ``longest`` words, marked re-split or not.

    ``longest`` is :data:`LONG_SENTENCE` where the talk lost its punctuation, else :data:`MAX_WORDS`
    (a long sentence the recogniser punctuated is usually one).
    """
    first, last = span
    if last - first <= longest:
        return [(span, False)]
    return [(piece, True) for piece in _cut(words, first, last, typical_gap, longest == MAX_WORDS)]


def _cut(
    words: tuple[Word, ...], first: int, last: int, typical_gap: float, punctuated: bool = False
) -> list[tuple[int, int]]:
    """Cut ``words[first:last]`` at its best cut while that is strong enough (or the piece too long).

    In a ``punctuated`` talk only a sentence over :data:`MAX_WORDS` is cut, and only at its own
    clause punctuation ("..., and that is why we use it"), never inside a clause ("...we use. It
    for...", "...in older patients. Who have tried...").
    """
    if last - first <= (MAX_WORDS if punctuated else PIECE_WORDS):
        return [(first, last)]
    inside = range(first + MIN_SHORT_PIECE, last - MIN_SHORT_PIECE + 1)
    cuts = [i for i in inside if _piece_ok(words, first, i) and _piece_ok(words, i, last)]
    cuts = [i for i in cuts if not _inside_quantity(words, i)] or cuts  # a piece too long is cut anyway
    if punctuated:
        cuts = [i for i in cuts if words[i - 1].text.endswith((",", ";", ":"))]
    choices = [(cut_score(words, i, typical_gap), i) for i in cuts]
    if not choices:
        return [(first, last)]
    best, at = max(choices, key=lambda c: (c[0], -abs(c[1] - (first + last) / 2)))
    if best < CUT_SCORE and last - first <= MAX_WORDS:
        return [(first, last)]
    return _cut(words, first, at, typical_gap, punctuated) + _cut(words, at, last, typical_gap, punctuated)


def _head_split(words: tuple[Word, ...], span: tuple[int, int], typical_gap: float) -> list[tuple[int, int]]:
    """A re-split piece that opens with a spoken question run into its answer, cut after the question.

    The question ("why do i have to do exercises at home", :func:`.spoken.heading_kind`) has from
    :data:`.spoken.MIN_HEADING_WORDS` to :data:`MAX_HEAD_WORDS` words, at least
    :data:`MIN_HEAD_ANSWER` words follow it, and the cut after it scores at least :data:`HEAD_CUT`
    (a pause or a drawn-out last word); the best such cut is taken.
    """
    first, last = span
    reach = range(first + MIN_HEADING_WORDS, min(last - MIN_HEAD_ANSWER, first + MAX_HEAD_WORDS) + 1)
    choices = []
    for cut in reach:
        said = join_words([w.text for w in words[first:cut]]).rstrip(".?!,;:")
        if heading_kind(said + ".") == "question" and not _inside_quantity(words, cut):
            choices.append((cut_score(words, cut, typical_gap), cut))
    best = max(choices, default=None)
    if best is None or best[0] < HEAD_CUT:
        return [span]
    return [(first, best[1]), (best[1], last)]


def _inside_quantity(words: tuple[Word, ...], index: int) -> bool:
    """Whether a cut before ``words[index]`` falls inside a quantity: after a number, its unit (a
    lower-case word the lexicon does not know: "mm", "mg") or a :data:`QUANTITY_LINKS` word ("120 to
    150"); after a number and its unit, a link ("0.5 mg per kilogram")."""
    word, link = bare(words[index].text), bare(words[index].text) in QUANTITY_LINKS
    if _number(words[index - 1].text):
        return link or (words[index].text[:1].islower() and not word_classes(word))
    return link and index >= 2 and _number(words[index - 2].text)


def _number(text: str) -> bool:
    return bool(_FIGURE.fullmatch(text.rstrip(",;:"))) or bare(text) in NUMBER_WORDS


_FIGURE = re.compile(r"[$£€]?\d[\d.,]*%?")


def _asks(words: tuple[Word, ...]) -> bool:
    """A wh-question's opening ("how do", "what is"): a lone auxiliary ("is", "do") is too common
    inside sentences to mark one where punctuation was lost."""
    said = [bare(w.text) for w in words[:5]]
    if not said or said[0] not in WH_WORDS or not opens_like_question([w.text for w in words]):
        return False
    if said[0] in ("when", "where") and said[1:2] and said[1] not in AUXILIARIES:
        return False  # "when you are outside" opens a clause, "when should we..." asks
    return not subject_before_aux(said, without_aux=True)  # "what you need is" is no question


def _piece_ok(words: tuple[Word, ...], first: int, last: int) -> bool:
    """Whether ``words[first:last]`` may stand as a piece of a re-split run-on."""
    return last - first >= MIN_PIECE or (_paused(words, first) and _paused(words, last))


def _paused(words: tuple[Word, ...], index: int) -> bool:
    """Whether a long pause (or the talk's edge) comes before ``words[index]``, counting the time
    the word before it was drawn out (:func:`lengthening`)."""
    if index <= 0 or index >= len(words):
        return True
    held = max(0.0, lengthening(words, index - 1)) if HELD_PAUSE else 0.0
    return words[index].start - words[index - 1].end + held >= FULL_PAUSE


def cut_score(words: tuple[Word, ...], index: int, typical_gap: float = 0.02) -> float:
    """How likely a new sentence starts at ``words[index]`` where the punctuation was lost."""
    before, word = words[index - 1], words[index]
    pause = word.start - before.end
    score = PAUSE_WEIGHT * min(1.0, pause / max(FULL_PAUSE, 4 * typical_gap))
    score += LENGTH_WEIGHT * min(1.0, max(0.0, lengthening(words, index - 1) / FULL_LENGTHENING))
    lowered = bare(word.text)
    if word.text[:1].isupper() and lowered not in ALWAYS_CAPITAL and not before.text.endswith(","):
        score += CAPITAL_WEIGHT
    if lowered in OPENERS or _asks(words[index : index + 4]):
        score += OPENER_WEIGHT
    elif lowered in SUBJECT_OPENERS:
        score += SUBJECT_WEIGHT
    if before.text.endswith((",", ";", ":")):
        score -= COMMA_PENALTY
    if bare(before.text) in DANGLING or (lowered in WH_WORDS and bare(before.text) in REPORTING):
        score -= DANGLING_PENALTY
    return score


def lengthening(words: tuple[Word, ...], index: int) -> float:
    """Seconds ``words[index]`` lasts beyond its length (in characters) at the pace of the words
    around it.

    Speakers draw out the last word of a sentence. Caption files, which spread each cue's time over
    its words by their length, show it only where the pace changes between cues; words that all
    last the same (no timing to read) show none.
    """
    near = words[max(0, index - PACE_REACH) : index + PACE_REACH]
    durations = [w.end - w.start for w in near]
    if max(durations) - min(durations) < SAME_DURATION:
        return 0.0
    pace = statistics.median(d / max(len(bare(w.text)), 1) for d, w in zip(durations, near))
    word = words[index]
    return (word.end - word.start) - pace * max(len(bare(word.text)), 1)


def _punkt_ranges(words: tuple[Word, ...]) -> list[tuple[int, int]]:
    if not words:
        return []
    offsets, pos = [], 0
    for w in words:
        offsets.append(pos)
        pos += len(w.text) + 1
    text = " ".join(w.text for w in words)
    starts = sorted({_word_at(offsets, s) for s, _ in _punkt().span_tokenize(text)} | {0})
    starts = sorted({*starts, *(i for i in range(1, len(words)) if _said_after_abbreviation(words, i))})
    starts = [s for s in starts if not _time_goes_on(words, s)]
    starts = [s for s in starts if not _goes_on_after_stop(words, s)]
    return list(zip(starts, starts[1:] + [len(words)]))


def sentences_in(text: str) -> list[str]:
    """The sentences of written ``text`` (a paragraph of the post) as :func:`split_sentences` finds them
    from punctuation: "Dr. Patel" and "e.g. on Mondays" stay whole, as a split at every ". " would not."""
    words = tuple(Word(t, 0.0, 0.0, 1.0) for t in text.split())
    return [" ".join(w.text for w in words[first:last]) for first, last in _punkt_ranges(words)]


def _time_goes_on(words: tuple[Word, ...], index: int) -> bool:
    """Whether word ``index`` goes on in lower case after a clock time's "a.m."/"p.m.": no sentence end."""
    # Whisper may give the mark as two words ("8", "p", ".m.").
    said = "".join(w.text for w in words[max(0, index - 2) : index]).lower()
    after_time = index > 0 and said.endswith(CLOCK_MARKS)
    return after_time and not words[index].text[:1].isupper()


def _goes_on_after_stop(words: tuple[Word, ...], index: int) -> bool:
    """Whether word ``index``, a lower-case word or a number, goes on the sentence after a full stop that
    Punkt took for an end but that closes an abbreviation: a word with a dot inside it ("b.i.d. or
    p.r.n. and", "the U.S. guideline") or a unit after a number ("1 tsp. of the syrup"). After any
    other word a lower-case word is the recogniser's own end, which YouTube's captions often leave
    uncapitalised ("clear the error code. and tap the...")."""
    word = words[index].text
    if index == 0 or not (word[:1].islower() or word[:1].isdigit()):
        return False
    before = words[index - 1].text
    if not before.endswith(".") or before.endswith(".."):
        return False
    after_number = index > 1 and bare(words[index - 2].text)[:1].isdigit() and bare(before).isalpha()
    return "." in before.strip(".") or after_number


def _said_after_abbreviation(words: tuple[Word, ...], index: int) -> bool:
    """Whether word ``index`` opens a sentence after an abbreviation Punkt keeps whole: a pause of at
    least :data:`ABBREVIATION_END_PAUSE` after it (words without timing never have one), then a
    capitalised word that is no name (:func:`_names_someone`)."""
    before = words[index - 1].text.lower()
    if not before.endswith(".") or before[:-1] not in word_list("abbreviations.txt"):
        return False
    paused = words[index].start - words[index - 1].end >= ABBREVIATION_END_PAUSE
    return paused and words[index].text[:1].isupper() and not _names_someone(words, index)


def _names_someone(words: tuple[Word, ...], index: int) -> bool:
    """Whether word ``index`` reads as a name: the tagger takes it for a proper noun in the words after
    it ("Sarah Patel, an orthopedic surgeon"), or the lexicon does not know it ("Patel, thank you");
    not "Thanks for having me", "How long does...", "What causes..."."""
    tagged = tag_sentence(" ".join(w.text for w in words[index : index + NAME_CONTEXT]))
    word = bare(words[index].text)
    proper = bool(tagged) and tagged[0][1] == "PROPN"
    return proper or not (word_classes(word) or word in word_list("stopwords.txt"))


def _word_at(offsets: list[int], char: int) -> int:
    lo, hi = 0, len(offsets) - 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if offsets[mid] <= char:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _split_run_on(words: tuple[Word, ...], span: tuple[int, int]) -> list[tuple[tuple[int, int], bool]]:
    first, last = span
    if last - first < 2 * MIN_QUESTION_WORDS or not opens_like_question([w.text for w in words[first:last]]):
        return [(span, False)]
    if words[last - 1].text.endswith("?"):
        return [(span, False)]
    cut = _question_cut(words, first, last)
    return [(span, False)] if cut is None else [((first, cut), True), ((cut, last), False)]


def _question_cut(words: tuple[Word, ...], first: int, last: int) -> int | None:
    gaps = [(words[i].start - words[i - 1].end, i) for i in range(first + 1, last)]
    median = statistics.median(g for g, _ in gaps)
    allowed = [(g, i) for g, i in gaps if first + MIN_QUESTION_WORDS <= i <= last - 2]
    if not allowed:
        return None
    gap, cut = max(allowed)
    if any(w.text.endswith(",") for w in words[first : cut - 1]):
        return None  # a clause with commas before the pause reads as a statement
    if gap >= MIN_QUESTION_PAUSE and gap >= PAUSE_RATIO * max(median, 0.02):
        return cut
    return None
