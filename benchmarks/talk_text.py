"""Talks written as Markdown (``benchmarks/talks``, ``library``, ``claims``) turned into what video2blog reads
without audio: a ``transcript.json`` of evenly timed words, spoken as a monologue (headings left out).

In ``benchmarks/claims/`` a planted claim is written ``[[like this.]]``: :func:`planted` lists them and
:func:`spoken_text` drops the brackets.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TALKS = ROOT / "benchmarks" / "talks"
LIBRARY = ROOT / "benchmarks" / "library"
CLAIMS = ROOT / "benchmarks" / "claims"
_PLANTED = re.compile(r"\[\[(.+?)\]\]")
WORD_SECONDS, GAP_SECONDS, SENTENCE_PAUSE = 0.3, 0.08, 0.5


def spoken_text(markdown: str) -> str:
    """The talk's paragraphs as one spoken text: headings dropped, planted-claim brackets removed."""
    lines = [line.strip() for line in markdown.splitlines() if line.strip() and not line.startswith("#")]
    return _PLANTED.sub(r"\1", " ".join(lines))


def planted(markdown: str) -> list[str]:
    """The sentences marked ``[[...]]`` as planted claims."""
    return [m.group(1).strip() for m in _PLANTED.finditer(markdown)]


def transcript_dict(text: str) -> dict[str, object]:
    """A video2blog transcript.json of ``text``: words 0.3 s long, a longer pause after each sentence."""
    t, words = 0.0, []
    for token in text.split():
        words.append(
            {"text": token, "start": round(t, 3), "end": round(t + WORD_SECONDS, 3), "probability": 0.95}
        )
        t += WORD_SECONDS + (SENTENCE_PAUSE if token[-1] in ".?!" else GAP_SECONDS)
    return {"engine": "text", "model": "text", "language": "en", "duration": round(t, 3), "words": words}


def write_transcript(markdown_path: Path, out: Path) -> Path:
    """``out`` (a ``.json`` path) holding the transcript of the talk in ``markdown_path``."""
    text = spoken_text(markdown_path.read_text(encoding="utf-8"))
    out.write_text(json.dumps(transcript_dict(text)), encoding="utf-8")
    return out
