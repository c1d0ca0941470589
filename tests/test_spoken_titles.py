"""Spoken titles a speaker reads out before a topic: coordinate adjectives ("dry, gritty") and an
infinitive's object ("how to prevent them") do not make a title a clause."""

import pytest

from tests.conftest import draft_text
from video2blog.pipeline.text.spoken import is_caseless_title, is_heading_question, is_spoken_title


def headings_of(text: str) -> list[tuple[str, str]]:
    """Each section's heading and where it came from, in a draft of ``text`` spoken at an even pace."""
    return [(s.heading, s.heading_source) for s in draft_text(text).sections]


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("Relief for dry, gritty eyes.", True),
        ("Ingrown toenails and how to prevent them.", True),
        ("Warm, itchy, swollen skin.", True),
        ("Dry it, then wrap it.", False),  # a comma between clauses
        ("Eyes, ears and throat.", False),  # a list of nouns
        ("Sore, I think.", False),
        ("We prevent them.", False),
        ("Try to prevent them.", False),  # an instruction: no wh-word before the infinitive
    ],
)
def test_a_title_may_hold_coordinate_adjectives_and_an_infinitives_object(text, title):
    assert is_spoken_title(text) is title


def test_such_titles_head_their_sections_in_a_draft():
    text = (
        "Relief for dry, gritty eyes. Warm compresses on the eyelids for ten minutes each evening loosen "
        "the oil glands, and preservative-free drops through the day keep the surface of the eye wet. "
        "Most people feel a difference within two weeks. Ingrown toenails and how to prevent them. Cut "
        "your toenails straight across rather than rounding the corners, and choose shoes with enough "
        "room at the front. A nail that is red and swollen for more than a few days needs a podiatrist."
    )
    assert headings_of(text) == [
        ("Relief for dry, gritty eyes", "spoken"),
        ("Ingrown toenails and how to prevent them", "spoken"),
    ]


def test_word_classes_come_from_the_lexicon_not_from_suffixes():
    assert is_heading_question("what matters most after knee surgery.")  # "matters": a verb's form
    assert not is_heading_question("what questions to ask your doctor.")  # a noun before an infinitive
    assert is_heading_question("what causes the pain at night.")
    assert is_caseless_title("caring for your teeth after a filling")  # "caring": a verb's -ing form
    assert not is_caseless_title("everything about the procedure")  # "everything" is no gerund


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("A filling takes about twenty minutes.", False),  # a noun phrase, then its verb: a sentence
        ("Most patients feel better within a week.", False),
        ("Each session lasts under an hour.", False),
        ("Nearly everybody hears the squeak at first.", False),  # a pronoun for its subject
        ("Somebody wins the raffle.", False),
        ("Everybody heals differently.", False),  # "heals" tagged a noun, known to the lexicon as a verb
        ("When a knee needs an urgent look.", True),  # a wh-word subordinates the clause
        ("Sun protection that actually works.", True),  # the verb is the relative clause's
        ("Blood pressure numbers.", True),
        ("Life after a hip replacement.", True),
    ],
)
def test_a_main_clause_read_by_the_tagger_is_no_title(text, title):
    assert is_spoken_title(text) is title


def test_without_the_tagger_a_main_clause_falls_back_to_the_clause_words(monkeypatch):
    from video2blog.pipeline.text import tagger

    monkeypatch.setattr(tagger, "_model", lambda: None)
    tagger.tag_words.cache_clear()
    try:
        assert tagger.tag_sentence("A filling takes time") == [
            ("A", tagger.UNKNOWN),
            ("filling", tagger.UNKNOWN),
            ("takes", tagger.UNKNOWN),
            ("time", tagger.UNKNOWN),
        ]
        assert is_spoken_title("A filling takes about twenty minutes.")
        assert not is_spoken_title("We prevent them.")
    finally:
        tagger.tag_words.cache_clear()


