"""Interrupting a run at any point leaves the previous draft or the complete new one, never a mix.

A folder holding a complete previous draft is drafted again by a real
``python -m cli`` process, which is stopped part-way:

- inside the commit itself, deterministically, just before the k-th rename
  (``os.replace`` is wrapped to signal the process), for the kill points that
  matter: before the journal, right after it, half-way through, before the manifest;
- at random moments of a real transcription of a short clip (bounded: five kills);
- at random moments of a ``batch`` run.

After SIGINT, SIGTERM or SIGHUP the process exits cleanly by itself (status 130,
143 or 129, one line on stderr, no traceback) and the folder holds exactly the old
files or exactly the new ones. After SIGKILL the folder holds exactly the old
files, or it does after :func:`video2blog.pipeline.output.recover` -- which the next run
calls first -- exactly the new ones. "Exactly" compares every file, hidden ones
included, by SHA-256 with a complete reference run.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.conftest import PROGRESS_LINE, default_signals, make_transcript, without_progress
from video2blog.pipeline.output import recover
from video2blog.pipeline.serialize import transcript_to_dict

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "ketamine-pain.mp4"
OLD_TALK = (
    "What is ketamine used for? It treats nerve pain that has lasted for months and resisted other drugs."
)
NEW_TALK = (
    "How long does a treatment last? Most patients feel relief within hours, and it can last for weeks "
    "after a series of infusions. Is it safe? In a clinic with monitoring it is a well understood drug."
)

# Runs the CLI with os.replace wrapped: just before replace number KILL_AT the process signals itself.
DRIVER = r"""
import os, sys
kill_at, signum = int(sys.argv[1]), int(sys.argv[2])
real_replace, count = os.replace, [0]
def replace(src, dst, **kw):
    count[0] += 1
    if count[0] == kill_at + 1:
        os.kill(os.getpid(), signum)  # once: the clean-up's own renames are not signalled again
    return real_replace(src, dst, **kw)
os.replace = replace
from video2blog.cli import app
app(sys.argv[3:], prog_name="video2blog")
"""

# Runs the CLI with a Ctrl-C sent to itself as the report lists the files written (its SAY_AT-th line).
REPORT_DRIVER = r"""
import os, signal, sys
import video2blog.cli as cli
say_at, real_say, count = int(sys.argv[1]), cli._say, [0]
def say(text):
    count[0] += 1
    if count[0] == say_at:
        os.kill(os.getpid(), signal.SIGINT)
    real_say(text)
cli._say = say
cli.app(sys.argv[2:], prog_name="video2blog")
"""

# Seed of the kill schedules: a failure names the delays it used, and a rerun uses the same ones.
KILL_SEED = 20261201


def snapshot(folder: Path) -> dict[str, str]:
    """Every file in ``folder``, hidden ones included, and its SHA-256."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir() if p.is_file()}


def python_cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "video2blog", *args]


def run(cmd: list[str], timeout: float = 300) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run(
        cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout, env=env, preexec_fn=default_signals
    )


def transcript_json(path: Path, text: str) -> Path:
    path.write_text(json.dumps(transcript_to_dict(make_transcript(text))), encoding="utf-8")
    return path


def prepare(folder: Path, old_source: Path) -> dict[str, str]:
    """A folder holding a complete previous draft; returns its snapshot."""
    proc = run(python_cli("draft", str(old_source), "--out", str(folder), *FORMATS))
    assert proc.returncode == 0, proc.stderr
    return snapshot(folder)


def check_after(
    folder: Path,
    old: dict[str, str],
    new: dict[str, str],
    signum: int,
    proc_rc: int,
    drafted: dict[str, str] | None = None,
) -> str:
    """Assert the folder is old, or new (after recover() for SIGKILL), or ``drafted`` where given (a batch's
    draft before its library step); return which."""
    state = snapshot(folder)
    if signum == signal.SIGKILL:
        if state == old:
            return "old"
        recover(folder)
        state = snapshot(folder)
    whole = {"old": old, "new": new, **({"drafted": drafted} if drafted is not None else {})}
    found = [name for name, files in whole.items() if state == files]
    assert found, f"a mix after {signal.Signals(signum).name} (exit {proc_rc}): {state}"
    return found[0]


