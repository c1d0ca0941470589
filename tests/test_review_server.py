"""`video2blog review` as an editor uses it: the installed command serving the real page, driven in
Chromium with Playwright; edits saved to disk; a server killed mid-save; a phone; a pty and a pipe."""

from __future__ import annotations

import http.client
import io
import json
import os
import pty
import re
import select
import shutil
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import docx
import pytest

from tests.conftest import run_ffmpeg
from tests.test_browser import CHROMIUM, CHROMIUM_ARGS, browser, page  # noqa: F401 (fixtures)
from tests.test_editing import ALL_FORMATS
from tests.test_review import UNSURE_WORD, sample_context
from video2blog.pipeline.editing import store
from video2blog.pipeline.editing.edits import Edit
from video2blog.pipeline.output import OutputFolder
from video2blog.pipeline.writers.formats import render_all

sync_api = pytest.importorskip("playwright.sync_api")

COMMAND = Path(sys.executable).with_name("video2blog")
URL = re.compile(rb"http://127\.0\.0\.1:(\d+)/([\w-]+)/")
START_SECONDS = 60
NEW_HEADING = "Why we use ketamine"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """The hand-built sample's draft folder beside a real WAV file, as `video2blog draft` leaves it."""
    audio = tmp_path / "talk.wav"
    run_ffmpeg("-f", "lavfi", "-i", "sine=frequency=330:duration=30", "-ar", "8000", str(audio))
    out = tmp_path / "draft"
    output = OutputFolder(out)
    for name, data in render_all(sample_context(out, str(audio)), ALL_FORMATS).items():
        output.add(name, data)
    output.commit()
    return out


class Served:
    """A `video2blog review` process and the address it printed."""

    def __init__(self, process: subprocess.Popen, url: str) -> None:
        self.process, self.url = process, url
        match = URL.match(url.encode())
        assert match
        self.port, self.token = int(match.group(1)), match.group(2).decode()

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                return self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
        return self.process.wait(timeout=20)


def read_url(fd: int, deadline: float) -> tuple[str, bytes]:
    """Read the process's output until it prints the page's address (bounded by ``deadline``)."""
    seen = b""
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:  # a pty reads EIO once the process is gone
                chunk = b""
            if not chunk:
                break
            seen += chunk
            match = URL.search(seen)
            if match:
                return match.group().decode(), seen
    raise AssertionError(f"no address printed: {seen!r}")


def start(args: list[str], **kwargs: object) -> Served:
    process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, **kwargs)  # type: ignore[call-overload]
    assert process.stdout is not None
    try:
        url, _ = read_url(process.stdout.fileno(), time.monotonic() + START_SECONDS)
    except BaseException:
        process.kill()
        raise
    return Served(process, url)


@pytest.fixture
def served(folder: Path) -> Iterator[Served]:
    server = start([str(COMMAND), "review", str(folder), "--no-browser"])
    yield server
    server.stop()


def post_save(served: Served, body: dict) -> tuple[int, dict]:
    connection = http.client.HTTPConnection("127.0.0.1", served.port, timeout=30)
    headers = {"Content-Type": "application/json", "Origin": f"http://127.0.0.1:{served.port}"}
    try:
        connection.request("POST", f"/{served.token}/api/save", json.dumps(body).encode(), headers)
        response = connection.getresponse()
        return response.status, json.loads(response.read() or b"{}")
    finally:
        connection.close()


def saved_by_server(folder: Path, edits: list[dict]) -> tuple[int, dict]:
    """The reply to a Save of ``edits`` (at the folder's version) made through the installed command's
    review server, started for it and stopped after."""
    served = start([str(COMMAND), "review", str(folder), "--no-browser"])
    try:
        return post_save(served, {"version": store.load(folder).version, "edits": edits})
    finally:
        served.stop()


def open_served(page, served: Served) -> None:  # noqa: F811
    page.goto(served.url)
    page.wait_for_function("document.documentElement.dataset.editReady === '1'")


def fix_word(page, word: str, spelling: str) -> None:  # noqa: F811
    page.locator(".draft .w", has_text=word).first.click()
    card = page.locator("#word-card")
    sync_api.expect(card).to_be_visible()
    page.fill("#fix-text", spelling)
    card.get_by_role("button", name="Fix word").click()


