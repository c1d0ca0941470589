"""A Save after `video2blog publish` made only a WordPress draft: the address stays, but the note says
the draft is not public (no link can break yet), not that it "was published" under it."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import truth_transcript
from tests.test_review_server import COMMAND, post_save, start
from tests.test_wordpress import publish, site  # noqa: F401 (fixture)
from tests.wordpress_site import Site, missing
from video2blog.pipeline.editing import store
from video2blog.pipeline.run import DraftOptions, published_post, render_draft, write_draft
from video2blog.pipeline.schema import Source

pytestmark = pytest.mark.skipif(bool(missing()), reason=missing())


def _save_title(folder: Path, title: str) -> tuple[str, list[str]]:
    """The review page the installed command serves, and the notes of a Save of a new title there."""
    served = start([str(COMMAND), "review", str(folder), "--no-browser"])
    try:
        with urllib.request.urlopen(served.url, timeout=30) as response:
            page = response.read().decode("utf-8")
        edits = [{"op": "title", "text": title}]
        status, reply = post_save(served, {"version": store.load(folder).version, "edits": edits})
    finally:
        served.stop()
    assert status == 200, reply
    return page, reply["notes"]


def test_a_save_after_a_draft_only_publish_says_the_draft_is_not_public(
    site: Site,  # noqa: F811
    sample_truth: dict,
    tmp_path: Path,
):
    folder = tmp_path / "ketamine"
    source = Source("ketamine-pain.mp4", "ef" * 32, sample_truth["duration"])
    write_draft(render_draft(truth_transcript(sample_truth), source, DraftOptions(date="2026-01-02")), folder)
    assert publish(site, folder).returncode == 0
    slug = store.load(folder).draft.slug
    assert json.loads((folder / "publish.json").read_text())[site.url]["status"] == "draft"
    post = published_post(folder, None, None)  # a redraft's note says the same as a Save's
    assert post is not None and post.drafts == (site.url,)
    page, notes = _save_title(folder, "Ketamine for nerve pain")
    assert f"the draft post on {site.url} has it (not public yet)" in page
    said = next(n for n in notes if f"/{slug}/" in n)
    assert "not public" in said and "published under it" not in said and "break the links" not in said
    assert store.load(folder).draft.slug == slug  # the WordPress draft keeps the address it was sent with
    assert publish(site, folder, "--status", "publish").returncode == 0
    page, _ = _save_title(folder, "Ketamine for nerve pain, answered")  # public now: the links count
    assert f"kept: the post was published under it on {site.url}" in page and "not public yet" not in page
    records = json.loads((folder / "publish.json").read_text())
    records["https://other.example"] = {"post_id": 9, "status": "draft"}  # a draft there, public here
    (folder / "publish.json").write_text(json.dumps(records))
    page, notes = _save_title(folder, "Ketamine for nerve pain: what to know")
    assert "not public yet" not in page and not any("not public" in n for n in notes)
