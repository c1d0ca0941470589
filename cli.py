"""video2blog command line: parse options, call the pipeline, say where the results went."""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import functools
import inspect
import logging
import os
import re
import shlex
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from types import FrameType
from typing import Annotated, Any, Optional, cast

import typer

from video2blog.display import BatchDisplay, DraftDisplay, stderr_mode
from video2blog.pipeline import __version__
from video2blog.pipeline.batch.library import LibraryResult
from video2blog.pipeline.batch.report import REPORT_CSV, REPORT_JSON, BatchReport
from video2blog.pipeline.batch.runner import WORKER_WAIT_S, BatchOptions, run_batch
from video2blog.pipeline.engines import EngineOptions
from video2blog.pipeline.engines.base import check_engine
from video2blog.pipeline.errors import UsageError, Video2BlogError
from video2blog.pipeline.ingest import media
from video2blog.pipeline.ingest.language import parse_language
from video2blog.pipeline.ingest.transcribe import TranscribeOptions, glossary_prompt, load_glossary
from video2blog.pipeline.llm import LlmOptions
from video2blog.pipeline.llm.options import MODES, Mode
from video2blog.pipeline.output import version_beside
from video2blog.pipeline.progress import stage_of
from video2blog.pipeline.run import (
    DraftOptions,
    DraftResult,
    check_other_talk,
    clinic_claim_rules,
    draft_file,
)
from video2blog.pipeline.signals import Terminated, restore_handlers
from video2blog.pipeline.writers.formats import WRITERS, parse_formats
from video2blog.pipeline.writers.site import check_front_matter

log = logging.getLogger(__name__)

app = typer.Typer(
    add_completion=False, no_args_is_help=True, help="Turn clinic videos into draft blog posts."
)


# Writes that fail for want of room or a device (what a report to a full disk meets).
WRITE_FAILURES = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO})


def run() -> None:
    """The console script and ``python -m video2blog``: the app, then a shutdown no signal can spoil.

    Once a command has returned, its files are written and reported; a Ctrl-C, SIGTERM or SIGHUP that lands
    while Python shuts down would only turn that finished run into one killed by the signal, so they
    are ignored from then on.
    """
    _closed_streams_to_devnull()
    try:
        app(prog_name="video2blog")
    except OSError as exc:
        if exc.errno not in WRITE_FAILURES:
            raise
        # its report could not be written (stdout to a full disk, /dev/full): the files are written
        typer.echo(f"video2blog: error: cannot write its report ({exc.strerror})", err=True)
        sys.exit(1)
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, signal.SIG_IGN)


def _closed_streams_to_devnull() -> None:
    """A standard stream the launcher closed (a daemon's ``2>&-``: Python then has None for it) writes to
    the null device, so that the run is not lost to the first message it writes."""
    for name in ("stdout", "stderr"):
        if getattr(sys, name) is None:
            setattr(sys, name, open(os.devnull, "w", encoding="utf-8"))  # noqa: SIM115 (for the whole run)


