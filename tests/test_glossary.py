"""Glossary corrections: near-misses respelt, common words left alone, every word accounted for."""

from tests.conftest import make_transcript, make_words
from video2blog.pipeline.run import DraftOptions, make_draft
from video2blog.pipeline.schema import Source
from video2blog.pipeline.text.compose import MERGED
from video2blog.pipeline.text.glossary import correct_words, sound_key, terms_said
from video2blog.pipeline.text.sentences import split_sentences

TERMS = ["ketamine", "fibromyalgia", "NMDA receptor", "post-herpetic neuralgia", "infusion", "nausea"]


def fixes(text):
    return [(c.words, c.original, c.corrected) for c in correct_words(make_words(text), TERMS)]


def test_near_misses_become_glossary_terms():
    assert fixes("Catamine helps with fibro myalgia.") == [
        ((0, 1), "Catamine", "Ketamine"),
        ((3, 5), "fibro myalgia.", "fibromyalgia."),
    ]
    assert fixes("post herpetic neuralgia and nausia") == [
        ((0, 3), "post herpetic neuralgia", "post-herpetic neuralgia"),
        ((4, 5), "nausia", "nausea"),
    ]


def test_common_words_terms_and_their_plurals_are_left_alone():
    assert fixes("We examine the confusion after an infusion.") == []
    assert fixes("Two infusions of ketamine and a ketamine's effect.") == []
    assert fixes("It blocks the NMDA receptor.") == []


def test_a_term_heard_right_is_never_respelt_as_a_longer_term_of_the_glossary():
    """Clinics list a term beside its subtypes: what was said stays what was said, word for word."""
    subtypes = ["complex regional pain syndrome", "complex regional pain syndrome type I"]
    words = make_words("That includes complex regional pain syndrome, and shingles.")
    assert correct_words(words, subtypes) == []  # no "type I" the doctor never said, the comma kept
    acute = ["post-herpetic neuralgia", "acute post-herpetic neuralgia"]
    fixed = correct_words(make_words("We often treat post herpetic neuralgia early."), acute)
    assert [(c.original, c.corrected) for c in fixed] == [
        ("post herpetic neuralgia", "post-herpetic neuralgia")
    ]
    assert correct_words(make_words("Many have diabetic peripheral neuropathy."), [
        "diabetic peripheral neuropathy", "painful diabetic peripheral neuropathy"
    ]) == []  # fmt: skip


def test_soundalike_spellings_share_a_key():
    assert sound_key("catamine") == sound_key("ketamine")
    assert sound_key("fibromyalgia") != sound_key("fibula")


def test_a_soft_c_sounds_as_an_s():
    assert sound_key("servikal") == sound_key("cervical") and sound_key("fasiitis") == sound_key("fasciitis")
    assert sound_key("cardiac") == sound_key("kardiak")  # a hard c is still a k
    found = correct_words(make_words("Her servikal spine is stable."), ["cervical", "cardiac"])
    assert [(c.original, c.corrected) for c in found] == [("servikal", "cervical")]


def test_a_long_term_heard_with_one_consonant_more_is_still_respelt():
    found = correct_words(make_words("We treat planter fasillitis often."), ["plantar fasciitis"])
    assert [(c.original, c.corrected) for c in found] == [("planter fasillitis", "plantar fasciitis")]
    # one consonant for another is another word
    assert correct_words(make_words("An intramuscular injection."), ["neuromuscular"]) == []
    assert correct_words(make_words("Mild side effects."), ["molar side effects"]) == []


def test_corrections_reach_the_prose_and_merged_words_are_recorded():
    t = split_sentences(
        make_transcript("Many patients with fibro myalgia ask about catamine and how it feels.")
    )
    options = DraftOptions(date="2026-01-01", glossary=tuple(TERMS))
    draft = make_draft(t, Source("talk.mp4", "0" * 64, 10.0), options)
    prose = " ".join(p.text for s in draft.sections for p in s.paragraphs)
    assert "fibromyalgia ask about ketamine" in prose
    assert [(c.original, c.corrected) for c in draft.corrections] == [
        ("fibro myalgia", "fibromyalgia"),
        ("catamine", "ketamine"),
    ]
    assert [(r.word, r.text, r.reason) for r in draft.removals] == [(4, "myalgia", MERGED)]
    said = {i for s in draft.sections for p in s.paragraphs for i in range(*p.words)}
    assert said == set(range(len(t.words)))  # every word is in a paragraph (or its removal is recorded)


