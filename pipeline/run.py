"""The per-file pipeline: source -> transcript -> sentences -> sections -> draft -> files."""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from video2blog.pipeline import draft_cache
from video2blog.pipeline.digest import sha256_file
from video2blog.pipeline.editing.edits import EDITS_FILE, GLOSSARY_FILE, EditRecord, reapply, rekeyed
from video2blog.pipeline.editing.settings import (
    REWRITE,
    SETTINGS_FILE,
    NewerVersion,
    RenderSettings,
    builtin_claim_rules,  # noqa: F401  (the CLI and tests read them here)
    claim_rules,
    clinic_claim_rules,
    glossary_bytes,
    merged_terms,
    read_folder_glossary,
    read_settings,
    recorded_claims_file,
    render_context,
    settings_json,
)
from video2blog.pipeline.editing.store import (
    kept_slug,
    media_of,
    read_draft,
    read_json_object,
    read_record,
    read_transcript,
)
from video2blog.pipeline.engines import ProgressCallback, embed, prompt
from video2blog.pipeline.errors import InputError, UsageError
from video2blog.pipeline.ingest import language, media
from video2blog.pipeline.ingest.captions import read_captions
from video2blog.pipeline.ingest.frames import section_frames
from video2blog.pipeline.ingest.screen import (
    SAMPLE_EVERY_S,
    read_cached_screen,
    read_screen,
    write_cached_screen,
)
from video2blog.pipeline.ingest.transcribe import (
    TranscribeOptions,
    glossary_prompt,
    hear_opening,
    transcribe_media,
)
from video2blog.pipeline.lexicon_cache import warm_lexicon
from video2blog.pipeline.llm import LlmOptions
from video2blog.pipeline.llm.boundaries import with_boundaries
from video2blog.pipeline.llm.suggest import Session, suggest
from video2blog.pipeline.output import OutputFolder, created_parts, folder_lock, inside, remove_created
from video2blog.pipeline.progress import milestones, report_stage
from video2blog.pipeline.publish.wordpress import published_sites
from video2blog.pipeline.schema import (
    Draft,
    LlmSuggestion,
    RelatedPost,
    ScreenReading,
    Source,
    Transcript,
)
from video2blog.pipeline.serialize import (
    to_json,
    transcript_time_error,
)
from video2blog.pipeline.sources import CAPTION_SUFFIXES, TRANSCRIPT_SUFFIXES, folder_file, source_kind
from video2blog.pipeline.text import locales
from video2blog.pipeline.text.claims import ClaimRules, edited_claims, find_claims
from video2blog.pipeline.text.compose import ComposeOptions, compose
from video2blog.pipeline.text.glossary import terms_not_in, terms_said
from video2blog.pipeline.text.onscreen import check_card_order, shown_byline, shown_terms, with_captions
from video2blog.pipeline.text.questions import Encode
from video2blog.pipeline.text.related import topic_vector
from video2blog.pipeline.text.sections import find_sections
from video2blog.pipeline.text.sentences import split_sentences
from video2blog.pipeline.textutil import clock, has_catalogue, message, never_kept, slugify
from video2blog.pipeline.writers.chapters import youtube_chapters
from video2blog.pipeline.writers.formats import DEFAULT_FORMATS, WRITERS, render_all

log = logging.getLogger(__name__)

IMAGES_DIR = "images"  # the draft folder's still frames, one per section
# The draft's topic vector (text/related.py), for the library's related posts (batch/library.py).
TOPIC_FILE = ".video2blog-topic.json"


@dataclass(frozen=True)
class DraftOptions:
    """Everything that shapes one draft, built by the CLI from its flags."""

    transcribe: TranscribeOptions = field(default_factory=TranscribeOptions)
    glossary: tuple[str, ...] = ()
    formats: tuple[str, ...] = ("draft", *DEFAULT_FORMATS)
    template_dir: Path | None = None
    verbatim: bool = False
    force: bool = False
    ignore_chapters: bool = False
    date: str = ""
    # Suggestions from a language model (--llm); None: nothing is asked, nothing touches the network.
    llm: LlmOptions | None = None
    images: bool = True  # a still frame per section, from a video's pictures
    front_matter: str = ""  # post.md's front matter: "" (video2blog's own), hugo, jekyll or astro
    medical: bool = False  # JSON-LD as a MedicalWebPage, for the clinician to review
    # A clinic's own claims to check (--claims-file, text/claims.py), added to the built-in patterns of
    # the talk's language (pipeline/data/claims.txt, claims-es.txt); None: the built-in ones only.
    claims: ClaimRules | None = None
    related: bool = True  # related posts closing each post of a batch (batch/library.py)
    video_text: bool = True  # read text shown on screen: questions on cards head their sections
    claims_file: Path | None = None  # where ``claims`` came from, kept in the folder's settings.json
    # The options the user gave (RenderSettings' names): a redraft takes the others from the folder's
    # settings.json. None: every option was given (nothing is taken from the folder but its glossary).
    given: frozenset[str] | None = None