ModelOpt = Annotated[
    Optional[str],
    typer.Option(
        help="Model name or folder; openai-whisper also takes a .pt.", show_default="bundled tiny.en"
    ),
]
GlossaryOpt = Annotated[
    Optional[Path], typer.Option(readable=False, help="Clinic terms, one a line, to bias recognition.")
]
EngineOpt = Annotated[str, typer.Option(help="faster-whisper, or openai-whisper (extra 'openai').")]
FormatsOpt = Annotated[
    Optional[str], typer.Option(help="Comma list of outputs (see 'video2blog formats').", show_default="all")
]
DeviceOpt = Annotated[str, typer.Option(help="auto (a GPU where there is one), cpu, cuda or cuda:N.")]
ComputeOpt = Annotated[
    str,
    typer.Option(
        help="int8, int8_float32, float32 or float16 (openai-whisper: float32, or float16 on GPU).",
        show_default="int8 on CPU, float16 on GPU",
    ),
]
ThreadsOpt = Annotated[
    int, typer.Option(min=0, help="CPU threads for recognition.", show_default="all cores")
]
BeamOpt = Annotated[int, typer.Option(min=1, help="Beam width (1 is greedy).")]
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
VerboseOpt = Annotated[
    bool, typer.Option("--verbose", "-v", help="Log what each stage does, beside the progress.")
]
QuietOpt = Annotated[
    bool, typer.Option("--quiet", "-q", help="No progress or warnings on stderr, only errors.")
]
LlmOpt = Annotated[
    Optional[str],
    typer.Option(
        "--llm",
        help="OpenAI-compatible API base for heading suggestions, e.g. http://localhost:11434/v1; "
        "'off' ignores the config file's. Key from $VIDEO2BLOG_LLM_API_KEY or $OPENAI_API_KEY.",
        show_default="config file's 'llm', else none",
    ),
]
LlmModelOpt = Annotated[
    Optional[str], typer.Option("--llm-model", help="Model name at --llm.", show_default="the server's")
]
LlmModeOpt = Annotated[
    Optional[str],
    typer.Option(
        "--llm-mode",
        help="use: the best suggestion heads its section; suggest: only offer them.",
        show_default="use",
    ),
]
LlmBoundariesOpt = Annotated[
    bool, typer.Option("--llm-boundaries", help="Let --llm choose among the candidate section boundaries.")
]
LlmTimeoutOpt = Annotated[
    float, typer.Option("--llm-timeout", min=0.0, help="Seconds --llm may take per draft.")
]
AllowHttpOpt = Annotated[
    bool,
    typer.Option(
        "--allow-http",
        help="Send --llm's API key over plain http:// to a host that is not this machine (unencrypted).",
    ),
]
ClinicOpt = Annotated[Optional[str], typer.Option("--clinic", help="The clinic's name, for --llm's prompts.")]
FrontMatterOpt = Annotated[
    str,
    typer.Option(
        help="post.md's front matter for a static site: hugo, jekyll or astro.",
        show_default="video2blog's own fields",
    ),
]
MedicalOpt = Annotated[
    bool,
    typer.Option(
        "--medical/--no-medical", help="Mark post.html up as a MedicalWebPage (a clinician reviews it)."
    ),
]
ClaimsFileOpt = Annotated[
    Optional[Path],
    typer.Option(
        "--claims-file",
        readable=False,
        help="More claim patterns for editors to check, in the form of the built-in list.",
        show_default="the built-in list only",
    ),
]
RelatedOpt = Annotated[
    bool, typer.Option("--related/--no-related", help="Close each post of a batch with related ones of it.")
]
DraftRelatedOpt = Annotated[
    bool,
    typer.Option(
        "--related/--no-related",
        help="A redraft keeps the related posts a batch or library gave the talk; --no-related drops them.",
    ),
]
ImagesOpt = Annotated[bool, typer.Option(help="Take a still frame per section from a video.")]
VideoTextOpt = Annotated[
    bool, typer.Option(help="Read text shown in a video: questions on screen head their sections.")
]
LanguageOpt = Annotated[
    str,
    typer.Option(
        "--language",
        help="auto, or the talk's language (en, es, fr-FR, french...); not English needs extra 'base'.",
    ),
]
DateOpt = Annotated[
    str,
    typer.Option(
        "--date",
        help="The post's date, YYYY-MM-DD.",
        show_default="SOURCE_DATE_EPOCH's day (UTC) where set, else the folder's draft's, else today",
    ),
]
AudioTrackOpt = Annotated[
    int,
    typer.Option(
        "--audio-track",
        min=0,
        help="Audio track to transcribe, 1 for the first; 0 picks the one with the most speech.",
        show_default="the one with speech",
    ),
]


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
    quiet: bool = False
    llm: str | None = None
    llm_model: str | None = None
    llm_mode: str | None = None
    llm_boundaries: bool = False
    llm_timeout: float = 600.0
    allow_http: bool = False
    clinic: str | None = None
    front_matter: str = ""
    medical: bool = False
    images: bool = True
    audio_track: int = 0
    claims_file: Path | None = None
    related: bool = True
    video_text: bool = True
    language: str = "auto"
    date: str = ""
    # The options given on the command line (None: all of them): a redraft takes the others' settings
    # from the draft folder's settings.json.
    given: frozenset[str] | None = None


