"""What the text stages do for a talk that is not in English (``Transcript.language``, e.g. ``es``).

The English stages lean on English word lists and an English lexicon; for another language they
would make English headings out of Spanish words. So for a language other than English:

- sentences come from Punkt with that language's abbreviations (``abbreviations-<code>.txt``;
  nltk's Punkt parameters for Spanish are not shipped and video2blog never downloads them). Whisper
  base punctuates what it hears, questions included ("¿Duele la inyección?"), so Punkt's sentence
  ends are kept as they are;
- fillers come from ``fillers-<code>.txt`` (see :func:`filler_positions`);
- the topic, title, keywords and generated headings are built from the talk's most used content
  words (``stopwords-<code>.txt`` leaves out function words) and the message catalogue's phrasing
  (``messages-<code>.json``), so no English reaches a Spanish draft.

A language with no catalogue (:func:`~.textutil.has_catalogue`) has none of these lists either: its
draft is the words as heard (:func:`opening_words`, :func:`glossary_keywords`, ``compose._as_heard_draft``).
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from dataclasses import dataclass, replace
from functools import cache
from typing import TYPE_CHECKING

from video2blog.pipeline.schema import Sentence, Transcript, Word
from video2blog.pipeline.text import asked, spoken
from video2blog.pipeline.text.cleanup import CLOSERS, ENDS, phrase_positions, question_marks, sentence_ends
from video2blog.pipeline.text.sentences import (
    MIN_QUESTION_PAUSE,
    MIN_QUESTION_WORDS,
    PAUSE_RATIO,
    make_sentence,
)
from video2blog.pipeline.text.spoken import MAX_QUESTION_WORDS
from video2blog.pipeline.textutil import (
    DESCRIPTION_LIMIT,
    bare,
    glossary_spelling,
    greeting_pattern,
    has_data,
    intro_pattern,
    join_words,
    language_name,
    message,
    outro_pattern,
    terms_said,
    tokens,
    word_list,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

    from nltk.tokenize.punkt import PunktSentenceTokenizer

    from video2blog.pipeline.text.questions import Encode

MIN_TOPIC_LENGTH = 4  # shorter words are rarely a talk's subject
KEYWORDS = 6
# The most characters of a heading or title taken from the words as said (a talk in a language without
# a catalogue): a section's opening words, and any heading (a recogniser's loop is one long "word").
OPENING_LIMIT = 60
HEADING_LIMIT = 100


def has_lists(language: str) -> bool:
    """Whether video2blog ships this language's sentence, filler and stopword lists."""
    return all(has_data(f"{kind}-{language}.txt") for kind in ("abbreviations", "fillers", "stopwords"))


@cache
def _punkt(language: str) -> PunktSentenceTokenizer:
    from nltk.tokenize.punkt import PunktLanguageVars, PunktParameters, PunktSentenceTokenizer  # 0.3 s

    params = PunktParameters()
    name = f"abbreviations-{language}.txt"
    params.abbrev_types = set(word_list(name)) if has_data(name) else set()
    if has_lists(language):
        return PunktSentenceTokenizer(params)

    class Marks(PunktLanguageVars):  # a talk as heard: its script's own sentence marks end a sentence
        sent_end_chars = tuple(m for m in sentence_ends(language) if m != "…")

    return PunktSentenceTokenizer(params, lang_vars=Marks())


@dataclass(frozen=True)
class Piece:
    """Word span of a piece of a sentence; ``read``: its words read as a question (:func:`at_pauses`)."""

    span: tuple[int, int]
    read: bool = False


def split_sentences(transcript: Transcript, encode: Encode | None = None) -> Transcript:
    """Group the words of a talk not in English into timed sentences (Punkt, the language's abbreviations).

    ``encode``: the multilingual sentence encoder (``engines/embed.multilingual_encoder``), with which
    a question run into its answer after a comma is told by its words (:func:`at_pauses`); None leaves
    that to the interrogatives alone.

    Returns:
        A new transcript with ``sentences`` covering every word exactly once, in order.
    """
    words, language = transcript.words, transcript.language
    typical = typical_gap(words)
    sentences = [
        _sentence(words, piece, language, cut=len(pieces) > 1)
        for span in punkt_spans(words, language)
        for pieces in [at_pauses(words, span, typical, language, encode)]
        for piece in pieces
    ]
    return replace(transcript, sentences=tuple(_conditions_joined(words, sentences, typical, language)))


