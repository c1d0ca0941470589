"""Writers: one class per output format, rendering a finished draft to bytes.

Writers only render; :class:`video2blog.pipeline.output.OutputFolder` owns the files
(temporary file, journal, rename, kept edits). Text formats are Jinja2
templates from ``templates/`` (overridable with ``--template-dir``); captions
and JSON are built in code.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import html
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import ClassVar

import jinja2

from video2blog.pipeline.errors import TemplateError, UsageError
from video2blog.pipeline.schema import HALLUCINATION, Draft, Reason, Transcript
from video2blog.pipeline.serialize import draft_to_dict, to_json, transcript_to_dict
from video2blog.pipeline.sources import inside
from video2blog.pipeline.textutil import DESCRIPTION_LIMIT, fixed_strings_language, messages
from video2blog.pipeline.writers.cues import caption_cues, corrected_words

# How a (clinic's) template can fail while rendering: each is reported naming its file and line.
TEMPLATE_FAILURES = (
    jinja2.TemplateError,
    ArithmeticError,
    LookupError,
    TypeError,
    ValueError,
    AttributeError,
)


@dataclass(frozen=True)
class RenderContext:
    """What every writer may read: the finished draft and the transcript it came from."""

    draft: Draft
    transcript: Transcript
    template_dir: Path | None = None
    out_dir: Path | None = None  # where the files go: the review page links the media relative to it
    # Words to check (transcript index -> why), from text/confidence.py; None: probability alone.
    unsure: Mapping[int, tuple[Reason, ...]] | None = None
    media_href: str | None = None  # the review page's link to the media, where the caller knows it
    editing: dict[str, object] | None = None  # the review server's session (token, version): editing controls
    front_matter: str = ""  # post.md's front-matter style: "" (video2blog's own), hugo, jekyll, astro
    medical: bool = False  # JSON-LD as a MedicalWebPage
    # The still frames' JPEGs by draft-folder path ("images/01-....jpg"), where they are not yet written;
    # a still not here is read from ``out_dir`` (a review Save or a library update renders again).
    stills: Mapping[str, bytes] | None = None
    captions: bool = False  # captions.vtt is written beside the review page: its player shows them


class Writer:
    """Base writer: a format name, a file name, and a ``render`` that returns the file's bytes."""

    format: ClassVar[str]
    filename: ClassVar[str]
    description: ClassVar[str]

    def render(self, ctx: RenderContext) -> bytes:
        raise NotImplementedError


class TemplateWriter(Writer):
    """A writer whose output is a Jinja2 template named after its file."""

    def render(self, ctx: RenderContext) -> bytes:
        template = _template(ctx.template_dir, self.filename + ".j2")
        variables = self.variables(ctx)  # outside the try: a bug here is ours, not the template's
        try:
            text = template.render(**variables)
        except TEMPLATE_FAILURES as exc:
            raise _render_error(template, exc) from exc
        return text.encode("utf-8")

    def variables(self, ctx: RenderContext) -> dict[str, object]:
        """The template's variables: :func:`template_variables`, plus any of this format's own."""
        return template_variables(ctx)


class MarkdownWriter(TemplateWriter):
    format, filename, description = "md", "post.md", "Markdown with YAML front matter"


class HtmlWriter(TemplateWriter):
    format, filename, description = "html", "post.html", "the post as plain HTML (h1, h2, p) to paste"

    def variables(self, ctx: RenderContext) -> dict[str, object]:
        # each still's size, so that the page keeps its place before it loads (no text jumping under it)
        return {**template_variables(ctx), "still_sizes": still_sizes(ctx)}


class ReviewWriter(TemplateWriter):
    format, filename, description = "review", "review.html", "review page: the draft beside the video"

    def variables(self, ctx: RenderContext) -> dict[str, object]:
        from video2blog.pipeline.writers.review import build_review

        review = build_review(ctx.draft, ctx.transcript, ctx.out_dir, ctx.unsure, ctx.media_href)
        text = script_text(ctx.draft.language)
        captions = _captions_src(ctx) if ctx.captions else ""
        return {
            **template_variables(ctx),
            "review": review,
            "editing": ctx.editing,
            "description_limit": DESCRIPTION_LIMIT,
            "script_text": text,
            "captions": captions,
            "still_sizes": still_sizes(ctx),
        }