def edit_heading(page, section: int, text: str) -> None:  # noqa: F811
    page.locator(f"#section-{section} [data-act=heading]").click()
    page.fill(f"#section-{section} .inline-edit input", text)
    page.locator(f"#section-{section} .inline-edit").get_by_role("button", name="Done").click()


def test_edit_a_heading_and_a_word_save_and_find_them_on_disk(page, served: Served, folder: Path):  # noqa: F811
    open_served(page, served)
    assert page.evaluate("document.getElementById('player').tagName") == "AUDIO"
    assert page.evaluate("document.getElementById('player').error") is None  # the media is served
    edit_heading(page, 2, NEW_HEADING)
    fix_word(page, UNSURE_WORD, "anesthetic")
    sync_api.expect(page.locator("#pending")).to_have_text("2")
    sync_api.expect(page.locator("#section-2 h2")).to_have_text(NEW_HEADING)
    page.click("#save")
    sync_api.expect(page.locator("#edit-status")).to_contain_text("Saved")  # after the reload
    sync_api.expect(page.locator("#section-2 h2")).to_have_text(NEW_HEADING)
    assert page.locator(".draft .w", has_text="anesthetic").count() == 1
    assert f"## {NEW_HEADING}" in (folder / "post.md").read_text()
    assert "an anesthetic used" in (folder / "post.md").read_text()
    draft = json.loads((folder / "draft.json").read_text())
    assert draft["sections"][1]["heading"] == NEW_HEADING
    assert draft["sections"][1]["heading_source"] == "edited"
    document = docx.Document(str(folder / "post.docx"))
    assert NEW_HEADING in [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    record = json.loads((folder / "edits.json").read_text())
    assert {"word": 22, "heard": UNSURE_WORD, "text": "anesthetic"} in record["words"]
    page.reload()  # a reload shows the saved state
    page.wait_for_function("document.documentElement.dataset.editReady === '1'")
    sync_api.expect(page.locator("#section-2 h2")).to_have_text(NEW_HEADING)


def test_undo_merge_split_and_accept_in_the_page(page, served: Served, folder: Path):  # noqa: F811
    open_served(page, served)
    before = page.locator("section.section").count()
    page.locator("#section-2 [data-act=merge]").click()
    assert page.locator("section.section").count() == before - 1
    page.click("#undo")
    assert page.locator("section.section").count() == before
    sync_api.expect(page.locator("#pending")).to_have_text("0")
    page.locator("#section-1 [data-act=accept]").click()
    page.locator(".draft .w[data-i='42']").click()  # "Each", which starts the last sentence
    page.click("#split-here")
    assert page.locator("section.section").count() == before + 1
    page.click("#save")
    sync_api.expect(page.locator("#edit-status")).to_contain_text("Saved")
    draft = json.loads((folder / "draft.json").read_text())
    assert len(draft["sections"]) == before + 1 and draft["sections"][0]["heading_source"] == "edited"
    assert draft["sections"][-1]["paragraphs"][0]["text"].startswith("Each infusion")
    assert page.locator("section.section").count() == before + 1


def test_undoing_the_last_edit_by_the_undo_button_keeps_the_focus_on_the_page(page, served: Served):  # noqa: F811
    """Undo, pressed from the keyboard on the last edit, is disabled under the focus: the focus fell to the
    page's body (a screen reader said nothing) instead of the nearest control left."""
    open_served(page, served)
    edit_heading(page, 1, NEW_HEADING)
    page.locator("#undo").focus()
    page.keyboard.press("Enter")
    sync_api.expect(page.locator("#undo")).to_be_disabled()
    assert page.evaluate("document.activeElement.matches('.draft h1, .draft h2')")


def test_a_save_the_server_fails_says_it_failed_not_that_it_cannot_be_reached(page, served: Served):  # noqa: F811
    """A Save answered by a page that is not the server's JSON (a proxy's error page, a crash) was reported as
    "the review server cannot be reached", blaming the wrong thing."""
    open_served(page, served)
    page.route(
        "**/api/save",
        lambda route: route.fulfill(status=502, content_type="text/html", body="<h1>Bad Gateway</h1>"),
    )
    edit_heading(page, 1, NEW_HEADING)
    page.click("#save")
    status = page.locator("#edit-status")
    sync_api.expect(status).to_contain_text("the review server failed (HTTP 502)")
    assert "cannot be reached" not in status.inner_text()
    sync_api.expect(page.locator("#pending")).to_have_text("1")  # the edit stays, to save again


def test_a_second_tab_cannot_overwrite_the_first(browser, served: Served, folder: Path):  # noqa: F811
    context = browser.new_context()
    first, second = context.new_page(), context.new_page()
    open_served(first, served)
    open_served(second, served)
    edit_heading(first, 1, "From the first tab")
    first.click("#save")
    sync_api.expect(first.locator("#edit-status")).to_contain_text("Saved")
    edit_heading(second, 1, "From the second tab")
    second.click("#save")
    sync_api.expect(second.locator("#edit-status")).to_contain_text("another tab")
    assert json.loads((folder / "draft.json").read_text())["sections"][0]["heading"] == "From the first tab"
    context.close()


def test_the_static_page_has_no_editing_controls(page, folder: Path):  # noqa: F811
    page.goto((folder / "review.html").as_uri())
    assert page.locator("[data-act], #save, #fix-form").count() == 0
    page.locator(".draft .w", has_text=UNSURE_WORD).click()  # the confidence still shows on tap
    sync_api.expect(page.locator("#card-confidence")).to_contain_text("31% confidence")


def test_phone_has_a_section_menu_big_targets_and_confidence_on_tap(browser, served: Served):  # noqa: F811
    context = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True)
    phone = context.new_page()
    open_served(phone, served)
    menu = phone.locator("details.jump")
    sync_api.expect(menu).to_be_visible()
    menu.locator("summary").tap()
    menu.get_by_role("link").nth(1).tap()
    phone.wait_for_function("location.hash === '#section-2'")
    for selector in (".time", ".btn", ".jump summary", ".jump a", ".toggles label"):
        found = phone.locator(selector)
        boxes = [found.nth(i).bounding_box() for i in range(found.count())]
        shown = [b for b in boxes if b and b["width"] and b["height"]]
        assert shown and all(b["height"] >= 44 and b["width"] >= 44 for b in shown), selector
    phone.locator(".draft .w", has_text=UNSURE_WORD).tap()
    sync_api.expect(phone.locator("#card-confidence")).to_contain_text("31% confidence")
    context.close()


