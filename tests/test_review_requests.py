"""The review server answers every request, malformed or crowded, with an HTTP status: never a dropped
connection. Raw requests over sockets to the installed `video2blog review` command."""

from __future__ import annotations

import json
import signal
import socket
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.test_review_server import Served, folder, served  # noqa: F401 (fixtures)
from video2blog.pipeline.editing import store

CROWD = 60
SYN_RETRY = 0.9  # seconds: less than the kernel's first SYN retransmission (1 s)


def request_head(served: Served, body: bytes, length: str | None = None) -> bytes:  # noqa: F811
    return (
        f"POST /{served.token}/api/save HTTP/1.1\r\nHost: 127.0.0.1:{served.port}\r\n"
        f"Origin: http://127.0.0.1:{served.port}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body) if length is None else length}\r\nConnection: close\r\n\r\n"
    ).encode()


def answer_on(sock: socket.socket) -> bytes:
    answer = b""
    while chunk := sock.recv(65536):
        answer += chunk
    return answer


def raw_save(served: Served, body: bytes, length: str | None = None) -> bytes:  # noqa: F811
    """POST ``body`` to the save address over a plain socket; the server's whole answer."""
    with socket.create_connection(("127.0.0.1", served.port), timeout=60) as sock:
        sock.sendall(request_head(served, body, length) + body)
        return answer_on(sock)


def status_of(answer: bytes) -> int:
    assert answer.startswith(b"HTTP/1."), f"no HTTP answer: {answer[:80]!r}"
    return int(answer.split(b" ", 2)[1])


def save_body(version: str, section: str) -> bytes:
    edit = '{"op": "heading", "section": ' + section + ', "text": "New"}'
    return ('{"version": ' + json.dumps(version) + ', "edits": [' + edit + "]}").encode()


@pytest.mark.parametrize(
    ("body", "length"),
    [
        (save_body("v", "1e400"), None),
        (save_body("v", "-1e400"), None),
        (save_body("v", "NaN"), None),
        (save_body("v", "1" * 5000), None),
        (b"[" * 200_000 + b"]" * 200_000, None),  # 400 KB nested array
        (b'{"version": "v", "edits": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", None),
        (b"{}", "abc"),
        (b"{}", "-5"),
        (b"{}", "1e3"),
        (b"\xff\xfe", None),
    ],
    ids=[
        "1e400",
        "-1e400",
        "nan",
        "5000-digits",
        "nested",
        "nested-edits",
        "len-abc",
        "len-neg",
        "len-exp",
        "bytes",
    ],
)
def test_every_malformed_save_gets_a_4xx_answer(served: Served, folder, body: bytes, length: str | None):  # noqa: F811
    before = (folder / "draft.json").read_bytes()
    status = status_of(raw_save(served, body, length))
    assert 400 <= status < 500
    assert (folder / "draft.json").read_bytes() == before


def connect(port: int) -> socket.socket | None:
    """A connection, if the kernel takes it into the listen queue at once (a dropped one is retried
    only after a second)."""
    try:
        return socket.create_connection(("127.0.0.1", port), timeout=SYN_RETRY)
    except OSError:
        return None


def test_sixty_simultaneous_saves_each_get_an_answer(served: Served, folder):  # noqa: F811
    """While the server is busy (here: stopped), 60 clients connect at once: the listen queue takes
    them all, and each gets an answer once the server goes on; one save wins, the others conflict."""
    body = save_body(store.version_of(folder), "0")
    served.process.send_signal(signal.SIGSTOP)
    try:
        with ThreadPoolExecutor(CROWD) as pool:
            crowd = list(pool.map(connect, [served.port] * CROWD))
        queued = [sock for sock in crowd if sock is not None]
        for sock in queued:
            sock.settimeout(120)
            sock.sendall(request_head(served, body) + body)
    finally:
        served.process.send_signal(signal.SIGCONT)
    with ThreadPoolExecutor(CROWD) as pool:
        statuses = [status_of(answer) for answer in pool.map(answer_on, queued)]
    for sock in queued:
        sock.close()
    assert len(queued) == CROWD, f"only {len(queued)} of {CROWD} connections were queued"
    assert statuses.count(200) == 1 and statuses.count(409) == CROWD - 1
    assert json.loads((folder / "draft.json").read_text())["sections"][0]["heading"] == "New"