def _captions_src(ctx: RenderContext) -> str:
    """The review page's captions track: captions.vtt beside it where the page is served, and the
    captions themselves (a data: address) in the page opened as a file, which a browser lets load no
    other file (each file: address is an origin of its own)."""
    if ctx.editing is not None:
        return VttWriter.filename
    return "data:text/vtt;base64," + base64.b64encode(VttWriter().render(ctx)).decode("ascii")


class DocxWriter(Writer):
    format, filename, description = "docx", "post.docx", "the post as a Word document"

    def render(self, ctx: RenderContext) -> bytes:
        from video2blog.pipeline.writers.docx import render_docx
        from video2blog.pipeline.writers.review import build_review

        # Without words (a draft folder without transcript.json), the plain paragraphs.
        review = build_review(ctx.draft, ctx.transcript, unsure=ctx.unsure) if ctx.transcript.words else None
        plain = replace(ctx, front_matter="")  # its links as addresses, not a site generator's Liquid
        variables = template_variables(plain)
        closing = "".join(render_template(plain, name, variables) for name in CLOSING_BLOCKS)
        return render_docx(ctx.draft, review, closing, still_images(ctx))


def still_images(ctx: RenderContext) -> dict[str, bytes]:
    """The JPEG of each section's still, from the context or its draft folder; a still that is in
    neither (a folder moved without its images/) is left out."""
    found = {}
    for path in (s.image for s in ctx.draft.sections if s.image):
        data = (ctx.stills or {}).get(path)
        real = inside(ctx.out_dir, ctx.out_dir / path) if ctx.out_dir is not None else None
        if data is None and real is not None:  # a link in the folder leads nowhere out of it
            with contextlib.suppress(OSError):
                data = real.read_bytes()
        if data is not None:
            found[path] = data
    return found


# A portrait still (a 9:16 phone video's) is shown at most this many CSS pixels tall, its width to match:
# at its own size (540x960) each one filled more than a phone's screen, a dozen times down the post.
PORTRAIT_HEIGHT = 560


def still_sizes(ctx: RenderContext) -> dict[str, tuple[int, int]]:
    """Each still's (width, height) as shown, in pixels, by draft-folder path: the review page and
    post.html give its picture that size before it loads, so a still loading late moves no text (a word
    just tapped on a phone went under the word card). A portrait still's height is capped at
    :data:`PORTRAIT_HEIGHT`."""
    sizes = {path: jpeg_size(data) for path, data in still_images(ctx).items()}
    return {path: shown_size(size) for path, size in sizes.items() if size is not None}


def shown_size(size: tuple[int, int]) -> tuple[int, int]:
    """A still's (width, height) as shown: a portrait one no taller than :data:`PORTRAIT_HEIGHT`."""
    width, height = size
    if height <= width or height <= PORTRAIT_HEIGHT:
        return size
    return max(1, round(width * PORTRAIT_HEIGHT / height)), PORTRAIT_HEIGHT


# The JPEG markers of a frame header (SOF0 to SOF15), which holds the picture's size; not DHT, JPG, DAC.
_SOF_MARKERS = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}


def jpeg_size(data: bytes) -> tuple[int, int] | None:
    """A JPEG's (width, height) from its frame header; None for anything else (a still replaced by
    another file)."""
    if not data.startswith(b"\xff\xd8"):
        return None
    at = 2
    while at + 9 <= len(data) and data[at] == 0xFF:
        if data[at + 1] in _SOF_MARKERS:
            # length (2 bytes), precision (1), height (2), width (2)
            size = int.from_bytes(data[at + 7 : at + 9], "big"), int.from_bytes(data[at + 5 : at + 7], "big")
            return size if all(size) else None
        at += 2 + int.from_bytes(data[at + 2 : at + 4], "big")
    return None


# The blocks closing the post (related posts, the --medical disclaimer): post.md and post.html include
# their own; the Word document renders the Markdown ones (see writers/docx.py).
CLOSING_BLOCKS = ("related.md.j2", "disclaimer.md.j2")


