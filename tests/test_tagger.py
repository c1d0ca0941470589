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


def test_the_tags_are_the_packages_own_reading():
    """The features are computed here as the package trained with them: its own tagger agrees on every
    word of a few sentences (a new version with other features would not)."""
    from denckring_en_pos import tagger as packaged

    sentences = [
        "A filling takes about twenty minutes",
        "Most patients feel better within a week",
        "When a knee needs an urgent look",
        "We test your skin with a small prick and read it after fifteen minutes",
        "Botox relaxes the muscles that cause frown lines",
    ]
    for sentence in sentences:
        words = tuple(sentence.split())
        assert tagger.tag_words(words) == tuple(t.partition("|")[0] for t in packaged().tag(list(words)))
