"""Two-topic headings, introductions, and which spoken headings an editor keeps (hand-built talks)."""

from tests.conftest import make_transcript
from video2blog.pipeline.schema import Source
from video2blog.pipeline.text.compose import ComposeOptions, compose
from video2blog.pipeline.text.headings import (
    Talk,
    generate_heading,
    heading_choices,
    keeps_spoken,
)
from video2blog.pipeline.text.phrases import phrases_of
from video2blog.pipeline.text.sections import SectionSpan
from video2blog.pipeline.text.sentences import split_sentences

FILTER = (
    "Today we change the cabin filter of a small car. The cabin filter cleans the air you breathe.",
    "Open the glove box and empty it. The glove box has two stops on its sides, and the cabin filter "
    "sits right behind the glove box, so the cabin filter comes out once the stops are free.",
    "Slide the new cabin filter into the housing with the arrow pointing down. The housing clicks shut.",
)
FOCUS = (
    "The camera needs a charged battery. Keep a spare battery in the bag, because the camera drains a "
    "battery fast in the cold, and the camera shuts down.",
    "Light the room from the side with one lamp. The lamp gives soft light.",
    "Sound matters as much as the picture. A small microphone near the speaker gives clear sound.",
)


def test_a_section_about_two_things_names_both():
    talk = Talk(FOCUS)
    assert generate_heading(talk, 0) == "Camera and battery"


def test_a_section_that_keeps_naming_the_subject_pairs_it_with_its_own_topic():
    talk = Talk(FILTER, topic="cabin filter")
    assert generate_heading(talk, 1) == "Glove box and cabin filter"
    # the subject said once is not the section's topic: "Housing" alone, no pair
    assert " and " not in generate_heading(talk, 2)


def test_a_pair_is_never_one_phrase_cut_in_two_a_name_or_a_word_said_once():
    gas = (
        "Check the gas cap first. A loose gas cap sets the code, so tighten the gas cap until it clicks.",
        "Then look at the hoses under the car. Cracked hoses leak vapour.",
    )
    assert " and " not in generate_heading(Talk(gas), 0)  # "Gas and cap"
    people = (
        "Juliana Broste joins us, and Juliana Broste shoots with Marco Polenti. Marco Polenti shoots film.",
        "The lens cap goes back on after every shot. A lens cap saves the lens.",
    )
    assert " and " not in generate_heading(Talk(people), 0)
    once = (
        "The kettle heats the water. A kettle with a whistle tells you when it is ready, and one good "
        "moment is enough for a kettle.",
        "The teapot warms first. A warm teapot keeps tea hot.",
    )
    assert generate_heading(Talk(once), 0) == "Kettle"  # not "Kettle and moment"


def test_an_opening_that_says_what_the_video_shows_is_the_introduction():
    agenda = (
        "In this video I will show you how to replace the cabin filter. It takes five minutes.",
        *FILTER[1:],
    )
    assert heading_choices(Talk(agenda, topic="cabin filter"), 0)[0] == "Introduction to cabin filter"
    named = ("I'm Johnny from Expert Boxing. Boxing takes years to learn well.", *FOCUS[1:])
    assert generate_heading(Talk(named), 0) == "Introduction"
    hello = ("How's it going? So a few weeks ago I was in a small coffee shop in town.", *FOCUS[1:])
    assert generate_heading(Talk(hello), 0) == "Introduction"


def test_a_misheard_hey_inside_a_sentence_is_no_greeting():
    hay = (
        "A cold comes with a sore throat and a fever. Hey fever brings itchy eyes and sneezing every spring.",
        "Skin testing places tiny drops of pollen on the forearm. The drops show which pollen you react to.",
    )
    assert not generate_heading(Talk(hay), 0).startswith("Introduction")


def test_welcome_greets_like_hi_only_before_a_pause_or_a_greeting_word():
    # One word greets only before a pause or a word of pipeline/data/greeting_followers.txt, whichever word
    # of greetings.txt it is: "We welcome new patients" opens no introduction.
    clinic = ("We welcome new patients every week. Skin testing shows which pollen you react to.", *FOCUS[1:])
    assert not generate_heading(Talk(clinic), 0).startswith("Introduction")
    assert not keeps_spoken("Welcome back everyone")
    welcome = ("Welcome to the clinic. We treat allergies and asthma here.", *FOCUS[1:])
    assert generate_heading(Talk(welcome), 0) == "Introduction"


def test_a_question_after_next_heads_its_section_as_after_so():
    # "Next" opens a sentence before what it says as "So" does (pipeline/data/leading_fillers.txt).
    asked = (
        "Next, what is a cabin filter? It cleans the air that comes in through the vents.",
        "The cabin filter sits behind the glove box. Open the glove box to reach the filter.",
    )
    assert heading_choices(Talk(asked), 0)[0] == "What is a cabin filter?"


def test_a_numbered_step_past_ten_keeps_its_number():
    # Any counting word of pipeline/data/number_words.txt numbers a step, not only "one" to "ten".
    steps = (
        "Well, step twelve is the drive belt. Slip the drive belt off the pulley and pull the belt out.",
        "The new drive belt goes on the same way. Route the drive belt around each pulley.",
    )
    assert heading_choices(Talk(steps), 0)[0].startswith("Step 12: ")
    assert keeps_spoken("Step twelve")


