"""Section stage: find where topics start, and which spoken sentence (or chapter mark) heads each one.

In order of authority:

1. Chapter marks carried by the media (two or more) are the sections and their titles.
2. Spoken headings: a real question ("How long does it take?", also when the recogniser left
   off the question mark) or a spoken title ("Aftercare at home.") that a substantial answer
   follows.
3. Questions shown on screen (title cards, lower thirds; :mod:`video2blog.pipeline.text.onscreen`)
   open sections where no question was spoken.
4. Topic shifts found from the content (:mod:`video2blog.pipeline.text.segment`) start further sections, with
   generated headings, where no heading was spoken.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from video2blog.pipeline.schema import Chapter, HeadingSource, ScreenText, Sentence, Transcript
from video2blog.pipeline.text import asked, questions
from video2blog.pipeline.text.onscreen import ScreenModel, ShownHeads, cut_cues, shown_heads
from video2blog.pipeline.text.questions import Encode
from video2blog.pipeline.text.segment import ANNOUNCED_HEADINGS, min_length, stems, topic_starts
from video2blog.pipeline.text.sentences import make_sentence
from video2blog.pipeline.text.spoken import (
    MAX_TITLE_WORDS,
    heading_kind,
    heading_text,
    is_caseless_title,
    is_heading_question,
    is_spoken_title,
    is_title_prefix,
)
from video2blog.pipeline.textutil import has_catalogue, tokens, word_list

__all__ = ["SectionSpan", "find_sections", "is_heading_question"]

# A heading opens a section only if the answer that follows it has at least this many words.
MIN_ANSWER = 12
# A spoken title opens a section only after at least this many sentences of the section before.
MIN_BODY_BEFORE_TITLE = 2
# A stretch between spoken headings this many times the shortest spoken section hides a heading.
LONG_REGION = 1.25
# A title run into its answer ends in a comma, then a pause at least this long, then this many words.
MIN_TITLE_PAUSE = 0.2
MIN_ANSWER_AFTER_TITLE = 6
# A title run onto the end of a sentence follows a pause this long, after at least this many words.
MIN_TAIL_PAUSE = 0.5
MIN_HEAD_WORDS = 4
# Where punctuation and case were lost, a title is told from prose by pauses this long on both sides.
TITLE_PAUSE = 0.5
# ...or, shaped as a title (:func:`.spoken.is_caseless_title`), by a pause this long before it.
CASELESS_TITLE_PAUSE = 0.4
# A chapter's first sentence that says its title again (a spoken heading) counts as its heading.
TITLE_MATCH = 0.6


@dataclass(frozen=True)
class SectionSpan:
    """A run of sentences forming one section, and its heading if one was spoken or marked.

    ``sentences`` is a half-open range into ``Transcript.sentences``; when
    ``heading_sentence`` is set it is the first sentence of that range, and it is the
    heading rather than prose. ``heading_end``, when set, is the word index where a heading
    run into its answer ("Food allergies in children, peanut...") ends inside that sentence;
    ``heading_start``, when set, is the word where a heading run onto the end of the sentence
    before it starts, the words before it closing the previous section (see :func:`materialize`).
    ``heading`` is the heading text where already known.
    """

    sentences: tuple[int, int]
    heading_sentence: int | None = None
    heading_source: HeadingSource = "generated"
    heading: str | None = None
    heading_end: int | None = None
    heading_start: int | None = None
    shown: str | None = None  # a question shown on screen beside the spoken one: offered to the editor
    shown_at: float | None = None  # when the question heading the section came on screen


def find_sections(
    transcript: Transcript,
    chapters: Sequence[Chapter] = (),
    encode: Encode | None = None,
    screen: Sequence[ScreenText] = (),
    cuts: Sequence[float] = (),
    screen_model: ScreenModel | None = None,
) -> list[SectionSpan]:
    """Split a sentence-split transcript into sections.

    Args:
        transcript: words and sentences of the talk.
        chapters: the media's chapter marks; two or more make the sections.
        encode: turns sentences into vectors (sentence embeddings) for finding topic shifts; the
            caller passes one where a model is installed, else lexical cohesion is used.
        screen: text the video showed; questions shown as an answer begins open sections.
        cuts: the video's hard cuts (seconds); one in a pause is a cue for a topic shift there.
        screen_model: weighs shown texts and cuts; the shipped one (:func:`.onscreen.screen_model`) if None.

    Returns:
        Sections covering every sentence exactly once, in order.
    """
    sentences = transcript.sentences
    if len(chapters) >= 2 and sentences:
        return chapter_sections(sentences, chapters)
    if transcript.language != "en":
        return _other_language_sections(transcript, encode, screen, cuts, screen_model)
    texts = [s.text for s in sentences]
    times = [(s.start, s.end) for s in sentences]
    vectors = _vectors(texts, encode)
    heads = trusted_heads(texts, times, vectors, encode, spoken_heads(sentences))
    shown = shown_heads(sentences, screen, heads, screen_model) if screen else ShownHeads()
    heads = [i for i in heads if i not in shown.heads]  # a spoken title under a card: prose
    run_ons = run_on_titles(transcript, heads)
    fixed = sorted({*heads, *run_ons})
    cues = cut_cues(sentences, cuts, screen_model) if cuts else []
    starts = topic_starts(texts, vectors, fixed=sorted({*fixed, *shown.heads}), times=times, cues=cues)
    if len(heads) < ANNOUNCED_HEADINGS and _answers(vectors, starts, encode):
        # Answers to questions not spoken: found again by the boundary model's rule for answers.
        starts = topic_starts(texts, vectors, sorted({*fixed, *shown.heads}), times, cues, answers=True)
    if len(heads) < ANNOUNCED_HEADINGS:
        return with_shown(spans_from_starts(transcript, starts, fixed, run_ons), shown)
    # The speaker reads out headings: a topic shift may open with one, or one may end a sentence.
    free = [i for i in starts if i not in fixed and i not in shown.heads]
    run_ons |= {i: cut for i in free if (cut := title_cut(transcript, i))}
    tails = tail_titles(transcript, sorted({*fixed, *run_ons}))
    starts = [i for i in starts if i - 1 not in tails or i in shown.heads]
    spans = spans_from_starts(transcript, starts, sorted({*fixed, *run_ons, *tails}), run_ons, tails)
    return with_shown(spans, shown)


def with_shown(spans: list[SectionSpan], shown: ShownHeads) -> list[SectionSpan]:
    """Sections opening where a question was shown on screen headed by it; the card shown beside a
    spoken question offered with it."""
    out = []
    for span in spans:
        first = span.sentences[0]
        if span.heading_source == "generated" and first in shown.heads:
            at = shown.shown_at.get(first)
            span = replace(span, heading_source="on-screen", heading=shown.heads[first], shown_at=at)
        elif span.heading_sentence is not None and span.heading_sentence in shown.offered:
            span = replace(span, shown=shown.offered[span.heading_sentence])
        out.append(span)
    return out


def _other_language_sections(
    transcript: Transcript,
    encode: Encode | None,
    screen: Sequence[ScreenText] = (),
    cuts: Sequence[float] = (),
    screen_model: ScreenModel | None = None,
) -> list[SectionSpan]:
    """Sections of a talk not in English: spoken questions (:func:`.locales.heading_kind`), questions
    shown on screen, and topic shifts (a hard cut in a pause a cue for one, as in English); the English
    rules for run-on titles are not applied, nor those for spoken titles but to a Spanish talk whose
    voice was not heard (in German they took the answer "Nicht unbedingt." for a title)."""
    from video2blog.pipeline.text import locales

    sentences = transcript.sentences
    language = transcript.language
    titles = has_catalogue(language) and not locales.voice_decides(transcript)  # English shapes, not German
    kind_of = functools.partial(locales.heading_kind, language=language, titles=titles)
    heads = spoken_heads(sentences, kind_of, _question_scorer(transcript.language, encode))
    shown = shown_heads(sentences, screen, heads, screen_model) if screen else ShownHeads()
    heads = [i for i in heads if i not in shown.heads]  # a spoken title under a card: prose
    cues = cut_cues(sentences, cuts, screen_model) if cuts else []
    texts = [s.text for s in sentences]
    times = [(s.start, s.end) for s in sentences]
    fixed = sorted({*heads, *shown.heads})
    starts = topic_starts(texts, _vectors(texts, encode), fixed=fixed, times=times, cues=cues)
    return with_shown(spans_from_starts(transcript, starts, heads, {}), shown)


def _question_scorer(language: str, encode: Encode | None) -> Callable[[str], float | None] | None:
    """How much a text of a talk in ``language`` reads as a patient's question (:func:`.asked.question_score`,
    each text scored once: None where the model does not read this language or ``encode``'s vectors);
    None without an encoder."""
    if encode is None:
        return None
    return functools.cache(functools.partial(asked.question_score, encode=encode, language=language))


def trusted_heads(
    texts: Sequence[str],
    times: Sequence[tuple[float, float]],
    vectors: np.ndarray | None,
    encode: Encode | None,
    heads: Sequence[int],
) -> list[int]:
    """The spoken ``heads`` less their titles where the talk is no clinic's Q&A: a title ("Aftercare at
    home.") opens a section in a talk the question gate (:func:`_answers`, over its sections opening at the
    spoken headings) calls a clinic's questions and answers, while in another talk a phrase said alone is
    more often a remark ("A brand new look.") than a chapter's name (real YouTube talks: two of three fall
    where no chapter starts). Spoken questions stay."""
    titles = {i for i in heads if not is_heading_question(texts[i])}
    if not titles or vectors is None:
        return list(heads)
    starts = topic_starts(texts, vectors, fixed=heads, times=times)
    return list(heads) if _answers(vectors, starts, encode) else [i for i in heads if i not in titles]


def _answers(vectors: np.ndarray | None, starts: Sequence[int], encode: Encode | None) -> bool:
    """Whether the talk, its sections opening at ``starts``, answers patients' questions one by one
    (the question gate, :func:`.questions.answers_questions`); never without sentence vectors."""
    return vectors is not None and encode is not None and questions.answers_questions(vectors, starts, encode)


def _vectors(texts: list[str], encode: Encode | None) -> np.ndarray | None:
    if encode is not None and len(texts) >= 2 * min_length(len(texts)):
        return encode(texts)
    return None


def spoken_heads(
    sentences: Sequence[Sentence],
    kind_of: Callable[[str], str | None] = heading_kind,
    reads_as_question: Callable[[str], float | None] | None = None,
) -> list[int]:
    """Indices of sentences spoken as headings (questions or titles) that an answer follows.

    A "title" that its case or wording shows to be a piece of a run-on is no candidate at all, so
    it neither heads a section nor cuts short the answer of the heading before it. Where two questions
    come closer than an answer (:func:`_settle_clashes`), ``reads_as_question`` (a score of how much a
    text reads as a patient's question) keeps the one that reads more as one.
    """
    caseless = case_lost(sentences)
    kinds = [_candidate(sentences, i, caseless, kind_of) for i in range(len(sentences))]
    if reads_as_question is not None:
        kinds = _settle_clashes(sentences, kinds, reads_as_question)
    heads: list[int] = []
    for i, kind in enumerate(kinds):
        if not kind or _answer_words(sentences, kinds, i) < MIN_ANSWER:
            continue
        if kind == "title" and not _fresh_title(sentences, heads, i):
            continue
        heads.append(i)
    return heads


def _settle_clashes(
    sentences: Sequence[Sentence], kinds: list[str | None], score: Callable[[str], float | None]
) -> list[str | None]:
    """``kinds`` less the questions that cut short the answer of a question that reads more as a
    patient's question by ``score``: the recogniser closes some of an answer's sentences with question
    marks too ("¿Cuánto tarda uno en acostumbrarse? Entre dos y cuatro semanas. ¿Al principio los
    sonidos parecen más fuertes?"), and where fewer than :data:`MIN_ANSWER` words part two questions,
    only one of them opens a section. Left as they are where ``score`` cannot tell (None)."""
    kinds = list(kinds)
    for i, kind in enumerate(kinds):
        while kind == "question" and _answer_words(sentences, kinds, i) < MIN_ANSWER:
            j = next((k for k in range(i + 1, len(kinds)) if kinds[k]), None)
            if j is None or kinds[j] != "question":
                break
            first, second = score(sentences[i].text), score(sentences[j].text)
            if first is None or second is None or second >= first:
                break
            kinds[j] = None
    return kinds


def _candidate(
    sentences: Sequence[Sentence], i: int, caseless: bool, kind_of: Callable[[str], str | None] = heading_kind
) -> str | None:
    """:func:`.spoken.heading_kind` of sentence ``i``, less titles that read as pieces of a run-on:
    a lower-case one where the recogniser kept the case, unless long pauses set it apart; one
    failing :func:`.spoken.is_caseless_title` where it lost the case."""
    text = sentences[i].text
    kind = kind_of(text)
    if kind != "title":
        return kind
    if caseless:
        paused = not i or sentences[i].start - sentences[i - 1].end >= CASELESS_TITLE_PAUSE
        return kind if paused and is_caseless_title(text) else None
    return kind if text[:1].isupper() or _set_apart(sentences, i) else None


def case_lost(sentences: Sequence[Sentence]) -> bool:
    """Whether the recogniser lost the case: no sentence opens with a capital, so a lower-case
    opening tells nothing about where a sentence starts."""
    return bool(sentences) and not any(s.text[:1].isupper() for s in sentences)


def _set_apart(sentences: Sequence[Sentence], i: int) -> bool:
    """Whether pauses of at least :data:`TITLE_PAUSE` come before and after sentence ``i``."""
    before = sentences[i].start - sentences[i - 1].end if i else TITLE_PAUSE
    after = sentences[i + 1].start - sentences[i].end if i + 1 < len(sentences) else 0.0
    return min(before, after) >= TITLE_PAUSE


def _fresh_title(sentences: Sequence[Sentence], heads: list[int], i: int) -> bool:
    """A title opens a new topic: it comes at least two sentences after the previous heading
    ("Brisk walking counts." one sentence into an answer is part of it), and shares fewer
    content words with the sentence before it than with the two after it."""
    if heads and i - heads[-1] <= MIN_BODY_BEFORE_TITLE:
        return False
    title = set(stems(sentences[i].text))
    before = title & set(stems(sentences[i - 1].text)) if i else set()
    after = title & {s for x in sentences[i + 1 : i + 3] for s in stems(x.text)}
    return not before or len(after) > len(before)


def spans_from_starts(
    transcript: Transcript,
    starts: list[int],
    heads: list[int],
    run_ons: dict[int, int] | None = None,
    tails: dict[int, int] | None = None,
) -> list[SectionSpan]:
    """Sections opening at each start (and at 0); those opening at a spoken heading are headed by it.

    ``run_ons`` maps a heading sentence that runs on into its answer to the word where its
    heading ends; ``tails`` maps a sentence that ends with a heading to the word where it starts.
    """
    sentences, cuts, tails = transcript.sentences, run_ons or {}, tails or {}
    count = len(sentences)
    edges = sorted(set(starts) | set(heads) | {0}) if count else []
    spans = []
    for start, end in zip(edges, edges[1:] + [count]):
        if start not in heads:
            spans.append(SectionSpan((start, end)))
            continue
        first, last = sentences[start].words
        said = " ".join(w.text for w in transcript.words[tails.get(start, first) : cuts.get(start, last)])
        heading = heading_text(said)
        spans.append(SectionSpan((start, end), start, "spoken", heading, cuts.get(start), tails.get(start)))
    return spans


def tail_titles(transcript: Transcript, heads: list[int]) -> dict[int, int]:
    """Titles the recogniser ran onto the end of the sentence before them, in talks whose speaker
    reads out headings ("...longer than medication. [pause] Shift work and jet lag.").

    The tail comes after the sentence's longest pause, at least :data:`MIN_TAIL_PAUSE` long,
    opens with a content word and is shaped like a title; it is not within two sentences of
    another heading, nor after a comma (the pause in a list, "physical therapy, weight loss, [pause]
    injections and..."). Returns sentence index -> word where the title starts.
    """
    found = {}
    for i in range(1, len(transcript.sentences) - 1):
        if any(-1 <= i - h <= MIN_BODY_BEFORE_TITLE for h in heads):
            continue
        cut = _tail_cut(transcript, i)
        if cut is not None:
            found[i] = cut
    return found


def _tail_cut(transcript: Transcript, index: int) -> int | None:
    first, last = transcript.sentences[index].words
    words = transcript.words
    gaps = [(words[i].start - words[i - 1].end, i) for i in range(first + MIN_HEAD_WORDS, last - 1)]
    if not gaps:
        return None
    gap, cut = max(gaps)
    tail = " ".join(w.text for w in words[cut:last])
    opener = tokens(tail)[:1]
    if gap < MIN_TAIL_PAUSE or not opener or opener[0] in word_list("stopwords.txt"):
        return None
    if words[cut - 1].text.endswith(","):
        return None  # the sentence goes on after a comma: a clause, never a title
    return cut if is_spoken_title(tail) else None


def run_on_titles(transcript: Transcript, heads: list[int]) -> dict[int, int]:
    """Titles the recogniser ran into their answer, in talks whose speaker reads out headings.

    Where at least two headings were spoken, a stretch between headings at least
    :data:`LONG_REGION` times the shortest spoken section probably hides one more (the
    shortest, not the median: where two titles are hidden, most stretches look long): the sentence
    in it opening with a title phrase and a comma ("Caring for your teeth after a filling,
    wait until...") nearest its middle is taken. Returns sentence index -> word where the
    title ends.
    """
    sentences, count = transcript.sentences, len(transcript.sentences)
    if len(heads) < ANNOUNCED_HEADINGS:
        return {}
    edges = sorted({0, *heads, count})
    times = [sentences[i].start if i < count else sentences[-1].end for i in edges]
    shortest = float(np.min(np.diff(times[edges.index(heads[0]) :])))
    found: dict[int, int] = {}
    for k, (first, last) in enumerate(zip(edges, edges[1:])):
        if times[k + 1] - times[k] < LONG_REGION * shortest:
            continue
        cuts = {i: title_cut(transcript, i) for i in range(first + 2, last - 1)}
        inside = [i for i, cut in cuts.items() if cut is not None]
        if inside:
            best = min(inside, key=lambda i: abs(i - (first + last) / 2))
            found[best] = cuts[best] or 0
    return found


def title_cut(transcript: Transcript, index: int) -> int | None:
    """The word after a title phrase that opens sentence ``index`` and ends in a comma and a pause."""
    first, last = transcript.sentences[index].words
    words = transcript.words
    for i in range(first, min(last, first + MAX_TITLE_WORDS)):
        if not words[i].text.endswith(","):
            continue
        title = " ".join(w.text for w in words[first : i + 1]).rstrip(",")
        paused = i + 1 < last and words[i + 1].start - words[i].end >= MIN_TITLE_PAUSE
        enough = last - i - 1 >= MIN_ANSWER_AFTER_TITLE
        return i + 1 if paused and enough and is_title_prefix(title) else None
    return None


def materialize(transcript: Transcript, spans: list[SectionSpan]) -> tuple[Transcript, list[SectionSpan]]:
    """Split each heading that ran into its answer off as a sentence of its own.

    Returns:
        The transcript with those sentences split, and the spans re-indexed to it.
    """
    sentences: list[Sentence] = []
    out: list[SectionSpan] = []
    for span in spans:
        first, last = span.sentences
        begin = len(sentences)
        if span.heading_start is not None and out:
            s = transcript.sentences[first]  # its opening words end the section before
            sentences.append(make_sentence(transcript.words, (s.words[0], span.heading_start)))
            out[-1] = replace(out[-1], sentences=(out[-1].sentences[0], len(sentences)))
            begin = len(sentences)
        for i in range(first, last):
            s = transcript.sentences[i]
            if i == span.heading_sentence and span.heading_start is not None:
                s = make_sentence(transcript.words, (span.heading_start, s.words[1]))
            if i == span.heading_sentence and span.heading_end is not None:
                sentences.append(make_sentence(transcript.words, (s.words[0], span.heading_end)))
                sentences.append(make_sentence(transcript.words, (span.heading_end, s.words[1])))
            else:
                sentences.append(s)
        head = begin if span.heading_sentence is not None else None
        done = replace(span, sentences=(begin, len(sentences)), heading_sentence=head)
        out.append(replace(done, heading_end=None, heading_start=None))
    return replace(transcript, sentences=tuple(sentences)), out


def _answer_words(sentences: Sequence[Sentence], kinds: list[str | None], index: int) -> int:
    """Words from the sentence after ``index`` up to the next heading candidate."""

    count = 0
    for sentence, kind in zip(sentences[index + 1 :], kinds[index + 1 :]):
        if kind:
            break
        count += len(tokens(sentence.text))
    return count


def chapter_sections(sentences: Sequence[Sentence], chapters: Sequence[Chapter]) -> list[SectionSpan]:
    """One section per chapter mark, titled by it; marks that hold no sentence are dropped.

    A sentence belongs to the chapter its middle falls in; sentences before the first mark
    join the first chapter.
    """
    ordered = sorted(chapters, key=lambda c: c.start)
    owner = [_chapter_of(ordered, (s.start + s.end) / 2) for s in sentences]
    spans = []
    for first in [i for i in range(len(sentences)) if i == 0 or owner[i] != owner[i - 1]]:
        last = next((j for j in range(first + 1, len(sentences)) if owner[j] != owner[first]), len(sentences))
        title = ordered[owner[first]].title
        said = first if _says_title(sentences[first].text, title) and last - first > 1 else None
        spans.append(SectionSpan((first, last), said, "chapters", title))
    return spans


def _chapter_of(chapters: Sequence[Chapter], time: float) -> int:
    index = 0
    for i, chapter in enumerate(chapters):
        if chapter.start <= time:
            index = i
    return index


def _says_title(text: str, title: str) -> bool:
    said, wanted = set(tokens(text)), set(tokens(title))
    return bool(wanted) and len(said & wanted) / len(said | wanted) >= TITLE_MATCH
