"""A draft folder as the review server sees it: load the saved draft, save an editor's edits.

A save applies the edits to the saved draft and re-renders every output the folder holds through
the writers, then commits them all at once with :class:`~video2blog.pipeline.output.OutputFolder`
(so a save killed part-way leaves the old draft or the new one, and a file edited by hand is kept,
the new version beside it). ``transcript.json`` is never rewritten: it stays what the recogniser
heard; ``edits.json`` holds the editor's changes beside it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import threading
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TypeVar

import jinja2

from video2blog.pipeline.editing.edits import (
    EDITS_FILE,
    GLOSSARY_FILE,
    RECORD_VERSION,
    Applied,
    Edit,
    EditRecord,
    apply_edits,
    extend_record,
    record_from_dict,
    record_to_dict,
    rekeyed,
    respell,
)
from video2blog.pipeline.editing.post_meta import follows_title
from video2blog.pipeline.editing.settings import (
    RenderSettings,
    folder_claim_rules,
    glossary_bytes,
    merged_terms,
    read_folder_glossary,
    read_settings,
    recorded_claims_file,
    refuse_newer,
    render_context,
)
from video2blog.pipeline.errors import InputError, OutputError, Video2BlogError
from video2blog.pipeline.output import FolderBusy, OutputFolder, folder_lock, recover
from video2blog.pipeline.schema import Draft, Transcript
from video2blog.pipeline.serialize import (
    draft_from_dict,
    to_json,
    transcript_from_dict,
    transcript_shape_error,
)
from video2blog.pipeline.sources import folder_file, source_kind
from video2blog.pipeline.text.claims import edited_claims
from video2blog.pipeline.text.glossary import terms_not_in
from video2blog.pipeline.textutil import message, normalise_term
from video2blog.pipeline.writers.chapters import youtube_chapters
from video2blog.pipeline.writers.formats import (
    WRITERS,
    RenderContext,
    TemplateWriter,
    environment,
    render_all,
)

log = logging.getLogger(__name__)

_T = TypeVar("_T")

DRAFT_FILE = "draft.json"
TRANSCRIPT_FILE = "transcript.json"
_REVIEW_DATA = re.compile(r'<script type="application/json" id="review-data">(.*?)</script>', re.DOTALL)


class ConflictError(Video2BlogError):
    """The draft changed since this page loaded it: saved from elsewhere (another tab), or drafted again."""

    exit_code = 1


class PartlySaved(OutputError):
    """A save stopped part-way by a file it could not replace (open in another program, locked):
    ``finishing`` is the version the folder has once the rest is written, as the same save again does."""

    def __init__(self, error: OutputError, finishing: str) -> None:
        super().__init__(error.reason, error.path)
        self.finishing = finishing


@dataclass(frozen=True)
class Loaded:
    """A draft folder's saved state: the draft (edits applied), what was heard, and the edit record."""

    folder: Path
    draft: Draft
    transcript: Transcript  # as recognised; :attr:`shown` has the editor's word fixes
    record: EditRecord
    glossary: tuple[str, ...]
    version: str
    settings: RenderSettings  # how the draft command rendered the folder's files

    def context(
        self,
        draft: Draft,
        transcript: Transcript,
        glossary: tuple[str, ...],
        media_href: str | None = None,
        editing: dict[str, object] | None = None,
    ) -> RenderContext:
        """The render context of this folder's draft, as the draft command made it."""
        return render_context(draft, transcript, self.settings, glossary, self.folder, media_href, editing)

    @property
    def shown(self) -> Transcript:
        return respell(self.transcript, self.record.words)


@dataclass(frozen=True)
class Saved:
    """What a save did: the new version, the files written, and hand-edited files kept."""

    version: str
    written: tuple[str, ...]
    kept: tuple[str, ...]
    skipped: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()  # what the outputs had to bend (a section too short for YouTube's chapters)


def version_of(folder: Path) -> str:
    """A short hash of the saved draft and its edits: it changes with every save and redraft, not with
    the related posts ``library`` (or a batch) gives the draft, which no edit touches: a page opened
    before them still saves, its edits applied to the draft as it is then."""
    draft, edits = (
        (folder / name).read_bytes() if (folder / name).exists() else b"" for name in (DRAFT_FILE, EDITS_FILE)
    )
    return _version(draft, edits)


def _version(draft: bytes, edits: bytes) -> str:
    digest = hashlib.sha256()
    for raw in (_without_related(draft), edits):
        digest.update(raw)
        digest.update(b"\0")
    return digest.hexdigest()[:16]


def _without_related(raw: bytes) -> bytes:
    """``draft.json``'s bytes as they stand for its version: without its related posts."""
    try:
        data = json.loads(raw)
    except ValueError:  # not JSON: its bytes (loading it says what is wrong)
        return raw
    if not isinstance(data, dict):
        return raw
    data.pop("related", None)
    return json.dumps(data, sort_keys=True, ensure_ascii=False).encode("utf-8")


def load(folder: Path) -> Loaded:
    """The saved state of a draft folder (an interrupted save is finished first).

    Raises:
        InputError: the folder is not a draft folder, or its files are not video2blog's.
    """
    if not folder.is_dir():  # a mistyped name is not "a folder without draft.json"
        what = "is not a folder" if folder.exists() else "no such folder"
        raise InputError(f"{what}; give a folder written by 'video2blog draft'", folder)
    if not (folder / DRAFT_FILE).is_file():
        raise InputError("is not a draft folder (no draft.json); run 'video2blog draft' first", folder)
    _recover_unless_busy(folder)
    draft = _read_back(read_draft, folder_file(folder, DRAFT_FILE))
    if not (folder / TRANSCRIPT_FILE).is_file():
        raise InputError("has no transcript.json; redraft with the json format to review it", folder)
    transcript = _read_back(read_transcript, folder_file(folder, TRANSCRIPT_FILE))
    record = read_record(folder)
    settings = read_settings(folder) or RenderSettings(formats=present_formats(folder))
    glossary = read_folder_glossary(folder)
    return Loaded(folder, draft, transcript, record, glossary, version_of(folder), settings)


def _read_back(read: Callable[[Path], _T], path: Path) -> _T:
    """A file the draft command wrote, read by ``read``; what to do where it no longer reads."""
    try:
        return read(path)
    except InputError as exc:
        raise InputError(f"{exc.reason}; move it away and draft again to write it anew", path) from exc


def read_draft(path: Path) -> Draft:
    """A ``draft.json``.

    Raises:
        InputError: it is not JSON, or not a draft (naming what it lacks), in one line.
    """
    data = read_json_object(path)
    try:
        return draft_from_dict(data)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        why = f"no {exc}" if isinstance(exc, KeyError) else str(exc)  # a KeyError says only the key
        raise InputError(f"is not a video2blog draft ({why})", path) from exc