KILLER = textwrap.dedent(
    """
    import os, signal, sys
    from pathlib import Path
    import video2blog.pipeline.output as output
    from video2blog.pipeline.editing.server import serve_review

    calls, kill_at, real = [0], int(sys.argv[2]), os.replace
    def replace(src, dst):
        calls[0] += 1
        if calls[0] == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)
        real(src, dst)
    output.os.replace = replace
    serve_review(Path(sys.argv[1]), open_browser=False, ready=lambda url: print(url, flush=True))
    """
)


def snapshot(folder: Path) -> dict[str, object]:
    """Each visible file's content (post.docx as its text, which is what a mix would break)."""
    out: dict[str, object] = {}
    for path in sorted(folder.iterdir()):
        if path.name.startswith("."):
            continue
        if path.suffix == ".docx":
            out[path.name] = [p.text for p in docx.Document(io.BytesIO(path.read_bytes())).paragraphs]
        else:
            out[path.name] = path.read_bytes()
    return out


@pytest.mark.parametrize("kill_at", [1, 2, 5])  # before the journal is in place, just after, mid-renames
def test_a_server_killed_mid_save_leaves_the_old_draft_or_the_new(folder: Path, tmp_path: Path, kill_at):
    edits = [{"op": "heading", "section": 1, "text": NEW_HEADING}]
    expected = tmp_path / "expected"
    shutil.copytree(folder, expected, symlinks=True)
    old = snapshot(folder)
    store.save(expected, [Edit("heading", section=1, text=NEW_HEADING)], store.load(expected).version, None)
    new = snapshot(expected)
    server = start([sys.executable, "-c", KILLER, str(folder), str(kill_at)])
    try:
        with pytest.raises((ConnectionError, http.client.HTTPException)):
            post_save(server, {"version": store.load(folder).version, "edits": edits})
        assert server.process.wait(timeout=30) == -signal.SIGKILL
    finally:
        server.stop()
    store.load(folder)  # the next look at the folder finishes (or drops) the interrupted save
    after = snapshot(folder)
    assert after in (old, new)
    assert (after == new) == (kill_at > 1)  # once the journal is written, the save goes through
    assert not list(folder.glob(".*.tmp"))