@dataclass(frozen=True)
class DraftResult:
    """Where a draft went: the files written, the edited files that were kept, and the out-of-date
    versions once written beside edited files that were removed."""

    out_dir: Path
    draft: Draft
    transcript: Transcript
    written: tuple[Path, ...]
    kept: tuple[Path, ...]
    removed: tuple[Path, ...] = ()
    notes: tuple[str, ...] = ()  # what the run says beside the files (every saved edit re-applied)
    dropped: tuple[str, ...] = ()  # the editor's saved edits this draft could not re-apply, each named

    @property
    def status(self) -> str:
        """A draft that lost some of the editor's saved edits is not a clean redraft, whatever was kept."""
        return "dropped-edits" if self.dropped else "kept-edits" if self.kept else "drafted"


@dataclass(frozen=True)
class ComputedDraft:
    """A draft and its rendered files, not yet written: what a batch worker hands back."""

    draft: Draft
    transcript: Transcript
    files: dict[str, bytes]
    # Where to keep it for a re-draft from the same inputs once it is written (None: from the cache, or
    # not to be kept).
    keep: draft_cache.Pending | None = None
    notes: tuple[str, ...] = ()
    dropped: tuple[str, ...] = ()  # the editor's saved edits that no longer fit (their warnings say which)


@dataclass(frozen=True)
class PublishedPost:
    """The address (slug) a folder's post was published under, the sites it was published on, and those
    of them where it is still a WordPress draft (not public)."""

    slug: str
    sites: tuple[str, ...]
    drafts: tuple[str, ...] = ()


def draft_file(
    source: Path, out_dir: Path, options: DraftOptions, progress: ProgressCallback | None = None
) -> DraftResult:
    """Turn one video, audio or transcript file into a draft folder.

    Args:
        source: a media file ffmpeg can read, or a ``transcript.json``.
        out_dir: the draft folder (created if missing).
        options: engine, prose and output choices.
        progress: called with (seconds done, seconds total) during transcription.

    Raises:
        Video2BlogError: the input, output folder, model or a template is unusable.
    """
    check_local(source)
    created = created_parts(out_dir)
    try:
        with folder_lock(out_dir):  # before OutputFolder, whose recovery must not race another run's commit
            folder = OutputFolder(out_dir, force=options.force)  # fail on a bad folder before any work
            check_kept(folder, [WRITERS[f].filename for f in options.formats], own_inputs(source, out_dir))
            published_sites(out_dir)  # a publish.json that cannot be read is said before the work
            computed = compute_draft(source, options, progress, out_dir=out_dir)
            return write_draft(computed, out_dir, options.force, own_inputs(source, out_dir))
    except BaseException:
        remove_created(created)  # a failed first draft leaves no folder behind, nor the parents it made
        raise


# The folder's files video2blog reads back (review, a redraft), by the reader that must still read them.
_READ_BACK = {"draft.json": read_draft, "transcript.json": read_transcript}


def check_kept(folder: OutputFolder, names: Iterable[str], inputs: tuple[str, ...] = ()) -> None:
    """Refuse to keep a changed ``draft.json`` or ``transcript.json`` that no longer reads as one (cut
    short, not JSON): it is no editor's edit, yet the draft would keep it, the new version beside it, and
    leave a folder that review cannot open.

    Raises:
        InputError: naming the file, why it does not read, and what to do (without ``force``).
    """
    for name in names:
        read = _READ_BACK.get(name)
        if read is None or folder.force or name in inputs or not folder.edited(name):
            continue
        path = folder_file(folder.path, name)  # one that leads out says so, not "no edit to keep"
        try:
            read(path)
        except InputError as exc:
            raise InputError(f"{exc.reason}: no edit to keep; {REWRITE}", folder.path / name) from exc


def check_other_talk(source: Path, out_dir: Path, force: bool) -> None:
    """Refuse to draft another talk into a folder an editor has saved edits in (without ``force``): the
    new draft would replace the reviewed one, whose edits do not fit another talk. The same file, or one
    of the same name (a re-cut, corrected captions), or the folder's own transcript.json (a redraft) go on.
    Captions and transcripts are checked as media are: another talk's words replace the edits as surely.

    Raises:
        UsageError: the folder holds the draft of another talk, with saved edits.
    """
    if force or not os.path.isdir(out_dir):  # no folder yet (or no folder can be: the write says why)
        return
    if (
        os.path.realpath(source) == os.path.realpath(out_dir / "transcript.json")
        or not read_record(out_dir).edits
    ):
        return
    recorded = recorded_source(out_dir)
    stands_for = talk_file(source) if source.is_file() else None
    if recorded is None or stands_for is None:
        return  # nothing to compare with, or no file (the draft says why), or words of no known talk
    name, sha = stands_for
    if (Path(name).stem == Path(recorded[0]).stem and name != "transcript.json") or sha == recorded[1]:
        return  # talk.srt corrected for the talk.mp4 drafted here, or a re-cut of the same name
    raise UsageError(
        f"{media.display_path(out_dir)} holds the reviewed draft of {recorded[0]} "
        f"(an editor's saved edits in {EDITS_FILE}); draft {source.name} into another --out, or give "
        "--force to replace it"
    )


def recorded_source(out_dir: Path) -> tuple[str, str] | None:
    """The file name and SHA-256 of the source a draft folder's ``draft.json`` records; None if none."""
    try:
        recorded = read_json_object(out_dir / "draft.json").get("source")
    except InputError:
        return None
    if not isinstance(recorded, dict):
        return None
    return Path(str(recorded.get("path", ""))).name, str(recorded.get("sha256", ""))


