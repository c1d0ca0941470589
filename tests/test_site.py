"""What websites read besides the prose: front matter, Open Graph, JSON-LD, YouTube chapters and WXR."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import yaml
from typer.testing import CliRunner

from tests.conftest import make_transcript
from video2blog.cli import app
from video2blog.pipeline.editing.store import with_chapter_notes
from video2blog.pipeline.run import DraftOptions, make_draft
from video2blog.pipeline.schema import Draft, Paragraph, Section, Source
from video2blog.pipeline.serialize import to_json, transcript_to_dict
from video2blog.pipeline.text.sentences import split_sentences
from video2blog.pipeline.writers.chapters import youtube_chapters
from video2blog.pipeline.writers.formats import RenderContext, render_all

TEXT = (
    "Hello and welcome to the clinic. What is ketamine and why does it help? "
    "It is an anaesthetic used at low doses for nerve pain and it has helped many of our patients. "
    "How long does a session take? Each infusion takes about forty minutes in a quiet room with a nurse."
)
HOSTILE = 'Is it safe? </script><script>alert("x")</script> & more'

# Properties schema.org defines for each type we write (its own and those it inherits from
# CreativeWork and Thing), limited to the ones a blog post could carry; see schema.org/<Type>.
THING = {"name", "description", "image", "url"}
CREATIVE_WORK = THING | {
    "headline",
    "datePublished",
    "keywords",
    "video",
    "hasPart",
    "thumbnailUrl",
    "inLanguage",
    "author",
}
PROPERTIES = {
    "Article": CREATIVE_WORK,
    "MedicalWebPage": CREATIVE_WORK | {"reviewedBy", "lastReviewed"},
    "VideoObject": CREATIVE_WORK | {"uploadDate", "duration", "contentUrl", "embedUrl"},
    "Clip": CREATIVE_WORK | {"startOffset", "endOffset"},
    "Person": THING,
}
# What search engines need of each (Google's structured-data requirements for articles and key moments).
REQUIRED = {
    "Article": {"headline"},
    "MedicalWebPage": {"headline"},
    "VideoObject": {"name", "uploadDate", "thumbnailUrl"},
    "Clip": {"name", "startOffset", "endOffset"},
    "Person": {"name"},
}


def context(text: str = TEXT, **options: object) -> RenderContext:
    transcript = split_sentences(make_transcript(text))
    draft = make_draft(transcript, Source("talk.mp4", "ab" * 32, 60.0), DraftOptions(date="2026-01-02"))
    return RenderContext(draft, transcript, **options)  # type: ignore[arg-type]


def with_images(ctx: RenderContext) -> RenderContext:
    sections = tuple(replace(s, image=f"images/{n:02d}-x.jpg") for n, s in enumerate(ctx.draft.sections, 1))
    return replace(ctx, draft=replace(ctx.draft, sections=sections))


def front_matter(ctx: RenderContext) -> dict:
    _, front, _ = render_all(ctx, ("md",))["post.md"].decode().split("---\n", 2)
    return yaml.safe_load(front)


def test_hugo_jekyll_and_astro_front_matter_have_the_fields_each_expects():
    ctx = context()
    draft = ctx.draft
    tags = list(draft.keywords[:4])
    assert front_matter(replace(ctx, front_matter="hugo")) == {
        "title": draft.title,
        "date": "2026-01-02",
        "draft": True,
        "description": draft.description,
        "tags": tags,
        "slug": draft.slug,
        "url": f"/{draft.slug}/",
    }
    assert front_matter(replace(ctx, front_matter="jekyll")) == {
        "layout": "post",
        "title": draft.title,
        "date": "2026-01-02",
        "categories": [],
        "tags": tags,
        "excerpt": draft.description,
        "published": False,
        "permalink": f"/{draft.slug}/",
    }
    assert front_matter(replace(ctx, front_matter="astro")) == {
        "title": draft.title,
        "description": draft.description,
        "pubDate": "2026-01-02",
    }
    assert set(front_matter(ctx)) == {
        "title",
        "slug",
        "description",
        "date",
        "source",
        "duration",
        "keywords",
        "tags",
    }  # the default is unchanged


def test_front_matter_survives_quotes_colons_and_newlines_in_the_title():
    ctx = context()
    awkward = replace(
        ctx, draft=replace(ctx.draft, title='Pain: "why" it lasts\n# not a comment'), front_matter="hugo"
    )
    assert front_matter(awkward)["title"] == 'Pain: "why" it lasts\n# not a comment'


def test_an_unknown_front_matter_style_is_one_line_naming_the_choices(tmp_path: Path):
    source = tmp_path / "transcript.json"
    source.write_bytes(to_json(transcript_to_dict(make_transcript(TEXT))))
    result = CliRunner().invoke(
        app, ["draft", str(source), "-o", str(tmp_path / "d"), "--front-matter", "wix"]
    )
    assert result.exit_code == 2
    assert "unknown front matter 'wix'; choose from: hugo, jekyll, astro" in result.output
    assert not (tmp_path / "d").exists()


def json_ld_of(html: str) -> dict:
    (block,) = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return json.loads(block)


def check_schema(node: dict) -> None:
    """Every typed object uses only its type's properties and has the ones search engines need."""
    kind = node["@type"]
    assert set(node) - {"@context", "@type"} <= PROPERTIES[kind], kind
    assert REQUIRED[kind] <= set(node), kind
    for value in node.values():
        for child in value if isinstance(value, list) else [value]:
            if isinstance(child, dict):
                check_schema(child)


