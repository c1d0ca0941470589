from dataclasses import replace

from tests.conftest import make_transcript
from video2blog.pipeline.run import DraftOptions, make_draft
from video2blog.pipeline.schema import Chapter, Source
from video2blog.pipeline.text.sections import find_sections, is_heading_question, tail_titles
from video2blog.pipeline.text.sentences import split_sentences
from video2blog.pipeline.text.spoken import is_spoken_title

TALK = (
    "Welcome to the clinic. Today I answer your questions about ketamine. "
    "What type of pain is ketamine good at treating? It helps most with nerve pain, fibromyalgia and "
    "complex regional pain syndrome. So why does that matter? Because those conditions resist other drugs. "
    "Right? Many patients have tried everything else first. "
    "How does ketamine work to treat pain? It blocks the NMDA receptor, which calms an overexcited nervous "
    "system and lets the pain signals settle down over several weeks of treatment."
)


def headings(text):
    t = split_sentences(make_transcript(text))
    return [(s.heading_source, s.heading) for s in find_sections(t)], t


def test_questions_open_sections_and_rhetorical_ones_stay_in_prose():
    found, _ = headings(TALK)
    assert found == [
        ("generated", None),
        ("spoken", "What type of pain is ketamine good at treating?"),
        ("spoken", "How does ketamine work to treat pain?"),
    ]


def test_sections_cover_every_sentence_in_order():
    _, t = headings(TALK)
    spans = find_sections(t)
    covered = [i for s in spans for i in range(*s.sentences)]
    assert covered == list(range(len(t.sentences)))


def test_question_with_no_real_answer_is_not_a_heading():
    found, _ = headings(
        "What is this? Nothing much. How does it work? It blocks receptors in the spinal "
        "cord and the brain so that pain signals are damped for many weeks afterwards."
    )
    assert [h for _, h in found] == [None, "How does it work?"]


def test_heading_question_shape():
    assert is_heading_question("How many treatments will I need?")
    assert not is_heading_question("Right?")
    assert not is_heading_question("So why does that matter?")
    assert not is_heading_question("It works, doesn't it, right?")
    assert not is_heading_question("Ketamine works well.")


def split(text, pauses=None):
    return split_sentences(make_transcript(text, pauses))


def test_spoken_titles_open_sections_like_questions():
    answer = (
        "We check your posture, your reflexes and the strength of your muscles before anything else. "
        "If something suggests a fracture, we send you for imaging first. "
    )
    care = "Mild soreness for a day is common, so drink water and take an easy walk after the visit. "
    t = split(f"What to expect at your first visit. {answer}Aftercare at home. {care}")
    found = [(s.heading_source, s.heading) for s in find_sections(t)]
    assert found == [("spoken", "What to expect at your first visit"), ("spoken", "Aftercare at home")]


def test_question_without_its_mark_is_a_heading_but_an_instruction_is_not():
    assert is_heading_question("Can allergies turn into asthma.")
    assert not is_heading_question("Do your exercises every single day.")
    assert not is_spoken_title("They block the reaction.")
    assert not is_spoken_title("Good evening.")
    assert is_spoken_title("Shift work and jet lag.")


def test_a_short_sentence_inside_an_answer_is_not_a_title():
    t = split(
        "How much exercise do I need? Aim for about one hundred and fifty minutes of activity a week. "
        "Brisk walking counts. Two short sessions of strength training each week matter even more "
        "while you are losing weight, since they protect your muscle."
    )
    spans = find_sections(t)
    assert [s.heading for s in spans if s.heading_source == "spoken"] == ["How much exercise do I need?"]
    brisk = next(i for i, s in enumerate(t.sentences) if s.text.startswith("Brisk"))
    assert all(s.heading_sentence != brisk for s in spans)


