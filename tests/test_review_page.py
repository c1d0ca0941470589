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
def folder(clinic: Path, tmp_path: Path) -> Iterator[Path]:
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


def test_a_glossary_term_read_as_a_comment_is_refused_on_the_page(page, served: Served, folder: Path):  # noqa: F811
    before = (folder / "glossary.txt").read_bytes()
    open_served(page, served)
    page.locator(".draft .w", has_text="oversensitive").first.click()
    page.fill("#fix-text", "# over-sensitive")
    page.check("#fix-glossary")
    page.locator("#word-card").get_by_role("button", name="Fix word").click()
    sync_api.expect(page.locator("#edit-status")).to_contain_text("cannot hold a term with “#”")
    assert page.locator("#pending").text_content() == "0"  # nothing recorded to save
    page.uncheck("#fix-glossary")  # the word itself may be spelt so
    page.locator("#word-card").get_by_role("button", name="Fix word").click()
    save(page)
    assert (folder / "glossary.txt").read_bytes() == before
    assert "# over-sensitive" in (folder / "post.md").read_text()


def test_accepted_and_edited_headings_are_not_marked_generated(page, served: Served, folder: Path):  # noqa: F811
    open_served(page, served)
    # The sample's first section (its greeting, the post's lead) has the only heading video2blog wrote.
    assert page.locator("#section-1.generated").count() == 1
    assert page.locator(".outline li").first.locator(".tag").count() == 1
    page.locator("#section-1 [data-act=accept]").click()
    save(page)
    assert page.locator("#section-1.generated").count() == 0
    assert page.locator("#section-1 .head .tag", has_text="Generated").count() == 0
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


def test_unsaved_edits_survive_a_reload_until_saved(browser, served: Served, folder: Path):  # noqa: F811
    context = browser.new_context()
    tab = context.new_page()
    asked: list[str] = []
    tab.on("dialog", lambda box: (asked.append(box.type), box.accept()))  # "Leave site?": yes, by accident
    problems: list[str] = []
    tab.on("pageerror", lambda exc: problems.append(str(exc)))
    open_served(tab, served)
    edit_heading(tab, 2, "Which pain ketamine helps")
    tab.reload()
    tab.wait_for_function("document.documentElement.dataset.editReady === '1'")
    assert asked == ["beforeunload"]
    sync_api.expect(tab.locator("#pending")).to_have_text("1")
    sync_api.expect(tab.locator("#section-2 h2")).to_have_text("Which pain ketamine helps")
    sync_api.expect(tab.locator("#edit-status")).to_contain_text("unsaved edit")
    save(tab)
    heading = json.loads((folder / "draft.json").read_text())["sections"][1]["heading"]
    assert heading == "Which pain ketamine helps"
    tab.reload()
    tab.wait_for_function("document.documentElement.dataset.editReady === '1'")
    sync_api.expect(tab.locator("#pending")).to_have_text("0")  # the kept edits went with the save
    assert asked == ["beforeunload"] and not problems  # no warning once saved
    context.close()


def test_leaving_with_unsaved_edits_asks_first(browser, served: Served):  # noqa: F811
    context = browser.new_context()
    tab = context.new_page()
    asked: list[str] = []
    tab.on("dialog", lambda box: (asked.append(box.type), box.dismiss()))
    open_served(tab, served)
    tab.locator("#section-1 [data-act=accept]").click()
    tab.close(run_before_unload=True)  # the warning keeps the page open
    tab.wait_for_timeout(500)
    assert asked == ["beforeunload"] and not tab.is_closed()
    context.close()


def test_the_sidebar_follows_edits_before_save(page, served: Served):  # noqa: F811
    open_served(page, served)
    items = page.locator(".outline li")
    count = items.count()
    edit_heading(page, 2, "Which pain ketamine helps")
    sync_api.expect(items.nth(1).locator("a")).to_have_text("Which pain ketamine helps")
    page.locator("#section-1 [data-act=accept]").click()
    assert items.first.locator(".tag").count() == 0
    page.locator("#section-4 [data-act=merge]").click()
    sync_api.expect(items).to_have_count(count - 1)
    assert page.locator(".jump li").count() == count - 1


