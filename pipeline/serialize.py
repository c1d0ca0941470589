"""The JSON boundary: transcripts and drafts to and from plain dicts."""

from __future__ import annotations

import json
import math
import os
import re
import unicodedata
from dataclasses import asdict
from pathlib import Path
from typing import Any

from video2blog.pipeline.errors import OutputError
from video2blog.pipeline.schema import (
    Claim,
    Correction,
    Draft,
    HeadingSuggestion,
    LlmRecord,
    LlmSuggestion,
    Paragraph,
    RelatedPost,
    Removal,
    ScreenText,
    Section,
    Sentence,
    Source,
    Transcript,
    Word,
)

# The longest media a transcript's times may reach where it states no duration (a week).
MAX_MEDIA_SECONDS = 7 * 24 * 3600.0
# How far past the stated duration a word may end (a recogniser's last word overhangs a little).
END_SLACK_SECONDS = 1.0


def to_json(value: object) -> bytes:
    """Indented UTF-8 JSON with a final newline; valid JSON always (no Infinity or NaN).

    Raises:
        OutputError: the value holds a number that is not finite.
    """
    try:
        text = json.dumps(value, indent=2, ensure_ascii=False, allow_nan=False)
    except ValueError as exc:
        why = "cannot write JSON holding a number that is not finite (infinity or NaN)"
        raise OutputError(f"{why}; check the times and durations of the input ({exc})") from exc
    return (text + "\n").encode("utf-8")


def path_text(path: Path | str) -> str:
    """``path`` as text a JSON or CSV file can hold, each byte of its name that is not UTF-8 written
    ``\\xNN``: a name from an SD card or an old archive may hold Latin-1 bytes, which Python keeps as lone
    surrogates that UTF-8 cannot encode. Unlike :func:`~video2blog.pipeline.ingest.media.display_path`'s
    U+FFFD, two such names stay apart, and a reader can still tell which file it was."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


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
        "words": [_word_dict(w) for w in transcript.words],
        "sentences": [asdict(s) for s in transcript.sentences],
        **({"notes": list(transcript.notes)} if transcript.notes else {}),
    }


def _word_dict(word: Word) -> dict[str, Any]:
    """A word's JSON form; a pitch not measured is left out."""
    return {k: v for k, v in asdict(word).items() if k not in _PITCH or v is not None}


def _number(value: Any) -> float | None:
    return None if value is None else float(value)


def transcript_from_dict(data: dict[str, Any]) -> Transcript:
    """A transcript from its JSON form.

    Raises:
        KeyError, TypeError, ValueError: the data is not a transcript.
    """
    words = tuple(
        Word(
            str(w["text"]),
            float(w["start"]),
            float(w["end"]),
            float(w.get("probability", 1.0)),
            _number(w.get("pitch")),
            _number(w.get("rise")),
        )
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
        notes=_notes(data.get("notes")),
    )


def transcript_time_error(transcript: Transcript, ordered: bool = True) -> str | None:
    """What is wrong with a transcript's times, naming the field; None if nothing.

    The duration must be a finite length, and every word's and sentence's start and end a finite
    time inside the media: from 0 to the duration (a little past it, see :data:`END_SLACK_SECONDS`),
    or to :data:`MAX_MEDIA_SECONDS` where the duration is not known (0), the start no later than the end.
    With ``ordered``, each word starts no earlier than the word before (words out of order draft as
    gibberish); captions' words need not (cues of two speakers may overlap).
    """
    duration = transcript.duration
    if not (math.isfinite(duration) and 0 <= duration <= MAX_MEDIA_SECONDS):
        return f"duration is {duration:g}, not a length of media (0 to {MAX_MEDIA_SECONDS:g} seconds)"
    limit = duration + END_SLACK_SECONDS if duration > 0 else MAX_MEDIA_SECONDS
    spans: tuple[tuple[str, tuple[Word | Sentence, ...]], ...] = (
        ("words", transcript.words),
        ("sentences", transcript.sentences),
    )
    for name, items in spans:
        for i, item in enumerate(items):
            for key in ("start", "end"):
                value = getattr(item, key)
                if not (math.isfinite(value) and 0 <= value <= limit):
                    return f"{name}[{i}].{key} is {value:g}, outside the media ({_media_span(duration)})"
            if item.start > item.end:
                return f"{name}[{i}].start is {item.start:g}, after its end {item.end:g}"
    words = transcript.words
    for i in range(1, len(words) if ordered else 0):
        if words[i].start < words[i - 1].start:
            return f"words[{i}] starts before words[{i - 1}] ({words[i].start:g} s, {words[i - 1].start:g} s)"
    return None