def talk_file(source: Path) -> tuple[str, str] | None:
    """The name and SHA-256 of the file ``source`` stands for: another draft folder's transcript.json
    stands for what that folder was drafted from (every folder's words file has the same name, so its
    own name says nothing of the talk); None for a transcript.json of no draft folder (a copy an editor
    corrected by hand, say), which names no talk to compare."""
    if source.name != "transcript.json":
        return source.name, sha256_file(source)
    return recorded_source(source.parent)


_URL = re.compile(r"^(?:[A-Za-z][A-Za-z0-9+.-]+:/|www\.)")


def check_local(source: Path) -> None:
    """Refuse a web address, which a Path has already mangled (``https:/...``), with what to do instead.

    Raises:
        InputError: ``source`` is a URL, not a local file.
    """
    if _URL.match(str(source)) and not source.exists():
        url = re.sub(r"^([A-Za-z][A-Za-z0-9+.-]+):/(?!/)", r"\1://", str(source))  # undo Path's "//" -> "/"
        raise InputError("video2blog reads local files; download it first (for example with yt-dlp)", url)


def compute_draft(
    source: Path,
    options: DraftOptions,
    progress: ProgressCallback | None = None,
    label: str | None = None,
    out_dir: Path | None = None,
) -> ComputedDraft:
    """The work of :func:`draft_file` short of writing: read (or transcribe) and render. No output.

    Batch workers run this; the caller writes the result with :func:`write_draft`.

    Args:
        source: a media file ffmpeg can read, or a ``transcript.json``.
        options: engine, prose and output choices.
        progress: called with (seconds done, seconds total) during transcription.
        label: the source path to record in the draft, when ``source`` is a local copy of it.
        out_dir: the draft folder the files are for (the review page links the media relative to it).
    """
    kept: tuple[str, ...] = ()
    if out_dir is not None:
        options, kept = with_folder_settings(options, out_dir)
    computed = _compute_draft(source, options, progress, label, out_dir)
    return replace(computed, notes=(*kept, *computed.notes)) if kept else computed


def _compute_draft(
    source: Path,
    options: DraftOptions,
    progress: ProgressCallback | None,
    label: str | None,
    out_dir: Path | None,
) -> ComputedDraft:
    words, src, options = read_source(source, options, progress, label)
    heard = heard_from(source) if source.suffix.lower() == ".json" else None
    if heard is not None:  # corrected words of a draft folder: the video still gives its player and pictures
        src = heard[1]
    if out_dir is not None and not options.date:  # a published post's date does not move on a redraft
        options = replace(options, date=folder_date(out_dir, src))
    edits = read_record(out_dir) if out_dir is not None and (out_dir / EDITS_FILE).exists() else None
    previous = saved_draft(out_dir) if out_dir is not None and edits is not None else None
    published = published_post(out_dir, edits, previous) if out_dir is not None else None
    related = kept_related(out_dir, words, src) if out_dir is not None and options.related else ()
    video = _video(heard[0] if heard is not None else source)
    cache = options.transcribe.cache_dir
    screen = read_video_text(video, src.duration, src.sha256, cache) if video and options.video_text else None
    frames = video if options.images else None
    folder = str(out_dir.resolve()) if out_dir is not None else None
    shape = previous.sections if previous is not None else None  # where the edits lay: reapply reads it
    key = draft_cache.draft_key(
        options, words, src, folder, edits, shape, frames is not None, related, screen, published
    )
    cached = draft_cache.read_cached(cache, src.sha256, key)
    if cached is not None:
        report_stage(log, "compose", "the same inputs as the cached draft: %s", Path(src.path).name)
        return cached
    warm_lexicon(cache)  # the word-class table from the cache folder: a re-draft does not parse it again
    with draft_cache.warnings_said() as said:
        computed = render_draft(
            words, src, options, out_dir, edits, frames, related, screen, previous, published
        )
    keep = draft_cache.Pending(cache, src.sha256, key, tuple(said)) if cache and key else None
    return replace(computed, keep=keep)


def published_post(out_dir: Path, edits: EditRecord | None, previous: Draft | None) -> PublishedPost | None:
    """The post the folder's ``publish.json`` records, under the slug a Save recorded in ``edits.json``
    or else the folder's draft's (``previous``, read here where not given): a redraft keeps that
    address, as a Save does, since a new one would move the live post. None before a publish."""
    sites, drafts = published_sites(out_dir)
    if not sites:
        return None
    saved = previous or saved_draft(out_dir)
    slug = (edits.slug if edits is not None else "") or (saved.slug if saved is not None else "")
    return PublishedPost(slug, sites, drafts) if slug else None


def saved_draft(out_dir: Path) -> Draft | None:
    """The folder's draft as it stands (the editor's edits applied), or None where it cannot be read:
    a redraft re-applies the edits where it shows they still fit."""
    try:
        return read_draft(out_dir / "draft.json")
    except InputError:
        return None


