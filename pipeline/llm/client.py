"""A small client for OpenAI-compatible chat endpoints (/v1/chat/completions), stdlib only.

Timeouts bound every request and the whole draft, each a total time for the answer, however slowly
the server sends it (:func:`video2blog.pipeline.net.fetch`); a redirect to another address is not
followed (the API key stays where the user sent it). Connection failures, rate limits (429) and
server errors (5xx) are retried with exponential backoff (a timeout is not: the server is still
busy with the request). Whatever goes wrong ends in
:class:`LlmUnavailable`, which the caller turns into one warning and the classical draft.
"""

from __future__ import annotations

import http.client
import json
import logging
import time
import urllib.request
from dataclasses import dataclass
from email.message import Message
from urllib.parse import urlsplit, urlunsplit

from video2blog.pipeline import net

log = logging.getLogger(__name__)

RETRY_STATUS = frozenset({408, 409, 425, 429, 500, 502, 503, 504})
BACKOFF_S = 0.5
MAX_BACKOFF_S = 8.0
MAX_REPLY_BYTES = 1 << 20


class LlmUnavailable(Exception):
    """The endpoint is down, slow, refuses us or answers junk; the message says which, in a few words."""


@dataclass(frozen=True)
class Reply:
    """The text of the first choice and the model the server says answered."""

    text: str
    model: str


class Deadline:
    """The time left for one draft's requests."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.end = time.monotonic() + seconds

    def left(self) -> float:
        return self.end - time.monotonic()


def api_base(url: str) -> str:
    """The API base: ``url`` with ``/v1`` added when it has no path (``http://localhost:11434``)."""
    parts = urlsplit(url.rstrip("/"))
    path = parts.path if parts.path not in ("", "/") else "/v1"
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


class ChatClient:
    """Chat completions from one endpoint and model.

    Args:
        url: the API base, e.g. ``http://localhost:11434/v1``.
        model: the model name ("" leaves it to the server, as llama.cpp's does).
        api_key: sent as a bearer token when set.
        timeout: seconds for one request.
        retries: further tries after a failure that may pass (refused, timeout, 429, 5xx).
    """

    def __init__(
        self, url: str, model: str = "", api_key: str = "", timeout: float = 120.0, retries: int = 2
    ) -> None:
        self.endpoint = api_base(url) + "/chat/completions"
        self.model, self.api_key, self.timeout, self.retries = model, api_key, timeout, retries

    def complete(self, messages: list[dict[str, str]], max_tokens: int, deadline: Deadline) -> Reply:
        """The model's reply to ``messages``.

        Raises:
            LlmUnavailable: every try failed, the deadline passed, or the reply is not a chat completion.
        """
        body = {"messages": messages, "max_tokens": max_tokens, "temperature": 0.0, "stream": False}
        if self.model:
            body["model"] = self.model
        data = json.dumps(body).encode("utf-8")
        for attempt in range(self.retries + 1):
            try:
                return parse_reply(self._post(data, deadline))
            except _Retryable as exc:
                wait = min(exc.wait or BACKOFF_S * 2**attempt, MAX_BACKOFF_S)
                if attempt == self.retries or deadline.left() < wait + 1:
                    raise LlmUnavailable(exc.reason) from exc
                log.info("language model: %s; trying again in %.1f s", exc.reason, wait)
                time.sleep(wait)
        raise AssertionError("unreachable")

    def _post(self, data: bytes, deadline: Deadline) -> bytes:
        timeout = min(self.timeout, deadline.left())
        if timeout <= 0:
            raise LlmUnavailable(f"no answer within the {deadline.seconds:g} s allowed per draft")
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        request = urllib.request.Request(self.endpoint, data=data, headers=headers, method="POST")
        late = (
            f"no answer within {timeout:.0f} s"
            if timeout == self.timeout
            else f"no answer within the {deadline.seconds:g} s allowed per draft"
        )
        try:
            answer = net.fetch(request, timeout, MAX_REPLY_BYTES)
        except net.DeadlineExceeded as exc:  # not retried: a slow server is still busy with the request
            raise LlmUnavailable(late) from exc
        except net.RedirectRefused as exc:
            raise LlmUnavailable(f"redirected to another address, {exc.location} (check --llm)") from exc
        except http.client.HTTPException as exc:  # closed mid-answer, or not an HTTP server at all
            raise _Retryable(f"bad HTTP answer ({type(exc).__name__})") from exc
        except OSError as exc:
            raise _Retryable(f"cannot connect ({getattr(exc, 'reason', exc)})") from exc
        if answer.status >= 400:
            raise _http_failure(answer)
        return answer.body


class _Retryable(Exception):
    def __init__(self, reason: str, wait: float = 0.0) -> None:
        super().__init__(reason)
        self.reason, self.wait = reason, wait


def _http_failure(answer: net.Answer) -> Exception:
    reason = f"HTTP {answer.status} {answer.reason}".strip()
    if answer.status in RETRY_STATUS:
        return _Retryable(reason, _retry_after(answer.headers))
    hint = " (check the API key variable)" if answer.status in (401, 403) else ""
    hint = " (check --llm and --llm-model)" if answer.status == 404 else hint
    return LlmUnavailable(reason + hint)


def _retry_after(headers: Message | None) -> float:
    value = headers.get("Retry-After", "") if headers is not None else ""
    try:
        return max(0.0, float(value))
    except ValueError:
        return 0.0


def parse_reply(raw: bytes) -> Reply:
    """The first choice's text from a chat-completion response body.

    Raises:
        LlmUnavailable: the body is not a chat completion.
    """
    try:
        data = json.loads(raw.decode("utf-8"))  # a nesting too deep is a RecursionError
        text = data["choices"][0]["message"]["content"]
        if not isinstance(text, str):
            raise TypeError("content is not text")
        return Reply(text, str(data.get("model", "")))
    except (ValueError, KeyError, IndexError, TypeError, AttributeError, RecursionError) as exc:
        raise LlmUnavailable(f"the answer is not a chat completion ({type(exc).__name__})") from exc
