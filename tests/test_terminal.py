"""The installed ``video2blog`` command as a person runs it: at a terminal (a real pseudo-terminal), and
in a pipe or log. The terminal shows a live display (the stages, then the transcription bar); a pipe
gets plain lines, one per stage; either way the draft is on disk and no traceback is printed.

Bad input typed at the terminal ends in one clear line and a non-zero exit, and loses nothing.
"""

from __future__ import annotations

import json
import logging
import os
import pty
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest

from tests.conftest import PROGRESS_LINE, default_signals, make_transcript, run_ffmpeg, without_progress
from video2blog.pipeline import __version__
from video2blog.pipeline.output import folder_lock
from video2blog.pipeline.progress import milestones
from video2blog.pipeline.serialize import transcript_to_dict

pexpect = pytest.importorskip(
    "pexpect", reason="needs pexpect (in the 'test' extra): bash scripts/test.sh installs it"
)

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "ketamine-pain.mp4"
CLI = Path(sys.executable).parent / "video2blog"  # the console script installed beside this Python
TALK = (
    "What is ketamine used for? It treats nerve pain that has lasted for months and resisted other drugs. "
    "How long does the relief last? Most patients feel better within hours, and it can last for weeks."
)
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
BAR = re.compile(r"\d+:\d\d/\d+:\d\d")  # the transcription bar's "0:04/0:08"
FAST = ["--beam-size", "1"]
STAGES = ("reading", "loading the faster-whisper model", "transcribing", "finding sentences", "writing")