_OPTION_TYPES: dict[str, object] = {
    "model": ModelOpt,
    "glossary": GlossaryOpt,
    "engine": EngineOpt,
    "formats": FormatsOpt,
    "template_dir": TemplateOpt,
    "verbatim": VerbatimOpt,
    "force": ForceOpt,
    "device": DeviceOpt,
    "compute_type": ComputeOpt,
    "beam_size": BeamOpt,
    "vad": VadOpt,
    "batched": BatchedOpt,
    "no_cache": NoCacheOpt,
    "ignore_chapters": ChaptersOpt,
    "verbose": VerboseOpt,
    "quiet": QuietOpt,
    "llm": LlmOpt,
    "llm_model": LlmModelOpt,
    "llm_mode": LlmModeOpt,
    "llm_boundaries": LlmBoundariesOpt,
    "llm_timeout": LlmTimeoutOpt,
    "allow_http": AllowHttpOpt,
    "clinic": ClinicOpt,
    "front_matter": FrontMatterOpt,
    "medical": MedicalOpt,
    "images": ImagesOpt,
    "audio_track": AudioTrackOpt,
    "claims_file": ClaimsFileOpt,
    "related": RelatedOpt,
    "video_text": VideoTextOpt,
    "language": LanguageOpt,
    "date": DateOpt,
}
# The shared options as command parameters, with DraftFlags' defaults.
SHARED = [
    inspect.Parameter(
        f.name, inspect.Parameter.KEYWORD_ONLY, default=f.default, annotation=_OPTION_TYPES[f.name]
    )
    for f in fields(DraftFlags)
    if f.name != "given"
]


# Shared options whose help differs by command: on draft, --related decides what a redraft keeps.
_WORDING: dict[str, dict[str, object]] = {"draft": {"related": DraftRelatedOpt}}


def shared_options(command: Callable[..., None]) -> Callable[..., None]:
    """Give a command the options of :class:`DraftFlags`; it receives them as ``flags``."""
    own = [p for p in inspect.signature(command, eval_str=True).parameters.values() if p.name != "flags"]
    wording = _WORDING.get(command.__name__, {})
    shared = [p.replace(annotation=wording.get(p.name, p.annotation)) for p in SHARED]

    @functools.wraps(command)
    def with_flags(**kwargs: Any) -> None:
        given = _given(kwargs.pop(_CONTEXT.name), SHARED)
        flags = DraftFlags(**{p.name: kwargs.pop(p.name) for p in SHARED}, given=given)
        command(**kwargs, flags=flags)

    del with_flags.__wrapped__  # Typer reads the signature below, not the command's own
    every = [*own, *shared, _CONTEXT]
    with_flags.__signature__ = inspect.Signature(every)  # type: ignore[attr-defined]
    with_flags.__annotations__ = {p.name: p.annotation for p in every}
    return with_flags


# Typer hands a command its context through a parameter of this type: it says which options were given.
_CONTEXT = inspect.Parameter("typer_context", inspect.Parameter.KEYWORD_ONLY, annotation=typer.Context)


def _given(context: typer.Context, parameters: Sequence[inspect.Parameter]) -> frozenset[str]:
    """The names of ``parameters`` the user gave (on the command line, or in the environment)."""
    sources = {p.name: context.get_parameter_source(p.name) for p in parameters}
    return frozenset(
        n for n, s in sources.items() if s is not None and s.name not in ("DEFAULT", "DEFAULT_MAP")
    )