def test_a_sentence_split_off_mid_paragraph_is_laid_out_as_a_paragraph(page, served: Served):  # noqa: F811
    open_served(page, served)
    paragraph = page.locator("#section-2 .para").first
    word = paragraph.locator(".w[data-s='1']").nth(1)
    text = word.inner_text()
    word.click()
    page.click("#split-here")
    moved = page.locator("#section-3 .para").first
    sync_api.expect(moved.locator("p .w").first).to_have_text(text)
    assert moved.locator(".time").count() == 1 and moved.locator("[data-act=paragraph]").count() == 1
    text_box, row_box = moved.locator("p").bounding_box(), moved.bounding_box()
    assert text_box and row_box and text_box["width"] > row_box["width"] / 2  # not one word a line
    # Each paragraph's Edit button is told apart by a screen reader: it is named with its paragraph's time.
    at = moved.locator(".time").inner_text()
    assert moved.locator("[data-act=paragraph]").get_attribute("aria-label") == f"Edit the paragraph at {at}"
    names = page.locator("[data-act=paragraph]").evaluate_all("bs => bs.map(b => b.ariaLabel)")
    assert len(names) > 3 and len(set(names)) == len(names)


def test_escape_cancels_an_editor_and_edit_twice_opens_one(page, served: Served):  # noqa: F811
    open_served(page, served)
    row = page.locator("#section-2 .para").first
    edit = row.locator("[data-act=paragraph]")
    edit.click()
    assert edit.is_hidden()  # the editor replaces it while open
    edit.dispatch_event("click")
    assert page.locator(".inline-edit").count() == 1
    page.keyboard.press("Escape")
    assert page.locator(".inline-edit").count() == 0 and row.locator("p").is_visible()
    sync_api.expect(page.locator("#pending")).to_have_text("0")
    page.locator("#section-2 [data-act=heading]").click()
    page.locator("#section-2 [data-act=heading]").dispatch_event("click")
    assert page.locator(".inline-edit").count() == 1


def test_a_word_click_seeks_without_playing_and_fixes_only_that_word(page, served: Served):  # noqa: F811
    open_served(page, served)
    page.wait_for_function("document.getElementById('player').readyState >= 1")
    words = page.locator(".draft .w", has_text=re.compile(r"^in$"))
    assert words.count() > 1
    word = words.nth(1)
    word.click()
    wanted = float(word.get_attribute("data-t") or "nan")
    page.wait_for_function(
        "t => Math.abs(document.getElementById('player').currentTime - t) < 0.5", arg=wanted
    )
    assert page.evaluate("document.getElementById('player').paused")
    assert not page.is_checked("#fix-everywhere")
    page.fill("#fix-text", "within")
    page.locator("#word-card").get_by_role("button", name="Fix word").click()
    sync_api.expect(page.locator(".draft .w", has_text=re.compile(r"^within$"))).to_have_count(1)
    sync_api.expect(page.locator("#pending")).to_have_text("1")


def test_word_card_closes_by_button_and_escape(page, served: Served):  # noqa: F811
    open_served(page, served)
    card = page.locator("#word-card")
    page.locator(".draft .w", has_text="oversensitive").click()
    sync_api.expect(card).to_be_visible()
    page.get_by_role("button", name="Close the word card (Esc)").click()
    sync_api.expect(card).to_be_hidden()
    page.locator(".draft .w", has_text="oversensitive").click()
    sync_api.expect(card).to_be_visible()
    page.keyboard.press("Escape")
    sync_api.expect(card).to_be_hidden()


