"""A draft folder whose publish.json cannot be read (cut short, a list): it is the folder's only link to
its WordPress post, so a redraft, a batch, a review (and its Save) and a publish refuse it with one line
that names the file and what to do, rather than take it for "never published" and move or duplicate the
live post."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_post_fields import folder  # noqa: F401 (fixture)
from tests.test_review_server import post_save, start
from tools.batch_media import cut_clip
from video2blog.pipeline.editing import store

COMMAND = str(Path(sys.executable).with_name("video2blog"))
BROKEN = ('{"https://clinic.example": {"post_id": 11', '[{"post_id": 11}]')
HELP = "delete it to publish as a new post"


def _run(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [COMMAND, *args], env={**os.environ, **env}, capture_output=True, text=True, timeout=300
    )


def _snapshot(where: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in where.iterdir() if p.is_file()}


def _refused(done: subprocess.CompletedProcess, where: Path) -> None:
    line = done.stderr.strip().splitlines()[-1]
    assert done.returncode != 0, done.stdout
    assert f"{where / 'publish.json'}:" in line and HELP in line and "Traceback" not in done.stderr


@pytest.mark.parametrize("record", BROKEN)
def test_a_redraft_and_a_publish_refuse_a_publish_record_they_cannot_read(
    folder: Path,  # noqa: F811
    record: str,
):
    (folder / "publish.json").write_text(record)
    heard = json.loads((folder / "transcript.json").read_text())
    for word in heard["words"]:  # a corrected word that retitles the post: a new slug, were it not refused
        word["text"] = word["text"].replace("Mardox", "Botox")
    (folder / "transcript.json").write_text(json.dumps(heard))
    before = _snapshot(folder)
    _refused(_run("draft", str(folder / "transcript.json"), "--out", str(folder)), folder)
    assert _snapshot(folder) == before
    site = ("--wordpress", "http://127.0.0.1:9", "--user", "editor")  # never asked: refused before
    _refused(_run("publish", str(folder), *site, VIDEO2BLOG_WP_PASSWORD="x"), folder)
    assert _snapshot(folder) == before


def test_review_refuses_a_publish_record_it_cannot_read_and_so_does_a_save(folder: Path):  # noqa: F811
    (folder / "publish.json").write_text(BROKEN[1])
    before = _snapshot(folder)
    _refused(_run("review", str(folder), "--no-browser"), folder)  # at once, not a page that cannot load
    assert _snapshot(folder) == before
    (folder / "publish.json").unlink()
    served = start([COMMAND, "review", str(folder), "--no-browser"])
    try:  # the record broken while the page is open: the Save refuses it
        (folder / "publish.json").write_text(BROKEN[0])
        before = _snapshot(folder)
        body = {
            "version": store.load(folder).version,
            "edits": [{"op": "title", "text": "Botox for migraine"}],
        }
        status, reply = post_save(served, body)
    finally:
        served.stop()
    assert status == 400 and "publish.json" in reply["error"] and HELP in reply["error"], reply
    assert _snapshot(folder) == before


@pytest.mark.slow
def test_a_batch_fails_only_the_item_whose_publish_record_cannot_be_read(tmp_path: Path):
    inbox, out = tmp_path / "in", tmp_path / "out"
    cut_clip(inbox / "a.mp4", 10, 4, video=False)
    cut_clip(inbox / "b.mp4", 30, 4, video=False)
    cache = {"XDG_CACHE_HOME": str(tmp_path / "cache")}
    assert _run("batch", str(inbox), "--out", str(out), **cache).returncode == 0
    (out / "a" / "publish.json").write_text(BROKEN[0])
    before = _snapshot(out / "a")
    done = _run("batch", str(inbox), "--out", str(out), "--verbatim", **cache)  # new settings: a redraft
    assert done.returncode == 1
    items = {Path(i["output"]).name: i for i in json.loads((out / "batch-report.json").read_text())["items"]}
    assert items["a"]["status"] == "failed" and items["b"]["status"] == "drafted"
    assert f"{out / 'a' / 'publish.json'}:" in items["a"]["error"] and HELP in items["a"]["error"]
    assert _snapshot(out / "a") == before
