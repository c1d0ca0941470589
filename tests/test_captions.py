"""Caption files as input: parsing SRT and VTT robustly, and drafting from them with the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from video2blog.cli import app
from video2blog.pipeline.errors import InputError
from video2blog.pipeline.ingest.captions import caption_words, decode, parse_cues, read_captions, spread_words

SRT = (
    "\ufeff1\r\n00:00:01,000 --> 00:00:03,000\r\nHello, I'm <i>Dr. Lee</i> &amp; this is\r\n"
    "the clinic.\r\n\r\n2\r\n00:00:03,000 --> 00:00:06,000 X1:40 X2:600\r\n"
    "{\\an8}[Music] Ketamine can help.\r\n"
    "3\r\n00:00:06,000 --> 00:00:08,000\r\n- Is it safe?\r\n- Yes.\r\n"
)
YOUTUBE_VTT = """WEBVTT
Kind: captions
Language: en

STYLE
::cue {{ color: white }}

NOTE rolling captions, as YouTube writes them

00:00:00.000 --> 00:00:02.350 align:start position:0%
{space}
so<00:00:00.320><c> today</c><00:00:00.640><c> we</c><00:00:01.000><c> talk</c>

00:00:02.350 --> 00:00:02.360 align:start position:0%
so today we talk
{space}

00:00:02.360 --> 00:00:05.000 align:start position:0%
so today we talk
about<00:00:02.500><c> ketamine</c><00:00:03.000><c> for</c><00:00:04.000><c> pain</c>

00:00:05.000 --> 00:00:07.000 align:start position:0%
about ketamine for pain
<v Dr Lee>and how it works</v>
""".format(space=" ")  # YouTube puts one-space lines in cues


def texts(words):
    return [w.text for w in words]


def test_srt_with_bom_crlf_tags_entities_settings_and_a_lost_blank_line():
    words = caption_words(parse_cues(decode(SRT.encode("utf-8"))))
    assert (
        " ".join(texts(words))
        == "Hello, I'm Dr. Lee & this is the clinic. Ketamine can help. Is it safe? Yes."
    )
    assert words[0].start == 1.0 and words[-1].end == 8.0
    assert all(w.probability == 1.0 for w in words)
    assert all(a.end <= b.start + 1e-9 for a, b in zip(words, words[1:]))


def test_youtube_rolling_captions_are_not_repeated():
    words = caption_words(parse_cues(decode(YOUTUBE_VTT.encode())))
    assert " ".join(texts(words)) == "so today we talk about ketamine for pain and how it works"
    assert words[4].start == pytest.approx(2.36)


def test_cue_time_is_spread_over_its_words_by_length():
    words = spread_words(["a", "longer", "word"], 10.0, 13.0)
    assert [w.start for w in words] == [10.0, 10.429, 11.929]  # weights 2, 7, 5 of 14
    assert words[-1].end == 13.0
    assert words[1].end - words[1].start > words[0].end - words[0].start


def test_caption_file_without_cues_is_refused(tmp_path: Path):
    path = tmp_path / "empty.vtt"
    path.write_text("WEBVTT\n\nNOTE nothing here\n", encoding="utf-8")
    with pytest.raises(InputError, match="no timed caption text"):
        read_captions(path)


def test_a_cue_that_ends_before_it_starts_is_refused_naming_it(tmp_path: Path):
    """Its words were dropped as a cue of no length (listed as a hallucination): a shorter draft, exit 0."""
    path = tmp_path / "talk.srt"
    path.write_text(
        "1\n00:00:01,000 --> 00:00:04,000\nWelcome to the clinic today.\n\n"
        "2\n00:00:08,000 --> 00:00:05,000\nKetamine can help nerve pain a lot.\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as refused:
        read_captions(path)
    assert str(refused.value) == (
        f"{path}: cue 2 (line 6) ends before it starts (00:00:08,000 --> 00:00:05,000); correct its times"
    )


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32"])
def test_a_caption_file_in_utf16_is_read_by_its_byte_order_mark(tmp_path: Path, encoding: str):
    """Windows' "Unicode" SRT was refused as holding "no timed caption text"."""
    path = tmp_path / "talk.srt"
    srt = "1\r\n00:00:01,000 --> 00:00:03,000\r\nHello there, how are you today.\r\n\r\n"
    srt += "2\r\n00:00:04,000 --> 00:00:06,000\r\nI am fine, and the café is open.\r\n"
    path.write_bytes(("\ufeff" if encoding == "utf-16-be" else "").encode(encoding) + srt.encode(encoding))
    words = read_captions(path).words
    assert (
        " ".join(w.text for w in words) == "Hello there, how are you today. I am fine, and the café is open."
    )
    assert (words[0].start, words[-1].end) == (1.0, 6.0)


