"""The review page's editing controls speak the draft's language: a Spanish draft served by the installed
`video2blog review`, edited in real Chromium at desktop and phone sizes, shows no English fixed string;
an English draft's page keeps its English controls."""

from __future__ import annotations

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


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_the_edit_page_speaks_the_drafts_language(browser, served, size: str):  # noqa: F811
    language, server = served
    context = browser.new_context(**(PHONE if size == "phone" else DESKTOP))
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    open_served(tab, server)
    text = messages(language)
    toolbar = tab.get_by_role("group", name=text["editing"])
    sync_api.expect(toolbar.get_by_role("button", name=text["save"])).to_be_visible()
    sync_api.expect(tab.locator("#section-2 [data-act=merge]")).to_have_text(text["merge_previous"])
    seen = use_the_editor(tab, touch=size == "phone")
    assert text["js_undone"] in seen[-1]
    assert text["js_done"] in seen[1] and text["js_cancel"] in seen[1]
    assert text["fix_word"] in seen[0]
    context.close()
    assert not errors
    found = sorted({m.group(0) for page in seen for p in english_strings() for m in p.finditer(page)})
    if language == "es":
        assert not found, f"English on the Spanish edit page: {found}"
    else:  # the English page keeps its words (and the check above could fail)
        assert {"Save", "Undo", "Edit heading", "Merge into previous", "Done", "Cancel", "Undone"} <= set(
            found
        )
