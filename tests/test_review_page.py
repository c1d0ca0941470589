"""The editor's review page on the real sample, as an editor uses it: drafted by the installed command
with a clinic's settings (Hugo front matter, --medical, its own templates, its glossary), served by
`video2blog review`, edited and saved in Chromium (desktop and a 390x844 phone). Each test is a defect
an editor met: nothing an editor does may be undone, lost or shown wrong."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.test_browser import CHROMIUM, CHROMIUM_ARGS, browser, page  # noqa: F401 (fixtures)
from tests.test_review_server import COMMAND, Served, start
from video2blog.pipeline.ingest.transcribe import load_glossary

sync_api = pytest.importorskip("playwright.sync_api")

pytestmark = pytest.mark.slow
MARKER = "<!-- drafted with the clinic's own template -->"
DRAFT_FLAGS = ["--front-matter", "hugo", "--medical"]
SPOKEN_HEADING_START = 86  # "How", the first word of section 3's spoken question
FIXED_WORD = "set"  # heard at 32% confidence in the sample
PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True}


@pytest.fixture(scope="module")
def clinic(sample_video: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample drafted as a clinic does: video beside the folder, Hugo + medical + its templates."""
    root = tmp_path_factory.mktemp("clinic")
    video = root / sample_video.name
    shutil.copy(sample_video, video)
    templates = root / "templates"
    templates.mkdir()
    builtin = Path(__file__).resolve().parents[1] / "templates" / "post.md.j2"
    (templates / "post.md.j2").write_text(
        builtin.read_text(encoding="utf-8") + MARKER + "\n", encoding="utf-8"
    )
    glossary = sample_video.parent / "glossary.txt"
    args = ["draft", str(video), "--out", str(root / "draft"), "--glossary", str(glossary)]
    args += [*DRAFT_FLAGS, "--template-dir", str(templates)]
    subprocess.run([str(COMMAND), *args], check=True, capture_output=True, timeout=600)
    return root / "draft"


@pytest.fixture
def folder(clinic: Path, tmp_path: Path) -> Path:
    """A fresh copy of the clinic's draft folder, beside the video as the draft command left it."""
    out = clinic.parent / f"copy-{tmp_path.name}"
    shutil.copytree(clinic, out)
    yield out
    shutil.rmtree(out, ignore_errors=True)


@pytest.fixture
def served(folder: Path) -> Iterator[Served]:
    server = start([str(COMMAND), "review", str(folder), "--no-browser"])
    yield server
    server.stop()


def open_served(page, served: Served) -> None:  # noqa: F811
    page.goto(served.url)
    page.wait_for_function("document.documentElement.dataset.editReady === '1'")


def save(page) -> None:  # noqa: F811
    page.click("#save")
    sync_api.expect(page.locator("#edit-status")).to_contain_text("Saved", timeout=30_000)
    page.wait_for_function("document.documentElement.dataset.editReady === '1'")


def edit_heading(page, section: int, text: str) -> None:  # noqa: F811
    page.locator(f"#section-{section} [data-act=heading]").click()
    page.fill(f"#section-{section} .inline-edit input", text)
    page.locator(f"#section-{section} .inline-edit").get_by_role("button", name="Done").click()


def flagged(html: str) -> list[str]:
    """The words a review page flags for checking, in order."""
    return re.findall(r'class="w[^"]*\blow\b[^"]*"[^>]*>([^<]*)<', html)


def test_save_renders_with_the_drafts_own_settings(page, served: Served, folder: Path):  # noqa: F811
    before = {name: (folder / name).read_text() for name in ("post.md", "post.html")}
    assert MARKER in before["post.md"] and "MedicalWebPage" in before["post.html"]
    old = json.loads((folder / "draft.json").read_text())["sections"][3]["heading"]
    open_served(page, served)
    edit_heading(page, 4, "How an infusion feels")
    save(page)
    after = (folder / "post.md").read_text()
    assert after == before["post.md"].replace(old, "How an infusion feels")  # Hugo, the template, the edit
    html = (folder / "post.html").read_text()
    assert "MedicalWebPage" in html and html != before["post.html"]
    assert "How an infusion feels" in html


def test_one_glossary_flags_the_same_words_everywhere(page, served: Served, folder: Path):  # noqa: F811
    drafted = flagged((folder / "review.html").read_text())
    terms = load_glossary(folder / "glossary.txt")
    assert {"ketamine", "neuropathic", "shingles"} <= set(terms)
    open_served(page, served)
    assert flagged(page.content()) == drafted
    edit_heading(page, 1, "About ketamine")
    save(page)
    assert flagged((folder / "review.html").read_text()) == drafted
    assert flagged(page.content()) == drafted
    clinic_terms = page.locator(".draft .w.low", has_text=re.compile("ketamine|neuropathic|shingles"))
    assert clinic_terms.count() == 0


def test_add_to_glossary_appends_to_the_drafts_glossary(page, served: Served, folder: Path):  # noqa: F811
    before = load_glossary(folder / "glossary.txt")
    open_served(page, served)
    page.locator(".draft .w", has_text="oversensitive").first.click()
    page.fill("#fix-text", "over-sensitive")
    page.check("#fix-glossary")
    page.locator("#word-card").get_by_role("button", name="Fix word").click()
    save(page)
    assert load_glossary(folder / "glossary.txt") == (*before, "over-sensitive")


def test_accepted_and_edited_headings_are_not_marked_generated(page, served: Served, folder: Path):  # noqa: F811
    open_served(page, served)
    assert page.locator("#section-1 .head .tag").count() == 1
    page.locator("#section-1 [data-act=accept]").click()
    save(page)
    assert page.locator("#section-1 .head .tag").count() == 0
    assert page.locator(".outline li").first.locator(".tag").count() == 0
    static = (folder / "review.html").read_text()
    assert "Generated heading" not in static and 'class="section generated"' not in static


def test_no_new_section_from_a_spoken_heading(page, served: Served, folder: Path):  # noqa: F811
    open_served(page, served)
    page.locator(f".draft .w[data-i='{SPOKEN_HEADING_START}']").click()
    sync_api.expect(page.locator("#word-card")).to_be_visible()
    assert page.locator("#split-here").is_hidden()
    sync_api.expect(page.locator("#pending")).to_have_text("0")
    word = page.locator("#section-3 .para .w[data-s='1']").nth(1)  # a sentence inside the section
    word.click()
    page.click("#split-here")
    sync_api.expect(page.locator("#pending")).to_have_text("1")
    save(page)
    assert len(json.loads((folder / "draft.json").read_text())["sections"]) == 7


def test_a_fixed_word_is_not_flagged(page, served: Served, folder: Path):  # noqa: F811
    open_served(page, served)
    word = page.locator(".draft .w.low", has_text=FIXED_WORD).first
    index = word.get_attribute("data-i")
    word.click()
    page.fill("#fix-text", "settled")
    page.locator("#word-card").get_by_role("button", name="Fix word").click()
    save(page)
    fixed = page.locator(f".draft .w[data-i='{index}']")
    sync_api.expect(fixed).to_have_text("settled")
    assert "low" not in (fixed.get_attribute("class") or "")
    assert "Glossary correction" not in (fixed.get_attribute("title") or "")
