"""`video2blog publish` against a real WordPress (Debian's package on PHP's server and MariaDB)."""

from __future__ import annotations

import base64
import html
import json
import os
import pty
import select
import shutil
import subprocess
import sys
import termios
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import truth_transcript
from tests.wordpress_site import Site, missing, wordpress_site
from video2blog.pipeline.run import DraftOptions, render_draft, write_draft
from video2blog.pipeline.schema import Source
from video2blog.pipeline.writers.formats import parse_formats

pytestmark = pytest.mark.skipif(bool(missing()), reason=missing())

COMMAND = str(Path(sys.executable).with_name("video2blog"))
IMPORTER = Path(
    os.environ.get("VIDEO2BLOG_WP_IMPORTER", "/usr/share/wordpress/wp-content/plugins/wordpress-importer")
)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory):
    with wordpress_site(tmp_path_factory.mktemp("wp")) as running:
        yield running


@pytest.fixture(scope="module")
def draft_dir(tmp_path_factory: pytest.TempPathFactory, slides_sample: Path, sample_truth: dict) -> Path:
    """The sample talk drafted (all default formats plus wxr) with a still per section."""
    source = Source("ketamine-pain.mp4", "ef" * 32, sample_truth["duration"])
    options = DraftOptions(date="2026-01-02", formats=parse_formats("md,html,wxr,chapters"), medical=True)
    computed = render_draft(truth_transcript(sample_truth), source, options, video=slides_sample)
    folder = tmp_path_factory.mktemp("draft") / "ketamine"
    write_draft(computed, folder)
    return folder


def api(site: Site, path: str, **query: str) -> Any:
    url = f"{site.url}/wp-json{path}?" + "&".join(f"{k}={v}" for k, v in {"context": "edit", **query}.items())
    token = base64.b64encode(f"{site.user}:{site.password}".encode()).decode()
    with urllib.request.urlopen(
        urllib.request.Request(url, headers={"Authorization": f"Basic {token}"}), timeout=30
    ) as response:
        return json.loads(response.read())


def publish(
    site: Site, folder: Path, *extra: str, password: str | None = None
) -> subprocess.CompletedProcess:
    """The installed command, in a pipe, with the password in the environment."""
    env = {**os.environ, "VIDEO2BLOG_WP_PASSWORD": site.password if password is None else password}
    cmd = [COMMAND, "publish", str(folder), "--wordpress", site.url, "--user", site.user, *extra]
    return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)


def all_posts(site: Site) -> list[dict]:
    return api(site, "/wp/v2/posts", status="draft,publish,pending,private", per_page="100")


def test_publish_creates_a_draft_with_title_slug_excerpt_tags_and_attached_images(
    site: Site, draft_dir: Path
):
    done = publish(site, draft_dir)
    assert done.returncode == 0, done.stderr
    draft = json.loads((draft_dir / "draft.json").read_text())
    post_id = json.loads((draft_dir / "publish.json").read_text())[site.url]["post_id"]
    assert done.stdout.startswith(f"Created draft post {post_id} with {len(draft['sections'])} images")
    post = api(site, f"/wp/v2/posts/{post_id}")
    assert post["status"] == "draft"
    assert post["title"]["raw"] == draft["title"] and post["slug"] == draft["slug"]
    assert post["excerpt"]["raw"] == draft["description"]
    tags = [api(site, f"/wp/v2/tags/{t}")["name"] for t in post["tags"]]
    assert sorted(tags) == sorted(draft["keywords"][:4])
    attached = api(site, "/wp/v2/media", parent=str(post_id), per_page="100")
    assert len(attached) == len(draft["sections"])
    featured = api(site, f"/wp/v2/media/{post['featured_media']}")
    assert featured["source_url"].endswith(f"/{draft['slug']}-1.jpg")  # named after the post
    first = draft["sections"][0]  # post.html's alt text: a greeting lead is named by the post's title
    assert first["lead"] and featured["alt_text"] == draft["title"]  # the sample opens with a greeting
    body = post["content"]["raw"]
    assert f'src="{featured["source_url"]}"' in body and "<h1" not in body
    assert "<!-- wp:html -->" in body and '"@type": "MedicalWebPage"' in body  # the JSON-LD, as a block
    assert f'"image": "{featured["source_url"]}"' in body.replace("\\/", "/")


