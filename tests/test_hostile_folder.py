"""A draft folder may come from anyone (zipped and sent, as the README suggests): what its files say is
data, never a way to run code, read another file, or put script on the site. (A security audit built
each of these folders; every test fails on the code before its fix.)"""

from __future__ import annotations

import html
import json
import shutil
import stat
import subprocess
import urllib.request
import webbrowser
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.test_review_server import COMMAND, Served, folder, start  # noqa: F401 (fixture)
from video2blog.pipeline.editing import store
from video2blog.pipeline.editing.server import open_page
from video2blog.pipeline.editing.settings import RenderSettings, read_settings, settings_json
from video2blog.pipeline.errors import InputError, TemplateError
from video2blog.pipeline.publish.wordpress import related_links
from video2blog.pipeline.schema import Draft, Transcript
from video2blog.pipeline.serialize import draft_from_dict, draft_to_dict
from video2blog.pipeline.writers.filters import md_escape
from video2blog.pipeline.writers.formats import RenderContext, render_all, still_images
from video2blog.pipeline.writers.wp_content import UnsafeMarkup, check_markup, post_body

# A template that, unsandboxed, reaches os.system through a global's function and leaves a marker.
PAYLOAD = "{{{{ cycler.__init__.__globals__.os.system('touch {marker}') }}}}"


def get(served: Served, name: str) -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(served.url + name, timeout=30) as reply:
            return reply.status, dict(reply.headers), reply.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


@pytest.fixture
def served(folder: Path) -> Iterator[Served]:  # noqa: F811
    server = start([str(COMMAND), "review", str(folder), "--no-browser"])
    yield server
    server.stop()


def point_templates(folder: Path, templates: Path) -> None:  # noqa: F811
    """The folder's settings.json naming ``templates`` (as a draft with --template-dir writes it)."""
    settings = RenderSettings(("md", "html", "review", "json"), str(templates))
    (folder / "settings.json").write_bytes(settings_json(settings))


def test_a_folders_templates_cannot_run_code_in_review_or_library(folder: Path, tmp_path: Path):  # noqa: F811
    marker = tmp_path / "ran"
    templates = tmp_path / "templates"
    templates.mkdir()
    for name in ("review.html.j2", "post.md.j2", "post.html.j2"):
        (templates / name).write_text(PAYLOAD.format(marker=marker), encoding="utf-8")
    point_templates(folder, templates)
    server = start([str(COMMAND), "review", str(folder), "--no-browser"])
    try:
        status, _, page = get(server, "")
    finally:
        server.stop()
    assert not marker.exists()
    assert status == 500 and b"unsafe" in page  # the page says why it cannot be made
    library = tmp_path / "library"
    library.mkdir()
    shutil.copytree(folder, library / "one")
    shutil.copytree(folder, library / "two")
    subprocess.run([str(COMMAND), "library", str(library)], capture_output=True, timeout=300)
    assert not marker.exists()


def test_a_still_named_outside_the_folder_is_never_read(folder: Path, tmp_path: Path):  # noqa: F811
    secret = tmp_path / "secret.jpg"
    secret.write_bytes(b"\xff\xd8 a patient's photo")
    raw = json.loads((folder / "draft.json").read_text(encoding="utf-8"))
    for section, path in zip(raw["sections"], (str(secret), "../secret.jpg", "images/../../secret.jpg")):
        section["image"] = path
    assert all(not s.image for s in draft_from_dict(raw).sections)
    (folder / "images").mkdir(exist_ok=True)
    (folder / "images" / "01-link.jpg").symlink_to(secret)  # a link in images/ leads out of the folder
    linked = draft_from_dict({**raw, "sections": [{**raw["sections"][0], "image": "images/01-link.jpg"}]})
    ctx = RenderContext(linked, store.load(folder).shown, out_dir=folder)
    assert still_images(ctx) == {}


def test_links_from_a_folders_files_are_web_addresses_only(folder: Path, tmp_path: Path):  # noqa: F811
    raw = json.loads((folder / "draft.json").read_text(encoding="utf-8"))
    evil = "javascript:alert(7)"
    raw["related"] = [{"title": "Other", "slug": "other", "folder": "other", "teaser": "", "url": evil}]
    draft = draft_from_dict(raw)
    assert draft.related[0].url == ""
    html = render_all(RenderContext(draft, store.load(folder).shown), ("html", "md"))
    assert all(b"javascript:" not in body for body in html.values())
    site = "https://clinic.example"
    (folder / "draft.json").write_text(json.dumps(raw), encoding="utf-8")
    other = folder.parent / "other"
    other.mkdir()
    (other / "publish.json").write_text(json.dumps({site: {"post_id": 1, "link": evil}}), encoding="utf-8")
    assert related_links(folder, (site,)) == {}


