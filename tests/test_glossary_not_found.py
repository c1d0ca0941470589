"""After `draft --glossary`, which of its terms the post never says: a term not said in the talk and one
the recogniser missed look alike in the post, so the command names them (one line, capped) and
draft.json lists them all, the post itself unchanged."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

from tests.conftest import make_transcript
from tests.test_review_server import saved_by_server
from video2blog.pipeline.serialize import draft_from_dict, to_json, transcript_to_dict
from video2blog.pipeline.text.glossary import terms_not_in
from video2blog.pipeline.text.sentences import split_sentences

COMMAND = str(Path(sys.executable).with_name("video2blog"))
TALK = (
    "Hello, I am Doctor Lee. What is catamine? Catamine is an old anaesthetic that can ease nerve pain. "
    "How many infusions will I need? Most patients need four infusions, and the fibromyalgia clinic "
    "follows each one. Does it hurt? The needle stings for a second, then most people feel calm."
)
SAID = ["ketamine", "infusion", "fibromyalgia"]  # respelt from "catamine"; a plural; as written
NOT_SAID = ["gabapentin", "pregabalin", "duloxetine", "amitriptyline", "lidocaine", "post-herpetic neuralgia"]


def _drafted(tmp_path: Path) -> tuple[Path, subprocess.CompletedProcess]:
    """The talk drafted with the glossary by the installed command: its folder and the run."""
    words = tmp_path / "talk.json"
    words.write_bytes(to_json(transcript_to_dict(split_sentences(make_transcript(TALK)))))
    glossary = tmp_path / "glossary.txt"
    glossary.write_text("\n".join([SAID[0], NOT_SAID[0], *SAID[1:], *NOT_SAID[1:]]) + "\n")
    out = tmp_path / "draft"
    cmd = [COMMAND, "draft", str(words), "--glossary", str(glossary), "--out", str(out)]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300, env=dict(os.environ))
    assert done.returncode == 0, done.stderr
    return out, done


def test_the_glossary_terms_the_post_never_says_are_named_and_recorded(tmp_path: Path):
    out, done = _drafted(tmp_path)
    line = next(x for x in done.stdout.splitlines() if "glossary terms nowhere in the post" in x)
    assert line.endswith(": gabapentin, pregabalin, duloxetine, amitriptyline, lidocaine and 1 more"), line
    draft = json.loads((out / "draft.json").read_text())
    assert draft["glossary_not_found"] == NOT_SAID
    post = (out / "post.md").read_text().lower()
    assert "ketamine" in post and "gabapentin" not in post and "nowhere" not in post  # the post as it was


def test_a_save_that_writes_a_term_in_takes_it_off_the_list(tmp_path: Path):
    out, _ = _drafted(tmp_path)
    status, reply = saved_by_server(out, [{"op": "title", "text": "Ketamine or gabapentin for nerve pain"}])
    assert status == 200, reply
    assert json.loads((out / "draft.json").read_text())["glossary_not_found"] == NOT_SAID[1:]


def test_a_term_is_found_in_a_hyphenated_word_and_never_across_two_texts(tmp_path: Path):
    out, _ = _drafted(tmp_path)
    draft = draft_from_dict(json.loads((out / "draft.json").read_text()))
    titled = replace(draft, title="Opioid-free care. Ketamine's uses")
    assert terms_not_in(titled, ["opioid", "ketamine", "free care"]) == ()
    assert terms_not_in(titled, ["care ketamine", "uses " + draft.description.split()[0]]) == (
        "care ketamine",
        "uses " + draft.description.split()[0],
    )  # a sentence's end, or the title's, is no place for a term to run on
