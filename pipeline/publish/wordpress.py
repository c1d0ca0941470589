"""Publish a draft folder to WordPress through its REST API (``/wp-json/wp/v2``), as a draft by default.

The post gets the draft's title, slug, excerpt (its description), tags (created when missing), the
body of post.html and the first still frame as its featured image; every still is uploaded to the media
library and attached to the post. The post's id is recorded in the draft folder (``publish.json``, per
site), so publishing again updates that post instead of making another. Authentication is an
application password (Users > Profile > Application Passwords) sent with HTTP Basic auth.
"""

from __future__ import annotations

import base64
import hashlib
import html
import http.client
import json
import logging
import urllib.parse
import urllib.request
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from video2blog.pipeline import net
from video2blog.pipeline.editing.store import read_json_object
from video2blog.pipeline.errors import InputError, UsageError, Video2BlogError
from video2blog.pipeline.output import atomic_write, inside
from video2blog.pipeline.schema import still_name
from video2blog.pipeline.serialize import still_path, to_json, web_link
from video2blog.pipeline.writers.wp_content import (
    UnsafeMarkup,
    check_markup,
    link_related,
    no_markup,
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


def checked_post(draft_dir: Path, status: str | None = None) -> DraftPost:
    """The draft folder's post, where ``status`` is one WordPress knows (or None): what can be said
    wrong with a publish before a password is asked for.

    Raises:
        UsageError: an unknown status. InputError: the folder is not a draft folder.
    """
    if status is not None and status not in STATUSES:
        raise UsageError(f"unknown status {status!r}; choose from: {', '.join(STATUSES)}")
    return read_draft_post(draft_dir)


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
            (:func:`post_to_update`); without it, that is an error and nothing is sent.

    Raises:
        UsageError: an unknown status or a malformed site address.
        InputError: the folder is not a draft folder.
        PublishError: the site is unreachable, its REST API is closed, it refused the post, or the
            post was changed on the site since it was last published (without ``force``).
    """
    post = checked_post(draft_dir, status)
    client = RestClient(site)
    client.check_user()
    post = replace(post, html=link_related(post.html, related_links(draft_dir, client.site)))
    records = read_records(draft_dir)
    record = records.get(client.site, {})
    post_id = post_to_update(client, record, force)
    media = upload_images(client, draft_dir, post.images, record.get("media", {}))
    try:
        fields = post_fields(post, status, ensure_tags(client, post.tags), media)
        saved, created = save_post(client, post_id, fields)
    except PublishError:
        remove_new_images(client, media, record.get("media", {}))  # a refused post leaves no stray stills
        raise
    post_id, link = int(saved["id"]), str(saved.get("link", ""))
    attach_images(client, media, post_id)
    modified = str(saved.get("modified_gmt", ""))  # what the site has from us: a later change is an editor's
    records[client.site] = {"post_id": post_id, "link": link, "modified": modified, "media": media}
    atomic_write(draft_dir / RECORD, to_json(records))
    shown = str(saved.get("status", status or "draft"))
    return PublishResult(post_id, link, shown, created, len(media))


def read_draft_post(draft_dir: Path) -> DraftPost:
    """The title, slug, excerpt, tags, HTML and images of a draft folder.

    Raises:
        InputError: draft.json or post.html is missing or unreadable, or post.html holds what a site would
            run (a script, an event handler, a frame, a ``javascript:`` address: :func:`check_markup`).
    """
    data = _read_json(draft_dir / "draft.json")
    try:
        page = (draft_dir / "post.html").read_text(encoding="utf-8")
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
    title = str(data.get("title", ""))
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


def related_links(draft_dir: Path, site: str) -> dict[str, str]:
    """The slug link (``/slug/``) of each related post already published to ``site`` -> its address there.

    The related drafts sit beside this one (``video2blog library``); what each one's publish.json
    records for this site is where its post is.
    """
    related = _read_json(draft_dir / "draft.json").get("related") or []
    links = {}
    for post in related if isinstance(related, list) else []:
        try:
            record = read_records(draft_dir.parent / str(post["folder"])).get(site, {})
        except (InputError, KeyError, TypeError):
            continue  # not published there (or its record is unreadable): the slug link stays
        link = web_link(str(record.get("link") or "")) if isinstance(record, dict) else ""
        if link:  # a folder's publish.json may come from anyone: a web address only
            links[f"/{post['slug']}/"] = link
    return links


def read_records(draft_dir: Path) -> dict[str, Any]:
    """publish.json: per site address, the post's id and the uploaded images."""
    try:
        data = json.loads((draft_dir / RECORD).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        why = f"cannot be read ({exc}); move it away to publish a new post"
        raise InputError(why, draft_dir / RECORD) from exc
    return data if isinstance(data, dict) else {}


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


def post_to_update(client: RestClient, record: dict[str, Any], force: bool) -> int | None:
    """The id of the post an earlier publish made, where it is still on the site: None where none was
    made, or it was deleted or moved to the Trash there (a new post is made).

    Raises:
        PublishError: the post was changed on the site since it was last published (its
            ``modified_gmt`` is not the one recorded) and not ``force``: an update would replace what an
            editor did there.
    """
    recorded = record.get("post_id")
    if not recorded:
        return None
    post_id = int(recorded)
    try:
        found = client.item("GET", f"/wp/v2/posts/{post_id}", query={"context": "edit"})
    except PublishError as exc:
        if exc.code != "rest_post_invalid_id":
            raise
        log.info("post %s is gone from %s; creating a new one", post_id, client.site)
        return None
    if found.get("status") == "trash":
        log.info("post %s is in the Trash on %s; creating a new one", post_id, client.site)
        return None
    known, now = record.get("modified"), found.get("modified_gmt")
    if known and now != known and not force:
        raise PublishError(
            f"post {post_id} on {client.site} was changed there after video2blog last published it "
            f"({now} UTC); publishing again would replace those changes: copy them into the draft "
            f"(video2blog review), or give --force to replace them",
            code="changed_on_site",
        )
    return post_id


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
    client: RestClient, draft_dir: Path, images: tuple[tuple[str, str], ...], uploaded: dict[str, Any]
) -> dict[str, Any]:
    """Upload each still not yet on the site (unchanged ones already there are kept, their alt text and
    title made the heading's again where it was renamed since).

    Returns:
        draft-folder path -> {"id", "url", "sha256", "alt"} of its media item.
    """
    media: dict[str, Any] = {}
    for path, alt in images:
        data = _read_image(draft_dir, path)
        sha = hashlib.sha256(data).hexdigest()
        before = uploaded.get(path)
        if isinstance(before, dict) and before.get("sha256") == sha and _on_site(client, before):
            if before.get("alt") != alt:  # a heading renamed in review keeps its still's file
                client.call("POST", f"/wp/v2/media/{int(before['id'])}", {"alt_text": alt, "title": alt})
            media[path] = {**before, "alt": alt}
            continue
        item = client.upload(Path(path).name, data, {"alt_text": alt, "title": alt})
        url = str(item.get("source_url", ""))
        media[path] = {"id": int(item["id"]), "url": url, "sha256": sha, "alt": alt}
    return media


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


def remove_new_images(client: RestClient, media: dict[str, Any], before: dict[str, Any]) -> None:
    """Delete the stills this run uploaded (not those of an earlier publish), as far as the site lets us."""
    earlier = {item.get("id") for item in before.values() if isinstance(item, dict)}
    for item in media.values():
        if item["id"] not in earlier:
            try:
                client.call("DELETE", f"/wp/v2/media/{item['id']}", query={"force": "true"})
            except PublishError as exc:
                log.warning("could not remove image %s after the failure: %s", item["id"], exc)


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
        self.site = normalise_url(site.url)
        self.user = site.user
        token = base64.b64encode(f"{site.user}:{site.password}".encode()).decode("ascii")
        self.headers = {
            "Authorization": f"Basic {token}",
            "Accept": "application/json",
            "User-Agent": "video2blog",
        }
        self.timeout = site.timeout
        self.root = self._discover()

    def _discover(self) -> str:
        """The API's root: /wp-json/ with pretty permalinks, else ?rest_route= (plain permalinks)."""
        for root in (f"{self.site}/wp-json", f"{self.site}/?rest_route="):
            try:
                index = self._send(urllib.request.Request(root + "/", headers=self.headers, method="GET"))
            except PublishError as exc:
                if exc.status in (0, 401, 403) and exc.code != "not_json":
                    raise
                continue
            if isinstance(index, dict) and "wp/v2" in index.get("namespaces", ()):
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


def normalise_url(url: str) -> str:
    """The site's address without a trailing slash.

    Raises:
        UsageError: not an http(s) address.
    """
    parts = urllib.parse.urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise UsageError(f"--wordpress {url!r} is not a site address; give one like https://clinic.example")
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, parts.path.rstrip("/"), "", ""))
