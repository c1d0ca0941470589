"""The post's title, description and byline in the review page, as an editor checks them: shown, edited
in place (desktop and a 390x844 phone), saved by `video2blog review` into every output, the address
following the title until the post is published, and a hand-edited post.md's message saying what to do."""

from __future__ import annotations

import json
import re
import zipfile
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from tests.conftest import run_ffmpeg
from tests.test_browser import CHROMIUM, CHROMIUM_ARGS, browser, page  # noqa: F401 (fixtures)
from tests.test_editing import ALL_FORMATS
from tests.test_review import sample_context
from tests.test_review_server import COMMAND, Served, edit_heading, open_served, start
from video2blog.pipeline.editing.settings import SETTINGS_FILE, RenderSettings, settings_json
from video2blog.pipeline.output import OutputFolder
from video2blog.pipeline.writers.formats import render_all

sync_api = pytest.importorskip("playwright.sync_api")

MISREAD = "Dr. Alex Rivra, MD - pain medicine"  # the on-screen byline as OCR read it
PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True}
TITLE = "Ketamine for nerve pain"
DESCRIPTION = (
    "How low-dose ketamine infusions help nerve pain, and what an hour in the infusion room is like."
)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """The hand-built sample's draft folder (its title "Script: your questions answered"), with the byline
    the video showed, beside a real WAV file, as `video2blog draft` leaves it."""
    audio = tmp_path / "talk.wav"
    run_ffmpeg("-f", "lavfi", "-i", "sine=frequency=330:duration=30", "-ar", "8000", str(audio))
    out = tmp_path / "draft"
    ctx = sample_context(out, str(audio))
    ctx = replace(ctx, draft=replace(ctx.draft, byline=MISREAD))
    output = OutputFolder(out)
    for name, data in render_all(ctx, ALL_FORMATS).items():
        output.add(name, data)
    output.add(SETTINGS_FILE, settings_json(RenderSettings(formats=ALL_FORMATS)))
    output.commit()
    return out


@pytest.fixture
def served(folder: Path) -> Iterator[Served]:
    server = start([str(COMMAND), "review", str(folder), "--no-browser"])
    yield server
    server.stop()


def edit_field(page, act: str, text: str) -> None:  # noqa: F811
    page.locator(f".post-head [data-act={act}]").click()
    field = page.locator(".post-head .inline-edit").locator("input, textarea")
    sync_api.expect(field).to_be_focused()
    field.fill(text)
    page.locator(".post-head .inline-edit").get_by_role("button", name="Done").click()


def save(page) -> None:  # noqa: F811
    with page.expect_navigation(timeout=30_000):  # a Save reloads the page once it is made
        page.click("#save")
    sync_api.expect(page.locator("#edit-status")).to_contain_text("Saved")
    page.wait_for_function("document.documentElement.dataset.editReady === '1'")


def post_files(folder: Path) -> dict[str, str]:
    with zipfile.ZipFile(folder / "post.docx") as docx:
        document = docx.read("word/document.xml").decode()
    return {
        "md": (folder / "post.md").read_text(),
        "html": (folder / "post.html").read_text(),
        "docx": document,
        "json": (folder / "draft.json").read_text(),
    }


def test_the_editor_sees_and_fixes_the_title_description_and_byline(page, served: Served, folder: Path):  # noqa: F811
    open_served(page, served)
    head = page.locator(".post-head")
    sync_api.expect(head.locator("h1")).to_have_text("Script: your questions answered")
    sync_api.expect(head.locator(".byline")).to_have_text(f"By {MISREAD}")  # the OCR's reading, to check
    sync_api.expect(head.locator("#description-length")).to_have_text("Description: 56 of 160 characters")
    edit_field(page, "title", TITLE)
    sync_api.expect(head.locator("h1")).to_have_text(TITLE)
    sync_api.expect(head.locator("#slug")).to_have_text("follows the new title on Save")
    head.locator("[data-act=description]").click()
    field = head.locator(".inline-edit textarea")
    field.fill(DESCRIPTION * 2)
    hint = head.locator(".field-hint")
    sync_api.expect(hint).to_have_text(re.compile(r"^190 of 160 characters: search results cut"))
    field.fill(DESCRIPTION)
    sync_api.expect(hint).to_have_text("Description: 95 of 160 characters")
    head.get_by_role("button", name="Done").click()
    sync_api.expect(head.locator("#description-length")).to_have_text("Description: 95 of 160 characters")
    edit_field(page, "byline", "Dr. Alex Rivera, MD - pain medicine")
    save(page)
    sync_api.expect(head.locator("h1")).to_have_text(TITLE)
    sync_api.expect(head.locator(".byline")).to_have_text("By Dr. Alex Rivera, MD - pain medicine")
    sync_api.expect(head.locator(".lede")).to_have_text(DESCRIPTION)
    sync_api.expect(head.locator("#slug")).to_have_text("/ketamine-for-nerve-pain/")
    files = post_files(folder)
    assert all("Script" not in text and "Rivra" not in text for text in files.values())
    assert f'title: "{TITLE}"' in files["md"] and 'slug: "ketamine-for-nerve-pain"' in files["md"]
    assert (
        f'description: "{DESCRIPTION}"' in files["md"]
        and "*By Dr. Alex Rivera, MD - pain medicine*" in files["md"]
    )
    html = files["html"]
    assert f"<h1>{TITLE}</h1>" in html and f'<meta name="description" content="{DESCRIPTION}">' in html
    assert f'<meta property="og:title" content="{TITLE}">' in html
    assert f'<meta property="og:description" content="{DESCRIPTION}">' in html
    assert f'"description": "{DESCRIPTION}"' in html and '"name": "Dr. Alex Rivera"' in html  # JSON-LD
    assert TITLE in files["docx"] and "Dr. Alex Rivera, MD - pain medicine" in files["docx"]
    draft = json.loads(files["json"])
    assert (draft["title"], draft["slug"], draft["description"]) == (
        TITLE,
        "ketamine-for-nerve-pain",
        DESCRIPTION,
    )
    edits = json.loads((folder / "edits.json").read_text())["edits"]
    assert [(e["op"], e["was"]) for e in edits] == [
        ("title", "Script: your questions answered"),
        ("description", "Each infusion takes about forty minutes in a quiet room."),
        ("byline", MISREAD),
    ]


def test_undo_takes_back_a_title_edit(page, served: Served):  # noqa: F811
    open_served(page, served)
    edit_field(page, "byline", "")
    sync_api.expect(page.locator(".post-head .byline")).to_be_hidden()  # a misread byline can be dropped
    edit_field(page, "title", TITLE)
    page.click("#undo")
    sync_api.expect(page.locator(".post-head h1")).to_have_text("Script: your questions answered")
    page.click("#undo")
    sync_api.expect(page.locator(".post-head .byline")).to_have_text(f"By {MISREAD}")


def test_on_a_phone_the_fields_are_edited_in_sight(browser, served: Served, folder: Path):  # noqa: F811
    context = browser.new_context(**PHONE)
    phone = context.new_page()
    open_served(phone, served)
    buttons = phone.locator(".post-head [data-act]")
    assert buttons.count() == 3
    for k in range(3):
        box = buttons.nth(k).bounding_box()
        assert box and box["height"] >= 44 and box["width"] >= 44
    phone.locator(".post-head [data-act=title]").tap()
    field = phone.locator(".post-head .inline-edit input")
    sync_api.expect(field).to_be_focused()
    # the field is on screen and not under the pinned panel
    assert field.evaluate(
        "f => { const r = f.getBoundingClientRect(), x = r.left + r.width / 2, y = r.top + r.height / 2;"
        " return y > 0 && y < innerHeight && document.elementFromPoint(x, y) === f; }"
    )
    field.fill(TITLE)
    phone.locator(".post-head .inline-edit").get_by_role("button", name="Done").tap()
    phone.locator("#save").tap()
    sync_api.expect(phone.locator("#edit-status")).to_contain_text("Saved", timeout=30_000)
    assert f"<h1>{TITLE}</h1>" in (folder / "post.html").read_text()
    context.close()


def test_a_published_post_keeps_its_address_and_the_page_says_so(page, served: Served, folder: Path):  # noqa: F811
    (folder / "publish.json").write_text(json.dumps({"https://clinic.example": {"post_id": 12}}))
    open_served(page, served)
    address = page.locator(".post-head .meta", has=page.locator("#slug"))
    sync_api.expect(address).to_contain_text("published under it on https://clinic.example")
    edit_field(page, "title", TITLE)
    sync_api.expect(page.locator("#slug")).to_have_text("/script-your-questions-answered/")
    save(page)
    sync_api.expect(page.locator("#edit-status")).to_contain_text(
        "the post's address stays /script-your-questions-answered/"
    )
    assert 'slug: "script-your-questions-answered"' in (folder / "post.md").read_text()


def test_a_hand_edited_post_md_says_how_to_bring_it_back(page, served: Served, folder: Path):  # noqa: F811
    post = folder / "post.md"
    post.write_text(post.read_text().replace("Script: your questions answered", TITLE, 1))
    open_served(page, served)
    edit_heading(page, 2, "Why we use ketamine")
    save(page)
    status = page.locator("#edit-status")
    sync_api.expect(status).to_contain_text("Kept post.md as changed outside this page")
    sync_api.expect(status).to_contain_text("the title, description and byline are edited at the top")
    assert "<h1>Script: your questions answered</h1>" in (folder / "post.html").read_text()
    # as the message says: the change made here, post.md deleted, Save
    edit_field(page, "title", TITLE)
    post.unlink()
    save(page)
    assert f'title: "{TITLE}"' in post.read_text() and "## Why we use ketamine" in post.read_text()
    assert not (folder / "post.new.md").exists()
    assert f"<h1>{TITLE}</h1>" in (folder / "post.html").read_text()
