"""The review page in a real browser: Debian's headless Chromium, driven by Playwright.

The sample is drafted the way an editor receives it, the video beside the draft
folder, and the page is opened from file:// (as when unzipped on a laptop).
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import docx
import pytest
from typer.testing import CliRunner

from tests.conftest import SAMPLE, run_ffmpeg
from tests.test_review import UNSURE_WORD, sample_context
from video2blog.cli import app
from video2blog.pipeline.ingest.transcribe import load_glossary
from video2blog.pipeline.serialize import transcript_from_dict
from video2blog.pipeline.text.confidence import unsure_words
from video2blog.pipeline.writers.formats import render_all

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Dialog, Page, Route

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="needs playwright (in the 'test' extra): bash scripts/test.sh installs it"
)

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
UNSURE_BACKGROUND = "rgb(255, 240, 179)"  # --unsure in review.css
MEDIA_SETTLED = "() => { const p = document.getElementById('player'); return p.readyState >= 1 || p.error }"
PLAYER_NEAR = "t => Math.abs(document.getElementById('player').currentTime - t) < 1"
PAUSE_AND_TELL = "() => { const p = document.getElementById('player'); p.pause(); return p.currentTime }"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: bash scripts/test.sh installs it (apt-get install chromium)")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh page that fails the test on any JavaScript error or dialog (an injected alert)."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    tab = context.new_page()
    problems: list[str] = []

    def dialog(box: Dialog) -> None:
        problems.append(f"dialog: {box.message}")
        box.dismiss()

    tab.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    tab.on("dialog", dialog)
    yield tab
    context.close()
    assert not problems


@pytest.fixture(scope="module")
def sample_folder(sample_video: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample video and its draft folder side by side, as zipped and sent to an editor."""
    root = tmp_path_factory.mktemp("sent")
    video = root / sample_video.name
    shutil.copy(sample_video, video)
    glossary = sample_video.parent / "glossary.txt"
    args = ["draft", str(video), "--out", str(root / "draft"), "--glossary", str(glossary)]
    result = CliRunner().invoke(app, args)  # the transcript cache makes reruns fast
    assert result.exit_code == 0, result.output
    return root / "draft"


def open_review(page: Page, html: Path) -> None:
    """Open the page and wait until the player has the media's metadata, or failed to get it."""
    page.goto(html.as_uri())
    page.wait_for_function(MEDIA_SETTLED)


def seek_by_click(page: Page, selector: str) -> tuple[float, float]:
    """Click an element that carries data-t; return (its time, the player's time after), paused."""
    element = page.locator(selector).first
    wanted = float(element.get_attribute("data-t") or "nan")
    element.click()
    page.wait_for_function(PLAYER_NEAR, arg=wanted)
    return wanted, page.evaluate(PAUSE_AND_TELL)


@pytest.mark.slow
def test_sample_review_seeks_from_times_and_words(page, sample_folder: Path, tmp_path: Path):
    open_review(page, sample_folder / "review.html")
    assert page.evaluate("document.getElementById('player').error") is None, "Chromium cannot play the sample"
    assert page.get_attribute("#player", "src") == "../ketamine-pain.mp4"
    wanted, now = seek_by_click(page, "#section-3 .para .time")
    assert wanted - 0.05 <= now <= wanted + 1.0
    wanted, now = seek_by_click(page, "#section-4 .para .w >> nth=12")
    assert wanted - 0.05 <= now <= wanted + 1.0
    assert page.locator("#section-4 .w.now").count() == 1
    page.screenshot(path=str(tmp_path / "review.png"))


@pytest.mark.slow
def test_the_page_opened_as_a_file_carries_its_captions(page, sample_folder: Path):
    """A browser lets a page opened as a file load no other file: the captions are in the page itself."""
    open_review(page, sample_folder / "review.html")
    page.evaluate("document.getElementById('player').textTracks[0].mode = 'hidden'")
    cues = "(document.getElementById('player').textTracks[0].cues || []).length"
    page.wait_for_function(cues, timeout=20_000)
    first = page.evaluate("document.getElementById('player').textTracks[0].cues[0].text")
    assert first and first in (sample_folder / "captions.vtt").read_text(encoding="utf-8")