def _conditions_joined(
    words: tuple[Word, ...], sentences: list[Sentence], typical: float, language: str
) -> list[Sentence]:
    """A question of fewer than :data:`~.sentences.MIN_QUESTION_WORDS` words that the next sentence goes on
    as a condition (``condition-words-<code>.txt``), up to a comma and a pause: one question, then its
    answer ("¿Qué pasa? Si nos saltamos una dosis, no hace falta..." -> "¿Qué pasa si nos saltamos una
    dosis?" "no hace falta...")."""
    out: list[Sentence] = []
    for sentence in sentences:
        before = out[-1] if out else None
        cut = _condition_end(words, before, sentence, typical, language) if before else None
        if before is None or cut is None:
            out.append(sentence)
            continue
        out[-1] = _joined_question(words, before, cut, language)
        out.append(make_sentence(words, (cut, sentence.words[1]), resplit=True))
    return out


def _condition_end(
    words: tuple[Word, ...], question: Sentence, sentence: Sentence, typical: float, language: str
) -> int | None:
    """Where the condition that goes on ``question`` ends in ``sentence`` (the word after its comma), or
    None where ``question`` is no short question or ``sentence`` no condition."""
    name = f"condition-words-{language}.txt"
    first, last = sentence.words
    short = question.words[1] - question.words[0] < MIN_QUESTION_WORDS and question.text.endswith("?")
    if not (short and has_data(name) and bare(words[first].text) in word_list(name)):
        return None
    ends = (i for i in range(first + 1, last - MIN_QUESTION_WORDS + 1) if words[i - 1].text.endswith(","))
    return next((i for i in ends if sentence_pause(words, i, typical)), None)


def _joined_question(words: tuple[Word, ...], question: Sentence, cut: int, language: str) -> Sentence:
    texts = [w.text for w in words[question.words[0] : cut]]
    k = question.words[1] - question.words[0]
    texts[k - 1] = texts[k - 1].rstrip("?")
    texts[k] = texts[k][:1].lower() + texts[k][1:]
    text = join_words(texts).rstrip(",")
    written = f"¿{text.lstrip('¿')}?" if language == "es" else text + "?"
    return replace(make_sentence(words, (question.words[0], cut)), text=written)


def typical_gap(words: tuple[Word, ...]) -> float:
    """The median pause between two words of a talk (at least 20 ms)."""
    gaps = [b.start - a.end for a, b in zip(words, words[1:])]
    return max(statistics.median(gaps), 0.02) if gaps else 0.02


def at_pauses(
    words: tuple[Word, ...],
    span: tuple[int, int],
    typical: float,
    language: str,
    encode: Encode | None = None,
) -> list[Piece]:
    """A sentence cut where a spoken question ran into its answer, at the pause between them.

    Whisper sometimes writes a comma there ("Duele la inyección, el pinchazo dura..."). A pause at
    least :data:`~.sentences.MIN_QUESTION_PAUSE` long and :data:`~.sentences.PAUSE_RATIO` times the
    talk's typical gap between words, after a comma or no mark, cuts where the piece before opens with an
    interrogative (``question-words-<code>.txt``), or the piece after does, or (after a comma, the
    sentence's opening piece, as long as a question) where its words read as a patient's question
    (:func:`~.asked.reads_run_on`: "Puedo tomar café si soy hipertenso, una o dos tazas...", or less
    surely where "Sí," / "No," answers it, if the model carries an ``answered_floor``); every
    piece keeps :data:`~.sentences.MIN_QUESTION_WORDS` words. Pauses at commas inside a statement
    (espeak-ng and people pause there too) are left alone.
    """
    first, last = span
    kept: list[int] = []
    read = False  # the opening piece was cut because its words read as a question
    for cut in range(first + MIN_QUESTION_WORDS, last - MIN_QUESTION_WORDS + 1):
        start = kept[-1] if kept else first
        if cut - start < MIN_QUESTION_WORDS or not sentence_pause(words, cut, typical):
            continue
        before = join_words([w.text for w in words[start:cut]])
        after = join_words([w.text for w in words[cut : cut + 2]])
        if _opens_question(before, language, unaccented=True) or _opens_question(after, language):
            kept.append(cut)
        elif start == first and _reads_as_question(words, (start, cut), encode, language):
            kept.append(cut)
            read = True
    bounds = [first, *kept, last]
    return [Piece((a, b), read and a == first) for a, b in zip(bounds, bounds[1:])]