def read_transcript(path: Path) -> Transcript:
    """A ``transcript.json`` written by video2blog (perhaps corrected by an editor).

    Raises:
        InputError: it is not JSON, or not a transcript (naming the field that is wrong), in one line.
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        json.dumps(data, ensure_ascii=False).encode("utf-8")  # a lone "\ud800" escape fails only when written
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise InputError(f"is not a video2blog transcript.json ({exc})", path) from exc
    wrong = transcript_shape_error(data)
    if wrong:
        raise InputError(f"is not a video2blog transcript.json: {wrong}", path)
    try:
        return transcript_from_dict(data)
    except (ValueError, KeyError, TypeError) as exc:  # a case the shape check missed: still one line
        raise InputError(f"is not a video2blog transcript.json ({exc})", path) from exc


def _recover_unless_busy(folder: Path) -> None:
    """Finish an interrupted save, unless a run holds the folder: it recovered it, and is writing."""
    try:
        with folder_lock(folder):
            recover(folder)
    except FolderBusy:
        return


BUSY = message("en", "error_folder_busy")


def read_record(folder: Path) -> EditRecord:
    """The folder's ``edits.json``, or an empty record where there is none.

    Raises:
        InputError: ``edits.json`` is there but is not an edit record, or a newer video2blog wrote it.
    """
    path = folder_file(folder, EDITS_FILE)
    if not path.exists():
        return EditRecord()
    try:
        data = read_json_object(path)
    except InputError as exc:
        raise InputError(f"{exc.reason}; move it away to start the edits afresh", path) from exc
    refuse_newer(data, RECORD_VERSION, path)  # not "move it away": a newer video2blog reads it
    try:
        return record_from_dict(data)
    except Video2BlogError as exc:
        said = exc.reason if exc.path == str(path) else str(exc)
        raise InputError(f"{said}; move it away to start the edits afresh", path) from exc


def read_json_object(path: Path) -> dict:
    """A draft folder's JSON file as an object; one line naming the file where it is not one (or where
    it leads outside its folder)."""
    try:
        data = json.loads(folder_file(path.parent, path.name).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise InputError(f"cannot be read as JSON ({exc})", path) from exc
    if not isinstance(data, dict):
        raise InputError("does not hold a JSON object", path)
    return data


def find_media(folder: Path, draft: Draft) -> Path | None:
    """The media the draft was made from: where the folder's review.html links it, else its source path."""
    return media_of(folder, draft.source.path)


def media_of(folder: Path, source: str) -> Path | None:
    """The media file a draft folder's draft was made from (``source``, its path as the draft records
    it): where the folder's review.html links it (the folder may have moved with its video), else
    ``source`` itself; None where neither is a file. Only a video or an audio file (by its suffix): the
    review server serves it, and a folder's files may come from anyone ("/etc/passwd" as a source). The
    path is absolute but its links are not followed: serve ``.resolve()``, link the path itself."""
    candidates = []
    href = _review_href(folder)
    if href and "://" not in href:
        candidates.append(folder / urllib.parse.unquote(href, errors="surrogateescape"))
    elif href.startswith("file://"):
        candidates.append(Path(urllib.parse.unquote(urllib.parse.urlparse(href).path)))
    candidates.append(Path(source))
    # by what the path leads to, not a link's own name ("talk.mp4" linked to /etc/passwd); the path as
    # found, so that a page links "talk.mp4" beside the folder, not the file on a share it leads to
    found = (p.absolute() for p in candidates if p.is_file())
    return next((p for p in found if source_kind(p.resolve()) in ("video", "audio")), None)


def _review_href(folder: Path) -> str:
    try:
        match = _REVIEW_DATA.search(folder_file(folder, "review.html").read_text(encoding="utf-8"))
        return str(json.loads(match.group(1)).get("media", "")) if match else ""
    except (OSError, UnicodeDecodeError, ValueError, AttributeError, InputError):
        return ""


def relative_href(folder: Path, media: Path | None) -> str | None:
    """The static review page's link to the media, relative to the folder (None: let the writer decide)."""
    if media is None:
        return None
    import os

    relative = os.path.relpath(media, folder.absolute())
    return urllib.parse.quote(Path(relative).as_posix(), errors="surrogateescape")


