"""``video2blog review``: the review page with editing, served to this machine only.

Safe on a shared machine: the server binds 127.0.0.1; every request must carry the run's random
token as the first part of its path (``/<token>/...``, so the page's relative links carry it); the
Host header must name this server (no DNS rebinding); every write must come from this server's
own Origin, as JSON; and only the draft folder's files (never a link out of it, never a hidden
file) and the one media file the draft was made from are served. The page is rendered by the
review template, which escapes everything it shows.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import http.client
import json
import logging
import re
import secrets
import tempfile
import threading
import urllib.parse
from collections.abc import Callable
from dataclasses import asdict
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from video2blog.pipeline.editing import store
from video2blog.pipeline.editing.edits import Edit, edit_from_dict
from video2blog.pipeline.errors import UsageError, Video2BlogError
from video2blog.pipeline.publish.wordpress import published_sites
from video2blog.pipeline.sources import inside
from video2blog.pipeline.textutil import message

log = logging.getLogger(__name__)

HOST = "127.0.0.1"
MAX_BODY = 4 << 20
BACKLOG = 128  # connections waiting to be accepted while a save renders (the library's 5 overflowed)
READ_TIMEOUT = 60.0  # seconds a client may take to send its request
CHUNK = 1 << 16
MEDIA_PREFIX = "media/"
SAVE_PATH = "api/save"
STATE_PATH = "api/state"
# The ports a folder's own port is drawn from: below the ephemeral ports (32768 and up on Linux) that
# outgoing connections take; one another program holds is passed over for any free port.
FOLDER_PORTS = (20000, 30000)
# What the browser shows where the page cannot be made (a damaged edits.json): the reason, as a page.
ERROR_PAGE = (
    '<!doctype html>\n<html lang="{lang}"><head><meta charset="utf-8"><title>video2blog review</title></head>'
    '<body style="font: 1rem/1.5 system-ui, sans-serif; max-width: 40rem; margin: 3rem auto">'
    "<h1>video2blog review</h1><p>{text}</p></body></html>\n"
)
PAGE_POLICY = (
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src 'self' data:; "
    "media-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
# Every other file of the folder (post.html, a file a folder's sender put there) is shown sandboxed: no
# script of its own, and an origin of its own, so it can neither read the media nor Save.
FILE_POLICY = "sandbox; default-src 'none'; img-src 'self'; media-src 'self'; style-src 'unsafe-inline'"
_RANGE = re.compile(r"bytes=(\d*)-(\d*)$")
_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".md": "text/markdown; charset=utf-8",
    ".json": "application/json",
    ".txt": "text/plain; charset=utf-8",
    ".srt": "text/plain; charset=utf-8",
    ".vtt": "text/vtt; charset=utf-8",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".webp": "image/webp",
    ".mp4": "video/mp4",
    ".m4v": "video/mp4",
    ".mov": "video/quicktime",
    ".webm": "video/webm",
    ".mkv": "video/x-matroska",
    ".m4a": "audio/mp4",
    ".mp3": "audio/mpeg",
    ".wav": "audio/wav",
    ".ogg": "audio/ogg",
    ".flac": "audio/flac",
    ".opus": "audio/ogg",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


class ReviewServer:
    """The review server for one draft folder, on 127.0.0.1 (``port`` 0: a free one)."""

    def __init__(self, folder: Path, port: int = 0) -> None:
        self.folder = folder.resolve()
        loaded = store.load(self.folder)  # fail now on a folder that is not a draft
        published_sites(self.folder)  # ... or one whose publish.json cannot be read: no Save could keep it
        found = store.find_media(self.folder, loaded.draft)
        self.media = found.resolve() if found else None  # what is served: the file a link leads to
        self.media_link = found  # what a saved page links: the path beside the folder, as the draft did
        self.language = loaded.draft.language  # what the server's own error lines are written in
        self.token = secrets.token_urlsafe(24)
        self.lock = threading.Lock()  # one save at a time
        # A save a file stopped part-way: its version, its edits and the version it leaves once finished.
        self.partial: tuple[str, list[Edit], str] | None = None
        self.elsewhere = ""  # the address another review of this folder listens at, where one does
        self.httpd = self._listen(port)
        self.httpd.daemon_threads = True

    def _listen(self, port: int) -> _Listener:
        """A listener on ``port``; for 0, the folder's own port (:func:`folder_port`) where it is free,
        else any free one."""
        if port == 0:
            try:
                return _Listener((HOST, folder_port(self.folder)), _handler_for(self))
            except OSError:
                self.elsewhere = _reviewing(folder_port(self.folder))
        try:
            return _Listener((HOST, port), _handler_for(self))
        except OSError as exc:
            why = f"cannot listen on {HOST}:{port} ({exc.strerror}); choose another --port"
            raise UsageError(why) from exc

    @property
    def port(self) -> int:
        return int(self.httpd.server_address[1])

    @property
    def url(self) -> str:
        """The page's address, token included."""
        return f"http://{HOST}:{self.port}/{self.token}/"

    def allowed_hosts(self) -> set[str]:
        return {f"{HOST}:{self.port}", f"localhost:{self.port}"}

    def serve(self) -> None:
        """Serve until :meth:`close` (from another thread) or Ctrl-C."""
        self.httpd.serve_forever(poll_interval=0.2)

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def media_href(self) -> str | None:
        return MEDIA_PREFIX + urllib.parse.quote(self.media.name) if self.media else None


