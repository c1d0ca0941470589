"""Bad numbers and escaping: times in a transcript or captions must be finite and inside the media (else
one line naming the field), every JSON written is valid JSON, WebVTT cue text is escaped, and a folder
where post.html should go is named. Through the installed command where a user meets it."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from tests.conftest import make_transcript
from tests.test_untrusted import hostile_draft
from video2blog.pipeline.errors import OutputError
from video2blog.pipeline.serialize import to_json, transcript_time_error, transcript_to_dict
from video2blog.pipeline.text.sentences import split_sentences
from video2blog.pipeline.writers.formats import RenderContext, render_all

TALK = "What is ketamine used for? It treats nerve pain that has lasted for months and resisted other drugs."


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "video2blog", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)


def one_line(done: subprocess.CompletedProcess[str], *needles: str) -> str:
    lines = [line for line in done.stderr.splitlines() if line.startswith("video2blog: error:")]
    assert done.returncode == 1 and len(lines) == 1 and "Traceback" not in done.stderr, done.stderr
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])
    return lines[0]


def transcript_json(tmp_path: Path, change: dict, raw: str = "") -> Path:
    """The talk's transcript.json with the fields in ``change`` ("words.3.start": value) replaced."""
    data = transcript_to_dict(make_transcript(TALK))
    for key, value in change.items():
        parts = key.split(".")
        target = data
        for part in parts[:-1]:
            target = target[int(part)] if part.isdigit() else target[part]
        target[parts[-1]] = value
    path = tmp_path / "talk.json"
    path.write_text(raw or json.dumps(data))  # Python writes inf as Infinity, as the defect did
    return path


def test_a_word_past_the_end_is_told_the_media_s_own_duration():
    """A word 2 s past a 10 s talk's end was "outside the media (0 to 11 seconds)": a length the media
    does not have. The line says the stated duration and the 1 s a last word may overhang it."""
    words = make_transcript(TALK)
    late = replace(words, duration=10.0, words=(*words.words[:-1], replace(words.words[-1], end=12.0)))
    said = transcript_time_error(late)
    assert said is not None and said.endswith("outside the media (0 to its duration, 10 s, and 1 s past it)")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"words.3.start": 1e300}, "words[3].start is 1e+300, outside the media"),
        ({"words.3.end": math.inf}, "words[3].end is inf, outside the media"),
        ({"words.0.start": -5.0}, "words[0].start is -5, outside the media"),
        ({"duration": math.inf}, "duration is inf, not a length of media"),
        ({"duration": 1e300}, "duration is 1e+300, not a length of media"),
        (
            {"sentences": [{"text": "x", "start": 0.0, "end": 1e12, "words": [0, 1]}]},
            "sentences[0].end is 1e+12",
        ),
    ],
)
def test_a_time_outside_the_media_is_one_line_naming_the_field(tmp_path: Path, change: dict, message: str):
    source = transcript_json(tmp_path, change)
    out = tmp_path / "draft"
    one_line(cli("draft", str(source), "--out", str(out)), str(source), message)
    assert not out.exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"words.3.start": 6.76, "words.3.end": 1.76}, "words[3].start is 6.76, after its end 1.76"),
        ({"words.5.start": 0.2, "words.5.end": 0.3}, "words[5] starts before words[4] (0.2 s, 1.6 s)"),
    ],
)
def test_words_out_of_time_order_are_one_line_naming_the_word(tmp_path: Path, change: dict, message: str):
    """Words reversed in time, or one that ends before it starts, drafted a backwards post with exit 0."""
    source = transcript_json(tmp_path, change)
    out = tmp_path / "draft"
    one_line(cli("draft", str(source), "--out", str(out)), str(source), "has a time that cannot be", message)
    assert not out.exists()


def test_captions_whose_cues_overlap_are_drafted(tmp_path: Path):
    """Two speakers' cues may overlap: their words are not out of order as a transcript's would be."""
    captions = tmp_path / "talk.srt"
    captions.write_text(
        "1\n00:00:00,000 --> 00:00:05,000\nWhat is ketamine used for, doctor?\n\n"
        "2\n00:00:03,000 --> 00:00:07,000\nIt treats nerve pain that has lasted for months.\n"
    )
    assert cli("draft", str(captions), "--out", str(tmp_path / "draft")).returncode == 0
    # the transcript.json they leave keeps their order, and is redrafted from as the README says
    again = cli("draft", str(tmp_path / "draft" / "transcript.json"), "--out", str(tmp_path / "again"))
    assert again.returncode == 0, again.stderr


def test_captions_with_a_time_past_a_week_are_refused(tmp_path: Path):
    captions = tmp_path / "talk.srt"
    captions.write_text(
        "1\n00:00:00,000 --> 00:00:02,000\nWhat is ketamine used for?\n\n"
        "2\n99999:00:00,000 --> 99999:00:02,000\nIt treats nerve pain.\n"
    )
    out = tmp_path / "draft"
    one_line(cli("draft", str(captions), "--out", str(out)), str(captions), "not a length of media")
    assert not out.exists()


def strict(text: str) -> object:
    """JSON as the standard has it: Infinity and NaN are not JSON."""

    def refuse(name: str) -> object:
        raise ValueError(f"{name} is not JSON")

    return json.loads(text, parse_constant=refuse)


def test_every_json_file_of_a_draft_is_valid_json(tmp_path: Path):
    source = transcript_json(tmp_path, {})
    out = tmp_path / "draft"
    assert cli("draft", str(source), "--out", str(out)).returncode == 0
    written = sorted(out.rglob("*.json"))
    assert {p.name for p in written} >= {"draft.json", "transcript.json"}
    for path in written:
        strict(path.read_text())


def test_json_is_never_written_with_infinity():
    with pytest.raises(OutputError, match="not finite"):
        to_json({"start": math.inf})
    assert strict(to_json({"start": 1.5}).decode()) == {"start": 1.5}


def test_webvtt_cue_text_is_escaped():
    draft, transcript = hostile_draft()
    transcript = split_sentences(transcript)
    vtt = render_all(RenderContext(draft, transcript), ("vtt",))["captions.vtt"].decode()
    cues = [block.split("\n", 1)[1] for block in vtt.split("\n\n")[1:] if "-->" in block]
    text = "\n".join(cues)
    assert "<" not in text and ">" not in text.replace("-->", "")
    assert "&lt;script&gt;evil()&lt;/script&gt;" in text
    assert "&amp;amp;" in text  # HOSTILE's "&amp;" said aloud stays text
    assert all("\n\n" not in cue.strip("\n") for cue in cues)
    assert "x-evil" in text and "&lt;x-evil&gt;" in text


def test_a_folder_where_post_html_goes_is_named(tmp_path: Path):
    source = transcript_json(tmp_path, {})
    out = tmp_path / "draft"
    assert cli("draft", str(source), "--out", str(out)).returncode == 0
    (out / "post.html").unlink()
    (out / "post.html").mkdir()
    before = sorted(p.name for p in out.iterdir())
    one_line(cli("draft", str(source), "--out", str(out)), "post.html", "folder")
    assert sorted(p.name for p in out.iterdir()) == before
