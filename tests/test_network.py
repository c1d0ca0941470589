"""Network calls (publish, --llm) keep the credentials where the user sent them and end in time.

Real local servers on 127.0.0.1: one that redirects to a second one on another port (which records
whether the password arrived), one that answers JSON of the wrong shape, and one that trickles its
answer a byte at a time, which a per-read timeout never stops.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.test_cli import _without_root
from video2blog.cli import DraftFlags, llm_options
from video2blog.pipeline.errors import UsageError
from video2blog.pipeline.llm.client import ChatClient, Deadline, LlmUnavailable
from video2blog.pipeline.output import folder_lock
from video2blog.pipeline.publish.wordpress import PublishError, RestClient, WordPressSite

TRICKLE_BYTES = 400  # at 1 byte / 50 ms: 20 s, far beyond the deadlines below
Respond = Callable[[BaseHTTPRequestHandler], None]


class Recorder:
    """What a server was asked: (method, path, Authorization header) per request, bytes it sent."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, str, str]] = []
        self.sent = 0


@contextmanager
def serve(respond: Respond) -> Iterator[tuple[str, Recorder]]:
    """A local HTTP server answering every request with ``respond``; yields its address and record."""
    record = Recorder()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def _any(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            self.rfile.read(length)
            record.requests.append((self.command, self.path, self.headers.get("Authorization", "")))
            self.record = record
            respond(self)

        do_GET = do_POST = _any

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", record
    finally:
        httpd.shutdown()
        httpd.server_close()


def send_json(handler: BaseHTTPRequestHandler, value: object, status: int = 200) -> None:
    body = json.dumps(value).encode()
    handler.send_response(status)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


def wordpress_like(post_answer: object) -> Respond:
    """A WordPress REST API in miniature whose new post is ``post_answer``."""

    def respond(handler: BaseHTTPRequestHandler) -> None:
        path = handler.path
        if path.rstrip("/").endswith("/wp-json"):
            send_json(handler, {"namespaces": ["wp/v2"]})
        elif "/wp/v2/users/me" in path:
            send_json(handler, {"id": 1})
        else:
            send_json(handler, post_answer)

    return respond


def redirect_to(target: str) -> Respond:
    def respond(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(302)
        handler.send_header("Location", target + handler.path)
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    return respond


def trickle(where: str) -> Respond:
    """Sends the status line, then the headers or the body one byte every 50 ms."""

    def respond(handler: BaseHTTPRequestHandler) -> None:
        head = f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {TRICKLE_BYTES}\r\n"
        slow = (b"X-Slow: " + b"." * TRICKLE_BYTES) if where == "headers" else b" " * TRICKLE_BYTES
        fast = head.encode() + (b"" if where == "headers" else b"\r\n")
        try:
            handler.wfile.write(fast)
            for i in range(len(slow)):
                handler.wfile.write(slow[i : i + 1])
                handler.wfile.flush()
                handler.record.sent += 1  # type: ignore[attr-defined]
                time.sleep(0.05)
        except OSError:  # the client hung up: what the test wants
            return

    return respond


def draft_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "d"
    folder.mkdir()
    (folder / "draft.json").write_text(json.dumps({"title": "T", "slug": "t", "sections": []}))
    (folder / "post.html").write_text("<p>text</p>")
    return folder


def publish(folder: Path, site: str, *extra: str, as_user: bool = False) -> subprocess.CompletedProcess[str]:
    """``video2blog publish`` of ``folder`` to ``site``; ``as_user``: without root's power over files."""
    env = {**os.environ, "VIDEO2BLOG_WP_PASSWORD": "secret app password"}
    command = [
        sys.executable,
        "-m",
        "video2blog",
        "publish",
        str(folder),
        "--wordpress",
        site,
        "--user",
        "ed",
        *extra,
    ]
    command = _without_root(command) if as_user else command
    return subprocess.run(
        command, capture_output=True, text=True, env=env, timeout=120, stdin=subprocess.DEVNULL
    )


def one_error_line(done: subprocess.CompletedProcess[str]) -> str:
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 1 and len(lines) == 1, done.stderr
    assert lines[0].startswith("video2blog: error: ") and "Traceback" not in done.stderr
    return lines[0]


def test_publish_refuses_a_redirect_to_another_server_and_sends_it_no_password(tmp_path: Path):
    folder = draft_folder(tmp_path)
    with serve(wordpress_like({"id": 7})) as (other, elsewhere), serve(redirect_to(other)) as (site, asked):
        line = one_error_line(publish(folder, site))
    assert other in line and "redirected to another address" in line
    assert asked.requests and asked.requests[0][2].startswith("Basic ")  # the site itself got it
    assert not [r for r in elsewhere.requests if r[2]], "the password followed the redirect"
    assert not (folder / "publish.json").exists()


def test_publish_sends_no_password_over_plain_http_to_another_machine_unless_told(tmp_path: Path):
    folder = draft_folder(tmp_path)
    refused = publish(folder, "http://clinic.example/wp-admin/")
    lines = refused.stderr.strip().splitlines()
    assert refused.returncode == 2 and len(lines) == 1 and "Traceback" not in refused.stderr
    assert "plain http://" in lines[0] and "--allow-http" in lines[0] and "secret" not in lines[0]
    told = one_error_line(publish(folder, "http://clinic.example", "--allow-http"))
    assert "cannot reach http://clinic.example" in told  # it went on to the site (which is not there)


def test_draft_sends_no_llm_api_key_over_plain_http_to_another_machine_unless_told(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """--llm http://<another machine> sent VIDEO2BLOG_LLM_API_KEY in clear, where publish refuses to send
    its password so: one policy, one line naming --allow-http, nothing drafted. Without a key, or to this
    machine (the tests' own endpoints), plain http:// is as before."""
    srt = tmp_path / "talk.srt"
    srt.write_text("1\n00:00:00,000 --> 00:00:04,000\nKetamine is an anaesthetic used in hospitals.\n")
    command = [sys.executable, "-m", "video2blog", "draft", str(srt), "--out", str(tmp_path / "out")]
    env = {**os.environ, "VIDEO2BLOG_LLM_API_KEY": "sk-secret", "XDG_CONFIG_HOME": str(tmp_path)}
    refused = subprocess.run(
        [*command, "--llm", "http://192.0.2.1:9/v1"], capture_output=True, text=True, env=env, timeout=300
    )
    lines = refused.stderr.strip().splitlines()
    assert refused.returncode == 2 and len(lines) == 1 and "Traceback" not in refused.stderr, refused.stderr
    assert "plain http://" in lines[0] and "--allow-http" in lines[0] and "sk-secret" not in lines[0]
    assert not (tmp_path / "out").exists()
    monkeypatch.setenv("VIDEO2BLOG_LLM_API_KEY", "sk-secret")
    flags = {"llm": "http://192.0.2.1:9/v1", "allow_http": True}
    assert llm_options(DraftFlags(**flags), {}, None) is not None  # told: sent anyway
    assert llm_options(DraftFlags(llm="http://127.0.0.1:9/v1"), {}, None) is not None  # this machine
    with pytest.raises(UsageError) as refusal:  # a password in the address is not shown either
        llm_options(DraftFlags(llm="http://u:sk-inurl@192.0.2.1:9/v1"), {}, None)
    assert "sk-inurl" not in str(refusal.value) and "192.0.2.1:9" in str(refusal.value)


@pytest.mark.parametrize(
    "address", ["http://admin:LoginPassw0rd@127.0.0.1:9/", "https://admin:LoginPassw0rd@x.example"]
)
def test_publish_refuses_a_password_in_the_address_without_showing_it(tmp_path: Path, address: str):
    done = publish(draft_folder(tmp_path), address)
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2 and len(lines) == 1 and "Traceback" not in done.stderr
    assert "LoginPassw0rd" not in done.stderr + done.stdout
    assert "holds a user name or password" in lines[0] and "VIDEO2BLOG_WP_PASSWORD" in lines[0]


@pytest.mark.parametrize("answer", [[], {"no": "id"}, {"id": "7"}, "text", None])
def test_publish_names_the_endpoint_of_an_answer_of_the_wrong_shape(tmp_path: Path, answer: object):
    with serve(wordpress_like(answer)) as (site, _):
        line = one_error_line(publish(draft_folder(tmp_path), site))
    assert "POST /wp/v2/posts" in line and "wrong shape" in line


@pytest.mark.parametrize("where", ["headers", "body"])
def test_publish_cuts_off_a_trickling_server_at_the_deadline(where: str):
    def respond(handler: BaseHTTPRequestHandler) -> None:
        (trickle(where) if handler.path.endswith("users/me?context=edit") else wordpress_like({}))(handler)

    with serve(respond) as (site, record):
        client = RestClient(WordPressSite(site, "ed", "pw", timeout=1.0))
        with pytest.raises(PublishError, match=r"no complete answer to GET .*users/me.* within 1 s"):
            client.check_user()
    assert 0 < record.sent < TRICKLE_BYTES  # cut off while it was still trickling


@pytest.mark.parametrize("where", ["headers", "body"])
def test_llm_request_is_cut_off_at_its_total_deadline(where: str):
    with serve(trickle(where)) as (url, record):
        client = ChatClient(url + "/v1", timeout=1.0, retries=0)
        with pytest.raises(LlmUnavailable, match="no answer within 1 s"):
            client.complete([{"role": "user", "content": "hi"}], 8, Deadline(60))
    assert 0 < record.sent < TRICKLE_BYTES


def test_llm_refuses_a_redirect_and_sends_the_key_nowhere_else():
    reply = {"choices": [{"message": {"content": "hello"}}]}
    with serve(lambda h: send_json(h, reply)) as (other, elsewhere), serve(redirect_to(other)) as (url, _):
        client = ChatClient(url + "/v1", api_key="sk-secret", timeout=5.0, retries=0)
        with pytest.raises(LlmUnavailable, match=f"redirected to another address, {other}"):
            client.complete([{"role": "user", "content": "hi"}], 8, Deadline(60))
    assert elsewhere.requests == []


def test_publish_waits_for_no_run_writing_the_folder_and_sends_nothing_meanwhile(tmp_path: Path):
    """A second publish of one folder (or one during a redraft or a review Save) read publish.json before
    the first had written it and made a second post."""
    folder = draft_folder(tmp_path)
    with serve(wordpress_like({"id": 7})) as (site, asked), folder_lock(folder):
        line = one_error_line(publish(folder, site))
    assert str(folder) in line and "publish" in line and "writing into this folder" in line
    assert not [r for r in asked.requests if r[0] == "POST"], "it sent the post while another run wrote"
    assert not (folder / "publish.json").exists()


def test_publish_refuses_a_folder_it_cannot_record_the_post_in_before_sending_it(tmp_path: Path):
    """A read-only draft folder: the post was made, then publish.json could not be written, so the next
    publish made the post again."""
    folder = draft_folder(tmp_path)
    folder.chmod(0o555)
    try:
        with serve(wordpress_like({"id": 7})) as (site, asked):
            line = one_error_line(publish(folder, site, as_user=True))
    finally:
        folder.chmod(0o755)
    assert str(folder) in line and "publish.json" in line and "writable" in line
    assert not asked.requests, "it asked the site before finding it could not record the post"