def _show_version(value: bool) -> None:
    if value:
        _say(f"video2blog {__version__}")
        _say(f"{media.ffmpeg_name() or 'ffmpeg: cannot be run'} ({media.ffmpeg_exe()})")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool, typer.Option("--version", callback=_show_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """Turn clinic videos into draft blog posts."""


def default_cache_dir() -> Path:
    """Where transcripts and converted models are cached between runs."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "video2blog"


def build_options(flags: DraftFlags, threads: int = 0) -> DraftOptions:
    """Turn CLI flags into the pipeline's options object."""
    if flags.template_dir is not None and not flags.template_dir.is_dir():  # else silently the built-ins
        raise UsageError(f"{flags.template_dir}: --template-dir must be a folder holding your templates")
    terms = load_glossary(flags.glossary) if flags.glossary else ()
    if flags.glossary and not terms:  # an empty file, or one of comments: likely the wrong one
        log.warning(
            "%s: holds no terms (one a line; '#' starts a comment): drafting without them", flags.glossary
        )
    engine_options = EngineOptions(
        model=flags.model,
        hotwords=glossary_prompt(terms),
        device=flags.device,
        compute_type=flags.compute_type,
        threads=threads,
        beam_size=flags.beam_size,
        vad=flags.vad,
        batched=flags.batched,
        language=parse_language(flags.language),
    )
    cache = None if flags.no_cache else default_cache_dir()
    return DraftOptions(
        transcribe=TranscribeOptions(
            engine=check_engine(flags.engine),  # before "loading the ... model" is said
            engine_options=engine_options,
            cache_dir=cache,
            audio_track=flags.audio_track,
        ),
        glossary=terms,
        formats=parse_formats(flags.formats),
        template_dir=flags.template_dir,
        verbatim=flags.verbatim,
        force=flags.force,
        ignore_chapters=flags.ignore_chapters,
        front_matter=check_front_matter(flags.front_matter),
        medical=flags.medical,
        images=flags.images,
        llm=llm_options(flags, load_config(), cache),
        claims=clinic_claim_rules(flags.claims_file),
        claims_file=flags.claims_file,
        given=flags.given,
        related=flags.related,
        video_text=flags.video_text,
        date=draft_date(flags.date, os.environ.get("SOURCE_DATE_EPOCH")),
    )


def draft_date(given: str, epoch: str | None) -> str:
    """``--date``, else the UTC day of ``SOURCE_DATE_EPOCH`` (the reproducible-builds convention), else ""
    (the folder's draft's date, or today).

    Raises:
        UsageError: the date is not YYYY-MM-DD, or SOURCE_DATE_EPOCH is not a count of seconds.
    """
    if given:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", given.strip()):
            raise UsageError(f"--date {given!r} is not a date; give it as YYYY-MM-DD, such as 2026-03-14")
        try:
            return dt.date.fromisoformat(given.strip()).isoformat()
        except ValueError:
            raise UsageError(f"--date {given!r} is not a day of the calendar; give YYYY-MM-DD") from None
    if not epoch:
        return ""
    try:
        return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc).date().isoformat()
    except (ValueError, OverflowError, OSError):
        raise UsageError(f"SOURCE_DATE_EPOCH={epoch!r} is not a count of seconds since 1970") from None


# Environment variables the language model's API key is read from, first set wins.
API_KEY_VARIABLES = ("VIDEO2BLOG_LLM_API_KEY", "OPENAI_API_KEY")
CONFIG_KEYS = frozenset({"llm", "llm_model", "llm_mode", "clinic"})


def config_path() -> Path:
    """The user's config file: ``$XDG_CONFIG_HOME/video2blog/config.toml``."""
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "video2blog" / "config.toml"


def load_config(path: Path | None = None) -> dict[str, str]:
    """The config file's settings (``llm = "http://localhost:11434/v1"``, ...); none if it is absent.

    Raises:
        UsageError: the file is not TOML, or holds a key or value video2blog does not know.
    """
    path = path or config_path()
    if not path.is_file():
        return {}
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # the same parser, as a package
        import tomli as tomllib

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise UsageError(f"{path}: cannot read the config file ({exc}); fix or remove it") from exc
    wrong = sorted(k for k, v in data.items() if k not in CONFIG_KEYS or not isinstance(v, str))
    if wrong:
        known = ", ".join(sorted(CONFIG_KEYS))
        raise UsageError(f"{path}: unknown or non-text setting {wrong[0]!r}; the settings are {known}")
    return dict(data)


def llm_options(flags: DraftFlags, config: dict[str, str], cache: Path | None) -> LlmOptions | None:
    """The language-model options from the flags, else the config file; None without a URL."""
    if flags.llm_mode is not None and flags.llm_mode not in MODES:  # a typo is said with the model off too
        raise UsageError(f"--llm-mode {flags.llm_mode!r} is not one of: {', '.join(MODES)}")
    url = flags.llm if flags.llm is not None else config.get("llm", "")
    if url.strip().lower() in ("", "off", "none"):
        return None
    key = next((os.environ[v] for v in API_KEY_VARIABLES if os.environ.get(v)), "")
    mode = cast(Mode, flags.llm_mode or config.get("llm_mode") or "use")  # LlmOptions refuses another
    try:
        return LlmOptions(
            url=url.strip(),
            model=flags.llm_model or config.get("llm_model", ""),
            mode=mode,
            boundaries=flags.llm_boundaries,
            clinic=flags.clinic or config.get("clinic", ""),
            api_key=key,
            cache_dir=cache,
            draft_timeout=flags.llm_timeout,
            request_timeout=min(120.0, flags.llm_timeout),
            allow_http=flags.allow_http,
        )
    except UsageError as exc:
        if flags.llm is not None and (flags.llm_mode or "llm_mode" not in config):
            raise
        raise UsageError(f"{config_path()}: {exc} (set in the config file: fix it there)") from exc