def test_phone_keeps_the_draft_and_the_tapped_word_in_view(browser, served: Served):  # noqa: F811
    context = browser.new_context(**PHONE)
    phone = context.new_page()
    problems: list[str] = []
    phone.on("pageerror", lambda exc: problems.append(str(exc)))
    open_served(phone, served)
    height = PHONE["viewport"]["height"]
    pane = phone.locator(".pane").bounding_box()
    assert pane and pane["height"] <= 0.4 * height
    word = phone.locator("#section-4 .para .w").nth(20)
    word.tap()
    card = phone.locator("#word-card")
    sync_api.expect(card).to_be_visible()
    phone.wait_for_timeout(300)
    pane, sheet, box = phone.locator(".pane").bounding_box(), card.bounding_box(), word.bounding_box()
    assert pane and sheet and box
    assert sheet["y"] - (pane["y"] + pane["height"]) >= height / 2  # the draft keeps half the screen
    assert pane["y"] + pane["height"] <= box["y"] and box["y"] + box["height"] <= sheet["y"]  # word in view
    close = phone.get_by_role("button", name="Close the word card (Esc)")
    close_box = close.bounding_box()
    assert close_box and close_box["width"] >= 44 and close_box["height"] >= 44
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["viewport"]["width"]  # no sideways
    close.tap()
    sync_api.expect(card).to_be_hidden()
    row = phone.locator("#section-3 .para").first
    row.locator("[data-act=paragraph]").tap()
    field = row.locator("textarea")
    sync_api.expect(field).to_be_visible()
    assert row.locator("[data-act=paragraph]").is_hidden()
    lines = "t => t.clientHeight / parseFloat(getComputedStyle(t).lineHeight)"
    assert field.evaluate("t => t.scrollHeight <= t.clientHeight + 2")  # no inner scroll bar
    assert field.evaluate(lines) > 5  # sized to the whole text, not a 4-line box
    context.close()
    assert not problems


def edit_paragraph(page, section: int, text: str) -> None:  # noqa: F811
    row = page.locator(f"#section-{section} .para").first
    row.locator("[data-act=paragraph]").click()
    row.locator("textarea").fill(text)
    row.get_by_role("button", name="Done").click()


def test_an_edited_paragraph_keeps_its_words_times_and_flags(page, served: Served, folder: Path):  # noqa: F811
    open_served(page, served)
    row = page.locator("#section-3 .para").first
    old = row.locator("p").inner_text()
    linked = row.locator(".w[data-i]").count()
    assert row.locator(".w.low", has_text="oversensitive").count() == 1
    new = old.replace("the spinal cord and brain", "the nervous system").replace("big part", "large part")
    edit_paragraph(page, 3, new)
    save(page)
    row = page.locator("#section-3 .para").first
    sync_api.expect(row.locator("p")).to_have_text(new)
    assert row.locator(".w.low", has_text="oversensitive").count() == 1  # still flagged, still linked
    assert row.locator(".w[data-i]").count() >= linked - 4  # only the rewritten words lost their link
    ordinary = row.locator(".w", has_text="ordinary")
    assert float(ordinary.get_attribute("data-t") or 0) > 30  # its time in the talk, kept
    cues = (folder / "captions.srt").read_text().strip().split("\n\n")
    captions = " ".join(line for cue in cues for line in cue.splitlines()[2:])  # what they say, in order
    assert "the nervous system can become oversensitive" in captions and "spinal cord" not in captions
    assert "large part" in captions


def test_a_split_too_short_for_a_chapter_is_noted(page, served: Served, folder: Path):  # noqa: F811
    open_served(page, served)
    last = page.locator("#section-3 .para").first.locator(".w[data-s='1']").last  # "So why does that matter?"
    last.click()
    page.click("#split-here")
    save(page)
    sync_api.expect(page.locator("#edit-status")).to_contain_text("merged into its neighbour")
    notes = json.loads((folder / "draft.json").read_text())["notes"]
    assert any("merged into its neighbour" in note for note in notes)


