"""video2blog command line: parse options, call the pipeline, say where the results went."""

from __future__ import annotations

import functools
import inspect
import logging
import os
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer

from video2blog.pipeline.batch.report import REPORT_CSV, REPORT_JSON, BatchReport, ItemRecord
from video2blog.pipeline.batch.runner import BatchItem, BatchOptions, run_batch
from video2blog.pipeline.engines import EngineOptions, ProgressCallback
from video2blog.pipeline.errors import Video2BlogError
from video2blog.pipeline.ingest.transcribe import TranscribeOptions, glossary_prompt, load_glossary
from video2blog.pipeline.run import DraftOptions, DraftResult, draft_file
from video2blog.pipeline.writers.formats import WRITERS, parse_formats

if TYPE_CHECKING:
    from rich.progress import Progress

app = typer.Typer(
    add_completion=False, no_args_is_help=True, help="Turn clinic videos into draft blog posts."
)

ModelOpt = Annotated[
    Optional[str],
    typer.Option(
        help="Model name or folder; openai-whisper also takes a .pt.", show_default="bundled tiny.en"
    ),
]
GlossaryOpt = Annotated[Optional[Path], typer.Option(help="Clinic terms, one a line, to bias recognition.")]
EngineOpt = Annotated[str, typer.Option(help="faster-whisper, or openai-whisper (extra 'openai').")]
FormatsOpt = Annotated[
    Optional[str], typer.Option(help="Comma list of outputs (see 'video2blog formats').", show_default="all")
]
DeviceOpt = Annotated[str, typer.Option(help="auto (a GPU where there is one), cpu, cuda or cuda:N.")]
ComputeOpt = Annotated[
    str,
    typer.Option(
        help="int8, int8_float32, float32 or float16.", show_default="int8 on CPU, float16 on GPU"
    ),
]
ThreadsOpt = Annotated[int, typer.Option(help="CPU threads for recognition.", show_default="all cores")]
BeamOpt = Annotated[int, typer.Option(help="Beam width (1 is greedy).")]
VadOpt = Annotated[bool, typer.Option(help="Skip silence with faster-whisper's bundled Silero VAD.")]
BatchedOpt = Annotated[bool, typer.Option(help="Use faster-whisper's batched pipeline.")]
TemplateOpt = Annotated[
    Optional[Path], typer.Option(help="Folder of templates overriding the built-in ones.")
]
VerbatimOpt = Annotated[bool, typer.Option(help="Keep fillers and repetitions as spoken.")]
ForceOpt = Annotated[bool, typer.Option(help="Overwrite drafts an editor has changed.")]
NoCacheOpt = Annotated[bool, typer.Option("--no-cache", help="Transcribe again even if cached.")]
ChaptersOpt = Annotated[
    bool, typer.Option("--ignore-chapters", help="Find sections in the speech, not the chapter marks.")
]
VerboseOpt = Annotated[bool, typer.Option("--verbose", "-v", help="Log each stage.")]


@dataclass(frozen=True)
class DraftFlags:
    """The options ``draft`` and ``batch`` share, as parsed (declared once in :data:`SHARED`)."""

    model: str | None = None
    glossary: Path | None = None
    engine: str = "faster-whisper"
    formats: str | None = None
    template_dir: Path | None = None
    verbatim: bool = False
    force: bool = False
    device: str = "auto"
    compute_type: str = "default"
    beam_size: int = 5
    vad: bool = True
    batched: bool = False
    no_cache: bool = False
    ignore_chapters: bool = False
    verbose: bool = False


_OPTION_TYPES: dict[str, object] = {
    "model": ModelOpt, "glossary": GlossaryOpt, "engine": EngineOpt, "formats": FormatsOpt,
    "template_dir": TemplateOpt, "verbatim": VerbatimOpt, "force": ForceOpt, "device": DeviceOpt,
    "compute_type": ComputeOpt, "beam_size": BeamOpt, "vad": VadOpt, "batched": BatchedOpt,
    "no_cache": NoCacheOpt, "ignore_chapters": ChaptersOpt, "verbose": VerboseOpt,
}
# The shared options as command parameters, with DraftFlags' defaults.
SHARED = [
    inspect.Parameter(
        f.name, inspect.Parameter.KEYWORD_ONLY, default=f.default, annotation=_OPTION_TYPES[f.name]
    )
    for f in fields(DraftFlags)
]