def _reads_as_question(
    words: tuple[Word, ...], span: tuple[int, int], encode: Encode | None, language: str
) -> bool:
    """Whether a sentence's opening piece, closed by a comma, reads as a question (see :func:`at_pauses`):
    by its words, at a lower bar where "Sí," / "No," follows (:func:`~.asked.reads_run_on`)."""
    first, cut = span
    fits = words[cut - 1].text.endswith(",") and cut - first <= MAX_QUESTION_WORDS
    return fits and asked.reads_run_on(words, span, encode, language)


def sentence_pause(words: tuple[Word, ...], i: int, typical: float) -> bool:
    """Whether a sentence could end before word ``i``: no end mark, and a pause as long as one."""
    ends = words[i - 1].text.endswith((".", "?", "!", ";", ":"))
    return not ends and _pause(words, i) >= max(MIN_QUESTION_PAUSE, PAUSE_RATIO * typical)


def _pause(words: tuple[Word, ...], i: int) -> float:
    return words[i].start - words[i - 1].end


def _sentence(words: tuple[Word, ...], piece: Piece, language: str, cut: bool) -> Sentence:
    """A sentence; a piece cut at a pause ends with a full stop, or is a question where it opens with an
    interrogative or its words read as one (``piece.read``), as is a sentence of at most
    :data:`MAX_QUESTION_WORDS` words that Whisper ended with a full stop and that opens with one, or that
    the language's spoken-question model (:mod:`.asked`: the voice staying up at its end) takes for a
    question."""
    span = piece.span
    sentence = make_sentence(words, span)
    text = sentence.text.rstrip(",;: ")
    asks = piece.read or _opens_question(text, language, unaccented=cut)
    if not (asks or cut) and left_to_the_voice(text, language):
        asks = bool(asked.asks(words, span, language))
    asks = asks and span[1] - span[0] <= MAX_QUESTION_WORDS
    if sentence.text.endswith(("?", "!")) or not (cut or (asks and text.endswith("."))):
        return sentence
    text = text.rstrip(".")
    return replace(
        sentence, text=f"¿{text.lstrip('¿')}?" if asks and language == "es" else text + ("?" if asks else ".")
    )


def left_to_the_voice(text: str, language: str) -> bool:
    """Whether a whole sentence is one the spoken-question model decides: the recogniser closed it with a
    full stop, it opens with no interrogative (a yes/no question, or a statement), and it is as long as a
    question (:data:`~.sentences.MIN_QUESTION_WORDS` to :data:`MAX_QUESTION_WORDS` words: "Muchas
    gracias." is none). A greeting ("Hola, soy la doctora Ruiz.", the language's greetings file) asks
    nothing, however the voice ends it."""
    length = len(text.split())
    short_enough = MIN_QUESTION_WORDS <= length <= MAX_QUESTION_WORDS
    return (
        short_enough
        and text.endswith(".")
        and not _opens_question(text, language)
        and not _greets(text, language)
    )


def _greets(text: str, language: str) -> bool:
    greeting = greeting_pattern(language)
    return greeting is not None and bool(greeting.search(text))


def _opens_question(text: str, language: str, unaccented: bool = False) -> bool:
    """Whether ``text`` opens with an interrogative (``question-words-<code>.txt``).

    With ``unaccented`` (a piece cut at a pause after a comma), also one the recogniser wrote without its
    accent ("Cuando debo empezar", "Por que me pica"), unless a clause's subject follows it
    (``subject-words-<code>.txt``: "Cuando las cerdas se abren" is a statement's opening clause).
    """
    name = f"question-words-{language}.txt"
    first = tokens(text)[:3]
    if not has_data(name):
        return False
    if any(" ".join(first[:n]) in word_list(name) for n in (1, 2) if len(first) >= n):
        return True
    return unaccented and _unaccented_question(first, language)