def test_a_redraft_reads_the_folders_glossary_and_says_it_reapplied_edits(page, served: Served, folder: Path):  # noqa: F811
    open_served(page, served)
    edit_heading(page, 2, "Which pain ketamine helps")
    page.locator(".draft .w", has_text="oversensitive").first.click()
    page.fill("#fix-text", "over-sensitive")
    page.check("#fix-glossary")  # the glossary now spells it so: the redraft's own correction
    page.locator("#word-card").get_by_role("button", name="Fix word").click()
    save(page)
    served_flags = [w for w in flagged(page.content()) if w != "over-sensitive"]
    video = folder.parent / "ketamine-pain.mp4"
    result = subprocess.run(
        [str(COMMAND), "draft", str(video), "--out", str(folder), *DRAFT_FLAGS],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    assert "edits.json" not in result.stderr  # every edit re-applied: a note, not a warning
    said = [line for line in result.stdout.splitlines() if "edits.json" in line]
    assert said == ["  note: edits.json: re-applied 2 of the editor's 2 saved edits"]
    redrafted = (folder / "review.html").read_text()
    assert [w for w in flagged(redrafted) if w != "over-sensitive"] == served_flags  # the folder's glossary
    assert "Which pain ketamine helps" in redrafted and "over-sensitive" in redrafted
    assert "over-sensitive" in load_glossary(folder / "glossary.txt")


def test_the_address_without_its_slash_goes_to_the_page(page, served: Served):  # noqa: F811
    page.goto(served.url.rstrip("/"))
    page.wait_for_function("document.documentElement.dataset.editReady === '1'")
    assert page.url == served.url
    page.wait_for_function("document.getElementById('player').readyState >= 1")
    assert page.evaluate("document.getElementById('player').error") is None  # the video loads


def test_two_tabs_on_one_draft_keep_their_own_unsaved_edits(browser, served: Served):  # noqa: F811
    context = browser.new_context()
    one, two = context.new_page(), context.new_page()
    for tab in (one, two):
        tab.on("dialog", lambda box: box.accept())  # "Leave site?" on reload: yes
        open_served(tab, served)
    edit_heading(one, 2, "Heading from the first tab")
    edit_heading(two, 3, "Heading from the second tab")
    one.reload()
    one.wait_for_function("document.documentElement.dataset.editReady === '1'")
    sync_api.expect(one.locator("#pending")).to_have_text("1")
    sync_api.expect(one.locator("#section-2 h2")).to_have_text("Heading from the first tab")
    sync_api.expect(one.locator("#section-3 h2")).not_to_have_text("Heading from the second tab")
    context.close()


def test_save_takes_the_text_typed_in_an_editor_still_open(page, served: Served, folder: Path):  # noqa: F811
    open_served(page, served)
    edit_heading(page, 2, "Which pain ketamine helps")
    page.locator("#section-3 [data-act=heading]").click()
    page.fill("#section-3 .inline-edit input", "How ketamine eases pain")  # typed, Done not pressed
    save(page)
    headings = [s["heading"] for s in json.loads((folder / "draft.json").read_text())["sections"]]
    assert headings[1:3] == ["Which pain ketamine helps", "How ketamine eases pain"]


def test_an_emptied_heading_says_why_and_stays_open_and_enter_gives_the_focus_back(page, served: Served):  # noqa: F811
    open_served(page, served)
    page.locator("#section-2 [data-act=heading]").click()
    page.fill("#section-2 .inline-edit input", "   ")
    page.keyboard.press("Enter")
    sync_api.expect(page.locator("#edit-status")).to_contain_text("A heading needs words")
    assert page.locator("#section-2 .inline-edit").count() == 1
    page.fill("#section-2 .inline-edit input", "Which pain ketamine helps")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.dataset.act") == "heading"  # back where the keyboard was
    sync_api.expect(page.locator("#pending")).to_have_text("1")


def test_a_long_word_in_a_heading_wraps_on_a_phone(browser, served: Served):  # noqa: F811
    context = browser.new_context(viewport=PHONE["viewport"], has_touch=True)  # no zooming out to fit
    phone = context.new_page()
    open_served(phone, served)
    phone.locator("#section-2 [data-act=heading]").tap()
    phone.fill("#section-2 .inline-edit input", "About electroencephalography")
    phone.keyboard.press("Enter")
    sync_api.expect(phone.locator("#section-2 h2")).to_have_text("About electroencephalography")
    assert phone.evaluate("document.scrollingElement.scrollWidth") <= PHONE["viewport"]["width"]
    assert phone.evaluate("(h => h.scrollWidth <= h.clientWidth)(document.querySelector('#section-2 h2'))")
    context.close()


def first_section(page, paragraphs: str) -> int:  # noqa: F811
    """The number of the first section whose count of paragraphs is ``paragraphs`` ("=== 1", "> 1"); 0
    where none is."""
    return page.evaluate(
        "Array.from(document.querySelectorAll('section.section')).findIndex("
        f"s => s.querySelectorAll('.para').length {paragraphs}) + 1"
    )


def test_the_only_paragraph_of_a_section_cannot_be_emptied(page, served: Served):  # noqa: F811
    open_served(page, served)
    k = first_section(page, "=== 1")
    assert k > 0, "the sample has a section of one paragraph"
    page.locator(f"#section-{k} [data-act=paragraph]").click()
    page.fill(f"#section-{k} .inline-edit textarea", "")
    page.keyboard.press("Control+Enter")
    sync_api.expect(page.locator("#edit-status")).to_contain_text("A section needs some text")
    assert page.locator(f"#section-{k} .inline-edit").count() == 1
    sync_api.expect(page.locator("#pending")).to_have_text("0")


def test_a_word_is_checked_and_fixed_by_keyboard_alone(page, served: Served, folder: Path):  # noqa: F811
    """Tab reaches the words to check, Enter opens the card with the focus in it, Enter fixes, and the
    focus comes back to the word; Esc closes the card back to its word; the arrows go word by word."""
    open_served(page, served)
    first = page.locator(".draft .w.low").first
    said = first.inner_text()
    for _ in range(120):  # bounded: Tab until the first word to check has the focus
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.matches('.draft .w.low')"):
            break
    assert page.evaluate("document.activeElement.textContent") == said
    focused = page.locator(".draft .w.low:focus")
    sync_api.expect(focused).to_have_accessible_name(said)  # its name is the word; why it is unsure, apart
    sync_api.expect(focused).to_have_accessible_description(re.compile("Unsure"))
    page.keyboard.press("Enter")
    sync_api.expect(page.locator("#word-card")).to_be_visible()
    assert page.evaluate("document.activeElement.id") == "fix-text"
    page.keyboard.press("Escape")
    sync_api.expect(page.locator("#word-card")).to_be_hidden()
    assert page.evaluate("document.activeElement.textContent") == said  # back on its word
    page.keyboard.press("ArrowRight")
    after = page.evaluate("document.activeElement.textContent")
    assert page.evaluate("document.activeElement.matches('.draft .w')") and after != said
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("Enter")
    page.keyboard.press("Control+A")
    page.keyboard.type("spelled-by-keys")
    page.keyboard.press("Enter")
    sync_api.expect(page.locator("#pending")).to_have_text("1")
    assert page.evaluate("document.activeElement.textContent").lower() == "spelled-by-keys"  # as it was cased


@pytest.fixture
def offered(folder: Path) -> Iterator[Served]:
    """The review server on a copy whose second section offers other headings (the sample's sections are
    all asked aloud, and its greeting is offered none: a generated heading's choices, as a monologue has)."""
    path = folder / "draft.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["sections"][1]["suggestions"] = [
        {"text": "How does ketamine help pain?", "source": "generated", "note": ""},
        {"text": "What is ketamine?", "source": "generated", "note": ""},
    ]
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")
    server = start([str(COMMAND), "review", str(folder), "--no-browser"])
    yield server
    server.stop()


def test_browsing_other_headings_with_the_arrow_keys_applies_only_the_one_chosen(page, offered: Served):  # noqa: F811
    open_served(page, offered)
    select = page.locator("select[data-act=pick]").first
    section = select.locator("xpath=ancestor::section[1]")
    before = section.locator("h2").inner_text()
    select.focus()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    sync_api.expect(page.locator("#pending")).to_have_text("0")  # browsing is no edit
    assert section.locator("h2").inner_text() == before
    page.keyboard.press("Enter")
    sync_api.expect(page.locator("#pending")).to_have_text("1")
    assert section.locator("h2").inner_text() != before


def test_the_clock_is_not_read_out_and_the_spelling_field_keeps_its_name_on_a_phone(browser, served: Served):  # noqa: F811
    context = browser.new_context(**PHONE)
    phone = context.new_page()
    open_served(phone, served)
    clock = phone.locator("#clock")
    assert clock.evaluate("e => e.tagName") == "SPAN" and clock.evaluate(
        "e => !e.closest('[aria-live=polite], output')"
    )
    phone.locator(".draft .w.low").first.tap()
    sync_api.expect(phone.get_by_role("textbox", name="Spell it")).to_be_visible()
    context.close()


def test_edits_lost_to_another_tabs_save_are_listed_after_the_reload(browser, served: Served):  # noqa: F811
    """Tab A's unsaved edit, then tab B saves, then A reloads (as the refused Save advises): A's edit no
    longer fits the draft, and was dropped without a word; now its text is listed to make again."""
    context = browser.new_context()
    a, b = context.new_page(), context.new_page()
    a.on("dialog", lambda box: box.accept())
    open_served(a, served)
    edit_paragraph(a, 3, "Tab A's own rewording of this paragraph.")
    open_served(b, served)
    edit_heading(b, 2, "Tab B's heading")
    save(b)
    a.click("#save")
    sync_api.expect(a.locator("#edit-status")).to_contain_text("changed since")
    a.reload()
    a.wait_for_function("document.documentElement.dataset.editReady === '1'")
    orphans = a.locator("#orphans")
    sync_api.expect(orphans).to_be_visible()
    sync_api.expect(orphans).to_contain_text(
        "Section 3, paragraph 1: Tab A's own rewording of this paragraph."
    )
    sync_api.expect(a.locator("#section-2 h2")).to_have_text("Tab B's heading")
    orphans.get_by_role("button", name="Dismiss").click()
    a.reload()
    a.wait_for_function("document.documentElement.dataset.editReady === '1'")
    assert a.locator("#orphans").is_hidden()
    context.close()


