"""Publish a draft folder to WordPress through its REST API (``/wp-json/wp/v2``), as a draft by default.

The post gets the draft's title, slug, excerpt (its description), tags (created when missing), the
body of post.html and the first still frame as its featured image; every still is uploaded to the media
library and attached to the post. The post's id, what was sent and the stills are recorded in the draft
folder (``publish.json``, per site, as each step ends), so publishing again updates that post instead of
making another, and never replaces what an editor changed on the site unasked. Authentication is an
application password (Users > Profile > Application Passwords) sent with HTTP Basic auth.
"""

from __future__ import annotations

import base64
import hashlib
import html
import http.client
import json
import logging
import os
import re
import urllib.parse
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from video2blog.pipeline import net
from video2blog.pipeline.editing.store import read_json_object
from video2blog.pipeline.errors import InputError, UsageError, Video2BlogError
from video2blog.pipeline.output import OutputError, atomic_write, folder_lock, inside, version_beside
from video2blog.pipeline.schema import still_name
from video2blog.pipeline.serialize import still_path, to_json, web_link
from video2blog.pipeline.sources import folder_file
from video2blog.pipeline.textutil import slugify
from video2blog.pipeline.writers.wp_content import (
    UnsafeMarkup,
    check_markup,
    drop_related,
    link_related,
    no_markup,
    page_title,
    post_body,
)

log = logging.getLogger(__name__)

RECORD = "publish.json"
STATUSES = ("draft", "pending", "private", "publish")
TAG_COUNT = 4  # the draft's first keywords, as in post.md's tags
TIMEOUT = 30.0  # seconds for one request, its answer read to the end
AUTH_HELP = (
    "check --user and the application password (VIDEO2BLOG_WP_PASSWORD); make one under "
    "Users > Profile > Application Passwords"
)
# WordPress's codes for a wrong user name or password, or application passwords turned off.
AUTH_CODES = frozenset(
    {
        "incorrect_password",
        "invalid_username",
        "invalid_email",
        "rest_not_logged_in",
        "application_passwords_disabled",
    }
)
NO_REST_HELP = "export the draft with --formats wxr and import it under Tools > Import instead"
BUSY = (
    "another video2blog run (a draft, a batch, a review Save or a publish) is writing into this folder; "
    "publish again when it ends"
)


