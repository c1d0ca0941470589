"""The review page's editing controls speak the draft's language: a Spanish draft served by the installed
`video2blog review`, edited in real Chromium at desktop and phone sizes, shows no English fixed string;
an English draft's page keeps its English controls."""

from __future__ import annotations

import http.client
import json
import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from tests.conftest import make_words, run_ffmpeg
from tests.test_browser import browser  # noqa: F401 (fixture)
from tests.test_editing import ALL_FORMATS
from tests.test_review_server import COMMAND, Served, open_served, start
from video2blog.pipeline.output import OutputFolder
from video2blog.pipeline.run import DraftOptions, make_draft
from video2blog.pipeline.schema import Source, Transcript
from video2blog.pipeline.text import locales
from video2blog.pipeline.textutil import messages
from video2blog.pipeline.writers.formats import RenderContext, render_all

sync_api = pytest.importorskip("playwright.sync_api")

TALK = {
    "es": (
        "¿Duele la inyección de la vacuna? El pinchazo de la vacuna dura apenas un segundo y la molestia "
        "desaparece en un día. Los niños se calman enseguida en brazos de sus padres. "
        "¿Es normal tener fiebre después de la vacuna? Sí, una fiebre baja durante uno o dos días es "
        "frecuente. Significa que el sistema inmune está trabajando con la vacuna."
    ),
    "en": (
        "Does the flu shot hurt? The needle of the flu shot takes a second and the soreness goes away in a "
        "day. Children calm down quickly in the arms of their parents. Is a fever after the flu shot "
        "normal? Yes, a low fever for one or two days is common. It means the immune system is working."
    ),
}
UNSURE = {"es": "pinchazo", "en": "needle"}
PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True}
DESKTOP = {"viewport": {"width": 1400, "height": 900}}
# Everything a reader or a screen reader meets: the text shown, and the labels and tips of every element.
PAGE_WORDS = """() => [document.title, document.body.innerText,
  ...Array.from(document.querySelectorAll('[aria-label], [title], option'),
    e => [e.getAttribute('aria-label'), e.getAttribute('title'), e.tagName === 'OPTION' ? e.textContent : '']
  ).flat()].filter(Boolean).join('\\n')"""


def draft_folder(root: Path, language: str) -> Path:
    """A drafted talk in ``language`` beside a real WAV file, one word unsure, as `video2blog draft` leaves
    it."""
    audio = root / "talk.wav"
    run_ffmpeg("-f", "lavfi", "-i", "sine=frequency=330:duration=30", "-ar", "8000", str(audio))
    said = make_words(TALK[language])
    words = tuple(replace(w, probability=0.3) if w.text == UNSURE[language] else w for w in said)
    transcript = locales.split_sentences(Transcript(words=words, language=language, duration=30.0))
    draft = make_draft(transcript, Source(str(audio), "ab" * 32, 30.0), DraftOptions(date="2026-01-02"))
    out = root / "draft"
    output = OutputFolder(out)
    for name, data in render_all(RenderContext(draft, transcript, out_dir=out), ALL_FORMATS).items():
        output.add(name, data)
    output.commit()
    return out


@pytest.fixture(params=["es", "en"])
def served(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, Served]]:
    server = start([str(COMMAND), "review", str(draft_folder(tmp_path, request.param)), "--no-browser"])
    yield request.param, server
    server.stop()


def english_strings() -> list[re.Pattern[str]]:
    """The English catalogue's fixed strings that Spanish writes otherwise, as whole-word patterns."""
    english, spanish = messages("en"), messages("es")
    pieces = {
        p.strip(' .:;·()"%,…')
        for key, text in english.items()
        if text != spanish[key] and key != "locale"
        for p in re.split(r"\{\w+\}", text)
    }
    return [re.compile(rf"\b{re.escape(p)}\b", re.IGNORECASE) for p in sorted(pieces) if len(p) >= 2]


def use_the_editor(tab, touch: bool) -> list[str]:
    """Open the word card and the heading editor, edit a heading, undo: what the page says at each step."""
    press = "tap" if touch else "click"
    seen = []
    getattr(tab.locator(".draft .w.low").first, press)()
    sync_api.expect(tab.locator("#word-card")).to_be_visible()
    seen.append(tab.evaluate(PAGE_WORDS))
    tab.locator("#card-close").click()
    getattr(tab.locator("#section-2 [data-act=heading]"), press)()
    seen.append(tab.evaluate(PAGE_WORDS))  # the inline editor's field and buttons
    tab.fill("#section-2 .inline-edit input", "Fiebre")
    tab.locator("#section-2 .inline-edit button[type=submit]").click()
    sync_api.expect(tab.locator("#pending")).to_have_text("1")
    getattr(tab.locator("#undo"), press)()
    sync_api.expect(tab.locator("#pending")).to_have_text("0")
    seen.append(tab.evaluate(PAGE_WORDS))  # the status line after Undo
    return seen


