"""The post's body for WordPress, taken from post.html: the article without its title, images linked
to where they were uploaded, and the page's JSON-LD as an HTML block (search engines read it there)."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from html import unescape
from html.parser import HTMLParser
from typing import Any

import nh3

from video2blog.pipeline.errors import Video2BlogError
from video2blog.pipeline.writers.site import script_json

_ARTICLE = re.compile(r"<article[^>]*>(.*)</article>", re.S | re.I)
_BODY = re.compile(r"<body[^>]*>(.*)</body>", re.S | re.I)
_TITLE = re.compile(r"\s*<h1[^>]*>(.*?)</h1>", re.S | re.I)
_JSON_LD = re.compile(r'<script type="application/ld\+json">(.*?)</script>\n?', re.S | re.I)
_FIGURE = re.compile(r'<figure><img src="([^"]*)"[^>]*></figure>\n?', re.I)

# What a post's body may hold when it goes to a site: the markup an HTML sanitiser (ammonia, through
# nh3) keeps by default, and what a post of this project or an editor's hand adds to it: page
# structure, classes and styles, the talk's own video. No script, event handler, frame, form or
# `javascript:` address: WordPress keeps those for its editors and runs them on the site.
_TAGS = nh3.ALLOWED_TAGS | {"main", "section", "video", "audio", "source", "track"}
_ATTRIBUTES = {tag: set(names) for tag, names in nh3.ALLOWED_ATTRIBUTES.items()} | {
    "*": {"lang", "title", "dir", "class", "id", "style"},
    "a": {"href", "hreflang", "rel", "target"},
    "img": {"alt", "height", "align", "src", "width", "srcset", "sizes", "loading", "decoding"},
    "video": {"src", "controls", "poster", "width", "height", "preload", "muted", "loop", "playsinline"},
    "audio": {"src", "controls", "preload", "muted", "loop"},
    "source": {"src", "type", "srcset", "media"},
    "track": {"src", "kind", "srclang", "label", "default"},
}
_URL_SCHEMES = {"http", "https", "mailto", "tel"}


class UnsafeMarkup(Video2BlogError):
    """post.html holds what a site would run, or a JSON-LD block that is not JSON; ``str()`` says which."""


def no_markup(text: str) -> str:
    """A draft's text where WordPress reads HTML (a post's title and excerpt): its angle brackets written
    as characters, so "<script>" from a caption file is text, while "Q&A" stays as typed (WordPress keeps
    a title as sent, and its editor shows it so: "&amp;" would show)."""
    return text.replace("<", "&lt;").replace(">", "&gt;")


def post_body(html: str, image_urls: Mapping[str, str], sanitise: bool = False) -> str:
    """WordPress post content from a rendered post.html.

    Args:
        html: post.html as written (or edited) in the draft folder.
        image_urls: draft-folder image path -> its URL on the site; figures of other images are left out.
        sanitise: send the article as the sanitiser leaves it (:func:`check_markup` said what it drops;
            a page the draft rendered loses nothing), for a post.html that anyone may have written.

    Raises:
        UnsafeMarkup: a JSON-LD block of the page is not JSON.
    """
    body = sanitised(article(html)) if sanitise else article(html)
    body = _FIGURE.sub(lambda m: _figure(m, image_urls), body)
    blocks = [script_json(_linked(data, image_urls)) for data in json_ld(html)]
    scripts = (f'<script type="application/ld+json">\n{b}\n</script>' for b in blocks)
    return "\n\n".join([body, *(f"<!-- wp:html -->\n{s}\n<!-- /wp:html -->" for s in scripts)]) + "\n"


def article(html: str) -> str:
    """The post's own markup in a post.html: its article (else its body) without the title or JSON-LD."""
    return _JSON_LD.sub("", _TITLE.sub("", _page_body(html), count=1)).strip()


def page_title(html: str) -> str | None:
    """The text of the article's ``h1`` (the post's title as the page shows it, maybe edited there by
    hand), without markup; None where the page has none."""
    title = _TITLE.search(_page_body(html))
    return " ".join(unescape(nh3.clean(title.group(1), tags=set())).split()) if title else None


