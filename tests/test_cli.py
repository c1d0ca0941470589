"""The command line, through Typer's CliRunner: one clear line and an exit status for bad input."""

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

import video2blog.cli as cli_module
from video2blog.cli import app

runner = CliRunner()


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("missing.mp4", "no such file"),
        ("notes.mp4", "is not a media file"),
        ("empty.mp4", "is empty"),
        ("noaudio.mp4", "has no audio stream"),
    ],
)
def test_bad_input_gives_one_line_and_leaves_no_output(media_dir, tmp_path, name, message):
    out = tmp_path / "draft"
    result = runner.invoke(app, ["draft", str(media_dir / name), "--out", str(out)])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and message in lines[0] and str(media_dir / name) in lines[0]
    assert "Traceback" not in result.output
    assert not out.exists()


def test_folder_given_to_draft(media_dir, tmp_path):
    result = runner.invoke(app, ["draft", str(media_dir), "--out", str(tmp_path / "d")])
    assert result.exit_code == 1
    assert "is a folder" in result.output


def test_unwritable_output_folder(media_dir, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = runner.invoke(app, ["draft", str(media_dir / "tone.wav"), "--out", str(blocker / "d")])
    assert result.exit_code == 1
    assert "cannot create the output folder" in result.output


def test_unknown_format_and_engine_are_usage_errors(media_dir, tmp_path):
    result = runner.invoke(app, ["draft", str(media_dir / "tone.wav"), "--formats", "md,pdf"])
    assert result.exit_code == 2 and "unknown format pdf" in result.output
    result = runner.invoke(
        app, ["draft", str(media_dir / "tone.wav"), "--out", str(tmp_path / "d"), "--engine", "nope"]
    )
    assert result.exit_code == 2 and "unknown engine 'nope'" in result.output


@pytest.mark.parametrize("formats", ["", " , "])
def test_an_empty_formats_list_is_a_usage_error_not_every_format(media_dir, tmp_path, formats):
    """`--formats ''` (a variable left empty in a script) wrote every format, silently."""
    out = tmp_path / "d"
    result = runner.invoke(
        app, ["draft", str(media_dir / "tone.wav"), "--out", str(out), "--formats", formats]
    )
    assert result.exit_code == 2 and not out.exists()
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "--formats names no format; choose from: md, html" in lines[0], result.output


@pytest.mark.parametrize(
    ("option", "value"),
    [("--beam-size", "0"), ("--beam-size", "-1"), ("--threads", "-3"), ("--llm-timeout", "-1")],
)
def test_a_number_out_of_range_is_a_usage_error_before_anything_runs(media_dir, tmp_path, option, value):
    # faster-whisper answered a beam of 0 with its own traceback, after the media was read
    out = tmp_path / "d"
    result = runner.invoke(app, ["draft", str(media_dir / "tone.wav"), "--out", str(out), option, value])
    assert result.exit_code == 2 and option in result.output
    assert "Traceback" not in result.output and not out.exists()


def test_missing_glossary_is_a_usage_error(media_dir, tmp_path):
    result = runner.invoke(
        app, ["draft", str(media_dir / "tone.wav"), "--glossary", str(tmp_path / "no.txt")]
    )
    assert result.exit_code == 2 and "cannot read the glossary" in result.output


def test_formats_command_lists_outputs():
    result = runner.invoke(app, ["formats"])
    assert result.exit_code == 0
    assert "post.md" in result.output and "captions.vtt" in result.output


def test_an_interrupt_landing_in_a_finalizer_is_delivered_after_it() -> None:
    """Ctrl-C raised inside a __del__ would be printed as "Exception ignored" and lost; it must still end
    the run as interrupted (exit 130), once the finalizer is done."""
    guard = cli_module._errors_to_exit()
    in_finalizer: list[bool] = []

    class Late:
        def __del__(self) -> None:
            guard._on_signal(signal.SIGINT, sys._getframe())  # as if Ctrl-C came while this ran
            in_finalizer.append(True)  # reached: nothing was raised inside the finalizer

    with pytest.raises(typer.Exit) as ended, guard:
        Late()  # dropped at once, so its __del__ runs here
        time.sleep(2)  # the interrupt is delivered again during this
    assert in_finalizer == [True] and ended.value.exit_code == 130
    assert signal.getsignal(signal.SIGALRM) in (signal.SIG_DFL, None)


def test_a_forced_redraft_removes_the_out_of_date_version_beside_an_edit_and_says_so(tmp_path, monkeypatch):
    from tests.conftest import make_transcript
    from video2blog.pipeline.serialize import to_json, transcript_to_dict

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    talk = tmp_path / "talk.json"
    text = "How long does an infusion take? " + "It takes about forty minutes in a quiet room. " * 4
    talk.write_bytes(to_json(transcript_to_dict(make_transcript(text))))
    out = tmp_path / "out"
    assert runner.invoke(app, ["draft", str(talk), "--out", str(out)]).exit_code == 0
    (out / "post.md").write_text((out / "post.md").read_text() + "\nThe editor's line.\n")
    kept = runner.invoke(app, ["draft", str(talk), "--out", str(out)])
    assert kept.exit_code == 0 and (out / "post.new.md").is_file()
    # the line names the file the new version went to (it said only "beside it")
    assert f"kept your edited {out / 'post.md'}; the new version is post.new.md beside it" in kept.output
    forced = runner.invoke(app, ["draft", str(talk), "--out", str(out), "--force"])
    assert forced.exit_code == 0 and not (out / "post.new.md").exists()
    assert f"removed the out-of-date {out / 'post.new.md'}" in forced.output


def test_a_batch_that_finds_nothing_says_what_it_looked_for(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "notes.txt").write_text("not a video")
    result = runner.invoke(app, ["batch", str(inbox), "--out", str(tmp_path / "drafts")])
    assert result.exit_code == 0  # an empty inbox is no failure for a job run unattended
    assert f"nothing to draft: no media file (video or audio) in {inbox}" in result.output


def test_publish_names_a_folder_that_is_no_draft_before_asking_for_the_password(tmp_path, monkeypatch):
    monkeypatch.delenv("VIDEO2BLOG_WP_PASSWORD", raising=False)
    args = ["publish", str(tmp_path), "--wordpress", "http://127.0.0.1:9", "--user", "bob"]
    result = runner.invoke(app, args)
    assert result.exit_code == 1
    assert (
        result.output.strip()
        == f"video2blog: error: {tmp_path}: is not a video2blog draft folder (no draft.json)"
    )
    result = runner.invoke(app, [*args, "--status", "live"])
    assert result.exit_code == 2 and "unknown status 'live'" in result.output
    gone = runner.invoke(app, ["publish", str(tmp_path / "no-such-draft"), *args[2:]])
    assert (gone.exit_code, gone.output.strip()) == (
        1,
        f"video2blog: error: {tmp_path / 'no-such-draft'}: does not exist or is not a folder; "
        "give a folder written by video2blog draft",
    )


def _without_root(command: list[str]) -> list[str]:
    """``command`` run without root's power to read any file (tests run as root in CI's containers)."""
    if os.geteuid() != 0:
        return command
    caps = "-dac_override,-dac_read_search"
    return ["setpriv", f"--bounding-set={caps}", f"--inh-caps={caps}", "--", *command]


@pytest.mark.parametrize("which", ["video", "glossary"])
def test_a_file_that_cannot_be_read_gives_one_line_not_a_usage_box(media_dir, tmp_path, which):
    """An input without read permission (a file copied off a phone as another user) is named in one
    line, as every other bad input is; Click's usage box had said "path ... is not readable"."""
    video, glossary = tmp_path / "tone.wav", tmp_path / "terms.txt"
    shutil.copy(media_dir / "tone.wav", video)
    glossary.write_text("ketamine\n", encoding="utf-8")
    locked = video if which == "video" else glossary
    locked.chmod(0)
    command = Path(sys.executable).with_name("video2blog")
    args = [str(command), "draft", str(video), "--glossary", str(glossary), "--out", str(tmp_path / "d")]
    done = subprocess.run(_without_root(args), capture_output=True, text=True, timeout=300)
    lines = done.stderr.strip().splitlines()
    assert done.returncode == (1 if which == "video" else 2), done.stderr
    assert len(lines) == 1 and str(locked) in lines[0] and "Permission denied" in lines[0], done.stderr
    assert not (tmp_path / "d").exists()


@pytest.mark.parametrize("command", ["review", "library", "publish"])
def test_a_folder_that_cannot_be_read_is_refused_before_anything_runs(tmp_path, command):
    folder = tmp_path / "draft"
    folder.mkdir()
    (folder / "draft.json").write_text("{}", encoding="utf-8")
    folder.chmod(0)
    extra = ["--wordpress", "https://clinic.example", "--user", "u"] if command == "publish" else []
    args = [str(Path(sys.executable).with_name("video2blog")), command, str(folder), *extra]
    done = subprocess.run(_without_root(args), capture_output=True, text=True, timeout=120)
    folder.chmod(0o700)
    said = " ".join(re.sub("[\u2500-\u257f]", " ", done.stderr).split())  # Click's box, wrapped anywhere
    assert done.returncode == 2 and "is not readable" in said, done.stderr
    assert "Traceback" not in done.stderr


def test_another_talk_is_not_drafted_over_a_reviewed_draft_unless_forced(jfk_path: Path, tmp_path: Path):
    """`video2blog draft intro.mp4` with the default --out after talk.mp4 was reviewed would replace the
    editor's work with a draft their edits do not fit: refused in one line, before any hearing; the same
    talk again, or --force, goes on."""
    from video2blog.pipeline.editing import store
    from video2blog.pipeline.editing.edits import Edit

    talk, other, out = tmp_path / "talk.flac", tmp_path / "intro.wav", tmp_path / "draft"
    shutil.copy(jfk_path, talk)
    from tests.conftest import run_ffmpeg

    run_ffmpeg("-i", str(jfk_path), "-t", "8", str(other))
    assert runner.invoke(app, ["draft", str(talk), "--out", str(out), "--formats", "md,json"]).exit_code == 0
    store.save(out, [Edit("heading", section=0, text="The editor's heading")], store.load(out).version, None)
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    refused = runner.invoke(app, ["draft", str(other), "--out", str(out), "--formats", "md,json"])
    assert refused.exit_code == 2, refused.output
    lines = refused.output.strip().splitlines()
    assert len(lines) == 1 and "holds the reviewed draft of talk.flac" in lines[0] and "--force" in lines[0]
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before
    again = runner.invoke(app, ["draft", str(talk), "--out", str(out), "--formats", "md,json"])
    assert again.exit_code == 0, again.output
    forced = runner.invoke(app, ["draft", str(other), "--out", str(out), "--formats", "md,json", "--force"])
    assert forced.exit_code == 0, forced.output
    assert "intro.wav" in (out / "post.md").read_text()


_TALK_A = "1\n00:00:00,000 --> 00:00:05,000\nHello, I am a doctor at the pain clinic.\n\n2\n00:00:05,500 --> \
00:00:15,000\nKetamine helps nerve pain, and we give it as an infusion over forty minutes.\n"
_TALK_B = "1\n00:00:00,000 --> 00:00:06,000\nWelcome to our knee clinic intro video.\n\n2\n00:00:06,500 --> \
00:00:14,000\nHow long does a knee replacement last? Most last twenty years.\n"


def test_another_talks_words_are_not_drafted_over_a_reviewed_draft(tmp_path: Path):
    """Another talk given as captions, or as another folder's transcript.json, replaced the reviewed draft
    (exit 0, "re-applied 0 of the editor's 1 saved edits"): refused as another media file is. Corrected
    captions of the same name, and the folder's own transcript.json, redraft as before."""
    from video2blog.pipeline.editing import store
    from video2blog.pipeline.editing.edits import Edit

    talk, intro, out, other = (tmp_path / name for name in ("talk.srt", "intro.srt", "draft", "o"))
    talk.write_text(_TALK_A, encoding="utf-8")
    intro.write_text(_TALK_B, encoding="utf-8")
    assert runner.invoke(app, ["draft", str(talk), "--out", str(out)]).exit_code == 0
    assert runner.invoke(app, ["draft", str(intro), "--out", str(other)]).exit_code == 0
    store.save(out, [Edit("heading", section=0, text="The editor's heading")], store.load(out).version, None)
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    for given in (intro, other / "transcript.json"):
        refused = runner.invoke(app, ["draft", str(given), "--out", str(out)])
        assert refused.exit_code == 2, refused.output
        lines = refused.output.strip().splitlines()
        assert len(lines) == 1 and "holds the reviewed draft of talk.srt" in lines[0], lines
        assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before
    talk.write_text(_TALK_A.replace("forty", "thirty"), encoding="utf-8")
    assert runner.invoke(app, ["draft", str(talk), "--out", str(out)]).exit_code == 0
    assert runner.invoke(app, ["draft", str(out / "transcript.json"), "--out", str(out)]).exit_code == 0


def test_the_same_talks_corrected_words_redraft_a_reviewed_draft(tmp_path: Path):
    """Corrected captions of the talk drafted here (talk.vtt for talk.srt, as talk.srt for talk.mp4) and
    the folder's transcript.json corrected in a copy of its own were refused as another talk, leaving
    only --force, which also replaces an editor's post.md."""
    from video2blog.pipeline.editing import store
    from video2blog.pipeline.editing.edits import Edit

    talk, out, copy = tmp_path / "talk.srt", tmp_path / "draft", tmp_path / "copy" / "transcript.json"
    talk.write_text(_TALK_A, encoding="utf-8")
    assert runner.invoke(app, ["draft", str(talk), "--out", str(out)]).exit_code == 0
    store.save(out, [Edit("heading", section=0, text="The editor's heading")], store.load(out).version, None)
    vtt = tmp_path / "talk.vtt"
    vtt.write_text(
        "WEBVTT\n\n" + _TALK_A.replace(",000", ".000").replace("forty", "thirty"), encoding="utf-8"
    )
    drafted = runner.invoke(app, ["draft", str(vtt), "--out", str(out)])
    assert drafted.exit_code == 0, drafted.output
    copy.parent.mkdir()
    copy.write_text((out / "transcript.json").read_text(encoding="utf-8").replace("thirty", "twenty"))
    drafted = runner.invoke(app, ["draft", str(copy), "--out", str(out)])
    assert drafted.exit_code == 0, drafted.output
    assert "twenty" in (out / "post.md").read_text(encoding="utf-8")


def _closed_stdout(*args: str) -> subprocess.CompletedProcess[str]:
    """The command run with a stdout whose reader has gone (``| head -1`` once it has its line)."""
    read, write = os.pipe()
    os.close(read)
    try:
        command = [str(Path(sys.executable).with_name("video2blog")), *args]
        return subprocess.run(command, stdout=write, stderr=subprocess.PIPE, text=True, timeout=300)
    finally:
        os.close(write)


def test_a_reader_that_stops_reading_is_no_error(tmp_path):
    """`video2blog formats | head -1` and `video2blog draft ... | head -1` ended with exit 1 and no word,
    the draft written: the report's reader went away, the work did not fail."""
    from tests.conftest import make_transcript
    from video2blog.pipeline.serialize import to_json, transcript_to_dict

    listed = _closed_stdout("formats")
    assert (listed.returncode, listed.stderr) == (0, "")
    talk, out = tmp_path / "talk.json", tmp_path / "out"
    talk.write_bytes(
        to_json(transcript_to_dict(make_transcript("It takes about forty minutes in a quiet room.")))
    )
    drafted = _closed_stdout("draft", str(talk), "--out", str(out))
    assert drafted.returncode == 0 and "error" not in drafted.stderr, drafted.stderr
    assert (out / "post.md").is_file() and (out / "draft.json").is_file()


@pytest.mark.parametrize("text", ["", "# the clinic's terms, to come\n\n"])
def test_a_glossary_of_no_terms_is_said_once(tmp_path, text):
    """An empty or comment-only --glossary (the wrong file, or one not yet filled) was taken silently."""
    from tests.conftest import make_transcript
    from video2blog.pipeline.serialize import to_json, transcript_to_dict

    talk, terms = tmp_path / "talk.json", tmp_path / "terms.txt"
    talk.write_bytes(
        to_json(transcript_to_dict(make_transcript("It takes about forty minutes in a quiet room.")))
    )
    terms.write_text(text, encoding="utf-8")
    command = [
        str(Path(sys.executable).with_name("video2blog")),
        "draft",
        str(talk),
        "--glossary",
        str(terms),
    ]
    done = subprocess.run(
        [*command, "--out", str(tmp_path / "d")], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    said = [line for line in done.stderr.splitlines() if line.startswith("video2blog:")]  # not progress
    warning = "holds no terms (one a line; '#' starts a comment): drafting without them"
    assert said == [f"video2blog: warning: {terms}: {warning}"]


def _help(*command: str) -> str:
    """A command's --help as one line of words (Rich's box and wrapping taken out)."""
    shown = runner.invoke(app, [*command, "--help"], env={"COLUMNS": "100"})
    assert shown.exit_code == 0, shown.output
    return " ".join(re.sub("[\u2500-\u257f]", " ", shown.output).split())


def test_related_is_told_as_what_it_does_for_each_command():
    """`draft --help` said --related closes "each post of a batch" with related ones; on draft it
    decides whether a redraft keeps the related posts a batch or library gave the talk."""
    assert "A redraft keeps the related posts a batch or library gave the talk" in _help("draft")
    assert "each post of a batch" not in _help("draft")
    assert "Close each post of a batch with related ones of it." in _help("batch")


def test_the_command_list_gives_each_summary_whole():
    """`video2blog --help` cut publish's summary at the end of its docstring's first line ("unless it
    was"): Typer lists a command by the first line of its docstring, so each is one line."""
    for command in app.registered_commands:
        summary = (command.callback.__doc__ or "").split("\n\n")[0]
        assert "\n" not in summary.strip(), summary
    assert "(again: update it, unless changed on the site)." in _help()