def shared_options(command: Callable[..., None]) -> Callable[..., None]:
    """Give a command the options of :class:`DraftFlags`; it receives them as ``flags``."""
    own = [p for p in inspect.signature(command, eval_str=True).parameters.values() if p.name != "flags"]

    @functools.wraps(command)
    def with_flags(**kwargs: Any) -> None:
        flags = DraftFlags(**{p.name: kwargs.pop(p.name) for p in SHARED})
        command(**kwargs, flags=flags)

    del with_flags.__wrapped__  # Typer reads the signature below, not the command's own
    with_flags.__signature__ = inspect.Signature(own + SHARED)  # type: ignore[attr-defined]
    with_flags.__annotations__ = {p.name: p.annotation for p in own + SHARED}
    return with_flags


def default_cache_dir() -> Path:
    """Where transcripts and converted models are cached between runs."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "video2blog"


def build_options(flags: DraftFlags, threads: int = 0) -> DraftOptions:
    """Turn CLI flags into the pipeline's options object."""
    terms = load_glossary(flags.glossary) if flags.glossary else ()
    engine_options = EngineOptions(
        model=flags.model, hotwords=glossary_prompt(terms), device=flags.device,
        compute_type=flags.compute_type, threads=threads, beam_size=flags.beam_size, vad=flags.vad,
        batched=flags.batched,
    )
    cache = None if flags.no_cache else default_cache_dir()
    return DraftOptions(
        transcribe=TranscribeOptions(engine=flags.engine, engine_options=engine_options, cache_dir=cache),
        glossary=terms, formats=parse_formats(flags.formats), template_dir=flags.template_dir,
        verbatim=flags.verbatim, force=flags.force, ignore_chapters=flags.ignore_chapters,
    )


@app.command()
@shared_options
def draft(
    video: Annotated[
        Path, typer.Argument(help="Video, audio, captions (.srt/.vtt) or transcript.json to draft from.")
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help="Draft folder (created if missing).")] = Path(
        "draft"
    ),
    threads: ThreadsOpt = 0,
    *,
    flags: DraftFlags,
) -> None:
    """Draft a blog post from one VIDEO into the folder --out."""
    _setup_logging(flags.verbose)
    with _errors_to_exit():
        options = build_options(flags, threads)
        with _progress(video) as progress:
            result = draft_file(video, out, options, progress)
    _report(result)


@app.command()
@shared_options
def batch(
    folder: Annotated[Path, typer.Argument(help="Folder of videos and audio files to draft.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder for the drafts, one subfolder each.")] = (
        Path("drafts")
    ),
    recursive: Annotated[bool, typer.Option("--recursive", "-r", help="Look in subfolders too.")] = False,
    pattern: Annotated[
        Optional[list[str]],
        typer.Option("--pattern", "-p", help="Only files matching this glob (repeatable); default: media."),
    ] = None,
    jobs: Annotated[int, typer.Option("--jobs", "-j", help="Videos drafted at once on this machine.")] = 1,
    scheduler: Annotated[
        Optional[str], typer.Option(help="Run on a Dask cluster: its scheduler's tcp://HOST:PORT.")
    ] = None,
    *,
    flags: DraftFlags,
) -> None:
    """Draft every video in FOLDER into --out/NAME/; re-runs skip what is unchanged."""
    _setup_logging(flags.verbose)
    with _errors_to_exit():
        options = build_options(flags)  # threads 0: the batch gives each job its share of the cores
        spec = BatchOptions(folder, out, options, recursive, tuple(pattern or ()), jobs, scheduler=scheduler)
        with _BatchDisplay() as display:
            report = run_batch(spec, display)
    _batch_summary(report, out)
    raise typer.Exit(report.exit_code)


@app.command("formats")
def list_formats() -> None:
    """List the outputs a draft can have (choose with --formats)."""
    for name, writer in WRITERS.items():
        typer.echo(f"{name:8} {writer.filename:18} {writer.description}")