def folder_port(folder: Path) -> int:
    """The port a draft folder is served on by default, the same every time: a page left open when the
    server stopped is reopened at the same origin, where the browser kept its unsaved edits."""
    digest = hashlib.sha256(str(folder.resolve()).encode("utf-8")).digest()
    return FOLDER_PORTS[0] + int.from_bytes(digest[:4], "big") % (FOLDER_PORTS[1] - FOLDER_PORTS[0])


def _reviewing(port: int) -> str:
    """``http://127.0.0.1:port/`` where a review server answers there (the folder's own port: most likely
    a review of the same folder), else ""."""
    connection = http.client.HTTPConnection(HOST, port, timeout=2)
    try:
        connection.request("HEAD", "/")
        server = connection.getresponse().getheader("Server", "")
    except (OSError, http.client.HTTPException):
        return ""
    finally:
        connection.close()
    return f"http://{HOST}:{port}/" if server.startswith(_Handler.server_version) else ""


def serve_review(
    folder: Path,
    port: int = 0,
    open_browser: bool = True,
    ready: Callable[[str], None] | None = None,
    note: Callable[[str], None] | None = None,
) -> None:
    """Serve the review page of ``folder`` until interrupted.

    Args:
        folder: a draft folder (with draft.json and transcript.json).
        port: the port on 127.0.0.1; 0 picks a free one.
        open_browser: open the page in the default browser.
        ready: called with the page's address once the server listens.
        note: called with a line to show where this folder is already being reviewed at another address.

    Raises:
        Video2BlogError: the folder is not a draft folder, or the port is taken.
    """
    server = ReviewServer(folder, port)
    if ready:
        ready(server.url)
    if note and server.elsewhere:
        note(
            f"This folder is already being reviewed at {server.elsewhere}; a Save in one window refuses"
            " one made at the same moment in the other."
        )
    with tempfile.TemporaryDirectory(prefix="video2blog-review-") as private:
        if open_browser:
            open_page(server.url, Path(private))
        try:
            server.serve()
        finally:
            with server.lock:  # a save in progress finishes before the process ends
                server.httpd.server_close()


def open_page(url: str, private: Path) -> str:
    """Open ``url`` in the default browser through a page in ``private`` (a folder only this user reads)
    that goes on to it: the browser's command line, which every user of the machine can list, then names
    that page and never the address with its token. Returns what the browser was given."""
    import webbrowser

    page = private / "open-review.html"
    link = html.escape(url)
    page.write_text(
        f'<!doctype html><meta charset="utf-8"><meta http-equiv="refresh" content="0;url={link}">'
        f'<title>video2blog review</title><a href="{link}">video2blog review</a>\n',
        encoding="utf-8",
    )
    page.chmod(0o600)
    webbrowser.open(page.as_uri())
    return page.as_uri()


class _Listener(ThreadingHTTPServer):
    request_queue_size = BACKLOG


def _handler_for(server: ReviewServer) -> type[BaseHTTPRequestHandler]:
    class Handler(_Handler):
        review = server

    return Handler


