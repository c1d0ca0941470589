"""The options of the language-model suggestions, built by the CLI."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from video2blog.pipeline.errors import UsageError
from video2blog.pipeline.net import host_of, in_clear

Mode = Literal["use", "suggest"]
MODES: tuple[Mode, ...] = ("use", "suggest")


@dataclass(frozen=True)
class LlmOptions:
    """Where the OpenAI-compatible endpoint is and how far to trust and wait for it.

    ``url`` is the API base (``http://localhost:11434/v1``); ``model`` "" lets the server choose;
    ``mode`` "use" puts the best clean suggestion in the draft, "suggest" only offers them;
    ``boundaries`` lets the model choose among the sectioner's candidate boundaries;
    ``cache_dir`` None asks every time. ``api_key`` is never written anywhere, and goes over plain
    http:// only to this machine unless ``allow_http`` (--allow-http), as publish's password does.
    """

    url: str
    model: str = ""
    mode: Mode = "use"
    boundaries: bool = False
    clinic: str = ""
    api_key: str = field(default="", repr=False)
    cache_dir: Path | None = None
    request_timeout: float = 120.0
    draft_timeout: float = 600.0
    retries: int = 2
    max_requests: int = 24
    allow_http: bool = False

    def __post_init__(self) -> None:
        check_url(self.url)
        if self.api_key and not self.allow_http and in_clear(self.url):
            raise UsageError(
                f"--llm http://{host_of(self.url)}/... is plain http://, which would send the API key "
                "unencrypted; give the endpoint's https:// address, or --allow-http to send it in clear"
            )
        if self.mode not in MODES:
            raise UsageError(f"--llm-mode {self.mode!r} is not one of: {', '.join(MODES)}")

    @property
    def host(self) -> str:
        """The endpoint's host and port, without credentials or path (what draft.json records)."""
        return host_of(self.url)


def check_url(url: str) -> None:
    """Raise UsageError unless ``url`` is an http(s) URL with a host (and a port there can be)."""
    example = "e.g. http://localhost:11434/v1 (Ollama) or http://127.0.0.1:8080/v1 (llama.cpp)"
    try:
        parts = urlsplit(url)
    except ValueError:  # "http://[::1" cannot be split
        parts = urlsplit("")
    try:
        port_ok = parts.port is None or parts.port > 0
    except ValueError:  # "http://h:99999"
        port_ok = False
    if parts.scheme not in ("http", "https") or not parts.hostname:
        why = "is not an http(s) URL; give the OpenAI-compatible API's base"
        raise UsageError(f"--llm {url!r} {why}, {example}")
    if not port_ok:
        raise UsageError(f"--llm {url!r} names no port there can be (1 to 65535); {example}")
