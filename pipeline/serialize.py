"""The JSON boundary: transcripts and drafts to and from plain dicts."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from video2blog.pipeline.schema import Draft, Sentence, Transcript, Word


def to_json(value: object) -> bytes:
    """Indented UTF-8 JSON with a final newline."""
    return (json.dumps(value, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def draft_to_dict(draft: Draft) -> dict[str, Any]:
    """The JSON form of a draft (``draft.json``)."""
    data = asdict(draft)
    data.pop("extra", None)
    data["generator"] = "video2blog"
    return data


def transcript_to_dict(transcript: Transcript) -> dict[str, Any]:
    """The JSON form of a transcript (``transcript.json``)."""
    return {
        "engine": transcript.engine,
        "model": transcript.model,
        "language": transcript.language,
        "duration": transcript.duration,
        "words": [asdict(w) for w in transcript.words],
        "sentences": [asdict(s) for s in transcript.sentences],
    }


def transcript_from_dict(data: dict[str, Any]) -> Transcript:
    """A transcript from its JSON form.

    Raises:
        KeyError, TypeError, ValueError: the data is not a transcript.
    """
    words = tuple(
        Word(str(w["text"]), float(w["start"]), float(w["end"]), float(w.get("probability", 1.0)))
        for w in data["words"]
    )
    sentences = tuple(
        Sentence(str(s["text"]), float(s["start"]), float(s["end"]), (int(s["words"][0]), int(s["words"][1])))
        for s in data.get("sentences", [])
    )
    return Transcript(
        words=words,
        sentences=sentences,
        language=str(data.get("language", "en")),
        duration=float(data.get("duration", 0.0)),
        engine=str(data.get("engine", "")),
        model=str(data.get("model", "")),
    )
