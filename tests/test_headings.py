"""Generated headings, title, slug, description and keywords, on hand-built talks."""

import pytest

from tests.conftest import make_transcript
from video2blog.pipeline.engines import embed
from video2blog.pipeline.run import DraftOptions, make_draft
from video2blog.pipeline.schema import Source
from video2blog.pipeline.text.headings import (
    Talk,
    alternatives,
    generate_heading,
    heading_choices,
    keeps_spoken,
)
from video2blog.pipeline.text.metadata import (
    KEYWORD_FEATURES,
    KeywordModel,
    closeness_to,
    distinct_keys,
    keywords,
    main_topic,
    make_description,
    make_title,
    shipped_keyword_model,
    talk_sentences,
    topic_purpose,
)
from video2blog.pipeline.text.sentences import split_sentences
from video2blog.pipeline.textutil import GREETING, slugify, tokens
from video2blog.pipeline.writers.chapters import youtube_chapters

SOURCE = Source("t.mp4", "0" * 64, 60.0)
KETAMINE = (
    "Hello, my name's Ken and I am one of the doctors here at the pain clinic. Many of you have asked "
    "about ketamine for pain, so today I will answer the questions we hear about ketamine most often.",
    "Ketamine works by blocking NMDA receptors in the spinal cord. Blocking NMDA receptors calms the "
    "nerves that keep pain signals going, so ketamine can reset a sensitised nervous system.",
    "It usually takes about three sessions before patients notice less pain. Ketamine infusions are "
    "given over two weeks, and the relief from ketamine builds with each infusion.",
    "All right, so side effects of ketamine are usually mild. Side effects include dizziness and "
    "vivid dreams during the infusion, and side effects fade within an hour.",
)
PRP = (
    "PRP is a concentrate of your own platelets. The plasma is rich in platelets, and platelets carry "
    "growth factors that help the knee repair cartilage and tendon.",
    "It takes about six weeks for PRP to work in the knee. Most patients feel the knee improve over "
    "three months as the tendon and cartilage heal.",
)


def draft_of(*sections: str, glossary: tuple[str, ...] = ()):
    text = " ".join(sections)
    return make_draft(split_sentences(make_transcript(text)), SOURCE, DraftOptions(glossary=glossary))


def flawed(heading: str) -> bool:
    words = tokens(heading)
    fillers = {"all", "right", "okay", "so", "um", "uh", "yeah", "tend", "tends", "spent", "stuff"}
    return not words or bool(GREETING.search(heading)) or words[0] in fillers or words[-1] in fillers


def test_an_opening_greeting_is_an_introduction_to_the_subject_never_a_name():
    talk = Talk(KETAMINE, topic=main_topic(KETAMINE))
    assert talk.topic.lower() == "ketamine"
    assert generate_heading(talk, 0) == "Introduction to ketamine"
    assert not any("ken" in h.lower() for h in heading_choices(talk, 0))


def test_an_opening_greeting_without_a_clear_subject_is_just_introduction():
    talk = Talk(("Hi everybody, welcome back to the channel.", "The gasket sits behind the door panel."))
    assert generate_heading(talk, 0) == "Introduction"


def test_a_section_that_answers_a_question_gets_the_question_with_its_acronym():
    talk = Talk(KETAMINE, topic="ketamine")
    assert generate_heading(talk, 1) == "How does ketamine work?"
    assert generate_heading(talk, 2) == "How long does ketamine take?"  # "It takes...": the talk's subject
    prp = Talk(PRP, topic=main_topic(PRP))
    assert prp.topic == "PRP"
    assert generate_heading(prp, 0) == "What is PRP?"
    assert generate_heading(prp, 1) == "How long does PRP take?"


def test_a_question_the_speaker_asks_is_the_heading():
    talk = Talk(("So how long does the swelling last? The swelling goes down in a week or two.", PRP[0]))
    assert generate_heading(talk, 0) == "How long does the swelling last?"
    # as short as a spoken question may be (sentences.MIN_QUESTION_WORDS, one value for every stage)
    short = Talk(("Are injections painful? Most patients feel only a brief pinch at the needle.", PRP[0]))
    assert generate_heading(short, 0) == "Are injections painful?"
    # a spoken question that names nothing is kept only past four words: an aside is no heading
    assert keeps_spoken("What should I be eating?") and not keeps_spoken("What does that mean?")