@pytest.fixture(scope="module", autouse=True)
def installed() -> None:
    if not CLI.exists():
        pytest.skip(f"needs the installed console command {CLI}: bash scripts/test.sh installs it (pip -e .)")


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The four kinds of input a person drafts from: a short video clip, its audio, captions, a transcript."""
    d = tmp_path_factory.mktemp("inputs")
    video, audio = d / "clip.mp4", d / "clip.m4a"
    cut = ["-ss", "10", "-t", "8", "-i", str(SAMPLE)]
    run_ffmpeg(*cut, "-vf", "scale=160:90", "-c:v", "mpeg4", "-c:a", "aac", str(video))
    run_ffmpeg(*cut, "-vn", "-c:a", "aac", str(audio))
    srt = d / "talk.srt"
    srt.write_text(
        "1\n00:00:00,000 --> 00:00:04,000\nWhat is ketamine used for?\n\n"
        "2\n00:00:04,000 --> 00:00:09,500\nIt treats nerve pain that has lasted for months.\n\n"
        "3\n00:00:09,500 --> 00:00:14,000\nHow long does the relief last? Often weeks.\n",
        encoding="utf-8",
    )
    transcript = d / "transcript.json"
    transcript.write_text(json.dumps(transcript_to_dict(make_transcript(TALK))), encoding="utf-8")
    return {"video": video, "audio": audio, "srt": srt, "json": transcript}


def in_terminal(
    *args: str, timeout: float = 240, cwd: Path = ROOT, term: str = "xterm-256color", columns: int = 120
) -> tuple[int, str]:
    """Run the installed command in a pseudo-terminal until it ends; its exit status and what it showed."""
    child = pexpect.spawn(
        str(CLI),
        list(args),
        cwd=str(cwd),
        dimensions=(30, columns),
        timeout=timeout,
        encoding="utf-8",
        env={**os.environ, "TERM": term, "COLUMNS": str(columns)},
        preexec_fn=default_signals,
    )
    child.expect(pexpect.EOF)
    child.close()
    return child.exitstatus if child.exitstatus is not None else -child.signalstatus, child.before


def in_pipe(*args: str, timeout: float = 240) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(CLI), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        preexec_fn=default_signals,
    )


def screen(raw: str) -> str:
    """What the terminal received, less its escape sequences, one redraw a line."""
    return ANSI.sub("", raw).replace("\r\n", "\n").replace("\r", "\n")


def visible(raw: str) -> list[str]:
    """The non-blank lines left on the screen once the command ended: a live display that erased itself
    is gone (a small terminal: carriage return, newline, erase line, cursor up; other codes ignored)."""
    rows, row, col = [""], 0, 0
    for token in re.split(r"(\x1b\[[0-9;?]*[A-Za-z]|\r|\n)", raw):
        if token == "\r":
            col = 0
        elif token == "\n":
            row, col = row + 1, 0
            rows.extend([""] * (row + 1 - len(rows)))
        elif token.startswith("\x1b["):
            code, n = token[-1], int(token[2:-1] or 1) if token[2:-1].isdigit() else 1
            if code == "K":
                rows[row] = rows[row][:col] if token[2:-1] in ("", "0") else ""
            elif code == "A":
                row = max(0, row - n)
        elif token:
            line = rows[row].ljust(col)
            rows[row], col = line[:col] + token + line[col + len(token) :], col + len(token)
    return [r.rstrip() for r in rows if r.strip()]


def redraws(raw: str) -> list[str]:
    """Each state of the live line, as drawn (rich redraws it after a carriage return and an erase)."""
    drawn = (ANSI.sub("", part).strip("\n") for part in re.split(r"\r|\x1b\[2K|\x1b\[1A", raw))
    return [line for line in drawn if line.strip()]


def assert_draft(out: Path) -> dict:
    draft = json.loads((out / "draft.json").read_text(encoding="utf-8"))
    assert draft["sections"] and (out / "post.md").read_text(encoding="utf-8").strip()
    return draft


def files_in(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()} if folder.is_dir() else {}


# -- draft and batch at a terminal -----------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["video", "audio"])
def test_draft_of_media_in_a_terminal_shows_the_stages_and_the_bar(inputs, tmp_path: Path, kind: str):
    out = tmp_path / "draft"
    status, raw = in_terminal("draft", str(inputs[kind]), "--out", str(out), "--no-cache", *FAST)
    shown = screen(raw)
    assert status == 0, shown
    assert "Traceback" not in shown and "Error" not in shown
    for stage in STAGES:
        assert stage in shown, (stage, shown)
    assert BAR.search(shown), shown
    assert "\x1b[" in raw  # a live display, drawn and redrawn
    assert f"into {out}" in shown
    assert assert_draft(out)["source"]["path"].endswith(inputs[kind].name)


@pytest.mark.slow
def test_a_narrow_terminal_keeps_the_audio_done_and_the_time_left(inputs, tmp_path: Path):
    """At 40 columns the input's full path took the line: "⠇ transcribing /work/main/samples/k… 0:2…",
    the audio done cut short, no time left. The line names the file, and its words give way first."""
    out = tmp_path / "draft"
    args = ("draft", str(inputs["video"]), "--out", str(out), "--no-cache", *FAST)
    status, raw = in_terminal(*args, columns=40)
    assert status == 0, screen(raw)
    drawn = redraws(raw)
    live = [line for line in drawn if not line.startswith(("Drafted", "Next:", "  "))]
    assert all(len(line) <= 40 for line in live), [line for line in live if len(line) > 40]
    assert [line for line in live if "reading clip.mp4 (0:08 of audio)" in line], live  # not the path
    assert [line for line in live if re.search(r"transcrib.* \d:\d\d/\d:\d\d \d:\d\d", line)], live


@pytest.mark.slow
def test_stages_after_transcription_show_no_stale_bar_or_time_left(inputs, tmp_path: Path):
    """Reading the text on screen and finding sections kept the finished transcription's bar and its
    "~0:00 left": the user read "nothing left" as the longest stage began. A stage without progress of
    its own shows the spinner and the time taken, nothing more."""
    out = tmp_path / "draft"
    status, raw = in_terminal("draft", str(inputs["video"]), "--out", str(out), "--no-cache", *FAST)
    assert status == 0, screen(raw)
    after = [line for line in redraws(raw) if "text on screen" in line or "finding sentences" in line]
    assert after, screen(raw)
    stale = [line for line in after if "left" in line or "━" in line or BAR.search(line)]
    assert not stale, stale


@pytest.mark.parametrize("kind", ["srt", "json"])
def test_draft_of_a_transcript_in_a_terminal(inputs, tmp_path: Path, kind: str):
    out = tmp_path / "draft"
    status, raw = in_terminal("draft", str(inputs[kind]), "--out", str(out))
    shown = screen(raw)
    assert status == 0, shown
    assert "Traceback" not in shown
    assert "finding sentences and sections" in shown and "writing" in shown
    assert "wrote" in shown and str(out / "post.md") in shown
    assert_draft(out)


@pytest.mark.slow
def test_batch_in_a_terminal(inputs, tmp_path: Path):
    videos, out = tmp_path / "videos", tmp_path / "drafts"
    videos.mkdir()
    for name in ("video", "srt"):
        (videos / inputs[name].name).write_bytes(inputs[name].read_bytes())
    args = ["batch", str(videos), "--out", str(out), "--pattern", "*.mp4", "--pattern", "*.srt", *FAST]
    status, raw = in_terminal(*args)
    shown = screen(raw)
    assert status == 0, shown
    assert "Traceback" not in shown
    assert "transcribing clip.mp4" in shown and BAR.search(shown), shown  # the video's own bar
    assert "finding sentences" in shown
    assert re.search(r"\[2/2\] drafted", shown) and "Batch of 2" in shown, shown
    assert_draft(out / "clip") and assert_draft(out / "talk")


# -- in a pipe: plain lines ------------------------------------------------------------------------------


@pytest.mark.slow
def test_draft_in_a_pipe_prints_a_plain_line_per_stage(inputs, tmp_path: Path):
    out = tmp_path / "draft"
    proc = in_pipe("draft", str(inputs["audio"]), "--out", str(out), "--no-cache", *FAST)
    assert proc.returncode == 0, proc.stderr
    assert "\x1b" not in proc.stderr + proc.stdout  # no display codes in a log
    lines = proc.stderr.splitlines()
    assert lines and all(PROGRESS_LINE.match(line) for line in lines), proc.stderr
    said = " | ".join(lines)
    positions = [said.find(stage) for stage in STAGES]
    assert -1 not in positions and positions == sorted(positions), said
    assert proc.stdout.startswith("Drafted ")
    assert_draft(out)


def test_a_terminal_that_cannot_redraw_a_line_gets_a_plain_line_per_stage(inputs, tmp_path: Path):
    """TERM=dumb (Emacs' shell, some CI runners): a live display would show nothing at all."""
    status, raw = in_terminal(
        "draft", str(inputs["audio"]), "--out", str(tmp_path / "d"), "--no-cache", *FAST, term="dumb"
    )
    assert status == 0, raw
    said = " | ".join(line for line in screen(raw).splitlines() if PROGRESS_LINE.match(line))
    positions = [said.find(stage) for stage in STAGES]
    assert -1 not in positions and positions == sorted(positions), raw


def test_a_draft_with_its_error_stream_closed_still_drafts(inputs, tmp_path: Path):
    """A launcher that starts the command with its error stream closed (``2>&-``) gets the draft; the
    command had failed on its first progress line, without a word."""
    out = tmp_path / "draft"
    proc = subprocess.run(
        [str(CLI), "draft", str(inputs["json"]), "--out", str(out)],
        stdout=subprocess.PIPE,
        text=True,
        timeout=240,
        preexec_fn=lambda: os.close(2),
    )
    assert proc.returncode == 0 and proc.stdout.startswith("Drafted "), proc.stdout
    assert (out / "post.md").is_file()


def test_a_report_to_a_full_disk_is_one_line_and_the_draft_is_written(inputs, tmp_path: Path):
    out = tmp_path / "draft"
    with open("/dev/full", "w") as full:
        proc = subprocess.run(
            [str(CLI), "draft", str(inputs["json"]), "--out", str(out)],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=240,
        )
    assert proc.returncode == 1
    assert (
        proc.stderr.splitlines()[-1] == "video2blog: error: cannot write its report (No space left on device)"
    )
    assert "Traceback" not in proc.stderr
    assert (out / "post.md").is_file()


def test_a_cache_that_cannot_be_written_is_said_once_with_what_to_do(inputs, tmp_path: Path):
    """A home where nothing can be written (a read-only container): the draft is made, and the log says
    once which cache could not be kept and how to skip or move it (it had said so nine times)."""
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    env = {**os.environ, "XDG_CACHE_HOME": str(blocker / "cache"), "HOME": str(blocker)}
    out = tmp_path / "draft"
    proc = subprocess.run(
        [str(CLI), "draft", str(inputs["audio"]), "--out", str(out), *FAST],
        capture_output=True,
        text=True,
        timeout=240,
        env=env,
    )
    assert proc.returncode == 0, proc.stderr
    said = [line for line in proc.stderr.splitlines() if line.startswith("video2blog: warning: cannot")]
    assert len(said) == 1 and "--no-cache" in said[0] and "XDG_CACHE_HOME" in said[0], proc.stderr
    assert (out / "post.md").is_file()


def test_a_draft_says_its_title_as_written_and_what_to_do_next(tmp_path: Path):
    """The title was printed as Python writes a string (its quotes changed with the title's own, with
    backslashes where it held both), and nothing said that the draft wants reviewing next."""
    talk = tmp_path / "transcript.json"
    said = "What's the \"ketamine drip\" like? It's a slow infusion over forty minutes, in a quiet room."
    talk.write_text(json.dumps(transcript_to_dict(make_transcript(said))), encoding="utf-8")
    out = tmp_path / "my drafts" / "ketamine"
    proc = in_pipe("draft", str(talk), "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    title = assert_draft(out)["title"]
    lines = proc.stdout.splitlines()
    assert lines[0].startswith(f'Drafted "{title}" (1 section) into {out}'), lines[0]
    assert lines[-1] == f"Next: video2blog review '{out}'  (check it beside the video)", lines


def test_verbose_adds_detail_to_the_log_without_repeating_each_stage(inputs, tmp_path: Path):
    """-v printed every stage twice in a log: "[0:00] reading ..." and "INFO video2blog.pipeline.run:
    reading ..."."""
    proc = in_pipe("draft", str(inputs["srt"]), "--out", str(tmp_path / "d"), "-v")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stderr.splitlines()
    stages = tuple(line.split("] ", 1)[1] for line in lines if PROGRESS_LINE.match(line))
    assert stages and len([line for line in lines if line.endswith(stages)]) == len(stages), proc.stderr


def test_quiet_leaves_only_the_report(inputs, tmp_path: Path):
    """There was no --quiet ("No such option: --quiet (Possible options: --out)"): a script's only way to
    silence the progress was 2>/dev/null, which hid the one-line errors too."""
    proc = in_pipe("draft", str(inputs["srt"]), "--out", str(tmp_path / "d"), "--quiet")
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr
    assert proc.stdout.startswith("Drafted ")
    missing = in_pipe("draft", str(tmp_path / "gone.srt"), "--out", str(tmp_path / "e"), "-q")
    assert_one_error(missing, "gone.srt")


def test_draft_of_a_transcript_in_a_pipe(inputs, tmp_path: Path):
    out = tmp_path / "draft"
    proc = in_pipe("draft", str(inputs["srt"]), "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    assert re.search(r"^\[0:\d\d\] read .*talk\.srt: \d+ words$", proc.stderr, re.M), proc.stderr
    assert "finding sentences" in proc.stderr and "writing" in proc.stderr
    assert without_progress(proc.stderr) == ""
    assert_draft(out)


def test_batch_in_a_pipe_prints_a_line_per_stage_and_per_video(inputs, tmp_path: Path):
    videos, out = tmp_path / "videos", tmp_path / "drafts"
    videos.mkdir()
    for name in ("srt", "json"):
        (videos / inputs[name].name).write_bytes(inputs[name].read_bytes())
    proc = in_pipe("batch", str(videos), "--out", str(out), "--pattern", "*.srt", "--pattern", "*.json")
    assert proc.returncode == 0, proc.stderr
    assert "\x1b" not in proc.stderr
    assert re.search(r"^\[0:\d\d\] \[1/2\] drafted ", proc.stderr, re.M), proc.stderr
    assert re.search(r"^\[0:\d\d\] \[2/2\] drafted ", proc.stderr, re.M), proc.stderr
    assert proc.stderr.count("finding sentences") == 2
    assert_draft(out / "talk") and assert_draft(out / "transcript")


def test_a_long_stage_is_never_silent_in_a_log(capsys: pytest.CaptureFixture[str]):
    from video2blog.display import PlainLines

    with PlainLines(lambda: "transcribing talk.mp4 (3:20 of 12:50 done)", every=0.2) as lines:
        lines.line("transcribing talk.mp4")
        time.sleep(1.0)
    said = capsys.readouterr().err.splitlines()
    assert said[0] == "[0:00] transcribing talk.mp4"
    # The last reminder may come as the clock reaches one second.
    still = re.compile(r"\[0:0[01]\] still transcribing talk\.mp4 \(3:20 of 12:50 done\)")
    assert 2 <= len(said) <= 6 and all(still.fullmatch(s) for s in said[1:]), said


def test_transcription_reports_every_ten_minutes_of_audio(caplog: pytest.LogCaptureFixture):
    seen: list[tuple[float, float]] = []
    log = logging.getLogger("video2blog.pipeline.x")
    forward = milestones(lambda d, t: seen.append((d, t)), log, "t.mp4")
    with caplog.at_level(logging.INFO, logger="video2blog.pipeline"):
        for second in range(0, 3001, 7):
            forward(float(second), 3000.0)
    said = [r.getMessage() for r in caplog.records]
    assert said == [f"transcribed {at} of 50:00: t.mp4" for at in ("10:02", "20:04", "30:06", "40:01")]
    assert len(seen) == len(range(0, 3001, 7))  # the display's own callback still gets every report


def test_a_log_line_of_ten_minutes_heard_says_about_how_long_is_left(capsys: pytest.CaptureFixture[str]):
    """An hour-long webinar said only how much was heard: now, at the pace so far, how long is left."""
    from video2blog.display import DraftDisplay

    display = DraftDisplay(Path("webinar.mp4"), mode="plain")
    with display:
        display.progress(1.0, 3000.0)
        time.sleep(0.5)
        display.progress(600.0, 3000.0)
        display.stage("transcribe", "transcribed 10:00 of 50:00: webinar.mp4")
    said = [line for line in capsys.readouterr().err.splitlines() if "transcribed" in line]
    line = r"\[0:\d\d\] transcribed 10:00 of 50:00: webinar\.mp4 \(about 0:(\d\d) left\)"
    left = re.fullmatch(line, said[0])
    assert left and int(left.group(1)) >= 1, said  # four times what ten minutes took (half a second or more)


def test_a_slow_window_counts_down_then_says_what_is_being_heard(monkeypatch: pytest.MonkeyPatch):
    """openai-whisper reports once per 30 s window: the line sat at 1:19/1:48 for minutes while its "~left"
    grew (2:42 and rising), so a slow run could not be told from a hung one."""
    from video2blog import display as shown

    clock = [0.0]
    monkeypatch.setattr(shown, "time", SimpleNamespace(monotonic=lambda: clock[0]))  # the display's clock
    display = shown.DraftDisplay(Path("talk.mp4"), mode="quiet")
    display.stage("transcribe", "transcribing talk.mp4")
    times = []
    for at, done in ((0, 0.0), (150, 29.0), (300, 59.0), (449, 79.0)):  # the engine's reports: a fake feed
        clock[0] = at
        display.progress(done, 108.0)
    for at in (449, 500, 600, 700, 900):  # then nothing is reported for minutes
        clock[0] = at
        times.append(display._parts()[2])
    left = [re.search(r"~(\d+):(\d\d) left", t) for t in times]
    seconds = [int(m[1]) * 60 + int(m[2]) for m in left if m]
    assert seconds == sorted(seconds, reverse=True) and len(set(seconds)) == len(seconds), times
    assert seconds[0] == 164  # 449 s for 79 s of audio: 2:44 for the 29 s left
    assert times[-1] == "1:19/1:48 15:00 working on 1:19-1:48", times
    assert display._doing() == "transcribing talk.mp4 (1:19 of 1:48 done, working on 1:19-1:48)"  # in a log
    clock[0] = 910
    display.progress(108.0, 108.0)
    assert display._parts()[2] == "1:48/1:48 15:10"


def test_a_batchs_line_keeps_its_stage_while_the_videos_own_bar_counts_the_audio():
    """The batch's line said "transcribed 20:01 of 56:10" while the video's bar under it said 28:04."""
    from video2blog.display import BatchDisplay

    with BatchDisplay(mode="live") as display:
        display.current["talk.mp4"] = "talk.mp4"
        display.stage("transcribe", "transcribing talk.mp4")
        display.transcribed(1300.0, 3370.0, "talk.mp4")
        display.stage("transcribe", "transcribed 20:01 of 56:10: talk.mp4")
        lines = [task.description for task in display.bar.tasks]
    assert lines[0] == "talk.mp4: transcribing talk.mp4" and "transcribing talk.mp4" in lines[1], lines


# -- clear one-line errors -------------------------------------------------------------------------------


def test_version_in_a_terminal():
    status, raw = in_terminal("--version", timeout=60)
    lines = screen(raw).strip().splitlines()
    assert status == 0 and lines[0] == f"video2blog {__version__}"
    assert lines[1].startswith("ffmpeg version ")  # the ffmpeg that decodes is one of the settings


def assert_one_error(proc: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert proc.returncode != 0 and proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("video2blog: error: "), proc.stderr
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])


@pytest.mark.parametrize(
    "url", ["https://example.com/talk.mp4", "http://clinic.test/v?id=3", "www.youtube.com/x"]
)
def test_a_url_is_refused_with_what_to_do(url: str, tmp_path: Path):
    proc = in_pipe("draft", url, "--out", str(tmp_path / "d"))
    assert_one_error(proc, url, "video2blog reads local files; download it first (for example with yt-dlp)")
    assert not (tmp_path / "d").exists()


def test_a_url_as_batch_folder_is_refused(tmp_path: Path):
    proc = in_pipe("batch", "https://example.com/videos/", "--out", str(tmp_path / "d"))
    assert_one_error(proc, "https://example.com/videos", "video2blog reads local files")


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"words": 3}, '"words" is 3, not a list'),
        ([1, 2], "the file holds a list"),
        ({"text": "hello"}, 'it has no "words" list'),
        ({"words": [5]}, "words[0] is 5, not an object"),
        (
            {"words": [{"text": "a", "start": 0, "end": 1}, {"text": "b", "start": "soon", "end": 2}]},
            'words[1].start is "soon", not a number',
        ),
        ({"words": [{"text": "a", "start": 0}]}, 'words[0] has no "end"'),
        (
            {
                "words": [{"text": "a", "start": 0, "end": 1}],
                "sentences": [{"text": "a", "start": 0, "end": 1, "words": 7}],
            },
            "sentences[0].words is 7, not a list",
        ),
        ({"words": [{"text": "a", "start": 0, "end": 1}], "duration": "long"}, 'duration is "long"'),
    ],
)
def test_a_transcript_of_the_wrong_shape_names_the_field(tmp_path: Path, data: object, field: str):
    path = tmp_path / "transcript.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    proc = in_pipe("draft", str(path), "--out", str(tmp_path / "d"))
    assert_one_error(proc, str(path), "is not a video2blog transcript.json", field)
    assert "object is not" not in proc.stderr and not (tmp_path / "d").exists()


