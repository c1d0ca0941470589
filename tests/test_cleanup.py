from tests.conftest import make_words
from video2blog.pipeline.schema import Sentence
from video2blog.pipeline.text.cleanup import clean_sentence


def clean(text, verbatim=False):
    words = make_words(text)
    return clean_sentence(words, Sentence(text, 0, 1, (0, len(words))), verbatim)


def test_fillers_stutters_and_false_starts_are_removed_and_recorded():
    result = clean("so um the the keta- ketamine, you know, is uh really, really helpful")
    assert result.text == "So the ketamine is really, really helpful."
    assert [(r.text, r.reason) for r in result.removals] == [
        ("um", "filler"),
        ("the", "repetition"),
        ("keta-", "false_start"),
        ("you", "filler"),
        ("know,", "filler"),
        ("uh", "filler"),
    ]


def test_filler_like_only_when_set_apart():
    assert clean("it feels, like, a warm wave").text == "It feels a warm wave."
    assert clean("it feels like a warm wave").text == "It feels like a warm wave."


def test_removal_positions_point_at_the_words():
    words = make_words("we um treat it")
    result = clean_sentence(words, Sentence("", 0, 1, (0, 4)))
    assert result.removals[0].word == 1
    assert result.removals[0].start == words[1].start


def test_verbatim_keeps_every_word():
    result = clean("um the the plan", verbatim=True)
    assert result.text == "Um the the plan."
    assert result.removals == ()


def test_question_keeps_its_mark_and_sentence_of_fillers_empties():
    assert clean("how does it work?").text == "How does it work?"
    result = clean("um uh")
    assert result.text == ""
    assert len(result.removals) == 2


def test_repeated_phrases_are_stutters_and_i_is_capital():
    result = clean("i think i think it works, and i'm sure of it")
    assert result.text == "I think it works, and I'm sure of it."
    assert [(r.text, r.reason) for r in result.removals] == [("i", "repetition"), ("think", "repetition")]


def test_deliberate_doubles_stay():
    assert clean("we know that that helps").text == "We know that that helps."


def test_merged_words_are_recorded_with_their_reason():
    words = make_words("fibromyalgia myalgia hurts")
    result = clean_sentence(words, Sentence("", 0, 1, (0, 3)), merged={1: "merged"})
    assert result.text == "Fibromyalgia hurts."
    assert [(r.word, r.reason) for r in result.removals] == [(1, "merged")]


def test_a_word_said_again_across_a_sentence_end_is_not_a_stutter():
    result = clean("the plasma is rich in platelets. Platelets carry growth factors")
    assert "platelets. Platelets carry" in result.text
    assert not result.removals


def test_a_rhetorical_repetition_after_a_comma_is_kept_but_a_stutter_is_not():
    assert clean("recovery is challenging, challenging, but it pays off").text.startswith(
        "Recovery is challenging, challenging,"
    )
    assert clean("it is hard, it is hard to rest").text == "It is hard, it is hard to rest."
    stutter = clean("the, the knee heals")
    assert stutter.text == "The knee heals." and [r.reason for r in stutter.removals] == ["repetition"]
    assert clean("i think, i think it works").text == "I think it works."


def test_a_filler_written_with_a_hyphen_is_removed_too():
    """``fillers-en.txt`` lists "uh-huh"; the words are compared bare ("uh huh"), the list too."""
    result = clean("uh-huh, the dose is low")
    assert result.text == "The dose is low."
    assert [(r.text, r.reason) for r in result.removals] == [("uh-huh,", "filler")]


def test_a_percent_sign_is_written_against_its_number():
    """The recogniser may give "%" as a word of its own ("20 %"); the post writes "20%"."""
    assert clean("about 20 % of patients, or 1 in 5").text == "About 20% of patients, or 1 in 5."
    assert clean("see {% price %} at the desk").text == "See {% price %} at the desk."  # no number: as said


def test_a_quoted_question_keeps_its_own_mark_and_gets_no_period():
    said = clean('my patient said, "Doctor, why does it still hurt?"')
    assert said.text == 'My patient said, "Doctor, why does it still hurt?"'
    assert clean("the dose is low (about 5 mg.)").text == "The dose is low (about 5 mg.)"
    assert clean('she called it "a miracle"').text == 'She called it "a miracle".'


def test_a_filler_between_two_sayings_leaves_no_stutter():
    result = clean("and that's, you know, that's okay")
    assert result.text == "And that's okay."
    assert [(r.text, r.reason) for r in result.removals] == [
        ("that's,", "repetition"),
        ("you", "filler"),
        ("know,", "filler"),
    ]
    assert clean("it's hard, you know, it's hard to rest").text.count("hard") == 2  # a run said on purpose
    assert clean("the um the knee heals").text == "The knee heals."


def test_a_correction_between_two_numbers_keeps_its_i_mean():
    """Without "I mean" the post would state two prices at once; which words it takes back is the
    speaker's to say, so it stays, and so does a filler between numbers elsewhere."""
    said = clean("most patients pay $300, i mean, $350 per injection")
    assert said.text == "Most patients pay $300, I mean, $350 per injection."
    assert not said.removals
    twice = clean("take it twice, i mean, three times a day")
    assert twice.text == "Take it twice, I mean, three times a day."
    assert clean("it helps, i mean, most patients").text == "It helps most patients."


def test_a_filler_word_right_after_a_number_is_its_unit():
    result = clean("a cut of about 3.2 mm, and um a second, um, 4 mm one")
    assert result.text == "A cut of about 3.2 mm, and a second 4 mm one."
    assert [(r.text, r.reason) for r in result.removals] == [("um", "filler"), ("um,", "filler")]


def test_a_sentence_opening_with_a_number_or_a_mixed_case_term_keeps_its_case():
    assert clean("3 g is safer for older people").text == "3 g is safer for older people."
    assert clean("12 hours later take another").text == "12 hours later take another."
    assert clean("pH of the skin is about five").text == "pH of the skin is about five."
    assert clean("eGFR below thirty means we halve it").text == "eGFR below thirty means we halve it."
    assert clean("we halve it").text == "We halve it."