def assert_clean_exit(proc: subprocess.CompletedProcess[str], signum: int) -> None:
    if signum == signal.SIGKILL:
        assert proc.returncode in (0, -signal.SIGKILL)  # 0: the run ended before the kill
        return
    assert "Traceback" not in proc.stderr, proc.stderr
    if proc.returncode == 0:  # the run ended before the signal arrived
        return
    statuses = {signal.SIGINT: 130, signal.SIGTERM: 143, signal.SIGHUP: 129}
    assert proc.returncode == statuses[signum], proc.stderr
    lines = without_progress(proc.stderr).strip().splitlines()  # a pipe also gets the progress lines
    assert len(lines) == 1 and "interrupted" in lines[0], proc.stderr


# -- kills inside the commit, at chosen renames -------------------------------------------------------

# post.docx is left out: its zip records the time it was written, so no two runs match byte for byte.
FORMATS = ["--formats", "md,html,review,json,srt,vtt"]
# os.replace calls in a commit: 0 = the journal, then one per file (draft.json and 6), the manifest last.
KILL_POINTS = [
    (0, signal.SIGKILL),  # before the journal: the old draft, staged files dropped by the next run
    (1, signal.SIGKILL),  # journal written, nothing renamed yet
    (4, signal.SIGKILL),  # half-way through the renames
    (8, signal.SIGKILL),  # everything renamed but the manifest
    (0, signal.SIGINT),
    (4, signal.SIGINT),  # Ctrl-C half-way: the commit is finished before the process exits
    (1, signal.SIGTERM),
    (8, signal.SIGTERM),
    (0, signal.SIGHUP),  # the terminal closed while the files were staged: they were left in the folder
    (4, signal.SIGHUP),
]


@pytest.fixture(scope="module")
def commit_case(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, Path, dict[str, str], dict[str, str]]:
    """Old and new transcripts, the old draft's snapshot and the complete new one's.

    Drafts go in folders beside the reference: review.html links the source relative to its folder.
    """
    d = tmp_path_factory.mktemp("commit")
    old_src, new_src = transcript_json(d / "old.json", OLD_TALK), transcript_json(d / "new.json", NEW_TALK)
    reference = d / "reference"
    old = prepare(reference, old_src)
    assert run(python_cli("draft", str(new_src), "--out", str(reference), *FORMATS)).returncode == 0
    new = snapshot(reference)
    assert set(new) == set(old) and new != old
    return old_src, new_src, old, new


@pytest.mark.parametrize(("kill_at", "signum"), KILL_POINTS)
def test_kill_inside_the_commit(commit_case, kill_at: int, signum: int):
    old_src, new_src, old, new = commit_case
    folder = old_src.parent / f"draft-{kill_at}-{int(signum)}"
    assert prepare(folder, old_src) == old
    cli_args = ["draft", str(new_src), "--out", str(folder), *FORMATS]
    proc = run([sys.executable, "-c", DRIVER, str(kill_at), str(int(signum)), *cli_args])
    assert_clean_exit(proc, signum)
    assert proc.returncode != 0, "the signal was never sent: the commit makes fewer renames than expected"
    state = check_after(folder, old, new, signum, proc.returncode)
    if signum == signal.SIGKILL and kill_at >= 1:
        assert state == "new"  # the journal was written: recovery completes the new draft
    if signum != signal.SIGKILL:
        assert state == ("old" if kill_at == 0 else "new")


def test_ctrl_c_while_the_report_is_printed_keeps_the_report_and_exit_0(commit_case):
    """A Ctrl-C just after the files were written ended the run with 130 and no word, the list of
    files cut short: a script that sees 130 throws the complete draft away."""
    _, new_src, _, new = commit_case
    folder = new_src.parent / "draft-report"
    cli_args = ["draft", str(new_src), "--out", str(folder), *FORMATS]
    proc = run([sys.executable, "-c", REPORT_DRIVER, "3", *cli_args])
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert len([line for line in lines if line.startswith("  wrote ")]) == len(new) - 2, lines  # less . files
    assert lines[-1].startswith("Next: video2blog review "), lines
    assert snapshot(folder) == new


# -- kills at random moments of real runs -------------------------------------------------------------


