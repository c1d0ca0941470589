"""A spoken heading holding more than one sentence: two questions asked with no answer between, and a
patient's statement leading their question, head one section together."""

import pytest

from tests.conftest import draft_text
from video2blog.pipeline.text.spoken import heading_text, is_heading_question, question_follow, question_lead

CANDIDATES = (
    "Good candidates for this treatment are adults with mild to moderate hair loss that started in the "
    "last few years. People with an active scalp infection or a blood disorder should wait or choose "
    "another treatment."
)
RESULTS = (
    "Most people see thicker hair after three or four monthly sessions, and a touch-up once a year keeps "
    "the results going."
)
SKIN_TEST = (
    "Please book a visit with one of our physicians first so that we can confirm the diagnosis, and our "
    "allergy nurses will then call you to set up the skin test within a week."
)


def _prose(section) -> str:
    return " ".join(p.text for p in section.paragraphs)


def test_two_questions_asked_one_after_the_other_head_one_section():
    draft = draft_text(
        f"Who is a good candidate? Who is not a candidate? {CANDIDATES} "
        f"How long does it take to see results? {RESULTS}"
    )
    headings = [s.heading for s in draft.sections]
    assert headings == [
        "Who is a good candidate? Who is not a candidate?",
        "How long does it take to see results?",
    ]
    assert draft.sections[0].heading_source == "spoken"
    assert draft.sections[0].start == 0.08  # the heading's first word
    assert "candidate?" not in _prose(draft.sections[0])


def test_a_question_asked_just_before_the_next_one_leaves_the_answer_before_it():
    draft = draft_text(
        f"How long does it take to see results? {RESULTS} How long is recovery? What does it look like? "
        "Most people have mild redness and swelling at the injection sites, and it settles within a few days."
    )
    assert [s.heading for s in draft.sections] == [
        "How long does it take to see results?",
        "How long is recovery? What does it look like?",
    ]
    assert _prose(draft.sections[0]) == RESULTS


def test_a_patients_statement_leading_the_question_is_part_of_the_heading():
    draft = draft_text(f"I believe I have allergies. How can I schedule a skin test? {SKIN_TEST}")
    assert [s.heading for s in draft.sections] == [
        "I believe I have allergies. How can I schedule a skin test?"
    ]
    assert _prose(draft.sections[0]).startswith("Please book a visit")


@pytest.mark.parametrize(
    ("before", "question", "lead"),
    [
        (["Good candidates are adults.", "Who is a good candidate?"], "Who is not a candidate?", 1),
        (["I believe I have allergies."], "How can I schedule a skin test?", 1),
        (["My son is eight."], "When should he see an orthodontist?", 0),  # no patient in the question
        (["I see it all the time in our clinic."], "How can I tell if I have it?", 0),  # the clinic's voice
        (["I'm one of the doctors here."], "How can I help?", 0),  # a greeting
        (["You should rest for a day."], "When can I drive?", 0),  # the answer before
        (["Lurgs, why haven't you run the hoover around?"], "Why haven't you emptied the bin?", 0),
        (["Are you thinking about a new basement?"], "Need more space for your family?", 0),
        (["Is it safe?"], "A brand new case.", 0),  # a title, not a question
        (
            ["I have had allergies since I was a child and I think they are getting worse."],
            "Can I be tested?",
            0,
        ),
    ],
)
def test_which_sentences_before_a_spoken_question_lead_it(before, question, lead):
    assert question_lead(before, question) == lead


ACNE = (
    "Adult acne is usually driven by hormones, stress and the products we put on our skin, and the oil "
    "glands make more sebum so that pores get blocked and inflamed."
)


@pytest.mark.parametrize(
    ("said", "heading"),
    [
        (
            "So, Dr. Lopez, what actually causes acne in adults.",
            "So, Dr. Lopez, what actually causes acne in adults?",
        ),
        ("Dr. Lopez, what causes acne?", "Dr. Lopez, what causes acne?"),
    ],
)
def test_a_question_asked_of_someone_by_name_after_a_lead_in_is_a_question(said, heading):
    # the heading keeps every word said: a draft accounts for each word (tests/test_properties.py)
    assert is_heading_question(said)
    assert heading_text(said) == heading


def test_a_rhetorical_question_stays_one_without_an_address():
    assert not is_heading_question("So, why does that matter?")
    assert not is_heading_question("So why does that matter?")


def test_a_hosts_question_asked_of_the_doctor_by_name_heads_its_answer():
    draft = draft_text(
        f"Welcome to the show, everyone. So, Dr. Lopez, what actually causes acne in adults. {ACNE}"
    )
    assert [s.heading for s in draft.sections][-1] == "So, Dr. Lopez, what actually causes acne in adults?"
    assert _prose(draft.sections[-1]).startswith("Adult acne is usually")


KNEE = (
    "Modern implants last twenty years or more in about nine out of ten patients, and doubles tennis is "
    "usually fine once you have healed."
)


def test_a_question_asked_straight_after_the_heading_joins_it():
    draft = draft_text(f"How long does a knee last? And can I go back to playing tennis afterwards? {KNEE}")
    assert [s.heading for s in draft.sections] == [
        "How long does a knee last? And can I go back to playing tennis afterwards?"
    ]
    assert _prose(draft.sections[0]) == KNEE


@pytest.mark.parametrize(
    ("question", "after", "follow"),
    [
        ("How long does a knee last?", ["And can I play tennis?", KNEE], 1),
        ("How long does a knee last?", [KNEE, "And can I play tennis?"], 0),  # an answer between
        ("How long does a knee last?", ["So why does that matter to you and your family and friends?"], 0),
        ("A brand new knee.", ["And can I play tennis?"], 0),  # a title, not a question
    ],
)
def test_which_sentences_after_a_spoken_question_join_it(question, after, follow):
    assert question_follow(question, after) == follow
