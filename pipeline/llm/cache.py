"""Replies cached by (model, prompt version, prompt), so a redraft or a batch re-run asks nothing again."""

from __future__ import annotations

import contextlib
import hashlib
import json
from pathlib import Path

from video2blog.pipeline.llm.client import Reply
from video2blog.pipeline.output import atomic_write

CACHE_FOLDER = "llm"


def reply_key(model: str, endpoint: str, prompt_version: str, messages: list[dict[str, str]]) -> str:
    """The cache key of one request. An unnamed model is the endpoint's own, so the endpoint counts."""
    settings = {"model": model, "endpoint": "" if model else endpoint, "v": prompt_version, "m": messages}
    return hashlib.sha256(json.dumps(settings, sort_keys=True).encode("utf-8")).hexdigest()


class ReplyCache:
    """Replies as small JSON files under ``<cache_dir>/llm/``; ``cache_dir`` None caches nothing."""

    def __init__(self, cache_dir: Path | None) -> None:
        self.folder = cache_dir / CACHE_FOLDER if cache_dir is not None else None

    def get(self, key: str) -> Reply | None:
        """The cached reply, or None when absent or unreadable."""
        if self.folder is None:
            return None
        try:
            data = json.loads((self.folder / f"{key}.json").read_text(encoding="utf-8"))
            return Reply(str(data["text"]), str(data.get("model", "")))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def put(self, key: str, reply: Reply) -> None:
        """Keep a reply; a cache that cannot be written is skipped (it only saves time)."""
        if self.folder is None:
            return
        data = json.dumps({"text": reply.text, "model": reply.model}, ensure_ascii=False).encode("utf-8")
        with contextlib.suppress(OSError):
            self.folder.mkdir(parents=True, exist_ok=True)
            atomic_write(self.folder / f"{key}.json", data)