def test_a_wordpress_exports_title_and_excerpt_carry_no_markup(folder: Path):  # noqa: F811
    loaded = store.load(folder)
    draft: Draft = draft_from_dict(
        {
            **draft_to_dict(loaded.draft),
            "title": "Q&A: <b>relief</b>",
            "description": "<script>x()</script> ok",
        }
    )
    wxr = render_all(RenderContext(draft, loaded.shown), ("wxr",))["wordpress.xml"].decode()
    assert "<script>" not in wxr and "&lt;script&gt;x()&lt;/script&gt; ok" in wxr
    assert "<title>Q&amp;A: &amp;lt;b&amp;gt;relief&amp;lt;/b&amp;gt;</title>" in wxr  # "&" once, for XML


def test_the_server_serves_no_file_but_the_drafts_media_and_folder(
    folder: Path,  # noqa: F811
    tmp_path: Path,
):
    assert store.media_of(tmp_path, "/etc/passwd") is None  # a source that is no video or audio
    (folder / ".private").write_text("secret", encoding="utf-8")
    (folder / "alias.txt").symlink_to(folder / ".private")
    server = start([str(COMMAND), "review", str(folder), "--no-browser"])
    try:
        assert get(server, "alias.txt")[0] == 404  # a link to a hidden file is hidden too
        status, headers, _ = get(server, "post.html")
    finally:
        server.stop()
    assert status == 200 and "sandbox" in headers["Content-Security-Policy"]  # no script of the folder's


def test_library_never_writes_through_a_link_out_of_its_folder(folder: Path, tmp_path: Path):  # noqa: F811
    library = tmp_path / "library"
    library.mkdir()
    shutil.copytree(folder, library / "one")
    outside = tmp_path / "elsewhere"
    shutil.copytree(folder, outside)
    (library / "two").symlink_to(outside)
    before = (outside / "post.md").read_bytes()
    done = subprocess.run(
        [str(COMMAND), "library", str(library)], capture_output=True, text=True, timeout=300
    )
    assert (outside / "post.md").read_bytes() == before
    assert "leads outside" in done.stdout + done.stderr


