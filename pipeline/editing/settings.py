"""How a draft is rendered, kept with it: one :class:`RenderContext` for the draft command, the review
server and a save.

``video2blog draft`` writes the settings it was given (``--formats``, ``--template-dir``,
``--front-matter``, ``--medical``, ``--engine``, ``--model``, ``--claims-file`` and the rest of
:class:`RenderSettings`) into the draft folder's ``settings.json`` and the clinic's glossary
(``--glossary``, with any terms the folder already had) into its ``glossary.txt``. The review page, a
save and a later redraft read both back, so the files a save writes are the ones the draft command
wrote, plus the edits, and the words flagged for checking are the same everywhere.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path

from video2blog.pipeline.editing.edits import GLOSSARY_FILE
from video2blog.pipeline.engines.base import ENGINES
from video2blog.pipeline.errors import InputError, UsageError
from video2blog.pipeline.ingest.transcribe import load_glossary
from video2blog.pipeline.schema import Draft, Reason, Transcript
from video2blog.pipeline.sources import folder_file
from video2blog.pipeline.text.claims import ClaimRules, parse_rules
from video2blog.pipeline.text.confidence import unsure_words
from video2blog.pipeline.textutil import data_text, distinct_terms, has_data
from video2blog.pipeline.writers.formats import DEFAULT_FORMATS, WRITERS, RenderContext

SETTINGS_FILE = "settings.json"
SETTINGS_VERSION = 1
# How a settings.json that cannot be read is written anew: a draft keeps it otherwise (it may be the user's).
REWRITE = "move it away, or draft again with --force to write it anew"


class NewerVersion(InputError):
    """A file a newer video2blog wrote: not replaced even with --force (that version reads it)."""


@dataclass(frozen=True)
class RenderSettings:
    """The draft command's choices that shape the rendered files (not the prose)."""

    formats: tuple[str, ...] = ("draft", *DEFAULT_FORMATS)
    template_dir: str = ""  # absolute; "" for the built-in templates
    front_matter: str = ""
    medical: bool = False
    # The prompt the recogniser was given (from --glossary): a redraft without --glossary gives it again,
    # so it hears the same words and the editor's edits still fit.
    hotwords: str = ""
    # The rest of the draft command's choices, so that a redraft without them drafts as this one did.
    # A settings.json written before the engine was recorded reads as the default engine's.
    engine: str = ENGINES[0]
    model: str = ""  # "" for the bundled model
    claims_file: str = ""  # absolute; "" for the built-in claim patterns only
    images: bool = True
    video_text: bool = True
    verbatim: bool = False

    @property
    def templates(self) -> Path | None:
        return Path(self.template_dir) if self.template_dir else None


def settings_json(settings: RenderSettings) -> bytes:
    """The bytes of ``settings.json``."""
    data = {"version": SETTINGS_VERSION, **asdict(settings)}
    return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def read_settings(folder: Path, check: bool = True) -> RenderSettings | None:
    """The folder's ``settings.json``; None for a folder drafted before it was written.

    Raises:
        InputError: the file is there but is not video2blog's settings (or is a newer video2blog's), or
            names a template folder that is gone (rendering with the built-in templates would silently
            lose the clinic's).
    """
    path = folder_file(folder, SETTINGS_FILE)
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        refuse_newer(data, SETTINGS_VERSION, path)  # before its fields: a newer format may have others
        if not isinstance(data, dict):
            raise TypeError(f"a JSON {type(data).__name__}, not an object")
        settings = _settings_from(data)
    except (OSError, UnicodeDecodeError, ValueError, TypeError, AttributeError, KeyError) as exc:
        why = f"no {exc}" if isinstance(exc, KeyError) else str(exc)  # a KeyError says only the key
        raise InputError(f"is not video2blog's render settings ({why}); {REWRITE}", path) from exc
    unknown = [f for f in settings.formats if f not in WRITERS]
    if unknown:
        raise InputError(f"names an unknown format {unknown[0]!r}; {REWRITE}", path)
    if settings.engine not in ENGINES:
        raise InputError(f"names an unknown engine {settings.engine!r}; {REWRITE}", path)
    if check and settings.templates is not None and not settings.templates.is_dir():
        raise InputError(
            f"names the template folder {settings.template_dir}, which is gone; put it back, or edit "
            "'template_dir' in the file (empty for the built-in templates)",
            path,
        )
    if settings.templates is not None:
        _check_templates(folder, settings.templates, path)
    return settings


def refuse_newer(data: object, known: int, path: Path) -> None:
    """Stop at a file a newer video2blog wrote (its ``version`` above ``known``): reading it as this one
    does, and saving it again, would silently lose what the newer one keeps there.

    Raises:
        InputError: naming the file and its version.
    """
    version = data.get("version") if isinstance(data, dict) else None
    if isinstance(version, int) and not isinstance(version, bool) and version > known:
        raise NewerVersion(
            f"was written by a newer video2blog (format version {version}; this one reads up to {known}); "
            "open it with that version, or upgrade video2blog",
            path,
        )