def test_an_edit_made_while_a_save_is_under_way_is_kept_for_the_next(page, served: Served, folder: Path):  # noqa: F811
    held = []
    page.route("**/api/save", lambda route: held.append(route))  # the reply waits (a slow disk)
    open_served(page, served)
    edit_heading(page, 2, "Saved first")
    page.click("#save")
    page.wait_for_function("document.getElementById('edit-status').textContent.indexOf('Saving') === 0")
    assert page.locator("#undo").is_disabled()  # what the Save sent cannot be undone under it
    page.locator("h1").click()
    page.keyboard.press("Control+z")
    sync_api.expect(page.locator("#section-2 h2")).to_have_text("Saved first")
    edit_heading(page, 3, "Made while saving")
    assert page.locator("#save").is_disabled()  # one save at a time
    sync_api.expect(page.locator("#edit-status")).to_contain_text("Saving")
    row = page.locator("#section-4 .para").first  # an editor left open, text typed, as the reply comes
    row.locator("[data-act=paragraph]").click()
    row.locator("textarea").fill("Typed while the save was under way.")
    held[0].continue_()
    page.unroute("**/api/save")
    page.wait_for_function(
        "document.documentElement.dataset.editReady === '1' && document.readyState === 'complete'"
    )
    sync_api.expect(page.locator("#section-3 h2")).to_have_text("Made while saving", timeout=30_000)
    sync_api.expect(page.locator("#section-4 .para p").first).to_have_text(
        "Typed while the save was under way."
    )
    sync_api.expect(page.locator("#pending")).to_have_text("2")
    sync_api.expect(page.locator("#edit-status")).to_contain_text(
        "Saved"
    )  # beside "2 unsaved edits ... back"
    headings = [s["heading"] for s in json.loads((folder / "draft.json").read_text())["sections"]]
    assert headings[1] == "Saved first" and headings[2] != "Made while saving"
    save(page)
    assert json.loads((folder / "draft.json").read_text())["sections"][2]["heading"] == "Made while saving"


def test_a_save_made_just_before_the_server_stopped_says_so(page, served: Served, folder: Path):  # noqa: F811
    held = []
    open_served(page, served)
    page.route("**/api/state", lambda route: route.abort())  # the server is gone once the save is made
    page.route("**/api/save", lambda route: held.append(route))
    edit_heading(page, 2, "Saved as the server stopped")
    page.click("#save")
    page.wait_for_function("document.getElementById('edit-status').textContent.indexOf('Saving') === 0")
    edit_heading(page, 3, "Made while it stopped")
    held[0].continue_()
    status = page.locator("#edit-status")
    sync_api.expect(status).to_contain_text("Saved", timeout=30_000)
    sync_api.expect(status).to_contain_text("has stopped since")
    headings = [s["heading"] for s in json.loads((folder / "draft.json").read_text())["sections"]]
    assert headings[1] == "Saved as the server stopped" and headings[2] != "Made while it stopped"
    sync_api.expect(page.locator("#pending")).to_have_text("1")  # the edit made meanwhile, still to save
    sync_api.expect(page.locator("#section-3 h2")).to_have_text("Made while it stopped")