@pytest.mark.slow
def test_sample_unsure_words_are_highlighted(page, sample_folder: Path):
    open_review(page, sample_folder / "review.html")
    transcript = transcript_from_dict(json.loads((sample_folder / "transcript.json").read_text()))
    glossary = load_glossary(SAMPLE.parent / "glossary.txt")
    flagged = unsure_words(transcript, glossary)
    unsure = {f"{w.start:.2f}" for i, w in enumerate(transcript.words) if i in flagged}
    # a glossary correction spans several words and is flagged when any of them was unsure
    low = page.locator(".draft .w.low:not(.corrected)")
    assert low.count() > 0 and {low.nth(i).get_attribute("data-t") for i in range(low.count())} <= unsure
    title = low.first.get_attribute("title")
    assert re.fullmatch(r"Unsure: \d{1,3}% confidence(; .+)?", title)
    sync_api.expect(low.first).to_have_css("background-color", UNSURE_BACKGROUND)
    assert page.locator("#section-1 .tag").inner_text().lower() == "lead: heading not in the post"


@pytest.mark.slow
def test_sample_docx_headings_match_draft_json(sample_folder: Path):
    draft = json.loads((sample_folder / "draft.json").read_text())
    document = docx.Document(str(sample_folder / "post.docx"))
    styles = [(p.style.name if p.style else "", p.text) for p in document.paragraphs if p.text]  # no stills
    headings = [s["heading"] for s in draft["sections"] if not s["lead"]]  # the lead shows no heading
    assert draft["byline"] and styles[1] == ("Normal", f"By {draft['byline']}")  # shown on screen
    assert draft["sections"][0]["lead"] and styles[2] == (
        "Normal",
        draft["sections"][0]["paragraphs"][0]["text"],
    )
    assert [text for style, text in styles if style == "Heading 1"] == headings
    assert [text for style, text in styles if style == "Title"] == [draft["title"]]


@pytest.fixture
def audio_review(tmp_path: Path) -> Path:
    """The hand-built draft of test_review (fillers, a correction, hostile text) against a WAV file."""
    audio = tmp_path / "media" / "talk #1.wav"
    audio.parent.mkdir()
    run_ffmpeg("-f", "lavfi", "-i", "sine=frequency=330:duration=30", "-ar", "8000", str(audio))
    out = tmp_path / "draft"
    out.mkdir()
    html = render_all(sample_context(out, str(audio)), ("review",))["review.html"]
    (out / "review.html").write_bytes(html)
    return out / "review.html"


def test_hostile_text_shows_as_text_and_edits_toggle(page, audio_review: Path):
    open_review(page, audio_review)
    assert page.evaluate("document.getElementById('player').tagName") == "AUDIO"
    assert page.evaluate("document.getElementById('player').error") is None
    heading = page.locator("h2", has_text="ketamine").first.inner_text()
    assert '"ketamine" <script>alert(1)</script> &' in heading
    removed = page.locator(".removed")
    assert removed.count() == 5 and not removed.first.is_visible()
    assert not page.locator(".original").first.is_visible()
    page.get_by_label("Removed words & corrections").check()
    assert removed.first.is_visible() and page.locator(".original").first.inner_text() == "keta mean"
    low = page.locator(".w.low", has_text=UNSURE_WORD)
    sync_api.expect(low).to_have_css("background-color", UNSURE_BACKGROUND)
    page.get_by_role("checkbox", name=re.compile("Unsure")).uncheck()
    sync_api.expect(low).to_have_css("background-color", "rgba(0, 0, 0, 0)")  # after the transition


def test_words_and_keyboard_seek_the_audio(page, audio_review: Path):
    open_review(page, audio_review)
    wanted, now = seek_by_click(page, ".w.corrected")
    assert wanted - 0.05 <= now <= wanted + 1.0
    button = page.locator(".para .time").last
    button.focus()
    page.keyboard.press("Enter")
    wanted = float(button.get_attribute("data-t") or "nan")
    page.wait_for_function(PLAYER_NEAR, arg=wanted)
    page.keyboard.press("k")  # pause
    assert page.evaluate("document.getElementById('player').paused")