def render_template(ctx: RenderContext, name: str, variables: dict[str, object] | None = None) -> str:
    """The text of template ``name`` with ``variables``, by default those every template receives."""
    template = _template(ctx.template_dir, name)
    variables = variables if variables is not None else template_variables(ctx)
    try:
        return template.render(**variables)
    except TEMPLATE_FAILURES as exc:
        raise _render_error(template, exc) from exc


class DraftJsonWriter(Writer):
    format, filename, description = "draft", "draft.json", "the structured draft (always written)"

    def render(self, ctx: RenderContext) -> bytes:
        return to_json(draft_to_dict(ctx.draft))


class TranscriptJsonWriter(Writer):
    format, filename, description = "json", "transcript.json", "every word with timing and confidence"

    def render(self, ctx: RenderContext) -> bytes:
        return to_json(transcript_to_dict(ctx.transcript))


# On-screen text whose box reaches below this fraction of the frame's height sits where captions are
# drawn (a lower third: the speaker's name card); a cue shown at the same time goes to the top, unless
# text sits there too: a box reaching above TOP_AREA_BOTTOM across the middle of the frame, TOP_MIDDLE,
# where a cue's lines are centred (the clinic's banner; a logo in a corner leaves room). Burned-in
# captions are neither: they are the words of the cues, all through the talk.
CAPTION_AREA_TOP = 2 / 3
TOP_AREA_BOTTOM = 1 / 3
TOP_MIDDLE = (0.25, 0.75)


class SubtitleWriter(Writer):
    """Captions cued by sentence, long sentences cut into readable pieces; a cue shown while text sits
    at the bottom of the frame is placed at the top, not over it, where nothing is shown at the top."""

    header: ClassVar[str] = ""
    decimal: ClassVar[str] = "."
    numbered: ClassVar[bool] = False
    at_top: ClassVar[str] = ""  # the cue settings that place a cue at the top of the frame

    def render(self, ctx: RenderContext) -> bytes:
        blocks = [self.header] if self.header else []
        invented = {r.word for r in ctx.draft.removals if r.reason == HALLUCINATION}
        texts = [t for t in ctx.draft.screen_text if not t.caption]
        low = [(t.start, t.end) for t in texts if t.box[3] > CAPTION_AREA_TOP]
        high = [(t.start, t.end) for t in texts if t.box[1] < TOP_AREA_BOTTOM and _across_middle(t.box)]
        for n, (start, end, text) in enumerate(
            caption_cues(corrected_words(ctx.transcript, ctx.draft.corrections), invented), 1
        ):
            top = _during(start, end, low) and not _during(start, end, high)
            timing = f"{self._time(start)} --> {self._time(end)}{self.at_top if top else ''}"
            text = self.cue_text(text, top)
            blocks.append(f"{n}\n{timing}\n{text}\n" if self.numbered else f"{timing}\n{text}\n")
        return "\n".join(blocks).encode("utf-8")

    def cue_text(self, text: str, top: bool = False) -> str:
        """The cue's text with no blank line in it (one would end the cue); ``top``: shown at the top."""
        return "\n".join(line.strip() for line in text.splitlines() if line.strip())

    def _time(self, seconds: float) -> str:
        ms = max(0, round(seconds * 1000))
        h, ms = divmod(ms, 3_600_000)
        m, ms = divmod(ms, 60_000)
        s, ms = divmod(ms, 1000)
        return f"{h:02d}:{m:02d}:{s:02d}{self.decimal}{ms:03d}"


def _across_middle(box: tuple[float, float, float, float]) -> bool:
    """Whether a shown text's box reaches into :data:`TOP_MIDDLE`, where a cue at the top is drawn."""
    left, right = TOP_MIDDLE
    return box[0] < right and box[2] > left


def _during(start: float, end: float, shown: list[tuple[float, float]]) -> bool:
    """Whether any of the ``shown`` (start, end) spans is up between ``start`` and ``end``."""
    return any(start < shown_end and end > shown_start for shown_start, shown_end in shown)