class Started:
    """Reads a process's stderr (kept for the test) and notes when the pipeline has started."""

    def __init__(self, proc: subprocess.Popen[str], marker: str) -> None:
        self.lines: list[str] = []
        self.event = threading.Event()
        self.thread = threading.Thread(target=self._read, args=(proc, marker), daemon=True)
        self.thread.start()

    def _read(self, proc: subprocess.Popen[str], marker: str) -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            self.lines.append(line)
            if marker in line:
                self.event.set()
        self.event.set()


def kill_once(
    cmd: list[str], delay: float, signum: int | None
) -> tuple[subprocess.CompletedProcess[str], float]:
    """Start ``cmd``; once it logs that the model is loading, wait ``delay`` s and signal it (None: don't).

    Returns the process's outcome and how long it ran after that log line.
    """
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    proc = subprocess.Popen(
        cmd,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        preexec_fn=default_signals,
    )
    reader = Started(proc, "loading faster-whisper model")
    reader.event.wait(timeout=120)
    started = time.monotonic()
    try:
        proc.wait(timeout=delay)
    except subprocess.TimeoutExpired:
        if signum is not None:
            proc.send_signal(signum)
    stdout = proc.stdout.read() if proc.stdout else ""
    proc.wait(timeout=300)
    reader.thread.join(timeout=10)
    return subprocess.CompletedProcess(
        cmd, proc.returncode, stdout, "".join(reader.lines)
    ), time.monotonic() - started