def test_title_run_into_its_answer_is_split_off_where_headings_are_spoken():
    body = "the lining of the nose swells and itches whenever pollen counts rise in the spring. "
    text = (
        f"Is it a cold or hay fever? A cold clears in ten days, and {body}Many people sneeze all season. "
        f"How do allergy shots work? Small doses retrain the immune system over months, and {body}"
        "Most people need three to five years of shots. Injections are weekly at first. "
        "Food allergies in children, peanut, egg and milk are the most common triggers in young children. "
        "Reactions appear within minutes and include hives and vomiting in many of the children we see. "
        f"Can allergies turn into asthma? The nose and lungs are one airway, and {body}"
    )
    cut = text.split().index("peanut,")
    t = split(text, pauses={cut: 0.6})
    spans = find_sections(t)
    draft = make_draft(t, Source("talk.mp4", "0" * 64, 60.0), DraftOptions(date="2026-01-01"))
    assert "Food allergies in children" in [s.heading for s in draft.sections]
    food = next(s for s in draft.sections if s.heading == "Food allergies in children")
    assert food.heading_source == "spoken" and food.paragraphs[0].text.startswith("Peanut, egg")
    assert len(spans) == len(draft.sections)


def test_two_titles_run_into_their_answers_are_both_found_though_most_sections_look_long():
    body = "the lining of the nose swells and itches whenever pollen counts rise in the spring. "
    text = (
        f"Is it a cold or hay fever? A cold clears in ten days, and {body}"
        f"How do allergy shots work? Small doses retrain the immune system over months, and {body}"
        f"Most people need three to five years of shots. {body}"
        f"Food allergies in children, peanut, egg and milk are the most common triggers we see. {body}"
        f"Can allergies turn into asthma? The nose and lungs are one airway, and {body}"
        f"Children with eczema wheeze more often. {body}"
        f"Treating nasal allergies, steroid sprays calm the lining of the nose for most children. {body}"
    )
    words = text.split()
    t = split(text, pauses={words.index("peanut,"): 0.6, words.index("steroid"): 0.6})
    draft = make_draft(t, Source("talk.mp4", "0" * 64, 60.0), DraftOptions(date="2026-01-01"))
    spoken = [s.heading for s in draft.sections if s.heading_source == "spoken"]
    # Two of the three stretches between spoken questions hide a title: the usual spoken section is
    # judged by the shortest, not by the median that the hidden titles lengthen.
    assert "Food allergies in children" in spoken and "Treating nasal allergies" in spoken, spoken


def test_topic_shift_without_any_heading_starts_a_generated_section():
    teeth = (
        "Brush your teeth twice a day with fluoride toothpaste. Floss between the teeth every evening. "
        "Plaque on the teeth hardens into tartar that only a hygienist removes. "
        "A soft toothbrush protects the gums while cleaning the teeth. "
    )
    sleep = (
        "Now, let's talk about sleep. Adults need seven hours of sleep every night. "
        "A dark, cool bedroom helps sleep come sooner. Screens before bed delay sleep for an hour. "
        "Keep the same wake time so your sleep rhythm stays steady. "
    )
    t = split(teeth + sleep)
    spans = find_sections(t)
    starts = [t.sentences[s.sentences[0]].text for s in spans]
    assert starts == [t.sentences[0].text, "Now, let's talk about sleep."]
    assert all(s.heading_source == "generated" for s in spans)


def test_chapter_marks_are_the_sections_and_their_titles():
    t = split(TALK)
    middle = t.sentences[2].start - 0.2
    chapters = (Chapter("Welcome", 0.0, middle), Chapter("What ketamine treats", middle, 60.0))
    spans = find_sections(t, chapters)
    assert [(s.heading_source, s.heading) for s in spans] == [
        ("chapters", "Welcome"),
        ("chapters", "What ketamine treats"),
    ]
    assert spans[1].sentences[0] == 2
    assert [i for s in spans for i in range(*s.sentences)] == list(range(len(t.sentences)))


def test_chapters_can_be_ignored():
    t = replace(split(TALK), chapters=(Chapter("One", 0.0, 5.0), Chapter("Two", 5.0, 60.0)))
    source = Source("talk.mp4", "0" * 64, 60.0)
    marked = make_draft(t, source, DraftOptions(date="2026-01-01"))
    ignored = make_draft(t, source, DraftOptions(date="2026-01-01", ignore_chapters=True))
    assert {s.heading_source for s in marked.sections} == {"chapters"}
    assert "chapters" not in {s.heading_source for s in ignored.sections}


