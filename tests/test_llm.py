"""--llm's reliability and the CLI's options, against small HTTP servers on 127.0.0.1 that misbehave
on purpose (down, rate-limited, slow, junk); the real llama.cpp server is in test_llm_server.py."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import pty
import select
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import make_transcript
from video2blog.cli import DraftFlags, app, build_options, load_config
from video2blog.pipeline.batch.state import settings_key
from video2blog.pipeline.errors import UsageError
from video2blog.pipeline.llm import LlmOptions
from video2blog.pipeline.run import DraftOptions, make_draft
from video2blog.pipeline.schema import Draft, Source
from video2blog.pipeline.serialize import transcript_to_dict
from video2blog.pipeline.text.sentences import split_sentences

TALK = (
    "Ketamine is an anaesthetic that at low doses can ease nerve pain. We give it as a slow infusion in the "
    "clinic. Most patients feel relaxed and a little dreamy during the infusion. The effect on pain can last "
    "for weeks. Now, let's talk about side effects. Some people feel sick or dizzy for an hour afterwards. "
    "Your blood pressure can rise a little, so a nurse checks it every fifteen minutes. Serious side effects "
    "are rare at these doses. Finally, getting home. You cannot drive after an infusion, so bring a friend "
    "or book a taxi. Eat a light meal and rest for the evening. Call us if the dizziness does not settle by "
    "the next morning."
)
HEADINGS = "How is ketamine given?\nKetamine cures pain forever\nSlow infusion of ketamine"
META = (
    "Title: Ketamine infusions for nerve pain\n"
    "Description: Ketamine can ease nerve pain. It works for 9 in 10."
)
runner = CliRunner()


def completion(text: str) -> bytes:
    return json.dumps(
        {"model": "test-model", "choices": [{"message": {"role": "assistant", "content": text}}]}
    ).encode()


class Endpoint:
    """A chat endpoint on 127.0.0.1 answering request n with ``behave(n, body)``: (status, bytes, delay)."""

    def __init__(self, behave: Callable[[int, dict], tuple[int, bytes, float]]) -> None:
        self.behave, self.bodies, self.headers = behave, [], []  # type: ignore[var-annotated]
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                endpoint.bodies.append(body)
                endpoint.headers.append(dict(self.headers))
                status, data, delay = endpoint.behave(len(endpoint.bodies), body)
                time.sleep(delay)
                if status == 0:  # not HTTP at all
                    self.wfile.write(data)
                    return
                self.send_response(status)
                self.send_header("Retry-After", "0.2") if status == 429 else None
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the client gave up
                    self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def answer(n: int, body: dict) -> tuple[int, bytes, float]:
    system = body["messages"][0]["content"]
    return 200, completion(META if "meta description" in system else HEADINGS), 0.0


@pytest.fixture
def endpoint() -> Iterator[Callable[..., Endpoint]]:
    made: list[Endpoint] = []

    def make(behave: Callable[[int, dict], tuple[int, bytes, float]] = answer) -> Endpoint:
        made.append(Endpoint(behave))
        return made[-1]

    yield make
    for e in made:
        e.close()


def classical() -> tuple[object, Draft]:
    transcript = split_sentences(make_transcript(TALK))
    return transcript, make_draft(transcript, Source("talk.json", "0", 40.0), DraftOptions(date="2026-01-01"))


def draft_with(llm: LlmOptions) -> Draft:
    transcript, _ = classical()
    return make_draft(transcript, Source("talk.json", "0", 40.0), DraftOptions(date="2026-01-01", llm=llm))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_suggestions_are_guarded_recorded_and_the_best_used(endpoint, tmp_path):
    e = endpoint()
    draft = draft_with(LlmOptions(e.url, model="m", cache_dir=tmp_path))
    _, plain = classical()
    generated = [i for i, s in enumerate(plain.sections) if s.heading_source == "generated"]
    assert len(e.bodies) == len(generated) + 1 and all(b["model"] == "m" for b in e.bodies)
    first = draft.sections[generated[0]]
    assert (first.heading, first.heading_source) == ("How is ketamine given?", "llm")
    assert (plain.sections[generated[0]].heading, "generated") in [
        (s.text, s.source) for s in first.suggestions
    ]
    assert all("cures" not in s.text for sec in draft.sections for s in sec.suggestions)
    assert [p for s in draft.sections for p in s.paragraphs] == [
        p for s in plain.sections for p in s.paragraphs
    ]
    record = draft.llm
    assert record is not None and (record.model, record.endpoint, record.mode) == ("m", e.url[7:-3], "use")
    assert record.prompt_version and record.requests == len(e.bodies) and not record.warning
    dropped = [s for s in record.suggestions if s.note.startswith("dropped")]
    assert {s.text for s in dropped} >= {"Ketamine cures pain forever"}
    assert all(
        s.replaces == plain.sections[s.section].heading for s in record.suggestions if s.target == "heading"
    )
    assert (
        draft.title == "Ketamine infusions for nerve pain"
        and draft.slug == "ketamine-infusions-for-nerve-pain"
    )
    assert draft.description == "Ketamine can ease nerve pain."  # the made-up figure never reaches it


def test_suggest_mode_keeps_the_classical_draft_and_offers(endpoint):
    e = endpoint()
    draft = draft_with(LlmOptions(e.url, mode="suggest"))
    _, plain = classical()
    assert [s.heading for s in draft.sections] == [s.heading for s in plain.sections]
    assert (draft.title, draft.description) == (plain.title, plain.description)
    assert any(
        s.text == "How is ketamine given?" and s.source == "llm" for s in draft.sections[0].suggestions
    )
    assert draft.llm is not None and not any(s.used for s in draft.llm.suggestions)
    assert "model" not in e.bodies[0]  # no --llm-model: the server's own


def test_redraft_asks_nothing_again(endpoint, tmp_path):
    e = endpoint()
    first = draft_with(LlmOptions(e.url, model="m", cache_dir=tmp_path))
    asked = len(e.bodies)
    e.close()
    again = draft_with(LlmOptions(e.url, model="m", cache_dir=tmp_path))
    assert len(e.bodies) == asked and again.llm is not None and again.llm.requests == 0
    assert again.llm.cached == asked and replace(again, llm=None) == replace(first, llm=None)


@pytest.mark.parametrize(
    "behave, reason",
    [
        (None, "cannot connect"),
        (lambda n, b: (200, b"<html>not json</html>", 0.0), "not a chat completion"),
        (lambda n, b: (0, b"SSH-2.0-OpenSSH_9.2\r\n", 0.0), "bad HTTP answer"),
        (lambda n, b: (200, b'{"choices": []}', 0.0), "not a chat completion"),
        (lambda n, b: (429, b"slow down", 0.0), "HTTP 429"),
        (lambda n, b: (500, b"oops", 0.0), "HTTP 500"),
        (lambda n, b: (401, b"no", 0.0), "API key"),
        (lambda n, b: (200, completion("x"), 3.0), "no answer within"),
    ],
    ids=["down", "html", "not-http", "no-choices", "rate-limited", "server-error", "unauthorised", "slow"],
)
def test_a_failing_endpoint_gives_one_warning_and_the_classical_draft(endpoint, caplog, behave, reason):
    url = endpoint(behave).url if behave else f"http://127.0.0.1:{free_port()}/v1"
    with caplog.at_level(logging.WARNING):
        draft = draft_with(LlmOptions(url, request_timeout=1.0, draft_timeout=20.0, retries=2))
    _, plain = classical()
    assert replace(draft, llm=None) == plain
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1 and reason in warnings[0].getMessage() and "\n" not in warnings[0].getMessage()
    assert draft.llm is not None and reason in draft.llm.warning


def test_rate_limit_is_retried_after_the_servers_wait(endpoint):
    e = endpoint(lambda n, b: (429, b"", 0.0) if n == 1 else answer(n, b))
    draft = draft_with(LlmOptions(e.url, retries=2))
    assert draft.llm is not None and not draft.llm.warning and draft.sections[0].heading_source == "llm"


def test_requests_are_bounded_per_draft(endpoint):
    e = endpoint()
    draft = draft_with(LlmOptions(e.url, max_requests=2))
    assert len(e.bodies) == 2 and draft.llm is not None and draft.llm.requests == 2


def test_the_draft_deadline_stops_a_slow_endpoint(endpoint):
    e = endpoint(lambda n, b: (200, completion(HEADINGS), 0.7))
    draft = draft_with(LlmOptions(e.url, draft_timeout=1.0))
    assert draft.llm is not None and "per draft" in draft.llm.warning
    assert draft.llm.requests < 4  # 0.7 s a reply: the 1 s deadline stopped it after the second request


def test_api_key_is_sent_but_never_recorded(endpoint, tmp_path, monkeypatch):
    e = endpoint()
    monkeypatch.setenv("VIDEO2BLOG_LLM_API_KEY", "sekret-key")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    source = tmp_path / "talk.json"
    source.write_text(json.dumps(transcript_to_dict(make_transcript(TALK))))
    result = runner.invoke(app, ["draft", str(source), "-o", str(tmp_path / "out"), "--llm", e.url])
    assert result.exit_code == 0, result.output
    assert e.headers[0]["Authorization"] == "Bearer sekret-key"
    written = b"".join(p.read_bytes() for p in (tmp_path / "out").iterdir() if p.is_file())
    assert b"sekret" not in written and b"How is ketamine given?" in written
    flags = DraftFlags(llm=e.url)
    before = settings_key(build_options(flags))
    monkeypatch.setenv("VIDEO2BLOG_LLM_API_KEY", "another-key")
    assert build_options(flags).llm.api_key == "another-key"  # type: ignore[union-attr]
    assert settings_key(build_options(flags)) == before  # a new key redrafts nothing
    assert settings_key(build_options(DraftFlags(llm=e.url, llm_mode="suggest"))) != before
    assert list((tmp_path / "cache" / "video2blog" / "llm").glob("*.json"))


def test_without_llm_nothing_touches_the_network(tmp_path, monkeypatch):
    def refuse(self: socket.socket, address: object) -> None:
        raise AssertionError(f"a socket was opened to {address}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    source = tmp_path / "talk.json"
    source.write_text(json.dumps(transcript_to_dict(make_transcript(TALK))))
    result = runner.invoke(app, ["draft", str(source), "-o", str(tmp_path / "out"), "--no-cache"])
    assert result.exit_code == 0, result.output
    data = json.loads((tmp_path / "out" / "draft.json").read_text())
    assert data["llm"] is None and all(s["heading_source"] != "llm" for s in data["sections"])


def test_config_file_gives_the_endpoint_and_flags_win(tmp_path, monkeypatch):
    config = tmp_path / "video2blog" / "config.toml"
    config.parent.mkdir()
    config.write_text(
        'llm = "http://127.0.0.1:11434/v1"\nllm_model = "llama3.1:8b"\nclinic = "Lakeside Pain Clinic"\n'
    )
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    assert load_config() == {
        "llm": "http://127.0.0.1:11434/v1",
        "llm_model": "llama3.1:8b",
        "clinic": "Lakeside Pain Clinic",
    }
    llm = build_options(DraftFlags()).llm
    assert llm is not None and (llm.model, llm.clinic, llm.mode, llm.host) == (
        "llama3.1:8b",
        "Lakeside Pain Clinic",
        "use",
        "127.0.0.1:11434",
    )
    assert build_options(DraftFlags(llm="off")).llm is None
    assert build_options(DraftFlags(no_cache=True)).llm.cache_dir is None  # type: ignore[union-attr]
    other = build_options(DraftFlags(llm="http://gpu-box:8000/v1", llm_model="qwen", llm_mode="suggest")).llm
    assert other is not None and (other.model, other.mode) == ("qwen", "suggest")


def test_the_config_file_is_read_on_python_3_10_too(tmp_path, monkeypatch):
    """Python 3.10 has no tomllib: the same parser comes as the tomli package (a dependency there). The
    file had been ignored there without a word, a typo in it too."""
    import sys

    import tomllib

    config = tmp_path / "video2blog" / "config.toml"
    config.parent.mkdir()
    config.write_text('llm_modle = "llama3"\n')
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    monkeypatch.setattr(sys, "version_info", (3, 10, 13, "final", 0))
    monkeypatch.setitem(sys.modules, "tomli", tomllib)  # what the package gives on 3.10
    with pytest.raises(UsageError, match="unknown or non-text setting 'llm_modle'"):
        load_config()


@pytest.mark.parametrize(
    "config, args, message",
    [
        ("llm = [1, 2]\n", [], "config.toml: unknown or non-text setting 'llm'"),
        ("llm = \n", [], "config.toml: cannot read the config file"),
        ("", ["--llm", "localhost:11434"], "is not an http(s) URL"),
        ('llm = "not a url"\n', [], "config.toml: --llm 'not a url' is not an http(s) URL"),  # says where
        ('llm = "http://127.0.0.1:8080/v1"\nllm_mode = "bogus"\n', [], "config.toml: --llm-mode 'bogus'"),
        (
            "",
            ["--llm", "http://127.0.0.1:8080/v1", "--llm-mode", "always"],
            "--llm-mode 'always' is not one of",
        ),
        ("", ["--llm-mode", "bogus"], "--llm-mode 'bogus' is not one of"),  # was taken, exit 0, without --llm
    ],
)
def test_bad_llm_settings_are_one_line_usage_errors(tmp_path, monkeypatch, config, args, message):
    (tmp_path / "video2blog").mkdir()
    (tmp_path / "video2blog" / "config.toml").write_text(config)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    source = tmp_path / "talk.json"
    source.write_text(json.dumps(transcript_to_dict(make_transcript(TALK))))
    result = runner.invoke(app, ["draft", str(source), "-o", str(tmp_path / "out"), *args])
    assert result.exit_code == 2 and message in result.output, result.output
    assert result.output.count("\n") == 1 and not (tmp_path / "out").exists()


def test_options_reject_bad_urls():
    with pytest.raises(UsageError):
        LlmOptions("ftp://example/v1")
    with pytest.raises(UsageError, match="names no port there can be"):
        LlmOptions("http://127.0.0.1:99999/v1")


def boundary_answer(choice: str) -> Callable[[int, dict], tuple[int, bytes, float]]:
    def behave(n: int, body: dict) -> tuple[int, bytes, float]:
        if "numbered places" in body["messages"][0]["content"]:
            return 200, completion(choice), 0.0
        return answer(n, body)

    return behave


def test_boundaries_are_chosen_among_the_sectioners_candidates(endpoint):
    _, plain = classical()
    e = endpoint(boundary_answer("2"))
    draft = draft_with(LlmOptions(e.url, boundaries=True))
    assert draft.llm is not None and not draft.llm.warning
    moves = [s for s in draft.llm.suggestions if s.target == "boundary"]
    assert len(moves) == len(plain.sections) - 1 and all(s.used for s in moves)
    assert [s.start for s in draft.sections] != [s.start for s in plain.sections]
    listing = next(b for b in e.bodies if "numbered places" in b["messages"][0]["content"])
    assert listing["messages"][1]["content"].startswith("1. ") and " | " in listing["messages"][1]["content"]
    words = [w for s in draft.sections for p in s.paragraphs for w in range(*p.words)]
    assert words == sorted(words)  # still every sentence once, in order


def test_a_boundary_reply_naming_no_candidate_keeps_the_classical_sections(endpoint):
    _, plain = classical()
    draft = draft_with(LlmOptions(endpoint(boundary_answer("the third one, maybe 7")).url, boundaries=True))
    assert [s.start for s in draft.sections] == [s.start for s in plain.sections]
    suggest_mode = draft_with(LlmOptions(endpoint(boundary_answer("2")).url, boundaries=True, mode="suggest"))
    assert [s.start for s in suggest_mode.sections] == [s.start for s in plain.sections]


@pytest.mark.parametrize("terminal", [True, False], ids=["pty", "pipe"])
def test_console_command_with_a_down_endpoint_warns_once_and_drafts(tmp_path, terminal):
    source = tmp_path / "talk.json"
    source.write_text(json.dumps(transcript_to_dict(make_transcript(TALK))))
    exe = Path(sys.executable).parent / "video2blog"
    url = f"http://127.0.0.1:{free_port()}/v1"
    command = [str(exe), "draft", str(source), "-o", str(tmp_path / "out"), "--llm", url]
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache"), "XDG_CONFIG_HOME": str(tmp_path)}
    if terminal:
        leader, follower = pty.openpty()
        proc = subprocess.Popen(command, stdin=follower, stdout=follower, stderr=follower, env=env)
        os.close(follower)
        output = read_all(leader, proc)
    else:
        done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120, check=False)
        output, proc = done.stdout + done.stderr, done  # type: ignore[assignment]
    assert proc.returncode == 0, output
    warnings = [line for line in output.splitlines() if "failed" in line]
    assert (
        len(warnings) == 1
        and "cannot connect" in warnings[0]
        and "kept the classical headings" in warnings[0]
    )
    assert "Traceback" not in output and "Drafted" in output


def read_all(fd: int, proc: subprocess.Popen[bytes], timeout: float = 120.0) -> str:
    """Everything the process writes to its terminal until it exits (bounded in time)."""
    chunks, end = [], time.monotonic() + timeout
    while time.monotonic() < end:
        ready, _, _ = select.select([fd], [], [], 0.5)
        if ready:
            try:
                data = os.read(fd, 4096)
            except OSError:  # the terminal closed with the process
                break
            if not data:
                break
            chunks.append(data)
        elif proc.poll() is not None:
            break
    proc.wait(10)
    os.close(fd)
    return b"".join(chunks).decode("utf-8", "replace")
