"""Question headings where the questions are not spoken: forms, subject grammar, the form model."""

import numpy as np
import pytest

from tests.conftest import make_words
from video2blog.pipeline.engines import embed
from video2blog.pipeline.schema import Source, Transcript
from video2blog.pipeline.text import questions
from video2blog.pipeline.text.compose import ComposeOptions, compose
from video2blog.pipeline.text.headings import Talk, generate_heading
from video2blog.pipeline.text.metadata import keyword_candidates
from video2blog.pipeline.text.questions import (
    Subject,
    ask,
    asks_probability,
    choose_forms,
    label_of,
    question_forms,
    shipped_gate,
    shipped_model,
    subject_of,
)
from video2blog.pipeline.text.sections import SectionSpan, find_sections
from video2blog.pipeline.text.sentences import split_sentences

needs_encoder = pytest.mark.skipif(not embed.available(), reason="the sentence encoder is not installed")


def test_the_forms_fill_with_the_subject_grammatically():
    hurt = next(f.template for f in question_forms() if f.name == "hurt")
    safe = next(f.template for f in question_forms() if f.name == "safe")
    sessions = next(f.template for f in question_forms() if f.name == "sessions")
    assert ask(hurt, Subject("a vasectomy", "vasectomy", False)) == "Does a vasectomy hurt?"
    assert ask(hurt, Subject("braces", "braces", True)) == "Do braces hurt?"
    assert ask(safe, Subject("LASIK", "LASIK", False)) == "Is LASIK safe?"
    assert ask(sessions, Subject("a PRP", "PRP", False)) == "How many PRP sessions will I need?"


def test_a_thing_only_ever_said_as_yours_is_the_patients_own():
    text = "Hold your child on your lap. Call us if your child is drowsy. Is my child too young for it?"
    assert subject_of("child", text).named == "my child"
    once = "Your allergy may fade. Allergy tests take an hour."
    assert subject_of("allergy", once).named == "allergy"


def test_a_plural_subject_names_the_sessions_in_the_singular():
    sessions = next(f.template for f in question_forms() if f.name == "sessions")
    assert ask(sessions, Subject("vaccines", "vaccines", True)) == "How many vaccine sessions will I need?"
    assert ask(sessions, Subject("MMR shots", "MMR shots", True)) == "How many MMR shot sessions will I need?"


def test_the_subject_takes_the_article_the_talk_gives_it():
    said = "A vasectomy is simple. After a vasectomy you rest. The vasectomy takes minutes."
    assert subject_of("vasectomy", said) == Subject("a vasectomy", "vasectomy", False)
    assert subject_of("laser hair removal", "Laser hair removal is quick.").named == "laser hair removal"
    assert subject_of("braces", "Braces move teeth.").plural
    assert subject_of("PRP", "PRP uses your blood.").named == "PRP"  # an acronym: no article


def test_an_article_before_a_longer_name_is_not_the_subjects_own():
    said = "A hair transplant moves follicles. After a hair transplant you rest. Hair grows back."
    assert subject_of("hair", said).named == "hair"  # not "Does a hair hurt?"
    said = "A vasectomy procedure is short. A vasectomy is simple. The vasectomy takes minutes."
    assert subject_of("vasectomy", said).named == "a vasectomy"
    said = "The skin test takes fifteen minutes. After the skin test you wait."
    assert subject_of("test", said).named == "the test"  # not "How is test done?"
    said = "The surgeon performs vasectomy. It is fine. The nurse explains vasectomy. We discuss vasectomy."
    assert subject_of("vasectomy", said).named == "vasectomy"  # a verb before it is no longer name


def test_the_article_of_a_described_name_counts_and_a_verb_or_other_determiner_does_not():
    said = "We may test you. A scratch test is quick. An intradermal test follows. We can also test later."
    assert subject_of("test", said).named == "a test"  # not "How is test done?"
    said = "Pain fades. A dull pain may stay. Pain is common after surgery."
    assert subject_of("pain", said).named == "pain"  # said bare more often: not "Does a pain hurt?"
    said = "Your therapist listens. My therapist helped. A therapist is trained."
    assert subject_of("therapist", said).named == "a therapist"  # "your" is neither bare nor an article