def without_log(proc: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    """The process's stderr less the -v log lines and the progress lines, which the clean-exit check
    should not count."""
    kept = [
        line
        for line in proc.stderr.splitlines(keepends=True)
        if not line.startswith(("INFO ", "video2blog: warning: ")) and not PROGRESS_LINE.match(line)
    ]
    return subprocess.CompletedProcess(proc.args, proc.returncode, proc.stdout, "".join(kept))


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from video2blog.pipeline.ingest.media import ffmpeg_exe

    out = tmp_path_factory.mktemp("clip") / "clip.mp4"
    cmd = [ffmpeg_exe(), "-nostdin", "-v", "error", "-y", "-ss", "10", "-t", "12", "-i", str(SAMPLE)]
    subprocess.run([*cmd, "-vf", "scale=160:90", "-c:v", "mpeg4", "-c:a", "aac", str(out)], check=True)
    return out


@pytest.mark.slow
def test_random_kills_of_a_real_draft(clip: Path, tmp_path: Path):
    old_src = transcript_json(tmp_path / "old.json", OLD_TALK)
    args = ["draft", str(clip), "--no-cache", "-v", "--beam-size", "1", *FORMATS]
    reference = tmp_path / "reference"
    old = prepare(reference, old_src)
    done, span = kill_once(python_cli(*args, "--out", str(reference)), 600, None)
    assert done.returncode == 0, done.stderr
    new = snapshot(reference)
    rng = random.Random(KILL_SEED)  # the kill times are a fixed share of the run, the same every time
    signals = [signal.SIGINT, signal.SIGTERM, signal.SIGKILL, signal.SIGINT, signal.SIGKILL]
    outcomes = []
    parts = [0.2, 0.45, 0.7, 0.9, 1.0]  # spread over the run
    for n, (signum, part) in enumerate(zip(signals, parts, strict=True)):
        folder = tmp_path / f"draft-{n}"
        prepare(folder, old_src)
        delay = (part + rng.uniform(-0.1, 0.1)) * span
        proc, _ = kill_once(python_cli(*args, "--out", str(folder)), delay, signum)
        assert_clean_exit(without_log(proc), signum)
        outcomes.append(
            (
                signal.Signals(signum).name,
                round(delay, 2),
                check_after(folder, old, new, signum, proc.returncode),
            )
        )
    print(f"run took {span:.2f} s after loading the model; kills:", outcomes)


@pytest.mark.slow
def test_random_kills_of_a_batch(clip: Path, tmp_path: Path):
    videos = tmp_path / "videos"
    videos.mkdir()
    for name in ("a.mp4", "b.mp4"):
        (videos / name).write_bytes(clip.read_bytes())
    old_src = transcript_json(tmp_path / "old.json", OLD_TALK)
    args = ["batch", str(videos), "--no-cache", "-v", "--beam-size", "1", "--jobs", "1", *FORMATS]
    reference = tmp_path / "reference"
    olds = {name: prepare(reference / name, old_src) for name in ("a", "b")}
    done, span = kill_once(python_cli(*args, "--out", str(reference)), 600, None)
    assert done.returncode == 0, done.stderr
    news = {name: snapshot(reference / name) for name in ("a", "b")}
    # The library step renders the drafts again with their related posts once both are drafted, so a kill
    # before it leaves a third whole state: drafted, as without related posts, the posts to come on resume.
    alone = tmp_path / "alone"
    for name in ("a", "b"):
        prepare(alone / name, old_src)
    done = run(python_cli(*args, "--no-related", "--out", str(alone)))
    assert done.returncode == 0, done.stderr
    drafted = {name: snapshot(alone / name) for name in ("a", "b")}
    rng = random.Random(KILL_SEED + 1)
    for n, signum in enumerate([signal.SIGINT, signal.SIGKILL]):
        out = tmp_path / f"drafts-{n}"
        for name in ("a", "b"):
            prepare(out / name, old_src)
        proc, _ = kill_once(python_cli(*args, "--out", str(out)), rng.uniform(0.2, 1.05) * span, signum)
        assert "Traceback" not in proc.stderr, proc.stderr
        states = [
            check_after(out / v, olds[v], news[v], signum, proc.returncode, drafted[v]) for v in ("a", "b")
        ]
        if "drafted" in states:  # the batch resumes; its library step gives the drafts their related posts
            resumed = run(python_cli(*args, "--out", str(out)))
            assert resumed.returncode == 0, resumed.stderr
            assert {v: snapshot(out / v) for v in ("a", "b")} == news


def ignore_sigint() -> None:
    """A script's background job (`cmd &`): SIGINT ignored, as the shell leaves it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@pytest.mark.slow
def test_a_draft_that_ignores_sigint_survives_its_group_getting_it(clip: Path, tmp_path: Path):
    """The group's SIGINT killed ffmpeg, the audio decoder, alone: the run then blamed the video
    ("ffmpeg could not decode its audio"). ffmpeg runs in a session of its own."""
    from video2blog.pipeline.ingest.media import ffmpeg_exe

    talk = tmp_path / "long.m4a"  # over one 10-minute window: the decoder lives while the first is heard
    quiet = ["-f", "lavfi", "-t", "620", "-i", "anullsrc=r=16000:cl=mono", "-i", str(clip)]
    joined = ["-filter_complex", "[0:a][1:a]concat=n=2:v=0:a=1", "-c:a", "aac", str(talk)]
    subprocess.run([ffmpeg_exe(), "-nostdin", "-v", "error", "-y", *quiet, *joined], check=True)
    out = tmp_path / "draft"
    cmd = python_cli("draft", str(talk), "--no-cache", "--beam-size", "1", "--out", str(out), *FORMATS)
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    proc = subprocess.Popen(
        cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
        preexec_fn=ignore_sigint, start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    try:
        while proc.poll() is None and time.monotonic() < deadline:  # the group's SIGINT, again and again
            os.killpg(proc.pid, signal.SIGINT)
            time.sleep(0.05)
        _, stderr = proc.communicate(timeout=600)
    finally:
        proc.kill()
    assert proc.returncode == 0, stderr
    assert json.loads((out / "draft.json").read_text(encoding="utf-8"))["sections"]


# Calls the report's line writer with stdout raising the given errno, as a closed terminal (EIO) does.
SAY_DRIVER = r"""
import errno, sys, typer
import video2blog.cli as cli
def echo(text, *args, **kwargs):
    raise OSError(getattr(errno, sys.argv[1]), "write failed")
typer.echo = echo
cli._say("Drafted")
print("went on", file=sys.stderr)
"""


def test_a_terminal_closed_while_the_report_prints_ends_the_report_quietly() -> None:
    """A write of the report that fails with EIO (the terminal closed) is a reader gone, like a broken pipe:
    no traceback; any other failed write is still an error."""
    gone = subprocess.run(
        [sys.executable, "-c", SAY_DRIVER, "EIO"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert gone.returncode == 0, gone.stderr
    assert "went on" in gone.stderr and "Traceback" not in gone.stderr
    full = subprocess.run(
        [sys.executable, "-c", SAY_DRIVER, "ENOSPC"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert full.returncode != 0 and "No space" not in full.stdout and "went on" not in full.stderr
