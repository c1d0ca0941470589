"""Jinja2 filters for the templates: safe YAML scalars, escaped Markdown, and times."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

from video2blog.pipeline.textutil import clock

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~&])")  # & too: "&amp;" in text must not show as "&"
# A list marker ("- ", "1. ", a lone "1."), or a dash that could start a thematic break ("---"),
# at the start of a line: the punctuation is escaped (1\. -- a backslash before the digit would show).
_MD_LINE_START = re.compile(r"^(\s*(?:\d+)?)([-+=.)])(?=\s|-|$)", re.MULTILINE)
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
    """Escape text so Markdown shows it literally (no stray emphasis, HTML or headings)."""
    escaped = _MD_SPECIAL.sub(r"\\\1", text.replace("\r", " ").replace("\n", " "))
    return _MD_LINE_START.sub(r"\1\\\2", escaped)


FILTERS = {"yaml": yaml_scalar, "yaml_list": yaml_list, "md": md_escape, "timestamp": clock}
