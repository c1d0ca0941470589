"""--llm against a real llama.cpp server (xllamacpp with SmolLM2-135M-Instruct, see tests/llm_server.py)
on 127.0.0.1: suggestions recorded and guarded, the server killed mid-draft, the cache on a redraft.

A 135M model writes poor headings; these tests check what video2blog does with whatever it writes.
"""

from __future__ import annotations

import json
import logging
import os
import selectors
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT, make_transcript
from tests.test_llm import TALK
from video2blog.pipeline.llm import LlmOptions
from video2blog.pipeline.llm.client import ChatClient
from video2blog.pipeline.run import DraftOptions, make_draft
from video2blog.pipeline.schema import Source
from video2blog.pipeline.serialize import transcript_to_dict
from video2blog.pipeline.text.guards import check_heading, check_wording
from video2blog.pipeline.text.sentences import split_sentences

pytestmark = pytest.mark.slow
START_TIMEOUT_S = 180
DRAFT_TIMEOUT_S = 400


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server() -> tuple[subprocess.Popen[str], str]:
    """A llama.cpp server process and its API base, once it has loaded the model."""
    command = [sys.executable, "-m", "tests.llm_server", str(free_port()), str(DRAFT_TIMEOUT_S * 2)]
    proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert proc.stdout is not None
    with selectors.DefaultSelector() as sel:
        sel.register(proc.stdout, selectors.EVENT_READ)
        if sel.select(START_TIMEOUT_S):
            line = proc.stdout.readline()
            if line.startswith("ready "):
                return proc, line.split()[1]
    proc.kill()
    pytest.fail(f"the llama.cpp server did not start (exit {proc.poll()}); run scripts/test.sh to install it")


@pytest.fixture
def server() -> Iterator[tuple[subprocess.Popen[str], str]]:
    proc, url = start_server()
    yield proc, url
    proc.kill()
    proc.wait(10)


def classical_sections(source: Path) -> list[dict]:
    transcript = split_sentences(make_transcript(TALK))
    draft = make_draft(transcript, Source(str(source), "0", 1.0), DraftOptions())
    return [{"heading": s.heading, "text": " ".join(p.text for p in s.paragraphs)} for s in draft.sections]


def run_cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).parent / "video2blog"
    return subprocess.run(
        [str(exe), *args], env=env, capture_output=True, text=True, timeout=DRAFT_TIMEOUT_S, check=False
    )


def test_draft_through_a_real_server_then_redraft_from_the_cache(server, tmp_path):
    proc, url = server
    source = tmp_path / "talk.json"
    source.write_text(json.dumps(transcript_to_dict(make_transcript(TALK))))
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache"), "XDG_CONFIG_HOME": str(tmp_path)}
    first = run_cli("draft", str(source), "-o", str(tmp_path / "a"), "--llm", url, env=env)
    assert first.returncode == 0, first.stderr
    draft = json.loads((tmp_path / "a" / "draft.json").read_text())
    record = draft["llm"]
    assert record["model"].endswith(".gguf") and record["endpoint"] == url.split("/")[2]
    assert record["prompt_version"] and record["requests"] >= 2 and not record["warning"]
    assert record["suggestions"], "the model suggested nothing at all"
    plain = classical_sections(source)
    for section, before in zip(draft["sections"], plain, strict=True):
        text = " ".join(p["text"] for p in section["paragraphs"])
        assert text == before["text"]  # the model never touches the prose
        if section["heading_source"] == "llm":
            assert check_heading(section["heading"], text).clean
            assert {"text": before["heading"], "source": "generated", "note": ""} in section["suggestions"]
        for suggestion in section["suggestions"]:  # the model's; the question forms' are the draft's own
            if suggestion["source"] == "llm":
                assert check_wording(suggestion["text"], text).keep  # no new number or claim
    proc.kill()
    proc.wait(10)
    again = run_cli("draft", str(source), "-o", str(tmp_path / "b"), "--llm", url, env=env)
    assert again.returncode == 0 and "failed" not in again.stderr, again.stderr
    redraft = json.loads((tmp_path / "b" / "draft.json").read_text())
    assert redraft["sections"] == draft["sections"] and redraft["title"] == draft["title"]
    assert redraft["llm"]["requests"] == 0 and redraft["llm"]["cached"] == record["requests"]
    assert redraft["llm"]["suggestions"] == record["suggestions"]


def test_server_killed_mid_draft_gives_one_warning_and_the_classical_headings(server, monkeypatch, caplog):
    proc, url = server
    original: Callable[..., object] = ChatClient.complete
    answered: list[float] = []

    def then_kill(self: ChatClient, *args: object, **kwargs: object) -> object:
        reply = original(self, *args, **kwargs)
        answered.append(time.monotonic())
        proc.kill()
        proc.wait(10)
        return reply

    monkeypatch.setattr(ChatClient, "complete", then_kill)
    transcript = split_sentences(make_transcript(TALK))
    source = Source("talk.json", "0", 1.0)
    with caplog.at_level(logging.WARNING):
        draft = make_draft(
            transcript, source, DraftOptions(llm=LlmOptions(url, draft_timeout=DRAFT_TIMEOUT_S))
        )
    assert len(answered) == 1  # one reply came, then the server was gone
    plain = make_draft(transcript, source, DraftOptions())
    assert [s.heading for s in draft.sections] == [s.heading for s in plain.sections]
    assert (draft.title, draft.description) == (plain.title, plain.description)
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1 and "cannot connect" in warnings[0], warnings
    assert draft.llm is not None and draft.llm.warning == warnings[0] and draft.llm.requests == 2
