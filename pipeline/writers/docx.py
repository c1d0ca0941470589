"""The Word version of a post (``post.docx``), built with python-docx.

The title is in Word's *Title* style and each section heading in *Heading 1*
(:data:`SECTION_HEADING_LEVEL`), so Word's navigation pane, and any importer
that maps styles to HTML, sees the same outline as ``post.html``.
"""

from __future__ import annotations

import datetime as dt
import io
import re

from video2blog.pipeline.schema import Draft

SECTION_HEADING_LEVEL = 1
# Characters XML 1.0 cannot hold; python-docx refuses them, so they are dropped.
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
PROPERTY_CHARS = 255  # python-docx refuses longer core properties


def render_docx(draft: Draft) -> bytes:
    """The bytes of a .docx holding the draft's title, section headings and paragraphs.

    Args:
        draft: the finished draft.
    """
    import docx  # python-docx: imported here so other formats do not pay for it

    document = docx.Document()
    _set_properties(document, draft)
    document.add_heading(_xml_text(draft.title), level=0)
    for section in draft.sections:
        document.add_heading(_xml_text(section.heading), level=SECTION_HEADING_LEVEL)
        for paragraph in section.paragraphs:
            document.add_paragraph(_xml_text(paragraph.text))
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _set_properties(document: object, draft: Draft) -> None:
    """File > Properties: title, subject and keywords; dates from the draft, not the clock."""
    props = document.core_properties  # type: ignore[attr-defined]
    props.title = _property(draft.title)
    props.subject = _property(draft.description)
    props.keywords = _property(", ".join(draft.keywords))
    props.author = props.last_modified_by = "video2blog"
    props.comments = _property(f"Drafted by video2blog from {draft.source.path}")
    when = _draft_datetime(draft.date)
    if when is not None:
        props.created = props.modified = when


def _draft_datetime(date: str) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(date).replace(tzinfo=dt.timezone.utc)
    except ValueError:
        return None


def _xml_text(text: str) -> str:
    return _NOT_XML.sub("", text)


def _property(text: str) -> str:
    return _xml_text(text)[:PROPERTY_CHARS]