class _Handler(BaseHTTPRequestHandler):
    review: ReviewServer
    server_version = "video2blog-review"
    sys_version = ""
    timeout = READ_TIMEOUT

    def log_message(self, format: str, *args: object) -> None:
        log.debug("%s %s", self.address_string(), format % args)

    def do_GET(self) -> None:
        rest = self._checked(write=False)
        if rest is None:
            return
        if rest == "" and not urllib.parse.urlsplit(self.path).path.endswith("/"):
            # the page's links are relative to "/<token>/": without the "/" its video and Save would fail
            self._send(HTTPStatus.MOVED_PERMANENTLY, "text/plain", b"", {"Location": self.review.url})
        elif rest == "":
            self._page()
        elif rest == STATE_PATH:
            self._json(HTTPStatus.OK, {"version": store.version_of(self.review.folder)})
        elif rest.startswith(MEDIA_PREFIX):
            self._media(urllib.parse.unquote(rest[len(MEDIA_PREFIX) :]))
        else:
            self._file(urllib.parse.unquote(rest))

    def do_HEAD(self) -> None:
        self._refuse(HTTPStatus.METHOD_NOT_ALLOWED, "error_use_get")

    def do_POST(self) -> None:
        rest = self._checked(write=True)
        if rest is None:
            return
        if rest != SAVE_PATH:
            self._refuse(HTTPStatus.NOT_FOUND, "error_no_place")
            return
        self._save()

    do_PUT = do_DELETE = do_PATCH = do_HEAD

    def _checked(self, write: bool) -> str | None:
        """The path after the token, or None once the request has been refused."""
        if self.headers.get("Host", "") not in self.review.allowed_hosts():
            self._refuse(HTTPStatus.MISDIRECTED_REQUEST, "error_host")
            return None
        path = urllib.parse.urlsplit(self.path).path
        token, _, rest = path.lstrip("/").partition("/")
        if not hmac.compare_digest(token.encode(), self.review.token.encode()):
            self._refuse(HTTPStatus.FORBIDDEN, "error_token")
            return None
        origins = {f"http://{h}" for h in self.review.allowed_hosts()}
        if write and self.headers.get("Origin", "") not in origins:
            self._refuse(HTTPStatus.FORBIDDEN, "error_origin")
            return None
        return rest

    def _refuse(self, status: HTTPStatus, key: str, **values: str) -> None:
        """Refuse the request with the catalogue's ``key``, in the draft's language."""
        self._json(status, {"error": message(self.review.language, key, **values)})

    def _refuse_error(self, status: HTTPStatus, exc: Video2BlogError) -> None:
        """Refuse with ``exc``'s message (:meth:`_said`)."""
        self._json(status, {"error": self._said(exc)})

    def _said(self, exc: Video2BlogError) -> str:
        """``exc``'s message: as it is in English; in another language its catalogue message, or, for an
        error the catalogue does not word, a line saying the reason is in the terminal (logged)."""
        if exc.key:
            return message(self.review.language, exc.key, **exc.values)
        if self.review.language != "en":
            log.error("%s", exc)
        return message(self.review.language, "error_other", detail=str(exc))

    def _headers(
        self, status: HTTPStatus, kind: str, length: int, extra: dict[str, str] | None = None
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(length))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("X-Frame-Options", "DENY")
        for key, value in (extra or {}).items():
            self.send_header(key, value)
        self.end_headers()

    def _send(self, status: HTTPStatus, kind: str, body: bytes, extra: dict[str, str] | None = None) -> None:
        try:
            self._headers(status, kind, len(body), extra)
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):  # the tab closed before the reply: nothing to tell
            log.debug("%s went before its reply", self.address_string())

    def _json(self, status: HTTPStatus, value: object) -> None:
        self._send(status, "application/json", json.dumps(value, ensure_ascii=False).encode("utf-8"))

    def _page(self) -> None:
        review = self.review
        try:
            with review.lock:  # loading finishes an interrupted save: never while a save is under way
                loaded = store.load(review.folder)
            editing: dict[str, object] = {"version": loaded.version, "save": SAVE_PATH, "state": STATE_PATH}
            sites, drafts = published_sites(review.folder)
            editing["published"] = ", ".join(sites)  # the page says the slug stays
            editing["drafted"] = bool(sites) and set(sites) <= set(drafts)  # ... and why: no links yet
            partial = review.partial
            if partial and loaded.version == partial[2]:  # the load finished a save a locked file stopped
                made = [{"op": e.op, "text": e.text} for e in partial[1]]
                editing["finished"] = {"version": partial[0], "edits": made}
            body = store.render_page(loaded, editing, review.media_href())
        except Video2BlogError as exc:  # a page, not JSON: it is what the editor's browser shows
            page = ERROR_PAGE.format(lang=review.language, text=html.escape(self._said(exc)))
            self._send(HTTPStatus.INTERNAL_SERVER_ERROR, "text/html; charset=utf-8", page.encode("utf-8"))
            return
        review.language = loaded.draft.language
        self._send(HTTPStatus.OK, "text/html; charset=utf-8", body, {"Content-Security-Policy": PAGE_POLICY})

    def _save(self) -> None:
        if self.headers.get_content_type() != "application/json":
            self._refuse(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, "error_json_only")
            return
        length = _length(self.headers.get("Content-Length", ""))
        if length is None:
            self._refuse(HTTPStatus.BAD_REQUEST, "error_length")
            return
        if not 0 < length <= MAX_BODY:
            self._refuse(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "error_size")
            return
        try:
            body = json.loads(self.rfile.read(length))
            edits = [edit_from_dict(e) for e in body["edits"]]
            version = str(body["version"])
        except RecursionError:  # JSON nested deeper than the parser goes
            self._refuse(HTTPStatus.BAD_REQUEST, "error_nested")
            return
        except (ValueError, KeyError, TypeError, OverflowError) as exc:
            self._refuse(HTTPStatus.BAD_REQUEST, "error_not_request", detail=str(exc)[:200])
            return
        except Video2BlogError as exc:  # an edit of no known shape
            self._refuse_error(HTTPStatus.BAD_REQUEST, exc)
            return
        # The reply is sent under the lock too: a server stopped (Ctrl-C) mid-save waits for the lock, so
        # the page hears what became of its save rather than "cannot be reached" for a save that was made.
        with self.review.lock:
            self._save_edits(edits, version)

    def _save_edits(self, edits: list[Edit], version: str) -> None:
        review = self.review
        partial = review.partial
        finishing = partial[2] if partial and partial[:2] == (version, edits) else ""  # the same save again
        try:
            published, drafts = published_sites(review.folder)
            saved = store.save(review.folder, edits, version, review.media_link, finishing, published, drafts)
        except store.PartlySaved as exc:
            review.partial = (version, edits, exc.finishing)
            self._refuse_error(HTTPStatus.CONFLICT, exc)
            return
        except store.ConflictError as exc:
            self._refuse_error(HTTPStatus.CONFLICT, exc)
            return
        except (ValueError, KeyError, TypeError, OverflowError) as exc:  # an edit that fits no draft
            self._refuse(HTTPStatus.BAD_REQUEST, "error_not_request", detail=str(exc)[:200])
            return
        except Video2BlogError as exc:
            self._refuse_error(HTTPStatus.BAD_REQUEST, exc)
            return
        review.partial = None
        self._json(HTTPStatus.OK, asdict(saved))

    def _file(self, name: str) -> None:
        path = _inside(self.review.folder, name)
        if path is None:
            self._refuse(HTTPStatus.NOT_FOUND, "error_not_file")
            return
        self._stream(path)

    def _media(self, name: str) -> None:
        media = self.review.media
        if media is None or name != media.name or not media.is_file():
            self._refuse(HTTPStatus.NOT_FOUND, "error_not_media")
            return
        self._stream(media)

    def _stream(self, path: Path) -> None:
        size = path.stat().st_size
        kind = _TYPES.get(path.suffix.lower(), "application/octet-stream")
        first, last = _byte_range(self.headers.get("Range", ""), size)
        if first > last and size:
            unsatisfiable = {"Content-Range": f"bytes */{size}"}
            self._headers(HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE, kind, 0, unsatisfiable)
            return
        partial = bool(self.headers.get("Range"))
        extra = {"Accept-Ranges": "bytes", "Content-Security-Policy": FILE_POLICY}
        if partial:
            extra["Content-Range"] = f"bytes {first}-{last}/{size}"
        status = HTTPStatus.PARTIAL_CONTENT if partial else HTTPStatus.OK
        self._headers(status, kind, max(0, last - first + 1), extra)
        with path.open("rb") as fh:
            fh.seek(first)
            _copy(fh, self.wfile, last - first + 1)