def test_publishing_again_updates_the_same_post_and_keeps_the_uploaded_images(site: Site, draft_dir: Path):
    first = publish(site, draft_dir)
    assert first.returncode == 0, first.stderr
    media_before = len(api(site, "/wp/v2/media", per_page="100"))
    original, page = (draft_dir / "draft.json").read_text(), (draft_dir / "post.html").read_text()
    draft = {**json.loads(original), "title": "Ketamine, revised"}
    (draft_dir / "draft.json").write_text(json.dumps(draft))  # as a Save writes both
    (draft_dir / "post.html").write_text(page.replace(json.loads(original)["title"], draft["title"]))
    try:
        again = publish(site, draft_dir)
    finally:
        (draft_dir / "draft.json").write_text(original)
        (draft_dir / "post.html").write_text(page)
    assert again.returncode == 0, again.stderr
    assert again.stdout.startswith("Updated draft post")
    same = [p for p in all_posts(site) if p["slug"] == draft["slug"]]
    assert len(same) == 1 and same[0]["title"]["raw"] == "Ketamine, revised"
    assert len(api(site, "/wp/v2/media", per_page="100")) == media_before  # unchanged stills not re-sent


def test_status_publish_only_when_asked(site: Site, draft_dir: Path, tmp_path: Path):
    copy = tmp_path / "copy"
    shutil.copytree(draft_dir, copy)
    (copy / "publish.json").unlink(missing_ok=True)  # publish.json is there once an earlier test published
    done = publish(site, copy, "--status", "publish")
    assert done.returncode == 0, done.stderr
    post_id = json.loads((copy / "publish.json").read_text())[site.url]["post_id"]
    assert api(site, f"/wp/v2/posts/{post_id}")["status"] == "publish"
    again = publish(site, copy)  # a re-publish without --status must not take the live post back to draft
    assert again.returncode == 0, again.stderr
    assert again.stdout.startswith("Updated published post")
    assert api(site, f"/wp/v2/posts/{post_id}")["status"] == "publish"


def test_a_post_deleted_on_the_site_is_made_again(site: Site, draft_dir: Path, tmp_path: Path):
    copy = tmp_path / "copy"
    shutil.copytree(draft_dir, copy)
    (copy / "publish.json").unlink(missing_ok=True)  # publish.json is there once an earlier test published
    data = json.loads((copy / "draft.json").read_text())
    (copy / "draft.json").write_text(json.dumps({**data, "slug": "deleted-then-again"}))
    assert publish(site, copy).returncode == 0
    first = json.loads((copy / "publish.json").read_text())[site.url]["post_id"]
    token = base64.b64encode(f"{site.user}:{site.password}".encode()).decode()
    gone = urllib.request.Request(
        f"{site.url}/wp-json/wp/v2/posts/{first}?force=true",
        method="DELETE",
        headers={"Authorization": f"Basic {token}"},
    )
    urllib.request.urlopen(gone, timeout=30).close()
    again = publish(site, copy)
    assert again.returncode == 0, again.stderr
    assert again.stdout.startswith("Created draft post")
    second = json.loads((copy / "publish.json").read_text())[site.url]["post_id"]
    assert second != first
    assert [p["id"] for p in all_posts(site) if p["slug"] == "deleted-then-again"] == [second]


