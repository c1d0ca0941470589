"""The post's body for WordPress, taken from post.html: the article without its title, images linked
to where they were uploaded, and the page's JSON-LD as an HTML block (search engines read it there)."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping

_ARTICLE = re.compile(r"<article[^>]*>(.*)</article>", re.S | re.I)
_BODY = re.compile(r"<body[^>]*>(.*)</body>", re.S | re.I)
_TITLE = re.compile(r"\s*<h1[^>]*>.*?</h1>", re.S | re.I)
_JSON_LD = re.compile(r'<script type="application/ld\+json">.*?</script>', re.S | re.I)
_FIGURE = re.compile(r'<figure><img src="([^"]*)"[^>]*></figure>\n?', re.I)


def no_markup(text: str) -> str:
    """A draft's text where WordPress reads HTML (a post's title and excerpt): its angle brackets written
    as characters, so "<script>" from a caption file is text, while "Q&A" stays as typed (WordPress keeps
    a title as sent, and its editor shows it so: "&amp;" would show)."""
    return text.replace("<", "&lt;").replace(">", "&gt;")


def post_body(html: str, image_urls: Mapping[str, str]) -> str:
    """WordPress post content from a rendered post.html.

    Args:
        html: post.html as written (or edited) in the draft folder.
        image_urls: draft-folder image path -> its URL on the site; figures of other images are left out.
    """
    match = _ARTICLE.search(html) or _BODY.search(html)
    body = _TITLE.sub("", match.group(1) if match else html, count=1).strip()
    body = _FIGURE.sub(lambda m: _figure(m, image_urls), body)
    blocks = [_link_images(script, image_urls) for script in _JSON_LD.findall(html) if script not in body]
    return "\n\n".join([body, *(f"<!-- wp:html -->\n{b}\n<!-- /wp:html -->" for b in blocks)]) + "\n"


def _figure(match: re.Match[str], image_urls: Mapping[str, str]) -> str:
    url = image_urls.get(match.group(1))
    return match.group(0).replace(f'src="{match.group(1)}"', f'src="{url}"') if url else ""


def _link_images(script: str, image_urls: Mapping[str, str]) -> str:
    """The JSON-LD with each draft-folder image path replaced by its URL (as a JSON string)."""
    for path, url in image_urls.items():
        safe = json.dumps(url).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
        script = script.replace(json.dumps(path), safe)
    return script


def link_related(html: str, links: Mapping[str, str]) -> str:
    """post.html with each related post's slug link (``href="/slug/"``) pointing where it was published."""
    for slug_link, url in links.items():
        html = html.replace(f'href="{slug_link}"', f'href="{_attribute(url)}"')
    return html


def _attribute(url: str) -> str:
    return url.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")