def folder_date(out_dir: Path, source: Source) -> str:
    """The date of the folder's draft of the same media (the same SHA-256), or "" for none."""
    try:
        kept = read_draft(out_dir / "draft.json")
        dt.date.fromisoformat(kept.date)
    except (InputError, ValueError):
        return ""
    return kept.date if kept.source.sha256 == source.sha256 else ""


def heard_from(transcript: Path) -> tuple[Path, Source] | None:
    """The media a draft folder's ``transcript.json`` was heard from, and the draft's source from it,
    where the folder's ``draft.json`` names media that is still there unchanged (the same SHA-256): a
    redraft from corrected words keeps the video's player, still frames and on-screen text (its
    byline). None for another file, or where the media is gone or changed (a warning says so)."""
    try:
        recorded = read_json_object(transcript.parent / "draft.json").get("source")
    except InputError:
        return None
    if not isinstance(recorded, dict) or source_kind(str(recorded.get("path", ""))) not in ("video", "audio"):
        return None
    found = media_of(transcript.parent, str(recorded["path"]))
    if found is None or sha256_file(found) != recorded.get("sha256"):
        what = "is not there" if found is None else "has changed since"
        log.warning(
            "%s: the media it was heard from (%s) %s: the draft has no player, pictures or text on screen",
            media.display_path(transcript),
            recorded["path"],
            what,
        )
        return None
    said = Path(str(recorded["path"]))  # as recorded where it still leads there from here
    path = media.display_path(said if said.is_file() and said.resolve() == found.resolve() else found)
    shown = media.display_path(transcript.name)
    report_stage(log, "read", "the words of %s, heard from %s", shown, Path(path).name)
    return found, Source(
        path, str(recorded["sha256"]), round(media.probe(found).duration, 3), media.ffmpeg_name()
    )


def kept_related(out_dir: Path, words: Transcript, src: Source) -> tuple[RelatedPost, ...]:
    """The related posts the folder's draft.json holds (a library's), kept when the same talk is drafted
    again: from the same file, or from words the folder's transcript.json holds. Another video drafted
    into the folder starts without them (the old talk's posts, until the next library run)."""
    try:
        recorded = read_json_object(out_dir / "draft.json")
        related = tuple(RelatedPost(**post) for post in recorded.get("related") or [])
        return related if related and same_talk(out_dir, recorded, words, src) else ()
    except (InputError, TypeError, AttributeError):
        return ()  # none, or unreadable: the library step gives them again


def same_talk(out_dir: Path, recorded: dict[str, object], words: Transcript, src: Source) -> bool:
    """Whether ``words`` from ``src`` are the talk the folder's draft (``recorded``) was made of: the
    same source file, or the words of the folder's transcript.json (a redraft from it, or from the
    media it was heard from)."""
    source = recorded.get("source")
    if isinstance(source, dict) and source.get("sha256") == src.sha256:
        return True
    heard = folder_file(out_dir, "transcript.json")
    return heard.is_file() and read_transcript_file(heard).text == words.text


def with_folder_settings(options: DraftOptions, out_dir: Path) -> tuple[DraftOptions, tuple[str, ...]]:
    """The options of a draft into ``out_dir``, with the draft folder's own glossary (its first --glossary
    and the terms the editor added) and, without --glossary, the recogniser's prompt the folder was
    drafted with (the same words heard again, so the editor's edits still fit); and each setting the
    folder's settings.json recorded that the user did not give again (``options.given``), with the
    one line that says which were kept.

    Raises:
        UsageError: a recorded claims file can no longer be read.
    """
    glossary = merged_terms(options.glossary, read_folder_glossary(out_dir))
    recorded = recorded_settings(out_dir, options.force)
    engine = options.transcribe.engine_options
    if not options.glossary and recorded is not None and recorded.hotwords and not engine.hotwords:
        engine = replace(engine, hotwords=recorded.hotwords)
    elif options.glossary:  # the folder's terms too: the talk is heard as near as can be to how it was
        engine = replace(engine, hotwords=glossary_prompt(glossary))
    options = replace(
        options, glossary=glossary, transcribe=replace(options.transcribe, engine_options=engine)
    )
    options, kept = with_kept_settings(options, recorded)
    if not kept:
        return options, ()
    flags = ", ".join(setting_flag(n, getattr(recorded, n)) for n in kept)
    return options, (f"kept this folder's settings: {flags}; give an option to change it",)


def with_kept_settings(
    options: DraftOptions, recorded: RenderSettings | None
) -> tuple[DraftOptions, tuple[str, ...]]:
    """``options`` with each of ``recorded``'s settings the user did not give again (``options.given``),
    and the names of those that differ from what ``options`` alone would draft with."""
    if recorded is None or options.given is None:
        return options, ()
    current = render_settings(options)
    given = options.given
    kept = tuple(n for n in KEPT_SETTINGS if n not in given and getattr(recorded, n) != getattr(current, n))
    if not kept:
        return options, ()
    return with_recorded(options, replace(current, **{n: getattr(recorded, n) for n in kept})), kept


# The settings.json fields a redraft keeps unless the user gives their option again.
KEPT_SETTINGS = (
    "engine",
    "model",
    "formats",
    "template_dir",
    "front_matter",
    "medical",
    "claims_file",
    "images",
    "video_text",
    "verbatim",
)


