"""The claims to check in the review page, in real Chromium (see tests/test_browser.py): the paragraph
is marked, and its reasons show on hover (title) at desktop size and when tapped on a phone."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from typer.testing import CliRunner

from tests.conftest import make_transcript
from tests.test_browser import browser  # noqa: F401  (the fixture, with its skip where Chromium is missing)
from tests.test_claims import TALK
from video2blog.cli import app
from video2blog.pipeline.serialize import transcript_to_dict

if TYPE_CHECKING:
    from playwright.sync_api import Browser

sync_api = pytest.importorskip("playwright.sync_api", reason="needs playwright (in the 'test' extra)")
AFTER = "e => getComputedStyle(e, '::after').content"
REASONS = "Claim to check: absence of risk; comparison with no basis"


@pytest.fixture(scope="module")
def review_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("claims")
    (folder / "talk.json").write_text(json.dumps(transcript_to_dict(make_transcript(TALK))), encoding="utf-8")
    result = CliRunner().invoke(
        app, ["draft", str(folder / "talk.json"), "-o", str(folder / "d"), "--formats", "review"]
    )
    assert result.exit_code == 0, result.output
    return folder / "d" / "review.html"


@pytest.mark.parametrize(("width", "height", "touch"), [(1400, 900, False), (390, 844, True)])
def test_a_claim_is_marked_with_its_reasons_on_hover_and_tap(
    browser: Browser,  # noqa: F811
    review_page: Path,
    width: int,
    height: int,
    touch: bool,
):
    context = browser.new_context(viewport={"width": width, "height": height}, has_touch=touch)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto(review_page.as_uri())
        claim = page.locator(".draft p.claim")
        assert claim.count() == 1 and "no side effects" in claim.inner_text()
        assert claim.get_attribute("title") == REASONS
        assert page.locator(".draft p:not(.claim)").count() >= 1
        sync_api.expect(claim).to_have_css("border-left-style", "solid")
        assert REASONS not in (claim.evaluate(AFTER) or "")  # shown only on demand
        if touch:
            claim.tap()
        else:
            claim.hover()
            claim.focus()
        assert REASONS in claim.evaluate(AFTER)
        assert claim.bounding_box()["width"] <= width  # the reasons fit the phone's screen
    finally:
        context.close()
    assert not errors
