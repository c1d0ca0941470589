import dataclasses
import io
import json
import zipfile

import pytest

from tests.conftest import make_transcript
from video2blog.pipeline.errors import TemplateError, UsageError
from video2blog.pipeline.run import DraftOptions, make_draft
from video2blog.pipeline.schema import RelatedPost, ScreenText, Source
from video2blog.pipeline.text.sentences import split_sentences
from video2blog.pipeline.writers.cues import caption_cues
from video2blog.pipeline.writers.filters import md_escape, yaml_scalar
from video2blog.pipeline.writers.formats import RenderContext, parse_formats, render_all

TEXT = (
    'Hello and welcome. What is "ketamine" <script>alert(1)</script>? '
    "It is an anaesthetic used at low doses for nerve pain and it has helped many of our patients. "
    "How long does a session take? Each infusion takes about forty minutes in a quiet room with a nurse."
)


def context():
    t = split_sentences(make_transcript(TEXT))
    draft = make_draft(t, Source("clinic: talk #1.mp4", "ab" * 32, 30.0), DraftOptions(date="2026-01-02"))
    return RenderContext(draft=draft, transcript=t)


def test_markdown_front_matter_is_valid_yaml_and_headings_follow():
    yaml = pytest.importorskip(
        "yaml", reason="needs pyyaml (in the 'test' extra): bash scripts/test.sh installs it"
    )
    out = render_all(context(), ("md",))["post.md"].decode()
    _, front, body = out.split("---\n", 2)
    meta = yaml.safe_load(front)
    assert meta["source"] == "clinic: talk #1.mp4"
    assert meta["date"] == "2026-01-02"
    assert [line for line in body.splitlines() if line.startswith("## ")] == [
        '## What is "ketamine" \\<script\\>alert(1)\\</script\\>?',
        "## How long does a session take?",
    ]
    assert body.lstrip().startswith("Hello and welcome.")  # the greeting is the lead, not a section


def test_the_opening_greeting_is_the_lead_in_every_post_format_and_chapters_start_at_zero():
    docx = pytest.importorskip("docx", reason="needs python-docx (a default dependency)")
    ctx = context()
    lead = ctx.draft.sections[0]
    assert lead.lead and not any(s.lead for s in ctx.draft.sections[1:])
    files = render_all(ctx, ("md", "html", "docx", "draft"))
    md = files["post.md"].decode().split("---\n", 2)[2]
    assert md.index("Hello and welcome.") < md.index("## ") and f"## {lead.heading}" not in md
    html = files["post.html"].decode()
    assert html.index("<p>Hello and welcome.</p>") < html.index("<h2>") and f"<h2>{lead.heading}" not in html
    paragraphs = docx.Document(io.BytesIO(files["post.docx"])).paragraphs
    styles = [(p.style.name, p.text) for p in paragraphs]
    assert styles[1] == ("Normal", "Hello and welcome.") and styles[2][0] == "Heading 1"
    assert json.loads(files["draft.json"])["sections"][0]["lead"] is True


def test_the_leads_still_frame_is_named_by_the_posts_title_not_an_invented_heading():
    ctx = context()
    pictured = [dataclasses.replace(s, image=f"images/0{n}.jpg") for n, s in enumerate(ctx.draft.sections, 1)]
    ctx = dataclasses.replace(ctx, draft=dataclasses.replace(ctx.draft, sections=tuple(pictured)))
    lead = ctx.draft.sections[0].heading
    files = render_all(ctx, ("md", "html"))
    md, html = files["post.md"].decode(), files["post.html"].decode()
    assert f"![{md_escape(ctx.draft.title)}](images/01.jpg)" in md and f"![{lead}]" not in md
    assert f'alt="{ctx.draft.title}"' in html and f'alt="{lead}"' not in html
    assert '<img src="images/03.jpg" alt="How long does a session take?"' in html  # a section: its heading
    assert "![How long does a session take?](images/03.jpg)" in md


def test_draft_json_has_the_documented_shape():
    data = json.loads(render_all(context(), ("draft",))["draft.json"])
    assert {"title", "slug", "description", "source", "sections", "keywords", "removals"} <= set(data)
    assert set(data["source"]) == {"path", "sha256", "duration", "ffmpeg"}  # as README says
    section = data["sections"][1]
    assert section["heading_source"] == "spoken"
    assert {"text", "start", "end", "words"} <= set(section["paragraphs"][0])