def test_the_player_keys_can_be_turned_off_and_stay_off(page, audio_review: Path):
    """Single-letter keys would fire on every letter speech input types (WCAG 2.1.4): they can be
    turned off, and the choice is kept across a reload."""
    open_review(page, audio_review)
    keys = page.get_by_role("checkbox", name=re.compile("Use the player keys"))
    keys.uncheck()
    page.locator("h1").click()  # the focus back on the page, as before pressing a key
    page.keyboard.press("l")
    assert page.evaluate("document.getElementById('player').currentTime") == 0
    page.reload()
    page.wait_for_function(MEDIA_SETTLED)
    assert not keys.is_checked()
    keys.check()
    page.locator("h1").click()
    page.keyboard.press("l")
    page.wait_for_function(PLAYER_NEAR, arg=5.0)
    page.set_viewport_size({"width": 700, "height": 450})  # a laptop at 200% zoom: still there
    assert keys.is_visible()


def test_missing_media_says_so_and_the_page_still_works(page, audio_review: Path):
    shutil.rmtree(audio_review.parent.parent / "media")
    open_review(page, audio_review)
    notice = page.locator("#media-error")
    assert notice.is_visible() and "media/talk%20%231.wav" in notice.inner_text()
    button = page.locator(".para .time").last
    button.click()  # no media, but the page still follows: the clock and the word at that time
    sync_api.expect(page.locator("#clock")).to_have_text(button.inner_text())
    assert page.locator(".w.now").count() == 1


def test_a_video_file_with_sound_only_shows_the_controls_alone(page, tmp_path: Path):
    """An .mp4 holding only sound gets the <video> its name promises; it shows the controls alone, not an
    empty black picture."""
    sound = tmp_path / "talk.mp4"
    run_ffmpeg("-f", "lavfi", "-i", "sine=frequency=330:duration=30", "-c:a", "aac", str(sound))
    out = tmp_path / "draft"
    out.mkdir()
    (out / "review.html").write_bytes(render_all(sample_context(out, str(sound)), ("review",))["review.html"])
    open_review(page, out / "review.html")
    player = page.locator("#player")
    assert page.evaluate("document.getElementById('player').tagName") == "VIDEO"
    sync_api.expect(player).to_have_class(re.compile("sound-only"))
    box = player.bounding_box()
    assert box and box["height"] <= 80


# A phone, as the review server serves the page: a finger, no mouse (CSS's hover: none, pointer: coarse).
TOUCH = {"has_touch": True, "is_mobile": True}
FIXED_WORD = "set"  # heard at 32% confidence in the sample, in section 4
# A 390x844 phone at 200% zoom (half as many CSS pixels), and with a 32 px default font (large text).
LARGE_TEXT = pytest.mark.parametrize(("width", "height", "font"), [(195, 422, 0), (390, 844, 32)])
NO_SIDEWAYS = "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
# Whether an element lies whole on the screen with nothing over it (the pinned panel, the word card):
# what is at its middle and a quarter in from two of its corners is the element or inside it.
IN_SIGHT = """el => {
  const r = el.getBoundingClientRect();
  if (!r.width || r.top < 0 || r.left < 0 || r.bottom > innerHeight || r.right > innerWidth) return false;
  const at = (x, y) => document.elementFromPoint(r.left + x * r.width, r.top + y * r.height);
  return [at(0.5, 0.5), at(0.25, 0.25), at(0.75, 0.75)].every(hit => hit && el.contains(hit));
}"""


@pytest.fixture
def served_sample(sample_folder: Path, tmp_path: Path) -> Iterator[str]:
    """The sample's draft folder (a copy) under `video2blog review`: its address, editing controls and all."""
    # imported here, not at the top: test_review_server imports this file
    from tests.test_review_server import COMMAND, start

    folder = sample_folder.parent / f"copy-{tmp_path.name}"
    shutil.copytree(sample_folder, folder)
    server = start([str(COMMAND), "review", str(folder), "--no-browser"])
    yield server.url
    server.stop()
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def phone(browser: Browser) -> Iterator[Callable[..., Page]]:
    """Opens the served page on a touch screen of ``width`` x ``height`` CSS pixels (and a default font of
    ``font`` pixels), ready to edit; fails the test on any JavaScript error."""
    contexts: list[BrowserContext] = []
    problems: list[str] = []

    def open_phone(url: str, width: int, height: int, font: int = 0) -> Page:
        context = browser.new_context(viewport={"width": width, "height": height}, **TOUCH)
        contexts.append(context)
        tab = context.new_page()
        if font:  # the browser's default font size, as a reader with large text sets it
            sizes = {"standard": font, "fixed": font}
            context.new_cdp_session(tab).send("Page.setFontSizes", {"fontSizes": sizes})
        tab.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
        tab.goto(url)
        tab.wait_for_function("document.documentElement.dataset.editReady === '1'")
        return tab

    yield open_phone
    for context in contexts:
        context.close()
    assert not problems