def test_a_name_the_talk_also_uses_as_a_verb_takes_its_article_from_the_noun_uses():
    said = "A skin test is quick. We test your back first. To test for a food allergy we test your blood."
    assert questions.verb_uses("test", said) == 3  # "test your back", "To test", "we test your blood"
    assert subject_of("test", said).named == "a test"  # three verbs, no bare noun: not "How is test done?"
    said = "Aspirin thins the blood. Take aspirin with food. Aspirin is cheap."
    assert questions.verb_uses("aspirin", said) == 0
    assert subject_of("aspirin", said).named == "aspirin"


def test_real_questions_are_labelled_with_their_form_and_others_left_out():
    assert label_of("Does it hurt?") == "hurt"
    assert label_of("How long does LASIK surgery take?") == "how_long_take"
    assert label_of("Who is a good candidate?") == "candidate"
    assert label_of("What is immunotherapy?") == "what_is"
    assert label_of("Is what we talk about confidential?") is None


def test_a_form_taken_by_a_surer_section_costs_the_next_one_the_penalty():
    probs = np.array([[0.6, 0.4], [0.9, 0.1]])
    assert choose_forms(probs, 0.0) == [0, 0]
    assert choose_forms(probs, 2.0) == [1, 0]  # the surer second row keeps form 0


def test_a_talk_of_one_word_gets_a_sane_heading_not_more_on_more_on():
    heading = generate_heading(Talk(("Okay.",)), 0)
    assert "more on" not in heading.lower() and heading
    assert generate_heading(Talk(("Ketamine.",)), 0) == "Ketamine"


def _draft(answers: list[str]):
    text = " ".join(answers)
    words = make_words(text)
    transcript = split_sentences(Transcript(words=words, duration=words[-1].end))
    spans, first = [], 0
    for answer in answers:
        count = len(split_sentences(Transcript(words=make_words(answer))).sentences)
        spans.append(SectionSpan(sentences=(first, first + count)))
        first += count
    source = Source("talk.wav", "0" * 64, words[-1].end)
    return compose(transcript, spans, source, ComposeOptions(date="2000-01-01"), encode=embed.encoder())


ANSWERS = [
    "A vasectomy is a small operation that stops sperm reaching the semen. It is a permanent form of "
    "birth control for men. The tubes that carry sperm are cut and sealed.",
    "We numb the skin first, so most men feel only a little pressure and a dull ache. There is no sharp "
    "pain during a vasectomy, and the discomfort afterwards is mild.",
    "Most men go back to desk work after two or three days. Avoid heavy lifting, running and sport for "
    "a week after a vasectomy.",
]


@needs_encoder
def test_unspoken_questions_become_the_questions_a_clinic_would_write():
    draft = _draft(ANSWERS)
    headings = [s.heading for s in draft.sections]
    assert all(h.endswith("?") and "vasectomy" in h for h in headings), headings
    assert headings[1] == "Does a vasectomy hurt?"
    assert len(set(headings)) == len(headings)
    assert all(s.heading_source == "generated" and s.suggestions for s in draft.sections)
    assert all(s.heading not in {x.text for x in s.suggestions} for s in draft.sections)


@needs_encoder
def test_without_the_encoder_the_headings_are_the_topic_rules():
    assert shipped_model() is not None
    text = " ".join(ANSWERS)
    words = make_words(text)
    transcript = split_sentences(Transcript(words=words, duration=words[-1].end))
    span = [SectionSpan(sentences=(0, len(transcript.sentences)))]
    draft = compose(transcript, span, Source("t.wav", "0" * 64, 1.0), ComposeOptions(date="2000-01-01"))
    assert draft.sections[0].heading and not draft.sections[0].heading.startswith("Does")


@needs_encoder
def test_a_talk_whose_questions_were_all_spoken_embeds_nothing_more_for_its_headings():
    calls: list[list[str]] = []

    def counting(texts: list[str]) -> np.ndarray:
        calls.append(texts)
        return embed.embed(texts)

    answer = "We numb the skin first, so you feel only pressure."
    words = make_words(f"Does it hurt? {answer}")
    transcript = split_sentences(Transcript(words=words, duration=words[-1].end))
    span = [SectionSpan(sentences=(0, 2), heading_sentence=0, heading_source="spoken")]
    draft = compose(transcript, span, Source("t.wav", "0" * 64, 5.0), ComposeOptions(), encode=counting)
    assert draft.sections[0].heading == "Does it hurt?"
    # only the keywords' closeness to the talk: its prose and the candidate keywords (the heading's
    # words too), each once
    embedded = [t for texts in calls for t in texts]
    assert sorted(embedded) == sorted({answer, *keyword_candidates(f"{answer} Does it hurt?")[0]})