class SrtWriter(SubtitleWriter):
    format, filename, description = "srt", "captions.srt", "SubRip captions"
    decimal, numbered = ",", True

    def cue_text(self, text: str, top: bool = False) -> str:
        """SubRip has no cue settings: a cue at the top starts with the {\\an8} tag (top centre), which
        players and ffmpeg's subtitles filter read."""
        return ("{\\an8}" if top else "") + super().cue_text(text)


class VttWriter(SubtitleWriter):
    format, filename, description = "vtt", "captions.vtt", "WebVTT captions"
    header, at_top = "WEBVTT\n", " line:0"

    def cue_text(self, text: str, top: bool = False) -> str:
        """WebVTT cue text is markup: &, < and > are written as character references."""
        return html.escape(super().cue_text(text), quote=False)


class ChaptersWriter(Writer):
    format, filename, description = "chapters", "chapters.txt", "YouTube chapters for the video's description"

    def render(self, ctx: RenderContext) -> bytes:
        from video2blog.pipeline.writers.chapters import render_chapters

        return render_chapters(ctx.draft.sections, ctx.draft.source.duration)


class WxrWriter(Writer):
    format, filename, description = "wxr", "wordpress.xml", "WordPress export (WXR 1.2) for Tools > Import"

    def render(self, ctx: RenderContext) -> bytes:
        from video2blog.pipeline.writers.wxr import render_wxr, without_images

        bare = replace(ctx, draft=without_images(ctx.draft))  # WXR cannot carry local image files
        return render_wxr(ctx.draft, HtmlWriter().render(bare).decode("utf-8"))


WRITERS: dict[str, type[Writer]] = {
    w.format: w
    for w in (
        DraftJsonWriter,
        MarkdownWriter,
        HtmlWriter,
        DocxWriter,
        ReviewWriter,
        TranscriptJsonWriter,
        SrtWriter,
        VttWriter,
        ChaptersWriter,
        WxrWriter,
    )
}
DEFAULT_FORMATS = ("md", "html", "docx", "review", "json", "srt", "vtt", "chapters")


def parse_formats(spec: str | None) -> tuple[str, ...]:
    """Formats from a comma list; draft.json is always included."""
    chosen = [f.strip().lower() for f in (",".join(DEFAULT_FORMATS) if spec is None else spec).split(",")]
    chosen = [f for f in chosen if f]
    unknown = [f for f in chosen if f not in WRITERS]
    valid = ", ".join(f for f in WRITERS if f != "draft")
    if unknown or not chosen:  # --formats '' wrote every format: a list emptied by mistake in a script
        said = f"unknown format {', '.join(unknown)}" if unknown else "--formats names no format"
        raise UsageError(f"{said}; choose from: {valid}")
    return tuple(dict.fromkeys(["draft", *chosen]))


def render_all(ctx: RenderContext, formats: tuple[str, ...]) -> dict[str, bytes]:
    """File name -> content for each chosen format."""
    return {WRITERS[f].filename: WRITERS[f]().render(ctx) for f in formats}


def template_variables(ctx: RenderContext) -> dict[str, object]:
    """The variables every template receives (documented in the README)."""
    return {
        "draft": ctx.draft,
        "transcript": ctx.transcript,
        "sections": ctx.draft.sections,
        "data": draft_to_dict(ctx.draft),
        # The draft's language and its fixed strings: {{ msg("key") }} (pipeline/data/messages-<code>.json).
        "language": ctx.draft.language,
        "msg": functools.partial(_message, ctx.draft.language),
        "msg_text": functools.partial(_plain_message, ctx.draft.language),  # the same, unescaped (Markdown)
        "msg_language": fixed_strings_language(ctx.draft.language),  # English where it has no catalogue
        **site_variables(ctx),
    }


def _message(language: str, key: str, **values: object) -> str:
    """A catalogue string for a template: itself escaped, its values escaped unless already markup."""
    from markupsafe import Markup, escape

    return Markup(escape(messages(language)[key])).format(**values)


def _plain_message(language: str, key: str, **values: object) -> str:
    """A catalogue string with its values, not escaped: for templates that are not HTML (post.md)."""
    return messages(language)[key].format(**values)


# The catalogue strings the review page's scripts write into the page (``js_*`` and these).
SCRIPT_KEYS = (
    "play_from",
    "paragraph",
    "generated",
    "shown",
    "edit_paragraph",
    "section_n",
    "edit_heading",
    "merge_previous",
    "description_length",
)