def test_a_question_a_section_asks_opens_like_any_spoken_question():
    # One notion of how a question opens (spoken.opens_like_question): any auxiliary of
    # pipeline/data/auxiliaries.txt, "has" as well as "does".
    asked = (
        "Has your cabin filter ever been changed? It cleans the air that comes in through the vents.",
        "The cabin filter sits behind the glove box. Open the glove box to reach the filter.",
    )
    assert heading_choices(Talk(asked), 0)[0] == "Has your cabin filter ever been changed?"


def test_an_implied_question_agrees_with_its_subject():
    # The verb's number comes from the lexicon: "take", "cost", "are" agree with many, "lasts", "is" with one.
    for said, question in (
        ("Allergy shots usually take about six months to work.", "How long do allergy shots take?"),
        ("A flare usually lasts about two days in most people.", "How long does a flare last?"),
        ("Crowns cost about $900 each at most clinics.", "How much do crowns cost?"),
        ("Nasal sprays are the first treatment we try for allergies.", "What are nasal sprays?"),
    ):
        talk = Talk((said, "The clinic opens at nine. The front desk books each visit."))
        assert heading_choices(talk, 0)[0] == question, said


def test_an_everyday_subject_does_not_make_an_introduction_to_it():
    doors = (
        "Hi everybody, welcome back. Today it is all about the door, the door in winter.",
        "The door hinge needs oil. Oil the door hinge twice a year.",
        "A new door seal stops the draught. The door seal presses in by hand.",
    )
    assert generate_heading(Talk(doors, topic="door"), 0) == "Introduction"  # not "Introduction to door"


def test_a_verb_after_a_subject_starts_no_phrase():
    found = [p.text for p in phrases_of("We record brain waves overnight, and you wear dark glasses.")]
    assert "brain waves" in found and "dark glasses" in found
    assert not any(p.split()[0] in {"record", "wear"} for p in found), found


def test_spoken_headings_an_editor_would_not_keep():
    for bad in (
        "All right",
        "My name's Ken",
        "How's it going?",
        "Why am I gonna do that?",
        "Look at that",
        "One last thing",
        "Have a helper lift the seat and push on the bracket while?",
        "Hopefully you found this video helpful",
        "If I make you light bearers, don't you think I'm gonna hide you under a bucket in the cellar now?",
    ):
        assert not keeps_spoken(bad), bad
    for good in (
        "How do allergy shots work?",
        "Skin prick testing",
        "What should I be eating?",
        "What is SEO?",
        "Step 4",
        "Method A",
        "Remove the dampener arm",
    ):
        assert keeps_spoken(good), good


def test_a_filler_taken_for_a_spoken_heading_goes_back_to_the_prose_under_a_generated_heading():
    text = (
        "The camera records the whole event. Hold the camera steady and slow. "
        "All right. The lamp gives soft light from the side. Light the room with one lamp."
    )
    transcript = split_sentences(make_transcript(text))
    spans = [
        SectionSpan(sentences=(0, 2)),
        SectionSpan(sentences=(2, 5), heading_sentence=2, heading_source="spoken"),
    ]
    draft = compose(transcript, spans, Source("t.mp4", "0" * 64, 30.0), ComposeOptions())
    second = draft.sections[1]
    assert second.heading_source == "generated" and second.heading_words is None
    assert {"lamp", "light"} & set(second.heading.lower().split()), second.heading
    assert second.paragraphs[0].text.startswith("All right.")
    assert second.paragraphs[0].words[0] == transcript.sentences[2].words[0]  # no word lost


def test_a_spoken_heading_an_editor_keeps_stays_spoken():
    text = "The camera records the event. Hold it steady. Lighting the room. The lamp gives soft light."
    transcript = split_sentences(make_transcript(text))
    spans = [
        SectionSpan(sentences=(0, 2)),
        SectionSpan(sentences=(2, 4), heading_sentence=2, heading_source="spoken"),
    ]
    draft = compose(transcript, spans, Source("t.mp4", "0" * 64, 30.0), ComposeOptions())
    assert draft.sections[1].heading == "Lighting the room"
    assert draft.sections[1].heading_source == "spoken"


def test_a_section_that_opens_with_its_number_keeps_it():
    steps = (
        "The mower deck hangs under the frame. The mower deck holds the blades.",
        "So step two is the idler pulley. Loosen the idler pulley bolt, and the idler pulley swings free.",
        "Method B. The oxygen sensor sits in the exhaust pipe, and the oxygen sensor reads the exhaust gas.",
    )
    talk = Talk(steps)
    assert generate_heading(talk, 1) == "Step 2: Idler pulley"
    assert generate_heading(talk, 2).startswith("Method B: Oxygen sensor")
    assert not generate_heading(talk, 0).startswith(("Step", "Method"))


def test_a_noun_in_ly_names_a_thing_and_an_adverb_or_adjective_in_ly_does_not():
    said = "Belly fat and a family history raise the risk. The blood supply is poor. Take the tablet daily."
    found = [p.text for p in phrases_of(said + " Elderly patients talk early and likely.")]
    assert {"Belly fat", "family history", "blood supply", "tablet"} <= set(found), found
    assert not {"early", "likely", "daily", "elderly"} & {w.lower() for p in found for w in p.split()}, found


def test_a_noun_in_ed_or_ing_closes_a_phrase_and_a_verb_form_does_not():
    found = [
        p.text
        for p in phrases_of("A water bed helps back pain. Plaque sitting on teeth. The body stores fat.")
    ]
    assert "water bed" in found and "Plaque" in found, found  # "bed" names; "sitting" is the clause's verb
    assert "body" in found and "fat" in found and "body stores fat" not in found, found