# -- two runs into one folder ----------------------------------------------------------------------------


@pytest.mark.slow
def test_a_second_draft_into_the_same_folder_is_refused_while_the_first_runs(inputs, tmp_path: Path):
    out = tmp_path / "draft"
    first = subprocess.Popen(
        [str(CLI), "draft", str(SAMPLE), "--out", str(out), "--no-cache", *FAST],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=default_signals,
    )
    try:
        assert first.stderr is not None
        for line in wait_for_line(first.stderr, "transcribing", 180):
            assert "error" not in line, line
        second = in_pipe("draft", str(inputs["json"]), "--out", str(out))
        assert_one_error(second, str(out), "another video2blog run is writing into this folder")
        assert first.poll() is None, "the first run ended before the second was tried"
        first.send_signal(signal.SIGINT)
        assert first.wait(timeout=60) == 130
    finally:
        first.kill()
        first.wait(timeout=30)
    assert files_in(out) == {}  # the interrupted first draft left nothing; the refused second wrote nothing
    again = in_pipe("draft", str(inputs["json"]), "--out", str(out))  # the lock went with the first run
    assert again.returncode == 0, again.stderr
    assert_draft(out)


def wait_for_line(stream, needle: str, timeout: float) -> Iterator[str]:
    """The lines of ``stream`` up to the first holding ``needle`` (which must come within ``timeout`` s)."""
    deadline = time.monotonic() + timeout
    for line in stream:
        yield line
        if needle in line:
            return
        assert time.monotonic() < deadline, f"no {needle!r} within {timeout} s"
    raise AssertionError(f"the run ended before {needle!r}")