def test_the_installed_command_in_a_pty_prints_the_address_and_serves(folder: Path):
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [str(COMMAND), "review", str(folder), "--no-browser", "--port", "0"],
        stdin=follower,
        stdout=follower,
        stderr=follower,
        close_fds=True,
    )
    os.close(follower)
    try:
        url, _ = read_url(leader, time.monotonic() + START_SECONDS)
        served = Served(process, url)
        connection = http.client.HTTPConnection("127.0.0.1", served.port, timeout=10)
        connection.request("GET", f"/{served.token}/")
        assert connection.getresponse().status == 200
        connection.close()
        connection = http.client.HTTPConnection("127.0.0.1", served.port, timeout=10)
        connection.request("GET", "/")
        assert connection.getresponse().status == 403
        connection.close()
        process.send_signal(signal.SIGINT)  # Ctrl-C
        assert process.wait(timeout=20) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
        os.close(leader)


def test_a_save_that_empties_a_sections_only_paragraph_is_refused(folder: Path, served: Served):
    """An older tab or a script goes around the page's check: the server says the same, and writes nothing."""
    draft = store.load(folder).draft
    only = next(i for i, s in enumerate(draft.sections) if len(s.paragraphs) == 1)
    before = {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}
    edit = {"op": "paragraph", "section": only, "paragraph": 0, "text": "   "}
    status, reply = post_save(served, {"version": store.load(folder).version, "edits": [edit]})
    assert status == 400 and reply["error"].startswith(f"paragraph: section {only + 1} needs some text")
    assert "\n" not in reply["error"] and "merge it into the section before" in reply["error"]
    assert {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()} == before


def test_a_save_that_adds_a_term_the_glossary_would_read_as_a_comment_is_refused(
    folder: Path, served: Served
):
    loaded = store.load(folder)
    index, word = next((i, w.text) for i, w in enumerate(loaded.transcript.words) if w.text.isalpha())
    edit = {"op": "word", "word": index, "original": word, "text": f"# {word}", "glossary": True}
    status, reply = post_save(served, {"version": loaded.version, "edits": [edit]})
    assert status == 400 and "cannot go into the glossary" in reply["error"]
    assert store.load(folder).glossary == loaded.glossary and store.load(folder).version == loaded.version


@pytest.mark.parametrize("spelt", ["# {}", "({})"])
def test_a_word_fix_that_adds_punctuation_reads_once_in_the_captions(
    folder: Path, served: Served, spelt: str
):
    loaded = store.load(folder)
    index, word = next((i, w.text) for i, w in enumerate(loaded.transcript.words) if w.text.isalpha())
    fixed = spelt.format(word)
    edit = {"op": "word", "word": index, "original": word, "text": fixed}
    assert post_save(served, {"version": loaded.version, "edits": [edit]})[0] == 200
    for name in ("captions.srt", "captions.vtt"):
        captions = (folder / name).read_text(encoding="utf-8")
        assert fixed in captions and spelt.format(fixed) not in captions, captions


BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


def test_a_saved_title_and_heading_carry_no_control_that_turns_text_backwards(folder: Path, served: Served):
    edits = [
        {"op": "title", "text": "\u202e Ketamine: answers"},
        {"op": "heading", "section": 0, "text": "Why \u2067ketamine\u2069 helps \u202dnow\u202c"},
    ]
    status, reply = post_save(served, {"version": store.load(folder).version, "edits": edits})
    assert status == 200, reply
    for name in ("draft.json", "post.md", "post.html", "edits.json"):
        text = (folder / name).read_text(encoding="utf-8")
        assert not any(c in text for c in BIDI_CONTROLS), name
    draft = store.load(folder).draft
    assert draft.title == "Ketamine: answers" and draft.sections[0].heading == "Why ketamine helps now"