def _on_site(site: Site, method: str, path: str, body: dict | None = None) -> Any:
    """A change made on the site itself, as the block editor makes it through the REST API."""
    token = base64.b64encode(f"{site.user}:{site.password}".encode()).decode()
    data = json.dumps(body).encode() if body is not None else None
    headers = {"Authorization": f"Basic {token}", "Content-Type": "application/json"}
    request = urllib.request.Request(f"{site.url}/wp-json{path}", data, headers, method=method)
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def _published_copy(site: Site, draft_dir: Path, folder: Path, slug: str) -> int:
    shutil.copytree(draft_dir, folder)
    (folder / "publish.json").unlink(missing_ok=True)  # publish.json is there once an earlier test published
    data = json.loads((folder / "draft.json").read_text())
    (folder / "draft.json").write_text(json.dumps({**data, "slug": slug}))
    done = publish(site, folder)
    assert done.returncode == 0, done.stderr
    return int(json.loads((folder / "publish.json").read_text())[site.url]["post_id"])


def test_a_post_changed_on_the_site_is_not_replaced_unless_forced(
    site: Site, draft_dir: Path, tmp_path: Path
):
    copy = tmp_path / "copy"
    post_id = _published_copy(site, draft_dir, copy, "changed-on-the-site")
    title = json.loads((copy / "draft.json").read_text())["title"]
    time.sleep(1.1)  # WordPress keeps a post's modified time to the second
    _on_site(site, "POST", f"/wp/v2/posts/{post_id}", {"title": "Edited on the site", "status": "publish"})
    refused = _one_error_line(publish(site, copy))
    assert f"the title of post {post_id} on {site.url} changed there" in refused and "--force" in refused
    kept = api(site, f"/wp/v2/posts/{post_id}")
    assert (kept["title"]["raw"], kept["status"]) == ("Edited on the site", "publish")
    forced = publish(site, copy, "--force")
    assert forced.returncode == 0, forced.stderr
    assert api(site, f"/wp/v2/posts/{post_id}")["title"]["raw"] == title
    again = publish(site, copy)  # what --force sent is what the site now has from video2blog
    assert again.returncode == 0, again.stderr


def test_a_renamed_heading_renames_its_still_in_the_media_library(
    site: Site, draft_dir: Path, tmp_path: Path
):
    copy = tmp_path / "copy"
    _published_copy(site, draft_dir, copy, "renamed-heading")
    data = json.loads((copy / "draft.json").read_text())
    section = next(s for s in data["sections"][1:] if s.get("image"))
    section["heading"] = "Who can have ketamine?"  # as a review Save renames it: the still keeps its file
    (copy / "draft.json").write_text(json.dumps(data))
    again = publish(site, copy)
    assert again.returncode == 0, again.stderr
    item = json.loads((copy / "publish.json").read_text())[site.url]["media"][section["image"]]
    shown = api(site, f"/wp/v2/media/{item['id']}")
    assert (shown["alt_text"], shown["title"]["raw"]) == ("Who can have ketamine?", "Who can have ketamine?")


def test_stills_go_to_the_media_library_named_after_the_post_once(
    site: Site, draft_dir: Path, tmp_path: Path
):
    """Each still was uploaded under its local name ("01-introduction.jpg"), alike in every post's media
    library entries: it is named after the post's slug, and a second publish uploads none again."""
    copy = tmp_path / "copy"
    post_id = _published_copy(site, draft_dir, copy, "stills-named-after-the-post")
    attached = api(site, "/wp/v2/media", parent=str(post_id), per_page="100", orderby="id", order="asc")
    names = [Path(m["source_url"]).name for m in attached]
    stills = [s for s in json.loads((copy / "draft.json").read_text())["sections"] if s.get("image")]
    assert names == [f"stills-named-after-the-post-{n}.jpg" for n in range(1, len(stills) + 1)]
    again = publish(site, copy)
    assert again.returncode == 0, again.stderr
    media = api(site, "/wp/v2/media", parent=str(post_id), per_page="100", orderby="id", order="asc")
    assert [m["id"] for m in media] == [m["id"] for m in attached]


def test_a_post_moved_to_the_trash_is_made_again(site: Site, draft_dir: Path, tmp_path: Path):
    copy = tmp_path / "copy"
    first = _published_copy(site, draft_dir, copy, "trashed-then-again")
    _on_site(site, "DELETE", f"/wp/v2/posts/{first}")  # without force: to the Trash
    again = publish(site, copy)
    assert again.returncode == 0, again.stderr
    assert again.stdout.startswith("Created draft post")
    second = json.loads((copy / "publish.json").read_text())[site.url]["post_id"]
    assert second != first and api(site, f"/wp/v2/posts/{first}")["status"] == "trash"