def test_player_keys_turned_off_stay_off_in_another_folders_page(page, served: Served, folder: Path):  # noqa: F811
    """Each draft folder has a port of its own, so local storage kept the choice for one folder only: a
    speech-input user had to turn the keys off in every draft."""
    open_served(page, served)
    page.get_by_role("checkbox", name=re.compile("Use the player keys")).uncheck()
    other = folder.parent / f"{folder.name}-other"
    shutil.copytree(folder, other)
    second = start([str(COMMAND), "review", str(other), "--no-browser"])
    try:
        assert second.port != served.port
        open_served(page, second)
        keys = page.get_by_role("checkbox", name=re.compile("Use the player keys"))
        assert not keys.is_checked()
        keys.check()  # on again, in the other folder's page: on in the first folder's too
        open_served(page, served)
        assert page.get_by_role("checkbox", name=re.compile("Use the player keys")).is_checked()
    finally:
        second.stop()
        shutil.rmtree(other, ignore_errors=True)


def test_the_player_offers_the_drafts_captions(page, served: Served, folder: Path):  # noqa: F811
    """A deaf editor checks the draft against the talk by its captions: the player carries captions.vtt,
    labelled with the draft's language (WCAG 1.2.2)."""
    open_served(page, served)
    track = page.locator("#player track")
    sync_api.expect(track).to_have_attribute("kind", "captions")
    sync_api.expect(track).to_have_attribute("srclang", "en")
    sync_api.expect(track).to_have_attribute("label", "Captions")
    page.evaluate("document.getElementById('player').textTracks[0].mode = 'hidden'")  # loads its cues
    cues = "(document.getElementById('player').textTracks[0].cues || []).length"
    for _ in range(100):  # bounded: the cues load in the background (no polling script: the page's CSP)
        if page.evaluate(cues):
            break
        page.wait_for_timeout(200)
    first = page.evaluate("document.getElementById('player').textTracks[0].cues[0].text")
    assert first and first in (folder / "captions.vtt").read_text(encoding="utf-8")


def test_a_heading_is_named_by_its_words_alone(page, served: Served):  # noqa: F811
    """An unsure word in a heading tells why in its description; the heading (and its section, which it
    names) is read as its words, not "How: Unsure: 54% confidence; ... does ketamine work"."""
    open_served(page, served)
    headings = page.locator("section.section h2:has(.w.low)")
    assert headings.count() > 0, "the sample has a heading with a word to check"
    heading = headings.first
    words = " ".join(heading.inner_text().split())
    sync_api.expect(heading).to_have_accessible_name(words)
    section = page.locator("section.section:has(h2 .w.low)").first
    sync_api.expect(section).to_have_accessible_name(words)