def test_post_html_has_open_graph_and_json_ld_an_article_with_the_video_and_its_clips():
    ctx = with_images(context())
    html = render_all(ctx, ("html",))["post.html"].decode()
    og = dict(re.findall(r'<meta property="(og:[\w:]+)" content="([^"]*)">', html))
    assert og == {
        "og:title": ctx.draft.title,
        "og:description": ctx.draft.description,
        "og:type": "article",
        "og:locale": "en_US",
        "og:image": "images/01-x.jpg",
        "og:image:alt": ctx.draft.sections[0].still_name(ctx.draft.title),  # as the still's alt text
    }
    assert '<meta name="twitter:card" content="summary_large_image">' in html  # a link shared shows it
    data = json_ld_of(html)
    assert data["@context"] == "https://schema.org" and data["@type"] == "Article"
    check_schema(data)
    video = data["video"]
    assert video["@type"] == "VideoObject" and video["duration"] == "PT1M0S"
    assert video["thumbnailUrl"][0] == data["image"] == "images/01-x.jpg"
    clips = video["hasPart"]
    assert [c["name"] for c in clips] == [s.heading for s in ctx.draft.sections]
    assert [c["startOffset"] for c in clips] == [int(s.start) for s in ctx.draft.sections]
    assert all(c["startOffset"] < c["endOffset"] for c in clips)
    assert all(a["endOffset"] <= b["startOffset"] for a, b in zip(clips, clips[1:]))  # they never overlap


def test_the_stills_keep_their_place_before_they_load_and_all_but_the_first_load_late():
    ctx = with_images(context())
    header = b"\xff\xd8\xff\xc0\x00\x11\x08" + (360).to_bytes(2, "big") + (640).to_bytes(2, "big")
    html = render_all(replace(ctx, stills={"images/01-x.jpg": header}), ("html",))["post.html"].decode()
    figures = re.findall(r"<figure>.*</figure>", html)
    assert len(figures) == len(ctx.draft.sections) > 1
    assert 'src="images/01-x.jpg"' in figures[0] and 'width="640" height="360"' in figures[0]
    assert "loading" not in figures[0]  # the featured still, at the top: loaded at once
    assert all('loading="lazy"' in f and "width" not in f for f in figures[1:])  # sizes read: none here


def test_medical_makes_a_medical_web_page_left_for_the_clinician_to_sign():
    data = json_ld_of(render_all(context(medical=True), ("html",))["post.html"].decode())
    assert data["@type"] == "MedicalWebPage"
    check_schema(data)
    assert data["reviewedBy"] == {"@type": "Person", "name": ""} and data["lastReviewed"] == ""


def test_the_speaker_of_the_byline_is_the_pages_author_by_name_alone():
    ctx = context(medical=True)
    shown = replace(ctx, draft=replace(ctx.draft, byline="Dr. Alex Rivera, MD - pain medicine"))
    html = render_all(shown, ("html",))["post.html"].decode()
    data = json_ld_of(html)
    check_schema(data)
    assert data["author"] == {"@type": "Person", "name": "Dr. Alex Rivera"}
    assert '<meta name="author" content="Dr. Alex Rivera">' in html
    plain = render_all(ctx, ("html",))["post.html"].decode()  # no byline: no author claimed
    assert "author" not in json_ld_of(plain) and 'name="author"' not in plain