def test_verbatim_keeps_fillers_but_still_respells():
    t = split_sentences(make_transcript("Um, catamine works."))
    options = DraftOptions(date="2026-01-01", glossary=("ketamine",), verbatim=True)
    draft = make_draft(t, Source("talk.mp4", "0" * 64, 10.0), options)
    assert draft.sections[0].paragraphs[0].text == "Um, ketamine works."


def test_a_real_drug_heard_right_is_never_respelt_as_another_that_adds_or_drops_letters():
    """A glossary listing esketamine but not ketamine once renamed every ketamine in the post, its title and
    its slug: a different drug. A prefix added or dropped, all else the same, makes another word; a syllable
    swallowed inside or at the end is a mishearing, respelt as before."""
    t = split_sentences(make_transcript("Many of you have asked about ketamine. Ketamine helps nerve pain."))
    glossary = ["esketamine", "prednisolone", "post-herpetic neuralgia"]
    draft = make_draft(
        t, Source("talk.mp4", "0" * 64, 10.0), DraftOptions(date="2026-01-01", glossary=tuple(glossary))
    )
    prose = " ".join(p.text for s in draft.sections for p in s.paragraphs)
    assert not draft.corrections and "esketamine" not in (draft.title + prose).lower()
    said = make_words("We switched to it in herpetic neuralgia, not ketamin or catamine.")
    assert [(c.original, c.corrected) for c in correct_words(said, glossary + ["ketamine"])] == [
        ("ketamin", "ketamine"),  # one letter short, and a sound misheard: still respelt
        ("catamine.", "ketamine."),
    ]
    swallowed = make_words("It helps fibroalgia with duloxine or methotrexa, and hydrocone.")
    terms = ["fibromyalgia", "duloxetine", "methotrexate", "hydrocodone"]
    assert [c.corrected.strip(".,") for c in correct_words(swallowed, terms)] == terms


def test_the_terms_a_talk_says_are_those_heard_as_written_or_nearly():
    """What chooses a long glossary's prompt: the terms the opening says, not another drug with a prefix."""
    words = make_words("Ketamine helps nerve pathic pain, and two infusions of it help fibro myalgia.")
    terms = ["esketamine", "gabapentin", "neuropathic", "fibromyalgia", "infusion", "ketamine"]
    assert terms_said(words, terms) == ("neuropathic", "fibromyalgia", "infusion", "ketamine")
    assert terms_said(make_words("Nothing of the kind."), terms) == () == terms_said(words, [])


def test_a_function_word_glued_to_a_term_is_respelt_as_the_two():
    """tiny.en heard "post-herpetic neuralgia after shingles" as "... afterchingles", and the post kept it
    though the glossary listed "shingles". A word of its own is never split ("inpatient")."""
    t = split_sentences(make_transcript("It follows post-herpetic neuralgia afterchingles, or aftershingles"))
    options = DraftOptions(date="2026-01-01", glossary=("shingles", "post-herpetic neuralgia"))
    draft = make_draft(t, Source("talk.mp4", "0" * 64, 10.0), options)
    prose = " ".join(p.text for s in draft.sections for p in s.paragraphs)
    assert "neuralgia after shingles, or after shingles" in prose, prose
    kept = make_words("An inpatient stay, antihistamines too, and the undertreatment of pain.")
    assert correct_words(kept, ["patient", "histamines", "treatment"]) == []


def test_a_drug_heard_with_a_voiced_consonant_for_its_unvoiced_pair_is_respelt():
    """ "chordosone" is "cortisone" heard with d for t: t/d, s/z, p/b, k/g, f/v differ by the voice only."""
    assert sound_key("chordosone") == sound_key("cortisone") and sound_key("toperamid") == sound_key(
        "topiramate"
    )
    t = split_sentences(make_transcript("Chordosone works faster than the other shot."))
    draft = make_draft(
        t, Source("talk.mp4", "0" * 64, 10.0), DraftOptions(date="2026-01-01", glossary=("cortisone",))
    )
    assert draft.sections[0].paragraphs[0].text.startswith("Cortisone works faster")


def test_common_words_that_sound_near_a_term_with_the_voice_folded_stay():
    terms = ["cortisone", "pigmented acne", "topiramate", "apixaban", "Ozempic", "Botox"]
    said = "Courtesy matters: the pigmentation faded, the tablets and pads were dated, the bottles opened."
    assert correct_words(make_words(said), terms) == []