def _length(header: str) -> int | None:
    """The Content-Length header's number (0 where there is none), or None where it is not one."""
    text = header.strip() or "0"
    return int(text) if text.isascii() and text.isdigit() else None


def _copy(source: object, target: object, count: int) -> None:
    remaining = count
    while remaining > 0:
        chunk = source.read(min(CHUNK, remaining))  # type: ignore[attr-defined]
        if not chunk:
            break
        try:
            target.write(chunk)  # type: ignore[attr-defined]
        except (BrokenPipeError, ConnectionResetError):  # the player seeks elsewhere and hangs up
            return
        remaining -= len(chunk)


def _byte_range(header: str, size: int) -> tuple[int, int]:
    """The (first, last) bytes asked for (inclusive): the whole file without a Range header."""
    match = _RANGE.match(header.strip())
    if not match or not (match.group(1) or match.group(2)):
        return 0, size - 1
    start, end = match.groups()
    if not start:  # "bytes=-N": the last N bytes
        return max(0, size - int(end)), size - 1
    return int(start), min(int(end), size - 1) if end else size - 1


def _inside(folder: Path, name: str) -> Path | None:
    """``folder/name`` if it is a plain file inside ``folder`` once links are followed, not hidden."""
    parts = Path(name).parts
    if not parts or any(p.startswith(".") or p in ("..", "/") for p in parts) or "\0" in name:
        return None
    path = inside(folder, folder / name)  # ``folder`` is resolved (ReviewServer)
    if path is None:
        return None
    hidden = any(p.startswith(".") for p in path.relative_to(folder).parts)  # a link to .journal
    return path if path.is_file() and not hidden else None