def retitle(folder: Path, title: str, description: str | None = None) -> None:
    """A new title (and description) in draft.json and post.html's h1, as a Save writes them."""
    data = json.loads((folder / "draft.json").read_text())
    page = (folder / "post.html").read_text(encoding="utf-8")
    page = page.replace(f"<h1>{html.escape(data['title'])}</h1>", f"<h1>{html.escape(title)}</h1>", 1)
    (folder / "post.html").write_text(page, encoding="utf-8")
    data = {
        **data,
        "title": title,
        "description": data["description"] if description is None else description,
    }
    (folder / "draft.json").write_text(json.dumps(data))


def _one_error_line(done: subprocess.CompletedProcess) -> str:
    assert done.returncode == 1 and done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("video2blog: error: "), done.stderr
    return lines[0]


def test_each_failure_is_one_clear_line_and_leaves_no_post(site: Site, draft_dir: Path, tmp_path: Path):
    before, media = len(all_posts(site)), len(api(site, "/wp/v2/media", per_page="100"))
    wrong = _one_error_line(publish(site, draft_dir, password="abcd efgh ijkl mnop qrst uvwx"))
    assert f"did not accept user '{site.user}'" in wrong and "VIDEO2BLOG_WP_PASSWORD" in wrong
    closed = _one_error_line(
        publish(Site("http://127.0.0.1:9", site.user, site.password, site.root), draft_dir)
    )
    assert "cannot reach http://127.0.0.1:9" in closed
    site.rest_off(True)
    try:
        off = _one_error_line(publish(site, draft_dir))
    finally:
        site.rest_off(False)
    assert "REST API is not available" in off and "--formats wxr" in off
    rejected = tmp_path / "rejected"
    shutil.copytree(draft_dir, rejected)
    (rejected / "publish.json").unlink()
    retitle(rejected, "REJECT this one")
    refused = _one_error_line(publish(site, rejected))
    assert "refused the post: Posts need a clinician’s sign-off first. (clinic_policy, HTTP 400)" in refused
    assert len(all_posts(site)) == before
    assert len(api(site, "/wp/v2/media", per_page="100")) == media  # the refused post's stills removed


def test_password_is_asked_for_without_echo_in_a_terminal(site: Site, draft_dir: Path):
    env = {k: v for k, v in os.environ.items() if k != "VIDEO2BLOG_WP_PASSWORD"}
    pid, fd = pty.fork()
    if pid == 0:  # the child: the installed command on the terminal
        os.execve(
            COMMAND, [COMMAND, "publish", str(draft_dir), "--wordpress", site.url, "--user", site.user], env
        )
    seen = _read_until(fd, b"Application password:")
    assert b"Application password:" in seen
    _wait_until_echo_off(fd)  # getpass flushes what was typed before it turned echo off
    os.write(fd, site.password.encode() + b"\r")
    rest = _read_until(fd, b"post ")
    rest += _read_until(fd, b"\n")
    assert _exit_status(pid) == 0, rest
    assert site.password.encode() not in seen + rest
    assert b" draft post " in rest  # created, or updated when the tests before it published


def _wait_until_echo_off(fd: int, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while termios.tcgetattr(fd)[3] & termios.ECHO and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.1)


def _exit_status(pid: int, seconds: float = 60.0) -> int:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        time.sleep(0.1)
    os.kill(pid, 9)
    os.waitpid(pid, 0)
    return -9


def _read_until(fd: int, marker: bytes, seconds: float = 60.0) -> bytes:
    out, deadline = b"", time.monotonic() + seconds
    while marker not in out and time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
    return out


def test_no_password_and_no_terminal_says_which_variable_to_set(site: Site, draft_dir: Path):
    env = {k: v for k, v in os.environ.items() if k != "VIDEO2BLOG_WP_PASSWORD"}
    cmd = [COMMAND, "publish", str(draft_dir), "--wordpress", site.url, "--user", site.user]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert done.returncode == 2
    assert done.stderr.strip() == (
        "video2blog: error: set VIDEO2BLOG_WP_PASSWORD to the user's application password "
        "(no terminal to ask on)"
    )


WXR_CHECK = """<?php
// What the WordPress importer's SimpleXML parser reads first: the WXR version and each item's wp: fields.
$xml = simplexml_load_file($argv[1]);
if ($xml === false) { echo "not XML\\n"; exit(1); }
$xml->registerXPathNamespace('wp', 'http://wordpress.org/export/1.2/');
$version = $xml->xpath('/rss/channel/wp:wxr_version');
$out = array('version' => (string) $version[0], 'items' => array());
foreach ($xml->channel->item as $item) {
    $wp = $item->children('http://wordpress.org/export/1.2/');
    $content = $item->children('http://purl.org/rss/1.0/modules/content/');
    $tags = array();
    foreach ($item->category as $c) { $tags[] = array((string) $c['domain'], (string) $c); }
    $out['items'][] = array('title' => (string) $item->title, 'slug' => (string) $wp->post_name,
        'status' => (string) $wp->status, 'type' => (string) $wp->post_type,
        'content' => (string) $content->encoded, 'tags' => $tags);
}
echo json_encode($out);
"""


def test_wxr_file_reads_as_the_importer_reads_it(draft_dir: Path, tmp_path: Path):
    script = tmp_path / "check.php"
    script.write_text(WXR_CHECK)
    done = subprocess.run(
        ["php", str(script), str(draft_dir / "wordpress.xml")],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    wxr = json.loads(done.stdout)
    draft = json.loads((draft_dir / "draft.json").read_text())
    assert wxr["version"] == "1.2"
    (item,) = wxr["items"]
    assert (item["title"], item["slug"], item["status"], item["type"]) == (
        draft["title"],
        draft["slug"],
        "draft",
        "post",
    )
    assert [name for domain, name in item["tags"] if domain == "post_tag"] == draft["keywords"][:4]
    assert draft["sections"][1]["heading"] in item["content"] and "<img" not in item["content"]


IMPORT = """<?php
// The wordpress-importer plugin's own importer, run as wp-cli's `wp import` runs it.
define('WP_LOAD_IMPORTERS', true);
$_SERVER['HTTP_HOST'] = '127.0.0.1';
require $argv[1] . '/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/admin.php';
require_once $argv[1] . '/wp-content/plugins/wordpress-importer/wordpress-importer.php';
wp_set_current_user(1);
$importer = new WP_Import();
$importer->fetch_attachments = false;
ob_start();
$importer->import($argv[2]);
ob_end_clean();
"""


def test_wxr_file_imports_with_the_wordpress_importer(site: Site, draft_dir: Path, tmp_path: Path):
    if not (IMPORTER / "wordpress-importer.php").exists():
        pytest.skip(
            f"install the wordpress-importer plugin in {IMPORTER} (not packaged in Debian, PyPI or npm)"
        )
    shutil.copytree(IMPORTER, site.root / "wp-content" / "plugins" / "wordpress-importer", dirs_exist_ok=True)
    xml = tmp_path / "wordpress.xml"
    draft = json.loads((draft_dir / "draft.json").read_text())
    xml.write_bytes(
        (draft_dir / "wordpress.xml").read_bytes().replace(draft["slug"].encode(), b"imported-post")
    )
    script = tmp_path / "import.php"
    script.write_text(IMPORT)
    subprocess.run(
        ["php", str(script), str(site.root), str(xml)], check=True, capture_output=True, timeout=120
    )
    imported = [p for p in all_posts(site) if p["slug"] == "imported-post"]
    assert len(imported) == 1 and imported[0]["status"] == "draft"


def test_related_posts_link_to_where_they_were_published(site: Site, tmp_path: Path):
    from benchmarks.talk_text import LIBRARY, TALKS, write_transcript

    talks, drafts = tmp_path / "talks", tmp_path / "drafts"
    talks.mkdir()
    for path in (TALKS / "sleep-medicine.md", LIBRARY / "sleep-apnea.md", TALKS / "podiatry.md"):
        write_transcript(path, talks / f"{path.stem}.json")
    cmd = [COMMAND, "batch", str(talks), "-o", str(drafts), "-p", "*.json", "--formats", "html,json"]
    assert subprocess.run(cmd, capture_output=True, timeout=600, stdin=subprocess.DEVNULL).returncode == 0
    first, second = drafts / "sleep-medicine", drafts / "sleep-apnea"
    slug = {d: json.loads((d / "draft.json").read_text())["slug"] for d in (first, second)}
    assert publish(site, first).returncode == 0
    typed_otherwise = Site(site.url.replace("127.0.0.1", "localhost"), site.user, site.password, site.root)
    assert publish(typed_otherwise, second).returncode == 0  # the same site, as the user typed it this time
    link = {d: json.loads((d / "publish.json").read_text())[site.url] for d in (first, second)}
    body = api(site, f"/wp/v2/posts/{link[second]['post_id']}")["content"]["raw"]
    assert f'<a href="{link[first]["link"]}">' in body  # published before: its address on the site
    before = api(site, f"/wp/v2/posts/{link[first]['post_id']}")["content"]["raw"]
    assert f'<a href="/{slug[second]}/">' in before  # not published yet then: its slug
    assert publish(site, first).returncode == 0
    after = api(site, f"/wp/v2/posts/{link[first]['post_id']}")["content"]["raw"]
    assert f'<a href="{link[second]["link"]}">' in after


def test_a_title_and_excerpt_carry_no_markup_and_keep_their_ampersand(
    site: Site, draft_dir: Path, tmp_path: Path
):
    """Text from a caption file may hold markup: the site gets it as text, and "Q&A" as typed (WordPress
    keeps a title as sent and its editor shows it so)."""
    copy = tmp_path / "copy"
    shutil.copytree(draft_dir, copy)
    (copy / "publish.json").unlink(missing_ok=True)
    retitle(copy, "Q&A: <b>ketamine</b>", "<script>x()</script> Pain & relief.")
    done = publish(site, copy)
    assert done.returncode == 0, done.stderr
    post = api(site, f"/wp/v2/posts/{json.loads((copy / 'publish.json').read_text())[site.url]['post_id']}")
    assert (
        post["title"]["raw"] == "Q&A: &lt;b&gt;ketamine&lt;/b&gt;" and "<b>" not in post["title"]["rendered"]
    )
    assert "<script>" not in post["excerpt"]["raw"] and "Pain & relief." in post["excerpt"]["raw"]


def test_an_editors_hand_edit_of_post_html_and_its_title_is_published_and_a_hidden_script_is_not(
    site: Site, draft_dir: Path, tmp_path: Path
):
    """The post is post.html's article as the sanitiser reads it: an editor's own markup goes out as
    written, a script in a comment that browsers close early ("<!-->") never reaches the site."""
    from tests.test_hostile_folder import EDITORIAL

    copy = tmp_path / "edited"
    shutil.copytree(draft_dir, copy)
    (copy / "publish.json").unlink(missing_ok=True)
    page = (copy / "post.html").read_text(encoding="utf-8")
    hand = EDITORIAL + "\n<!--><script>steal()</script>-->"
    title = json.loads((copy / "draft.json").read_text())["title"]
    page = page.replace(f"<h1>{title}</h1>", "<h1>Ketamine infusions for chronic pain &amp; CRPS</h1>", 1)
    (copy / "post.html").write_text(page.replace("</h1>", "</h1>\n" + hand, 1), encoding="utf-8")
    done = publish(site, copy)
    assert done.returncode == 0, done.stderr
    post = api(site, f"/wp/v2/posts/{json.loads((copy / 'publish.json').read_text())[site.url]['post_id']}")
    raw = post["content"]["raw"]
    assert '<a href="https://clinic.example/book" target="_blank" rel="noopener">book online</a>' in raw
    assert "<th>Sessions</th>" in raw and '<p class="note" style="color: #333">' in raw
    assert "steal()" not in raw and '"@type": "MedicalWebPage"' in raw  # the draft's JSON-LD still goes
    assert post["title"]["raw"] == "Ketamine infusions for chronic pain & CRPS"  # the h1 as edited


def test_a_change_on_the_site_copied_into_the_draft_publishes_and_one_it_cannot_say_is_kept(
    site: Site, draft_dir: Path, tmp_path: Path
):
    """An editor rewrote a sentence and the slug on the site: publishing stops naming the text; once the
    sentence is copied into the draft it goes on without --force, and keeps the site's slug, saying so."""
    copy = tmp_path / "copy"
    post_id = _published_copy(site, draft_dir, copy, "copied-back")
    raw = api(site, f"/wp/v2/posts/{post_id}")["content"]["raw"]
    said = next(p for p in raw.split("<p>")[2:] if "</p>" in p).split("</p>")[0]
    rewrite = "Ketamine is given in a quiet room, and a nurse stays with you."
    _on_site(site, "POST", f"/wp/v2/posts/{post_id}", {"content": raw.replace(said, rewrite), "slug": "faq"})
    refused = _one_error_line(publish(site, copy))
    assert f"the text of post {post_id} on {site.url} changed there" in refused  # the slug is not in dispute
    page = (copy / "post.html").read_text(encoding="utf-8")
    (copy / "post.html").write_text(page.replace(said, rewrite), encoding="utf-8")  # as a review Save would
    done = publish(site, copy)
    assert done.returncode == 0, done.stderr
    assert "note: kept the slug as changed on the site" in done.stdout
    post = api(site, f"/wp/v2/posts/{post_id}")
    assert rewrite in post["content"]["raw"] and post["slug"] == "faq"
    again = publish(site, copy)  # what this publish left is what the next one expects, the slug kept again
    assert again.returncode == 0 and "kept the slug" in again.stdout, again.stdout + again.stderr
    assert api(site, f"/wp/v2/posts/{post_id}")["slug"] == "faq"


def test_a_publish_cut_off_midway_carries_on_with_the_same_post_and_stills(
    site: Site, draft_dir: Path, tmp_path: Path
):
    """The site stops answering after the post is saved (before its stills are attached), or after the
    stills are uploaded (before the post, and no still can be removed): the next publish updates that
    post with those stills instead of making a second post and uploading every still again."""
    from video2blog.pipeline.publish import wordpress

    def cut(*args: Any, **kwargs: Any) -> Any:
        raise wordpress.PublishError(f"cannot reach {site.url} (cut off)")

    for where, slug in (("attach_images", "cut-after-post"), ("save_post", "cut-before-post")):
        copy = tmp_path / slug
        shutil.copytree(draft_dir, copy)
        (copy / "publish.json").unlink(missing_ok=True)
        data = json.loads((copy / "draft.json").read_text())
        (copy / "draft.json").write_text(json.dumps({**data, "slug": slug}))
        media = len(api(site, "/wp/v2/media", per_page="100"))
        target = wordpress.WordPressSite(site.url, site.user, site.password)
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(wordpress, where, cut)
            patch.setattr(wordpress, "remove_new_images", lambda *args: set())  # the site is gone
            with pytest.raises(wordpress.PublishError):
                wordpress.publish_draft(copy, target)
        uploaded = len(api(site, "/wp/v2/media", per_page="100"))
        assert uploaded == media + len([s for s in data["sections"] if s.get("image")])
        again = publish(site, copy)
        assert again.returncode == 0, again.stderr
        assert again.stdout.startswith("Updated" if where == "attach_images" else "Created"), again.stdout
        assert len([p for p in all_posts(site) if p["slug"] == slug]) == 1
        assert len(api(site, "/wp/v2/media", per_page="100")) == uploaded  # no still sent twice


def test_the_same_site_typed_another_way_or_from_its_admin_updates_the_same_post(
    site: Site, draft_dir: Path, tmp_path: Path
):
    copy = tmp_path / "copy"
    post_id = _published_copy(site, draft_dir, copy, "typed-another-way")
    other = site.url.replace("127.0.0.1", "localhost") + "/wp-admin/post.php?post=1&action=edit"
    done = publish(Site(other, site.user, site.password, site.root), copy)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"Updated draft post {post_id}")
    assert list(json.loads((copy / "publish.json").read_text())) == [site.url]


