"""The per-file pipeline: source -> transcript -> sentences -> sections -> draft -> files."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
from dataclasses import dataclass, field, replace
from pathlib import Path

from video2blog.pipeline.digest import sha256_file
from video2blog.pipeline.engines import ProgressCallback, embed
from video2blog.pipeline.errors import InputError
from video2blog.pipeline.ingest import media
from video2blog.pipeline.ingest.captions import read_captions
from video2blog.pipeline.ingest.transcribe import TranscribeOptions, transcribe_media
from video2blog.pipeline.output import OutputFolder
from video2blog.pipeline.schema import Draft, Source, Transcript
from video2blog.pipeline.serialize import transcript_from_dict
from video2blog.pipeline.sources import CAPTION_SUFFIXES, TRANSCRIPT_SUFFIXES
from video2blog.pipeline.text.compose import ComposeOptions, compose
from video2blog.pipeline.text.sections import find_sections
from video2blog.pipeline.text.sentences import split_sentences
from video2blog.pipeline.writers.formats import DEFAULT_FORMATS, RenderContext, render_all

log = logging.getLogger(__name__)



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


@dataclass(frozen=True)
class DraftResult:
    """Where a draft went: the files written and the edited files that were kept."""

    out_dir: Path
    draft: Draft
    transcript: Transcript
    written: tuple[Path, ...]
    kept: tuple[Path, ...]

    @property
    def status(self) -> str:
        return "kept-edits" if self.kept else "drafted"


@dataclass(frozen=True)
class ComputedDraft:
    """A draft and its rendered files, not yet written: what a batch worker hands back."""

    draft: Draft
    transcript: Transcript
    files: dict[str, bytes]


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
    existed = out_dir.exists()
    OutputFolder(out_dir, force=options.force)  # fail on a bad folder before any work
    try:
        computed = compute_draft(source, options, progress, out_dir=out_dir)
    except BaseException:
        if not existed:
            _remove_if_empty(out_dir)  # a failed first draft leaves nothing behind
        raise
    return write_draft(computed, out_dir, options.force)


def _remove_if_empty(folder: Path) -> None:
    with contextlib.suppress(OSError):  # not empty, or already gone: leave it as it is
        folder.rmdir()


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
    words, src = read_source(source, options, progress, label)
    return render_draft(words, src, options, out_dir)


def render_draft(
    words: Transcript, src: Source, options: DraftOptions, out_dir: Path | None = None
) -> ComputedDraft:
    """Sentences, sections and every chosen file's bytes from a transcription. Pure: no I/O."""
    transcript = split_sentences(words)
    draft = make_draft(transcript, src, options)
    ctx = RenderContext(draft, transcript, template_dir=options.template_dir, out_dir=out_dir)
    return ComputedDraft(draft, transcript, render_all(ctx, options.formats))


def write_draft(computed: ComputedDraft, out_dir: Path, force: bool = False) -> DraftResult:
    """Write a computed draft's files into ``out_dir`` all at once, keeping edited files unless ``force``."""
    folder = OutputFolder(out_dir, force=force)
    for name, data in computed.files.items():
        folder.add(name, data)
    report = folder.commit()
    draft, transcript = computed.draft, computed.transcript
    return DraftResult(out_dir, draft, transcript, tuple(report.written), tuple(report.kept))


def read_source(
    source: Path, options: DraftOptions, progress: ProgressCallback | None = None, label: str | None = None
) -> tuple[Transcript, Source]:
    """Words and provenance from a media file (transcribed) or a transcript file (read)."""
    media.check_readable(source)
    sha, name = sha256_file(source), media.display_path(label or source)
    if source.suffix.lower() in TRANSCRIPT_SUFFIXES:
        transcript = read_transcript_file(source)
        return transcript, Source(name, sha, transcript.duration)
    info = media.probe(source)
    transcript = replace(transcribe_media(info, sha, options.transcribe, progress), chapters=info.chapters)
    return transcript, Source(name, sha, round(info.duration, 3))


def read_transcript_file(path: Path) -> Transcript:
    """A ``transcript.json`` written by video2blog (perhaps corrected by an editor), or captions."""
    if path.suffix.lower() in CAPTION_SUFFIXES:
        return read_captions(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        json.dumps(data, ensure_ascii=False).encode("utf-8")  # a lone "\ud800" escape fails only when written
        return transcript_from_dict(data)
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
        raise InputError(f"is not a video2blog transcript.json ({exc})", path) from exc


def make_draft(transcript: Transcript, source: Source, options: DraftOptions) -> Draft:
    """The text stages after sentence splitting: sections (with sentence embeddings where installed),
    cleanup and metadata."""
    if not transcript.words:
        raise InputError("holds no words to draft from", source.path)
    chapters = () if options.ignore_chapters else transcript.chapters
    spans = find_sections(transcript, chapters, encode=embed.encoder())
    date = options.date or dt.date.today().isoformat()
    compose_options = ComposeOptions(verbatim=options.verbatim, date=date, glossary=options.glossary)
    return compose(transcript, spans, source, compose_options)