def save(
    folder: Path,
    edits: list[Edit],
    version: str,
    media: Path | None,
    finishing: str = "",
    published: tuple[str, ...] = (),
    drafts: tuple[str, ...] = (),
) -> Saved:
    """Apply ``edits`` to the saved draft, re-render every output and commit them all at once.

    Args:
        folder: the draft folder.
        edits: the session's edits, in the order they were made.
        version: the version the page was loaded at; a save over a newer one is refused.
        media: the media file, for the static review page's link.
        finishing: the version a save of these same edits, stopped part-way (:class:`PartlySaved`),
            leaves: a folder at it has them already, and its outputs are written again around them.
        published: the sites ``video2blog publish`` made the post on: its slug stays as it is (recorded
            in ``edits.json`` for a redraft), whatever the title becomes.
        drafts: those of ``published`` where the post is a draft, not public: the note says no link
            can break yet, and how to give it another address.

    Raises:
        ConflictError: the folder was saved since ``version``, or a draft or another save is writing there.
        PartlySaved: a file could not be replaced; the rest is written by the next save or page load.
        UsageError: an edit does not fit the draft.
    """
    try:
        with folder_lock(folder, BUSY):  # a draft run, a batch or another review server's save holds it
            return _save(folder, edits, version, media, finishing, published, drafts)
    except FolderBusy as exc:  # the lock does not say whose it is: the message names both
        raise ConflictError.said("error_folder_busy") from exc


def _save(
    folder: Path,
    edits: list[Edit],
    version: str,
    media: Path | None,
    finishing: str,
    published: tuple[str, ...],
    drafts: tuple[str, ...] = (),
) -> Saved:
    recover(folder)  # under the lock this save holds
    loaded = load(folder)
    if version != loaded.version:
        if not finishing or loaded.version != finishing:
            raise ConflictError.said("error_conflict")
        edits = []  # the save stopped part-way made them: only the outputs are written again
    described = any(e.op == "description" for e in loaded.record.edits)
    applied = apply_edits(loaded.draft, loaded.shown, edits, described=described)
    applied = rekeyed(loaded.draft, applied, loaded.glossary)
    record = extend_record(loaded.record, loaded.draft, applied)
    applied, record, kept = with_published_slug(loaded.draft, applied, record, published, drafts)
    glossary = merged_terms(loaded.glossary, [t for t in map(normalise_term, applied.glossary) if t])
    rules = folder_claim_rules(loaded.settings, loaded.draft.language)
    claims = edited_claims(loaded.draft, applied.draft, applied.transcript, rules)
    edited = replace(applied.draft, claims=claims)
    draft, notes = with_chapter_notes(loaded.draft, edited, loaded.settings.formats)
    draft = replace(draft, glossary_not_found=terms_not_in(draft, glossary))  # as the edited post says them
    notes += kept + applied.notes + _claims_file_gone(loaded)
    ctx = loaded.context(draft, applied.transcript, glossary, media_href=relative_href(folder, media))
    files = render_all(ctx, saved_formats(loaded.settings))
    files[EDITS_FILE] = to_json(record_to_dict(record))
    if glossary != loaded.glossary:
        files[GLOSSARY_FILE] = glossary_bytes(glossary)
    output = OutputFolder(folder)
    for name, data in files.items():
        output.add(name, data)
    try:
        report = output.commit()
    except OutputError as exc:
        raise PartlySaved(exc, _version(files[DRAFT_FILE], files[EDITS_FILE])) from exc
    names = tuple(p.name for p in report.written)
    return Saved(version_of(folder), names, tuple(p.name for p in report.kept), applied.skipped, notes)


def _claims_file_gone(loaded: Loaded) -> tuple[str, ...]:
    """The note that the claims file the folder was drafted with is gone, where it is."""
    recorded = loaded.settings.claims_file
    if not recorded or recorded_claims_file(loaded.settings) is not None:
        return ()
    return (message(loaded.draft.language, "claims_file_gone", path=recorded),)


def with_published_slug(
    before: Draft,
    applied: Applied,
    record: EditRecord,
    published: tuple[str, ...],
    drafts: tuple[str, ...] = (),
) -> tuple[Applied, EditRecord, tuple[str, ...]]:
    """The edited draft and its record with the slug the post was published under (kept as it was, and
    recorded for a redraft), where it was published, and the note that says so where an edit would have
    changed it (one that says no link can break yet where every site holds it as a draft, ``drafts``);
    unchanged before a publish."""
    if not published:
        return applied, record, ()
    slug = record.slug or before.slug
    draft, said = kept_slug(applied.draft, slug, published, drafts)
    return replace(applied, draft=draft), replace(record, slug=slug), said


