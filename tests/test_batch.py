"""Batch drafting: a mixed folder, re-runs that skip, kept edits, and a run killed and resumed."""

from __future__ import annotations

import csv
import errno
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import default_signals
from tests.test_review import sample_context
from tools.batch_media import cut_clip, make_clips, truncate
from video2blog.cli import app
from video2blog.pipeline.batch import jobs
from video2blog.pipeline.batch import report as report_module
from video2blog.pipeline.batch import runner as runner_module
from video2blog.pipeline.batch.jobs import Job, compute_job
from video2blog.pipeline.batch.report import BatchReport, ItemRecord, write_report
from video2blog.pipeline.batch.runner import BatchOptions, batch_lock, draft_names, find_inputs, run_batch
from video2blog.pipeline.batch.state import STATE
from video2blog.pipeline.errors import OutputError
from video2blog.pipeline.output import folder_lock
from video2blog.pipeline.run import DraftResult
from video2blog.pipeline.sources import MEDIA_SUFFIXES
from video2blog.pipeline.writers.formats import WRITERS, parse_formats

ROOT = Path(__file__).resolve().parents[1]
DRAFT_FILES = {WRITERS[f].filename for f in parse_formats(None)} | {"settings.json"}  # how it was rendered
runner = CliRunner()


def batch(*args: str, cache: Path) -> object:
    """The batch command, in this process, with its own transcript cache."""
    return runner.invoke(app, ["batch", *args], env={"XDG_CACHE_HOME": str(cache)})


def statuses(out: Path) -> dict[str, str]:
    data = json.loads((out / "batch-report.json").read_text())
    return {Path(item["output"]).name: item["status"] for item in data["items"]}


def visible_files(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir() if not p.name.startswith(".")}


def test_names_are_distinct_stable_and_readable():
    names = draft_names(["a/talk.mp4", "b/talk.mov", "intro.mp4", "Intro.m4a", "x/batch-report.json.mp4"])
    assert names == {
        "a/talk.mp4": "a-talk-mp4",
        "b/talk.mov": "b-talk-mov",
        "intro.mp4": "intro-mp4",
        "Intro.m4a": "Intro-m4a",
        "x/batch-report.json.mp4": "x-batch-report-json-mp4",
    }
    assert draft_names(["solo.mp4", "a/other.mov"]) == {"solo.mp4": "solo", "a/other.mov": "other"}
    paths = ["a-b/c.mp4", "a/b-c.mp4", "c.mp4", "b-c.mov"]  # two flatten alike: a hash tells them apart
    clash = draft_names(paths)
    assert len(set(clash.values())) == 4 and clash == draft_names(paths[::-1])
    assert clash["c.mp4"] == "c-mp4" and clash["a-b/c.mp4"].startswith("a-b-c-mp4-")


def test_an_input_drafted_before_keeps_its_folder_name_when_a_namesake_joins():
    drafted = {"talk.mp4": "talk", "gone.mp4": "gone"}  # gone.mp4 is no longer in the inbox
    names = draft_names(["b/talk.mov", "talk.mp4", "x/Talk.m4a"], drafted)
    assert names["talk.mp4"] == "talk"  # not "talk-mp4": the editor's folder stays the video's
    assert names["b/talk.mov"] == "b-talk-mov" and names["x/Talk.m4a"] == "x-Talk-m4a"
    assert draft_names(["gone.mp4"], {}) == {"gone.mp4": "gone"}


@pytest.mark.slow
def test_a_namesake_added_to_the_inbox_leaves_the_drafted_folder_and_its_edits_alone(tmp_path: Path):
    inbox, out, cache = tmp_path / "in", tmp_path / "out", tmp_path / "cache"
    cut_clip(inbox / "talk.mp4", 10, 4)
    assert batch(str(inbox), "--out", str(out), "--recursive", cache=cache).exit_code == 0
    post = out / "talk" / "post.md"
    edited = post.read_text() + "\nA sentence the editor added.\n"
    post.write_text(edited)
    cut_clip(inbox / "b" / "talk.mov", 30, 4)
    result = batch(str(inbox), "--out", str(out), "--recursive", cache=cache)
    assert result.exit_code == 0, result.output
    assert statuses(out) == {"talk": "skipped", "b-talk-mov": "drafted"}
    assert post.read_text() == edited and not (out / "talk-mp4").exists()
    library = json.loads((out / "batch-report.json").read_text())["library"]  # the related posts step
    assert library == {
        "drafts": 2,
        "updated": [],
        "kept_edits": [],
        "failed": [],
    }  # (these two are unrelated)