TALK_SRT = """1
00:00:00,500 --> 00:00:04,000
Hello, I am one of the doctors here at the pain clinic.

2
00:00:04,000 --> 00:00:09,000
How does catamine work to treat pain?

3
00:00:09,000 --> 00:00:16,000
It blocks the NMDA receptor, which calms an overexcited nervous system over several weeks.

4
00:00:16,000 --> 00:00:22,000
Most patients notice less pain after the second or third infusion of the medicine.
"""


def draft(args: list[str]) -> dict:
    result = CliRunner().invoke(app, ["draft", *args])
    assert result.exit_code == 0, result.output
    out = Path(args[args.index("--out") + 1])
    return json.loads((out / "draft.json").read_text(encoding="utf-8"))


SPANISH_SRT = """1
00:00:00,500 --> 00:00:04,000
Hola, soy uno de los médicos de la clínica del dolor.

2
00:00:04,000 --> 00:00:08,000
¿Cómo funciona la ketamina para tratar el dolor?

3
00:00:08,000 --> 00:00:15,000
Bloquea un receptor de los nervios y calma un sistema nervioso que está demasiado excitado.
"""


def test_captions_draft_in_the_language_they_are_written_in_or_the_one_asked(tmp_path: Path):
    """A caption file says nothing of its language: Spanish captions drafted as English got an English
    title, lang="en" and a greeting for a heading."""
    srt = tmp_path / "charla.srt"
    srt.write_text(SPANISH_SRT, encoding="utf-8")
    spanish = draft([str(srt), "--out", str(tmp_path / "es")])
    assert spanish["language"] == "es" and 'lang="es"' in (tmp_path / "es" / "post.html").read_text()
    assert "your questions" not in spanish["title"]
    english = tmp_path / "talk.srt"
    english.write_text(TALK_SRT, encoding="utf-8")
    assert draft([str(english), "--out", str(tmp_path / "en")])["language"] == "en"
    asked = draft([str(english), "--out", str(tmp_path / "asked"), "--language", "es", "--formats", "md"])
    assert asked["language"] == "es"


def test_a_less_than_sign_in_caption_text_is_text_not_a_tag(tmp_path: Path):
    srt = tmp_path / "dose.srt"
    srt.write_text(
        "1\n00:00:01,000 --> 00:00:06,000\n"
        "If the dose is < 0.5 mg/kg & the pressure > 140, we stop <b>at once</b>.\n",
        encoding="utf-8",
    )
    said = " ".join(texts(read_captions(srt).words))
    assert said == "If the dose is < 0.5 mg/kg & the pressure > 140, we stop at once."
    srt.write_text("1\n00:00:01,000 --> 00:00:04,000\none<br>two<br/>three <s>four</s>\n", encoding="utf-8")
    assert texts(read_captions(srt).words) == ["one", "two", "three", "four"]


def test_draft_from_srt_then_from_a_corrected_transcript(tmp_path: Path):
    srt = tmp_path / "talk.srt"
    srt.write_text(TALK_SRT, encoding="utf-8")
    first = draft([str(srt), "--out", str(tmp_path / "one")])
    assert first["source"]["path"].endswith("talk.srt")
    assert "How does catamine work to treat pain?" in [s["heading"] for s in first["sections"]]

    transcript_path = tmp_path / "one" / "transcript.json"
    transcript = json.loads(transcript_path.read_text(encoding="utf-8"))
    wrong = next(w for w in transcript["words"] if w["text"] == "catamine")
    wrong["text"] = "ketamine"  # the editor's fix
    transcript_path.write_text(json.dumps(transcript), encoding="utf-8")

    second = draft([str(transcript_path), "--out", str(tmp_path / "two")])
    assert "How does ketamine work to treat pain?" in [s["heading"] for s in second["sections"]]
    for name in ("post.md", "captions.srt", "captions.vtt", "transcript.json", "draft.json"):
        text = (tmp_path / "two" / name).read_text(encoding="utf-8")
        assert "ketamine" in text and "catamine" not in text, name


UNSHOWN = ("\u202e", "\u2066", "\u200b", "\u00ad", "\x07")