def _report(result: DraftResult) -> None:
    sections = len(result.draft.sections)
    typer.echo(f"Drafted {result.draft.title!r} ({sections} sections) into {result.out_dir}")
    for path in result.written:
        typer.echo(f"  wrote {path}")
    for path in result.kept:
        typer.echo(f"  kept your edited {path}; the new version is beside it", err=True)


class _Terminated(KeyboardInterrupt):
    """SIGTERM, raised like Ctrl-C so that the same clean-up runs; exit status 143."""


def _on_sigterm(signum: int, frame: object) -> None:
    raise _Terminated()


class _errors_to_exit:
    """Turn the project's errors into one line on stderr and their exit status; SIGTERM acts as Ctrl-C."""

    def __enter__(self) -> None:
        in_main = threading.current_thread() is threading.main_thread()  # only it may set handlers
        self._sigterm = signal.signal(signal.SIGTERM, _on_sigterm) if in_main else None

    def __exit__(self, kind: type | None, exc: BaseException | None, tb: object) -> None:
        if self._sigterm is not None:
            signal.signal(signal.SIGTERM, self._sigterm)
        if isinstance(exc, Video2BlogError):
            typer.echo(f"video2blog: error: {exc}", err=True)
            raise typer.Exit(exc.exit_code)
        if isinstance(exc, KeyboardInterrupt):
            typer.echo("video2blog: interrupted; finished files were kept, nothing half-written", err=True)
            raise typer.Exit(143 if isinstance(exc, _Terminated) else 130)


class _progress:
    """A transcription progress bar on a terminal; nothing in a log."""

    def __init__(self, video: Path) -> None:
        self.video = video
        self.bar: Progress | None = None

    def __enter__(self) -> ProgressCallback | None:
        if not sys.stderr.isatty():
            return None
        from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

        bar = self.bar = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            TextColumn("{task.completed:.0f}/{task.total:.0f} s"),
            TimeRemainingColumn(),
            transient=True,
        )
        bar.__enter__()
        task = bar.add_task(f"Transcribing {self.video.name}", total=None)
        return lambda done, total: bar.update(task, completed=done, total=total)

    def __exit__(self, *exc: Any) -> None:
        if self.bar is not None:
            self.bar.__exit__(*exc)


class _BatchDisplay:
    """Batch progress: on a terminal a live bar with the videos in hand; in a log, one line per video."""

    def __init__(self) -> None:
        self.total, self.done, self.current = 0, 0, {}  # type: ignore[var-annotated]
        self.bar: Any = None

    def __enter__(self) -> _BatchDisplay:
        if sys.stderr.isatty():
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            what = TextColumn("{task.description}")
            columns = (BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), what)
            self.bar = Progress(*columns, console=Console(stderr=True), transient=True)
            self.bar.__enter__()
            self.task = self.bar.add_task("", total=None)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.__exit__(*exc)

    def begin(self, items: Sequence[BatchItem]) -> None:
        self.total = len(items)
        self._show()

    def started(self, item: BatchItem) -> None:
        self.current[str(item.source)] = item.relative
        self._show()

    def finished(self, record: ItemRecord) -> None:
        self.done += 1
        self.current.pop(record.input, None)
        error = record.error.removeprefix(f"{record.input}: ")
        note = f": {error}" if error else f" ({record.seconds:.1f} s)"
        line = f"[{self.done}/{self.total}] {record.status} {record.input}{note}"
        if self.bar is None:
            typer.echo(line, err=True)
        else:
            self.bar.console.print(line, markup=False, highlight=False)
        self._show()

    def _show(self) -> None:
        if self.bar is not None:
            doing = ", ".join(self.current.values())
            self.bar.update(self.task, total=self.total, completed=self.done, description=doing)


def _batch_summary(report: BatchReport, out: Path) -> None:
    counts = ", ".join(f"{n} {status}" for status, n in report.counts().items())
    typer.echo(f"Batch of {len(report.records)} into {out}: {counts}")
    typer.echo(f"  report: {out / REPORT_JSON}, {out / REPORT_CSV}")


def _setup_logging(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )
