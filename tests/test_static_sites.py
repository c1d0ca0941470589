"""A draft's post.md published as a static site's post: real Hugo and Jekyll builds (Debian's, installed
by scripts/test.sh), laid out as the README's "Static sites" says. Every still and every related post's
link resolves in the built site, and awkward text (an ampersand, Liquid's braces, angle brackets) shows
as said."""

from __future__ import annotations

import html
import json
import posixpath
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import SAMPLE, run_ffmpeg

pytestmark = pytest.mark.slow

COMMAND = Path(sys.executable).with_name("video2blog")
# Spoken text no site may lose or mangle (Liquid dropped "{{ or }}" and failed on "{% price %}").
AWKWARD = "Smooth & Clear costs less {{ or }} more, see {% price %} and <less> pain."
CAPTIONS = (
    "1\n00:00:00,000 --> 00:00:04,000\nWhat is laser hair removal?\n\n"
    "2\n00:00:04,500 --> 00:00:12,000\nA laser removes hair at the root. " + AWKWARD + "\n\n"
    "3\n00:00:13,000 --> 00:00:17,000\nDoes laser hair removal hurt?\n\n"
    "4\n00:00:17,500 --> 00:00:26,000\nMost people feel a light snap on the skin, and it soon passes.\n"
)
HUGO_CONFIG = 'baseURL = "https://clinic.example{base}/"\ntitle = "Clinic"\n'
HUGO_PAGE = "<html><body><h1>{{ .Title }}</h1>{{ .Content }}</body></html>\n"
# A project site under a base path (as GitHub Pages serves one): every link must keep it.
JEKYLL_CONFIG = 'title: Clinic\nurl: https://clinic.example\nbaseurl: "/blog"\nmarkdown: kramdown\n'
JEKYLL_PAGE = "<html><body><h1>{{ page.title }}</h1>{{ content }}</body></html>\n"


def draft(source: Path, out: Path, style: str) -> Path:
    args = [str(COMMAND), "draft", str(source), "--out", str(out), "--front-matter", style]
    subprocess.run(args, check=True, capture_output=True, timeout=600)
    return out


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A 40-second cut of the sample video (stills) and a caption file holding the awkward text."""
    folder = tmp_path_factory.mktemp("inputs")
    video = folder / "ketamine.mp4"
    run_ffmpeg("-i", str(SAMPLE), "-t", "40", "-c:v", "mpeg4", "-q:v", "5", "-c:a", "aac", str(video))
    captions = folder / "laser.srt"
    captions.write_text(CAPTIONS, encoding="utf-8")
    return video, captions


def drafts(inputs: tuple[Path, Path], root: Path, style: str) -> list[Path]:
    """Both inputs drafted in ``style`` into one folder, given each other as related posts."""
    library = root / "drafts"
    made = [draft(source, library / source.stem, style) for source in inputs]
    subprocess.run([str(COMMAND), "library", str(library)], check=True, capture_output=True, timeout=600)
    return made


def slug_of(folder: Path) -> str:
    return str(json.loads((folder / "draft.json").read_text(encoding="utf-8"))["slug"])


def pages(site: Path) -> dict[Path, str]:
    return {p: p.read_text(encoding="utf-8") for p in site.rglob("*.html")}


def check_site(built: dict[Path, str], site: Path, posts: list[Path], base: str = "") -> None:
    """Every post built at /slug/, its stills and related links found, the awkward text shown as said."""
    roots = {"/" + p.relative_to(site).as_posix() for p in built}
    for folder in posts:
        slug = slug_of(folder)
        page = site / slug / "index.html"
        assert page in built, f"/{slug}/ not built; built: {sorted(roots)}"
        text = built[page]
        stills = re.findall(r'<img[^>]*src="([^"]+)"', text)
        assert len(stills) == len(list((folder / "images").glob("*.jpg"))), stills
        for src in stills:
            path = src.removeprefix("https://clinic.example")
            assert not path.startswith("/") or path.startswith(base + "/"), f"{src} leaves out {base}"
            path = path.removeprefix(base)
            target = (page.parent / path) if not path.startswith("/") else site / path.lstrip("/")
            assert target.is_file(), f"{src} on /{slug}/ is not in the built site"
        related = re.findall(r'<a href="([^":#]*)"', text)  # on the site: a path, or one from the page's
        assert related, f"/{slug}/ links no related post"
        for href in related:
            path = posixpath.normpath(posixpath.join(f"{base}/{slug}/", href))  # as a browser resolves it
            assert path.startswith(base + "/"), f"{href} on /{slug}/ leaves out {base}"
            found = site / path.removeprefix(base).lstrip("/") / "index.html"
            assert found.is_file(), f"{href} on /{slug}/ leads nowhere"
    shown = [html.unescape(re.sub(r"<[^>]+>", "", t)) for t in built.values()]
    assert any(AWKWARD in t for t in shown), "the awkward text is not shown as said"


@pytest.mark.parametrize("base", ["", "/blog"])  # a site of its own, and one under a subpath
def test_a_hugo_site_builds_the_posts_as_page_bundles(inputs: tuple[Path, Path], tmp_path: Path, base: str):
    posts = drafts(inputs, tmp_path, "hugo")
    site = tmp_path / "hugo"
    (site / "layouts" / "_default").mkdir(parents=True)
    (site / "hugo.toml").write_text(HUGO_CONFIG.format(base=base), encoding="utf-8")
    for name in ("single.html", "list.html"):
        (site / "layouts" / "_default" / name).write_text(HUGO_PAGE, encoding="utf-8")
    for folder in posts:  # a page bundle: content/posts/<name>/index.md with its images/ beside it
        bundle = site / "content" / "posts" / folder.name
        bundle.mkdir(parents=True)
        shutil.copy(folder / "post.md", bundle / "index.md")
        if (folder / "images").is_dir():
            shutil.copytree(folder / "images", bundle / "images")
    done = subprocess.run(["hugo", "--buildDrafts"], cwd=site, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and "WARN" not in done.stdout + done.stderr, done.stdout + done.stderr
    check_site(pages(site / "public"), site / "public", posts, base=base)


def test_a_jekyll_site_builds_the_posts_with_their_stills(inputs: tuple[Path, Path], tmp_path: Path):
    posts = drafts(inputs, tmp_path, "jekyll")
    site = tmp_path / "jekyll"
    (site / "_layouts").mkdir(parents=True)
    (site / "_posts").mkdir()
    (site / "_config.yml").write_text(JEKYLL_CONFIG, encoding="utf-8")
    (site / "_layouts" / "post.html").write_text(JEKYLL_PAGE, encoding="utf-8")
    for folder in posts:  # _posts/<date>-<slug>.md, the stills under assets/images/<slug>/
        slug = slug_of(folder)
        shutil.copy(folder / "post.md", site / "_posts" / f"2026-01-02-{slug}.md")
        if (folder / "images").is_dir():
            shutil.copytree(folder / "images", site / "assets" / "images" / slug)
    done = subprocess.run(
        ["jekyll", "build", "--unpublished"], cwd=site, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0 and "Error" not in done.stdout + done.stderr, done.stdout + done.stderr
    check_site(pages(site / "_site"), site / "_site", posts, base="/blog")
