"""What an editor types or pastes into the review page's fields, in Chromium, saved by `video2blog review`:
text pasted from Word with characters that show nothing, the no-break spaces that keep "0.5 mg" together,
and line breaks in a paragraph. The editor must see in every output what the page showed."""

from __future__ import annotations

import json

import pytest

from tests.test_browser import browser, page  # noqa: F401 (fixtures)
from tests.test_review_post_fields import edit_field, folder, save, served  # noqa: F401 (fixtures)
from tests.test_review_server import Served, edit_heading, open_served

sync_api = pytest.importorskip("playwright.sync_api")

OUTPUTS = ("post.md", "post.html", "draft.json", "captions.srt", "captions.vtt")
PASTED = "fibro\u00admyalgia\u0007 and zero\u200bwidth pain"  # from Word, with a BEL


def edit_paragraph(page, section: int, text: str) -> None:  # noqa: F811
    row = page.locator(f"#section-{section} .para").first
    row.locator("[data-act=paragraph]").click()
    row.locator("textarea").fill(text)
    row.get_by_role("button", name="Done").click()


def refused(page, where: str, message: str) -> None:  # noqa: F811
    """The open editor in ``where`` says ``message`` (or more) beside its field; Escape closes it."""
    sync_api.expect(page.locator(f"{where} .field-error")).to_contain_text(message)
    page.keyboard.press("Escape")


@pytest.mark.parametrize("invisible", ["\u200b", "\u00ad", " \ufeff\u200b "])
def test_a_field_left_with_only_invisible_characters_is_refused_as_empty(page, served: Served, invisible):  # noqa: F811
    """A field cleared but for a zero-width space that a paste from Word left (or a soft hyphen, a byte
    order mark) was taken: an invisible title and address /draft/, an empty "##", an invisible paragraph."""
    open_served(page, served)
    edit_field(page, "title", invisible)
    refused(page, ".post-head", "A post needs a title.")
    edit_heading(page, 2, invisible)
    refused(page, "#section-2", "A heading needs words; to drop this one, merge its section")
    row = page.locator("#section-2 .para").first
    row.locator("[data-act=paragraph]").click()
    row.locator("textarea").fill(invisible)
    row.get_by_role("button", name="Done").click()
    refused(page, "#section-2", "A section needs some text: to drop this one, merge it")
    sync_api.expect(page.locator("#pending")).to_have_text("0")


def test_characters_that_show_nothing_are_dropped_from_the_text(page, served: Served, folder):  # noqa: F811
    """Soft hyphens, zero-width spaces and a BEL pasted into a paragraph reached post.md, post.html and the
    captions raw (the docx and WXR dropped them)."""
    open_served(page, served)
    paragraph = page.locator("#section-2 .para p").first.inner_text()
    edit_paragraph(page, 2, paragraph.replace("nerve pain", PASTED))
    save(page)
    for name in OUTPUTS:
        text = (folder / name).read_text()
        assert "fibromyalgia" in text and "zerowidth" in text, name
        assert not {"\u00ad", "\u200b", "\u0007"} & set(text), name


def test_no_break_spaces_are_kept_as_typed(page, served: Served, folder):  # noqa: F811
    """An editor types no-break spaces so that "0.5 mg" and "40 minutes" are never split across lines:
    they were made ordinary spaces in every output."""
    open_served(page, served)
    edit_field(page, "description", "Low doses, 0.5\u00a0mg/kg, for nerve pain.")
    paragraph = page.locator("#section-2 .para p").first.inner_text()
    edit_paragraph(page, 2, paragraph.replace("forty minutes", "40\u202fminutes"))
    save(page)
    for name in ("post.md", "post.html"):
        text = (folder / name).read_text()
        assert "0.5\u00a0mg/kg" in text and "40\u202fminutes" in text, name
    draft = json.loads((folder / "draft.json").read_text())
    assert "40\u202fminutes" in draft["sections"][1]["paragraphs"][0]["text"]
    edit_paragraph(page, 2, page.locator("#section-2 .para p").first.inner_text())
    sync_api.expect(page.locator("#pending")).to_have_text("0")  # shown as saved: opening it changes nothing


def test_line_breaks_in_a_paragraph_are_said_to_become_spaces(page, served: Served, folder):  # noqa: F811
    """Two paragraphs pasted into one were joined into one run-on paragraph with no word to the editor. A
    paragraph of the post stays one paragraph; the page says so under the field as the text is pasted."""
    open_served(page, served)
    row = page.locator("#section-2 .para").first
    row.locator("[data-act=paragraph]").click()
    field = row.locator("textarea")
    hint = row.locator(".field-hint")
    field.fill("It is an anaesthetic for nerve pain.")
    sync_api.expect(hint).to_have_text("")
    field.fill("It is an anaesthetic for nerve pain.\n\nEach infusion takes forty minutes.")
    sync_api.expect(hint).to_have_text("Line breaks become spaces: the post keeps this as one paragraph.")
    sync_api.expect(field).to_have_attribute("aria-describedby", hint.get_attribute("id") or "?")
    row.get_by_role("button", name="Done").click()
    save(page)
    post = (folder / "post.md").read_text()
    assert "\n\nIt is an anaesthetic for nerve pain. Each infusion takes forty minutes.\n" in post