def test_a_talk_without_stills_claims_no_video_in_its_json_ld():
    # from audio or captions, or with --no-images: a VideoObject without a thumbnail is invalid markup
    data = json_ld_of(render_all(context(), ("html",))["post.html"].decode())
    assert data["@type"] == "Article" and "video" not in data and "image" not in data
    check_schema(data)
    html = render_all(context(), ("html",))["post.html"].decode()
    assert '<meta name="twitter:card" content="summary">' in html and "og:image" not in html


def test_a_heading_cannot_close_the_json_ld_script():
    ctx = with_images(context())
    sections = (replace(ctx.draft.sections[0], heading=HOSTILE), *ctx.draft.sections[1:])
    html = render_all(replace(ctx, draft=replace(ctx.draft, sections=sections)), ("html",))[
        "post.html"
    ].decode()
    head = html.split("</head>")[0]
    assert "<script>alert" not in head
    assert json_ld_of(html)["video"]["hasPart"][0]["name"] == HOSTILE


def sections_at(starts: list[float], end: float, titles: list[str] | None = None) -> list[Section]:
    bounds = [*starts[1:], end]
    names = titles or [f"Part {i}" for i in range(len(starts))]
    return [
        Section(name, "generated", s, e, (Paragraph("x", s, e, (0, 1)),))
        for name, s, e in zip(names, starts, bounds)
    ]


def test_chapters_start_at_zero_and_follow_the_sections():
    chapters = youtube_chapters(sections_at([3.2, 40.0, 95.5, 130.0], 200.0), 200.0)
    assert chapters.lines == ("0:00 Part 0", "0:40 Part 1", "1:35 Part 2", "2:10 Part 3")
    assert chapters.said("en") == ()


def test_chapters_shorter_than_ten_seconds_are_merged_and_the_merge_is_reported():
    chapters = youtube_chapters(sections_at([0.0, 5.0, 30.0, 34.0, 60.0, 90.0], 120.0), 120.0)
    # Part 0 (0:00-0:05) is folded into Part 1, which starts at 0:00 in its place; then Part 2 (0:30-0:34)
    assert chapters.lines == ("0:00 Part 1", "0:34 Part 3", "1:00 Part 4", "1:30 Part 5")
    assert len(chapters.said("en")) == 2
    assert "'Part 0' at 0:00 merged" in chapters.said("en")[0] and "10 s" in chapters.said("en")[0]
    assert "'Part 2' at 0:30 merged" in chapters.said("en")[1]


def test_fewer_than_three_chapters_give_an_empty_file_and_say_why():
    chapters = youtube_chapters(sections_at([0.0, 30.0, 55.0], 60.0), 60.0)  # the last lasts 5 s
    assert chapters.lines == ()
    assert chapters.said("en")[-1] == (
        "chapters.txt is empty: YouTube needs at least 3 chapters of 10 s or more, and this talk has 2"
    )


def test_chapters_of_an_hour_long_talk_and_headings_youtube_would_refuse():
    titles = ["Intro", "Dosing <b>bold</b>", "Questions"]
    lines = youtube_chapters(sections_at([0.0, 1800.0, 3650.0], 4000.0, titles), 4000.0).lines
    assert lines == ("0:00 Intro", "30:00 Dosing b bold /b", "1:00:50 Questions")


def test_a_chapter_title_keeps_no_space_where_an_angle_bracket_before_a_mark_was():
    """chapters.txt turned "Heat & ice: which one <first>?" into "... which one first ?"."""
    titles = ["Intro", "Heat & ice: which one <first>?", "Questions <again>."]
    lines = youtube_chapters(sections_at([0.0, 60.0, 120.0], 180.0, titles), 180.0).lines
    assert lines == ("0:00 Intro", "1:00 Heat & ice: which one first?", "2:00 Questions again.")