def setting_flag(name: str, value: object) -> str:
    """How the user would have given a setting on the command line: ``--model base``, ``--no-images``."""
    flag = "--" + name.replace("_", "-")
    if isinstance(value, bool):
        return flag if value else f"--no-{name.replace('_', '-')}"
    if isinstance(value, tuple):
        value = ",".join(f for f in value if f != "draft")
    return f"{flag} {value}" if value else f"{flag} ''"


def with_recorded(options: DraftOptions, settings: RenderSettings) -> DraftOptions:
    """``options`` drafting with ``settings`` (a folder's, for the options the user did not give)."""
    engine = replace(options.transcribe.engine_options, model=settings.model or None)
    claims_file = recorded_claims_file(settings)
    if settings.claims_file and claims_file is None:
        log.warning(
            "the claims file this folder was drafted with, %s, is gone: claims are checked with the built-in "
            "patterns only; give --claims-file to use another",
            settings.claims_file,
        )
    return replace(
        options,
        transcribe=replace(options.transcribe, engine=settings.engine, engine_options=engine),
        formats=settings.formats,
        template_dir=settings.templates,
        front_matter=settings.front_matter,
        medical=settings.medical,
        claims_file=claims_file,
        claims=clinic_claim_rules(claims_file),
        images=settings.images,
        video_text=settings.video_text,
        verbatim=settings.verbatim,
    )


def recorded_settings(out_dir: Path, force: bool) -> RenderSettings | None:
    """The folder's ``settings.json``; with ``force``, None where it cannot be read (a warning says so):
    this draft writes it anew, as the message without ``force`` says to.

    Raises:
        InputError: it cannot be read (without ``force``), or a newer video2blog wrote it.
    """
    try:
        return read_settings(out_dir, check=False)
    except NewerVersion:
        raise
    except InputError as exc:
        if not force:
            raise
        log.warning("%s: %s; --force writes it anew", exc.path, exc.reason.removesuffix(f"; {REWRITE}"))
        return None


def render_draft(
    words: Transcript,
    src: Source,
    options: DraftOptions,
    out_dir: Path | None = None,
    edits: EditRecord | None = None,
    video: Path | None = None,
    related: tuple[RelatedPost, ...] = (),
    screen: ScreenReading | None = None,
    previous: Draft | None = None,
    published: PublishedPost | None = None,
) -> ComputedDraft:
    """Sentences, sections and every chosen file's bytes from a transcription.

    Pure (no I/O) but for ``options.llm`` (requests to the language model, through its reply cache)
    and ``video`` (ffmpeg takes a still frame per section from it). ``screen`` is what the video
    showed (:func:`read_video_text`): questions on screen head sections, the rest is recorded.

    ``edits`` (the draft folder's ``edits.json``) are reapplied to the new draft: an editor's
    changes in the review page survive a redraft (``previous``, the folder's draft as it was, shows
    where they lay). ``transcript.json`` stays what was heard.
    ``related`` (a library's, see ``batch/library.py``) close the post as before.
    ``published`` (the folder's published post) keeps its slug whatever the title becomes, and a note
    says so where it differs.
    The render settings and the glossary go into the folder too (``settings.json``, ``glossary.txt``),
    so the review server and a save render what this rendered.
    """
    report_stage(log, "compose", "finding sentences and sections: %s", Path(src.path).name)
    cache_dir = options.transcribe.cache_dir
    transcript = (
        split_sentences(words)
        if words.language == "en"
        # a run-on's opening pieces, a few short texts: read without the cache (no file per piece)
        else locales.split_sentences(words, embed.multilingual_encoder(words.language, None))
    )
    # The topic vector reuses the sections' vectors (an English talk's; another language's sections are
    # found with the multilingual encoder, embed.section_encoder, and its topic with MiniLM).
    encode = remembered_encoder(cache_dir)
    draft = replace(make_draft(transcript, src, options, encode, screen), related=related)
    if not has_catalogue(draft.language):
        log.warning("%s", locales.as_heard_warning(draft.language))
    shown = transcript
    notes: tuple[str, ...] = ()
    dropped: tuple[str, ...] = ()
    if edits is not None and edits.edits:
        applied = rekeyed(draft, reapply(draft, transcript, edits, previous), options.glossary)
        rules = claim_rules(transcript.language, options.claims)
        claims = edited_claims(draft, applied.draft, applied.transcript, rules)
        draft, shown, dropped = replace(applied.draft, claims=claims), applied.transcript, applied.skipped
        for note in dropped:
            log.warning("%s: an edit was not reapplied: %s", EDITS_FILE, note)
        line = reapplied_line(len(applied.edits), len(edits.edits))
        if dropped:
            log.warning("%s", line)
        else:  # every edit is back: a note, not a warning
            notes = (line,)
    if published is not None:
        draft, kept = kept_slug(draft, published.slug, published.sites, published.drafts)
        notes += kept
    draft, images = add_section_images(draft, video, previous) if video else (draft, {})
    draft = add_chapter_notes(add_hearing_notes(draft, words), options.formats)
    draft = replace(draft, glossary_not_found=terms_not_in(draft, options.glossary))
    settings = render_settings(options)
    ctx = replace(render_context(draft, shown, settings, options.glossary, out_dir), stills=images)
    files = render_all(ctx, options.formats)
    if shown is not transcript and "json" in options.formats:
        files.update(render_all(replace(ctx, transcript=transcript), ("json",)))
    files[SETTINGS_FILE] = settings_json(settings)
    if options.glossary:
        files[GLOSSARY_FILE] = glossary_bytes(options.glossary)
    topic = topic_file(draft, transcript, encode) if encode is not None else {}
    return ComputedDraft(draft, transcript, {**files, **images, **topic}, notes=notes, dropped=dropped)


