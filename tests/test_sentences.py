from tests.conftest import make_transcript
from video2blog.pipeline.text.sentences import split_sentences


def texts(transcript):
    return [s.text for s in split_sentences(transcript).sentences]


def test_punctuation_splits_and_abbreviations_do_not():
    t = make_transcript("Dr. Patel sees patients e.g. on Mondays. Is it safe? It is.")
    assert texts(t) == ["Dr. Patel sees patients e.g. on Mondays.", "Is it safe?", "It is."]


def test_sentences_cover_every_word_once_and_are_timed_from_words():
    t = split_sentences(make_transcript("One two three. Four five? Six seven eight nine."))
    ranges = [s.words for s in t.sentences]
    assert ranges == [(0, 3), (3, 5), (5, 9)]
    for s in t.sentences:
        assert s.start == t.words[s.words[0]].start
        assert s.end == t.words[s.words[1] - 1].end


def test_spoken_question_run_into_answer_is_split_at_the_pause():
    text = "Is laser hair removal permanent for most skin types the answer depends on your hair colour."
    t = make_transcript(text, pauses={9: 0.9})  # pause before "the"
    assert texts(t) == [
        "Is laser hair removal permanent for most skin types?",
        "the answer depends on your hair colour.",
    ]


def test_statement_with_a_pause_is_not_split():
    text = "Most patients feel better after two sessions and some need more time to respond."
    assert len(texts(make_transcript(text, pauses={8: 0.9}))) == 1


def test_question_without_clear_pause_is_not_split():
    text = "Is laser hair removal permanent for most skin types the answer depends on your hair."
    assert len(texts(make_transcript(text))) == 1


def test_empty_transcript_has_no_sentences():
    assert split_sentences(make_transcript("")).sentences == ()
