"""The Word version of a post (``post.docx``), built with python-docx.

The title is in Word's *Title* style and each section heading in *Heading 1*
(:data:`SECTION_HEADING_LEVEL`), so Word's navigation pane, and any importer
that maps styles to HTML, sees the same outline as ``post.html``.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import re
import zipfile
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from video2blog.pipeline.schema import Claim, Draft, Section
from video2blog.pipeline.textutil import language_tag, messages
from video2blog.pipeline.writers.filters import filename
from video2blog.pipeline.writers.site import author_name

if TYPE_CHECKING:
    from video2blog.pipeline.writers.review import Review, ReviewSection

log = logging.getLogger(__name__)

SECTION_HEADING_LEVEL = 1
# Characters XML 1.0 cannot hold; python-docx refuses them, so they are dropped.
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
PROPERTY_CHARS = 255  # python-docx refuses longer core properties
AUTHOR, INITIALS = "video2blog", "v2b"
SPOKEN_QUOTE_CHARS = 160
STILL_INCHES = 6.0  # a Letter or A4 page's text width, at Word's default margins
PORTRAIT_INCHES = 4.5  # a portrait still's height: half a page
# Headings an editor should check, and the catalogue key of how the comment on each names where it
# came from (messages-<code>.json, in the draft's language).
CHECK_HEADINGS = {
    "generated": "docx_generated",
    "llm": "docx_llm",
    "chapters": "docx_chapters",
    "on-screen": "docx_on_screen",
}


def render_docx(
    draft: Draft, review: Review | None = None, closing: str = "", stills: Mapping[str, bytes] | None = None
) -> bytes:
    """The bytes of a .docx holding the draft's title, section headings and paragraphs.

    With ``review`` (the review page's view of the draft), the document carries the page's
    signals: unsure words highlighted, and a Word comment on each heading video2blog wrote
    ("generated; spoken text was …") and on each corrected word (what the recogniser heard).

    Args:
        draft: the finished draft.
        review: the review page's view of the same draft.
        closing: Markdown closing the post (the related posts, the disclaimer): paragraphs, "- " items,
            [links](url) and a paragraph wholly in *italics*.
        stills: each section's still frame (JPEG) by its ``image`` path, placed under its heading as in
            post.md, with the same alt text.
    """
    import docx  # python-docx: imported here so other formats do not pay for it

    document = docx.Document()
    said = messages(draft.language)
    _set_properties(document, draft, said)
    _drop_template_leftovers(document)
    _set_proofing_language(document, draft.language)
    document.add_heading(_xml_text(draft.title), level=0)
    if draft.byline:  # the speaker's name and title shown on screen, as in post.md and post.html
        document.add_paragraph().add_run(_xml_text(said["byline"].format(name=draft.byline))).italic = True
    # A style found by name once: python-docx looks a name up by XPath on every paragraph given it.
    heading_style = document.styles[f"Heading {SECTION_HEADING_LEVEL}"]
    for i, section in enumerate(draft.sections):
        heading = None if section.lead else document.add_paragraph(_xml_text(section.heading), heading_style)
        if section.image in (stills or {}):
            _add_still(document, (stills or {})[section.image], section.still_name(draft.title))
        if review is None:
            for paragraph in section.paragraphs:
                out = document.add_paragraph(_xml_text(paragraph.text))
                _comment_claims(document, out, (paragraph.start, paragraph.end), draft.claims, said)
            continue
        if heading is not None:  # the lead's heading is not in the post (only in chapters)
            _comment_heading(document, heading, section, said)
        _add_reviewed(document, review.sections[i], draft.claims, said)
    _add_closing(document, closing)
    _date_comments(document, draft.date)
    buffer = io.BytesIO()
    document.save(buffer)
    return _stamped(buffer.getvalue(), draft.date)


def _add_still(document: Any, jpeg: bytes, alt: str) -> None:
    """A still frame as wide as the page's text, its alt text (Word's description) the heading."""
    from docx.image.exceptions import UnrecognizedImageError
    from docx.shared import Emu, Inches

    try:
        shape = document.add_picture(io.BytesIO(with_jfif(jpeg)), width=Inches(STILL_INCHES))
    except (UnrecognizedImageError, ValueError) as exc:  # a still replaced by something no image
        log.warning("a still frame could not go into post.docx: %s", str(exc) or type(exc).__name__)
        return
    if shape.height > shape.width:  # a portrait still as wide as the text would run off the page
        tall = Inches(PORTRAIT_INCHES)
        shape.width, shape.height = Emu(round(shape.width * tall / shape.height)), tall
    shape._inline.docPr.set("descr", _xml_text(alt))


# A JFIF header (APP0: version 1.1, square pixels), which python-docx needs to read a JPEG: ffmpeg writes
# none for a video that states no pixel aspect ratio.
_JFIF = b"\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"


def with_jfif(jpeg: bytes) -> bytes:
    """``jpeg`` with a JFIF header after its start marker where it has neither JFIF nor Exif one."""
    if jpeg[:2] != b"\xff\xd8" or jpeg[2:4] in (b"\xff\xe0", b"\xff\xe1"):
        return jpeg
    return jpeg[:2] + _JFIF + jpeg[2:]


_MD_LINK = re.compile(r"\[((?:[^\]\\]|\\.)*)\]\(([^)\s]*)\)")
_MD_ESCAPE = re.compile(r"\\(.)")
_WEB_ADDRESS = re.compile(r"https?://", re.IGNORECASE)


def _add_closing(document: Any, markdown: str) -> None:
    """The closing blocks' Markdown as Word paragraphs: list items bulleted, links to a web address as
    hyperlinks. A site path (a related post's ``/slug/``) stays plain text: a Word document has no site
    behind it, and Word and LibreOffice open such a link as a local file that is not there."""
    bullet = document.styles["List Bullet"] if "\n- " in f"\n{markdown}" else None
    for line in (line.strip() for line in markdown.splitlines()):
        if not line:
            continue
        item = line.startswith("- ")
        text = line[2:] if item else line
        italic = len(text) > 2 and text[0] == text[-1] == "*"
        out = document.add_paragraph(style=bullet if item else None)
        at = 0
        for link in _MD_LINK.finditer(text):
            _add_text(out, text[at : link.start()].strip("*") if italic else text[at : link.start()], italic)
            shown = _MD_ESCAPE.sub(r"\1", link.group(1))
            if _WEB_ADDRESS.match(link.group(2)):
                _add_hyperlink(out, link.group(2), shown)
            else:
                out.add_run(_xml_text(shown)).italic = italic or None
            at = link.end()
        _add_text(out, text[at:].strip("*") if italic else text[at:], italic)


def _add_text(paragraph: Any, markdown: str, italic: bool) -> None:
    if markdown:
        paragraph.add_run(_xml_text(_MD_ESCAPE.sub(r"\1", markdown))).italic = italic or None


def _add_hyperlink(paragraph: Any, url: str, text: str) -> None:
    """A hyperlink run (python-docx has no call for one): a relationship to ``url`` and a w:hyperlink."""
    from docx.opc.constants import RELATIONSHIP_TYPE
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), paragraph.part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True))
    run, props, style, shown = (OxmlElement(tag) for tag in ("w:r", "w:rPr", "w:rStyle", "w:t"))
    style.set(qn("w:val"), "Hyperlink")
    props.append(style)
    shown.text = _xml_text(text)
    run.extend([props, shown])
    link.append(run)
    paragraph._p.append(link)


def _stamped(package: bytes, date: str) -> bytes:
    """The .docx with every zip entry dated by the draft, so the same draft gives the same bytes
    (python-docx stamps entries with the time of saving, which made an unchanged draft look edited)."""
    try:
        when = dt.date.fromisoformat(date)
    except ValueError:
        when = dt.date(1980, 1, 1)
    stamp = (max(when.year, 1980), when.month, when.day, 0, 0, 0)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(package)) as source, zipfile.ZipFile(out, "w") as target:
        for entry in source.infolist():
            info = zipfile.ZipInfo(entry.filename, date_time=stamp)
            info.compress_type, info.external_attr = zipfile.ZIP_DEFLATED, entry.external_attr
            target.writestr(info, source.read(entry))
    return out.getvalue()


def _comment_heading(document: Any, heading: Any, section: Section, said: dict[str, str]) -> None:
    what = CHECK_HEADINGS.get(section.heading_source)
    if what is None or not heading.runs:
        return
    spoken = " ".join(p.text for p in section.paragraphs)
    quote = spoken
    if len(spoken) > SPOKEN_QUOTE_CHARS:
        quote = spoken[:SPOKEN_QUOTE_CHARS].rsplit(" ", 1)[0] + " …"
    note = next((s.note for s in section.suggestions if s.text == section.heading and s.note), "")
    text = said["docx_heading"].format(what=said[what], quote=quote) + (f" ({note})" if note else "")
    document.add_comment(heading.runs, text=_xml_text(text), author=AUTHOR, initials=INITIALS)


def _add_reviewed(
    document: Any, section: ReviewSection, claims: tuple[Claim, ...], said: dict[str, str]
) -> None:
    """The section's paragraphs, run by run: unsure words highlighted, corrections and claims commented."""
    from docx.enum.text import WD_COLOR_INDEX

    for paragraph in section.paragraphs:
        out = document.add_paragraph()
        plain = ""
        for piece in paragraph.pieces:
            if piece.kind == "removed":
                continue
            if not (piece.low or piece.kind == "corrected"):
                plain += piece.text
                continue
            if plain:
                out.add_run(_xml_text(plain))
                plain = ""
            run = out.add_run(_xml_text(piece.text))
            if piece.low:
                run.font.highlight_color = WD_COLOR_INDEX.YELLOW
            if piece.kind == "corrected":
                note = _xml_text(said["docx_corrected"].format(heard=piece.note))
                document.add_comment(run, text=note, author=AUTHOR, initials=INITIALS)
        if plain:
            out.add_run(_xml_text(plain))
        _comment_claims(document, out, (paragraph.start, paragraph.end), claims, said)


def _comment_claims(
    document: Any, out: Any, span: tuple[float, float], claims: tuple[Claim, ...], said: dict[str, str]
) -> None:
    """A Word comment on the paragraph (``span``: its start and end in the media) for each claim made
    in it."""
    start, end = span
    for claim in claims:
        if claim.end > start and claim.start < end and out.runs:
            note = said["docx_claim"].format(reasons=claim.reason, text=claim.text)
            document.add_comment(out.runs, text=_xml_text(note), author=AUTHOR, initials=INITIALS)


def _date_comments(document: Any, date: str) -> None:
    """Comments dated by the draft, not the clock, so that a re-render gives the same document."""
    from docx.oxml.ns import qn

    when = _draft_datetime(date)
    stamp = when.strftime("%Y-%m-%dT%H:%M:%S") if when else None  # the post's day, in no time zone
    for comment in document.comments:
        element = comment._comment_elm
        if stamp:
            element.set(qn("w:date"), stamp)
        else:
            element.attrib.pop(qn("w:date"), None)


def _set_properties(document: object, draft: Draft, said: dict[str, str]) -> None:
    """File > Properties: title, subject and keywords; dates from the draft, not the clock."""
    props = document.core_properties  # type: ignore[attr-defined]
    props.title = _property(draft.title)
    props.subject = _property(draft.description)
    props.keywords = _property(", ".join(draft.keywords))
    # the speaker's name without credentials, as post.html's author; no byline: no author, not the tool
    props.author = _property(author_name(draft.byline))
    props.language = language_tag(draft.language)
    props.last_modified_by = "video2blog"
    # the media's name, not where it sat on this machine ("/home/jane/Patients/..."): the file is sent on
    props.comments = _property(said["docx_drafted"].format(path=filename(draft.source.path)))
    when = _draft_datetime(draft.date)
    if when is not None:
        props.created = props.modified = when
        _undated_zone(props)


# docProps/app.xml naming the tool, in place of python-docx template's ("Microsoft Macintosh Word", 1 page,
# 0 words: figures no one counted, which Word and LibreOffice show until they count again).
_APP_XML = (
    b"<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
    b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
    b"<Application>video2blog</Application></Properties>"
)


def _drop_template_leftovers(document: Any) -> None:
    """Of python-docx's template, the thumbnail (a blank page shown as the document's preview) and
    docProps/app.xml's application and statistics."""
    from docx.opc.constants import RELATIONSHIP_TYPE

    package = document.part.package
    for rel_id, rel in list(package.rels.items()):
        if rel.reltype == RELATIONSHIP_TYPE.THUMBNAIL:
            del package.rels[rel_id]  # a part no relationship reaches is not saved
        elif rel.reltype == RELATIONSHIP_TYPE.EXTENDED_PROPERTIES:
            rel.target_part._blob = _APP_XML


def _set_proofing_language(document: Any, language: str) -> None:
    """The language Word spell-checks the document in (its default run language): the draft's, not
    the template's US English."""
    from docx.oxml.ns import qn

    for lang in document.styles.element.iter(qn("w:lang")):
        lang.set(qn("w:val"), language_tag(language))


def _undated_zone(props: Any) -> None:
    """Created and modified as the post's day alone (W3CDTF's YYYY-MM-DD): python-docx writes midnight
    UTC, which a reader west of Greenwich shows as the day before the post's."""
    for element in (props._element.created, props._element.modified):
        if element is not None and element.text:
            element.text = element.text[:10]


def _draft_datetime(date: str) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(date).replace(tzinfo=dt.timezone.utc)
    except ValueError:
        return None


def _xml_text(text: str) -> str:
    return _NOT_XML.sub("", text)


def _property(text: str) -> str:
    return _xml_text(text)[:PROPERTY_CHARS]