def test_a_live_post_links_only_to_related_posts_a_visitor_can_see_and_says_which_it_left_out(
    site: Site, tmp_path: Path
):
    """`--status publish` of a post whose related posts are drafts on the site, or not sent at all: those
    links would be 404 to a visitor, so they are left out (a note names them) until the posts are live."""
    from benchmarks.talk_text import LIBRARY, TALKS, write_transcript

    talks, drafts = tmp_path / "talks", tmp_path / "drafts"
    talks.mkdir()
    for path in (TALKS / "weight-loss.md", LIBRARY / "weight-loss-injections.md", TALKS / "dermatology.md"):
        write_transcript(path, talks / f"{path.stem}.json")
    cmd = [COMMAND, "batch", str(talks), "-o", str(drafts), "-p", "*.json", "--formats", "html,json"]
    assert subprocess.run(cmd, capture_output=True, timeout=600, stdin=subprocess.DEVNULL).returncode == 0
    live, other, never = drafts / "weight-loss", drafts / "weight-loss-injections", drafts / "dermatology"
    slug = {d: json.loads((d / "draft.json").read_text())["slug"] for d in (live, other, never)}
    assert publish(site, other).returncode == 0  # a draft on the site: its ?p= address is 404 to visitors
    done = publish(site, live, "--status", "publish")
    assert done.returncode == 0, done.stderr
    record = {d: json.loads((d / "publish.json").read_text())[site.url] for d in (live, other)}
    body = api(site, f"/wp/v2/posts/{record[live]['post_id']}")["content"]["raw"]
    assert f"/{slug[other]}/" not in body and f"p={record[other]['post_id']}" not in body
    assert f"/{slug[never]}/" not in body and "related-posts" not in body  # no block left with no links
    assert "left out 2 related posts" in done.stdout
    assert publish(site, other, "--status", "publish").returncode == 0
    again = publish(site, live)  # still live: now links the related post that is live too
    assert again.returncode == 0, again.stderr
    body = api(site, f"/wp/v2/posts/{record[live]['post_id']}")["content"]["raw"]
    shown = api(site, f"/wp/v2/posts/{record[other]['post_id']}")["link"]
    assert f'<a href="{shown}">' in body and f"/{slug[never]}/" not in body
    assert "left out 1 related post " in again.stdout


