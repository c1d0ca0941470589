"""What a generated question names: the talk's subject, or the thing its section is about."""

import json

import numpy as np
import pytest

from benchmarks import train_subjects
from tests.test_questions import _draft, needs_encoder
from video2blog.pipeline.engines import embed
from video2blog.pipeline.text.metadata import topic_candidates
from video2blog.pipeline.text.questions import Subject, ask_naming, question_forms
from video2blog.pipeline.text.subjects import (
    SUBJECT_FEATURES,
    SUBJECT_MODEL,
    SectionCandidates,
    SubjectModel,
    section_candidates,
    section_subjects,
    shipped_subject_model,
    subject_model_from,
)

ALLERGY = [
    "Allergies are the immune system reacting to harmless things like pollen, dust or pet dander. "
    "Allergies can cause sneezing, itchy eyes and rashes.",
    "The skin prick test is quick. A skin prick test places tiny drops of allergens on your arm, and the "
    "skin test shows a small bump within fifteen minutes where you react.",
    "Immunotherapy trains your immune system with small, rising doses of what you react to. "
    "Immunotherapy is given as weekly shots for a few months, then monthly, to treat allergies for years.",
    "Most allergies improve with the right medicine. We start with antihistamines and nasal sprays for "
    "allergies before anything else.",
]


def candidates(sections: list[str], topic: str) -> list[SectionCandidates]:
    """The candidates as the shipped model gathers them (from its number of opening sentences)."""
    reach = train_subjects.shipped_reach()
    return section_candidates(sections, topic_candidates(sections), topic, embed.embed, reach)


@needs_encoder
def test_a_section_about_its_own_thing_asks_about_it_and_the_rest_about_the_talks_subject():
    headings = [s.heading for s in _draft(ALLERGY).sections]
    assert all(h.endswith("?") for h in headings), headings
    assert "skin prick test" in headings[1].lower(), headings
    assert "allergies" in headings[0].lower() and "allergies" in headings[3].lower(), headings


@needs_encoder
def test_the_talks_subject_is_the_first_candidate_of_every_section_even_unsaid():
    found = candidates(ALLERGY, "allergies")
    assert [c.keys[0] for c in found] == ["allergies"] * 4  # the second section never says it
    assert all(c.rows.shape == (len(c.keys), len(SUBJECT_FEATURES)) for c in found)
    assert "skin prick test" in found[1].keys and "skin prick test" not in found[0].keys
    said_first = SUBJECT_FEATURES.index("first_sentence")
    assert found[1].rows[found[1].keys.index("skin prick test"), said_first] == 1.0
    near = SUBJECT_FEATURES.index("near_section")  # closeness in meaning to the section's opening

    def closeness(section: int, key: str) -> float:
        return float(found[section].rows[found[section].keys.index(key), near])

    assert closeness(1, "skin prick test") > closeness(1, "allergies")
    assert closeness(0, "allergies") > closeness(0, "system")


def test_another_candidate_replaces_the_talks_subject_only_by_the_margin():
    rows = np.array([[1.0, 0.0], [0.0, 1.0]])  # the talk's subject, then another candidate
    model = SubjectModel(np.array([1.0, 1.5]), 0.0, np.zeros(2), np.ones(2), 2, margin=1.0)
    assert model.choose(rows) == 0  # 1.5 does not beat 1.0 by 1.0
    assert SubjectModel(np.array([1.0, 2.5]), 0.0, np.zeros(2), np.ones(2), 2, margin=1.0).choose(rows) == 1
    assert SubjectModel(np.array([1.0, 1.5]), 0.0, np.zeros(2), np.ones(2), 2).choose(rows) == 1


def test_without_a_model_every_section_asks_about_the_talks_subject(monkeypatch: pytest.MonkeyPatch):
    from video2blog.pipeline.text import subjects

    monkeypatch.setattr(subjects, "shipped_subject_model", lambda: None)
    text = " ".join(ALLERGY)

    def never(texts: list[str]) -> np.ndarray:
        raise AssertionError("no model: nothing to embed")

    assert (
        section_subjects(ALLERGY, topic_candidates(ALLERGY), "allergies", text, never)
        == [Subject("allergies", "allergies", True)] * 4
    )


def test_a_subject_repeating_the_forms_own_word_gives_way_to_the_talks():
    sessions = next(f.template for f in question_forms() if f.name == "sessions")
    talk = Subject("counseling", "counseling", False)
    assert ask_naming(sessions, Subject("sessions", "sessions", True), talk) == (
        "How many counseling sessions will I need?"
    )
    hurt = next(f.template for f in question_forms() if f.name == "hurt")
    assert ask_naming(hurt, Subject("the skin test", "skin test", False), talk) == "Does the skin test hurt?"


def test_the_shipped_model_names_every_feature_and_round_trips():
    shipped = shipped_subject_model()
    assert shipped is not None and shipped.margin == train_subjects.MARGIN
    from importlib import resources

    data = json.loads(resources.files("video2blog.pipeline.data").joinpath(SUBJECT_MODEL).read_text())
    assert set(data["weights"]) == set(SUBJECT_FEATURES) == set(data["mean"]) == set(data["scale"])
    assert shipped.opening_sentences in train_subjects.REACHES  # chosen on held-apart folds
    size = len(SUBJECT_FEATURES)
    model = SubjectModel(np.linspace(-1, 1, size), 0.25, np.full(size, 0.5), np.ones(size), 3, margin=1.5)
    again = subject_model_from(train_subjects.to_json(model))
    rows = np.random.default_rng(0).normal(size=(5, size))
    assert np.allclose(again.scores(rows), model.scores(rows), atol=1e-4) and again.margin == 1.5
    assert again.opening_sentences == 3


@needs_encoder
def test_without_a_subject_there_is_nothing_to_replace_and_curly_apostrophes_are_found():
    assert candidates(ALLERGY, "") == []
    said = ["Crohn’s disease inflames the gut. Botox does not treat Crohn’s disease.", "Botox is quick."]
    assert "crohn’s disease" in candidates(said, "Botox")[0].keys


@needs_encoder
def test_a_candidate_is_labelled_where_the_question_names_it_beyond_its_forms_words():
    from benchmarks.qa_pages import Page, Pair

    page = Page(
        "allergy-test",
        "allergy",
        (
            Pair("How long will the skin prick test take?", tuple(ALLERGY[1].split(". "))),
            Pair("What is the recovery after allergy shots?", ("The recovery is quick.", "Rest a day.")),
        ),
    )
    first, second = train_subjects.examples([page], train_subjects.shipped_reach())
    assert first.labels[first.keys.index("skin prick test")] == 1.0
    assert second.labels[second.keys.index("recovery")] == 0.0  # the form says "recovery" itself
