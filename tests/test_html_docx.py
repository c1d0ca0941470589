"""post.html and post.docx: the same title, headings and paragraphs as draft.json."""

from __future__ import annotations

import io
import json
import subprocess
import time
import zipfile
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import docx
import pytest
from typer.testing import CliRunner

from tests.conftest import make_transcript, truth_transcript
from tests.test_review import TEXT, sample_context
from video2blog.cli import app
from video2blog.pipeline.editing import store
from video2blog.pipeline.editing.edits import Edit
from video2blog.pipeline.ingest.media import ffmpeg_exe
from video2blog.pipeline.run import DraftOptions, make_draft, render_draft, write_draft
from video2blog.pipeline.schema import Source
from video2blog.pipeline.serialize import to_json, transcript_to_dict
from video2blog.pipeline.text.sentences import split_sentences
from video2blog.pipeline.writers.docx import render_docx
from video2blog.pipeline.writers.formats import render_all


class _Outline(HTMLParser):
    """(tag, text) of every h1, h2 and p, and every tag seen."""

    def __init__(self) -> None:
        super().__init__()
        self.blocks: list[tuple[str, str]] = []
        self.tags: set[str] = set()
        self._open: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        if tag in ("h1", "h2", "p"):
            self._open = tag
            self.blocks.append((tag, ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == self._open:
            self._open = None

    def handle_data(self, data: str) -> None:
        if self._open:
            tag, text = self.blocks[-1]
            self.blocks[-1] = (tag, text + data)


def expected_blocks(draft: dict) -> list[tuple[str, str]]:
    blocks = [("h1", draft["title"])]
    for section in draft["sections"]:
        if not section.get("lead"):  # the talk's opening: its paragraphs lead the post, without a heading
            blocks.append(("h2", section["heading"]))
        blocks.extend(("p", p["text"]) for p in section["paragraphs"])
    return blocks


@pytest.fixture(scope="module")
def drafted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A draft folder made by the CLI from a transcript (no model), with the default formats."""
    tmp = tmp_path_factory.mktemp("html_docx")
    source = tmp / "transcript.json"
    source.write_bytes(to_json(transcript_to_dict(make_transcript(TEXT))))
    result = CliRunner().invoke(app, ["draft", str(source), "--out", str(tmp / "d")])
    assert result.exit_code == 0, result.output
    return tmp / "d"


def test_default_formats_write_html_docx_and_review(drafted: Path):
    for name in ("post.md", "post.html", "post.docx", "review.html", "draft.json"):
        assert (drafted / name).stat().st_size > 0, name


def test_post_html_is_plain_semantic_html_matching_the_draft(drafted: Path):
    draft = json.loads((drafted / "draft.json").read_text())
    outline = _Outline()
    outline.feed((drafted / "post.html").read_text())
    assert outline.blocks == expected_blocks(draft)
    # script: the JSON-LD in the head (tests/test_site.py); figure and img: section stills, when from a video;
    # style: a readable column, its stills as wide as it and inside a narrow screen (WCAG 1.4.10)
    allowed = {"html", "head", "meta", "title", "style", "body", "main", "article", "h1", "h2", "p", "script"}
    allowed |= {"figure", "img"}
    assert outline.tags <= allowed
    assert any(t.startswith('What is "ketamine" <script>alert(1)</script>') for _, t in outline.blocks)


def test_docx_headings_and_paragraphs_match_draft_json(drafted: Path):
    draft = json.loads((drafted / "draft.json").read_text())
    document = docx.Document(str(drafted / "post.docx"))
    styles = {"Title": "h1", "Heading 1": "h2", "Normal": "p"}
    blocks = [(styles[p.style.name if p.style else ""], p.text) for p in document.paragraphs]
    assert blocks == expected_blocks(draft)
    assert document.core_properties.title == draft["title"]
    assert document.core_properties.created.date().isoformat() == draft["date"]
    # the media's name, never the folder it sat in on the drafting machine (the document is sent on)
    comments = document.core_properties.comments
    assert (
        Path(draft["source"]["path"]).name in comments
        and str(Path(draft["source"]["path"]).parent) not in comments
    )


def test_docx_survives_characters_xml_cannot_hold():
    ctx = sample_context()
    ctx = replace(ctx, draft=replace(ctx.draft, title="Bad\x00 \x0bchars", description="d" * 400))
    document = docx.Document(io.BytesIO(render_all(ctx, ("docx",))["post.docx"]))
    assert document.paragraphs[0].text == "Bad chars"
    assert len(document.core_properties.subject) == 255


@pytest.mark.parametrize(("language", "word"), [("en", "By"), ("es", "Por")])
def test_the_byline_follows_the_title_in_the_docx_and_its_name_is_the_author(language, word):
    """The document's author was the whole byline, credentials and all, where post.html's is the name."""
    ctx = sample_context()
    ctx = replace(ctx, draft=replace(ctx.draft, byline="Dr. Ana Ruiz, MD - pain medicine", language=language))
    files = render_all(ctx, ("docx", "html"))
    document = docx.Document(io.BytesIO(files["post.docx"]))
    byline = document.paragraphs[1]
    assert byline.text == f"{word} Dr. Ana Ruiz, MD - pain medicine" and all(
        run.italic for run in byline.runs
    )
    assert document.core_properties.author == "Dr. Ana Ruiz"
    assert '<meta name="author" content="Dr. Ana Ruiz">' in files["post.html"].decode()
    plain = docx.Document(io.BytesIO(render_all(sample_context(), ("docx",))["post.docx"]))
    assert plain.core_properties.author == "" and not plain.paragraphs[1].text.startswith(word)


def test_the_same_draft_gives_the_same_docx_bytes_dated_by_the_draft():
    """A redraft of an unchanged draft must not look like an edit: post.docx is byte-for-byte the same."""
    ctx = sample_context()
    first = render_all(ctx, ("docx",))["post.docx"]
    time.sleep(2.1)  # zip times have a 2 s resolution: without the fix the second render differs
    second = render_all(ctx, ("docx",))["post.docx"]
    assert first == second
    year, month, day = (int(part) for part in ctx.draft.date.split("-"))
    stamps = {info.date_time for info in zipfile.ZipFile(io.BytesIO(first)).infolist()}
    assert stamps == {(year, month, day, 0, 0, 0)}
    assert docx.Document(io.BytesIO(first)).paragraphs[0].text == ctx.draft.title


def _pictures(path: Path) -> list[str]:
    """The alt text (Word's description) of each picture in the document, in order."""
    return [shape._inline.docPr.get("descr") for shape in docx.Document(str(path)).inline_shapes]


def test_the_stills_are_in_the_docx_under_their_headings_and_stay_after_a_review_save(
    tmp_path: Path, slides_sample: Path, sample_truth: dict
):
    source = Source("ketamine-pain.mp4", "ef" * 32, sample_truth["duration"])
    computed = render_draft(
        truth_transcript(sample_truth), source, DraftOptions(date="2026-01-02"), video=slides_sample
    )
    folder = tmp_path / "draft"
    write_draft(computed, folder)
    draft = json.loads((folder / "draft.json").read_text())
    shown = [
        s["heading"] if not s.get("lead") else draft["title"] for s in draft["sections"] if s.get("image")
    ]
    assert (
        len(shown) == len(draft["sections"]) and _pictures(folder / "post.docx") == shown
    )  # as post.md shows them
    document = docx.Document(str(folder / "post.docx"))
    first = next(i for i, p in enumerate(document.paragraphs) if p.style.name == "Heading 1")
    assert document.paragraphs[first + 1]._p.xpath(".//pic:pic")  # the still right under its heading
    loaded = store.load(folder)
    store.save(
        folder, [Edit("heading", section=1, text="Which pain does ketamine help?")], loaded.version, None
    )
    assert _pictures(folder / "post.docx") == [shown[0], "Which pain does ketamine help?", *shown[2:]]


def test_a_still_without_a_jfif_header_still_goes_into_the_docx(tmp_path: Path):
    """ffmpeg writes no JFIF header for a video that states no pixel aspect ratio; python-docx then
    refused every still of the draft (an audit's phone videos)."""
    red = "color=c=red:s=64x64"
    plain = subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-f", "lavfi", "-i", red, "-frames:v", "1", "-vf", "setsar=0"]
        + ["-f", "image2", "-c:v", "mjpeg", "pipe:"],
        capture_output=True, check=True, timeout=60,
    ).stdout  # fmt: skip
    assert plain[:2] == b"\xff\xd8" and plain[2:4] != b"\xff\xe0"  # no JFIF, as the audit found
    draft = make_draft(split_sentences(make_transcript(TEXT)), Source("t.mp4", "0", 30.0), DraftOptions())
    section = replace(draft.sections[0], image="images/01-still.jpg")
    draft = replace(draft, sections=(section, *draft.sections[1:]))
    data = render_docx(draft, stills={"images/01-still.jpg": plain})
    assert len(docx.Document(io.BytesIO(data)).inline_shapes) == 1