def test_publish_says_when_a_newer_post_new_html_waits_beside_the_edited_post_html(
    site: Site, draft_dir: Path, tmp_path: Path
):
    """A hand-edited post.html is kept by `library` or a redraft, the new version written beside it as
    post.new.html: publish sends post.html, and says in one line that the newer version is there."""
    copy = tmp_path / "copy"
    shutil.copytree(draft_dir, copy)
    (copy / "publish.json").unlink(missing_ok=True)
    page = (copy / "post.html").read_text()
    (copy / "post.html").write_text(page.replace("<h2>", '<h2 class="edited">'))  # the editor's change
    (copy / "post.new.html").write_text(page)  # what `library` writes beside it
    os.utime(copy / "post.html", (1_700_000_000, 1_700_000_000))
    done = publish(site, copy)
    assert done.returncode == 0, done.stderr
    post_id = json.loads((copy / "publish.json").read_text())[site.url]["post_id"]
    assert 'class="edited"' in api(site, f"/wp/v2/posts/{post_id}")["content"]["raw"]  # the edit is sent
    notes = [line for line in done.stdout.splitlines() if "post.new.html" in line]
    assert len(notes) == 1 and "newer" in notes[0], done.stdout
    os.utime(copy / "post.new.html", (1_600_000_000, 1_600_000_000))  # merged by hand since: post.html newer
    assert "post.new.html" not in publish(site, copy).stdout