class Remembered:
    """An encoder that keeps each text's vector, so that a text embedded twice costs once."""

    def __init__(self, encode: Encode) -> None:
        self.encode = encode
        self.rows: dict[str, np.ndarray] = {}

    def __call__(self, texts: list[str]) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if t not in self.rows]
        if missing:
            self.rows.update(zip(missing, self.encode(missing)))
        return (
            np.stack([self.rows[t] for t in texts])
            if texts
            else np.zeros((0, embed.MINILM_WIDTH), np.float32)
        )


def remembered_encoder(cache_dir: Path | None) -> Remembered | None:
    """The installed sentence encoder, its vectors cached in ``cache_dir`` (beside the transcripts) and
    each text embedded once (:class:`Remembered`); None where no encoder is installed."""
    encoder = embed.encoder(cache_dir)
    return Remembered(encoder) if encoder is not None else None


def topic_file(draft: Draft, transcript: Transcript, encode: Encode) -> dict[str, bytes]:
    """The draft's topic vector as :data:`TOPIC_FILE` (none for a draft without prose)."""
    vector = topic_vector(draft, transcript, encode)
    if vector is None:
        return {}
    return {TOPIC_FILE: to_json({"model": embed.describe(), "vector": [round(float(v), 5) for v in vector]})}


def reapplied_line(applied: int, saved: int) -> str:
    """The one line a redraft says about the editor's saved edits it applied again."""
    line = f"{EDITS_FILE}: re-applied {applied} of the editor's {saved} saved edits"
    return line + ("; the others no longer fit (see above)" if applied < saved else "")


def render_settings(options: DraftOptions) -> RenderSettings:
    """The settings that shape the rendered files, as the draft folder keeps them."""
    template_dir = str(options.template_dir.resolve()) if options.template_dir else ""
    engine = options.transcribe.engine_options
    return RenderSettings(
        options.formats,
        template_dir,
        options.front_matter,
        options.medical,
        engine.hotwords or "",
        engine=options.transcribe.engine,
        model=_model_name(engine.model),
        claims_file=str(options.claims_file.resolve()) if options.claims_file else "",
        images=options.images,
        video_text=options.video_text,
        verbatim=options.verbatim,
    )


def _model_name(model: str | None) -> str:
    """The model as settings.json keeps it: a folder or file by its whole path, so a redraft from
    elsewhere finds it; a name as given; "" for the bundled one."""
    return str(Path(model).resolve()) if model and Path(model).exists() else model or ""


def _frame_source(source: Path, options: DraftOptions) -> Path | None:
    """The media to take still frames from: a video's own file, unless images are off."""
    return _video(source) if options.images else None


def _video(source: Path) -> Path | None:
    """The source where it has pictures (still frames, on-screen text); None for audio and transcripts."""
    if source.suffix.lower() in TRANSCRIPT_SUFFIXES:
        return None
    return source if media.probe(source).has_video else None


def read_video_text(
    video: Path, duration: float, sha256: str = "", cache_dir: Path | None = None
) -> ScreenReading:
    """What the video shows (on-screen text, hard cuts); a one-line note in its place where it cannot be read.

    Pictures are a bonus like still frames: a video whose pictures cannot be decoded, or an install
    without rapidocr, still gets its draft from the speech. A reading is kept in the cache beside the
    transcripts (keyed by the media's SHA-256), so drafting the same video again reads nothing.
    """
    cached = read_cached_screen(cache_dir, sha256) if sha256 else None
    if cached is not None:
        report_stage(log, "screen", "reusing the cached text on screen: %s", media.display_path(video.name))
        return cached
    report_stage(log, "screen", "reading the text on screen: %s", media.display_path(video.name))
    try:
        reading = read_screen(video, duration)
    except (InputError, UsageError) as exc:
        log.warning("on-screen text not read: %s", exc)
        return ScreenReading(note=str(exc))  # worded in the draft's language by make_draft
    if sha256:
        write_cached_screen(cache_dir, sha256, reading)
    return reading


