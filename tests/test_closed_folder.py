"""A draft folder is a closed world: nothing in its own files leads video2blog outside it.

A folder may come from anywhere (zipped and sent, as the README suggests): its journal, manifest
and links are read, never trusted to name paths. Redrafting it from its own transcript, a draft
while the review page is open on it, and a save during a draft each end with one consistent
folder; a failed run leaves no folder it created.
"""

from __future__ import annotations

import errno
import hashlib
import http.client
import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import make_transcript, without_progress
from tests.test_llm import Endpoint, endpoint  # noqa: F401 (fixture)
from tests.test_review_server import Served, post_save, start
from video2blog.pipeline import output
from video2blog.pipeline.editing import store
from video2blog.pipeline.errors import OutputError
from video2blog.pipeline.output import JOURNAL, MANIFEST, OutputFolder, folder_lock
from video2blog.pipeline.run import DraftOptions, draft_file
from video2blog.pipeline.serialize import transcript_to_dict

COMMAND = Path(sys.executable).with_name("video2blog")
TALK = (
    "What is ketamine used for? It treats nerve pain that has lasted for months. "
    "How long does an infusion take? About an hour in the clinic chair, with a nurse beside you."
)
FORMATS = ("--formats", "md,html,json,review")


def cli(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(COMMAND), *map(str, args)], capture_output=True, text=True, timeout=300, cwd=cwd, check=False
    )


@pytest.fixture
def talk(tmp_path: Path) -> Path:
    path = tmp_path / "talk.json"
    path.write_text(json.dumps(transcript_to_dict(make_transcript(TALK))), encoding="utf-8")
    return path


@pytest.fixture
def drafted(tmp_path: Path, talk: Path) -> Path:
    out = tmp_path / "d"
    assert cli("draft", talk, "--out", out, *FORMATS).returncode == 0
    return out


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def one_line(text: str) -> str:
    lines = without_progress(text).strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in text, text
    return lines[0]


def hostile_journal(folder: Path, outside: Path, case: str) -> None:
    """A journal as a received folder may hold: a rename onto a file outside, or draft.json moved out."""
    if case == "overwrite":
        (folder / ".post.md.x1.tmp").write_text("planted\n")
        plan = [[".post.md.x1.tmp", f"../{outside.name}"]]
    else:
        plan = [["draft.json", str(outside.parent / "moved-out.json")]]
    (folder / JOURNAL).write_text(json.dumps(plan))


@pytest.mark.parametrize("case", ["overwrite", "move-out"])
@pytest.mark.parametrize("command", ["draft", "review"])
def test_a_journal_naming_paths_outside_the_folder_is_refused(
    tmp_path: Path, drafted: Path, talk: Path, case: str, command: str
):
    victim = tmp_path / "victim.txt"
    victim.write_text("the user's own file\n")
    hostile_journal(drafted, victim, case)
    args = ("draft", talk, "--out", drafted) if command == "draft" else ("review", drafted, "--no-browser")
    result = cli(*args)
    assert result.returncode != 0
    line = one_line(result.stdout + result.stderr)
    assert JOURNAL in line and "outside the folder" in line
    assert victim.read_text() == "the user's own file\n"
    assert (drafted / "draft.json").is_file() and not (tmp_path / "moved-out.json").exists()


