from pipeline.sections import find_sections, is_heading_question
from pipeline.sentences import split_sentences
from tests.conftest import make_transcript

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