def test_a_sentence_like_a_title_but_a_main_clause_does_not_head_a_section():
    text = (
        "Relief for dry, gritty eyes. Warm compresses on the eyelids for ten minutes each evening loosen "
        "the oil glands. Preservative-free drops through the day keep the surface of the eye wet. Most "
        "people feel a difference within two weeks. Indoor heating dries the air. It pulls moisture from "
        "the air and from the tear film, so a humidifier near the bed helps through the cold months. "
        "Ingrown toenails and how to prevent them. Cut your toenails straight across rather than rounding "
        "the corners, and choose shoes with enough room at the front. A nail that is red and swollen for "
        "more than a few days needs a podiatrist."
    )
    assert headings_of(text) == [
        ("Relief for dry, gritty eyes", "spoken"),
        ("Ingrown toenails and how to prevent them", "spoken"),
    ]


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("Remove the access panel.", False),  # a plain verb, then its object: an instruction
        ("Keep the wound dry.", False),
        ("Ask your doctor first.", False),
        ("Now open the glove box.", False),  # an opening adverb skipped
        ("Checking your moles.", True),  # a verb's -ing form opens a title
        ("Contact lens care.", True),  # a noun the tagger may read as a verb, with no object after it
        ("Living with eczema.", True),
    ],
)
def test_an_instruction_read_by_the_tagger_is_no_title(text, title):
    assert is_spoken_title(text) is title


def test_an_instruction_alone_does_not_head_a_section():
    text = (
        "Relief for dry, gritty eyes. Warm compresses on the eyelids for ten minutes each evening loosen "
        "the oil glands. Preservative-free drops through the day keep the surface of the eye wet. Most "
        "people feel a difference within two weeks. Wash your eyelids gently. A drop of baby shampoo in "
        "warm water clears the crusts along the lashes, and a clean cloth for each eye stops an infection "
        "spreading. Ingrown toenails and how to prevent them. Cut your toenails straight across rather than "
        "rounding the corners, and choose shoes with enough room at the front. A nail that is red and "
        "swollen for more than a few days needs a podiatrist."
    )
    assert headings_of(text) == [
        ("Relief for dry, gritty eyes", "spoken"),
        ("Ingrown toenails and how to prevent them", "spoken"),
    ]


def test_a_phrase_said_alone_in_a_how_to_talk_is_no_heading():
    """The question gate calls this talk no clinic's Q&A: its phrases said alone do not open sections
    (in real YouTube talks such phrases are mostly remarks, not chapters)."""
    text = " ".join(
        [
            "Hey everyone, welcome back to the garage.",
            "Today we are fixing up this old road bike before the summer rides.",
            "First the chain.",
            "Grab a rag and some degreaser, and run the chain through the rag while you turn the pedals.",
            "Scrub the cassette with a stiff brush until the grime comes off the teeth.",
            "A brand new look.",
            "Let it all dry for twenty minutes, then put one drop of lube on every roller.",
            "Wipe off the extra lube so it does not pick up dust on the road.",
            "Next the brakes.",
            "Sand the pads lightly so the shiny glazed layer is gone.",
            "Wipe the rims with rubbing alcohol, and then squeeze the lever a few times to seat the pads.",
            "If the lever still touches the bar, turn the barrel adjuster out two full turns.",
            "Then the tires.",
            "Pop the tire off with two levers and pull out the old tube.",
            "Run your fingers around the inside of the tire to find the thorn that caused it.",
            "Put a little air in the new tube, tuck it in, and pump it up to the pressure on the sidewall.",
            "Thanks for watching, and hit subscribe for next week's video on wheel truing.",
        ]
    )
    draft = draft_text(text)
    assert all(s.heading_source != "spoken" for s in draft.sections)
    # the remark no longer heads a section of its own, and the tires (lost to it before) get one
    assert "A brand new look" not in [s.heading for s in draft.sections]
    assert any(s.paragraphs[0].text.startswith("Then the tires.") for s in draft.sections if s.paragraphs)


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("Hey guys.", False),  # a greeting, whichever: the words of pipeline/data/greetings.txt
        ("Welcome back everyone.", False),
        ("Good day everyone.", False),
        ("Good morning everyone.", False),
        ("Good night routines.", False),  # said first, "good night" greets
        ("Aftercare at home.", True),
    ],
)
def test_a_greeting_is_no_title(text, title):
    assert is_spoken_title(text) is title


def test_good_day_greets_only_as_a_sentences_first_words():
    from video2blog.pipeline.textutil import GREETING

    assert GREETING.search("Good day everyone, today we talk about knees.")
    assert not GREETING.search("On a good day the pain is mild and I can walk to the shops.")
