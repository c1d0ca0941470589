"""Caption cues as subtitle practice lays them out: lines that fit, broken where a reader pauses, up long
enough to read, never past the media's end; an editor's rewritten words laid out like any others."""

from __future__ import annotations

from dataclasses import replace

from tests.conftest import make_transcript
from video2blog.pipeline.schema import Sentence, Transcript
from video2blog.pipeline.text.sentences import split_sentences
from video2blog.pipeline.writers.cues import CAPTION_LINE, MIN_CUE_SECONDS, READING_CPS, caption_cues


def cues_of(text: str, pauses: dict[int, float] | None = None) -> list[tuple[float, float, str]]:
    return caption_cues(split_sentences(make_transcript(text, pauses)))


def lines(cues: list[tuple[float, float, str]]) -> list[str]:
    return [line for _, _, text in cues for line in text.split("\n")]


def test_every_line_fits_even_where_the_cue_as_a_whole_would():
    # 77 characters: within two lines' worth, but the even break leaves a 43-character first line.
    text = "Ketamine is given with electrocardiographic monitoring throughout, every time."
    cues = cues_of(text)
    assert " ".join(lines(cues)) == text
    assert all(len(line) <= CAPTION_LINE for line in lines(cues)), lines(cues)


def test_a_line_breaks_after_a_clause_not_after_a_title_or_an_article():
    cue = cues_of("Tomorrow you will see Dr. Lee at the front desk of the clinic.")[0][2]
    assert cue.split("\n")[0].split()[-1] not in {"Dr.", "the", "of", "at"}, cue
    cue = cues_of("When the pain comes back, we simply repeat the infusion.")[0][2]
    assert cue.split("\n")[0].endswith("back,"), cue


def test_a_spanish_line_does_not_end_on_its_abbreviation():
    said = "Mañana por la tarde la verá la Dra. Ruiz en la recepción de la clínica."
    t = make_transcript(said)
    one = Sentence(said, t.words[0].start, t.words[-1].end, (0, len(t.words)))  # as Spanish Punkt reads it
    cue = caption_cues(replace(t, sentences=(one,), language="es"))[0][2]
    assert cue.split("\n")[0].split()[-1] != "Dra.", cue


def test_a_word_rewritten_as_several_is_laid_out_as_they_are():
    """A Save puts an editor's added words on the recognised word they replaced: the cue must still fit."""
    t = split_sentences(make_transcript("It works on the nerves. That is all there is to it."))
    words = list(t.words)
    added = "spinal cord and brain, which is the part of the nervous system that every patient has"
    words[4] = replace(words[4], text=added + ".")
    cues = caption_cues(Transcript(words=tuple(words), sentences=t.sentences, duration=t.duration))
    assert all(len(line) <= CAPTION_LINE for line in lines(cues)), lines(cues)
    assert "has." in " ".join(lines(cues))
    assert next(c for c in cues if "spinal" in c[2])[2].startswith("It works")
    assert all(a[1] <= b[0] for a, b in zip(cues, cues[1:]))


def test_a_cue_stays_up_to_be_read_where_the_next_leaves_room_and_ends_with_the_media():
    # A question said fast, then a long pause before the answer.
    cues = cues_of("What type of pain is ketamine good at treating? It helps nerve pain most.", {9: 3.0})
    start, end, text = cues[0]
    assert end - start >= len(text.replace("\n", " ")) / READING_CPS - 1e-6
    assert end < cues[1][0]
    t = make_transcript("We will see you soon. Bye.")
    last = caption_cues(split_sentences(t))[-1]
    assert last[1] <= t.duration and last[1] - last[0] > 0


def test_rapid_short_answers_join_the_cue_before_rather_than_flash():
    cues = cues_of("Will it hurt? No. Maybe a little. It passes quickly.")
    assert all(end - start >= MIN_CUE_SECONDS - 1e-6 for start, end, _ in cues[:-1]), cues
    assert not any(text == "No." for _, _, text in cues), cues
    assert " ".join(lines(cues)) == "Will it hurt? No. Maybe a little. It passes quickly."


def test_a_flash_of_a_word_that_cannot_join_the_full_cue_before_stays_apart_without_overlap():
    """A two-line cue, then "No." heard for 0.02 s just before the next: joining it broke the 42-character
    line; left alone it must still not cover the next cue."""
    text = "Most patients feel relaxed and a little floaty during the infusion at the clinic. No. It works."
    t = split_sentences(make_transcript(text))
    words = list(t.words)
    no = next(i for i, w in enumerate(words) if w.text == "No.")
    words[no] = replace(words[no], start=words[no - 1].end + 0.01, end=words[no - 1].end + 0.03)
    words[no + 1] = replace(words[no + 1], start=words[no].end + 0.03)
    cues = caption_cues(Transcript(words=tuple(words), sentences=t.sentences, duration=t.duration))
    assert all(len(line) <= CAPTION_LINE for line in lines(cues)), lines(cues)
    assert all(a[1] <= b[0] + 1e-9 for a, b in zip(cues, cues[1:])), cues
    assert all(end - start >= 0.1 - 1e-9 for start, end, _ in cues)


def test_a_number_the_post_joins_is_one_word_on_one_line_and_in_one_cue():
    """The recogniser heard "0" ".5mg": the post reads "0.5mg", and so must every line and cue, wherever
    the sentence's length puts a break near it (the line break fell between the two)."""
    for n in range(12):
        said = "We use a low dose" + " now" * n + ", usually 0 .5mg per kg over 40 minutes, 20 % less."
        cues = cues_of(said)
        written = said.replace(" .5mg", ".5mg").replace(" %", "%")
        assert " ".join(lines(cues)) == written, cues
        assert not any(line.startswith((".", "%")) for line in lines(cues)), cues