# Lost punctuation: a talk with no full stop at all still gets its spoken headings and topic shifts.

BARE_TALK = (
    "what type of pain is ketamine good at treating "
    "it helps most with nerve pain fibromyalgia and complex regional pain syndrome "
    "those conditions resist most other drugs and patients have often tried everything else first "
    "how does ketamine work to treat pain "
    "it blocks the nmda receptor which calms an overexcited nervous system "
    "the pain signals then settle down over several weeks of treatment in the clinic"
)


def bare_transcript(text, pause_before=("it", "those", "how", "the")):
    """Words with no punctuation or case, a clear pause before each sentence the speaker ended."""
    words = text.split()
    starts = [i for i, w in enumerate(words) if i and w in pause_before and words[i - 1] not in ("that",)]
    return make_transcript(text, pauses=dict.fromkeys(starts, 0.7))


def test_spoken_questions_head_sections_when_the_punctuation_was_lost():
    t = split_sentences(bare_transcript(BARE_TALK))
    assert max(s.words[1] - s.words[0] for s in t.sentences) <= 20
    spans = find_sections(t)
    spoken = [t.sentences[s.heading_sentence].text for s in spans if s.heading_source == "spoken"]
    assert spoken == [
        "what type of pain is ketamine good at treating?",
        "how does ketamine work to treat pain?",
    ]


def test_a_marker_and_a_pause_start_a_topic_in_a_talk_with_no_punctuation():
    knees = (
        "the knee carries your weight with every step you take "
        "cartilage in the knee wears thin with age and with old injuries "
        "swelling in the knee after a walk often means the cartilage is worn "
    )
    sleep = (
        "now let's talk about sleep after surgery and how to get enough of it "
        "most adults need seven hours of sleep to heal well after an operation "
        "a dark and quiet bedroom helps sleep come sooner after the long day "
    )
    text = (knees * 2 + sleep * 2).strip()
    words = text.split()
    openers = ("the", "cartilage", "swelling", "most", "a")
    pauses = {i: 0.45 for i, w in enumerate(words) if w in openers and i}
    pauses[words.index("now")] = 1.2
    t = split_sentences(make_transcript(text, pauses=pauses))
    spans = find_sections(t)
    assert len(spans) >= 2
    first_words = [t.sentences[s.sentences[0]].text.split()[0] for s in spans[1:]]
    assert "now" in first_words


def tail_of(text, paused_word):
    words = text.split()
    t = split_sentences(make_transcript(text, {words.index(paused_word): 0.7}))
    return tail_titles(t, [])


def test_title_run_onto_a_sentence_after_a_pause_is_found():
    text = (
        "Knee pain is common in older adults. Light therapy often helps more than sleeping pills do "
        "Shift work and jet lag. Night shifts upset the body clock for most of them."
    )
    assert tail_of(text, "Shift") == {1: 16}


def test_clause_after_a_comma_and_a_pause_is_no_title():
    # A pause in a list ("weight loss, [pause] injections and...") is no heading run onto a sentence.
    text = (
        "Knee pain is common in older adults. We usually try physical therapy, weight loss, "
        "injections and anti-inflammatory medicine first. Surgery comes later for most of them."
    )
    assert tail_of(text, "injections") == {}


def test_a_statement_said_right_after_a_question_is_its_answer_not_its_heading():
    found, _ = headings(
        "Welcome, and thanks for coming along today to this short talk about our clinic. "
        "Why do my new shoes squeak on the floor? Nearly everybody hears this at first. "
        "The soles are stiff and the rubber grips the floor hard, so it squeaks until the soles wear in."
    )
    assert found == [("generated", None), ("spoken", "Why do my new shoes squeak on the floor?")]


def test_a_which_question_heads_its_section_but_a_which_clause_does_not():
    found, _ = headings(
        "Welcome, and thanks for coming along today to this short talk about our clinic. "
        "Which boots should a beginner buy for hiking? Light boots with a stiff sole suit most beginners "
        "well. Which means your ankles get support on rough ground without the weight of heavy leather."
    )
    assert found == [("generated", None), ("spoken", "Which boots should a beginner buy for hiking?")]
