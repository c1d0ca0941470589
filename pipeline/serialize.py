"""The JSON boundary: transcripts and drafts to and from plain dicts."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from video2blog.pipeline.schema import (
    Correction,
    Draft,
    HeadingSuggestion,
    Paragraph,
    Removal,
    Section,
    Sentence,
    Source,
    Transcript,
    Word,
)


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


def draft_from_dict(data: dict[str, Any]) -> Draft:
    """A draft from its JSON form (``draft.json``), as :func:`draft_to_dict` wrote it.

    Raises:
        KeyError, TypeError, ValueError: the data is not a draft.
    """
    return Draft(
        title=str(data["title"]),
        slug=str(data["slug"]),
        description=str(data.get("description", "")),
        date=str(data.get("date", "")),
        source=Source(**data["source"]),
        sections=tuple(_section_from_dict(s) for s in data["sections"]),
        keywords=tuple(str(k) for k in data.get("keywords", ())),
        removals=tuple(Removal(**r) for r in data.get("removals", ())),
        corrections=tuple(
            Correction(**{**c, "words": _span(c["words"])}) for c in data.get("corrections", ())
        ),
        engine=str(data.get("engine", "")),
        model=str(data.get("model", "")),
    )


def _section_from_dict(data: dict[str, Any]) -> Section:
    heading_words = data.get("heading_words")
    return Section(
        heading=str(data["heading"]),
        heading_source=data["heading_source"],
        start=float(data["start"]),
        end=float(data["end"]),
        paragraphs=tuple(Paragraph(**{**p, "words": _span(p["words"])}) for p in data["paragraphs"]),
        heading_words=_span(heading_words) if heading_words else None,
        suggestions=tuple(HeadingSuggestion(**s) for s in data.get("suggestions", ())),
        image=str(data.get("image", "")),
    )


def _span(value: Any) -> tuple[int, int]:
    first, last = value
    return int(first), int(last)