def test_a_draft_into_a_folder_a_batch_holds_is_refused(inputs, tmp_path: Path):
    out = tmp_path / "drafts"
    with folder_lock(out, busy="another batch is writing into this folder; wait for it to end"):
        proc = in_pipe("draft", str(inputs["json"]), "--out", str(out))
    assert_one_error(proc, str(out), "another video2blog run is writing into this folder")
    assert files_in(out) == {}


# -- more bad input at the terminal ----------------------------------------------------------------------


def test_bad_output_folders_in_a_terminal(inputs, tmp_path: Path):
    blocker = tmp_path / "notes.txt"
    blocker.write_text("someone's notes")
    cases = [
        (blocker, "is a file, not a folder; choose another with --out"),
        (blocker / "draft", "cannot create the output folder (Not a directory)"),
        (Path("/proc/video2blog-test/draft"), "cannot create the output folder"),
        (tmp_path / ("b" * 300), "cannot create the output folder (File name too long)"),
    ]
    for out, message in cases:
        status, raw = in_terminal("draft", str(inputs["json"]), "--out", str(out), timeout=60)
        lines = visible(raw)
        assert status == 1 and len(lines) == 1, raw
        assert lines[0].startswith(f"video2blog: error: {out}: ") and message in lines[0], lines
    assert blocker.read_text() == "someone's notes"


def test_a_template_folder_that_is_not_one_is_a_usage_error(inputs, tmp_path: Path):
    for given in (inputs["srt"], tmp_path / "no-such-templates"):
        out = ["--out", str(tmp_path / "d")]
        proc = in_pipe("draft", str(inputs["srt"]), *out, "--template-dir", str(given))
        assert proc.returncode == 2
        assert_one_error(proc, str(given), "--template-dir must be a folder holding your templates")
    assert not (tmp_path / "d").exists()


def test_odd_names_in_a_terminal(inputs, tmp_path: Path):
    odd = tmp_path / "-Dr Müller névralgie ケタミン (1).srt"
    odd.write_bytes(inputs["srt"].read_bytes())
    out = tmp_path / "brouillons été" / "-草稿 1"
    status, raw = in_terminal("draft", f"./{odd.name}", "--out", str(out), cwd=tmp_path, timeout=60)
    assert status == 0, screen(raw)
    assert_draft(out)
    newline = tmp_path / "two\nlines.srt"
    status, raw = in_terminal("draft", str(newline), "--out", str(tmp_path / "d"), timeout=60)
    lines = visible(raw)
    assert status == 1 and len(lines) == 1 and "two\\nlines.srt" in lines[0], raw
    missing = tmp_path / "missing.mp4"
    status, raw = in_terminal("draft", str(missing), "--out", str(tmp_path / "d"), timeout=60)
    lines = visible(raw)
    assert status == 1 and len(lines) == 1 and "missing.mp4" in lines[0], raw


@pytest.mark.slow
def test_ctrl_c_in_a_terminal_keeps_the_previous_draft(inputs, tmp_path: Path):
    out = tmp_path / "draft"
    status, _ = in_terminal("draft", str(inputs["json"]), "--out", str(out), timeout=60)
    assert status == 0
    before = files_in(out)
    child = pexpect.spawn(
        str(CLI),
        ["draft", str(SAMPLE), "--out", str(out), "--no-cache", *FAST],
        cwd=str(ROOT),
        dimensions=(30, 120),
        timeout=180,
        encoding="utf-8",
        preexec_fn=default_signals,
    )
    child.expect(BAR.pattern)  # transcribing: the bar shows how far
    child.sendintr()  # Ctrl-C, through the terminal's line discipline
    child.expect(pexpect.EOF)
    child.close()
    shown = screen(child.before)
    assert child.exitstatus == 130, shown
    assert "Traceback" not in shown
    assert visible(child.before)[-1] == (
        "video2blog: interrupted; finished files were kept, nothing half-written"
    )
    assert files_in(out) == before


@pytest.mark.slow
def test_closing_the_terminal_ends_the_run_cleanly(inputs, tmp_path: Path):
    """Closing the terminal window (SIGHUP, then a terminal that cannot be written to) killed the run
    outright: no clean-up, the draft's staged files left hidden in the folder. Now it ends as SIGTERM
    does, with 129, and leaves the folder as it found it."""
    out = tmp_path / "draft"
    pid, terminal = pty.fork()
    if pid == 0:  # the child: the command, in a terminal of its own
        default_signals()
        os.execv(str(CLI), [str(CLI), "draft", str(inputs["video"]), "--out", str(out), "--no-cache", *FAST])
    shown = b""
    while b"transcribing" not in shown:  # mid-run: the recogniser is at work
        shown += os.read(terminal, 4096)
    os.close(terminal)  # the window closed
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 129, shown
    assert files_in(out) == {}  # nothing half-written, nothing staged left behind
    again = in_pipe("draft", str(inputs["json"]), "--out", str(out))  # the lock went with the run
    assert again.returncode == 0, again.stderr


