"""Jinja2 filters for the templates: safe YAML scalars, escaped Markdown, and times."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

from video2blog.pipeline.textutil import clock

# "{" too: kramdown reads "{: ...}" as attributes and Hugo "{style=...}" after a heading (a caption file's
# text made an h2 with onmouseover).
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~}])")
# An "&" that would start a character reference ("&amp;", "&#38;") is written as one, so the text shows as
# said; a bare "&" needs nothing (kramdown, Jekyll's Markdown, shows a backslash before it literally).
_MD_ENTITY = re.compile(r"&(?=#\d+;|#[xX][0-9a-fA-F]+;|[A-Za-z][A-Za-z0-9]*;)")
# "{{" and "{%" open a Liquid tag or output (Jekyll runs Liquid over a post before Markdown: "{{ or }}" was
# lost, "{% price %}" failed the build): the brace is written as its character reference.
_TEMPLATE_OPEN = re.compile(r"\{(?=[{%])")
_BRACE = re.compile(r"\{(?![{%])")
# A list marker ("- ", "1. ", a lone "1."), or a dash that could start a thematic break ("---"),
# at the start of a line: the punctuation is escaped (1\. -- a backslash before the digit would show).
_MD_LINE_START = re.compile(r"^(\s*(?:\d+)?)([-+=.)])(?=\s|-|$)", re.MULTILINE)
# A web address typed in the text, to the next space. Left as typed where no Markdown reads markup in it,
# so that a renderer that links bare addresses (GFM, Hugo's goldmark, markdown-it's linkify) links the
# address typed, not one with a backslash in it ("a\\_b" linked as "a%5C_b").
_URL = re.compile(r"\b(?:https?://|www\.)\S+")
# What makes markup in an address: a character that can open some (a backtick, "*", a bracket, "<", a
# brace, "|", "~", a backslash), a character reference, or a "_" not inside a word (there it neither
# opens nor closes emphasis, in CommonMark as in kramdown: "book_now").
_MARKUP_IN_URL = re.compile(r"[\\`*\[\]<>{}|~]|(?<![^\W_])_|_(?![^\W_])|" + _MD_ENTITY.pattern)
# Characters JSON leaves raw but YAML forbids (DEL, C1 controls) or reads as line breaks (NEL, LS, PS).
_YAML_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff]")


def yaml_scalar(value: object) -> str:
    """A YAML-safe scalar: strings as double-quoted JSON (valid YAML), numbers as they are."""
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, (int, float)):
        return repr(round(value, 3)) if isinstance(value, float) else str(value)
    quoted = json.dumps(str(value), ensure_ascii=False)
    return _YAML_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", quoted)


def yaml_list(values: Iterable[object] | None) -> str:
    """A flow-style YAML list of quoted strings."""
    return "[" + ", ".join(yaml_scalar(v) for v in (values or [])) + "]"


def md_escape(text: str) -> str:
    """Escape text so Markdown shows it literally (no stray emphasis, HTML or headings); a web address
    that holds no markup is left as typed (see :data:`_URL`)."""
    flat, out, at = text.replace("\r", " ").replace("\n", " "), [], 0
    for url in _URL.finditer(flat):
        if not _MARKUP_IN_URL.search(url.group()):
            out += [_escaped(flat[at : url.start()]), url.group()]
            at = url.end()
    escaped = "".join([*out, _escaped(flat[at:])])
    return _MD_LINE_START.sub(r"\1\\\2", escaped)


def _escaped(text: str) -> str:
    escaped = _MD_SPECIAL.sub(r"\\\1", text)
    escaped = _TEMPLATE_OPEN.sub("&#123;", _MD_ENTITY.sub("&amp;", escaped))
    return _BRACE.sub(r"\\{", escaped)


def yaml_value(value: object) -> str:
    """A YAML scalar, or a flow list for a list or tuple."""
    return yaml_list(value) if isinstance(value, (list, tuple)) else yaml_scalar(value)


def filename(path: str) -> str:
    """A path's last part ("talk.mp4" of "/home/jane/Patients/talk.mp4"): a post names its media, never
    where it sat on the machine that drafted it."""
    return re.split(r"[\\/]", path)[-1]


FILTERS = {
    "yaml": yaml_scalar,
    "yaml_value": yaml_value,
    "yaml_list": yaml_list,
    "md": md_escape,
    "filename": filename,
    "timestamp": clock,
}