def _unaccented_question(first: list[str], language: str) -> bool:
    folded = [asked.fold(t) for t in first]
    interrogatives, subjects = (
        asked.folded_list(f"question-words-{language}.txt"),
        f"subject-words-{language}.txt",
    )
    for n in (2, 1):
        if len(folded) > n and " ".join(folded[:n]) in interrogatives:
            return not (has_data(subjects) and first[n] in word_list(subjects))
    return False


def punkt_spans(words: tuple[Word, ...], language: str) -> list[tuple[int, int]]:
    """Word-index spans of Punkt's sentences: each word belongs to the sentence its first character is in."""
    punkt = _punkt(language)
    text, starts = "", []
    for word in words:
        text += " " if text else ""
        starts.append(len(text))
        text += word.text
    ends = [end for _, end in punkt.span_tokenize(text)]
    spans, first, k = [], 0, 0
    for i, start in enumerate(starts):
        while k < len(ends) - 1 and start >= ends[k]:
            k += 1
            if i > first:
                spans.append((first, i))
                first = i
    if first < len(words):
        spans.append((first, len(words)))
    return spans


@dataclass(frozen=True)
class Fillers:
    """A language's fillers: words always removed, and phrases removed only where set apart by commas."""

    always: frozenset[str]
    apart: tuple[tuple[str, ...], ...]


@cache
def fillers(language: str) -> Fillers:
    """The fillers of ``fillers-<language>.txt`` (none for a language without the file)."""
    name = f"fillers-{language}.txt"
    entries = word_list(name) if has_data(name) else frozenset()
    apart = sorted((tuple(bare(e[1:]).split()) for e in entries if e.startswith("~")), key=len, reverse=True)
    return Fillers(frozenset(bare(e) for e in entries if not e.startswith("~")), tuple(apart))


def filler_positions(texts: list[str], language: str) -> list[int]:
    """Positions of the words of ``texts`` (one sentence) that are fillers in ``language``.

    A set-apart filler stands between commas, or between the sentence's start and a comma, or
    between a comma and the sentence's end.
    """
    known = fillers(language)
    found = [i for i, t in enumerate(texts) if bare(t) in known.always]
    return sorted({*found, *phrase_positions(texts, known.apart, _apart)})


def _apart(texts: list[str], i: int, size: int) -> bool:
    before = i == 0 or texts[i - 1].endswith(",")
    return before and (texts[i + size - 1].endswith(",") or i + size == len(texts))


def content_words(text: str, language: str) -> list[str]:
    """The words of ``text`` that carry meaning: no function words, no short words, no numbers."""
    stop = word_list(f"stopwords-{language}.txt") if has_data(f"stopwords-{language}.txt") else set()
    return [w for w in tokens(text) if len(w) >= MIN_TOPIC_LENGTH and w not in stop and not w.isdigit()]


def talked(text: str, language: str) -> str:
    """``text`` less the greeting and agenda it opens with and the courtesies it closes with ("Hola, soy la
    doctora...", "Hoy respondo a..."; "Muchas gracias y hasta pronto": ``intro_phrases``, ``greetings`` and
    ``outros`` of the language), as :func:`describe` passes over the intro; all of it where nothing else
    is said."""
    patterns = [p for p in (intro_pattern(language), outro_pattern(language)) if p is not None]
    sentences = _punkt(language).tokenize(text)
    said = [not any(p.search(sentence) for p in patterns) for sentence in sentences]
    if True not in said:
        return text
    first, last = said.index(True), len(said) - said[::-1].index(True)
    return " ".join(sentences[first:last])


def keywords(text: str, language: str, limit: int = KEYWORDS, terms: Sequence[str] = ()) -> list[str]:
    """The most used content word of ``text`` (the talk's subject), then the clinic's glossary ``terms``
    the talk says, as the glossary spells them, then the other content words by use (ties by first use);
    the greeting and closing courtesies (:func:`talked`) are not counted."""
    text = talked(text, language)
    ranked = [w for w, _ in Counter(content_words(text, language)).most_common()]
    said = terms_said(terms, text)
    spelled = glossary_spelling(terms)
    glossary = sorted(said, key=lambda t: -said[t])
    inside = {w for t in glossary for w in t.split()}  # "infiltración" of "infiltración epidural"
    chosen = [*ranked[:1], *glossary, *(w for w in ranked[1:] if w not in inside)]
    return [spelled.get(w, w) for w in dict.fromkeys(chosen)][:limit]