def _media_span(duration: float) -> str:
    """The times a transcript's words may take, as its error says them: the duration it states (not the
    slack past it, which would read as another length), else the week allowed where it states none."""
    if duration > 0:
        return f"0 to its duration, {duration:g} s, and {END_SLACK_SECONDS:g} s past it"
    return f"0 to {MAX_MEDIA_SECONDS:g} seconds, as it states no duration"


def _notes(notes: object) -> tuple[str, ...]:
    """A transcript's or a draft's notes: a list of lines (anything else, as an editor may leave it,
    is none)."""
    return tuple(n for n in notes if isinstance(n, str)) if isinstance(notes, list) else ()


# Removal reasons as earlier versions wrote them in draft.json (English text), where not already the key.
_OLD_REMOVAL_REASONS = {"false start": "false_start", "merged into correction": "merged"}


def removal_reason(reason: object) -> str:
    """A removal's reason key (:data:`~video2blog.pipeline.schema.REMOVAL_REASONS`) from draft.json, where
    older versions wrote English text ("merged into correction"); a reason no version wrote stays as it is."""
    text = str(reason)
    return _OLD_REMOVAL_REASONS.get(text, text)


def draft_from_dict(data: dict[str, Any]) -> Draft:
    """A draft from its JSON form (``draft.json``), as :func:`draft_to_dict` wrote it.

    Raises:
        KeyError, TypeError, ValueError: the data is not a draft.
    """
    return Draft(
        title=str(data["title"]),
        slug=slug_of(data["slug"]),
        description=str(data.get("description", "")),
        date=str(data.get("date", "")),
        source=Source(**data["source"]),
        sections=tuple(_section_from_dict(s) for s in data["sections"]),
        keywords=tuple(str(k) for k in data.get("keywords", ())),
        removals=tuple(
            Removal(**{**r, "reason": removal_reason(r["reason"])}) for r in data.get("removals", ())
        ),
        corrections=tuple(
            Correction(**{**c, "words": _span(c["words"])}) for c in data.get("corrections", ())
        ),
        glossary_not_found=tuple(str(t) for t in data.get("glossary_not_found", ())),
        engine=str(data.get("engine", "")),
        model=str(data.get("model", "")),
        claims=tuple(Claim(**{**c, "words": _span(c.get("words", (0, 0)))}) for c in data.get("claims", ())),
        related=tuple(_related_from_dict(r) for r in data.get("related", ())),
        screen_text=tuple(screen_text_from_dict(t) for t in data.get("screen_text", ())),
        cuts=tuple(float(c) for c in data.get("cuts", ())),
        byline=str(data.get("byline", "")),
        language=str(data.get("language", "en")),
        llm=_llm_from_dict(data["llm"]) if data.get("llm") else None,
        notes=_notes(data.get("notes")),
    )


def _llm_from_dict(data: dict[str, Any]) -> LlmRecord:
    """The record of the language model's suggestions (``--llm``), kept through a Save."""
    suggestions = tuple(LlmSuggestion(**s) for s in data.get("suggestions", ()))
    return LlmRecord(**{**data, "suggestions": suggestions})


def screen_text_from_dict(data: dict[str, Any]) -> ScreenText:
    """A :class:`ScreenText` from its JSON form (draft.json, the on-screen text cache)."""
    x0, y0, x1, y1 = (float(v) for v in data["box"])
    return ScreenText(
        str(data["text"]),
        float(data["start"]),
        float(data["end"]),
        float(data["confidence"]),
        (x0, y0, x1, y1),
        bool(data.get("persistent", False)),
        bool(data.get("caption", False)),
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
        image=still_path(str(data.get("image", ""))),
        lead=bool(data.get("lead", False)),
    )


# What a draft folder's names may be: a still as video2blog names one, a post's slug. A draft.json may come
# from anyone, and these go into links of every output (post.md, post.docx, a Jekyll site's Liquid).
STILL = re.compile(r"images/[A-Za-z0-9][A-Za-z0-9._-]*\.(?:jpe?g|png|webp)")
# Characters an address never needs as written and that end a Markdown link or a Liquid string.
_NOT_IN_LINK = re.compile(r"[\s()<>\"'{}\\\x00-\x1f\x7f]")


def still_path(path: str) -> str:
    """A section's still as a draft folder names it (``images/NN-name.jpg``), or "" for any other path: a
    still is read into post.docx and sent to a site, so a path out of the folder ("/home/jane/patient.jpg",
    "../x") would send another file, and a name with markup would end up in post.md's links."""
    return path if STILL.fullmatch(path) and ".." not in path else ""


def web_link(url: str) -> str:
    """``url`` where it is a web address (http, https) or a path on the site ("/slug/") written plainly,
    else "": a link from a folder's files (a related post's address) never runs script ("javascript:...")
    nor carries markup out of its link (a space, a bracket or a quote)."""
    plain = not _NOT_IN_LINK.search(url)
    return url if plain and (url.lower().startswith(("https://", "http://")) or url.startswith("/")) else ""


def slug_of(value: object) -> str:
    """A post's slug as a draft records it.

    Raises:
        ValueError: it is no slug (letters, digits, "-" and "_"): it would go into every link to the post.
    """
    slug = str(value)
    if not slug[:1].isalnum() or not all(c in "-_" or c.isalnum() or _vowel_sign(c) for c in slug):
        raise ValueError(f"the slug {slug!r} is not one (letters, digits, - and _)")
    return slug


def _vowel_sign(char: str) -> bool:
    """A mark a letter of another script carries in a slug (Devanagari's "ि", Thai's vowels)."""
    return unicodedata.category(char) in ("Mn", "Mc")


def _related_from_dict(data: dict[str, Any]) -> RelatedPost:
    return RelatedPost(
        title=str(data["title"]),
        slug=slug_of(data["slug"]),
        folder=str(data["folder"]),
        teaser=str(data.get("teaser", "")),
        url=web_link(str(data.get("url", ""))),
    )


def _span(value: Any) -> tuple[int, int]:
    first, last = value
    return int(first), int(last)


_PITCH = ("pitch", "rise")
_PITCH_NAMES = {"pitch": "a pitch in Hz (above 0)", "rise": "a finite number of semitones"}
_WORD_FIELDS = {
    "text": str,
    "start": float,
    "end": float,
    "probability": float,
    "pitch": float,
    "rise": float,
}
_SENTENCE_FIELDS = {"text": str, "start": float, "end": float, "words": list}
_OPTIONAL = {"probability", *_PITCH}


def transcript_shape_error(data: object) -> str | None:
    """What is wrong with the shape of a transcript's JSON form, naming the field; None if nothing.

    Checks what :func:`transcript_from_dict` relies on, so that a wrong file gets a line such
    as ``words[3].start is "soon", not a number`` rather than Python's own message.
    """
    if not isinstance(data, dict):
        return f'the file holds {_kind(data)}, not an object with a "words" list'
    if "words" not in data:
        return 'it has no "words" list'
    problem = _list_error("words", data["words"], _WORD_FIELDS)
    if problem is None and "sentences" in data:
        problem = _list_error("sentences", data["sentences"], _SENTENCE_FIELDS)
    if problem is None:
        problem = _scalar_error(data)
    return problem


def _list_error(name: str, items: object, wanted: dict[str, type]) -> str | None:
    if not isinstance(items, list):
        return f'"{name}" is {_kind(items)}, not a list'
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            return f"{name}[{i}] is {_kind(item)}, not an object"
        for key, kind in wanted.items():
            if key not in item:
                if key in _OPTIONAL:
                    continue
                return f'{name}[{i}] has no "{key}"'
            if key in _PITCH and item[key] is None:
                continue  # not heard
            if not _is(item[key], kind):
                return f"{name}[{i}].{key} is {_kind(item[key])}, not {_KIND_NAMES[kind]}"
            if key in _PITCH and not _pitch_ok(key, item[key]):
                return f"{name}[{i}].{key} is {_kind(item[key])}, not {_PITCH_NAMES[key]}"
        if name == "sentences" and not _is_pair(item["words"]):
            return f"{name}[{i}].words is not a pair of word indices [first, last]"
    return None


def _scalar_error(data: dict[str, Any]) -> str | None:
    if "duration" in data and not _is(data["duration"], float):
        return f"duration is {_kind(data['duration'])}, not a number"
    for key in ("language", "engine", "model"):
        if data.get(key) is not None and not isinstance(data[key], str):
            return f"{key} is {_kind(data[key])}, not a string"
    return None


_KIND_NAMES = {str: "a string", float: "a number", list: "a list"}


def _is(value: object, kind: type) -> bool:
    if kind is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool) and value == value
    return isinstance(value, kind)


def _pitch_ok(key: str, value: float) -> bool:
    return math.isfinite(value) and (key != "pitch" or value > 0)


def _is_pair(value: object) -> bool:
    return isinstance(value, list) and len(value) == 2 and all(isinstance(v, int) and v >= 0 for v in value)


def _kind(value: object) -> str:
    """A value as an error message names it: ``"soon"``, ``12``, a list, an object, null."""
    if value is None:
        return "null"
    if isinstance(value, (dict, list)):
        return "an object" if isinstance(value, dict) else "a list"
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 40 else text[:37] + '..."'