def test_chapters_file_and_notes_reach_the_draft_and_the_command_line(tmp_path: Path):
    source = tmp_path / "transcript.json"
    source.write_bytes(to_json(transcript_to_dict(make_transcript(TEXT))))  # about 20 s: too short
    result = CliRunner().invoke(app, ["draft", str(source), "-o", str(tmp_path / "d")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "d" / "chapters.txt").read_bytes() == b""
    notes = json.loads((tmp_path / "d" / "draft.json").read_text())["notes"]
    assert notes and notes[-1].startswith("chapters.txt is empty")
    assert f"note: {notes[-1]}" in result.output


NS = {
    "wp": "http://wordpress.org/export/1.2/",
    "content": "http://purl.org/rss/1.0/modules/content/",
    "excerpt": "http://wordpress.org/export/1.2/excerpt/",
    "dc": "http://purl.org/dc/elements/1.1/",
}


def test_wxr_is_a_wordpress_1_2_export_of_one_draft_post_without_local_images():
    ctx = with_images(context())
    odd = replace(ctx.draft.sections[0], heading="Odd ]]> heading", lead=False)  # a heading the post shows
    sections = (odd, *ctx.draft.sections[1:])
    draft: Draft = replace(ctx.draft, sections=sections)
    root = ET.fromstring(render_all(replace(ctx, draft=draft), ("wxr",))["wordpress.xml"])
    channel = root.find("channel")
    assert root.tag == "rss" and root.get("version") == "2.0" and channel is not None
    assert channel.findtext("wp:wxr_version", namespaces=NS) == "1.2"
    (item,) = channel.findall("item")
    assert item.findtext("title") == draft.title
    assert item.findtext("wp:post_name", namespaces=NS) == draft.slug
    assert item.findtext("wp:status", namespaces=NS) == "draft"
    assert item.findtext("wp:post_type", namespaces=NS) == "post"
    assert item.findtext("excerpt:encoded", namespaces=NS) == draft.description
    body = item.findtext("content:encoded", namespaces=NS) or ""
    assert "<h2>Odd ]]&gt; heading</h2>" in body and "<img" not in body and "<h1" not in body
    assert "<!-- wp:html -->" in body and '"Article"' in body and "images/" not in body
    assert '"VideoObject"' not in body  # no stills in it: no thumbnail, so no video
    tags = [(c.get("domain"), c.text) for c in item.findall("category")]
    assert tags == [("post_tag", k) for k in draft.keywords[:4]]


def test_wxr_tag_slugs_are_made_as_the_posts_slug_is_and_as_wordpress_makes_them():
    """The export's own older slug dropped a dash ("covid19", "510-mg"), where WordPress and the post's
    slug make "covid-19" and "5-10-mg": importing it made a second tag beside the one the site had."""
    ctx = context()
    draft = replace(ctx.draft, keywords=("COVID–19", "5–10 mg", "Ketamine"))
    root = ET.fromstring(render_all(replace(ctx, draft=draft), ("wxr",))["wordpress.xml"])
    channel = root.find("channel")
    assert channel is not None
    slugs = [t.findtext("wp:tag_slug", namespaces=NS) for t in channel.findall("wp:tag", NS)]
    assert slugs == ["covid-19", "5-10-mg", "ketamine"]
    (item,) = channel.findall("item")
    assert [c.get("nicename") for c in item.findall("category")] == slugs


def test_a_save_reports_what_youtube_chapters_merged_in_the_drafts_language():
    # A split leaves a 5 s section: the reply to the review page and the draft's notes (draft.json) say so
    # in the draft's language.
    before = Draft(
        "T",
        "t",
        "",
        "2026-12-04",
        Source("v.mp4", "0" * 64, 120.0),
        tuple(sections_at([0.0, 30.0, 60.0, 90.0], 120.0)),
        language="es",
    )
    after = replace(before, sections=tuple(sections_at([0.0, 30.0, 35.0, 60.0, 90.0], 120.0)))
    draft, said = with_chapter_notes(before, after, ("chapters",))
    assert said == (
        "el capítulo 'Part 1' de 0:30 se unió al de al lado: los capítulos de YouTube deben durar 10 s o más",
    )
    assert draft.notes == said
    english, said_en = with_chapter_notes(
        replace(before, language="en"), replace(after, language="en"), ("chapters",)
    )
    assert (
        english.notes
        == said_en
        == ("chapter 'Part 1' at 0:30 merged into its neighbour: YouTube chapters must last 10 s or more",)
    )
