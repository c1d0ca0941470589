"""Spoken headings and sentences where the recogniser lost punctuation and case (issue 12)."""

from video2blog.pipeline.schema import Sentence, Transcript, Word
from video2blog.pipeline.text.sections import case_lost, spoken_heads
from video2blog.pipeline.text.sentences import lengthening, split_sentences
from video2blog.pipeline.text.spoken import (
    is_caseless_title,
    is_heading_question,
    opens_like_question,
)


def spoken_words(text: str, pauses=None, held=None) -> Transcript:
    """Words timed as a caption file spreads them: each lasts in proportion to its length, back to
    back; a pause before word i where ``pauses`` says, and word i drawn out by ``held[i]`` seconds."""
    t, words = 0.0, []
    for i, token in enumerate(text.split()):
        t += (pauses or {}).get(i, 0.0)
        length = 0.07 * len(token) + (held or {}).get(i, 0.0)
        words.append(Word(token, round(t, 3), round(t + length, 3), 0.95))
        t += length
    return Transcript(words=tuple(words), duration=t, engine="test", model="test")


def texts(transcript: Transcript) -> list[str]:
    return [s.text for s in split_sentences(transcript).sentences]


# A run-on of 40 words with no punctuation: "...the knee | the scan..." has no pause at all.
KNEE = (
    "we look at the cartilage and the ligaments around the knee joint in the first visit "
    "the scan then shows how much of the cartilage is left and whether the meniscus is torn "
    "or only worn thin after years of running"
)


def test_a_drawn_out_last_word_marks_a_lost_full_stop_without_any_pause():
    words = KNEE.split()
    end = words.index("visit")
    plain = texts(spoken_words(KNEE))
    held = texts(spoken_words(KNEE, held={end: 0.6}))
    assert not any(s.startswith("the scan") for s in plain)
    assert any(s.startswith("the scan") for s in held)
    assert held[0].endswith("visit.")


def test_caption_words_spread_by_length_are_not_drawn_out():
    t = spoken_words(KNEE)
    assert all(abs(lengthening(t.words, i)) < 0.05 for i in range(len(t.words)))
    held = spoken_words(KNEE, held={5: 0.5})
    assert lengthening(held.words, 5) > 0.4


def test_a_question_run_into_its_answer_is_cut_where_its_last_word_is_drawn_out():
    text = (
        "we will come back to that later in the session for sure "
        "why do i have to do exercises at home "
        "an hour with me twice a week is not enough to change how a tendon or a muscle behaves over time"
    )
    words = text.split()
    pauses = {words.index("why"): 0.7}
    out = texts(spoken_words(text, pauses=pauses, held={words.index("home"): 0.35}))
    assert "why do i have to do exercises at home?" in out


def test_no_sentence_starts_at_a_wh_clause_after_a_reporting_verb():
    text = (
        "trying to conceive can be stressful so today i want to explain "
        "what happens at our clinic step by step from the first visit to the last scan and beyond"
    )
    words = text.split()
    out = texts(spoken_words(text, pauses={words.index("what"): 0.45}))
    assert not any(s.startswith("what happens") for s in out)


def test_a_wh_word_as_subject_opens_a_question_and_a_wh_clause_does_not():
    assert opens_like_question("what happens if i stop the medication".split())
    assert opens_like_question("what causes the pain at night".split())
    assert not opens_like_question("what process we follow".split())
    assert is_heading_question("what happens if i stop the medication.")
    assert not is_heading_question("how long it has bothered you and what you do at work.")
    assert is_heading_question("how long does it take to heal.")


def test_pieces_of_sentences_opening_with_an_auxiliary_are_no_questions():
    assert not is_heading_question("have a helper lift the driver seat forward.")
    assert not is_heading_question("can be certified by the clinic on the same day.")
    assert not opens_like_question("which means the swelling goes down".split())
    assert is_heading_question("have you had an allergy test before.")
    assert is_heading_question("can allergies turn into asthma.")


def test_a_long_run_on_piece_is_not_marked_as_a_question():
    words = (
        "we check the knee first and then the hip " * 2
        + "what should i do when the pain comes back after a long walk in the park on a cold day "
        + "and the swelling lasts for days"
    ).split()
    text = " ".join(words)
    out = texts(spoken_words(text, pauses={words.index("what"): 0.8}))
    asked = [s for s in out if s.startswith("what should")]
    assert asked and all(not s.endswith("?") or len(s.split()) <= 16 for s in asked)


def test_titles_told_from_pieces_of_a_run_on_where_the_case_was_lost():
    for title in (
        "food allergies in children",
        "caring for your teeth after a filling",
        "when to book an appointment",
        "aftercare at home",
        "shift work and jet lag",
        "contact lens care",  # "lens" is no verb nor plural, whatever its ending
        "professional teeth whitening",  # an irregular plural may stand before a noun
    ):
        assert is_caseless_title(title), title
    for piece in (
        "which most people describe as barely noticeable",
        "in the large trials",
        "remove the infected pulp",
        "scratching feeds the itch",
        "hay fever brings itchy eyes",
        "the same as cracking your knuckles",
        "dust mites cat dander",
    ):
        assert not is_caseless_title(piece), piece


def sentences(parts: list[tuple[str, float]]) -> list[Sentence]:
    """Sentences from (text, pause before) pairs, each word 0.3 s long."""
    out, t, index = [], 0.0, 0
    for text, pause in parts:
        t += pause
        count = len(text.split())
        out.append(Sentence(text, t, t + 0.3 * count, (index, index + count)))
        t += 0.3 * count
        index += count
    return out


ANSWER = "we test each patch of skin for a quarter of an hour and then measure any raised bumps."


def test_lower_case_titles_head_sections_where_the_whole_talk_lost_its_case():
    talk = sentences(
        [
            ("skin prick testing.", 0.0),
            (ANSWER, 0.4),
            ("most people describe it as barely noticeable and it is over quickly.", 0.4),
            ("in the large trials.", 0.5),
            ("patients lost around a fifth of their body weight over a little more than a year.", 0.3),
            ("food allergies in children.", 0.6),
            ("peanut egg and milk are the most common triggers in young children at school age.", 0.4),
            ("reactions tend to appear within minutes and can include hives and swelling.", 0.4),
        ]
    )
    assert case_lost(talk)
    assert spoken_heads(talk) == [0, 5]  # "in the large trials" is a piece of a run-on


def test_a_title_needs_a_pause_before_it_where_the_case_was_lost():
    talk = sentences(
        [
            ("skin prick testing.", 0.0),
            (ANSWER, 0.4),
            ("the rest of the visit is a conversation about your symptoms and the season.", 0.4),
            ("food allergies in children.", 0.1),
            ("peanut egg and milk are the most common triggers in young children at school age.", 0.4),
        ]
    )
    assert spoken_heads(talk) == [0]


def test_where_the_case_was_kept_a_lower_case_title_is_a_piece_of_a_run_on():
    talk = sentences(
        [
            ("Skin prick testing.", 0.0),
            (ANSWER.capitalize(), 0.4),
            ("Most people describe it as barely noticeable.", 0.4),
            ("food allergies in children.", 0.45),
            ("Peanut, egg and milk are the most common triggers in young children at school age.", 0.4),
        ]
    )
    assert not case_lost(talk)
    assert spoken_heads(talk) == [0]
