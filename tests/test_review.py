"""The review page and template handling, without a browser: pieces, links, escaping, errors."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import make_transcript
from video2blog.cli import app
from video2blog.pipeline.errors import TemplateError
from video2blog.pipeline.run import DraftOptions, make_draft
from video2blog.pipeline.schema import Correction, Draft, Paragraph, Source, Transcript
from video2blog.pipeline.serialize import to_json, transcript_to_dict
from video2blog.pipeline.text.sentences import split_sentences
from video2blog.pipeline.writers.formats import WRITERS, RenderContext, render_all
from video2blog.pipeline.writers.review import LOW_CONFIDENCE, build_review, media_link

TEXT = (
    "Hello and welcome, um, to the the clinic. "
    'What is "ketamine" <script>alert(1)</script> & why does it help? '
    "It is, you know, an anaesthetic used at low doses for nerve pain and it has helped many of "
    "our patients with keta mean infusions. Each infusion takes about forty minutes uh in a quiet room."
)
UNSURE_WORD = "anaesthetic"


def sample_context(out_dir: Path | None = None, source: str = "talk.mp4") -> RenderContext:
    """A draft of TEXT with one unsure word and one glossary correction ("keta mean" -> ketamine)."""
    transcript = _with_unsure(split_sentences(make_transcript(TEXT)), UNSURE_WORD)
    draft = make_draft(transcript, Source(source, "ab" * 32, 30.0), DraftOptions(date="2026-01-02"))
    return RenderContext(_with_correction(draft, transcript), transcript, out_dir=out_dir)


def _with_unsure(transcript: Transcript, text: str) -> Transcript:
    words = tuple(replace(w, probability=0.31) if w.text == text else w for w in transcript.words)
    return replace(transcript, words=words)


def _with_correction(draft: Draft, transcript: Transcript) -> Draft:
    i = [w.text for w in transcript.words].index("keta")
    w0, w1 = transcript.words[i], transcript.words[i + 1]
    fixed = Correction((i, i + 2), "keta mean", "ketamine", w0.start, w1.end)
    sections = tuple(replace(s, paragraphs=tuple(_fix_text(p) for p in s.paragraphs)) for s in draft.sections)
    return replace(draft, sections=sections, corrections=(fixed,))


def _fix_text(paragraph: Paragraph) -> Paragraph:
    return replace(paragraph, text=paragraph.text.replace("keta mean", "ketamine"))


def review_html(ctx: RenderContext | None = None) -> str:
    return render_all(ctx or sample_context(), ("review",))["review.html"].decode()


class _Collector(HTMLParser):
    """Elements with their attributes, and the text inside <script> blocks."""

    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, {k: v or "" for k, v in attrs}))
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts.append(data)


def parse(html: str) -> _Collector:
    collector = _Collector()
    collector.feed(html)
    return collector


def test_pieces_join_back_to_the_prose_and_carry_word_times():
    ctx = sample_context()
    review = build_review(ctx.draft, ctx.transcript)
    for section, original in zip(review.sections, ctx.draft.sections, strict=True):
        for para, paragraph in zip(section.paragraphs, original.paragraphs, strict=True):
            shown = "".join(p.text for p in para.pieces if p.kind not in ("removed",))
            assert shown == paragraph.text
            times = [p.start for p in para.pieces if p.kind == "word"]
            assert times == sorted(times) and times[0] == pytest.approx(paragraph.start)
    assert review.removed == len(ctx.draft.removals) == 5
    assert review.corrected == 1 and review.unsure == 1


def test_removed_words_sit_where_they_were_spoken():
    ctx = sample_context()
    pieces = build_review(ctx.draft, ctx.transcript).sections[0].paragraphs[0].pieces
    with_removed = "".join(p.text for p in pieces)
    assert with_removed == "Hello and welcome um, to the the clinic."
    assert [p.note for p in pieces if p.kind == "removed"] == ["filler", "repetition"]


def test_unsure_words_have_their_confidence_on_hover():
    html = review_html()
    low = [a for tag, a in parse(html).elements if "low" in a.get("class", "").split()]
    assert len(low) == 1 and low[0]["title"] == "Unsure: 31% confidence"  # without the combined signals
    assert LOW_CONFIDENCE == 0.6
    assert '<span class="long"><span class="swatch-low">Unsure</span> words to check</span>' in html


def test_corrections_and_removals_are_marked_and_generated_headings_flagged():
    elements = parse(review_html()).elements
    classes = [set(a.get("class", "").split()) for _, a in elements]
    assert sum("removed" in c for c in classes) == 5
    assert sum({"edit", "original"} <= c for c in classes) == 1
    corrected = [a for tag, a in elements if tag == "ins"]
    assert 'of "keta mean"' in corrected[0]["title"]
    generated = [a for tag, a in elements if tag == "section" and "generated" in a.get("class", "")]
    assert [a["id"] for a in generated] == ["section-1"]


def test_a_heading_read_off_the_screen_is_not_flagged_generated():
    ctx = sample_context()
    draft, transcript = ctx.draft, ctx.transcript
    assert any(s.generated for s in build_review(draft, transcript).sections)
    sections = tuple(replace(s, heading_source="on-screen") for s in draft.sections)
    review = build_review(replace(draft, sections=sections), transcript)
    assert not any(s.generated for s in review.sections)


def test_every_section_and_paragraph_has_a_time_button():
    ctx = sample_context()
    elements = parse(review_html(ctx)).elements
    buttons = [a for tag, a in elements if tag == "button" and "time" in a.get("class", "").split()]
    paragraphs = sum(len(s.paragraphs) for s in ctx.draft.sections)
    assert len(buttons) == 2 * len(ctx.draft.sections) + paragraphs  # outline, section heads, paragraphs
    assert all(a["type"] == "button" and float(a["data-t"]) >= 0 and a["aria-label"] for a in buttons)


def test_transcript_text_is_escaped_in_html_and_in_the_script_data():
    ctx = sample_context()
    hostile = "</script><script>alert(\"t\")</script> & 'q'"
    ctx = replace(ctx, draft=replace(ctx.draft, title=hostile))
    for html in (review_html(ctx), render_all(ctx, ("html",))["post.html"].decode()):
        assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "</script><script>alert(" not in html
        assert "&#34;ketamine&#34;" in html  # quotes are escaped, so they are safe in attributes too
    scripts = parse(review_html(ctx)).scripts
    assert json.loads(scripts[0])["title"] == hostile


def test_media_link_is_relative_to_the_draft_folder(tmp_path):
    out = tmp_path / "drafts" / "k"
    link = media_link(str(tmp_path / "videos" / "clinic: talk #1.mp4"), out)
    assert link == media_link(str(tmp_path / "videos" / "clinic: talk #1.mp4"), out)
    assert link.href == "../../videos/clinic%3A%20talk%20%231.mp4" and link.kind == "video"
    assert media_link("a/b/talk.m4a", Path("a/out")).href == "../b/talk.m4a"
    assert media_link("talk.m4a", Path(".")).kind == "audio"
    assert media_link("drafts/k/transcript.json", Path("drafts/k")).kind == ""
    assert media_link("/srv/talk.wav", None).href == "file:///srv/talk.wav"


def test_player_element_follows_the_source(tmp_path):
    video = review_html(sample_context(tmp_path, str(tmp_path / "talk.mov")))
    assert '<video id="player"' in video and 'src="talk.mov"' in video
    audio = review_html(sample_context(tmp_path, str(tmp_path / "media" / "talk.mp3")))
    assert '<audio id="player"' in audio and 'src="media/talk.mp3"' in audio
    none = review_html(sample_context(tmp_path, str(tmp_path / "transcript.json")))
    assert 'id="player"' not in none and "has no sound to play" in none


def test_review_page_is_self_contained():
    html = review_html()
    urls = re.findall(r'(?:src|href)="([^"]*)"', html)
    assert all(not u.startswith(("http:", "https:", "//")) for u in urls), urls
    assert "<style>" in html and ".low {" in html and "function seek(" in html
    assert "<link" not in html and "@import" not in html


@pytest.mark.parametrize("name", ["post.md", "post.html", "review.html"])
def test_any_template_can_be_overridden(tmp_path, name):
    (tmp_path / f"{name}.j2").write_text("{{ draft.title }} | {{ sections | length }} | {{ data.slug }}\n")
    ctx = replace(sample_context(), template_dir=tmp_path)
    fmt = {"post.md": "md", "post.html": "html", "review.html": "review"}[name]
    out = render_all(ctx, (fmt,))[name].decode()
    assert out == f"{ctx.draft.title} | {len(ctx.draft.sections)} | {ctx.draft.slug}\n"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("line one\n{{ no_such_variable }}\n", "review.html.j2, line 2: 'no_such_variable' is undefined"),
        ("a\nb\n{{ draft.title + 1 }}\n", "review.html.j2, line 3: "),
        ("{{ review.sections[99] }}\n", "review.html.j2, line 1: "),
        ("ok\n{% include 'part.j2' %}\n", "part.j2, line 3: 'nope' is undefined"),
    ],
)
def test_runtime_template_errors_name_the_template_and_line(tmp_path, body, message):
    (tmp_path / "review.html.j2").write_text(body)
    (tmp_path / "part.j2").write_text("x\ny\n{{ nope }}\n")
    ctx = replace(sample_context(), template_dir=tmp_path)
    with pytest.raises(TemplateError, match=re.escape(message)):
        render_all(ctx, ("review",))


def test_formats_lists_the_new_outputs_and_default_includes_them():
    result = CliRunner().invoke(app, ["formats"])
    assert result.exit_code == 0
    for name in ("post.html", "post.docx", "review.html"):
        assert name in result.output
    new = {"html", "docx", "review"}
    assert new <= set(WRITERS) and new <= set(DraftOptions().formats)


def test_cli_formats_and_template_dir(tmp_path):
    source = tmp_path / "transcript.json"
    source.write_bytes(to_json(transcript_to_dict(make_transcript(TEXT))))
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "review.html.j2").write_text("<p>{{ draft.title }}</p>\n")
    out = tmp_path / "d"
    args = ["draft", str(source), "--out", str(out), "--formats", "review", "--template-dir", str(templates)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    written = sorted(p.name for p in out.iterdir() if not p.name.startswith("."))
    assert written == ["draft.json", "review.html", "settings.json"]
    assert (out / "review.html").read_text().startswith("<p>")


def test_cli_reports_a_broken_template_in_one_line(tmp_path):
    source = tmp_path / "transcript.json"
    source.write_bytes(to_json(transcript_to_dict(make_transcript(TEXT))))
    (tmp_path / "post.html.j2").write_text("<h1>\n{{ draft.titel }}\n")
    args = ["draft", str(source), "--out", str(tmp_path / "d"), "--template-dir", str(tmp_path)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1
    assert "post.html.j2, line 2:" in result.output and "titel" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_the_editing_page_renders_from_any_session_and_shows_the_description_limit():
    """The review page with its controls renders from the session facts alone (as the Spanish evaluation
    and any caller build it): the description's limit comes from the writer, not from the server."""
    ctx = replace(sample_context(), editing={"version": "0", "save": "api/save"})
    html = review_html(ctx)
    assert 'id="description-length"' in html and "160" in html