def in_sight(tab: Page, selector: str) -> bool:
    return tab.locator(selector).first.evaluate(IN_SIGHT)


def settled(tab: Page) -> None:
    """Two frames later: the page's own scrolling (requestAnimationFrame) and layout are done."""
    tab.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")


def tap_fixed_word(tab: Page) -> str:
    """Tap the unsure word of section 4, as an editor checking it; the selector of that word."""
    word = f"#section-4 .para .w >> text=/^{FIXED_WORD}$/"
    tab.locator(word).first.tap()
    sync_api.expect(tab.locator("#word-card")).to_be_visible()
    settled(tab)
    return word


@pytest.mark.slow
@pytest.mark.parametrize(("width", "height"), [(375, 667), (320, 568)])
def test_a_still_loading_late_leaves_the_tapped_word_in_view(
    phone, served_sample: str, width: int, height: int
):
    """A phone's page scrolls the tapped word between the pinned panel and the word card; the stills above
    it load lazily, after that, and pushed the word some 190 px down, under the card. A still keeps its
    size before it loads. Here the stills arrive only once the word is in place."""
    tab = phone(served_sample, width, height)
    held: list[Route] = []
    tab.route("**/images/*.jpg", lambda route: held.append(route))
    word = tap_fixed_word(tab)
    assert in_sight(tab, word)
    for still in held:
        still.continue_()
    tab.wait_for_function(
        "n => [...document.images].filter(i => i.complete && i.naturalWidth).length >= n", arg=len(held)
    )
    settled(tab)
    assert held and in_sight(tab, word)


@pytest.mark.slow
@pytest.mark.parametrize(("width", "height", "keyboard"), [(844, 390, 175), (390, 844, 464)])
def test_a_phones_word_card_opens_in_view_and_its_field_stays_there_as_one_types(
    phone, served_sample: str, width: int, height: int, keyboard: int
):
    """A short screen (a laptop at 200% zoom) shows the word card in the panel, not pinned; a phone on its
    side, or with its keyboard open, is as short, and its card opened in the panel scrolled thousands of
    pixels above the word. A touch screen keeps the card as a sheet at the bottom, in view."""
    tab = phone(served_sample, width, height)
    word = tap_fixed_word(tab)
    assert in_sight(tab, "#card-confidence") and in_sight(tab, word)
    tab.locator("#fix-text").tap()
    tab.set_viewport_size({"width": width, "height": keyboard})  # the on-screen keyboard takes the rest
    settled(tab)
    assert in_sight(tab, "#fix-text") and in_sight(tab, word)


@pytest.mark.slow
@LARGE_TEXT
def test_large_text_never_scrolls_the_page_sideways(
    phone, served_sample: str, width: int, height: int, font: int
):
    """At 200% zoom or with a large default font a long word ("comfortable", "oversensitive") was wider than
    its column and the whole page scrolled sideways, the word card with it."""
    tab = phone(served_sample, width, height, font)
    assert tab.evaluate(NO_SIDEWAYS)
    tap_fixed_word(tab)
    assert tab.evaluate(NO_SIDEWAYS)


@pytest.mark.slow
@LARGE_TEXT
def test_large_text_leaves_every_control_of_the_word_card_to_tap(
    phone, served_sample: str, width: int, height: int, font: int
):
    """A narrow card (200% zoom, large text) kept the field and the checkboxes side by side: the field
    shrank to a sliver under the "everywhere it recurs" label, and "add to glossary" was covered. Each is
    whole and uncovered once scrolled to in the card."""
    tab = phone(served_sample, width, height, font)
    tap_fixed_word(tab)
    assert tab.locator("#word-card").evaluate("card => card.scrollWidth <= card.clientWidth")
    controls = [
        "#fix-text",
        "label:has(#fix-everywhere)",
        "label:has(#fix-glossary)",
        "#fix-form [type=submit]",
    ]
    for control in controls:
        tab.locator(control).evaluate("el => el.scrollIntoView({block: 'nearest'})")
        settled(tab)
        assert in_sight(tab, control), control