# Runs the CLI with a Ctrl-C sent to itself as the live display begins to stop.
STOP_DRIVER = r"""
import os, signal, sys
from rich.live import Live
real_stop = Live.stop
def stop(self):
    os.kill(os.getpid(), signal.SIGINT)
    real_stop(self)
Live.stop = stop
from video2blog.cli import app
app(sys.argv[1:], prog_name="video2blog")
"""


def test_ctrl_c_as_the_display_closes_leaves_the_terminal_as_it_was(inputs, tmp_path: Path):
    """A Ctrl-C inside the live display's stop left the cursor hidden and glued "interrupted" to the
    progress line, though the draft was complete. The display closes whole and the report follows."""
    out = tmp_path / "draft"
    child = pexpect.spawn(
        sys.executable,
        ["-c", STOP_DRIVER, "draft", str(inputs["srt"]), "--out", str(out)],
        cwd=str(ROOT),
        dimensions=(30, 120),
        timeout=120,
        encoding="utf-8",
        preexec_fn=default_signals,
    )
    child.expect(pexpect.EOF)
    child.close()
    raw = child.before
    assert child.exitstatus == 0, screen(raw)
    assert raw.rfind("\x1b[?25h") > raw.rfind("\x1b[?25l"), raw  # the cursor shown again
    assert visible(raw)[0].startswith("Drafted "), visible(raw)
    assert_draft(out)