@app.command()
@shared_options
def draft(
    video: Annotated[
        Path,
        typer.Argument(
            readable=False, help="Video, audio, captions (.srt/.vtt) or transcript.json to draft from."
        ),
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help="Draft folder (created if missing).")] = Path(
        "draft"
    ),
    threads: ThreadsOpt = 0,
    *,
    flags: DraftFlags,
) -> None:
    """Draft a blog post from one VIDEO into the folder --out."""
    _setup_logging(flags.verbose, flags.quiet)
    with _errors_to_exit() as guard:
        options = build_options(flags, threads)
        check_other_talk(video, out, options.force)  # before the minutes of hearing it
        with DraftDisplay(video, "quiet" if flags.quiet else None) as progress:
            result = draft_file(video, out, options, progress)
            guard.complete()  # the draft is written: a signal now would only cut its report short
        _report(result)
        if (result.out_dir / "transcript.json").exists():
            _say(f"Next: video2blog review {shlex.quote(str(result.out_dir))}  (check it beside the video)")
        elif "json" not in options.formats:
            _say("  note: without the json format (transcript.json), 'video2blog review' cannot open it")


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
    worker_wait: Annotated[
        float,
        typer.Option(help="Seconds a --scheduler batch waits while its cluster has no worker, then ends."),
    ] = WORKER_WAIT_S,
    *,
    flags: DraftFlags,
) -> None:
    """Draft every video in FOLDER into --out/NAME/; re-runs skip what is unchanged."""
    _setup_logging(flags.verbose, flags.quiet)
    with _errors_to_exit(resumable=True):
        options = build_options(flags)  # threads 0: the batch gives each job its share of the cores
        found = (folder, out, options, recursive, tuple(pattern or ()), jobs)
        spec = BatchOptions(*found, scheduler=scheduler, worker_wait_s=worker_wait)
        with BatchDisplay("quiet" if flags.quiet else None) as display:
            report = run_batch(spec, display)
    _batch_summary(report, out, pattern or ())
    if not report.records:  # an empty inbox is no error for a job run unattended, but say what was looked for
        looked = f"no file matching {', '.join(pattern)}" if pattern else "no media file (video or audio)"
        where = f"{folder} or its subfolders" if recursive else f"{folder} (-r looks in its subfolders)"
        typer.echo(f"  nothing to draft: {looked} in {where}", err=True)
    raise typer.Exit(report.exit_code)