def test_a_link_in_the_folder_does_not_lead_a_write_outside(tmp_path: Path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    folder = tmp_path / "d"
    folder.mkdir()
    (folder / "images").symlink_to(elsewhere)
    out = OutputFolder(folder)
    out.add("post.md", b"text\n")
    out.add("images/01-intro.jpg", b"jpeg")
    with pytest.raises(OutputError, match="images/01-intro.jpg leads outside the folder"):
        out.commit()
    assert list(elsewhere.iterdir()) == [] and not (folder / "post.md").exists()
    (elsewhere / ".x.jpg.abc.tmp").write_text("not the folder's")
    output.recover(folder)  # stale staged files are cleared only in the folder's own subfolders
    assert (elsewhere / ".x.jpg.abc.tmp").exists()


def test_redrafting_a_folder_from_its_own_corrected_transcript_leaves_one_consistent_folder(drafted: Path):
    own = drafted / "transcript.json"
    own.write_text(own.read_text(encoding="utf-8").replace('"ketamine"', '"esketamine"'), encoding="utf-8")
    result = cli("draft", own, "--out", drafted, *FORMATS)
    assert result.returncode == 0, result.stderr
    assert not (drafted / "transcript.new.json").exists() and "kept your edited" not in result.stdout
    manifest = json.loads((drafted / MANIFEST).read_text())
    assert all(sha(drafted / name) == digest for name, digest in manifest.items())
    assert "esketamine" in (drafted / "post.md").read_text() and "esketamine" in own.read_text()


SECRET = "DB_PASSWORD=hunter2-clinic"


def test_a_glossary_linked_out_of_a_received_folder_is_never_read(
    tmp_path: Path,
    drafted: Path,
    talk: Path,
    endpoint: Callable[..., Endpoint],  # noqa: F811
):
    secret = tmp_path / "creds.env"
    secret.write_text(f"{SECRET}\n")
    (drafted / "glossary.txt").symlink_to(secret)
    llm = endpoint()
    redraft = ("draft", talk, "--out", drafted, "--llm", llm.url, "--llm-model", "m", "--no-cache")
    for result in (cli(*redraft), cli("review", drafted, "--no-browser")):
        assert result.returncode != 0
        line = one_line(result.stdout + result.stderr)
        assert "glossary.txt" in line and "leads outside the draft folder" in line and SECRET not in line
    assert llm.bodies == []  # nothing of it went to the language model...
    written = [p for p in drafted.rglob("*") if p.is_file() and not p.is_symlink()]
    assert not any(SECRET in p.read_text(errors="replace") for p in written)  # ...nor into the folder


@pytest.mark.parametrize("name", ["settings.json", "edits.json", "transcript.json", "draft.json"])
def test_a_drafts_own_file_linked_out_of_the_folder_is_refused_by_review(
    tmp_path: Path, drafted: Path, name: str
):
    outside = tmp_path / name
    if (drafted / name).exists():
        (drafted / name).rename(outside)
    else:
        outside.write_text('{"version": 1, "edits": []}')
    (drafted / name).symlink_to(outside)
    result = cli("review", drafted, "--no-browser")
    assert result.returncode != 0
    line = one_line(result.stdout + result.stderr)
    assert name in line and "leads outside the draft folder" in line


def test_publish_sends_no_post_html_that_links_out_of_the_folder(tmp_path: Path, drafted: Path):
    outside = tmp_path / "notes.html"
    outside.write_text(f"<h1>Notes</h1><p>{SECRET}</p>")
    (drafted / "post.html").unlink()
    (drafted / "post.html").symlink_to(outside)
    done = subprocess.run(
        [str(COMMAND), "publish", str(drafted), "--wordpress", "http://127.0.0.1:9", "--user", "editor"],
        env={**os.environ, "VIDEO2BLOG_WP_PASSWORD": "x"},
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode != 0
    line = one_line(done.stdout + done.stderr)
    assert "post.html" in line and "leads outside the draft folder" in line  # not "cannot reach" the site


@pytest.fixture
def served(drafted: Path) -> Iterator[Served]:
    server = start([str(COMMAND), "review", str(drafted), "--no-browser"])
    yield server
    server.stop()


def test_a_save_during_a_draft_is_answered_and_the_drafts_staged_files_are_left_alone(
    drafted: Path, served: Served
):
    version = store.version_of(drafted)
    before = {p.name: sha(p) for p in drafted.iterdir() if p.is_file()}
    staged = drafted / ".draft.json.k2a9.tmp"
    with folder_lock(drafted):  # as a draft holds it while it writes
        staged.write_text("{}")  # what a draft stages before its renames
        connection = http.client.HTTPConnection("127.0.0.1", served.port, timeout=30)
        connection.request("GET", f"/{served.token}/")
        assert connection.getresponse().status == 200  # the page still loads...
        connection.close()
        assert staged.exists()  # ...without clearing the draft's staged file as stale
        edit = {"op": "heading", "section": 0, "text": "Why we use ketamine"}
        status, answer = post_save(served, {"version": version, "edits": [edit]})
    assert status == 409 and "a draft run or a publish is writing into this folder" in answer["error"]
    staged.unlink()
    assert {p.name: sha(p) for p in drafted.iterdir() if p.is_file()} == before
    status, _ = post_save(served, {"version": version, "edits": [edit]})
    assert status == 200  # once the draft has ended, the save goes through


def test_a_failed_draft_leaves_no_folder_it_created(tmp_path: Path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"words": "none"}')
    result = cli("draft", bad, "--out", "child/grandchild/d", cwd=tmp_path)
    assert result.returncode != 0 and "bad.json" in one_line(result.stdout + result.stderr)
    assert not (tmp_path / "child").exists()


def test_a_full_disk_leaves_no_new_folder(tmp_path: Path, talk: Path, monkeypatch: pytest.MonkeyPatch):
    def full(path: Path, data: bytes) -> Path:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(output, "_stage", full)
    out = tmp_path / "new" / "d"
    with pytest.raises(OutputError, match="No space left"):
        draft_file(talk, out, DraftOptions(formats=("md", "json"), date="2026-01-01"))
    assert not (tmp_path / "new").exists()