def test_captions_srt_and_vtt_are_timed_and_ordered():
    files = render_all(context(), ("srt", "vtt"))
    srt, vtt = files["captions.srt"].decode(), files["captions.vtt"].decode()
    assert srt.startswith("1\n00:00:00,080 --> ")
    assert vtt.startswith("WEBVTT\n\n00:00:00.080 --> ")
    cues = caption_cues(context().transcript)
    assert all(a[1] <= b[0] for a, b in zip(cues, cues[1:]))
    assert all(len(text) <= 84 for _, _, text in cues)


def test_formats_are_validated_and_draft_json_always_written():
    assert parse_formats("md,srt") == ("draft", "md", "srt")
    with pytest.raises(UsageError, match="unknown format pdf; choose from"):
        parse_formats("md,pdf")


def test_template_override_and_broken_template_error(tmp_path):
    (tmp_path / "post.md.j2").write_text("# {{ draft.title }}\n")
    ctx = RenderContext(context().draft, context().transcript, template_dir=tmp_path)
    assert render_all(ctx, ("md",))["post.md"].decode().startswith("# ")
    (tmp_path / "post.md.j2").write_text("ok\n{% for x in %}\n")
    ctx = RenderContext(context().draft, context().transcript, template_dir=tmp_path)
    with pytest.raises(TemplateError, match="post.md.j2, line 2"):
        render_all(ctx, ("md",))


def test_filters_escape_yaml_and_markdown():
    assert yaml_scalar('a: "b"\n- c') == '"a: \\"b\\"\\n- c"'
    assert md_escape("# not *bold* <b>") == "\\# not \\*bold\\* \\<b\\>"


@pytest.mark.parametrize(
    "text",
    [
        "Smooth & Clear: 50% fewer <less> pain",
        "Write &amp; or &#38; as said",
        "Call {{ or }} email, {% price %} and {%raw%}",
        "Ask about our R&D; team",
        "Book at https://clinic.example/book_now?x=1&y=2#faq_2 or www.clinic.example/a_b_c, not *here*",
        "https://x.example/_private_/a*b*c?q=&amp; and https://x.example/{{ page }} stay text",
    ],
)
def test_markdown_shows_the_text_as_said_in_any_site_generator(text):
    """CommonMark shows the escaped text exactly; nothing is left that kramdown (Jekyll) shows with its
    backslash ("\\&"), or that Liquid (which Jekyll runs first) reads as a tag or an output."""
    from markdown_it import MarkdownIt

    escaped = md_escape(text)
    assert "\\&" not in escaped and "{{" not in escaped and "{%" not in escaped
    html = MarkdownIt("commonmark").render(escaped)
    shown = html.removeprefix("<p>").removesuffix("</p>\n")
    assert shown == text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@pytest.mark.parametrize(("language", "word"), [("en", "By"), ("es", "Por")])
def test_the_byline_is_said_in_the_drafts_language_and_escaped_only_in_html(language, word):
    ctx = context()
    ctx = RenderContext(
        draft=dataclasses.replace(ctx.draft, byline="Dr. Ann O'Neil & Sons, MD", language=language),
        transcript=ctx.transcript,
    )
    files = {name: body.decode() for name, body in render_all(ctx, ("md", "html")).items()}
    assert f"*{word} Dr. Ann O'Neil & Sons, MD*" in files["post.md"]  # a bare "&" needs no escape in Markdown
    assert f'<p class="byline">{word} Dr. Ann O&#39;Neil &amp; Sons, MD</p>' in files["post.html"]


def test_a_jekyll_posts_links_keep_the_sites_base_and_the_word_document_no_liquid():
    """post.md links a related post through Jekyll's relative_url (a project site's baseurl kept); the
    Word document, which no site generator reads, shows the plain title."""
    ctx = context()
    related = (RelatedPost("Botox basics", "botox-basics", "botox", "What it does."),)
    ctx = RenderContext(
        dataclasses.replace(ctx.draft, related=related), ctx.transcript, front_matter="jekyll"
    )
    files = render_all(ctx, ("md", "docx"))
    assert '({{ "/botox-basics/" | relative_url }})' in files["post.md"].decode()
    with zipfile.ZipFile(io.BytesIO(files["post.docx"])) as docx:
        parts = " ".join(docx.read(n).decode() for n in docx.namelist() if n.endswith(".rels"))
        body = docx.read("word/document.xml").decode()
    assert "Botox basics" in body and "botox-basics" not in parts and "relative_url" not in body