def add_section_images(
    draft: Draft, video: Path, previous: Draft | None = None
) -> tuple[Draft, dict[str, bytes]]:
    """The draft with each section's ``image`` set, and the JPEGs by their draft-folder paths.

    The first section's frame is the post's featured image. A still is named by its section's heading,
    but for a section the folder's draft (``previous``) already had over the same time: it keeps the
    name its still has there, as a Save keeps it, so a redraft leaves the post's image links as they
    were (an uploaded post's would break) whatever the heading has become.
    """
    try:
        # No still of a card; a text is dated from the first sample that showed it, up to a sample late.
        # Subtitles are on every frame: no card, and counting them would leave the card the sharpest.
        cards = (t for t in draft.screen_text if not (t.persistent or t.caption))
        shown = [(t.start - SAMPLE_EVERY_S, t.end) for t in cards]
        frames = section_frames(video, [(s.start, s.end) for s in draft.sections], shown)
    except InputError as exc:  # the pictures are a bonus: a video ffmpeg cannot seek in still gets its draft
        log.warning("no still frames: %s", exc)
        return draft, {}
    if not any(frames):
        return replace(draft, notes=(*draft.notes, message(draft.language, "note_no_frames"))), {}
    kept = {(s.start, s.end): s.image for s in previous.sections if s.image} if previous is not None else {}
    sections, files = [], {}
    for n, (section, frame) in enumerate(zip(draft.sections, frames), 1):
        if frame is not None:
            name = kept.get((section.start, section.end), "")
            if not name or name in files:
                named = slugify(section.still_name(draft.title), 40, ascii_only=True)  # a file sent as ASCII
                name = f"{IMAGES_DIR}/{n:02d}-{named}.jpg"
            files[name] = frame.jpeg
            section = replace(section, image=name)
        sections.append(section)
    return replace(draft, sections=tuple(sections)), files


def add_hearing_notes(draft: Draft, words: Transcript) -> Draft:
    """The draft with what the recogniser could not hear (speech without words, a cut) first in its notes."""
    return replace(draft, notes=words.notes + draft.notes) if words.notes else draft


def add_chapter_notes(draft: Draft, formats: tuple[str, ...]) -> Draft:
    """The draft with what YouTube's chapter rules changed (merged or dropped) in its ``notes``."""
    if "chapters" not in formats:
        return draft
    notes = youtube_chapters(draft.sections, draft.source.duration).said(draft.language)
    return replace(draft, notes=draft.notes + notes) if notes else draft


def own_inputs(source: Path, out_dir: Path) -> tuple[str, ...]:
    """The names of the draft folder's files that ``source`` is (a redraft from its own transcript.json)."""
    real = inside(out_dir, source)
    return (real.name,) if real is not None and real.parent == Path(os.path.realpath(out_dir)) else ()


# The outputs a redraft removes where their format is no longer asked for (unchanged since written); never
# transcript.json, the words the review page and the editor's saved edits point into.
RETIRED = tuple(w.filename for f, w in WRITERS.items() if f not in ("draft", "json"))


def write_draft(
    computed: ComputedDraft, out_dir: Path, force: bool = False, inputs: tuple[str, ...] = ()
) -> DraftResult:
    """Write a computed draft's files into ``out_dir`` all at once, keeping edited files unless ``force``.

    ``inputs`` name the folder's files the draft was read from: they are written over (see OutputFolder).
    """
    shown = sum(not Path(name).name.startswith(".") for name in computed.files)  # as the command lists them
    report_stage(log, "write", "writing %d files into %s", shown, out_dir)
    # a new set of still frames replaces the old one (a renamed heading renames its frame), and a draft
    # without stills (--no-images, captions) uses none of the old: only the frames video2blog wrote, as
    # it wrote them, go; an editor's own file in images/ is no frame of the manifest's and stays
    folder = OutputFolder(out_dir, force=force, inputs=inputs, replaces=(IMAGES_DIR,), retires=RETIRED)
    check_kept(folder, computed.files, inputs)  # a batch's draft: not checked before its work
    for name, data in computed.files.items():
        folder.add(name, data)
    report = folder.commit()
    draft_cache.keep(computed)  # only a draft that was written: a run stopped before has nothing to reuse
    draft, transcript = computed.draft, computed.transcript
    written, kept, removed = tuple(report.written), tuple(report.kept), tuple(report.removed)
    return DraftResult(out_dir, draft, transcript, written, kept, removed, computed.notes, computed.dropped)


def read_source(
    source: Path, options: DraftOptions, progress: ProgressCallback | None = None, label: str | None = None
) -> tuple[Transcript, Source, DraftOptions]:
    """Words and provenance from a media file (transcribed) or a transcript file (read), and the options
    they were heard with (:func:`with_heard_prompt`)."""
    media.check_readable(source)
    sha, name = sha256_file(source), media.display_path(label or source)
    if source.suffix.lower() in TRANSCRIPT_SUFFIXES:
        transcript = read_transcript_file(source)
        if source.suffix.lower() in CAPTION_SUFFIXES:  # captions say nothing of their language
            asked = options.transcribe.engine_options.language
            written = asked or language.written_language(transcript.text, name)
            transcript = replace(transcript, language=written)
        report_stage(log, "read", "read %s: %d words", Path(name).name, len(transcript.words))
        return transcript, Source(name, sha, transcript.duration), options
    language.choose_model(options.transcribe.engine_options)  # a language the model cannot hear: at once
    info = media.probe(source)
    report_stage(log, "read", "reading %s (%s of audio)", Path(name).name, clock(info.duration))
    options = with_heard_prompt(options, info, sha)
    heard = transcribe_media(info, sha, options.transcribe, milestones(progress, log, name))
    transcript = replace(heard, chapters=info.chapters)
    return transcript, Source(name, sha, round(info.duration, 3), media.ffmpeg_name()), options


