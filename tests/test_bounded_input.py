"""Bounded work for any input: a named pipe or a device is refused at once, a glossary is bounded in size
and terms, a big glossary is matched without judging every term at every word, and `batch` given a
file says so. Each refusal is one line from the installed command, never a wait."""

from __future__ import annotations

import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import make_transcript
from video2blog.pipeline.errors import UsageError
from video2blog.pipeline.ingest.transcribe import GLOSSARY_MAX_BYTES, GLOSSARY_MAX_TERMS, load_glossary
from video2blog.pipeline.text import glossary

TALK = "Many of you have asked about catamine. It blocks the receptor in the spine, so pain eases. " * 4


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    """The command in a pipe; a wait (the defect) ends the test at the timeout instead of hanging it."""
    command = [sys.executable, "-m", "video2blog", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)


def one_line(done: subprocess.CompletedProcess[str], status: int, *needles: str) -> None:
    lines = [line for line in done.stderr.splitlines() if line.startswith("video2blog: error:")]
    assert done.returncode == status and len(lines) == 1 and "Traceback" not in done.stderr, done.stderr
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "talk.mp4"
    os.mkfifo(path)
    return path


def test_a_named_pipe_as_input_is_refused_at_once(fifo: Path, tmp_path: Path):
    out = tmp_path / "draft"
    one_line(cli("draft", str(fifo), "--out", str(out), "--no-cache"), 1, str(fifo), "named pipe")
    assert not out.exists()


def test_a_device_as_input_is_refused(tmp_path: Path):
    one_line(cli("draft", "/dev/zero", "--out", str(tmp_path / "d"), "--no-cache"), 1, "/dev/zero", "device")


def test_a_named_pipe_as_glossary_is_refused_at_once(fifo: Path, tmp_path: Path):
    transcript = tmp_path / "t.srt"
    transcript.write_text("1\n00:00:00,000 --> 00:00:02,000\nHello there.\n")
    done = cli("draft", str(transcript), "--glossary", str(fifo), "--out", str(tmp_path / "d"))
    one_line(done, 2, str(fifo), "not a plain file")


def test_a_glossary_too_big_is_refused_with_a_line(tmp_path: Path):
    path = tmp_path / "words.txt"
    path.write_text("ketamine\n" * (GLOSSARY_MAX_BYTES // 9 + 1))
    with pytest.raises(UsageError, match=r"words.txt: the glossary is larger than 2 MiB"):
        load_glossary(path)


def test_a_glossary_of_too_many_terms_is_refused_with_a_line(tmp_path: Path):
    path = tmp_path / "words.txt"
    path.write_text("".join(f"t{n}\n" for n in range(GLOSSARY_MAX_TERMS + 1)))
    with pytest.raises(
        UsageError, match=r"words.txt: the glossary holds 100,001 terms, more than the 100,000"
    ):
        load_glossary(path)


def made_up_terms(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    parts = [
        "ka",
        "ta",
        "mi",
        "ne",
        "fi",
        "bro",
        "my",
        "al",
        "gi",
        "lo",
        "pra",
        "zo",
        "lam",
        "cy",
        "ben",
        "dol",
    ]
    return ["".join(rng.choice(parts) for _ in range(rng.randint(3, 5))) for _ in range(count)]


def test_a_big_glossary_judges_only_the_terms_near_each_run(monkeypatch: pytest.MonkeyPatch):
    """Work grows with the near misses, not with words x terms (a 1 MB glossary took 342 s)."""
    words = make_transcript(TALK).words
    terms = ["ketamine", *made_up_terms(2000, seed=5)]
    judged = []
    real = glossary._match
    monkeypatch.setattr(glossary, "_match", lambda run, term: judged.append(term) or real(run, term))
    corrections = glossary.correct_words(words, terms)
    assert [c.corrected for c in corrections] == ["ketamine."] * 4  # the one near miss, each time it is said
    assert len(judged) < 20 * len(words)  # judging every term at every word is over 2000 per word


def test_batch_given_a_file_says_it_is_a_file(tmp_path: Path):
    video = tmp_path / "talk.mp4"
    video.write_bytes(b"not read")
    done = cli("batch", str(video), "--out", str(tmp_path / "out"))
    one_line(done, 2, str(video), "is a file, not a folder", "video2blog draft")