def test_the_word_documents_related_posts_link_only_web_addresses():
    """post.docx linked a related post to its site path ("/botox-basics/"), which Word and LibreOffice
    open as a local file that is not there; that post is now its title as plain text, and a post already
    published (an http(s) address) is still a hyperlink."""
    docx = pytest.importorskip("docx", reason="needs python-docx (a default dependency)")
    ctx = context()
    related = (
        RelatedPost("Botox basics", "botox-basics", "botox", "What it does."),
        RelatedPost(
            "Fillers", "fillers", "fillers", "How long they last.", url="https://clinic.example/fillers/"
        ),
    )
    ctx = RenderContext(dataclasses.replace(ctx.draft, related=related), ctx.transcript)
    document = docx.Document(io.BytesIO(render_all(ctx, ("docx",))["post.docx"]))
    links = [r.target_ref for r in document.part.rels.values() if r.reltype.endswith("/hyperlink")]
    assert links == ["https://clinic.example/fillers/"]
    assert any(p.text == "Botox basics: What it does." for p in document.paragraphs)


def test_the_word_document_keeps_no_template_preview_or_statistics():
    """post.docx carried python-docx's template leftovers: a blank page as its preview
    (docProps/thumbnail.jpeg) and docProps/app.xml's "Microsoft Macintosh Word", 1 page, 0 words."""
    files = render_all(context(), ("docx",))
    with zipfile.ZipFile(io.BytesIO(files["post.docx"])) as docx:
        names = docx.namelist()
        app = docx.read("docProps/app.xml").decode()
        rels = docx.read("_rels/.rels").decode()
    assert not any("thumbnail" in name for name in names) and "thumbnail" not in rels
    assert "<Application>video2blog</Application>" in app
    assert "Macintosh" not in app and "<Words>" not in app and "<Pages>" not in app


def test_captions_shown_over_a_lower_third_go_to_the_top_of_the_frame():
    """Captions were drawn over the speaker's name card at the bottom of the frame; a cue shown while
    text sits there is placed at the top (WebVTT's line:0, SubRip's {\\an8}); others stay where they were."""
    ctx = context()
    card = ScreenText("Dr. Ann Lee, MD", 0.0, 1.0, 0.99, (0.05, 0.84, 0.6, 0.91))
    logo = ScreenText("Clinic", 0.0, 30.0, 0.99, (0.75, 0.02, 0.98, 0.08), persistent=True)  # at the top
    ctx = RenderContext(dataclasses.replace(ctx.draft, screen_text=(card, logo)), ctx.transcript)
    files = {name: body.decode() for name, body in render_all(ctx, ("srt", "vtt")).items()}
    vtt = [block.splitlines() for block in files["captions.vtt"].split("\n\n")[1:]]
    srt = [block.splitlines() for block in files["captions.srt"].split("\n\n")]
    assert [cue[0].endswith(" line:0") for cue in vtt] == [True] + [False] * (len(vtt) - 1)
    assert [cue[2].startswith("{\\an8}") for cue in srt] == [True] + [False] * (len(srt) - 1)
    assert srt[0][2] == "{\\an8}" + vtt[0][1]


def test_captions_never_go_up_over_a_banner_at_the_top_nor_because_of_burned_in_captions():
    """Burned-in subtitles sit in the lowest third all through a talk: every cue went to the top, over the
    clinic's banner with its phone number there."""
    ctx = context()
    burned = tuple(
        ScreenText(f"cue {n}", n * 2.0, n * 2.0 + 2.0, 0.99, (0.2, 0.86, 0.8, 0.94), caption=True)
        for n in range(30)
    )
    card = ScreenText("Dr. Ann Lee, MD", 0.0, 1.0, 0.99, (0.05, 0.7, 0.6, 0.76))
    banner = ScreenText("Call (555) 013-4567", 0.0, 60.0, 0.99, (0.02, 0.02, 0.44, 0.08), persistent=True)
    for shown in (burned, (card, banner, *burned)):
        draft = dataclasses.replace(ctx.draft, screen_text=shown)
        files = render_all(RenderContext(draft, ctx.transcript), ("srt", "vtt"))
        assert "line:0" not in files["captions.vtt"].decode() and "an8" not in files["captions.srt"].decode()
