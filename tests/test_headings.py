"""Generated headings, title, slug, description and keywords."""

from tests.conftest import make_transcript
from video2blog.pipeline.run import DraftOptions, make_draft
from video2blog.pipeline.schema import Source
from video2blog.pipeline.text.headings import (
    generate_heading,
    keywords,
    make_description,
    make_title,
    slugify,
)
from video2blog.pipeline.text.sentences import split_sentences

GREETING = (
    "Hello, I am one of the doctors here at the pain clinic. Many of you have asked about ketamine, "
    "so I want to walk through the questions we hear most often."
)
SECTIONS = [
    GREETING,
    "An adjustment is a quick, controlled push applied to a joint that is not moving well. "
    "The popping noise is just gas bubbles leaving the joint fluid.",
    "Loud snoring with pauses in breathing is the classic sign of sleep apnea. "
    "Sleep apnea strains the heart and raises blood pressure.",
]


def test_a_greeting_is_an_introduction_not_hello_and_doctors():
    heading = generate_heading(GREETING, [], SECTIONS, opening="ketamine")
    assert heading == "Introduction to ketamine"


def test_a_section_that_defines_its_topic_is_asked_as_a_question():
    assert generate_heading(SECTIONS[1], [], SECTIONS) == "What is an adjustment?"


def test_topic_headings_come_from_the_section_and_never_repeat():
    first = generate_heading(SECTIONS[2], [], SECTIONS)
    second = generate_heading(SECTIONS[2], [first], SECTIONS)
    assert first.lower() in SECTIONS[2].lower()
    assert first != second and "section" not in second.lower()


def test_keywords_prefer_repeated_phrases_and_skip_verbs():
    text = (
        "Physical therapy helps. You hear a lot about physical therapy. We hear that strength matters, "
        "and strength grows with physical therapy."
    )
    assert keywords(text, limit=2) == ["physical therapy", "strength"]


def test_title_slug_and_short_description():
    assert make_title("Ketamine helps. Ketamine is safe.", asked=True) == "Ketamine: your questions answered"
    assert slugify("Ketamine: your questions answered!") == "ketamine-your-questions-answered"
    long = ["Hello, I am Dr Lee.", "Ketamine blocks a receptor in the spine. " * 6]
    description = make_description(long)
    assert len(description) <= 160 and description.startswith("Ketamine")


def test_every_generated_heading_is_distinct_in_a_draft():
    text = " ".join([*SECTIONS, *SECTIONS[1:]])
    draft = make_draft(
        split_sentences(make_transcript(text)), Source("t.mp4", "0" * 64, 60.0), DraftOptions()
    )
    headings = [s.heading.lower() for s in draft.sections]
    assert len(set(headings)) == len(headings)
    assert len(draft.description) <= 160 and draft.keywords