def test_on_a_phone_the_focus_is_never_hidden_under_the_panel_or_the_word_card(browser, served: Served):  # noqa: F811
    """Tabbing on with the word card open, or opening a paragraph's editor, keeps the focused control
    between the pinned panel and the card (WCAG 2.4.11)."""
    context = browser.new_context(viewport=PHONE["viewport"])
    phone = context.new_page()
    open_served(phone, served)
    phone.locator(".draft .w.low").nth(3).focus()
    phone.keyboard.press("Enter")
    sync_api.expect(phone.locator("#word-card")).to_be_visible()
    room = """() => { const e = document.activeElement.getBoundingClientRect();
        const top = document.querySelector('.pane').getBoundingClientRect().bottom;
        const card = document.getElementById('word-card');
        const bottom = card.hidden ? innerHeight : card.getBoundingClientRect().top;
        const inDraft = document.activeElement.closest('.draft') !== null;
        return [e.top >= top - 1 && e.bottom <= bottom + 1, inDraft]; }"""
    checked = 0
    for _ in range(14):  # bounded: the card's own controls, then the draft's
        phone.keyboard.press("Tab")
        phone.wait_for_timeout(100)  # the scroll follows the focus a frame later
        shown, in_draft = phone.evaluate(room)
        if in_draft:
            checked += 1
            assert shown, phone.evaluate("document.activeElement.outerHTML.slice(0, 120)")
    assert checked >= 5
    phone.keyboard.press("Escape")
    edit = phone.locator("#section-3 [data-act=paragraph]").first
    edit.focus()
    phone.keyboard.press("Enter")
    field = phone.locator("#section-3 textarea")
    sync_api.expect(field).to_be_focused()
    phone.wait_for_timeout(100)
    pane, box = phone.locator(".pane").bounding_box(), field.bounding_box()
    assert pane and box and box["y"] >= pane["y"] + pane["height"] - 1  # its first line is not under the pane
    context.close()


@pytest.mark.parametrize("name", ["review", "post"])
def test_the_page_reflows_at_320_pixels(browser, served: Served, folder: Path, name: str):  # noqa: F811
    """No sideways scrolling at 320 CSS pixels (WCAG 1.4.10): the review page with its lead's tag, and the
    post with its stills."""
    context = browser.new_context(viewport={"width": 320, "height": 640})
    narrow = context.new_page()
    if name == "review":
        open_served(narrow, served)
        assert narrow.locator(".draft .tag").count() > 0, "the sample's draft has a tagged heading"
    else:
        narrow.goto((folder / "post.html").as_uri())
        narrow.wait_for_load_state("load")
        assert narrow.locator("img").count() > 0
    assert narrow.evaluate("document.documentElement.scrollWidth") <= 320
    context.close()


def test_emptying_a_paragraph_gives_the_focus_to_the_next_ones_edit_button(page, served: Served):  # noqa: F811
    open_served(page, served)
    k = first_section(page, "> 1")
    assert k > 0, "the sample has a section of several paragraphs"
    second = page.locator(f"#section-{k} .para").nth(1).get_attribute("data-start")
    page.locator(f"#section-{k} [data-act=paragraph]").first.click()
    page.fill(f"#section-{k} .inline-edit textarea", "")
    page.keyboard.press("Control+Enter")
    sync_api.expect(page.locator("#pending")).to_have_text("1")
    focused = page.locator(":focus")
    sync_api.expect(focused).to_have_attribute("data-act", "paragraph")
    assert focused.evaluate("b => b.closest('.para').dataset.start") == second


def test_an_emptied_heading_is_marked_invalid_and_described_by_its_reason(page, served: Served):  # noqa: F811
    open_served(page, served)
    page.locator("#section-2 [data-act=heading]").click()
    field = page.locator("#section-2 .inline-edit input")
    field.fill("")
    page.keyboard.press("Enter")
    sync_api.expect(field).to_have_attribute("aria-invalid", "true")
    sync_api.expect(field).to_have_accessible_description(re.compile("A heading needs words"))
    field.fill("Which pain ketamine helps")
    sync_api.expect(field).not_to_have_attribute("aria-invalid", "true")


def test_section_controls_are_named_by_the_sections_number_after_a_merge_and_a_split(page, served: Served):  # noqa: F811
    open_served(page, served)
    page.locator("#section-3 [data-act=merge]").click()
    for k in range(1, page.locator("section.section").count() + 1):
        group = page.locator(f"#section-{k} .controls")
        if group.count():
            sync_api.expect(group).to_have_attribute("aria-label", f"Section {k}")
    page.locator("#section-2 .para").first.locator(".w[data-s='1']").last.click()
    page.click("#split-here")
    new = page.locator("#section-3")
    sync_api.expect(new.get_by_role("group", name="Section 3")).to_be_visible()
    new.get_by_role("button", name="Edit heading").click()
    field = new.locator(".inline-edit input")
    sync_api.expect(field).to_be_focused()
    sync_api.expect(field).to_have_value("")  # typing writes the heading, not after the placeholder
    assert (field.get_attribute("placeholder") or "").startswith("New section")
