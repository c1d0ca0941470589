"""The part-of-speech tagger reads a word's class in its sentence, from the weights a package ships."""

from video2blog.pipeline.text import tagger


def test_the_weights_ship_in_the_installed_package():
    assert tagger.available()


def test_a_word_is_read_in_its_sentence():
    assert tagger.tag_words(("The", "evening", "walks", "were", "long"))[2] == "NOUN"
    assert tagger.tag_words(("She", "walks", "home"))[1] == "VERB"


def test_numbers_and_punctuation_are_left_out_as_the_tagger_was_trained():
    tagged = tagger.tag_sentence("Each session lasts 50 minutes, or so.")
    assert [w for w, _ in tagged] == ["Each", "session", "lasts", "minutes", "or", "so"]
    assert dict(tagged)["lasts"] == "VERB"
