"""A WordPress export file (WXR 1.2) holding the draft as one draft post, for Tools > Import.

For sites whose REST API is closed. The still frames are not in it: WXR carries attachments only as
URLs the importer downloads, and the draft's images are local files (upload them in the editor).
"""

from __future__ import annotations

import re
from dataclasses import replace
from xml.sax.saxutils import escape as _escape
from xml.sax.saxutils import quoteattr

from video2blog.pipeline.schema import Draft
from video2blog.pipeline.textutil import language_tag, slugify
from video2blog.pipeline.writers.wp_content import no_markup, post_body

WXR_VERSION = "1.2"
NAMESPACES = {
    "excerpt": "http://wordpress.org/export/1.2/excerpt/",
    "content": "http://purl.org/rss/1.0/modules/content/",
    "wfw": "http://wellformedweb.org/CommentAPI/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "wp": "http://wordpress.org/export/1.2/",
}
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
SITE = "http://localhost"  # the importer needs a base URL; it keeps the site it imports into


def without_images(draft: Draft) -> Draft:
    """The draft with no section images: what a WXR file can carry."""
    return replace(draft, sections=tuple(replace(s, image="") for s in draft.sections))


def render_wxr(draft: Draft, html: str, author: str = "admin") -> bytes:
    """The export file: one channel with the draft's tags and one draft post.

    Args:
        draft: the finished draft (title, slug, description, date, keywords).
        html: its post.html, rendered without images (see :func:`without_images`).
        author: the login the post is credited to (the importer lets you map it to a user).
    """
    tags = list(draft.keywords[:4])
    lines = ['<?xml version="1.0" encoding="UTF-8" ?>', '<rss version="2.0"']
    lines += [f'\txmlns:{name}="{uri}"' for name, uri in NAMESPACES.items()]
    lines += [">", "<channel>", *_channel(draft, author), *(_tag(t) for t in tags)]
    lines += _item(draft, html, author, tags)
    lines += ["</channel>", "</rss>", ""]
    return "\n".join(lines).encode("utf-8")


def _channel(draft: Draft, author: str) -> list[str]:
    return [
        f"\t<title>{escape(draft.title)}</title>",
        f"\t<link>{SITE}</link>",
        "\t<description></description>",
        f"\t<language>{escape(language_tag(draft.language))}</language>",
        f"\t<wp:wxr_version>{WXR_VERSION}</wp:wxr_version>",
        f"\t<wp:base_site_url>{SITE}</wp:base_site_url>",
        f"\t<wp:base_blog_url>{SITE}</wp:base_blog_url>",
        f"\t<wp:author><wp:author_login>{_cdata(author)}</wp:author_login>"
        f"<wp:author_display_name>{_cdata(author)}</wp:author_display_name></wp:author>",
        "\t<generator>video2blog</generator>",
    ]


def _tag(name: str) -> str:
    slug, tag = _cdata(tag_slug(name)), _cdata(name)
    return f"\t<wp:tag><wp:tag_slug>{slug}</wp:tag_slug><wp:tag_name>{tag}</wp:tag_name></wp:tag>"


def _item(draft: Draft, html: str, author: str, tags: list[str]) -> list[str]:
    date = f"{draft.date} 00:00:00" if len(draft.date) == 10 else draft.date
    fields = [
        f"\t\t<title>{escape(no_markup(draft.title))}</title>",  # WordPress reads HTML
        f"\t\t<dc:creator>{_cdata(author)}</dc:creator>",
        f'\t\t<guid isPermaLink="false">video2blog:{draft.source.sha256}</guid>',
        "\t\t<description></description>",
        f"\t\t<content:encoded>{_cdata(post_body(html, {}))}</content:encoded>",
        f"\t\t<excerpt:encoded>{_cdata(no_markup(draft.description))}</excerpt:encoded>",
        "\t\t<wp:post_id>1</wp:post_id>",
        f"\t\t<wp:post_date>{_cdata(date)}</wp:post_date>",
        f"\t\t<wp:post_date_gmt>{_cdata(date)}</wp:post_date_gmt>",
        "\t\t<wp:comment_status>closed</wp:comment_status>",
        "\t\t<wp:ping_status>closed</wp:ping_status>",
        f"\t\t<wp:post_name>{_cdata(draft.slug)}</wp:post_name>",
        "\t\t<wp:status>draft</wp:status>",
        "\t\t<wp:post_parent>0</wp:post_parent>",
        "\t\t<wp:menu_order>0</wp:menu_order>",
        "\t\t<wp:post_type>post</wp:post_type>",
        "\t\t<wp:post_password></wp:post_password>",
        "\t\t<wp:is_sticky>0</wp:is_sticky>",
    ]
    fields += [
        f'\t\t<category domain="post_tag" nicename={quoteattr(tag_slug(t))}>{_cdata(t)}</category>'
        for t in tags
    ]
    return ["\t<item>", *fields, "\t</item>"]


def tag_slug(name: str) -> str:
    """A tag's slug (its nicename) as WordPress makes one, and as the post's slug is made: the importer keeps
    it, so a tag the site has already ("covid-19" of "COVID–19") is reused, not made again."""
    return slugify(name, limit=200, fallback="tag")


def _cdata(text: str) -> str:
    """Text in a CDATA section; a "]]>" inside is split across two sections."""
    return "<![CDATA[" + _xml_chars(text).replace("]]>", "]]]]><![CDATA[>") + "]]>"


def escape(text: str) -> str:
    """Text escaped for an XML element, without the characters XML 1.0 forbids."""
    return _escape(_xml_chars(text))


def _xml_chars(text: str) -> str:
    return _NOT_XML.sub("", text)
