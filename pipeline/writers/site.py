"""What a website reads from a post besides its prose: static-site front matter, Open Graph and JSON-LD.

Pure functions of a finished :class:`~video2blog.pipeline.schema.Draft`; the md and html templates
place what they return.
"""

from __future__ import annotations

import json
import re
from typing import Any

from video2blog.pipeline.errors import UsageError
from video2blog.pipeline.schema import Draft, Section
from video2blog.pipeline.textutil import locale_of

FRONT_MATTER_STYLES = ("hugo", "jekyll", "astro")
TAG_COUNT = 4  # as many tags as the default front matter's
# Where a byline's name ends and its credentials begin: "Dr. Jane Smith, MD - pain medicine".
_CREDENTIALS = re.compile(r",|\s[-–—|]\s")


def check_front_matter(style: str) -> str:
    """``style`` lower-cased if it is a known front-matter style ("" for video2blog's own fields).

    Raises:
        UsageError: an unknown style, listing the valid ones.
    """
    name = style.strip().lower()
    if name and name not in FRONT_MATTER_STYLES:
        raise UsageError(f"unknown front matter {style!r}; choose from: {', '.join(FRONT_MATTER_STYLES)}")
    return name


def front_matter_fields(draft: Draft, style: str) -> dict[str, object]:
    """The front-matter fields a static-site generator expects, or {} for video2blog's own."""
    tags = list(draft.keywords[:TAG_COUNT])
    if style == "hugo":
        return {
            "title": draft.title,
            "date": draft.date,
            "draft": True,
            "description": draft.description,
            "tags": tags,
            "slug": draft.slug,
            "url": f"/{draft.slug}/",  # where the related posts' links (/slug/) find it
        }
    if style == "jekyll":
        return {
            "layout": "post",
            "title": draft.title,
            "date": draft.date,
            "categories": [],
            "tags": tags,
            "excerpt": draft.description,
            "published": False,
            "permalink": f"/{draft.slug}/",  # where the related posts' links (/slug/) find it
        }
    if style == "astro":
        return {"title": draft.title, "description": draft.description, "pubDate": draft.date}
    return {}


def site_href(style: str, path: str) -> str:
    """A path on the site ("/slug/") as ``post.md`` links it: through Liquid's ``relative_url`` for a
    Jekyll site (a project site's ``baseurl``, "/blog", is kept); for a Hugo site from the post's own
    address (its front matter's ``url``, one folder deep: "../slug/"), since Hugo leaves a link in the
    text as written and a site under a subpath (``baseURL`` ".../blog/") would lose it; else as it is.
    An address elsewhere as it is."""
    if not path.startswith("/"):
        return path
    if style == "hugo":
        return ".." + path
    if style == "jekyll":
        return "{{ " + f'"{path}" | relative_url' + " }}"
    return path


def image_src(draft: Draft, style: str, path: str) -> str:
    """Where ``post.md`` finds a still (``images/NN-name.jpg`` in the draft folder). Jekyll has no page
    bundles (a post's relative link resolves under its dated URL), so a Jekyll post finds its stills
    under ``/assets/images/<slug>/`` of the site, through Liquid's ``relative_url`` (the site's baseurl)."""
    if style != "jekyll":
        return path
    return site_href(style, f"/assets/images/{draft.slug}/{path.rsplit('/', 1)[-1]}")


def featured(draft: Draft) -> Section | None:
    """The section whose still frame is the post's featured image: the first with one (None: none has)."""
    return next((s for s in draft.sections if s.image), None)


def featured_image(draft: Draft) -> str:
    """The post's featured image: the first section's still frame ("" when there is none)."""
    still = featured(draft)
    return still.image if still else ""


def open_graph(draft: Draft) -> dict[str, str]:
    """Open Graph properties (``og:*``) for the page's head."""
    tags = {
        "og:title": draft.title,
        "og:description": draft.description,
        "og:type": "article",
        "og:locale": locale_of(draft.language),
    }
    still = featured(draft)
    if still is None:
        return tags
    return {**tags, "og:image": still.image, "og:image:alt": still.still_name(draft.title)}


def twitter_card(draft: Draft) -> dict[str, str]:
    """The card X (Twitter) shows for a link to the page (``<meta name>``; it reads the rest from Open
    Graph): the featured still large where there is one."""
    return {"twitter:card": "summary_large_image" if featured_image(draft) else "summary"}


def json_ld(draft: Draft, medical: bool = False) -> dict[str, Any]:
    """Schema.org markup: an Article (a MedicalWebPage when ``medical``) with the talk as its VideoObject
    where the draft has still frames.

    A MedicalWebPage's ``reviewedBy`` and ``lastReviewed`` are left empty for the clinician to fill. A
    draft without stills (from audio or captions, ``--no-images``, a WXR file) names no video: search
    engines require a VideoObject's ``thumbnailUrl``, and report one without it as invalid markup.
    """
    page: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "MedicalWebPage" if medical else "Article",
        "headline": draft.title,
        "description": draft.description,
        "datePublished": draft.date,
        "keywords": ", ".join(draft.keywords),
        "inLanguage": draft.language,
    }
    image = featured_image(draft)
    if image:
        page["image"] = image
    author = author_name(draft.byline)
    if author:
        page["author"] = {"@type": "Person", "name": author}
    if medical:
        page["reviewedBy"] = {"@type": "Person", "name": ""}
        page["lastReviewed"] = ""
    if image:
        page["video"] = video_object(draft)
    return page


def author_name(byline: str) -> str:
    """The speaker's name in a byline, without the credentials after it ("Dr. Jane Smith" of "Dr. Jane
    Smith, MD - pain medicine"): search engines want a Person's name alone; "" where there is none."""
    return _CREDENTIALS.split(byline, maxsplit=1)[0].strip()


def video_object(draft: Draft) -> dict[str, Any]:
    """The talk as a VideoObject, its stills as thumbnails, whose ``hasPart`` Clips are the sections (a
    video's key moments)."""
    video: dict[str, Any] = {
        "@type": "VideoObject",
        "name": draft.title,
        "description": draft.description,
        "uploadDate": draft.date,
        "duration": iso_duration(draft.source.duration),
        "thumbnailUrl": [s.image for s in draft.sections if s.image],
    }
    starts = [int(s.start) for s in draft.sections]
    ends = [min([round(s.end), *starts[i + 1 : i + 2]]) for i, s in enumerate(draft.sections)]  # no overlap
    video["hasPart"] = [
        {"@type": "Clip", "name": s.heading, "startOffset": start, "endOffset": max(start + 1, end)}
        for s, start, end in zip(draft.sections, starts, ends)
    ]
    return video


def iso_duration(seconds: float) -> str:
    """An ISO 8601 duration ("PT1M30S") as schema.org expects."""
    total = max(0, round(seconds))
    h, rest = divmod(total, 3600)
    m, s = divmod(rest, 60)
    return "PT" + (f"{h}H" if h else "") + (f"{m}M" if m else "") + f"{s}S"


def script_json(value: object) -> str:
    """JSON that is safe inside a ``<script>`` element: ``<``, ``>`` and ``&`` as \\u escapes."""
    text = json.dumps(value, ensure_ascii=False, indent=2)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