@needs_encoder
@pytest.mark.parametrize(
    ("question", "heads"),
    [("When can I drive?", True), ("How can orthodontics benefit me?", True), ("How's it going?", False)],
)
def test_a_short_spoken_patient_question_heads_its_answer_and_an_aside_does_not(question, heads):
    words = make_words(f"{question} Most people are back to their normal day within a week of treatment.")
    transcript = split_sentences(Transcript(words=words, duration=words[-1].end))
    span = [SectionSpan(sentences=(0, 2), heading_sentence=0, heading_source="spoken")]
    draft = compose(
        transcript, span, Source("t.wav", "0" * 64, 9.0), ComposeOptions(), encode=embed.encoder()
    )
    section = draft.sections[0]
    assert (section.heading == question and section.heading_source == "spoken") is heads, section.heading
    prose = " ".join(p.text for p in section.paragraphs)
    assert (question in prose) is not heads  # a heading is not said twice; an aside stays in the prose


HOW_TO = [
    "First take the old chain off the bike. Shift onto the smallest cog at the back and push the pin out "
    "with the chain tool. Keep the old chain beside you to count the links.",
    "Now cut the new chain to the same number of links as the old one. Lay both chains side by side on "
    "the bench and mark the link where you will break it.",
    "Thread the new chain through the rear derailleur and over the front ring. Join the two ends with the "
    "quick link, then pedal backwards a few turns to check that it runs smoothly.",
]


@needs_encoder
def test_a_how_to_talk_keeps_topic_headings_and_offers_the_question_as_a_suggestion():
    draft = _draft(HOW_TO)
    headings = [s.heading for s in draft.sections]
    assert not any(h.endswith("?") for h in headings), headings
    assert all(s.heading_source == "generated" for s in draft.sections)
    assert any(x.text.endswith("?") for s in draft.sections for x in s.suggestions)  # the editor's choice


def test_the_shipped_gate_weighs_closeness_to_the_clinic_forms_towards_questions():
    gate = shipped_gate()
    assert gate is not None
    near, far = np.array([0.5, 0.55]), np.array([0.1, 0.15])
    assert asks_probability(gate, near) > gate.threshold > asks_probability(gate, far)


# Where the questions are not spoken, a talk of answers is cut by the boundary model's rule for answers.
MORE_ANSWERS = [
    *ANSWERS,
    "A vasectomy is one of the most reliable kinds of birth control. Fewer than one in a thousand couples "
    "fall pregnant in the year after it. We check a semen sample at twelve weeks to be sure.",
    "The whole procedure takes about twenty minutes in the clinic. You can go home the same day, and "
    "someone should drive you.",
]


def _monologue(answers: list[str]) -> tuple[Transcript, list[int]]:
    """The answers read one after another, and the sentence each answer opens with."""
    words = make_words(" ".join(answers))
    transcript = split_sentences(Transcript(words=words, duration=words[-1].end))
    counts = [len(split_sentences(Transcript(words=make_words(a))).sentences) for a in answers]
    return transcript, [sum(counts[:i]) for i in range(len(answers))]


def _starts(transcript: Transcript) -> list[int]:
    return [s.sentences[0] for s in find_sections(transcript, encode=embed.encoder())]


@needs_encoder
def test_a_monologue_of_answers_is_cut_into_its_answers_and_a_how_to_talk_as_before(monkeypatch):
    transcript, truth = _monologue(MORE_ANSWERS)
    how_to, _ = _monologue([*HOW_TO, HOW_TO[0]])
    found, how_to_found = _starts(transcript), _starts(how_to)
    monkeypatch.setattr(questions, "answers_questions", lambda *_: False)  # every talk by the one rule
    plain = _starts(transcript)

    def near(starts: list[int]) -> int:  # true starts found within one sentence
        return sum(any(abs(s - t) <= 1 for s in starts) for t in truth[1:])

    assert len(found) > len(plain) and near(found) > near(plain), (truth, found, plain)
    assert how_to_found == _starts(how_to)  # not a clinic's answers: the gate leaves it to the rule