@pytest.mark.slow
@pytest.mark.parametrize(("width", "height", "touch"), [(390, 664, True), (720, 450, False)])
def test_the_sections_menu_goes_to_the_section_and_closes(
    browser: Browser, served_sample: str, width: int, height: int, touch: bool
):
    """Below 900 px (a phone; a laptop at 200% zoom, with a mouse) the Sections menu is the only way between
    sections: a pick set the address, then the page jumped back to the menu, 3,200 px above the section, and
    on the phone the menu stayed open."""
    context = browser.new_context(viewport={"width": width, "height": height}, **(TOUCH if touch else {}))
    try:
        tab = context.new_page()
        tab.goto(served_sample)
        tab.wait_for_function("document.documentElement.dataset.editReady === '1'")
        menu = tab.locator("details.jump")
        for target in (menu.locator("summary"), menu.get_by_role("link").nth(3)):
            target.tap() if touch else target.click()
        tab.wait_for_function("location.hash === '#section-4'")
        settled(tab)
        assert in_sight(tab, "#section-4 h2")
        assert not menu.evaluate("menu => menu.open")
    finally:
        context.close()


@pytest.mark.slow
def test_at_200_percent_zoom_a_clicked_words_card_opens_in_sight_and_closing_it_goes_back(
    browser: Browser, served_sample: str
):
    """A laptop at 200% zoom (a short window, a mouse) shows the word card in the panel, which is not pinned:
    a click on a word opened it some 1,300 px above, out of sight, so nothing seemed to happen."""
    context = browser.new_context(viewport={"width": 720, "height": 450}, device_scale_factor=2)
    try:
        tab = context.new_page()
        tab.goto(served_sample)
        tab.wait_for_function("document.documentElement.dataset.editReady === '1'")
        word = f"#section-4 .para .w >> text=/^{FIXED_WORD}$/"
        tab.locator(word).first.click()
        sync_api.expect(tab.locator("#word-card")).to_be_visible()
        settled(tab)
        assert in_sight(tab, "#card-confidence") and in_sight(tab, "#fix-form [type=submit]")
        tab.keyboard.press("Escape")
        sync_api.expect(tab.locator("#word-card")).to_be_hidden()
        settled(tab)
        assert in_sight(tab, word)  # back where the editor was reading
    finally:
        context.close()


@pytest.mark.slow
def test_on_a_phone_the_word_cards_buttons_are_in_sight(phone, served_sample: str):
    """On a 390x664 phone the sheet's "Fix word" and "New section from here" lay below the screen, inside the
    sheet's own scroll area, with nothing to show they were there."""
    tab = phone(served_sample, 390, 664)
    tab.locator("#section-3 .para .w[data-s='1']").nth(1).tap()  # a sentence start: a section can start there
    sync_api.expect(tab.locator("#split-here")).to_be_visible()
    settled(tab)
    assert in_sight(tab, "#fix-form [type=submit]") and in_sight(tab, "#split-here")
    assert in_sight(tab, "#fix-text")


@pytest.mark.parametrize(("width", "height"), [(1280, 800), (390, 844)])
def test_the_posts_lines_stay_readable_and_its_stills_as_wide_as_its_text(
    browser: Browser, tmp_path: Path, width: int, height: int
):
    """post.html opened as it is: on a laptop a paragraph ran the whole window (about 170 characters a
    line), and on a phone the browser's figure margins shrank each still inside the text's column."""
    ctx = sample_context()
    ctx = replace(
        ctx, draft=replace(ctx.draft, sections=(replace(ctx.draft.sections[0], image="still.jpg"),))
    )
    (tmp_path / "post.html").write_bytes(render_all(ctx, ("html",))["post.html"])
    run_ffmpeg("-f", "lavfi", "-i", "color=c=gray:s=640x360", "-frames:v", "1", str(tmp_path / "still.jpg"))
    context = browser.new_context(viewport={"width": width, "height": height})
    tab = context.new_page()
    tab.goto((tmp_path / "post.html").as_uri())
    tab.wait_for_function("() => [...document.images].every(i => i.complete && i.naturalWidth)")
    text = tab.evaluate("Math.max(...[...document.querySelectorAll('p')].map(p => p.clientWidth))")
    still = tab.evaluate("document.querySelector('figure').getBoundingClientRect().width")
    column = tab.evaluate("document.querySelector('article').clientWidth")
    context.close()
    assert text <= 42 * 16 and text == column  # 42rem: about 75 characters a line
    assert still == column
