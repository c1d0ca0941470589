"""Talks in languages other than English and Spanish: the words as heard, no English or Spanish rules."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import make_words
from video2blog.pipeline.schema import Transcript
from video2blog.pipeline.serialize import to_json, transcript_to_dict

CLI = Path(sys.executable).parent / "video2blog"


def _cli(*args: str, cache: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "XDG_CACHE_HOME": str(cache)}
    command = [str(CLI), *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=600, check=False)


def _heard(tmp_path: Path, text: str, language: str) -> Path:
    """A transcript.json of ``text`` heard word by word in ``language``."""
    words = make_words(text)
    duration = words[-1].end + 1
    transcript = Transcript(words=words, language=language, duration=duration, engine="faster-whisper")
    path = tmp_path / "heard" / "transcript.json"
    path.parent.mkdir()
    path.write_bytes(to_json(transcript_to_dict(transcript)))
    return path


def test_french_elisions_the_recogniser_split_off_are_written_against_their_word(tmp_path):
    """Whisper base writes "l 'arrivée", "C 'est" as two words: the post and captions read "l'arrivée"."""
    said = "C 'est normal avant l 'arrivée de l 'épidémie. Il faut d 'abord se faire vacciner, c 'est simple."
    heard = _heard(tmp_path, said, "fr")
    run = _cli("draft", str(heard), "--out", str(tmp_path / "out"), cache=tmp_path / "cache")
    assert run.returncode == 0, run.stderr
    post = (tmp_path / "out" / "post.md").read_text(encoding="utf-8")
    captions = (tmp_path / "out" / "captions.vtt").read_text(encoding="utf-8").replace("\n", " ")
    for text in (post, captions):
        assert "C'est normal avant l'arrivée de l'épidémie." in text
        assert " '" not in text