@app.command()
def library(
    drafts_dir: Annotated[Path, typer.Argument(help="A folder of drafts (the --out of 'video2blog batch').")],
    related: RelatedOpt = True,
    template_dir: TemplateOpt = None,
    front_matter: FrontMatterOpt = "",
    medical: MedicalOpt = False,
    force: ForceOpt = False,
    verbose: VerboseOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Give each draft in DRAFTS_DIR up to three related drafts of the same folder; nothing is transcribed.

    Each post is rendered again with its related posts and the settings it was drafted with (its
    settings.json); --template-dir, --front-matter and --medical are for drafts made before that file
    was written. Files an editor changed get the new version beside them.
    """
    from video2blog.pipeline.batch.library import LibraryOptions
    from video2blog.pipeline.batch.library import library as update_library

    _setup_logging(verbose, quiet)
    with _errors_to_exit():
        options = LibraryOptions(related, template_dir, check_front_matter(front_matter), medical, force)
        result = update_library(drafts_dir, options)
    _library_summary(result, drafts_dir)
    raise typer.Exit(1 if result.failed else 0)


@app.command()
def review(
    draft_dir: Annotated[Path, typer.Argument(help="A draft folder (made by 'video2blog draft').")],
    port: Annotated[
        int,
        typer.Option(min=0, max=65535, help="Port on 127.0.0.1 (0: the folder's own, else any free one)."),
    ] = 0,
    no_browser: Annotated[
        bool, typer.Option("--no-browser", help="Print the address; open nothing.")
    ] = False,
) -> None:
    """Edit DRAFT_DIR in the review page, served on this machine only; Save re-renders every output."""
    from video2blog.pipeline.editing.server import serve_review

    def ready(url: str) -> None:
        _say(f"Reviewing {draft_dir} at {url}")
        _say("Press Ctrl-C to stop.")

    with _errors_to_exit():
        try:
            serve_review(draft_dir, port, open_browser=not no_browser, ready=ready, note=_say)
        except KeyboardInterrupt:  # Ctrl-C (or SIGTERM) is how a review ends; a save in hand finished first
            _say("Stopped.")


PASSWORD_ENV = "VIDEO2BLOG_WP_PASSWORD"
# How a post's status reads after "Created"/"Updated" (WordPress calls a live post "publish").
POST_STATUSES = {"publish": "published", "future": "scheduled"}


@app.command()
def publish(
    draft_dir: Annotated[Path, typer.Argument(help="A draft folder written by 'video2blog draft'.")],
    wordpress: Annotated[
        str, typer.Option(help="The WordPress site's address, e.g. https://clinic.example.")
    ],
    user: Annotated[str, typer.Option(help="Your WordPress user name.")],
    status: Annotated[
        Optional[str],
        typer.Option(
            help="draft, pending, private or publish.",
            show_default="draft for a new post; an updated post keeps its status",
        ),
    ] = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Update the post even where it was changed on the site since it was last published.",
        ),
    ] = False,
    allow_http: Annotated[
        bool,
        typer.Option(
            "--allow-http",
            help="Send the password over plain http:// to a site that is not this machine (unencrypted).",
        ),
    ] = False,
    verbose: VerboseOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Send DRAFT_DIR to a WordPress site as a draft post (again: update it, unless changed on the site).

    The application password (Users > Profile > Application Passwords) is read from the environment
    variable VIDEO2BLOG_WP_PASSWORD, or asked for without echo; never give it as an argument.
    """
    from video2blog.pipeline.publish.wordpress import (
        WordPressSite,
        checked_post,
        normalise_url,
        publish_draft,
    )

    _setup_logging(verbose, quiet)
    with _errors_to_exit():
        checked_post(draft_dir, status)  # a folder that is no draft is said before the password is asked
        normalise_url(wordpress, allow_http)  # so is an address it must not be sent to
        site = WordPressSite(wordpress, user, _wordpress_password(), allow_http=allow_http)
        result = publish_draft(draft_dir, site, status, force)
    verb = "Created" if result.created else "Updated"
    shown = POST_STATUSES.get(result.status, result.status)
    _say(f"{verb} {shown} post {result.post_id} with {result.images} images: {result.link}")
    for note in result.notes:
        _say(f"  note: {note}")


def _wordpress_password() -> str:
    password = os.environ.get(PASSWORD_ENV, "")
    if password:
        return password
    if not sys.stdin.isatty():
        raise UsageError(f"set {PASSWORD_ENV} to the user's application password (no terminal to ask on)")
    return str(typer.prompt("Application password", hide_input=True))


@app.command("formats")
def list_formats() -> None:
    """List the outputs a draft can have (choose with --formats)."""
    for name, writer in WRITERS.items():
        _say(f"{name:8} {writer.filename:18} {writer.description}")


def _kept_line(path: Path) -> str:
    """The line for a file an editor changed: kept, where the new version went (``post.new.md``), and how
    to bring the two together (as the review page's Save says)."""
    new, folder = version_beside(path).name, _folder_of(path)
    return (
        f"  kept your edited {path}; the new version is {new} beside it: to bring them together, make your "
        f"change in 'video2blog review {folder}' too, delete {path.name} and Save"
    )


def _folder_of(path: Path) -> Path:
    """The draft folder a kept file is in (a still frame is in its ``images/``)."""
    return path.parent.parent if path.parent.name == "images" else path.parent


def _report(result: DraftResult) -> None:
    sections, claims = len(result.draft.sections), len(result.draft.claims)
    checks = f", {claims} claim{'s' if claims != 1 else ''} to check" if claims else ""
    said = f"{sections} section{'s' if sections != 1 else ''}"
    _say(f'Drafted "{result.draft.title}" ({said}{checks}) into {result.out_dir}')
    for path in result.written:
        if not path.name.startswith("."):  # video2blog's own records (the topic vector), not the editor's
            _say(f"  wrote {path}")
    for path in result.kept:
        typer.echo(_kept_line(path), err=True)
    for path in result.removed:
        _say(f"  removed the out-of-date {path}")
    # the edits re-applied, what the outputs had to bend (YouTube's chapter rules): not errors
    for note in (*result.notes, *result.draft.notes):
        _say(f"  note: {note}")
    if result.draft.glossary_not_found:
        missing = _capped(result.draft.glossary_not_found)
        _say(f"  glossary terms nowhere in the post (not said, or misheard): {missing}")


def _capped(names: Sequence[str], shown: int = 5) -> str:
    """``names`` joined, the first ``shown`` of them and "and N more" for the rest."""
    more = f" and {len(names) - shown} more" if len(names) > shown else ""
    return ", ".join(names[:shown]) + more


def _say(text: str) -> None:
    """A line of the command's report on stdout. A reader that has gone (``| head -1``) had what it wanted:
    the rest goes to the null device and the run ends as its work did (Click would end it with exit 1
    and no word, the draft written). A terminal closed while the report prints (EIO) is a reader gone too."""
    try:
        typer.echo(text)
    except OSError as error:
        if error.errno not in (errno.EPIPE, errno.EIO):
            raise
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # the buffered rest, and every later line, go nowhere
        os.close(devnull)


class _errors_to_exit:
    """Turn the project's errors into one line on stderr and their exit status; SIGTERM, and SIGHUP (the
    terminal closed), act as Ctrl-C.

    The signal handlers note that a signal came: a library that turns the KeyboardInterrupt into an
    error of its own (an interrupted import of a native module becomes an ImportError, caught and
    re-raised as a RuntimeError) still ends the run as interrupted, not with a traceback.
    """

    def __init__(self, resumable: bool = False) -> None:
        self.resumable = resumable  # a batch: the same command again takes up where this one stopped

    def __enter__(self) -> _errors_to_exit:
        self.signalled: int | None = None
        self._saved: dict[int, Any] = {}
        if threading.current_thread() is not threading.main_thread():  # only it may set handlers
            return self
        self._saved[signal.SIGTERM] = signal.signal(signal.SIGTERM, self._on_signal)
        if signal.getsignal(signal.SIGINT) is signal.default_int_handler:  # not where Ctrl-C is ignored
            self._saved[signal.SIGINT] = signal.signal(signal.SIGINT, self._on_signal)
        if signal.getsignal(signal.SIGHUP) == signal.SIG_DFL:  # not under nohup, which ignores it
            self._saved[signal.SIGHUP] = signal.signal(signal.SIGHUP, self._on_signal)
        # Recorded last so that it is put back first (restore_handlers goes from the last): a signal that
        # lands while SIGINT and SIGTERM are put back may still arm the finalizer retry, whose alarm must
        # not meet SIGALRM's default action, which kills the process.
        self._saved[signal.SIGALRM] = signal.getsignal(signal.SIGALRM)
        return self

    def complete(self) -> None:
        """The work is done (its files written): Ctrl-C, SIGTERM and SIGHUP are ignored until the block
        ends, so that the display closes and the report is printed whole, and the run ends with 0."""
        for signum in self._saved:
            if signum != signal.SIGALRM:
                signal.signal(signum, signal.SIG_IGN)

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        self.signalled = signum
        if _in_finalizer(frame):
            # Raised inside a __del__, the interrupt would be printed as "Exception ignored" and lost:
            # it is sent again a moment later, outside the finalizer, to whichever handler is set then
            # (one that holds or notes signals: video2blog.pipeline.signals).
            signal.signal(signal.SIGALRM, lambda _signum, _later: signal.raise_signal(signum))
            signal.setitimer(signal.ITIMER_REAL, FINALIZER_RETRY_S)
            return
        signal.setitimer(signal.ITIMER_REAL, 0)  # a retry still to come would interrupt the clean-up
        raise KeyboardInterrupt() if signum == signal.SIGINT else Terminated(signum)

    def __exit__(self, kind: type | None, exc: BaseException | None, tb: object) -> None:
        if self._saved:
            signal.setitimer(signal.ITIMER_REAL, 0)
        restore_handlers(self._saved)
        if isinstance(exc, Video2BlogError):
            typer.echo(f"video2blog: error: {_printable(str(exc))}", err=True)
            raise typer.Exit(exc.exit_code)
        if isinstance(exc, KeyboardInterrupt) or (self.signalled and isinstance(exc, Exception)):
            again = "; run the same command again to resume" if self.resumable else ""
            _tell(f"video2blog: interrupted; finished files were kept, nothing half-written{again}")
            raise typer.Exit(_stopped_status(exc, self.signalled))


def _stopped_status(exc: BaseException | None, signalled: int | None) -> int:
    """The exit status of a run a signal ended: 130 for Ctrl-C, 128 + the signal's number for the others
    (143 for SIGTERM, 129 for SIGHUP)."""
    if isinstance(exc, Terminated):
        return exc.exit_status
    return 128 + signalled if signalled in (signal.SIGTERM, signal.SIGHUP) else 130


def _tell(line: str) -> None:
    """``line`` on stderr where it can still be written: a terminal that was closed (SIGHUP) shows nothing."""
    with contextlib.suppress(OSError):
        typer.echo(line, err=True)


FINALIZER_RETRY_S = 0.02


def _in_finalizer(frame: FrameType | None, depth: int = 8) -> bool:
    """Whether ``frame`` runs inside an object's ``__del__`` (within ``depth`` calls)."""
    while frame is not None and depth > 0:
        if frame.f_code.co_name == "__del__":
            return True
        frame, depth = frame.f_back, depth - 1
    return False


def _printable(text: str) -> str:
    """``text`` on one line: a newline or other control character in a file name is shown escaped."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def _batch_summary(report: BatchReport, out: Path, patterns: Sequence[str] = ()) -> None:
    counts = ", ".join(f"{n} {status}" for status, n in report.counts().items())
    claims = f", {report.library.claims} claims to check" if report.library and report.library.claims else ""
    _say(f"Batch of {len(report.records)} into {out}: {counts}{claims}")
    _say(f"  report: {out / REPORT_JSON}, {out / REPORT_CSV}")
    if report.passed_over:  # a kind of file the batch does not take is not drafted in silence
        files = "file" if report.passed_over == 1 else "files"
        why = "matching no --pattern" if patterns else "not video or audio by extension; --pattern takes any"
        _say(f"  passed over {report.passed_over} other {files} in the folder ({why})")
    if report.links:
        _say(f"  passed over {report.links} {'link' if report.links == 1 else 'links'} (each named above)")
    if report.library is not None:
        _library_lines(report.library)


def _library_summary(result: LibraryResult, folder: Path) -> None:
    claims = f", {result.claims} claims to check" if result.claims else ""
    _say(f"Library of {result.drafts} drafts in {folder}: {len(result.updated)} updated{claims}")
    _library_lines(result)


def _library_lines(result: LibraryResult) -> None:
    if result.updated:
        _say(f"  related posts updated: {', '.join(result.updated)}")
    for path in result.kept:
        typer.echo(_kept_line(path), err=True)
    for line in result.failed:
        typer.echo(f"video2blog: error: {_printable(line)}", err=True)


class _StderrHandler(logging.StreamHandler):
    """Log lines to whatever ``sys.stderr`` is now: above the live display while one runs, not through it."""

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, value: object) -> None:
        pass


class _LineFormatter(logging.Formatter):
    """A warning worded as the command's other lines ("video2blog: warning: ..."); with --verbose, the
    detail with the module that logged it."""

    def format(self, record: logging.LogRecord) -> str:
        if record.levelno >= logging.WARNING:
            return f"video2blog: {record.levelname.lower()}: {record.getMessage()}"
        return super().format(record)


def _setup_logging(verbose: bool, quiet: bool = False) -> None:
    if verbose and quiet:
        raise typer.BadParameter("--verbose and --quiet say the opposite: give one")
    level = logging.INFO if verbose else logging.ERROR if quiet else logging.WARNING
    handler = _StderrHandler()
    handler.setLevel(level)  # the display may lower the pipeline's level for its stage reports: not this
    if stderr_mode() != "quiet":  # the progress display shows the stage reports: -v adds only the rest
        handler.addFilter(lambda record: stage_of(record) is None)
    handler.setFormatter(_LineFormatter("%(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=level, handlers=[handler])