def test_topic_headings_are_never_fragments_fillers_or_verbs():
    acne = (
        "All right, harsh scrubs tend to make breakouts worse. Harsh scrubs strip the skin, and the skin "
        "answers with more oil, so gentle cleansers beat harsh scrubs every time."
    )
    talk = Talk((acne, KETAMINE[1], PRP[1]))
    heading = generate_heading(talk, 0)
    assert not flawed(heading), heading
    assert "scrubs" in heading.lower() or "cleansers" in heading.lower()
    assert all(not flawed(h) for h in heading_choices(talk, 0))


def test_a_section_of_steps_offers_the_action_it_names():
    steps = (
        "Now remove the old filter from the housing. To remove the old filter, pull the tab and slide "
        "the old filter out. Then remove the dust from the housing."
    )
    talk = Talk(("The glove box hides the cabin filter housing.", steps, "Slide the new filter in."))
    choices = heading_choices(talk, 1)
    assert "Removing the old filter" in choices
    assert choices[0] != "Removing the old filter" or choices[1:]


def test_a_short_goodbye_at_the_end_is_the_conclusion():
    talk = Talk((KETAMINE[1], KETAMINE[2], "Thanks for watching, and please subscribe for more."))
    assert generate_heading(talk, 2) == "Conclusion"


def test_headings_never_repeat_and_suggestions_offer_the_other_form():
    talk = Talk(KETAMINE, topic="ketamine")
    first = generate_heading(talk, 1)
    second = generate_heading(talk, 1, [first])
    assert first != second and not flawed(second)
    others = alternatives(talk, 1, first)
    assert 1 <= len(others) <= 2 and first not in others
    assert not others[0].endswith("?")  # the question first, the topic form offered beside it


def test_a_draft_fills_suggestions_for_generated_headings():
    draft = draft_of(*KETAMINE)
    generated = [s for s in draft.sections if s.heading_source == "generated" and not s.lead]
    assert generated
    assert all(not s.suggestions for s in draft.sections if s.lead)  # a greeting answers no question
    for section in generated:
        assert 1 <= len(section.suggestions) <= 2
        assert all(s.source == "generated" and s.text != section.heading for s in section.suggestions)
    headings = [s.heading.lower() for s in draft.sections]
    assert len(set(headings)) == len(headings)


def test_headings_use_the_glossary_spelling():
    misheard = [s.replace("ketamine", "catamine").replace("Ketamine", "Catamine") for s in KETAMINE]
    draft = draft_of(*misheard, glossary=("ketamine",))
    text = " ".join([draft.title, *(s.heading for s in draft.sections), *draft.keywords])
    assert "catamine" not in text.lower() and "ketamine" in text.lower()


def test_the_title_names_the_subject_and_what_it_is_for():
    sections = (
        "TMS for depression uses magnetic pulses. Many patients ask about TMS for depression first.",
        "A TMS session lasts twenty minutes. You stay awake during TMS.",
        "Side effects are mild. Side effects include a headache, and side effects fade. TMS is safe.",
    )
    topic = main_topic(sections)
    assert topic == "TMS"
    purpose = topic_purpose(" ".join(sections), topic)
    assert make_title(topic, asked=True, purpose=purpose) == "TMS for depression: your questions answered"
    assert make_title("", asked=False) == "Draft post"
    assert (
        slugify("TMS for depression: your questions answered!")
        == "tms-for-depression-your-questions-answered"
    )
    # A still's name (40 characters) ends with a word, not "...-your-questions-answere".
    assert slugify("Ketamine for pain: your questions answered", 40) == "ketamine-for-pain-your-questions"
    assert slugify("x" * 60, 40) == "x" * 40  # one word longer than the limit is cut
    # Another script's letters stay, as WordPress keeps them; a Latin one's accents go, as before.
    assert slugify("氯胺酮是什么？") == "氯胺酮是什么" and slugify("Café – 5–10 mg") == "cafe-5-10-mg"
    assert slugify("Что такое кетамин?", ascii_only=True) == "draft"  # a still's file name stays ASCII
    assert len(slugify("Что " * 40)) == 39  # 200 characters percent-encoded, as WordPress keeps it
    # A Latin title keeps its ASCII slug, whatever Greek letter it names; a Greek word keeps its final sigma.
    assert slugify("TNF-α inhibitors: your questions answered") == "tnf-inhibitors-your-questions-answered"
    assert slugify("500 µg") == "500-g" and slugify("ΠΟΣΟΣ ΚΟΣΤΙΖΕΙ") == "ποσος-κοστιζει"
    assert slugify("Что такое COVID-19?") == "что-такое-covid-19"  # mostly Cyrillic: its letters stay


def test_the_description_is_whole_sentences_under_160_characters():
    sentences = [
        "Hello, I am Dr Lee.",
        "So PRP uses your own platelets to help a knee heal.",
        "The injection takes ten minutes in the clinic.",
        "Recovery " + "takes time and patience and rest " * 8 + "before you run again.",
    ]
    description = make_description(sentences, topic="PRP")
    assert (
        description
        == "PRP uses your own platelets to help a knee heal. The injection takes ten minutes in the clinic."
    )
    assert "…" not in description and len(description) <= 160


def test_the_description_adds_no_sentence_of_the_next_answer():
    prose = [
        "An implant is a titanium post that holds a new tooth.",
        "The surgery takes about an hour per tooth.",
    ]
    assert make_description(prose, topic="implant", section_of=[0, 0]) == " ".join(prose)
    assert make_description(prose, topic="implant", section_of=[0, 1]) == prose[0]


def test_a_sentence_that_runs_on_into_a_question_is_no_description():
    prose = [
        "The implant works just like a natural tooth, does getting an implant hurt.",
        "Most patients say the implant feels like their own tooth.",
    ]
    assert make_description(prose, topic="implant") == prose[1]


def test_without_full_stops_the_description_is_one_made_sentence():
    run_on = ["so today we are going to remove the old filter " * 10]
    description = make_description(
        run_on, topic="filter", headings=["Introduction", "Old filter", "Filter housing"]
    )
    assert description == "What to know about filter: old filter and filter housing."
    assert len(description) <= 160


def test_keywords_name_the_procedure_not_verbs_and_keep_acronyms():
    text = " ".join(PRP) + " Patients tend to rest. They spent a week resting. PRP helps the knee."
    found = keywords(text, limit=5, topic="PRP")
    assert found[0] == "PRP" and "knee" in found
    assert not {"tend", "tends", "spent", "helps"} & set(found)


def test_keywords_prefer_repeated_phrases_and_skip_verbs():
    text = (
        "Physical therapy helps. You hear a lot about physical therapy. We hear that strength matters, "
        "and strength grows with physical therapy."
    )
    assert keywords(text, limit=2) == ["physical therapy", "strength"]


def test_phrases_carry_no_markup_or_quotes_from_the_words():
    sections = ('The "</script>" tag and <b>ketamine</b> doses. Ketamine doses vary.', KETAMINE[1])
    talk = Talk(sections, topic=main_topic(sections))
    headings = [*heading_choices(talk, 0), talk.topic]
    assert all(not set(h) & set('<>"/') for h in headings), headings


def test_gerunds_follow_english_spelling():
    from video2blog.pipeline.text.lexicon import gerund

    assert [gerund(v) for v in ("remove", "cut", "tie", "install", "open", "see", "mix")] == [
        "removing",
        "cutting",
        "tying",
        "installing",
        "opening",
        "seeing",
        "mixing",
    ]


ASKED = (
    "Hello, I am one of the doctors here at the pain clinic. Many of you have asked about ketamine, so I "
    "want to walk through the questions we hear most often. What type of pain does ketamine treat? "
    "Ketamine helps most with nerve pain, which we call neuropathic pain, and with complex regional pain "
    "syndrome after an injury. We do not use ketamine to treat the pain of a simple sprain or a sore joint. "
    "How many ketamine treatments will I need? We often start with a short series of infusions over one "
    "or two weeks, and some people notice relief after the first session while others need three or four. "
    "Is ketamine safe? At the low doses we use ketamine has a long safety record, and a nurse checks your "
    "blood pressure throughout every infusion."
)


def test_an_opening_greeting_before_the_first_spoken_question_is_the_lead():
    draft = make_draft(split_sentences(make_transcript(ASKED)), SOURCE, DraftOptions())
    lead, first = draft.sections[0], draft.sections[1]
    assert lead.lead and lead.paragraphs[0].text.startswith("Hello, I am one of the doctors")
    assert first.heading == "What type of pain does ketamine treat?" and not first.lead
    assert not any(s.lead for s in draft.sections[1:])
    chapters = youtube_chapters(draft.sections, draft.source.duration).lines
    assert chapters[0].startswith("0:00 ") and chapters[1].endswith("What type of pain does ketamine treat?")


def test_an_opening_that_runs_on_into_an_answer_stays_a_headed_section():
    # No question spoken and the greeting runs into the first answer: a headingless lead would hide the
    # answer's heading (cutting the greeting off instead cost real YouTube F1 0.291 -> 0.280). Where the
    # section stage cuts the greeting off on its own (a talk of answers), the lead is the greeting alone.
    for section in draft_of(*KETAMINE).sections:
        assert not section.lead or "NMDA" not in " ".join(p.text for p in section.paragraphs)
    assert any(
        "NMDA" in " ".join(p.text for p in s.paragraphs) and s.heading for s in draft_of(*KETAMINE).sections
    )
    assert not any(s.lead for s in draft_of(*PRP).sections)


def test_the_title_names_what_the_treatment_treats_when_the_talk_never_says_for():
    text = " ".join(ASKED.split())
    assert topic_purpose(text, "ketamine") == "pain"
    assert make_title("ketamine", asked=True, purpose="pain") == "Ketamine for pain: your questions answered"
    draft = make_draft(split_sentences(make_transcript(ASKED)), SOURCE, DraftOptions())
    assert draft.title == "Ketamine for pain: your questions answered"
    assert topic_purpose("Ketamine is an anaesthetic. A nurse treats you kindly.", "ketamine") == ""


def test_the_description_is_never_a_greeting_or_an_aside():
    sentences = [
        "Hello, I am one of the doctors here at the pain clinic.",
        "Many of you have asked about ketamine, so I want to walk through the questions we hear most often.",
        "Ketamine helps most with nerve pain, which we call neuropathic pain.",
        "A nurse checks your blood pressure throughout every infusion.",
    ]
    description = make_description(sentences, topic="ketamine")
    assert description.startswith("Ketamine helps most with nerve pain") and len(description) <= 160


def test_the_description_is_never_cut_at_an_abbreviation():
    """A paragraph is split as the sentence stage splits it: "Dr." ends no sentence, so the greeting
    stays whole (and is left out) and the sentence naming "Dr. Patel" is not cut short."""
    prose = [
        "Hi, I'm Dr. Sam Patel, MD, and I run the pain clinic here in Denver. "
        "Most knee patients see Dr. Patel twice a year for PRP."
    ]
    assert make_description(prose, topic="PRP") == "Most knee patients see Dr. Patel twice a year for PRP."


@pytest.mark.skipif(not embed.available(), reason="the sentence encoder is not installed")
def test_with_the_encoder_the_description_is_the_sentence_nearest_the_talk():
    draft = make_draft(split_sentences(make_transcript(ASKED)), SOURCE, DraftOptions(), embed.encoder())
    said = [s.text for s in split_sentences(make_transcript(ASKED)).sentences]
    assert draft.description in said  # one whole sentence of the talk (two do not fit in 160 here)
    assert "ketamine" in draft.description.lower() and not draft.description.endswith("?")
    assert not GREETING.search(draft.description) and "asked" not in draft.description


def test_the_closing_words_the_sections_stage_knows_close_the_headings_too():
    # one outro pattern (textutil.OUTRO): "to sum up" and "until next time" close a talk for both stages
    talk = Talk((KETAMINE[1], KETAMINE[2], "To sum up, ketamine helps nerve pain. Until next time."))
    assert generate_heading(talk, 2) == "Conclusion"


def test_keywords_rank_the_talks_own_terms_above_everyday_words_said_as_often():
    # "drip" and "neuropathic" are each said three times, "drip" first: counting alone keeps "drip";
    # the shipped keyword model ranks the term the sentence encoder does not know whole first.
    text = (
        "The drip goes in your arm. The drip runs for an hour. Neuropathic pain responds best. "
        "We stop the drip early if needed. Neuropathic pain starts in the nerves. Neuropathic pain is common."
    )
    model = shipped_keyword_model()
    assert model is not None and len(model.weights) == len(KEYWORD_FEATURES)
    assert keywords(text, limit=2, topic="ketamine", model=model)[1].startswith("neuropathic")
    counted = keywords(text, limit=2, topic="ketamine", model=KeywordModel((1.0, 0, 0, 0, 0, 0), 0.0))
    assert counted[1] == "drip"


@pytest.mark.skipif(not embed.available(), reason="the sentence encoder is not installed")
def test_with_the_encoder_keywords_are_the_terms_near_the_talk_not_everyday_words_said_as_often():
    # "home" is said four times, "artery" twice (and "arteries" once): the text alone ranks the everyday
    # word; the model that weighs each candidate's closeness to the talk ranks the term.
    text = (
        "Measure your blood pressure at home, seated and calm. Stay at home for a week and write each "
        "reading down. High cholesterol narrows the arteries over many years. A single reading means "
        "little; keep the cuff at home. Cholesterol builds up inside artery walls. Statins lower "
        "cholesterol, and exercise at home helps the heart. Inside the artery, plaque grows where "
        "cholesterol settles."
    )
    closeness = closeness_to(talk_sentences([text]), embed.encoder())
    near = keywords(text, limit=3, topic="heart", closeness=closeness)
    assert near == ["heart", "cholesterol", "artery"]
    assert "artery" not in keywords(text, limit=3, topic="heart")  # the lexical model: "home"
    assert "arteries" not in keywords(text, limit=6, topic="heart", closeness=closeness)  # one form


def test_keywords_name_each_word_once_in_any_number_but_keep_words_of_their_own():
    ranked = ["arteries", "medication", "steroid injections", "injection", "teeth", "tooth", "physics"]
    chosen = distinct_keys(ranked, 5, ["artery"])
    assert chosen == ["artery", "medication", "steroid injections", "teeth", "physics"]
    assert distinct_keys(["medical", "medication"], 2) == ["medical", "medication"]  # not one word


def test_a_glossary_term_written_with_a_sign_is_one_keyword_as_the_clinic_writes_it():
    """ "botox" (the talk's topic) and the glossary's "Botox®" were two keywords, and two WordPress tags
    of one slug."""
    text = "Botox® helps migraine. Botox® is given every twelve weeks. Most migraine patients do well."
    chosen = keywords(text, topic="botox", terms=("Botox®", "migraine"))
    assert chosen[:2] == ["Botox®", "migraine"] and len({k.lower().strip("®") for k in chosen}) == len(chosen)


def test_the_clinics_glossary_terms_the_talk_says_are_its_keywords_before_everyday_words():
    text = (
        "The drip goes in your arm. The drip runs for an hour and a nurse checks your blood pressure. "
        "We check the blood pressure again after the drip. Ketamine blocks the NMDA receptor once."
    )
    terms = ("ketamine", "NMDA receptor", "fibromyalgia", "infusion")
    chosen = keywords(text, limit=4, topic="ketamine", terms=terms)
    assert chosen[:2] == ["ketamine", "NMDA receptor"]  # said once, yet the clinic's own term
    assert "fibromyalgia" not in chosen and "infusion" not in chosen  # not said in this talk
    assert keywords(text, limit=4, topic="ketamine")[1] in ("drip", "blood pressure")  # without a glossary


def test_a_subject_capitalised_only_where_a_sentence_starts_is_written_in_lower_case():
    sections = [
        "Isotretinoin is a tablet for severe acne. We start isotretinoin at a low dose.",
        "Isotretinoin dries the skin. Most people take isotretinoin for five months.",
    ]
    assert main_topic(sections) == "isotretinoin"
    named = ["We went there on Monday. Monday is busy, and monday mornings more so."]
    assert main_topic([*named, "Come on Monday. Monday is the day."]) == "Monday"


def test_an_opening_greeting_that_names_a_doctor_is_the_lead():
    draft = draft_of(
        "Hi, I'm Dr. Novak, a foot surgeon. Today I'd like to cover what happens when a bunion is "
        "corrected, from the first visit to the walk home.",
        *KETAMINE[1:],
    )
    assert draft.sections[0].lead
    assert draft.sections[0].paragraphs[0].text.startswith("Hi, I'm Dr. Novak")


def test_a_description_sentence_keeps_a_mixed_case_term_and_a_unit_as_said():
    said = talk_sentences(["So eGFR below 30 means we halve the dose. 3 g is safer for older people."])
    assert said == ["eGFR below 30 means we halve the dose.", "3 g is safer for older people."]


def test_a_unit_said_after_numbers_is_neither_the_subject_nor_a_keyword():
    sections = [
        "We start ketamine at 0.5 milligrams per kilogram. We never go above 2 milligrams per kilogram.",
        "Take two hundred milligrams of ibuprofen. Ketamine helps nerve pain. Never more than 4 grams a day.",
        "Ketamine is safe with most drugs. Ibuprofen can upset the stomach at 800 milligrams.",
    ]
    assert main_topic(sections) == "ketamine"
    found = keywords(" ".join(sections), limit=6)
    assert not {"milligrams", "kilogram", "grams"} & set(found)
    assert "ketamine" in found


def test_a_keyword_with_a_capital_inside_keeps_it():
    text = "eGFR below 30 means we halve the dose. We check the eGFR every month and the dose again."
    assert "eGFR" in keywords(text, limit=4)