def script_text(language: str) -> dict[str, str]:
    """The fixed strings the review page's scripts show, in the draft's language (the page's JSON)."""
    catalogue = messages(language)
    return {k.removeprefix("js_"): v for k, v in catalogue.items() if k.startswith("js_") or k in SCRIPT_KEYS}


def site_variables(ctx: RenderContext) -> dict[str, object]:
    """What websites read: front-matter fields (post.md), Open Graph and JSON-LD (post.html)."""
    from markupsafe import Markup

    from video2blog.pipeline.writers import site

    return {
        "front_matter": site.front_matter_fields(ctx.draft, ctx.front_matter),
        "image_src": functools.partial(site.image_src, ctx.draft, ctx.front_matter),  # a still, for post.md
        "site_href": functools.partial(site.site_href, ctx.front_matter),  # a path on the site, for post.md
        "author": site.author_name(ctx.draft.byline),  # the speaker, for post.html's <meta name="author">
        "open_graph": site.open_graph(ctx.draft),
        "twitter_card": site.twitter_card(ctx.draft),
        "json_ld": Markup(site.script_json(site.json_ld(ctx.draft, ctx.medical))),
        "medical": ctx.medical,  # the disclaimer closing the post (disclaimer.*.j2)
    }


def builtin_template_dir() -> Path:
    """The templates shipped with video2blog (the ``video2blog.templates`` package)."""
    import video2blog.templates

    return Path(video2blog.templates.__file__).parent


class _ConfinedLoader(jinja2.FileSystemLoader):
    """Templates from their folders only: a template that is a link out of its folder is not found (a
    folder's ``{% include %}`` of a link to /etc/passwd or /proc/self/environ read it into a post)."""

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        source, filename, uptodate = super().get_source(environment, template)
        if not any(inside(Path(root), Path(filename)) for root in self.searchpath):
            raise jinja2.TemplateNotFound(template)
        return source, filename, uptodate


@lru_cache(maxsize=8)
def environment(template_dir: Path | None) -> jinja2.Environment:
    """A Jinja2 environment: the override folder first, then the built-in templates.

    Autoescaping is on for HTML templates; Markdown templates escape with the ``md`` filter. Sandboxed: a
    template reaches only the values it is given, never Python's internals (``cycler.__init__.__globals__``
    led to ``os.system``), so a draft folder's templates (its ``settings.json`` names them, and a folder
    may come from anyone) cannot run code on the machine that reviews it.
    """
    from jinja2.sandbox import SandboxedEnvironment

    dirs = [str(template_dir)] if template_dir else []
    env = SandboxedEnvironment(
        loader=_ConfinedLoader([*dirs, str(builtin_template_dir())]),
        autoescape=jinja2.select_autoescape(["html.j2", "htm.j2", "html"]),
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    from video2blog.pipeline.writers import filters

    env.filters.update(filters.FILTERS)
    return env


def _template(template_dir: Path | None, name: str) -> jinja2.Template:
    try:
        return environment(template_dir).get_template(name)
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(f"template {exc.filename or name}, line {exc.lineno}: {exc.message}") from exc
    except jinja2.TemplateNotFound as exc:
        raise TemplateError(f"template {name} not found in {template_dir or builtin_template_dir()}") from exc


def _render_error(template: jinja2.Template, exc: Exception) -> TemplateError:
    """A TemplateError naming the template file and line where rendering failed.

    Jinja2 rewrites the traceback so each frame of template code carries the
    template's file name and line (and ``__jinja_exception__`` in its globals);
    the innermost such frame is where it broke, in an included template too.
    """
    where = f"template {template.filename or template.name}"
    tb = exc.__traceback__
    while tb is not None:
        if "__jinja_exception__" in tb.tb_frame.f_globals:
            where = f"template {tb.tb_frame.f_code.co_filename}, line {tb.tb_lineno}"
        tb = tb.tb_next
    message = exc.message if isinstance(exc, jinja2.TemplateError) and exc.message else str(exc)
    return TemplateError(f"{where}: {message or type(exc).__name__}")