def test_inputs_are_media_files_or_pattern_matches(tmp_path: Path):
    others = ["notes.txt", ".hidden.mp4", "sub/c.m4a", ".git/d.mp4", "draft/e.mp4"]
    for rel in ["a.mp4", "b.MOV", "c.MTS", "d.m2ts", *others]:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes(b"x")
    (tmp_path / "draft" / ".video2blog.json").write_text("{}")  # a draft folder is never an input
    media = ["a.mp4", "b.MOV", "c.MTS", "d.m2ts"]  # .MTS, .m2ts: a camcorder's, passed over before
    assert find_inputs(tmp_path, False, ()) == media
    assert find_inputs(tmp_path, True, ()) == [*media, "sub/c.m4a"]
    assert find_inputs(tmp_path, True, ("*.txt", "sub/*")) == ["notes.txt", "sub/c.m4a"]
    assert find_inputs(tmp_path, True, (), out_dir=tmp_path / "sub") == media


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nowhere"], "no such folder"),
        (["{folder}", "--jobs", "0"], "--jobs must be 1 or more"),
        (["{folder}", "--jobs", "2", "--scheduler", "tcp://127.0.0.1:1"], "not both"),
        (["{folder}", "--formats", "pdf"], "unknown format pdf"),
        (["{folder}", "--scheduler", "127.0.0.1:8786x"], "is not a Dask scheduler address"),  # no 40 s wait
        (["{folder}", "--scheduler", "http://10.0.0.5:8786"], "is not a Dask scheduler address"),
    ],
)
def test_usage_errors_exit_2(tmp_path: Path, args: list[str], message: str):
    args = [a.replace("{folder}", str(tmp_path)) for a in args]
    result = batch(*args, "--out", str(tmp_path / "out"), cache=tmp_path / "cache")
    assert result.exit_code == 2 and message in result.output


def test_an_out_that_is_a_file_is_a_usage_error(tmp_path: Path):
    (tmp_path / "out").write_text("a file\n")
    result = batch(str(tmp_path), "--out", str(tmp_path / "out"), cache=tmp_path / "cache")
    assert result.exit_code == 2 and "is a file, not a folder; give --out a folder" in result.output


def test_a_second_batch_on_the_same_folder_is_refused(tmp_path: Path):
    with batch_lock(tmp_path / "out"), pytest.raises(OutputError, match="another batch"):
        run_batch(BatchOptions(tmp_path, tmp_path / "out"))
    with batch_lock(tmp_path / "out"):  # nothing wrong with the inputs: cron may try again later (was 1)
        result = batch(str(tmp_path), "--out", str(tmp_path / "out"), cache=tmp_path / "cache")
    assert result.exit_code == 75 and "another batch is writing into this folder" in result.output


def test_no_dask_without_a_scheduler(tmp_path: Path):
    code = (
        "import sys; from pathlib import Path; import video2blog.cli;"
        "from video2blog.pipeline.batch.runner import BatchOptions, run_batch;"
        f"run_batch(BatchOptions(Path({str(tmp_path)!r}), Path({str(tmp_path / 'out')!r})));"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed')]; assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, timeout=120)


@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three good clips (two named alike in subfolders), a truncated video, a text file named .mp4."""
    folder = tmp_path_factory.mktemp("mixed")
    cut_clip(folder / "a" / "talk.mp4", 10, 4)
    cut_clip(folder / "b" / "talk.m4a", 30, 4, video=False)
    intro = cut_clip(folder / "intro.mp4", 50, 4)
    truncate(intro, folder / "corrupt.mp4")
    (folder / "notes.mp4").write_text("this is a text file, not a video\n")
    (folder / "readme.txt").write_text("not an input\n")
    return folder


@pytest.fixture(scope="module")
def first_run(mixed: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, object]:
    work = tmp_path_factory.mktemp("first")
    out, cache = work / "out", work / "cache"
    result = batch(str(mixed), "--out", str(out), "--recursive", cache=cache)
    return out, cache, result


@pytest.mark.slow
def test_mixed_folder_drafts_the_good_and_reports_the_bad(first_run):
    out, _, result = first_run
    assert result.exit_code == 1, result.output
    assert statuses(out) == {
        "a-talk-mp4": "drafted",
        "b-talk-m4a": "drafted",
        "intro": "drafted",
        "corrupt": "failed",
        "notes": "failed",
    }
    for name in ("a-talk-mp4", "b-talk-m4a", "intro"):
        assert visible_files(out / name) - {"images"} == DRAFT_FILES
    assert (out / "a-talk-mp4" / "images").is_dir() and not (out / "b-talk-m4a" / "images").exists()
    assert not (out / "corrupt").exists() and not (out / "notes").exists()
    items = {Path(i["input"]).name: i for i in json.loads((out / "batch-report.json").read_text())["items"]}
    assert "is not a media file" in items["notes.mp4"]["error"] and "\n" not in items["corrupt.mp4"]["error"]
    assert 3.5 < items["intro.mp4"]["duration"] < 4.5 and items["intro.mp4"]["seconds"] > 0
    rows = list(csv.DictReader((out / "batch-report.csv").open()))
    assert [r["status"] for r in rows] == [i["status"] for i in items.values()]
    progress = [line for line in result.output.splitlines() if line.startswith("[")]
    assert len(progress) == 5 and progress[-1].startswith("[5/5]")  # one line per video in a log


@pytest.mark.slow
def test_rerun_skips_unchanged_videos_quickly_and_touches_nothing(first_run, mixed: Path):
    out, cache, _ = first_run
    before = {p: p.stat().st_mtime_ns for p in (out / "intro").iterdir()}
    heard = {p: p.stat().st_mtime_ns for p in (cache / "video2blog" / "transcripts").iterdir()}
    result = batch(str(mixed), "--out", str(out), "--recursive", cache=cache)
    assert result.exit_code == 1  # the two bad files are tried again, and fail again
    data = json.loads((out / "batch-report.json").read_text())
    skipped = [i for i in data["items"] if i["status"] == "skipped"]
    assert len(skipped) == 3
    assert {p: p.stat().st_mtime_ns for p in (out / "intro").iterdir()} == before
    # nothing heard again: the transcript cache is as the first run left it
    assert {p: p.stat().st_mtime_ns for p in (cache / "video2blog" / "transcripts").iterdir()} == heard


@pytest.mark.slow
def test_a_touched_but_unchanged_video_is_hashed_once_and_skipped(first_run, mixed: Path):
    out, cache, _ = first_run
    os.utime(mixed / "intro.mp4", ns=(time.time_ns(), time.time_ns()))
    batch(str(mixed), "--out", str(out), "--recursive", cache=cache)
    assert statuses(out)["intro"] == "skipped"
    state = json.loads((out / "intro" / STATE).read_text())
    assert state["mtime_ns"] == (mixed / "intro.mp4").stat().st_mtime_ns  # no hashing next time


@pytest.mark.slow
def test_new_settings_redraft_from_cached_transcripts_and_keep_edits(first_run, mixed: Path, caplog):
    out, cache, _ = first_run
    post = out / "intro" / "post.md"
    edited = post.read_text() + "\nA sentence the editor added.\n"
    post.write_text(edited)
    caplog.set_level("INFO", logger="video2blog.pipeline.ingest.transcribe")
    result = batch(str(mixed), "--out", str(out), "--recursive", "--verbatim", "-v", cache=cache)
    assert result.exit_code == 1
    got = statuses(out)
    assert got["intro"] == "kept-edits" and got["a-talk-mp4"] == got["b-talk-m4a"] == "drafted"
    assert post.read_text() == edited and (out / "intro" / "post.new.md").exists()
    assert caplog.text.count("reusing cached transcript") == 3
    again = batch(str(mixed), "--out", str(out), "--recursive", "--verbatim", cache=cache)
    assert statuses(out)["intro"] == "skipped" and again.exit_code == 1
    assert post.read_text() == edited


@pytest.mark.slow
def test_two_jobs_draft_the_same_files(first_run, mixed: Path, tmp_path: Path):
    _, cache, _ = first_run
    out = tmp_path / "out"
    result = batch(str(mixed), "--out", str(out), "-r", "-j", "2", "--pattern", "*talk*", cache=cache)
    assert result.exit_code == 0, result.output
    assert statuses(out) == {"a-talk-mp4": "drafted", "b-talk-m4a": "drafted"}
    assert all(visible_files(out / n) - {"images"} == DRAFT_FILES for n in ("a-talk-mp4", "b-talk-m4a"))


def _children(pid: int) -> set[int]:
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


def _exit_status(proc: subprocess.Popen[bytes], timeout: float, stderr: Path) -> int:
    """``proc``'s exit status; one that hangs fails the test with every thread's stack (faulthandler)."""
    try:
        return proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGABRT)  # PYTHONFAULTHANDLER=1: Python prints its threads' stacks
        proc.wait(timeout=30)
        pytest.fail(f"still running {timeout:.0f} s after the signal:\n{stderr.read_text()[-6000:]}")


def _wait_for(predicate, timeout: float, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc to watch the processes")
@pytest.mark.parametrize(
    ("jobs", "stop"),
    [("1", signal.SIGKILL), ("2", signal.SIGKILL), ("2", signal.SIGINT), ("1", signal.SIGTERM)],
)
def test_a_killed_batch_resumes_and_drafts_every_video_once(tmp_path: Path, jobs: str, stop: int):
    videos, out, cache = tmp_path / "videos", tmp_path / "out", tmp_path / "cache"
    make_clips(videos, 4, 4.0)
    cmd = [sys.executable, "-m", "video2blog", "batch", str(videos), "--out", str(out), "--jobs", jobs]
    env = {**os.environ, "XDG_CACHE_HOME": str(cache), "PYTHONFAULTHANDLER": "1"}
    stderr = tmp_path / "stderr.txt"
    with stderr.open("w") as errors:
        proc = subprocess.Popen(
            cmd,
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=errors,
            preexec_fn=default_signals,  # Ctrl-C reaches it even when the suite runs in the background
        )
    try:
        _wait_for(lambda: any(out.glob(f"*/{STATE}")), 240, "the first video")
        workers = _children(proc.pid)
        proc.send_signal(stop)
        status = _exit_status(proc, 60, stderr)  # Ctrl-C: the videos in hand stop at their next report
    finally:
        proc.kill()
        proc.wait(timeout=30)
    report = json.loads((out / "batch-report.json").read_text())
    if stop == signal.SIGKILL:  # it could not say how it ended: no exit status, so no claim of success
        assert (report["finished"], report["exit_status"]) == (None, None) and report["counts"]["pending"]
    else:  # the report says how the run ended, as its exit status does
        expected = 130 if stop == signal.SIGINT else 143
        assert (status, report["interrupted"], report["exit_status"]) == (expected, True, expected)
    _wait_for(lambda: not any(Path(f"/proc/{p}").exists() for p in workers), 15, "the workers to exit")
    finished = [p.parent for p in out.glob(f"*/{STATE}")]
    done = {d.name: {f.name: f.stat().st_ino for f in d.iterdir()} for d in finished}
    assert 1 <= len(done) < 4, "killed too late to test resuming"
    for name, files in done.items():
        assert set(files) >= DRAFT_FILES, name  # a finished draft is whole
    result = batch(str(videos), "--out", str(out), cache=cache)
    assert result.exit_code == 0, result.output
    got = statuses(out)
    assert got == {n: "skipped" if n in done else "drafted" for n in ("talk-1", "talk-2", "talk-3", "talk-4")}
    # Drafted once: the files written before the kill are untouched, but for those the library step
    # renders again when the others' drafts join the folder (their related posts).
    related = {"draft.json", "post.md", "post.html", "post.docx", "wordpress.xml"}
    for name, files in done.items():
        now = {f.name: f.stat().st_ino for f in (out / name).iterdir()}
        kept = [f for f in files if not f.startswith(".") and f not in related]
        assert {f: files[f] for f in kept} == {f: now.get(f) for f in kept} and set(now) >= set(files)
    leftovers = [p for p in out.rglob("*") if p.name.endswith(".tmp") or "journal" in p.name]
    assert not leftovers


def _send_result_length() -> None:
    """In a pool worker: write the length of a 1 MB result on the pool's result pipe, and no more."""
    frame = sys._getframe()
    while "result_queue" not in frame.f_locals:  # concurrent.futures.process._process_worker
        frame = frame.f_back  # type: ignore[assignment]
    frame.f_locals["result_queue"]._writer._send((1 << 20).to_bytes(4, "big"))


def _run_pool_script(script: str, *args: str, timeout: float, hang: str) -> list[str]:
    """Run ``script`` in a fresh Python and return the words it printed; one that outlives ``timeout``
    fails the test with ``hang``."""
    command = [sys.executable, "-c", script, *args]
    try:
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        pytest.fail(hang)
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


def half_sent_result(flag: str) -> None:
    """A pool worker's job caught halfway through sending its result, as Ctrl-C can catch one.

    It writes the length of a 1 MB result on the pool's result pipe, sends no more, and waits to be
    ended: the pool's manager thread reads the length and waits for the rest.
    """
    _send_result_length()
    Path(flag).touch()
    time.sleep(600)


HALF_SENT = """
import sys, time
from pathlib import Path
from video2blog.pipeline.batch.jobs import LocalBackend
from tests.test_batch import half_sent_result

flag = Path(sys.argv[1])
backend = LocalBackend(2)
future = backend.executor.submit(half_sent_result, str(flag))
deadline = time.monotonic() + 60
while not flag.exists() and time.monotonic() < deadline:
    time.sleep(0.05)
assert flag.exists(), "the worker never started"
backend.close(cancel=True)
print("closed", type(future.exception()).__name__)
"""


@pytest.mark.slow
def test_ctrl_c_ends_a_pool_whose_worker_was_sending_its_result(tmp_path: Path):
    """The batch's Ctrl-C ends its workers; one caught mid-result must not leave the batch waiting forever."""
    hang = "the pool's close waited forever for the rest of a killed worker's result"
    printed = _run_pool_script(HALF_SENT, str(tmp_path / "sending"), timeout=90, hang=hang)
    assert printed == ["closed", "BrokenProcessPool"]


def half_sent_then_dead() -> None:
    """A pool worker's job that dies by itself halfway through sending its result (killed for memory)."""
    _send_result_length()
    os._exit(1)


DEAD_MID_RESULT = """
import time
from concurrent.futures import wait
from video2blog.pipeline.batch.jobs import LocalBackend
from tests.test_batch import half_sent_then_dead

backend = LocalBackend(2)
future = backend.executor.submit(half_sent_then_dead)
deadline = time.monotonic() + 60
while not future.done() and time.monotonic() < deadline:
    if not wait([future], timeout=1.0).done:
        backend.watch()  # as the batch does while it waits
print(type(future.exception(timeout=0)).__name__ if future.done() else "still-waiting")
if future.done():  # the job runs again in the new pool the watch started
    backend.work = str
    print(backend.submit("again").result(timeout=60))
backend.close(cancel=not future.done())
"""


@pytest.mark.slow
def test_a_worker_dead_halfway_through_its_result_fails_its_job_instead_of_stalling_the_batch():
    """A worker killed while sending its result (out of memory) leaves CPython's pool waiting forever;
    the batch's watch ends that pool, so the job fails as a dead worker's does, and starts a new one
    where it can run again."""
    printed = _run_pool_script(DEAD_MID_RESULT, timeout=120, hang="the stalled pool was never ended")
    assert printed == ["BrokenProcessPool", "again"]


def test_a_redraft_that_drops_the_editors_saved_edits_is_reported_so(tmp_path: Path):
    ctx = sample_context()
    result = DraftResult(tmp_path, ctx.draft, ctx.transcript, (), (), dropped=("heading 'Why' (section 2)",))
    assert result.status == "dropped-edits"  # not "drafted": post.md lacks some of the editor's edits
    report = BatchReport("in", str(tmp_path), [ItemRecord("a.mp4", "a", status=result.status)])
    assert report.counts()["dropped-edits"] == 1 and report.exit_code == 0


LATIN1_NAME = os.fsdecode(b"caf\xe9 talk.m4a")  # "café" in Latin-1, as an SD card or a Windows zip names it


def test_a_report_holds_names_that_are_not_utf8_as_escaped_text(tmp_path: Path):
    source = f"/in/{LATIN1_NAME}"
    report = BatchReport("/in", str(tmp_path), [ItemRecord(source, f"{tmp_path}/{Path(source).stem}")])
    write_report(report, tmp_path)  # was: UnicodeEncodeError, surrogates not allowed
    item = json.loads((tmp_path / "batch-report.json").read_text(encoding="utf-8"))["items"][0]
    assert item["input"] == "/in/caf\\xe9 talk.m4a" and item["output"].endswith("caf\\xe9 talk")
    row = next(csv.DictReader((tmp_path / "batch-report.csv").open(encoding="utf-8")))
    assert row["input"] == "/in/caf\\xe9 talk.m4a"
    assert report.records[0].input == source  # the batch keeps the name the file system gave


@pytest.mark.slow
@pytest.mark.skipif(sys.platform != "linux", reason="needs a file system that takes any bytes in a name")
def test_a_name_that_is_not_utf8_is_drafted_reported_and_skipped_next_run(tmp_path: Path):
    inbox, out, cache = tmp_path / "in", tmp_path / "out", tmp_path / "cache"
    good = cut_clip(inbox / "good.m4a", 10, 4, video=False)
    (inbox / LATIN1_NAME).write_bytes(good.read_bytes())
    result = batch(str(inbox), "--out", str(out), cache=cache)
    assert result.exit_code == 0, result.output
    assert statuses(out) == {"caf\\xe9 talk": "drafted", "good": "drafted"}
    assert (out / Path(LATIN1_NAME).stem / "post.md").is_file()
    state = json.loads((out / Path(LATIN1_NAME).stem / STATE).read_text(encoding="utf-8"))
    assert state["source"] == "caf\\xe9 talk.m4a"
    again = batch(str(inbox), "--out", str(out), cache=cache)
    assert again.exit_code == 0, again.output
    assert statuses(out) == {"caf\\xe9 talk": "skipped", "good": "skipped"}  # the state file matches it


@pytest.mark.slow
def test_a_file_still_being_copied_is_not_drafted_from_its_first_part(tmp_path: Path, monkeypatch):
    inbox, out, cache = tmp_path / "in", tmp_path / "out", tmp_path / "cache"
    whole = cut_clip(tmp_path / "whole.ts", 10, 6).read_bytes()
    capture = inbox / "capture.ts"
    inbox.mkdir()
    capture.write_bytes(whole[: len(whole) * 4 // 10])  # 40% copied when the batch starts

    def copy_ends_meanwhile(job: Job, **kwargs: object) -> object:
        result = compute_job(job, **kwargs)
        (inbox / ".capture.ts.part").write_bytes(whole)
        (inbox / ".capture.ts.part").replace(capture)
        return result

    monkeypatch.setattr(jobs, "compute_job", copy_ends_meanwhile)
    result = batch(str(inbox), "--out", str(out), cache=cache)
    assert result.exit_code == 75, result.output  # nothing failed; the same batch later drafts it
    item = json.loads((out / "batch-report.json").read_text())["items"][0]
    assert item["status"] == "pending" and "changed while it was being drafted" in item["error"]
    assert not (out / "capture").exists()  # nothing written from part of the recording
    monkeypatch.undo()
    again = batch(str(inbox), "--out", str(out), cache=cache)
    assert again.exit_code == 0, again.output
    item = json.loads((out / "batch-report.json").read_text())["items"][0]
    assert item["status"] == "drafted" and item["duration"] > 5.5  # the whole recording


def test_a_report_that_cannot_be_written_is_an_error_naming_it(tmp_path: Path, monkeypatch):
    def full_disk(path: Path, data: bytes) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))

    monkeypatch.setattr(report_module, "atomic_write", full_disk)
    result = batch(str(tmp_path), "--out", str(tmp_path / "out"), cache=tmp_path / "cache")
    assert result.exit_code == 1
    report = tmp_path / "out" / "batch-report.json"
    # was: "cannot write its report (...)", naming no file, as if the command's own output had failed
    assert f"{report}: cannot write the batch report (No space left on device)" in result.output


def test_the_readme_lists_the_suffixes_a_batch_takes():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    listed = readme.split("- The inputs are the folder's video and audio files", 1)[1]
    listed = listed.split("Each input", 1)[0]
    assert set(re.findall(r"\.[a-z0-9]+", listed)) == MEDIA_SUFFIXES


def test_the_summary_counts_the_files_it_passed_over(tmp_path: Path):
    inbox = tmp_path / "in"
    for rel in ["notes.txt", "clip.xyz", ".hidden.txt", "sub/deeper.txt"]:
        (inbox / rel).parent.mkdir(parents=True, exist_ok=True)
        (inbox / rel).write_bytes(b"x")
    result = batch(str(inbox), "--out", str(tmp_path / "out"), cache=tmp_path / "cache")
    assert result.exit_code == 0, result.output
    assert "passed over 2 other files in the folder (not video or audio by extension" in result.output
    result = batch(str(inbox), "--out", str(tmp_path / "out"), "-r", "-p", "*.xyz", cache=tmp_path / "cache")
    assert "passed over 2 other files in the folder (matching no --pattern)" in result.output


@pytest.mark.slow
def test_a_link_to_a_video_in_the_folder_is_drafted_once_and_links_passed_over_are_said(tmp_path: Path):
    """A link to a video of the folder was drafted as a second post with the same slug, and a link to a
    folder was passed over under -r without a word, counted nowhere."""
    inbox, out, elsewhere = tmp_path / "in", tmp_path / "out", tmp_path / "elsewhere"
    cut_clip(inbox / "talk.m4a", 20, 3, video=False)
    (inbox / "again.m4a").symlink_to(inbox / "talk.m4a")
    cut_clip(elsewhere / "other.m4a", 40, 3, video=False)
    (inbox / "linked").symlink_to(elsewhere)
    cmd = [sys.executable, "-m", "video2blog", "batch", str(inbox), "--out", str(out), "-r"]
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    result = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert statuses(out) == {"talk": "drafted"} and not (out / "again").exists()
    said = result.stdout + result.stderr
    assert f"warning: {inbox}/again.m4a: the same file as {inbox}/talk.m4a, drafted once from there" in said
    assert f"warning: {inbox}/linked: a link to a folder; passed over" in said
    assert "passed over 2 links (each named above)" in said


@pytest.mark.slow
def test_a_draft_folder_another_run_is_writing_into_is_left_to_it_and_the_next_batch(tmp_path: Path):
    """A `video2blog draft` (or a review page's Save) into a video's folder while the batch writes it: the
    batch threw away its draft and reported the video failed, exit 1, though nothing was wrong with it."""
    inbox, out, cache = tmp_path / "in", tmp_path / "out", tmp_path / "cache"
    cut_clip(inbox / "talk.m4a", 20, 3, video=False)
    with folder_lock(out / "talk"):  # as `video2blog draft in/talk.m4a --out out/talk` holds it
        result = batch(str(inbox), "--out", str(out), cache=cache)
    item = json.loads((out / "batch-report.json").read_text())["items"][0]
    assert result.exit_code == 75, result.output  # nothing failed; the same batch later drafts it
    assert item["status"] == "pending", item
    said = (
        f"another video2blog run was writing into {out / 'talk'}: left to it; the next run drafts this video"
    )
    said += " again"
    assert item["error"] == said and f"pending {inbox / 'talk.m4a'}: {said}" in result.output
    assert not any((out / "talk").iterdir())  # nothing written over the other run's
    again = batch(str(inbox), "--out", str(out), cache=cache)
    assert again.exit_code == 0 and statuses(out) == {"talk": "drafted"}, again.output


def test_a_phones_voice_memo_is_an_input_as_draft_takes_it(tmp_path: Path):
    """An Android recorder's .amr and .3ga were passed over ("not video or audio by extension") though
    ``video2blog draft memo.amr`` drafts them: both commands read one list of media suffixes."""
    inbox = tmp_path / "in"
    inbox.mkdir()
    for name in ["memo.AMR", "Voice 001.3ga", "notes.txt"]:
        (inbox / name).write_bytes(b"not really audio")
    result = batch(str(inbox), "--out", str(tmp_path / "out"), cache=tmp_path / "cache")
    assert "passed over 1 other file in the folder" in result.output, result.output
    items = json.loads((tmp_path / "out" / "batch-report.json").read_text())["items"]
    assert sorted(Path(i["input"]).name for i in items) == ["Voice 001.3ga", "memo.AMR"]


@pytest.mark.slow
def test_a_draft_that_cannot_be_written_leaves_no_empty_folder(tmp_path: Path, monkeypatch):
    inbox, out, cache = tmp_path / "in", tmp_path / "out", tmp_path / "cache"
    cut_clip(inbox / "talk.m4a", 10, 4, video=False)
    (out / "kept").mkdir(parents=True)  # a folder made before the batch is never removed

    def full_disk(computed: object, folder: Path, force: bool) -> None:
        raise OutputError("cannot write the draft (No space left on device)", folder)

    monkeypatch.setattr(runner_module, "write_draft", full_disk)
    result = batch(str(inbox), "--out", str(out), cache=cache)
    assert result.exit_code == 1 and statuses(out) == {"talk": "failed"}
    assert sorted(p.name for p in out.iterdir()) == ["batch-report.csv", "batch-report.json", "kept"]


@pytest.mark.slow
def test_a_rerun_without_its_options_skips_what_the_folders_settings_already_drafted(tmp_path: Path):
    inbox, out, cache = tmp_path / "inbox", tmp_path / "out", tmp_path / "cache"
    cut_clip(inbox / "talk.m4a", 10, 4, video=False)
    glossary = tmp_path / "terms.txt"
    glossary.write_text("ketamine\nfibromyalgia\n")
    first = batch(
        str(inbox),
        "--out",
        str(out),
        "--verbatim",
        "--formats",
        "md,json",
        "--glossary",
        str(glossary),
        cache=cache,
    )
    assert first.exit_code == 0
    post = out / "talk" / "post.md"
    before = post.stat().st_mtime_ns
    # the nightly job's line without the options: the folder's settings are the ones it would draft with
    assert batch(str(inbox), "--out", str(out), cache=cache).exit_code == 0
    assert statuses(out) == {"talk": "skipped"} and post.stat().st_mtime_ns == before
    assert batch(str(inbox), "--out", str(out), "--verbatim", cache=cache).exit_code == 0
    assert statuses(out) == {"talk": "skipped"}  # the same setting typed again
    assert batch(str(inbox), "--out", str(out), "--no-verbatim", cache=cache).exit_code == 0
    assert statuses(out) == {"talk": "drafted"}  # an option given that differs from the folder's
    assert json.loads((out / "talk" / "settings.json").read_text())["verbatim"] is False