def kept_slug(
    draft: Draft, slug: str, published: tuple[str, ...], drafts: tuple[str, ...] = ()
) -> tuple[Draft, tuple[str, ...]]:
    """``draft`` with the slug ``slug`` its post was published under on the ``published`` sites, and the
    note that says so where the draft had another (a new address would break the links to the post; or,
    where every site holds it as a draft, ``drafts``, that none can break yet): a Save and a redraft keep
    it alike. Unchanged where there is no such post or slug."""
    if not published or not slug or draft.slug == slug:
        return draft, ()
    key = "slug_kept_draft" if set(published) <= set(drafts) else "slug_kept"
    return replace(draft, slug=slug), (message(draft.language, key, slug=slug, site=", ".join(published)),)


def with_chapter_notes(
    before: Draft, after: Draft, formats: tuple[str, ...]
) -> tuple[Draft, tuple[str, ...]]:
    """The edited draft with its notes on YouTube's chapter rules made afresh (a split can make a section
    too short to be a chapter), and the notes that are new since ``before``."""
    if "chapters" not in formats:
        return after, ()
    # the notes are worded in the draft's language, as is the reply to the review page
    old = set(youtube_chapters(before.sections, before.source.duration).said(before.language))
    said = youtube_chapters(after.sections, after.source.duration).said(after.language)
    kept = tuple(n for n in after.notes if n not in old)
    new = tuple(note for note in said if note not in old)
    return replace(after, notes=kept + said), new


def saved_formats(settings: RenderSettings) -> tuple[str, ...]:
    """The formats a save re-renders: the draft command's and always draft.json, never transcript.json
    (what the recogniser heard stays as it was)."""
    return tuple(dict.fromkeys(["draft", *(f for f in settings.formats if f != "json")]))


def present_formats(folder: Path) -> tuple[str, ...]:
    """The formats of a folder drafted before ``settings.json`` was kept: those it holds."""
    return tuple(f for f, w in WRITERS.items() if (folder / w.filename).exists())


def render_page(loaded: Loaded, editing: dict[str, object], media_href: str | None) -> bytes:
    """The review page with its editing controls, as the server shows it (``editing["published"]``: the
    sites the post was published on, where its slug stays)."""
    published = bool(editing.get("published"))
    facts = {"published": "", "slug_follows": not published and follows_title(loaded.draft)}
    editing = {**facts, **editing}
    ctx = loaded.context(loaded.draft, loaded.shown, loaded.glossary, media_href=media_href, editing=editing)
    page = render_all(ctx, ("review",))["review.html"]
    _warm_up(loaded)
    return page


_warmed: set[Path] = set()


def _warm_up(loaded: Loaded) -> None:
    """Compile the folder's templates and import the Word writer in the background while the editor
    reads the page, so the first Save does not (a cold first Save took twice as long as the next)."""
    if loaded.folder in _warmed:
        return
    _warmed.add(loaded.folder)
    formats = saved_formats(loaded.settings)
    names = [WRITERS[f].filename + ".j2" for f in formats if issubclass(WRITERS[f], TemplateWriter)]
    threading.Thread(target=_compile, args=(loaded.settings.templates, names), daemon=True).start()


def _compile(template_dir: Path | None, names: list[str]) -> None:
    import video2blog.pipeline.writers.docx  # noqa: F401 (python-docx is slow to import)

    env = environment(template_dir)
    for name in names:
        try:
            env.get_template(name)
        except (jinja2.TemplateError, OSError) as exc:  # not there, or broken: the Save reports it
            log.debug("warming up the templates: %s", exc)