def test_the_installed_command_in_a_pipe_and_its_errors(folder: Path, served: Served, tmp_path: Path):
    merge_first = [{"op": "merge", "section": 0}]
    status, reply = post_save(served, {"version": store.load(folder).version, "edits": merge_first})
    assert status == 400 and "first section" in reply["error"]
    assert served.stop() == 0
    output = served.process.stdout.read().decode()  # type: ignore[union-attr]
    assert "Stopped." in output and "Traceback" not in output
    empty = tmp_path / "empty"
    empty.mkdir()
    result = subprocess.run(
        [str(COMMAND), "review", str(empty), "--no-browser"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 1 and result.stdout == ""
    assert (
        result.stderr.strip() == f"video2blog: error: {empty}: is not a draft folder (no draft.json); "
        "run 'video2blog draft' first"
    )


@pytest.mark.parametrize("language", ["en", "fr"])  # French: no catalogue of its own, English's words
def test_a_page_that_cannot_be_made_says_why_as_a_page(
    folder: Path, language: str, request: pytest.FixtureRequest
):
    """A damaged edits.json: the editor's browser showed raw JSON naming the file twice."""
    import urllib.error
    import urllib.request

    draft = json.loads((folder / "draft.json").read_text(encoding="utf-8"))
    (folder / "draft.json").write_text(json.dumps({**draft, "language": language}), encoding="utf-8")
    served = start([str(COMMAND), "review", str(folder), "--no-browser"])
    request.addfinalizer(served.stop)
    (folder / "edits.json").write_text("{oops", encoding="utf-8")
    with pytest.raises(urllib.error.HTTPError) as failed:
        urllib.request.urlopen(served.url, timeout=30)
    assert failed.value.code == 500 and failed.value.headers.get_content_type() == "text/html"
    shown = failed.value.read().decode("utf-8")
    assert shown.startswith("<!doctype html>") and shown.count("edits.json") == 1
    assert "move it away to start the edits afresh" in shown


def test_a_folder_is_served_on_its_own_port_each_time_and_another_where_that_is_taken(folder: Path):
    """Restarting `review` gave a new random port: a tab's unsaved edits (kept per origin) could not come
    back. The folder's own port is the same each time; a second server on it takes any free one."""
    from video2blog.pipeline.editing.server import FOLDER_PORTS, ReviewServer, folder_port

    first = ReviewServer(folder)  # listening, not serving: server_close() lets the port go
    try:
        assert first.port == folder_port(folder) and FOLDER_PORTS[0] <= first.port < FOLDER_PORTS[1]
        second = ReviewServer(folder)  # the folder's port is taken: any free one
        assert second.port != first.port
        second.httpd.server_close()
    finally:
        first.httpd.server_close()
    again = ReviewServer(folder)
    assert again.port == folder_port(folder)
    again.httpd.server_close()


def test_a_second_review_of_a_folder_says_where_the_first_is_and_a_save_it_blocks_says_so(folder: Path):
    """`review` twice on one folder: the second took another port silently, and a Save refused because the
    other server's Save held the folder said a draft was being written. The second now says where the
    first one is, and the refusal names another Save (or a draft)."""
    from video2blog.pipeline.editing.server import ReviewServer
    from video2blog.pipeline.output import folder_lock

    first = ReviewServer(folder)
    thread = threading.Thread(target=first.serve, daemon=True)
    thread.start()
    try:
        second = ReviewServer(folder)
        assert second.elsewhere == f"http://127.0.0.1:{first.port}/" and second.port != first.port
        second.httpd.server_close()
    finally:
        first.close()
    alone = ReviewServer(folder)
    assert alone.elsewhere == ""
    alone.httpd.server_close()
    loaded = store.load(folder)
    with folder_lock(folder), pytest.raises(store.ConflictError, match="another Save .* reload the page"):
        store.save(folder, [Edit("heading", section=0, text="Welcome")], loaded.version, None)


def test_a_save_a_locked_file_stopped_finishes_when_saved_again_and_no_other_tab_slips_in(
    folder: Path, monkeypatch: pytest.MonkeyPatch
):
    """post.md open in another program stopped the Save after draft.json was replaced: saving again was
    refused as 'changed since', and the reload listed edits already made as lost."""
    import threading
    import types

    from video2blog.pipeline.editing.server import ReviewServer

    server = ReviewServer(folder)
    threading.Thread(target=server.serve, daemon=True).start()
    served = types.SimpleNamespace(port=server.port, token=server.token)
    real = os.replace

    def locked(src: object, dst: object) -> None:
        if str(dst).endswith("post.md"):
            raise PermissionError(13, "Permission denied")
        real(src, dst)  # type: ignore[arg-type]

    try:
        version = store.load(folder).version
        mine = {"version": version, "edits": [{"op": "heading", "section": 1, "text": "Mine"}]}
        monkeypatch.setattr("video2blog.pipeline.output.os.replace", locked)
        status, body = post_save(served, mine)  # type: ignore[arg-type]
        assert status == 409 and "cannot replace post.md (Permission denied)" in body["error"]
        monkeypatch.setattr("video2blog.pipeline.output.os.replace", real)
        other = {"version": version, "edits": [{"op": "heading", "section": 1, "text": "Another tab's"}]}
        assert post_save(served, other)[0] == 409  # type: ignore[arg-type]  # a stale tab: still refused
        status, body = post_save(served, mine)  # type: ignore[arg-type]
        assert status == 200, body
    finally:
        server.close()
    assert json.loads((folder / "draft.json").read_text())["sections"][1]["heading"] == "Mine"
    assert "## Mine" in (folder / "post.md").read_text(encoding="utf-8")


def test_the_reload_that_finishes_a_locked_save_lists_none_of_its_edits_as_lost(
    browser,  # noqa: F811
    folder: Path,
    monkeypatch: pytest.MonkeyPatch,
):
    """The locked-file message says to reload; the reload finished the save, then listed its own edits
    as lost, to make again."""
    import threading

    from video2blog.pipeline.editing.server import ReviewServer

    server = ReviewServer(folder)
    threading.Thread(target=server.serve, daemon=True).start()
    real = os.replace

    def locked(src: object, dst: object) -> None:
        if str(dst).endswith("post.md"):
            raise PermissionError(13, "Permission denied")
        real(src, dst)  # type: ignore[arg-type]

    context = browser.new_context()
    tab = context.new_page()
    tab.on("dialog", lambda box: box.accept())  # "Leave site?" on the reload: yes
    try:
        open_served(tab, server)  # type: ignore[arg-type]
        tab.locator("#section-2 [data-act=heading]").click()
        tab.fill("#section-2 .inline-edit input", "Saved behind a lock")
        tab.locator("#section-2 .inline-edit").get_by_role("button", name="Done").click()
        monkeypatch.setattr("video2blog.pipeline.output.os.replace", locked)
        tab.click("#save")
        sync_api.expect(tab.locator("#edit-status")).to_contain_text("cannot replace post.md")
        monkeypatch.setattr("video2blog.pipeline.output.os.replace", real)  # unlocked
        tab.reload()
        tab.wait_for_function("document.documentElement.dataset.editReady === '1'")
        sync_api.expect(tab.locator("#section-2 h2")).to_have_text("Saved behind a lock")
        assert tab.locator("#orphans").is_hidden()
        assert "## Saved behind a lock" in (folder / "post.md").read_text(encoding="utf-8")
    finally:
        context.close()
        server.close()


def test_a_save_keeps_the_page_linking_the_media_beside_the_folder_not_where_its_link_leads(tmp_path: Path):
    """talk.wav beside the draft is a link to the raw file on a share: the saved page still links
    talk.wav, so the folder and its media sent on together play (the share's path is not there)."""
    share = tmp_path / "nas" / "raw"
    share.mkdir(parents=True)
    run_ffmpeg(
        "-f", "lavfi", "-i", "sine=frequency=330:duration=30", "-ar", "8000", str(share / "IMG_0042.wav")
    )
    project = tmp_path / "project"
    project.mkdir()
    (project / "talk.wav").symlink_to(share / "IMG_0042.wav")
    out = project / "draft"
    output = OutputFolder(out)
    for name, data in render_all(sample_context(out, str(project / "talk.wav")), ALL_FORMATS).items():
        output.add(name, data)
    output.commit()
    linked = 'src="../talk.wav"'
    assert linked in (out / "review.html").read_text()
    status, reply = saved_by_server(out, [{"op": "heading", "section": 1, "text": NEW_HEADING}])
    assert status == 200, reply
    assert linked in (out / "review.html").read_text() and "IMG_0042" not in (out / "review.html").read_text()