def _page_body(html: str) -> str:
    """A post.html's article as written, else its body, else the whole page."""
    match = _ARTICLE.search(html) or _BODY.search(html)
    return match.group(1) if match else html


def json_ld(html: str) -> list[Any]:
    """The page's JSON-LD blocks, each read as JSON (so that only JSON goes back into a script).

    Raises:
        UnsafeMarkup: a block is not JSON (an editor's slip, or a script hidden in it).
    """
    try:
        return [json.loads(text) for text in _JSON_LD.findall(html)]
    except ValueError as exc:
        raise UnsafeMarkup(f"a JSON-LD block that is not JSON ({exc})") from exc


def check_markup(html: str) -> None:
    """Refuse a post.html whose post a site would run code from.

    Python's parser names what the sanitiser drops; where the two read a page differently (a comment
    written as browsers end it), :func:`post_body` sends what the sanitiser kept all the same.

    Raises:
        UnsafeMarkup: the article holds a tag, attribute or address the sanitiser would drop, named in
            the message as it stands in the page; or a JSON-LD block is not JSON.
    """
    json_ld(html)
    body = article(html)
    left = iter(tag for tag, _ in _start_tags(sanitised(body)))
    for tag, written in _start_tags(body):
        if tag not in left:  # dropped, or kept without an attribute (a parser may add tags, as <tbody>)
            shown = written if len(written) <= 80 else written[:77] + "..."
            raise UnsafeMarkup(shown)


def sanitised(body: str) -> str:
    """The markup as a sanitiser leaves it: the tags, attributes and addresses of ``_TAGS`` and
    ``_ATTRIBUTES`` only, read as a browser reads them (an HTML5 parser)."""
    return nh3.clean(
        body,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes=_URL_SCHEMES,
        link_rel=None,
        strip_comments=False,  # an editor's block markers (<!-- wp:... -->) are WordPress's own
    )


def _start_tags(html: str) -> list[tuple[tuple[str, tuple[tuple[str, str], ...]], str]]:
    parser = _StartTags()
    parser.feed(html)
    parser.close()
    return parser.tags


class _StartTags(HTMLParser):
    """Each start tag of a page with its attributes in order of name, and the tag as written."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[tuple[str, tuple[tuple[str, str], ...]], str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = tuple(sorted((key, value or "") for key, value in attrs))
        self.tags.append(((tag, attributes), self.get_starttag_text() or f"<{tag}>"))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)


def _figure(match: re.Match[str], image_urls: Mapping[str, str]) -> str:
    url = image_urls.get(match.group(1))
    return match.group(0).replace(f'src="{match.group(1)}"', f'src="{url}"') if url else ""


def _linked(value: Any, image_urls: Mapping[str, str]) -> Any:
    """JSON-LD with each draft-folder image path replaced by its URL on the site."""
    if isinstance(value, str):
        return image_urls.get(value, value)
    if isinstance(value, list):
        return [_linked(item, image_urls) for item in value]
    if isinstance(value, dict):
        return {key: _linked(item, image_urls) for key, item in value.items()}
    return value


def link_related(html: str, links: Mapping[str, str]) -> str:
    """post.html with each related post's slug link (``href="/slug/"``) pointing where it was published."""
    for slug_link, url in links.items():
        html = html.replace(f'href="{slug_link}"', f'href="{_attribute(url)}"')
    return html


def drop_related(html: str, slug_links: Sequence[str]) -> str:
    """post.html without the related posts at ``slug_links`` (``/slug/``): each one's list item, or
    (another template's block) its link, the words kept; and the related block with no link left."""
    for slug_link in slug_links:
        href = re.escape(f'href="{slug_link}"')
        html = re.sub(rf"<li>(?:(?!</li>).)*?{href}(?:(?!</li>).)*?</li>\n?", "", html, flags=re.S)
        html = re.sub(rf"<a {href}>(.*?)</a>", r"\1", html, flags=re.S)
    return _EMPTY_RELATED.sub("", html)


_EMPTY_RELATED = re.compile(r"\n*<aside class=\"related-posts\">(?:(?!<a |</aside>).)*</aside>\n?", re.S)


def _attribute(url: str) -> str:
    return url.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")