class PublishError(Video2BlogError):
    """WordPress could not be reached or refused the post; ``status``, ``code`` and ``data`` say how."""

    def __init__(
        self, message: str, status: int = 0, code: str = "", data: dict[str, Any] | None = None
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.data = status, code, data or {}


@dataclass(frozen=True)
class WordPressSite:
    """Where to publish, and as whom (the password is an application password, not the login one)."""

    url: str
    user: str
    password: str = field(repr=False)
    timeout: float = TIMEOUT
    allow_http: bool = False  # send the password over plain http:// to a site that is not this machine


@dataclass(frozen=True)
class DraftPost:
    """What a draft folder gives WordPress."""

    title: str
    slug: str
    excerpt: str
    tags: tuple[str, ...]
    html: str
    images: tuple[tuple[str, str], ...]  # (draft-folder path, alt text), the featured image first


@dataclass(frozen=True)
class PublishResult:
    """The post as WordPress holds it after publishing."""

    post_id: int
    link: str
    status: str
    created: bool
    images: int
    notes: tuple[str, ...] = ()  # what the user should know: a post made afresh, site changes kept


def checked_post(draft_dir: Path, status: str | None = None) -> DraftPost:
    """The draft folder's post, where ``status`` is one WordPress knows (or None): what can be said
    wrong with a publish before a password is asked for.

    Raises:
        UsageError: an unknown status. InputError: the folder is not a draft folder, or its publish.json
            cannot be read.
    """
    if status is not None and status not in STATUSES:
        raise UsageError(f"unknown status {status!r}; choose from: {', '.join(STATUSES)}")
    post = read_draft_post(draft_dir)
    read_records(draft_dir)  # a record that names no post would have the post made twice
    # checked before the site is asked: a post made that publish.json cannot name is made again next time
    if not os.access(draft_dir, os.W_OK | os.X_OK):
        raise OutputError(
            f"is not writable, and {RECORD} there names the post made; make it writable", draft_dir
        )
    return post


def publish_draft(
    draft_dir: Path, site: WordPressSite, status: str | None = None, force: bool = False
) -> PublishResult:
    """Create (or, published before, update) the draft folder's post on a WordPress site.

    Args:
        draft_dir: a folder written by ``video2blog draft`` (draft.json and post.html).
        site: the site's address and the user's application password.
        status: the post's status, only where the editor asked for one: None makes a new post a
            draft (WordPress's default) and leaves an updated post's status as the site has it, so a
            re-publish never takes a post an editor has made live back to draft.
        force: update the post even where it was changed on the site since it was last published
            (:func:`check_changes`); without it, a change to its text, title or excerpt there is an
            error and nothing is sent, and a changed slug, tags or featured image are left as they are.

    Raises:
        UsageError: an unknown status or a malformed site address.
        InputError: the folder is not a draft folder.
        PublishError: the site is unreachable, its REST API is closed, it refused the post, or the
            post was changed on the site since it was last published (without ``force``).
        OutputError: the folder is not writable, or another run (a second publish) is writing there.
    """
    # under the folder's lock: a second publish must read the publish.json this one writes, or it makes
    # a second post; and a redraft or a Save must not change post.html while it is sent
    with folder_lock(draft_dir, BUSY):
        return _publish(draft_dir, site, status, force)


def _publish(draft_dir: Path, site: WordPressSite, status: str | None, force: bool) -> PublishResult:
    post = checked_post(draft_dir, status)
    client = RestClient(site)
    client.check_user()
    ledger = Ledger(draft_dir, client)
    found, notes = site_post(client, ledger.record)
    live = (status or (found or {}).get("status")) == "publish"
    post, hidden = with_related(post, draft_dir, client, live)
    if hidden:
        notes += (_left_out(hidden, client.site),)
    notes += newer_version(draft_dir / "post.html")
    before = dict(ledger.record.get("media") or {})
    preview = post_fields(post, status, [], before)  # the post as it would go, its stills as they went
    kept = check_changes(found, ledger.record, preview, force, client.site) if found else ()
    media = upload_images(client, draft_dir, post, before, ledger.add_image)
    try:
        fields = post_fields(post, status, ensure_tags(client, post.tags), media)
        fields = {name: value for name, value in fields.items() if name not in kept}
        saved, created = save_post(client, found["id"] if found else None, fields)
    except PublishError:
        removed = remove_new_images(client, media, before)  # a refused post leaves no stray stills
        ledger.write(media={**before, **{p: m for p, m in media.items() if m["id"] not in removed}})
        raise
    post_id, link = int(saved["id"]), str(saved.get("link", ""))
    # Recorded before the stills are attached: a publish cut off after this updates this post next time.
    # a field kept as the site has it stays recorded as last sent, so it is kept next time too
    done = {**sent(saved), **{name: ledger.record["sent"][name] for name in kept}}
    shown = str(saved.get("status", status or "draft"))
    modified = str(saved.get("modified_gmt", ""))
    ledger.write(post_id=post_id, link=link, modified=modified, sent=done, status=shown)
    attach_images(client, media, post_id)
    if kept:
        notes += (f"kept the {_listed(kept)} as changed on the site (--force sends the draft's)",)
    return PublishResult(post_id, link, shown, created, len(media), notes)


class Ledger:
    """``publish.json``: per site, the post an earlier publish made there, what it sent and the stills it
    uploaded. It is written as each step ends (each still, then the post), so a publish cut off midway
    (the site down, a request past its deadline) picks up where it stopped instead of making a second
    post and uploading every still again."""

    def __init__(self, draft_dir: Path, client: RestClient) -> None:
        self.path = draft_dir / RECORD
        self.records = read_records(draft_dir)
        self.site = client.home
        typed = self.records.get(client.site)  # recorded before sites were named by their own address
        found = self.records.get(self.site, typed if isinstance(typed, dict) else {})
        self.record: dict[str, Any] = dict(found) if isinstance(found, dict) else {}

    def write(self, **changes: Any) -> None:
        self.record.update(changes)
        self.records[self.site] = self.record
        atomic_write(self.path, to_json(self.records))

    def add_image(self, path: str, item: dict[str, Any]) -> None:
        self.write(media={**(self.record.get("media") or {}), path: item})


def read_draft_post(draft_dir: Path) -> DraftPost:
    """The title, slug, excerpt, tags, HTML and images of a draft folder.

    Raises:
        InputError: draft.json or post.html is missing or unreadable, or post.html holds what a site would
            run (a script, an event handler, a frame, a ``javascript:`` address: :func:`check_markup`).
    """
    data = _read_json(draft_dir / "draft.json")
    try:
        page = folder_file(draft_dir, "post.html").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError("has no readable post.html; draft again with the html format", draft_dir) from exc
    try:
        check_markup(page)
    except UnsafeMarkup as exc:
        why = (
            f"holds {exc}, which WordPress would keep and run or show otherwise; remove it, or Save the "
            "draft in video2blog review to write post.html again from draft.json"
        )
        raise InputError(why, draft_dir / "post.html") from exc
    sections = data.get("sections") or []
    title = page_title(page) or str(data.get("title", ""))  # an h1 edited by hand goes out as edited
    images = tuple(
        (s["image"], still_name(title, str(s.get("heading", "")), bool(s.get("lead"))))
        for s in sections
        if s.get("image")
    )
    return DraftPost(
        title=title,
        slug=str(data.get("slug", "")),
        excerpt=str(data.get("description", "")),
        tags=tuple(data.get("keywords", ())[:TAG_COUNT]),
        html=page,
        images=images,
    )


def _read_json(path: Path) -> dict[str, Any]:
    if not path.parent.is_dir():
        raise InputError(
            "does not exist or is not a folder; give a folder written by video2blog draft", path.parent
        )
    if not path.exists():
        raise InputError("is not a video2blog draft folder (no draft.json)", path.parent)
    return read_json_object(path)


def with_related(
    post: DraftPost, draft_dir: Path, client: RestClient, live: bool
) -> tuple[DraftPost, list[str]]:
    """The post with each related post linked where it was published to the site; a live post's links
    to related posts a visitor cannot see there (a draft, pending, private, deleted or never sent) left
    out, since each would be a 404. Returns the post and the slug links (``/slug/``) left out."""
    records = related_records(draft_dir, (client.home, client.site))
    links = {slug_link: link for slug_link, r in records.items() if (link := _recorded_link(r))}
    if not live:
        return replace(post, html=link_related(post.html, links)), []
    shown = {slug_link: link for slug_link, r in records.items() if (link := _live_link(client, r))}
    hidden = [slug_link for slug_link in records if slug_link not in shown]
    return replace(post, html=link_related(drop_related(post.html, hidden), shown)), hidden


def _live_link(client: RestClient, record: dict[str, Any]) -> str:
    """Where a visitor finds the related post ``record`` names, as the site says now ("" where it is
    not live there: a draft, pending, private, deleted, or never sent)."""
    try:
        post_id = int(record["post_id"])
        found = client.call("GET", f"/wp/v2/posts/{post_id}")
    except (KeyError, TypeError, ValueError):
        return ""
    except PublishError as exc:
        if not 400 <= exc.status < 500:  # 4xx: gone, or not the user's to read: no visitor's either
            raise
        return ""
    if not isinstance(found, dict) or found.get("status") != "publish":
        return ""
    return web_link(str(found.get("link") or "")) or _recorded_link(record)


def newer_version(page: Path) -> tuple[str, ...]:
    """A note where a newer version of the edited ``page`` waits beside it (``post.new.html``, written
    by ``library`` or a redraft that kept the editor's file): the page was sent as edited."""
    beside = version_beside(page)
    try:
        if beside.stat().st_mtime < page.stat().st_mtime:
            return ()  # the editor's page is the newer: its changes are taken in, or passed over
    except OSError:
        return ()
    return (
        f"sent your edited {page.name}; {beside.name} beside it is newer (the post as video2blog writes it "
        f"now: its related posts, your saved edits): copy what you want of it into {page.name} and "
        "publish again",
    )


def _left_out(hidden: list[str], site: str) -> str:
    count = f"{len(hidden)} related post{'s' if len(hidden) != 1 else ''}"
    return (
        f"left out {count} not published on {site} ({', '.join(hidden)}): a live post links only to "
        "live posts; publish them, then this post again"
    )


def related_links(draft_dir: Path, site: tuple[str, ...]) -> dict[str, str]:
    """The slug link (``/slug/``) of each related post already published to ``site`` -> its address there."""
    records = related_records(draft_dir, site)
    return {slug_link: link for slug_link, r in records.items() if (link := _recorded_link(r))}


def related_records(draft_dir: Path, site: tuple[str, ...]) -> dict[str, dict[str, Any]]:
    """The slug link (``/slug/``) of each related post -> what its draft's publish.json records for
    ``site`` ({} where it was not published there, or its record is unreadable).

    The related drafts sit beside this one (``video2blog library``); what each one's publish.json
    records for this site is where its post is: under the site's own address, or (recorded before
    sites were named so) the one typed, the names in ``site`` in that order.
    """
    related = _read_json(draft_dir / "draft.json").get("related") or []
    found: dict[str, dict[str, Any]] = {}
    for post in related if isinstance(related, list) else []:
        if not isinstance(post, dict) or not post.get("slug"):
            continue
        try:
            records = read_records(draft_dir.parent / str(post["folder"]))
            record: Any = next((records[name] for name in site if name in records), {})
        except (InputError, KeyError, TypeError):
            record = {}  # not published there, or its record is unreadable: the slug link stays
        found[f"/{post['slug']}/"] = record if isinstance(record, dict) else {}
    return found


def _recorded_link(record: dict[str, Any]) -> str:
    """The post's address publish.json records: a web address only (a folder's publish.json may come
    from anyone)."""
    return web_link(str(record.get("link") or ""))


def read_records(draft_dir: Path) -> dict[str, Any]:
    """publish.json: per site address, the post's id and the uploaded images ({} where there is none).

    Raises:
        InputError: publish.json is there but is no such record (cut short, not JSON, a list): it is the
            folder's only link to its post, so nothing may take it for "never published".
    """
    try:
        data = json.loads(folder_file(draft_dir, RECORD).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise _unreadable(draft_dir, f"cannot be read ({exc})") from exc
    if not isinstance(data, dict) or not all(isinstance(r, dict) for r in data.values()):
        raise _unreadable(draft_dir, "is not a record of posts (an object of one object per site)")
    return data


def _unreadable(draft_dir: Path, what: str) -> InputError:
    why = (
        f"{what}, so the post published from this folder cannot be found; restore it from the WordPress "
        "post (its id and address) or delete it to publish as a new post"
    )
    return InputError(why, draft_dir / RECORD)


def published_sites(draft_dir: Path) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The sites ``video2blog publish`` made the folder's post on (its ``publish.json``): the post has an
    address there, which a Save and a redraft keep; and those of them where the post is, as its last
    publish left it, not public (a WordPress draft or one pending review): nothing links to it yet. A post
    recorded without its status (published before it was recorded) is taken for public.

    Raises:
        InputError: publish.json cannot be read (:func:`read_records`): a Save or a redraft would lose
            the published address.
    """
    records = read_records(draft_dir)
    posts = {site: r for site, r in records.items() if r.get("post_id")}
    return tuple(posts), tuple(site for site, r in posts.items() if r.get("status") in ("draft", "pending"))


def post_fields(
    post: DraftPost, status: str | None, tag_ids: list[int], media: dict[str, Any]
) -> dict[str, Any]:
    """The REST API's fields for the post (no status where none was asked for)."""
    urls = {path: m["url"] for path, m in media.items()}
    fields: dict[str, Any] = {  # title and excerpt are HTML to WordPress: no markup from the draft's text
        "title": no_markup(post.title),
        "slug": post.slug,
        "excerpt": no_markup(post.excerpt),
        "content": post_body(post.html, urls, sanitise=True),
        "tags": tag_ids,
    }
    if status is not None:
        fields["status"] = status
    featured = next((media[path]["id"] for path, _ in post.images if path in media), None)
    if featured is not None:
        fields["featured_media"] = featured
    return fields


# What the draft gives the post and an edit on the site can change: a change there to one of these stops
# an update (unless the draft now says the same), since it would replace an editor's words.
TEXT_FIELDS = ("title", "content", "excerpt")
# What an update sends but the draft does not say the site's way: a change there is kept as it is.
SITE_FIELDS = ("slug", "tags", "featured_media")


def site_post(client: RestClient, record: dict[str, Any]) -> tuple[dict[str, Any] | None, tuple[str, ...]]:
    """The post an earlier publish made, as the site holds it now (its ``edit`` view), where it is still
    there: None where none was made, or it was deleted or moved to the Trash there (a new post is made,
    and the note says why)."""
    recorded = record.get("post_id")
    if not recorded:
        return None, ()
    post_id = int(recorded)
    try:
        found = client.item("GET", f"/wp/v2/posts/{post_id}", query={"context": "edit"})
    except PublishError as exc:
        if exc.code != "rest_post_invalid_id":
            raise
        return None, (f"post {post_id} was deleted on {client.site}; made a new one",)
    if found.get("status") == "trash":
        return None, (f"post {post_id} is in the Trash on {client.site}; made a new one",)
    return found, ()


def check_changes(
    found: dict[str, Any], record: dict[str, Any], fields: dict[str, Any], force: bool, site: str
) -> tuple[str, ...]:
    """The fields to leave as the site has them: those of ``SITE_FIELDS`` changed there since the last
    publish (none with ``force``).

    Raises:
        PublishError: a field of ``TEXT_FIELDS`` was changed on the site since the last publish and the
            draft (``fields``) does not now say the same, and not ``force``: an update would replace what
            an editor wrote there. The message names the fields.
    """
    if force:
        return ()
    changed = changed_on_site(found, record)
    text = [name for name in changed if name in TEXT_FIELDS and not _same_text(found, fields, name)]
    if text:
        why = (
            f"the {_listed(text)} of post {found['id']} on {site} changed there"
            if "sent" in record
            else f"post {found['id']} on {site} was published by an older video2blog, which "
            "kept no record of what it sent, and differs from the draft"
        )
        raise PublishError(
            f"{why}; publishing again would replace those changes: copy them into the draft (video2blog "
            "review) and publish again, or give --force to replace them",
            code="changed_on_site",
        )
    return tuple(name for name in changed if name in SITE_FIELDS)


def changed_on_site(found: dict[str, Any], record: dict[str, Any]) -> list[str]:
    """The fields the site holds otherwise than the last publish left them. A record of an older
    video2blog holds only the post's modified time: unchanged, nothing; else its text may have."""
    if isinstance(record.get("sent"), dict):
        now = sent(found)
        return [name for name in (*TEXT_FIELDS, *SITE_FIELDS) if record["sent"].get(name) != now[name]]
    if record.get("modified") and record["modified"] == found.get("modified_gmt"):
        return []
    return list(TEXT_FIELDS)


def sent(post: dict[str, Any]) -> dict[str, Any]:
    """What the site holds of the fields an update sends (its ``edit`` view): the text ones as SHA-256
    digests, so that publish.json keeps no copy of the post."""
    digests = {name: _digest(_raw(post, name)) for name in TEXT_FIELDS}
    tags = sorted(t for t in post.get("tags") or [] if isinstance(t, int))
    featured = post.get("featured_media")
    return {**digests, "slug": str(post.get("slug", "")), "tags": tags, "featured_media": featured}


def _raw(post: dict[str, Any], name: str) -> str:
    value = post.get(name)
    return str(value.get("raw", "")) if isinstance(value, dict) else str(value or "")


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _same_text(found: dict[str, Any], fields: dict[str, Any], name: str) -> bool:
    """Whether the site's field now reads as the draft's (an editor's change copied into the draft): the
    same words, wherever the HTML blocks WordPress may filter (the JSON-LD) or the spacing differ."""
    return _words(_raw(found, name)) == _words(str(fields.get(name, "")))


def _words(text: str) -> str:
    return " ".join(_HTML_BLOCK.sub(" ", html.unescape(text)).split())


_HTML_BLOCK = re.compile(r"<!-- wp:html -->.*?<!-- /wp:html -->", re.S)


def _listed(names: Sequence[str]) -> str:
    shown = [FIELD_NAMES.get(name, name) for name in names]
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1]


FIELD_NAMES = {"content": "text", "featured_media": "featured image"}


def save_post(client: RestClient, post_id: int | None, fields: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """Update the recorded post, or create one where none is recorded (or it was deleted)."""
    if post_id:
        try:
            return client.item("POST", f"/wp/v2/posts/{int(post_id)}", fields), False
        except PublishError as exc:
            if exc.code != "rest_post_invalid_id":
                raise
            log.info("post %s is gone from %s; creating a new one", post_id, client.site)
    return client.item("POST", "/wp/v2/posts", fields), True


def ensure_tags(client: RestClient, names: tuple[str, ...]) -> list[int]:
    """The ids of tags with these names, creating those the site lacks."""
    return [_tag_id(client, name) for name in names if name.strip()]


def _tag_id(client: RestClient, name: str) -> int:
    found = client.call("GET", "/wp/v2/tags", query={"search": name, "per_page": "100"})
    for tag in found if isinstance(found, list) else []:
        if isinstance(tag, dict) and html.unescape(str(tag.get("name", ""))).casefold() == name.casefold():
            return client.item_id(tag, "GET", "/wp/v2/tags")
    try:
        return int(client.item("POST", "/wp/v2/tags", {"name": name})["id"])
    except PublishError as exc:  # created meanwhile, or a name the search missed
        if exc.code == "term_exists" and isinstance(exc.data.get("term_id"), int):
            return int(exc.data["term_id"])
        raise


def upload_images(
    client: RestClient,
    draft_dir: Path,
    post: DraftPost,
    uploaded: dict[str, Any],
    done: Callable[[str, dict[str, Any]], None],
) -> dict[str, Any]:
    """Upload each of the post's stills not yet on the site (unchanged ones already there are kept, their
    alt text and title made the heading's again where it was renamed since), telling ``done`` of each new
    one. Each is named after the post (:func:`upload_name`).

    Returns:
        draft-folder path -> {"id", "url", "sha256", "alt"} of its media item.
    """
    media: dict[str, Any] = {}
    for n, (path, alt) in enumerate(post.images, 1):
        data = _read_image(draft_dir, path)
        sha = hashlib.sha256(data).hexdigest()
        before = uploaded.get(path)
        if isinstance(before, dict) and before.get("sha256") == sha and _on_site(client, before):
            if before.get("alt") != alt:  # a heading renamed in review keeps its still's file
                client.call("POST", f"/wp/v2/media/{int(before['id'])}", {"alt_text": alt, "title": alt})
            media[path] = {**before, "alt": alt}
            continue
        item = client.upload(upload_name(post.slug, n, path), data, {"alt_text": alt, "title": alt})
        url = str(item.get("source_url", ""))
        media[path] = {"id": int(item["id"]), "url": url, "sha256": sha, "alt": alt}
        done(path, media[path])
    return media


def upload_name(slug: str, n: int, path: str) -> str:
    """The ``n``-th still's file name in the media library: the post's slug and its place
    (``<slug>-1.jpg``), so that every post's stills are told apart there rather than all named by their
    headings ("01-introduction.jpg"); its own name where the slug has no ASCII letter or digit (a file
    name is sent as ASCII)."""
    stem = slugify(slug, 80, fallback="", ascii_only=True)
    return f"{stem}-{n}{Path(path).suffix}" if stem else Path(path).name


def _on_site(client: RestClient, item: dict[str, Any]) -> bool:
    return client.exists(f"/wp/v2/media/{int(item['id'])}")


def _read_image(draft_dir: Path, path: str) -> bytes:
    named = still_path(path)
    found = inside(draft_dir, draft_dir / named) if named else None
    if found is None:  # a draft.json's path out of the folder: never another file sent to the site
        raise InputError(f"names a still outside its images/ folder ({path}); draft again", draft_dir)
    try:
        return found.read_bytes()
    except OSError as exc:
        raise InputError(
            f"cannot read the still {path} ({exc.strerror}); draft again or use --no-images", draft_dir
        ) from exc


def remove_new_images(client: RestClient, media: dict[str, Any], before: dict[str, Any]) -> set[int]:
    """Delete the stills this run uploaded (not those of an earlier publish), as far as the site lets us:
    the ids deleted (those left stay recorded, and the next publish uses them)."""
    earlier = {item.get("id") for item in before.values() if isinstance(item, dict)}
    removed = set()
    for item in media.values():
        if item["id"] not in earlier:
            try:
                client.call("DELETE", f"/wp/v2/media/{item['id']}", query={"force": "true"})
            except PublishError as exc:
                log.warning("could not remove image %s after the failure: %s", item["id"], exc)
            else:
                removed.add(item["id"])
    return removed


def attach_images(client: RestClient, media: dict[str, Any], post_id: int) -> None:
    """Make each uploaded still an attachment of the post (its parent in the media library)."""
    for item in media.values():
        client.call("POST", f"/wp/v2/media/{item['id']}", {"post": post_id})


class RestClient:
    """A small JSON client for one site's REST API (HTTP Basic auth with an application password).

    Requests go through :func:`video2blog.pipeline.net.fetch`: each has a total deadline, and a redirect
    to another address is refused rather than sent the password.
    """

    def __init__(self, site: WordPressSite) -> None:
        self.site = normalise_url(site.url, site.allow_http)
        self.user = site.user
        token = base64.b64encode(f"{site.user}:{site.password}".encode()).decode("ascii")
        self.headers = {
            "Authorization": f"Basic {token}",
            "Accept": "application/json",
            "User-Agent": "video2blog",
        }
        self.timeout = site.timeout
        self.home = self.site  # the site's own address, as its API index gives it
        self.root = self._discover()

    def _discover(self) -> str:
        """The API's root: /wp-json/ with pretty permalinks, else ?rest_route= (plain permalinks); and the
        site's own address (``home``), which names it in publish.json however the user typed it
        (``localhost`` or ``127.0.0.1``, ``www.`` or not), so that one site never gets a second post."""
        for root in (f"{self.site}/wp-json", f"{self.site}/?rest_route="):
            try:
                index = self._send(urllib.request.Request(root + "/", headers=self.headers, method="GET"))
            except PublishError as exc:
                if exc.status in (0, 401, 403) and exc.code != "not_json":
                    raise
                continue
            if isinstance(index, dict) and "wp/v2" in index.get("namespaces", ()):
                self.home = _home(index.get("home"), self.site)
                return root
        raise PublishError(
            f"the WordPress REST API is not available at {self.site} (turned off by a "
            f"plugin or the host, or not a WordPress site); {NO_REST_HELP}"
        )

    def check_user(self) -> None:
        """Fail early, before any upload, if the user name or application password is wrong."""
        self.call("GET", "/wp/v2/users/me", query={"context": "edit"})

    def exists(self, path: str) -> bool:
        try:
            self.call("GET", path, query={"context": "edit"})
        except PublishError as exc:
            if exc.status == 404:
                return False
            raise
        return True

    def call(
        self, method: str, path: str, body: dict[str, Any] | None = None, query: dict[str, str] | None = None
    ) -> Any:
        """One JSON request; WordPress's errors become :class:`PublishError` with its code and message."""
        data = json.dumps(body).encode("utf-8") if body is not None else None
        headers = {**self.headers, **({"Content-Type": "application/json"} if data is not None else {})}
        return self._send(urllib.request.Request(self._url(path, query), data, headers, method=method))

    def item(
        self, method: str, path: str, body: dict[str, Any] | None = None, query: dict[str, str] | None = None
    ) -> dict[str, Any]:
        """One request whose answer must be one object with a numeric ``id`` (a post, tag or image)."""
        answer = self.call(method, path, body, query)
        self.item_id(answer, method, path)
        return dict(answer)

    def item_id(self, answer: Any, method: str, path: str) -> int:
        """The ``id`` of an object WordPress answered ``method path`` with.

        Raises:
            PublishError: the answer is not an object with a numeric id.
        """
        found = answer.get("id") if isinstance(answer, dict) else None
        if isinstance(found, bool) or not isinstance(found, int):
            why = f"{self.site} answered {method} {path} with JSON of the wrong shape (no object with an id)"
            raise PublishError(f"{why}; {NO_REST_HELP}", code="wrong_shape")
        return found

    def upload(self, filename: str, data: bytes, query: dict[str, str]) -> dict[str, Any]:
        """Upload a JPEG to the media library."""
        disposition = f'attachment; filename="{filename}"'
        headers = {**self.headers, "Content-Type": "image/jpeg", "Content-Disposition": disposition}
        url = self._url("/wp/v2/media", query)
        answer = self._send(urllib.request.Request(url, data, headers, method="POST"))
        self.item_id(answer, "POST", "/wp/v2/media")
        return dict(answer)

    def _url(self, path: str, query: dict[str, str] | None) -> str:
        joiner = "&" if "?" in self.root else "?"
        encoded = urllib.parse.quote(path, safe="/") if "?" in self.root else path
        return self.root + encoded + (joiner + urllib.parse.urlencode(query) if query else "")

    def _send(self, request: urllib.request.Request) -> Any:
        answer = self._fetch(request)
        if answer.status >= 400:
            raise refusal(self.site, self.user, answer.status, answer.body)
        try:
            return json.loads(answer.body)
        except (ValueError, RecursionError):
            raise PublishError(
                f"{self.site} answered {request.full_url} with something that is not JSON; {NO_REST_HELP}",
                code="not_json",
            ) from None

    def _fetch(self, request: urllib.request.Request) -> net.Answer:
        where = f"{request.get_method()} {request.full_url}"
        try:
            return net.fetch(request, self.timeout)
        except net.RedirectRefused as exc:
            why = (
                f"{where} was redirected to another address, {exc.location}; not sending the password "
                f"there: if the site has moved, give --wordpress its new address"
            )
            raise PublishError(why, code="redirect") from None
        except net.DeadlineExceeded:
            why = f"{self.site} gave no complete answer to {where} within {self.timeout:g} s; try again later"
            raise PublishError(why, code="timeout") from None
        except (OSError, http.client.HTTPException) as exc:
            reason = getattr(exc, "reason", exc)
            why = f"cannot reach {self.site} ({reason}); check the address and that the site is up"
            raise PublishError(why) from None


def refusal(site: str, user: str, status: int, raw: bytes) -> PublishError:
    """One clear line for an HTTP error from WordPress (its JSON ``code`` and ``message`` where given)."""
    try:
        answer = json.loads(raw)
    except ValueError:
        answer = None
    if not isinstance(answer, dict):
        why = (
            f"{site} answered HTTP {status} without WordPress's JSON (a security plugin, firewall or the "
            f"host may be blocking the REST API); {NO_REST_HELP}"
        )
        return PublishError(why, status=status)
    code, message = str(answer.get("code", "")), html.unescape(str(answer.get("message", ""))).strip()
    data = answer.get("data") if isinstance(answer.get("data"), dict) else {}
    if code in AUTH_CODES or (status == 401 and not code):
        text = f"WordPress at {site} did not accept user {user!r} ({message or code}); {AUTH_HELP}"
    elif code.startswith("rest_cannot") or code == "rest_forbidden":
        text = f"user {user!r} may not do this on {site} ({message or code}); it needs the Author role"
    else:
        text = f"WordPress at {site} refused the post: {message or 'no reason given'} ({code}, HTTP {status})"
    return PublishError(text, status=status, code=code, data=data)


def _home(home: object, typed: str) -> str:
    try:
        return normalise_url(str(home)) if isinstance(home, str) and home else typed
    except UsageError:
        return typed


def normalise_url(url: str, allow_http: bool = False) -> str:
    """The site's address without a trailing slash, nor a page of its admin or its API (an address
    copied from the browser while logged in: ``https://clinic.example/wp-admin/post.php?post=7``).

    Raises:
        UsageError: not an http(s) address, one with a user name or password in it (said without them),
            or a plain http:// one of another machine without ``allow_http`` (the password would cross
            the network unencrypted).
    """
    parts = urllib.parse.urlsplit(url.strip())
    if "@" in parts.netloc:  # "http://admin:pw@host": never a site it can reach, and never to be echoed
        raise UsageError(
            f"--wordpress: the address of {net.host_of(url.strip())} holds a user name or password; give the "
            "user with --user and the application password in VIDEO2BLOG_WP_PASSWORD, never in the address"
        )
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise UsageError(f"--wordpress {url!r} is not a site address; give one like https://clinic.example")
    if not allow_http and net.in_clear(url):
        raise UsageError(
            f"--wordpress {url.strip()!r} is plain http://, which would send the application password "
            "unencrypted; give the site's https:// address, or --allow-http to send it in clear anyway"
        )
    path = _ADMIN_PAGE.sub("", parts.path).rstrip("/")
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, path, "", ""))


_ADMIN_PAGE = re.compile(r"/(?:wp-admin|wp-login\.php|wp-json)(?:/.*)?$")