def with_heard_prompt(options: DraftOptions, info: media.MediaInfo, sha256: str) -> DraftOptions:
    """``options`` whose recogniser's prompt, where it is the glossary's and the glossary has more terms
    worth prompting than the prompt holds (:func:`prompt.crowded`), gives only those the talk's opening is
    heard to say (:func:`terms_said`), or none. Ranked by spelling alone, a clinic's long list filled the
    prompt with drugs the talk never named, and Whisper looped on them and lost the speech. settings.json
    records the prompt chosen: a redraft without --glossary gives it again, hearing nothing twice."""
    engine, terms = options.transcribe.engine_options, options.glossary
    if not terms or engine.hotwords != glossary_prompt(terms) or not prompt.crowded(terms):
        return options
    said = terms_said(hear_opening(info, sha256, options.transcribe).words, terms)
    heard = replace(engine, hotwords=glossary_prompt(said))
    log.info("the prompt: the glossary's terms said in the opening: %s", heard.hotwords or "none")
    return replace(options, transcribe=replace(options.transcribe, engine_options=heard))


def read_transcript_file(path: Path) -> Transcript:
    """A ``transcript.json`` written by video2blog (perhaps corrected by an editor), or captions.

    Raises:
        InputError: not a transcript or captions, or a time not finite or outside the media.
    """
    captions = path.suffix.lower() in CAPTION_SUFFIXES
    transcript = read_captions(path) if captions else shown_words(read_transcript(path))
    # captions' cues may overlap (two speakers), and a transcript.json drafted from them keeps their order
    wrong = transcript_time_error(transcript, ordered=not captions and transcript.engine != "captions")
    if wrong:
        raise InputError(f"has a time that cannot be: {wrong}", path)
    return transcript


def shown_words(transcript: Transcript) -> Transcript:
    """``transcript`` without the characters a post never keeps in its words (a word of nothing else
    goes): a transcript.json from another tool or an editor's hand brings them as captions do."""
    words = tuple(replace(w, text=never_kept(w.text)) for w in transcript.words)
    if words == transcript.words:
        return transcript
    return replace(transcript, words=tuple(w for w in words if w.text.strip()), sentences=())


def make_draft(
    transcript: Transcript,
    source: Source,
    options: DraftOptions,
    encode: Encode | None = None,
    screen: ScreenReading | None = None,
) -> Draft:
    """The text stages after sentence splitting: sections (with sentence embeddings where installed,
    and the questions ``screen`` shows), cleanup and metadata; then, with ``options.llm``, the
    language model's guarded suggestions (and, with ``boundaries``, its choice among the candidate
    section starts). Without ``encode``, the installed encoder, each text embedded once a draft
    (:class:`Remembered`, as the command does: the encoder's vectors do not depend on the batch)."""
    if screen is not None:  # burned-in subtitles are the words heard, never headings nor cards
        screen = replace(screen, texts=with_captions(screen.texts, transcript.words))
    draft = _make_draft(transcript, source, options, encode, screen)
    if screen is None:
        return draft
    unread = message(draft.language, "note_screen_unread", detail=screen.note)
    notes = (*draft.notes, unread) if screen.note else draft.notes
    if any(t.caption for t in screen.texts):  # captions.srt uploaded too would show the words twice
        notes = (*notes, message(draft.language, "note_burned_captions"))
    byline = shown_byline(screen.texts)
    return replace(draft, screen_text=screen.texts, cuts=screen.cuts, notes=notes, byline=byline)


def _make_draft(
    transcript: Transcript,
    source: Source,
    options: DraftOptions,
    encode: Encode | None,
    screen: ScreenReading | None,
) -> Draft:
    if not transcript.words:
        raise InputError("holds no words to draft from", source.path)
    chapters = () if options.ignore_chapters else transcript.chapters
    encode = encode or remembered_encoder(options.transcribe.cache_dir)
    topics = embed.section_encoder(transcript.language, options.transcribe.cache_dir, encode)
    multilingual = embed.multilingual_encoder(transcript.language, options.transcribe.cache_dir)
    texts, cuts = (screen.texts, screen.cuts) if screen else ((), ())
    spans = find_sections(transcript, chapters, encode=topics, screen=texts, cuts=cuts)
    date = options.date or dt.date.today().isoformat()
    # The words the video shows spell those the speech was heard as ("Catamine" under "ketamine").
    glossary = merged_terms(options.glossary, shown_terms(texts))
    compose_options = ComposeOptions(verbatim=options.verbatim, date=date, glossary=glossary)
    if options.llm is None:
        draft = compose(transcript, spans, source, compose_options, encode, multilingual)
    else:
        session, chosen, warning = Session(options.llm), list[LlmSuggestion](), ""
        if options.llm.boundaries:  # in mode "suggest" the choice is recorded, not made
            moved, chosen, warning = with_boundaries(transcript, spans, session, topics)
            spans = moved if options.llm.mode == "use" else spans
        draft = compose(transcript, spans, source, compose_options, encode, multilingual)
        draft = suggest(draft, options.glossary, options.llm, session, chosen, warning)
    draft = check_card_order(draft, topics)  # cards shown in another order than the answers
    rules = claim_rules(transcript.language, options.claims)
    return replace(draft, claims=find_claims(draft, transcript, rules))
