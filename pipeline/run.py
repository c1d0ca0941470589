"""The per-file pipeline: source -> transcript -> sentences -> sections -> draft -> files."""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

from pipeline import media
from pipeline.compose import ComposeOptions, compose
from pipeline.engines import ProgressCallback
from pipeline.errors import InputError
from pipeline.output import OutputFolder
from pipeline.schema import Draft, Source, Transcript
from pipeline.sections import find_sections
from pipeline.sentences import split_sentences
from pipeline.serialize import transcript_from_dict
from pipeline.transcribe import TranscribeOptions, transcribe_media
from pipeline.writers import DEFAULT_FORMATS, RenderContext, render_all

log = logging.getLogger(__name__)

TRANSCRIPT_SUFFIXES = frozenset({".json"})


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
    folder = OutputFolder(out_dir, force=options.force)  # fail on a bad folder before any work
    words, src = read_source(source, options, progress)
    transcript = split_sentences(words)
    draft = make_draft(transcript, src, options)
    ctx = RenderContext(draft=draft, transcript=transcript, template_dir=options.template_dir)
    for name, data in render_all(ctx, options.formats).items():
        folder.add(name, data)
    report = folder.commit()
    return DraftResult(out_dir, draft, transcript, tuple(report.written), tuple(report.kept))


def read_source(
    source: Path, options: DraftOptions, progress: ProgressCallback | None = None
) -> tuple[Transcript, Source]:
    """Words and provenance from a media file (transcribed) or a transcript file (read)."""
    media.check_readable(source)
    sha = media.sha256_file(source)
    if source.suffix.lower() in TRANSCRIPT_SUFFIXES:
        transcript = read_transcript_file(source)
        return transcript, Source(str(source), sha, transcript.duration)
    info = media.probe(source)
    transcript = transcribe_media(info, sha, options.transcribe, progress)
    return transcript, Source(str(source), sha, round(info.duration, 3))


def read_transcript_file(path: Path) -> Transcript:
    """A ``transcript.json`` written by video2blog (perhaps corrected by an editor)."""
    try:
        return transcript_from_dict(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
        raise InputError(f"is not a video2blog transcript.json ({exc})", path) from exc


def make_draft(transcript: Transcript, source: Source, options: DraftOptions) -> Draft:
    """The text stages after sentence splitting: sections, cleanup and metadata. Pure: no I/O."""
    if not transcript.words:
        raise InputError("holds no words to draft from", source.path)
    spans = find_sections(transcript)
    date = options.date or dt.date.today().isoformat()
    return compose(transcript, spans, source, ComposeOptions(verbatim=options.verbatim, date=date))