def _check_templates(folder: Path, templates: Path, path: Path) -> None:
    """Refuse a template folder this user did not make: a draft folder may come from anyone, and its
    templates write every output (a page of the review server's, a post sent to the site). Only one
    named by its whole path (as ``draft --template-dir`` writes it), outside the draft folder, owned by
    this user (or the system) and writable by no one else.

    Raises:
        InputError: naming the folder and why, and how to render with the built-in templates.
    """
    why = ""
    if not templates.is_absolute():
        why = "is not named by its whole path"
    elif templates.exists():
        real = templates.resolve()
        info = real.stat()
        if real.is_relative_to(folder.resolve()):
            why = "lies inside the draft folder, which may come from anyone"
        elif info.st_uid not in (os.getuid(), 0) or info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
            why = "belongs to another user, or others can write it"
    if why:
        raise InputError(
            f"names the template folder {templates}, which {why}; edit 'template_dir' in the file "
            "(empty for the built-in templates) or draft again with --template-dir",
            path,
        )


def _settings_from(data: dict) -> RenderSettings:
    return RenderSettings(
        formats=tuple(str(f) for f in data["formats"]),
        template_dir=str(data.get("template_dir") or ""),
        front_matter=str(data.get("front_matter") or ""),
        medical=data.get("medical") is True,
        hotwords=str(data.get("hotwords") or ""),
        engine=str(data.get("engine") or ENGINES[0]),
        model=str(data.get("model") or ""),
        claims_file=str(data.get("claims_file") or ""),
        images=data.get("images") is not False,
        video_text=data.get("video_text") is not False,
        verbatim=data.get("verbatim") is True,
    )


def read_folder_glossary(folder: Path) -> tuple[str, ...]:
    """The draft's glossary (``glossary.txt``), read by the same strict reader as ``--glossary``.

    Raises:
        InputError: it leads outside the folder (its lines would go to a language model, and into the folder).
    """
    path = folder_file(folder, GLOSSARY_FILE)
    return load_glossary(path) if path.exists() else ()


def merged_terms(*lists: Sequence[str]) -> tuple[str, ...]:
    """The terms of several glossaries, each once (case aside: the first spelling), in order."""
    return distinct_terms(t for terms in lists for t in terms)


def glossary_bytes(terms: Sequence[str]) -> bytes:
    return "".join(f"{t}\n" for t in terms).encode("utf-8")


def render_context(
    draft: Draft,
    transcript: Transcript,
    settings: RenderSettings,
    glossary: Sequence[str],
    out_dir: Path | None,
    media_href: str | None = None,
    editing: dict[str, object] | None = None,
) -> RenderContext:
    """The one way a draft's files are rendered: its settings, and the words its glossary flags."""
    unsure: Mapping[int, tuple[Reason, ...]] = unsure_words(transcript, glossary)
    return RenderContext(
        draft,
        transcript,
        template_dir=settings.templates,
        out_dir=out_dir,
        unsure=unsure,
        media_href=media_href,
        editing=editing,
        front_matter=settings.front_matter,
        medical=settings.medical,
        captions="vtt" in settings.formats,
    )


CLAIMS_FILE = "claims.txt"  # in pipeline/data/; a language's own: claims-<code>.txt


@lru_cache(maxsize=4)
def builtin_claim_rules(language: str = "en") -> ClaimRules:
    """The claim patterns video2blog ships for ``language`` (``pipeline/data/claims-<code>.txt``;
    English, ``claims.txt``, for a language with none of its own)."""
    name = f"claims-{language}.txt"
    name = name if language != "en" and has_data(name) else CLAIMS_FILE
    return parse_rules(data_text(name), name)


def claim_rules(language: str, clinic: ClaimRules | None = None) -> ClaimRules:
    """The built-in claim patterns of ``language``, plus a clinic's own (:func:`clinic_claim_rules`)."""
    return builtin_claim_rules(language) + (clinic or ClaimRules())


def clinic_claim_rules(extra: Path | None) -> ClaimRules | None:
    """A clinic's own claim patterns (``--claims-file``), None without one.

    Raises:
        UsageError: the file cannot be read, or a line of it is wrong (naming the line).
    """
    if extra is None:
        return None
    try:
        text = extra.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        message = f"{extra}: cannot read the claims file ({reason}); give a text file of patterns"
        raise UsageError(message) from exc
    return parse_rules(text, str(extra))


def folder_claim_rules(settings: RenderSettings, language: str) -> ClaimRules:
    """The claim patterns a draft was checked with: ``language``'s built-in ones and the clinic's
    ``--claims-file`` its settings.json names.

    Raises:
        UsageError: the claims file can no longer be read, or a line of it is wrong.
    """
    return claim_rules(language, clinic_claim_rules(recorded_claims_file(settings)))


def recorded_claims_file(settings: RenderSettings) -> Path | None:
    """The ``--claims-file`` a folder's settings.json names, where it still is: a folder copied to another
    machine, or a file renamed since, checks with the built-in patterns (the caller says so) rather than
    refusing every Save and redraft."""
    path = Path(settings.claims_file) if settings.claims_file else None
    return path if path is not None and path.exists() else None
