"""One HTTP request, the way every network call of video2blog makes it (publishing, ``--llm``).

The standard library's urllib, with two guards it lacks:

- a total deadline: urllib's timeout bounds each socket operation, so a server that trickles a byte
  a second never trips it; here a timer shuts the connection when the time is up, whatever the
  server does, and the request ends in :class:`DeadlineExceeded`;
- no redirect to another address: the requests carry credentials (an application password, an API
  key) that must go only where the user sent them, so a redirect to another scheme, host or port is
  refused with :class:`RedirectRefused` (naming the new address) instead of followed.

Every HTTP status comes back as an :class:`Answer`; only the caller knows what a 404 means.
"""

from __future__ import annotations

import contextlib
import http.client
import ipaddress
import socket
import threading
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from email.message import Message
from typing import Any

from video2blog.pipeline.errors import Video2BlogError

MAX_ANSWER = 16 << 20


class NetworkError(Video2BlogError):
    """A request that the guards of this module stopped."""


class DeadlineExceeded(NetworkError):
    """No complete answer within the request's total time."""


class RedirectRefused(NetworkError):
    """The server sent us to another address; ``location`` is where."""

    def __init__(self, url: str, location: str) -> None:
        super().__init__(f"{url} redirects to another address, {location}; not following it")
        self.location = location


@dataclass(frozen=True)
class Answer:
    """An HTTP answer, whatever its status."""

    status: int
    reason: str
    headers: Message
    body: bytes


def fetch(request: urllib.request.Request, seconds: float, limit: int = MAX_ANSWER) -> Answer:
    """Send ``request`` and read at most ``limit`` bytes of the answer, all within ``seconds``.

    Raises:
        DeadlineExceeded: the answer was not complete in time.
        RedirectRefused: the server redirects to another scheme, host or port.
        OSError, http.client.HTTPException: the server cannot be reached or does not speak HTTP.
    """
    watch = _Watch(seconds)
    opener = urllib.request.build_opener(_HTTP(watch), _HTTPS(watch), _SameOrigin())
    try:
        answer = _read(opener, request, seconds, limit)
    except (OSError, http.client.HTTPException) as exc:
        if watch.expired or _timed_out(exc):
            raise DeadlineExceeded(f"no complete answer within {seconds:g} s", request.full_url) from None
        raise
    finally:
        watch.stop()
    if watch.expired:  # cut off while reading an answer of no stated length
        raise DeadlineExceeded(f"no complete answer within {seconds:g} s", request.full_url)
    return answer


def _read(
    opener: urllib.request.OpenerDirector, request: urllib.request.Request, seconds: float, limit: int
) -> Answer:
    try:
        with opener.open(request, timeout=seconds) as response:
            return Answer(response.status, str(response.reason), response.headers, response.read(limit))
    except urllib.error.HTTPError as exc:
        with exc:
            return Answer(exc.code, str(exc.reason), exc.headers, exc.read(limit))


def _timed_out(exc: BaseException) -> bool:
    return isinstance(exc, TimeoutError) or isinstance(getattr(exc, "reason", None), TimeoutError)


def host_of(url: str) -> str:
    """A URL's host and port, without the user name, password or path it may carry: what a message or a
    record may show of an address the user typed."""
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:  # "http://[::1" cannot be split
        return ""
    try:
        port = parts.port
    except ValueError:  # "http://h:99999": no port there can be
        port = None
    return parts.hostname + (f":{port}" if port else "") if parts.hostname else ""


def loopback(host: str) -> bool:
    """Whether ``host`` (a URL's hostname) is this machine: what is sent there crosses no network."""
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:  # a name, not an address
        return False


def in_clear(url: str) -> bool:
    """Whether what is sent to ``url`` crosses the network unencrypted: a plain http:// address of
    another machine, where a password or an API key can be read on the way (--allow-http sends it so)."""
    parts = urllib.parse.urlsplit(url.strip())
    return parts.scheme == "http" and not loopback(parts.hostname or "")


def origin(url: str) -> tuple[str, str]:
    """The scheme and host:port a URL goes to (the default port made explicit)."""
    parts = urllib.parse.urlsplit(url)
    port = parts.port or {"http": 80, "https": 443}.get(parts.scheme, 0)
    return parts.scheme.lower(), f"{(parts.hostname or '').lower()}:{port}"


class _Watch:
    """Shuts the request's sockets when its time is up."""

    def __init__(self, seconds: float) -> None:
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(max(0.0, seconds), self._expire)
        self._timer.daemon = True
        self._timer.start()

    def track(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.append(sock)
            if self.expired:
                _shut(sock)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            for sock in self._sockets:
                _shut(sock)

    def stop(self) -> None:
        """The request is over: no more timer, and no socket left open (a refused redirect's)."""
        self._timer.cancel()
        with self._lock:
            for sock in self._sockets:
                _shut(sock)


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):  # closed already
        sock.shutdown(socket.SHUT_RDWR)  # wakes a blocked read at once, unlike close()


def _watched(base: type[http.client.HTTPConnection], watch: _Watch) -> Any:
    class Watched(base):  # type: ignore[valid-type,misc]
        def connect(self) -> None:
            super().connect()
            watch.track(self.sock)

    return Watched


class _HTTP(urllib.request.HTTPHandler):
    def __init__(self, watch: _Watch) -> None:
        super().__init__()
        self.watch = watch

    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(_watched(http.client.HTTPConnection, self.watch), req)


class _HTTPS(urllib.request.HTTPSHandler):
    def __init__(self, watch: _Watch) -> None:
        super().__init__()
        self.watch = watch

    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(_watched(http.client.HTTPSConnection, self.watch), req, context=self._context)  # type: ignore[attr-defined]


class _SameOrigin(urllib.request.HTTPRedirectHandler):
    """Follows a redirect only to the same scheme, host and port (the credentials stay there)."""

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: Any,
        code: int,
        msg: str,
        headers: http.client.HTTPMessage,
        newurl: str,
    ) -> urllib.request.Request | None:
        if origin(newurl) != origin(req.full_url):
            raise RedirectRefused(req.full_url, newurl)
        return super().redirect_request(req, fp, code, msg, headers, newurl)
