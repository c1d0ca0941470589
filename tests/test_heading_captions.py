"""A spoken question heading fixed with Edit heading reaches the captions, as a paragraph's edit does;
a heading rewritten into another one leaves the captions as heard, and the Save says so."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from tests.conftest import make_transcript
from tests.test_review_server import saved_by_server
from video2blog.cli import app
from video2blog.pipeline.editing import store
from video2blog.pipeline.serialize import to_json, transcript_to_dict
from video2blog.pipeline.text.sentences import split_sentences

TALK = (
    "Hello and welcome to the headache clinic. What is Bajak's for chronic migraine? "
    "It is a treatment approved for chronic migraine, with fifteen or more headache days a month. "
    "We inject small amounts into the muscles of the forehead, temples, neck and shoulders. "
    "Will my insurance cover it? Most plans cover it after you have tried two preventive medicines, "
    "and our team will handle the prior authorization for you."
)


def _spoken(out: Path, words: str) -> int:
    sections = store.load(out).draft.sections
    return next(i for i, s in enumerate(sections) if s.heading_source == "spoken" and words in s.heading)


def test_a_spoken_headings_fix_reaches_the_captions_on_save_and_redraft(tmp_path: Path):
    source, out = tmp_path / "talk.json", tmp_path / "d"
    source.write_bytes(to_json(transcript_to_dict(split_sentences(make_transcript(TALK)))))
    runner = CliRunner()
    assert runner.invoke(app, ["draft", str(source), "--out", str(out)]).exit_code == 0
    edits = [
        {"op": "heading", "section": _spoken(out, "Bajak's"), "text": "What is Botox for chronic migraine?"},
        {"op": "heading", "section": _spoken(out, "insurance"), "text": "Paying for it"},
    ]
    status, reply = saved_by_server(out, edits)
    assert status == 200, reply
    assert any("captions still read the words as heard" in n and "Fix word" in n for n in reply["notes"])
    for again in (False, True):
        if again:
            redraft = runner.invoke(app, ["draft", str(source), "--out", str(out), "--force"])
            assert redraft.exit_code == 0, redraft.output
        for name in ("captions.srt", "captions.vtt"):
            captions = (out / name).read_text(encoding="utf-8")
            assert "What is Botox for chronic migraine?" in captions and "Bajak" not in captions, captions
            assert "Will my insurance cover it?" in captions and "Paying for it" not in captions, captions
