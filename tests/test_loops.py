"""A repetition loop of the decoder is cut to its first saying; speech that repeats itself is kept."""

from __future__ import annotations

from video2blog.pipeline.engines.loops import without_loops
from video2blog.pipeline.schema import Word


def _words(text: str) -> list[Word]:
    return [Word(w, i * 0.5, i * 0.5 + 0.4, 0.9) for i, w in enumerate(text.split())]


def _text(words: list[Word]) -> str:
    return " ".join(w.text for w in words)


def test_a_word_said_a_hundred_times_is_said_once() -> None:
    words = _words("Thank you. " + "Bye. " * 100)
    assert _text(without_loops(words)) == "Thank you. Bye."


def test_a_long_sentence_looped_keeps_its_first_saying_and_what_follows() -> None:
    sentence = "the injection is given in the clinic and most patients go home within the hour"
    words = _words(f"So {sentence} {sentence} {sentence} {sentence} and that is all.")
    kept = without_loops(words)
    assert _text(kept) == f"So {sentence} and that is all."
    assert kept[-1].start == words[-1].start  # the words after the loop keep their times


def test_genuine_repeats_are_kept() -> None:
    text = "It is very very rare. No, no, no. Again and again and again it helps."
    assert _text(without_loops(_words(text))) == text


def test_case_and_spacing_do_not_hide_a_loop() -> None:
    words = _words("Okay. okay. OKAY. Okay. done")
    assert _text(without_loops(words)) == "Okay. done"