# -- test hygiene ----------------------------------------------------------------------------------------


def test_tests_never_touch_the_users_own_cache(scratch_home: Path):
    import pwd

    from video2blog.cli import default_cache_dir

    own_home = Path(pwd.getpwuid(os.getuid()).pw_dir)
    assert Path.home() == scratch_home != own_home
    assert default_cache_dir().is_relative_to(scratch_home)
    assert not default_cache_dir().is_relative_to(own_home)


def test_a_warning_reads_like_the_commands_other_lines_in_a_pipe(inputs, tmp_path: Path):
    # a draft folder whose video has gone: its transcript.json still drafts, with a warning saying so
    folder = tmp_path / "draft"
    assert in_pipe("draft", str(inputs["json"]), "--out", str(folder)).returncode == 0
    recorded = json.loads((folder / "draft.json").read_text())
    recorded["source"] = {"path": str(tmp_path / "gone.mp4"), "sha256": "0" * 64, "duration": 30.0}
    (folder / "draft.json").write_text(json.dumps(recorded))
    proc = in_pipe("draft", str(folder / "transcript.json"), "--out", str(folder))
    assert proc.returncode == 0, proc.stderr
    lines = without_progress(proc.stderr).splitlines()
    gone = tmp_path / "gone.mp4"
    assert [line for line in lines if line.startswith("video2blog:")] == [
        f"video2blog: warning: {folder / 'transcript.json'}: the media it was heard from ({gone}) "
        "is not there: the draft has no player, pictures or text on screen"
    ]
    assert not [line for line in lines if line.startswith("WARNING")]
