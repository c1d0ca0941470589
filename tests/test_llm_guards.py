"""The guards on a language model's suggestions, on hand-written bad suggestions (no model, no server)."""

from __future__ import annotations

import numpy as np
import pytest

from video2blog.pipeline.llm.suggest import judge_headings, offer, parse_meta
from video2blog.pipeline.schema import Paragraph, Section
from video2blog.pipeline.text.guards import (
    NEW_CLAIM,
    NEW_NUMBER,
    NO_TOPIC,
    NOT_IN_TRANSCRIPT,
    REPEATS_HEADING,
    check_heading,
    cut_description,
    guarded_description,
    tidy,
)

TEXT = (
    "Ketamine is an anaesthetic that at low doses can ease nerve pain. We give it as a slow infusion "
    "in the clinic, and a nurse checks your blood pressure every fifteen minutes."
)


def section(heading: str = "Slow infusion", text: str = TEXT) -> Section:
    return Section(heading, "generated", 0.0, 10.0, (Paragraph(text, 0.0, 10.0, (0, 10)),))


def test_tidy_removes_list_marks_labels_and_quotes():
    assert tidy('1. "How is ketamine given?"') == "How is ketamine given?"
    assert tidy("- Heading: Nerve pain relief.") == "Nerve pain relief"
    assert tidy("**Blood pressure checks**") == "Blood pressure checks"
    # any label of pipeline/data/suggestion_labels.txt
    assert tidy("Question: How is ketamine given?") == "How is ketamine given?"
    assert tidy("Subheading 2 - Nerve pain relief") == "Nerve pain relief"


def test_words_from_the_section_pass_and_others_are_flagged():
    assert check_heading("How is ketamine given?", TEXT).clean
    flagged = check_heading("Ketamine for migraine sufferers", TEXT)
    assert flagged.keep and flagged.note == NOT_IN_TRANSCRIPT
    assert check_heading("Esketamine infusions", TEXT, glossary=["esketamine"]).clean


def test_a_number_the_talk_does_not_say_is_dropped():
    assert check_heading("Three reasons to try ketamine", TEXT) == check_heading("3 ketamine facts", TEXT)
    assert check_heading("3 ketamine facts", TEXT).note == NEW_NUMBER
    assert not check_heading("Ketamine works in 90% of patients", TEXT).keep
    assert check_heading("Blood pressure every fifteen minutes", TEXT).clean


def test_a_claim_the_talk_does_not_make_is_dropped():
    for bad in ("Ketamine cures nerve pain", "A painless infusion", "Guaranteed relief from nerve pain"):
        verdict = check_heading(bad, TEXT)
        assert not verdict.keep and verdict.note == NEW_CLAIM, bad
    assert check_heading("Can ketamine cure pain?", TEXT + " It will not cure the pain.").keep


def test_a_heading_that_repeats_another_section_is_dropped():
    verdict = check_heading("Side Effects", TEXT, others=["Side effect", "Aftercare"])
    assert verdict == check_heading("side effects!", TEXT, others=["Side effects"])
    assert not verdict.keep and verdict.note == REPEATS_HEADING


def test_a_heading_that_names_no_topic_is_not_used():
    verdict = check_heading("How it works", TEXT)
    assert verdict.keep and verdict.note == NO_TOPIC and not verdict.clean


def test_description_is_cut_at_whole_sentences():
    text = "Ketamine can ease nerve pain. " * 8
    cut = cut_description(text)
    assert len(cut) <= 160 and cut.endswith("pain.") and cut.count(".") == 5
    assert cut_description("x" * 200 + ".") == ""


def test_description_keeps_only_sentences_the_talk_supports():
    raw = (
        "Ketamine can ease nerve pain. It cures depression in 90% of patients. "
        "We give it as a slow infusion in the clinic."
    )
    assert guarded_description(raw, TEXT) == (
        "Ketamine can ease nerve pain. We give it as a slow infusion in the clinic."
    )


def test_the_first_clean_suggestion_is_used_and_bad_ones_are_recorded_as_dropped():
    reply = "1. Slow infusion\n2. Ketamine cures everything\n3. Migraine relief\n4. How is ketamine given?\n"
    found = judge_headings(reply, 0, section(), [], others=["Aftercare"])
    by_text = {s.text: s for s in found}
    assert by_text["Slow infusion"].note == REPEATS_HEADING  # the section's own classical heading
    assert by_text["Ketamine cures everything"].note == NEW_CLAIM
    assert by_text["Migraine relief"].note == NOT_IN_TRANSCRIPT and not by_text["Migraine relief"].used
    assert by_text["How is ketamine given?"].used
    assert [s.text for s in found if s.used] == ["How is ketamine given?"]


def test_use_mode_replaces_the_heading_and_offers_the_classical_one():
    found = judge_headings("How is ketamine given?\nMigraine relief", 0, section(), [], [])
    used = offer(section(), found, use=True)
    assert (used.heading, used.heading_source) == ("How is ketamine given?", "llm")
    assert [(s.text, s.source) for s in used.suggestions] == [
        ("Slow infusion", "generated"),
        ("Migraine relief", "llm"),
    ]
    assert used.suggestions[1].note == NOT_IN_TRANSCRIPT
    offered = offer(section(), found, use=False)
    assert (offered.heading, offered.heading_source) == ("Slow infusion", "generated")
    assert [s.text for s in offered.suggestions] == ["How is ketamine given?", "Migraine relief"]
    assert offered.paragraphs == section().paragraphs  # the model never touches the prose


def test_meta_reply_is_parsed_by_its_labels():
    reply = (
        "Sure!\n**Title:** Ketamine for nerve pain\n- Description: Ketamine can ease nerve pain.\nTitle: x"
    )
    assert parse_meta(reply) == {
        "title": "Ketamine for nerve pain",
        "description": "Ketamine can ease nerve pain.",
    }


def test_api_base_and_reply_parsing():
    from video2blog.pipeline.llm.client import LlmUnavailable, api_base, parse_reply

    assert api_base("http://localhost:11434") == "http://localhost:11434/v1"
    assert api_base("https://api.example.com/v1/") == "https://api.example.com/v1"
    reply = parse_reply(b'{"model": "/m/SmolLM2.gguf", "choices": [{"message": {"content": "Hi"}}]}')
    assert (reply.text, reply.model) == ("Hi", "/m/SmolLM2.gguf")
    for junk in (b"", b"[]", b'{"choices": [{"message": {"content": null}}]}', b"\xff\xfe"):
        with pytest.raises(LlmUnavailable):
            parse_reply(junk)


def test_boundary_candidates_keep_sections_long_enough():
    from video2blog.pipeline.llm.boundaries import candidates, pick

    scores = np.array([0.1, 0.9, 0.2, 0.8, 0.1, 0.7, 0.3, 0.1, 0.2, 0.1, 0.6])
    options = candidates(scores, [4, 9], 0, 12)
    assert options[0] == 4 and len(options) <= 3 and all(2 <= g <= 7 for g in options)
    assert pick("2", options) == options[1] and pick("none", options) == 4 and pick("9", options) == 4