# Every toggle's words are inside it and inside the panel (a long label ran 80 px past a phone's panel).
TOGGLES_FIT = """[...document.querySelectorAll('.toggles label')].every(label =>
    label.scrollWidth <= label.clientWidth
    && label.getBoundingClientRect().right <= label.closest('.pane-inner').getBoundingClientRect().right)"""


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_the_edit_page_speaks_the_drafts_language(browser, served, size: str):  # noqa: F811
    language, server = served
    context = browser.new_context(**(PHONE if size == "phone" else DESKTOP))
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    open_served(tab, server)
    text = messages(language)
    assert tab.evaluate(TOGGLES_FIT), "a toggle is cut off or runs out of the panel"
    toolbar = tab.get_by_role("group", name=text["editing"])
    sync_api.expect(toolbar.get_by_role("button", name=text["save"])).to_be_visible()
    sync_api.expect(tab.locator("#section-2 [data-act=merge]")).to_have_text(text["merge_previous"])
    seen = use_the_editor(tab, touch=size == "phone")
    assert text["js_undone"] in seen[-1]
    assert text["js_done"] in seen[1] and text["js_cancel"] in seen[1]
    assert text["fix_word"] in seen[0]
    context.close()
    assert not errors
    pages = [re.sub(r"/\S+/talk\.wav", "", page) for page in seen]  # the media's path: /tmp/pytest-of-root/
    found = sorted({m.group(0) for page in pages for p in english_strings() for m in p.finditer(page)})
    if language == "es":
        assert not found, f"English on the Spanish edit page: {found}"
    else:  # the English page keeps its words (and the check above could fail)
        assert {"Save", "Undo", "Edit heading", "Merge into previous", "Done", "Cancel", "Undone"} <= set(
            found
        )


def edit_and_save(tab, heading: str, touch: bool) -> None:
    getattr(tab.locator("#section-2 [data-act=heading]"), "tap" if touch else "click")()
    tab.fill("#section-2 .inline-edit input", heading)
    tab.locator("#section-2 .inline-edit button[type=submit]").click()
    sync_api.expect(tab.locator("#pending")).to_have_text("1")
    tab.locator("#save").click()


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_a_refused_save_says_why_in_the_drafts_language(browser, served, size: str):  # noqa: F811
    """The review server's own error line (here: the draft was saved from another tab) is in the draft's
    language, after the page's "Not saved:"; the English line is the one it always was."""
    language, server = served
    context = browser.new_context(**(PHONE if size == "phone" else DESKTOP))
    first, second = context.new_page(), context.new_page()
    open_served(first, server)
    open_served(second, server)
    text = messages(language)
    edit_and_save(first, "Fiebre", touch=size == "phone")
    sync_api.expect(first.locator("#edit-status")).to_contain_text(text["js_saved"].split("{")[0].strip())
    edit_and_save(second, "Vacuna", touch=size == "phone")
    status = second.locator("#edit-status")
    sync_api.expect(status).to_have_class(re.compile(r"\berror\b"))
    said = status.inner_text()
    sync_api.expect(status).to_be_in_viewport()
    context.close()
    assert said == text["js_not_saved"].format(why=text["error_conflict"])
    found = sorted({m.group(0) for p in english_strings() for m in p.finditer(said)})
    if language == "es":
        assert not found, f"English in the Spanish save error: {found}"
    else:
        assert said == (
            "Not saved: this draft changed since this page was loaded (saved from another tab or window, or "
            "drafted again); reload the page: it shows those changes and lists your edits to make again"
        )


def ask(server: Served, path: str, headers: dict[str, str], body: bytes | None = None) -> tuple[int, str]:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        connection.request("POST" if body is not None else "GET", f"/{server.token}/{path}", body, headers)
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8")
    finally:
        connection.close()


def test_every_refusal_of_the_review_server_is_in_the_drafts_language(served):
    """Refused writes, a request that is not a save, an edit that no longer fits the draft, and an error
    the catalogue does not word: each error line in the draft's language (English ones as they were)."""
    language, server = served
    version = json.loads(ask(server, "api/state", {})[1])["version"]
    origin = {"Origin": f"http://127.0.0.1:{server.port}", "Content-Type": "application/json"}

    def save(edits: object, headers: dict[str, str] = origin) -> tuple[int, str]:
        status, body = ask(
            server, "api/save", headers, json.dumps({"version": version, "edits": edits}).encode()
        )
        return status, json.loads(body)["error"]

    text, english = messages(language), messages("en")
    refused = [
        (save([{"op": "accept", "section": 0}], {"Content-Type": "application/json"}), 403, "error_origin"),
        (
            save([{"op": "accept", "section": 0}], {**origin, "Content-Type": "text/plain"}),
            415,
            "error_json_only",
        ),
        (save([{"op": "accept", "section": 9}]), 400, "error_no_section"),
        (save([{"op": "pick", "section": 0, "text": "Nada"}]), 400, "error_other"),
    ]
    for (status, why), code, key in refused:
        assert status == code, (why, key)
        if language == "es":
            values = {"n": "10", "count": "2", "detail": ""}
            assert why == text[key].format(**values) and not any(p.search(why) for p in english_strings())
        else:
            assert why.startswith(english[key].split("{")[0]) and why
    if language == "en":  # an error the catalogue does not word: its own English line, as before
        assert refused[-1][0][1] == "pick: section 1 has no suggestion 'Nada'"
        assert refused[2][0][1] == "accept: there is no section 10; the draft has 2. Reload the page"