def make_title(topic: str, asked: bool, language: str) -> str:
    """The post's title in ``language``: the topic with the catalogue's phrasing."""
    if not topic:
        return message(language, "title_none")
    subject = topic[:1].upper() + topic[1:]
    return message(language, "title_asked" if asked else "title_plain", subject=subject)


def generated_heading(text: str, language: str, used: list[str]) -> str:
    """A heading for a section no heading was spoken for: its two most used content words."""
    words = keywords(text, language, limit=4)
    for first, second in zip(words, words[1:]):
        heading = f"{first.capitalize()} {message(language, 'and')} {second}"
        if heading not in used:
            return heading
    return message(language, "heading_about", subject=words[0] if words else join_words(text.split()[:3]))


def as_heard_note(language: str) -> str:
    """What a draft in a language video2blog is not made for (:func:`~.textutil.has_catalogue`) is."""
    return message(language, "note_as_heard", name=language_name(language))


def as_heard_warning(language: str) -> str:
    """The terminal's line for a draft :func:`as_heard_note` describes (English: the operator's)."""
    made = "video2blog's text stages are made for English and Spanish"
    return f"{language_name(language)}: drafted as heard; {made} (see the note in draft.json)"


def opening_words(text: str, limit: int = OPENING_LIMIT) -> str:
    """The first sentence of ``text``, cut at a word within ``limit`` characters ("Alors, le meilleur
    moment est en…"): a heading of the words as said, in any language."""
    sentences = _punkt("xx").tokenize(text)
    return shortened(sentences[0] if sentences else text, limit)


def shortened(text: str, limit: int = HEADING_LIMIT) -> str:
    """``text`` within ``limit`` characters, cut at a word ("…" where cut)."""
    return text if len(text) <= limit else _shortened(text, limit)


def glossary_keywords(text: str, terms: Sequence[str]) -> list[str]:
    """The clinic's glossary ``terms`` that ``text`` says, most said first, as the glossary spells them:
    a talk's keywords where no list of its language's function words tells its content words."""
    said, spelled = terms_said(terms, text), glossary_spelling(terms)
    return [spelled[t] for t in sorted(said, key=lambda t: -said[t])][:KEYWORDS]


def describe(prose: list[str], intro: re.Pattern[str] | None = None, limit: int = DESCRIPTION_LIMIT) -> str:
    """A meta description: the talk's first one or two sentences within ``limit`` characters, past a
    greeting or agenda (``intro``: "Hola, soy la doctora...", "Hoy respondo a...") where another follows."""
    sentences = [s for paragraph in prose for s in _ended(_punkt("xx").tokenize(paragraph))]
    said = [s for s in sentences if intro is None or not intro.search(s)] or sentences
    text = ""
    for sentence in said:
        joined = f"{text} {sentence}".strip()
        if len(joined) > limit:
            return text or _shortened(sentence, limit)
        text = joined
        if text.count(" ") >= 12:
            return text
    return text


def asks(text: str, language: str) -> bool:
    """Whether ``text`` ends as a written question in ``language``: "?", the fullwidth or the Arabic
    question mark, or in Greek ";" (its question mark, which Unicode's NFC writes as a semicolon)."""
    return text.rstrip().rstrip(CLOSERS).endswith(tuple(question_marks(language)))


def _ended(sentences: list[str]) -> list[str]:
    """A paragraph's sentences, the last closed with a full stop where it has no mark of its own (an
    editor's rewrite, captions without one): a paragraph ends a sentence, so a description never runs it
    into the next paragraph's ("... de hospital La mayoría ...")."""
    last = sentences[-1].rstrip() if sentences else ""
    if not last or last.rstrip(CLOSERS).endswith((*ENDS, ";")):  # ";" is Greek's question mark
        return sentences
    return [*sentences[:-1], last.rstrip(",:-–— ") + "."]