def test_the_browser_is_given_a_private_page_not_the_address_with_its_token(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """Every user of the machine can list the browser's command line: it names a page only this user
    can read, which goes on to the review page."""
    opened: list[str] = []
    monkeypatch.setattr(webbrowser, "open", lambda url, *a, **k: opened.append(url) or True)
    url = "http://127.0.0.1:20001/SECRETTOKEN/"
    given = open_page(url, tmp_path)
    assert opened == [given] and "SECRETTOKEN" not in given
    page = Path(given.removeprefix("file://"))
    assert url in page.read_text(encoding="utf-8")
    assert stat.S_IMODE(page.stat().st_mode) == 0o600


@pytest.mark.parametrize("where", ["relative", "inside", "shared"])
def test_a_folders_settings_name_only_templates_this_user_made(
    folder: Path,  # noqa: F811
    tmp_path: Path,
    where: str,
    monkeypatch: pytest.MonkeyPatch,
):
    """Templates a folder's sender could have put there: named relative to wherever the reviewer stands,
    inside the folder itself, or in a folder others can write (/tmp planted by another user)."""
    own = folder / "tpl"
    own.mkdir()
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    named = {"relative": Path("tpl"), "inside": own, "shared": shared}[where]
    (folder / "settings.json").write_bytes(settings_json(RenderSettings(("md", "json"), str(named))))
    monkeypatch.chdir(folder)  # the reviewer stands in the folder: "tpl" is there
    with pytest.raises(InputError, match="names the template folder .* which (is not|lies|belongs)"):
        read_settings(folder)


def test_a_template_that_links_out_of_its_folder_is_not_read(tmp_path: Path):
    templates = tmp_path / "templates"
    templates.mkdir()
    secret = tmp_path / "secret.txt"
    secret.write_text("wp-app-password-123", encoding="utf-8")
    (templates / "leak.j2").symlink_to(secret)
    (templates / "post.md.j2").write_text('{% include "leak.j2" %}', encoding="utf-8")
    with pytest.raises(TemplateError, match="leak.j2"):
        render_all(RenderContext(draft_from_dict(_minimal()), _empty(), template_dir=templates), ("md",))


def test_names_and_addresses_carry_no_markup_into_links(tmp_path: Path):
    """A still's name, a slug and a related post's address go into every output's links: one that would
    end its link (a quote, a bracket, a space) or Liquid's string is refused."""
    raw = _minimal()
    raw["sections"][0]["image"] = 'images/x" onerror="alert(1).jpg'
    raw["related"] = [{"title": "t", "slug": "ok", "folder": "f", "url": '/p" | relative_url }}{{ site.x'}]
    draft = draft_from_dict(raw)
    assert draft.sections[0].image == "" and draft.related[0].url == ""
    with pytest.raises(ValueError, match="slug"):
        draft_from_dict({**raw, "slug": "x) <img src=x onerror=alert(3)> [z](/y"})
    link = tmp_path / "talk.mp4"
    link.symlink_to("/etc/passwd")  # a video's name on a link to another file
    assert store.media_of(tmp_path, str(link)) is None
    assert md_escape('{: onmouseover="alert(1)"}').startswith("\\{:")  # no kramdown attributes


def _minimal() -> dict:
    section = {"heading": "What is it?", "heading_source": "generated", "start": 0.0, "end": 1.0}
    return {
        "title": "T",
        "slug": "t",
        "source": {"path": "talk.mp4", "sha256": "0" * 64, "duration": 1.0},
        "sections": [
            {**section, "paragraphs": [{"text": "It is.", "start": 0.0, "end": 1.0, "words": [0, 1]}]}
        ],
    }


def _empty() -> Transcript:
    return Transcript(words=(), language="en", duration=1.0)


# What a site would run from a post.html's article, each as a hand (or a folder's sender) could write it.
ACTIVE = (
    "<script>alert(1)</script>",
    '<img src="images/01.jpg" onerror="alert(1)">',
    '<a href="JaVa&#x09;Script:alert(1)">call us</a>',
    '<iframe src="https://tracker.example/"></iframe>',
    "<svg><script>alert(1)</script></svg>",
    '<form action="https://tracker.example/"><input name="card"></form>',
    '<meta http-equiv="refresh" content="0;url=https://tracker.example/">',
)
# What an editor's own hand edit may add, kept as written.
EDITORIAL = (
    '<p class="note" style="color: #333">Call <strong>us</strong> at <a href="tel:+15550100">555-0100</a>'
    ' or <a href="https://clinic.example/book" target="_blank" rel="noopener">book online</a>.</p>\n'
    "<!-- wp:paragraph --><p>A block an editor copied from WordPress.</p><!-- /wp:paragraph -->\n"
    "<table><tr><th>Sessions</th><td>6</td></tr></table>\n"
    '<video src="https://clinic.example/talk.mp4" controls></video>'
)


@pytest.mark.parametrize("active", ACTIVE)
def test_publish_refuses_a_post_html_whose_post_a_site_would_run(
    folder: Path,  # noqa: F811
    tmp_path: Path,
    active: str,
):
    """WordPress keeps script for its editors and runs it on the site: publish names it and sends nothing
    (the command stops before it asks for a password or reaches the site)."""
    page = (folder / "post.html").read_text(encoding="utf-8")
    hostile = tmp_path / "hostile"
    shutil.copytree(folder, hostile)
    (hostile / "post.html").write_text(page.replace("</h1>", "</h1>\n" + active, 1), encoding="utf-8")
    done = subprocess.run(
        [COMMAND, "publish", str(hostile), "--wordpress", "http://127.0.0.1:9", "--user", "editor"],
        env={"PATH": "/usr/bin:/bin", "VIDEO2BLOG_WP_PASSWORD": "x"},
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 1 and len(lines) == 1, done.stderr
    assert (
        f"{hostile / 'post.html'}: holds <" in lines[0] and "Save the draft in video2blog review" in lines[0]
    )
    assert "cannot reach" not in lines[0]  # refused before the site was asked anything


def test_an_editors_hand_edit_of_post_html_goes_to_the_site_as_written(folder: Path):  # noqa: F811
    page = (folder / "post.html").read_text(encoding="utf-8")
    edited = page.replace("</h1>", "</h1>\n" + EDITORIAL, 1)
    check_markup(edited)
    sent = post_body(edited, {}, sanitise=True)
    kept = (
        '<p class="note" style="color: #333">',
        '<a href="tel:+15550100">',
        'target="_blank" rel="noopener"',
    )
    kept += (
        "<!-- wp:paragraph -->",
        "<th>Sessions</th>",
        '<video src="https://clinic.example/talk.mp4" controls',
    )
    assert all(piece in sent for piece in kept), sent
    rendered = (post_body(page, {}, sanitise=True), post_body(page, {}))  # a rendered page loses nothing
    assert html.unescape(rendered[0]) == html.unescape(rendered[1])  # (the quote in its heading: &#34; or ")


def test_script_hidden_from_one_parser_never_reaches_the_site(folder: Path):  # noqa: F811
    """A comment that browsers end at "<!-->" (Python's parser reads on): the check passes what the
    sanitiser reads as a script, so the sanitiser's reading is what is sent. A JSON-LD block that ends
    its script early to start another is no JSON, and refused."""
    page = (folder / "post.html").read_text(encoding="utf-8")
    hidden = page.replace("</h1>", "</h1>\n<!--><script>steal()</script>-->", 1)
    assert "steal()" not in post_body(hidden, {}, sanitise=True)
    escaped = page.replace(
        '<script type="application/ld+json">',
        '<script type="application/ld+json">{}</script ><script>alert(1)</script>'
        '<script type="application/ld+json">',
        1,
    )
    with pytest.raises(UnsafeMarkup, match="JSON-LD block that is not JSON"):
        check_markup(escaped)