def test_reordering_controls_and_invisible_characters_never_reach_the_post(tmp_path: Path):
    """A "\u202e" in a caption file or a transcript.json showed a heading backwards in the post, the
    chapters and the captions, and zero-width spaces and soft hyphens stayed inside words: they are
    dropped on the way in, as from an editor's text."""
    srt = tmp_path / "talk.srt"
    marked = TALK_SRT.replace("How does catamine", "How does \u202ecatamine").replace(
        "NMDA receptor", "NMDA\u200b re\u00adcep\u2066tor\x07"
    )
    srt.write_text(marked, encoding="utf-8")
    formats = "md,html,srt,vtt,chapters,json"
    first = draft([str(srt), "--out", str(tmp_path / "one"), "--formats", formats])
    assert "How does catamine work to treat pain?" in [s["heading"] for s in first["sections"]]
    heard = tmp_path / "one" / "transcript.json"
    transcript = json.loads(heard.read_text(encoding="utf-8"))
    transcript["words"][3]["text"] = "\u2067" + transcript["words"][3]["text"] + "\u200b"
    transcript["words"].insert(5, {**transcript["words"][5], "text": "\u00ad"})
    heard.write_text(json.dumps(transcript), encoding="utf-8")
    draft([str(heard), "--out", str(tmp_path / "two"), "--formats", formats])
    for folder in ("one", "two"):
        for name in ("post.md", "post.html", "chapters.txt", "captions.srt", "captions.vtt", "draft.json"):
            text = (tmp_path / folder / name).read_text(encoding="utf-8")
            assert not any(c in text for c in UNSHOWN), (folder, name)
            assert "NMDA receptor" in text or name == "chapters.txt", (folder, name)


def _srt(cues: list[str], length: float = 2.0) -> str:
    """An SRT of ``cues`` (lines joined by newlines), each ``length`` seconds, one after another."""

    def at(t: float) -> str:
        return f"00:00:{int(t):02d},{round(t % 1 * 1000):03d}"

    blocks = [f"{n}\n{at(n * length)} --> {at((n + 1) * length)}\n{text}\n" for n, text in enumerate(cues)]
    return "\n".join(blocks)


@pytest.mark.parametrize(
    "cues",
    [
        ["Breathe in through your nose.", "Take it slowly.", "Take it slowly.", "Now let it out."],
        ["Breathe in through your nose.\nTake it slowly.", "Take it slowly.\nNow let it out."],
        ["Breathe in through your nose. Take it slowly.", "Take it slowly. Now let it out."],
    ],
    ids=["whole-cue", "line", "within-a-line"],
)
def test_a_phrase_said_twice_in_consecutive_cues_is_kept_twice(cues: list[str]):
    words = caption_words(parse_cues(_srt(cues)))
    text = " ".join(texts(words))
    assert text == "Breathe in through your nose. Take it slowly. Take it slowly. Now let it out."


def test_a_repeat_inside_youtube_rolling_captions_is_kept_and_the_rolling_copies_dropped():
    rolling = YOUTUBE_VTT + (
        "\n00:00:07.000 --> 00:00:07.010\nand how it works\n \n"
        "\n00:00:07.010 --> 00:00:09.000\nand how it works\ntake it slowly\n"
        "\n00:00:09.000 --> 00:00:09.010\ntake it slowly\n \n"
        "\n00:00:09.010 --> 00:00:11.000\ntake it slowly\ntake it slowly\n"
    )
    words = caption_words(parse_cues(decode(rolling.encode())))
    assert " ".join(texts(words)) == (
        "so today we talk about ketamine for pain and how it works take it slowly take it slowly"
    )


def test_a_long_sentence_is_cut_into_even_cues_of_two_short_lines():
    from tests.conftest import make_transcript
    from video2blog.pipeline.text.sentences import split_sentences
    from video2blog.pipeline.writers.cues import CAPTION_LINE, caption_cues

    text = (
        "Most patients feel relaxed and a little floaty, and colours or sounds may seem unusual for a "
        "while after the infusion has finished in the clinic."
    )
    cues = caption_cues(split_sentences(make_transcript(text)))
    assert len(cues) == 2
    texts = [cue[2] for cue in cues]
    assert " ".join(" ".join(t.split("\n")) for t in texts) == text  # every word, in order
    assert all(len(line) <= CAPTION_LINE for t in texts for line in t.split("\n"))
    assert all(t.count("\n") <= 1 for t in texts)
    words = [len(t.split()) for t in texts]
    assert min(words) >= max(words) // 2  # no last word left to flash alone


def test_a_cue_whose_times_cannot_be_read_is_refused_naming_it(tmp_path: Path):
    """Its timing line was skipped and its words with it: a shorter draft, exit 0."""
    path = tmp_path / "talk.srt"
    path.write_text(
        "1\n00:00:01,000 --> 00:00:04,000\nTake two tablets a day.\n\n"
        "2\n00:00:04,1000 --> 00:00:07,000\nNever more than three doses in a week.\n\n"
        "3\n00:00:08,000 --> 00:00:10,000\nCall us --> any time.\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as refused:
        read_captions(path)
    assert str(refused.value) == (
        f"{path}: cue 2 (line 6) has times that cannot be read (00:00:04,1000 --> 00:00:07,000)"
    )
    path.write_text(path.read_text(encoding="utf-8").replace("04,1000", "04,100"), encoding="utf-8")
    assert "Call us --> any time." in " ".join(w.text for w in read_captions(path).words)