def _shortened(sentence: str, limit: int) -> str:
    cut = sentence[: limit - 1].rsplit(" ", 1)[0]
    return cut.rstrip(",;: ") + "…"


def spoken_heading(heading: str, language: str) -> str:
    """A spoken heading written as the language writes a question: Spanish opens it with "¿".

    A heading ending in "?" gets its opening mark; one opening with an interrogative
    (``question-words-<code>.txt``: "qué", "cómo", "por qué") gets both marks. One whose "¿" opens after
    an address or a clause ("Si tomo pastillas, ¿puedo beber alcohol?") is written already.
    """
    name = f"question-words-{language}.txt"
    if language != "es" or not has_data(name) or "¿" in heading.strip().lstrip("¿"):
        return heading
    plain = _condition_kept(heading.strip().lstrip("¿").rstrip(".?"), language)
    asks = heading.rstrip().endswith("?") or _opens_question(plain, language)
    return f"¿{_accented(plain, name)}?" if asks and plain else heading


def _accented(question: str, name: str) -> str:
    """A question whose opening interrogative the recogniser wrote without its accent, with it
    ("Cuando puedo volver a correr" -> "Cuándo puedo volver a correr"; the accented forms of ``name``).
    One with a comma is left as written: "Cuando termine el tratamiento, ¿podré correr?" opens with a
    clause, not an interrogative."""
    if "," in question:
        return question
    words = question.split(" ")
    accented = _accented_forms(name)
    for n in (2, 1):
        said = words[:n]
        key = " ".join(asked.fold(w) for w in said)
        if len(words) > n and all(w.isalpha() for w in said) and key in accented:
            written = accented[key]
            written = written[0].upper() + written[1:] if said[0][0].isupper() else written
            return " ".join([written, *words[n:]])
    return question


@cache
def _accented_forms(name: str) -> dict[str, str]:
    """Each interrogative of ``name`` that carries an accent, by its form without ("cuando" -> "cuándo")."""
    found = {}
    for entry in word_list(name):
        key = " ".join(asked.fold(w) for w in entry.split())
        if key != entry:
            found[key] = entry
    return found


def _condition_kept(heading: str, language: str) -> str:
    """A question closed too early and the condition that goes on it, as one ("Qué pasa? Si me salto una
    sesión" -> "Qué pasa si me salto una sesión"; see :func:`_conditions_joined`)."""
    name = f"condition-words-{language}.txt"
    if not has_data(name):
        return heading
    head, mark, rest = heading.partition("? ")
    if not mark or bare(rest.split(" ", 1)[0]) not in word_list(name):
        return heading
    return f"{head} {rest[:1].lower()}{rest[1:]}"


def heading_kind(text: str, language: str, titles: bool = True) -> str | None:
    """``"question"`` when a sentence of a talk not in English reads as a spoken question, else None.

    A question ends with "?" (Whisper base writes Spanish questions "¿...?") or opens with an
    interrogative, and has at least three words. A piece cut from a run-on after a question (it opens in
    lower case: "normalmente empezamos...") is its answer, never a title. With ``titles``, the English
    shape rules of :func:`.spoken.heading_kind` are asked too (not its English tagger): a short sentence
    set apart reads as a spoken title, or as a yes/no question Whisper wrote as a statement. Where the
    voice decides those (:func:`voice_decides`), they are not: there the rules took an answer's short first
    sentence ("Cada sesión dura unos 50 minutos.") for a title, which cut the question before it off from
    its answer (``benchmarks/RESULTS.md``, issue 26, round 7).
    """
    words = tokens(text)
    asks = text.rstrip().endswith("?") or _opens_question(text, language)
    if asks and MIN_QUESTION_WORDS <= len(words) <= MAX_QUESTION_WORDS:
        return "question"
    return None if not titles or text[:1].islower() else spoken.heading_kind(text, english=False)


def voice_decides(transcript: Transcript) -> bool:
    """Whether the spoken-question model weighed the voice of this talk's sentences: one ships for its
    language and the words carry their pitch (a transcript heard from the audio, not one from elsewhere).
    Decided for the whole talk: a sentence whose end was not voiced is left to the words alone."""
    heard = any(w.pitch is not None and w.pitch > 0 for w in transcript.words)
    return asked.model(transcript.language) is not None and heard
