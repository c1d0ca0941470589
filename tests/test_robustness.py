"""Bad files and unusable output folders: one clear line, the documented exit status, no partial files.

Complements ``test_cli.py`` (missing, text-as-mp4, empty and video-only files,
a folder given to ``draft``, an output path under a regular file, all through
CliRunner): here the same failures through a real process, and the cases
that need real media or a real file system -- truncated mp4s, a silent video,
a one-second clip, names with spaces, non-ASCII letters and non-UTF-8 bytes, a
read-only file system and a full disk. Also the windowed decoding that keeps
memory bounded on long recordings.

Decisions these tests pin down:

- A truncated mp4 whose index (``moov``) was at the end cannot be opened at
  all: "is not a media file ffmpeg can read (is it corrupt or truncated?)".
  One whose index is at the start ("faststart") decodes up to the cut without
  an ffmpeg error; its audio then stops well short of the stream's declared
  length, which is reported as "is truncated or damaged" and nothing is
  written: a draft of half a talk, published by mistake, would lose the rest.
- A one-second clip with a word in it drafts like any other.
- A silent video is "no speech was recognised", not an empty post.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml
from typer.testing import CliRunner

from tests.conftest import make_transcript, without_progress
from video2blog.cli import app
from video2blog.pipeline.engines import ProgressCallback
from video2blog.pipeline.ingest import media, transcribe
from video2blog.pipeline.ingest.media import ffmpeg_exe
from video2blog.pipeline.schema import Transcript, Word
from video2blog.pipeline.serialize import transcript_to_dict

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "ketamine-pain.mp4"
runner = CliRunner()
slow = pytest.mark.slow


def ffmpeg(*args: str) -> None:
    subprocess.run([ffmpeg_exe(), "-nostdin", "-v", "error", "-y", *args], check=True, timeout=120)


def clip(out: Path, start: float, seconds: float, *extra: str) -> Path:
    picture = ["-vf", "scale=160:90", "-c:v", "mpeg4", "-q:v", "12", "-c:a", "aac", "-b:a", "48k"]
    ffmpeg("-ss", str(start), "-t", str(seconds), "-i", str(SAMPLE), *picture, *extra, str(out))
    return out


def cut_in_half(source: Path, out: Path) -> Path:
    data = source.read_bytes()
    out.write_bytes(data[: len(data) // 2])
    return out


@pytest.fixture(scope="module")
def bad(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Media that cannot be drafted: truncated both ways, silent."""
    d = tmp_path_factory.mktemp("bad")
    cut_in_half(clip(d / "whole-moov-last.mp4", 20, 20), d / "truncated-moov-last.mp4")
    cut_in_half(
        clip(d / "whole-faststart.mp4", 20, 20, "-movflags", "+faststart"), d / "truncated-faststart.mp4"
    )
    video = "-f lavfi -i color=c=black:s=64x64:r=5 -f lavfi -i anullsrc=r=16000:cl=mono".split()
    ffmpeg(*video, "-t", "3", "-c:v", "mpeg4", "-c:a", "aac", "-shortest", str(d / "silent.mp4"))
    (d / "notes.mp4").write_text("not a video\n")
    (d / "empty.mp4").write_bytes(b"")
    blue = "-f lavfi -i color=c=blue:s=64x64:r=5 -t 1 -c:v mpeg4".split()
    ffmpeg(*blue, str(d / "noaudio.mp4"))
    ffmpeg("-i", str(d / "whole-faststart.mp4"), "-c", "copy", str(d / "whole.mkv"))
    cut_in_half(d / "whole.mkv", d / "truncated.mkv")
    ffmpeg("-i", str(d / "whole-faststart.mp4"), "-vn", str(d / "whole.wav"))
    cut_in_half(d / "whole.wav", d / "truncated.wav")
    return d


@pytest.fixture(scope="module")
def good(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Short real speech: a one-second clip ("What type of pain...") and a six-second one."""
    d = tmp_path_factory.mktemp("good")
    clip(d / "one-second.mp4", 10, 1)
    clip(d / "six-seconds.mp4", 10, 6)
    return d


def transcript_file(path: Path, text: str) -> Path:
    path.write_text(json.dumps(transcript_to_dict(make_transcript(text))), encoding="utf-8")
    return path


TALK = "What is ketamine used for? It treats nerve pain that has lasted for months and resisted other drugs."


def files_in(folder: Path) -> dict[str, str]:
    """Every file in ``folder`` (hidden ones too) and its SHA-256."""
    if not folder.exists():
        return {}
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir() if p.is_file()}


def assert_one_line(text: str, *needles: str) -> None:
    """After the progress lines a run in a pipe prints, one line holding every needle."""
    lines = without_progress(text).strip().splitlines()
    assert len(lines) == 1, text
    assert "Traceback" not in text
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])


def cli_process(*args: str, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "XDG_CACHE_HOME": os.environ.get("XDG_CACHE_HOME", "/tmp/video2blog-test-cache")}
    return subprocess.run(
        [sys.executable, "-m", "video2blog", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
    )


# -- bad input through a real process: stderr holds one line, stdout nothing, exit status 1 ------------


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("missing.mp4", "no such file"),
        (".", "is a folder"),
        ("empty.mp4", "is empty"),
        ("notes.mp4", "is not a media file"),
        ("noaudio.mp4", "has no audio stream"),
        ("truncated-moov-last.mp4", "is not a media file ffmpeg can read (is it corrupt or truncated?)"),
    ],
)
def test_bad_input_in_a_real_process(bad: Path, tmp_path: Path, name: str, message: str):
    source = (bad / name).resolve() if name != "." else bad
    out = tmp_path / "draft"
    proc = cli_process("draft", str(source), "--out", str(out), "--no-cache")
    assert proc.returncode == 1
    assert proc.stdout == ""
    assert_one_line(proc.stderr, "video2blog: error:", str(source), message)
    assert files_in(out) == {}


class StubEngine:
    """Hears one word at the start and one at the end of each window it is given."""

    name = "stub"

    def transcribe(self, audio: np.ndarray, progress: ProgressCallback | None = None) -> Transcript:
        seconds = len(audio) / media.SAMPLE_RATE
        if progress:
            progress(seconds / 2, seconds)
            progress(seconds, seconds)
        words = (Word("Hello", 0.1, 0.4, 0.9), Word("there.", seconds - 0.2, seconds + 0.5, 0.9))
        return Transcript(words=words, language="en", duration=seconds, engine="stub", model="stub")


@pytest.fixture
def stub_engine(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(transcribe, "get_engine", lambda name, options, cache_dir=None: StubEngine())
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "stub-cache"))  # its words must reach no other test


def test_a_sound_track_without_speech_is_not_called_silent(
    media_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """Pink noise or a tone was "no speech was recognised (is the sound track silent?)": it is not."""

    class Deaf:
        name = "deaf"

        def transcribe(self, audio: np.ndarray, progress: ProgressCallback | None = None) -> Transcript:
            return Transcript(words=(), language="en", duration=len(audio) / media.SAMPLE_RATE)

    monkeypatch.setattr(transcribe, "get_engine", lambda name, options, cache_dir=None: Deaf())
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    source, out = media_dir / "tone.wav", tmp_path / "draft"
    result = runner.invoke(app, ["draft", str(source), "--out", str(out), "--no-cache"])
    assert result.exit_code == 1
    assert_one_line(result.output, f"{source}: no speech was recognised in the sound track")
    assert "silent" not in result.output and files_in(out) == {}


def test_an_unknown_engine_is_refused_before_any_work(media_dir: Path, tmp_path: Path):
    """--engine foo printed "reading ..." and "loading the foo model" before it was refused."""
    out = tmp_path / "draft"
    proc = cli_process("draft", str(media_dir / "tone.wav"), "--out", str(out), "--engine", "foo")
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        "video2blog: error: unknown engine 'foo'; choose one of: faster-whisper, openai-whisper"
    ]
    assert not out.exists()


def test_truncated_faststart_mp4_is_an_error_not_half_a_draft(bad: Path, tmp_path: Path, stub_engine: None):
    source = bad / "truncated-faststart.mp4"
    info = media.probe(source)  # its index is whole, so it opens...
    assert info.audio_duration == pytest.approx(20, abs=0.5)
    decoded = sum(w.duration for w in media.iter_audio(source))
    assert 5 < decoded < 15  # ...and decodes, without an ffmpeg error, up to the cut
    assert_refused_as_cut(source, tmp_path / "draft")


def assert_refused_as_cut(source: Path, out: Path) -> None:
    """``draft`` of ``source`` ends in one line saying it is cut short, and writes nothing."""
    result = runner.invoke(app, ["draft", str(source), "--out", str(out), "--no-cache"])
    assert result.exit_code == 1
    assert_one_line(result.output, str(source), "is truncated or damaged", "copy or export the file again")
    assert files_in(out) == {}


@pytest.mark.parametrize("name", ["truncated-faststart.mp4", "truncated.mkv", "truncated.wav"])
def test_a_cut_file_is_refused_before_any_of_it_is_heard(
    bad: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
):
    """A truncated file was refused only after all of it was transcribed (67 s for half a podcast)."""
    built: list[str] = []
    monkeypatch.setattr(transcribe, "get_engine", lambda name, options, cache_dir=None: built.append(name))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert_refused_as_cut(bad / name, tmp_path / "draft")
    assert built == []  # no model loaded, nothing heard


@pytest.mark.parametrize("name", ["truncated.mkv", "truncated.wav"])
def test_a_cut_file_whose_probe_hides_its_length_is_an_error_not_half_a_draft(
    bad: Path, tmp_path: Path, stub_engine: None, name: str
):
    """Matroska gives a stream's length only as a tag, and ffmpeg takes a WAV's from the file's size: the
    length they declare (the tag, the header's data size) is what the decoded audio must reach."""
    assert media.probe(bad / name).audio_duration == pytest.approx(20, abs=0.5)
    assert_refused_as_cut(bad / name, tmp_path / "draft")


@pytest.mark.parametrize("name", ["whole.mkv", "whole.wav"])
def test_a_whole_mkv_or_wav_is_not_taken_for_truncated(
    bad: Path, tmp_path: Path, stub_engine: None, name: str
):
    assert media.probe(bad / name).audio_duration == pytest.approx(20, abs=0.5)
    result = runner.invoke(app, ["draft", str(bad / name), "--out", str(tmp_path / "d"), "--no-cache"])
    assert result.exit_code == 0, result.output


def test_whole_faststart_mp4_is_not_taken_for_truncated(bad: Path, tmp_path: Path, stub_engine: None):
    result = runner.invoke(app, ["draft", str(bad / "whole-faststart.mp4"), "--out", str(tmp_path / "d")])
    assert result.exit_code == 0, result.output


# Files that state no length: ffmpeg estimates one from the bitrate (a phone's AMR memo 3% long, a raw AAC
# that opens quietly many times too long, a VBR mp3 without a Xing header by its first frames).
UNSTATED = {
    "memo.amr": ["-t", "70", "-ar", "8000", "-ac", "1", "-c:a", "libopencore_amrnb", "-b:a", "12.2k"],
    "memo.aac": ["-t", "5", "-af", "adelay=3000", "-c:a", "aac", "-b:a", "64k"],
    "vbr.mp3": ["-t", "20", "-c:a", "libmp3lame", "-q:a", "6", "-write_xing", "0"],
}


@pytest.mark.parametrize("name", list(UNSTATED))
def test_a_whole_file_whose_length_is_only_estimated_is_not_taken_for_truncated(
    tmp_path: Path, stub_engine: None, name: str
):
    """Each was refused, after its transcription, as "truncated or damaged: its audio stops at 1:48 of
    1:51": ffmpeg's guess at its length was taken for the length the file states."""
    ffmpeg("-i", str(SAMPLE), "-vn", *UNSTATED[name], str(tmp_path / name))
    result = runner.invoke(app, ["draft", str(tmp_path / name), "--out", str(tmp_path / "d"), "--no-cache"])
    assert result.exit_code == 0, result.output


def test_a_cut_mp3_whose_header_states_its_length_is_still_refused(tmp_path: Path, stub_engine: None):
    ffmpeg(
        "-t", "20", "-i", str(SAMPLE), "-vn", "-c:a", "libmp3lame", "-b:a", "64k", str(tmp_path / "whole.mp3")
    )
    assert_refused_as_cut(cut_in_half(tmp_path / "whole.mp3", tmp_path / "cut.mp3"), tmp_path / "draft")


@slow
def test_silent_video_is_a_clear_message_and_no_post(bad: Path, tmp_path: Path):
    out = tmp_path / "draft"
    result = runner.invoke(app, ["draft", str(bad / "silent.mp4"), "--out", str(out), "--no-cache"])
    assert result.exit_code == 1
    assert_one_line(result.output, str(bad / "silent.mp4"), "no speech was recognised")
    assert files_in(out) == {}


# -- short clips and awkward names draft like any other --------------------------------------------


@slow
def test_one_second_clip_with_a_word_drafts(good: Path, tmp_path: Path):
    out = tmp_path / "draft"
    result = runner.invoke(app, ["draft", str(good / "one-second.mp4"), "--out", str(out), "--no-cache"])
    assert result.exit_code == 0, result.output
    draft = json.loads((out / "draft.json").read_text())
    words = json.loads((out / "transcript.json").read_text())["words"]
    assert words and all(0 <= w["start"] <= w["end"] <= 1.5 for w in words)
    assert draft["sections"] and draft["sections"][0]["paragraphs"]
    assert draft["source"]["duration"] == pytest.approx(1.0, abs=0.1)


@slow
def test_names_with_spaces_and_non_ascii_letters(good: Path, tmp_path: Path):
    source = tmp_path / "Dr Müller – névralgie ケタミン (1).mp4"
    shutil.copy(good / "six-seconds.mp4", source)
    out = tmp_path / "brouillons été" / "草稿 1"
    proc = cli_process("draft", str(source), "--out", str(out), "--no-cache", "--formats", "md")
    assert proc.returncode == 0, proc.stderr
    assert str(out / "post.md") in proc.stdout
    front = (out / "post.md").read_text(encoding="utf-8").split("\n---\n", 1)[0].removeprefix("---\n")
    assert yaml.safe_load(front)["source"] == source.name  # the media's name, not where it sat


@slow
def test_name_with_bytes_that_are_not_utf8(good: Path, tmp_path: Path):
    """A Latin-1 name from an old archive: drafted, the name shown with U+FFFD, never a crash."""
    source = Path(os.fsdecode(bytes(tmp_path) + b"/caf\xe9 talk.mp4"))
    shutil.copy(good / "one-second.mp4", source)
    out = tmp_path / "draft"
    result = runner.invoke(app, ["draft", str(source), "--out", str(out), "--no-cache"])
    assert result.exit_code == 0, result.output
    assert json.loads((out / "draft.json").read_text())["source"]["path"].endswith("caf\ufffd talk.mp4")


def test_transcript_with_a_lone_surrogate_is_a_clear_error(tmp_path: Path):
    bad_json = tmp_path / "transcript.json"
    bad_json.write_text('{"words": [{"text": "caf\\ud800", "start": 0, "end": 1}]}', encoding="utf-8")
    result = runner.invoke(app, ["draft", str(bad_json), "--out", str(tmp_path / "d")])
    assert result.exit_code == 1
    assert_one_line(result.output, str(bad_json), "is not a video2blog transcript.json")
    assert files_in(tmp_path / "d") == {}


# -- a draft folder's own files, damaged by hand: named in one line, and nothing in the folder lost -----


def drafted(tmp_path: Path) -> tuple[Path, Path]:
    """A talk's transcript and the draft folder drafted from it."""
    source, out = transcript_file(tmp_path / "talk.json", TALK), tmp_path / "draft"
    assert runner.invoke(app, ["draft", str(source), "--out", str(out)]).exit_code == 0
    return source, out


@pytest.mark.parametrize("settings", ['{"version": 1}', '{"theme": "dark"}'])
def test_a_settings_json_without_formats_is_named_in_one_line(tmp_path: Path, settings: str):
    """A settings.json damaged to its version, or one the user keeps there: a KeyError traceback."""
    source, out = drafted(tmp_path)
    (out / "settings.json").write_text(settings, encoding="utf-8")
    before = files_in(out)
    for args in (("draft", str(source), "--out", str(out)), ("review", str(out), "--no-browser")):
        proc = cli_process(*args)
        assert proc.returncode == 1, proc.stderr
        assert_one_line(
            proc.stderr, f"{out / 'settings.json'}: is not video2blog's render settings (no 'formats')"
        )
    assert files_in(out) == before


@pytest.mark.parametrize(
    ("name", "damage", "said"),
    [
        ("draft.json", lambda d: d.pop("sections"), "is not a video2blog draft (no 'sections')"),
        ("draft.json", lambda d: d["sections"][0].update(paragraphs=None), "is not a video2blog draft ("),
        (
            "transcript.json",
            lambda d: d.pop("words"),
            'is not a video2blog transcript.json: it has no "words"',
        ),
    ],
)
def test_review_of_a_draft_folder_file_of_the_wrong_shape_is_one_line(tmp_path: Path, name, damage, said):
    """A draft.json without its sections, or a paragraph list that is null: a KeyError or TypeError
    traceback from review (library already named the file)."""
    _, out = drafted(tmp_path)
    data = json.loads((out / name).read_text(encoding="utf-8"))
    damage(data)
    (out / name).write_text(json.dumps(data), encoding="utf-8")
    proc = cli_process("review", str(out), "--no-browser")
    assert proc.returncode == 1, proc.stderr
    assert_one_line(proc.stderr, f"{out / name}: {said}", "move it away and draft again")


@pytest.mark.parametrize(
    ("settings", "said"), [("[]", "render settings ("), ('{"formats": "md"}', "format 'm'")]
)
def test_a_damaged_settings_json_is_written_anew_by_a_forced_draft(tmp_path: Path, settings: str, said: str):
    """Review said "redraft to write it again", and a redraft, even with --force, refused with the same
    line. A draft without --force still keeps the file (it may be the user's own), and says what to do."""
    from video2blog.pipeline.editing.settings import read_settings

    source, out = drafted(tmp_path)
    (out / "settings.json").write_text(settings, encoding="utf-8")
    before = files_in(out)
    for args in (("review", str(out), "--no-browser"), ("draft", str(source), "--out", str(out))):
        proc = cli_process(*args)
        assert proc.returncode == 1, proc.stderr
        assert_one_line(
            proc.stderr, f"{out / 'settings.json'}: ", said, "move it away, or draft again with --force"
        )
    assert files_in(out) == before
    forced = cli_process("draft", str(source), "--out", str(out), "--force")
    assert forced.returncode == 0, forced.stderr
    assert f"{out / 'settings.json'}: " in forced.stderr and "--force writes it anew" in forced.stderr
    assert read_settings(out) is not None


@pytest.mark.parametrize("name", ["draft.json", "transcript.json"])
def test_a_cut_short_draft_json_is_not_kept_as_an_editors_edit(tmp_path: Path, name: str):
    """A redraft kept a truncated draft.json as "your edited draft.json", the new one beside it, and exit 0:
    review still could not open the folder. Refused now, the folder as it was; --force writes it anew."""
    from video2blog.pipeline.editing import store

    source, out = drafted(tmp_path)
    text = (out / name).read_text(encoding="utf-8")
    (out / name).write_text(text[: len(text) // 2], encoding="utf-8")
    before = files_in(out)
    proc = cli_process("draft", str(source), "--out", str(out))
    assert proc.returncode == 1, proc.stderr
    assert_one_line(proc.stderr, f"{out / name}: ", "): no edit to keep;", "draft again with --force")
    assert files_in(out) == before
    forced = cli_process("draft", str(source), "--out", str(out), "--force")
    assert forced.returncode == 0, forced.stderr
    assert store.load(out).draft.sections and not (out / name.replace(".json", ".new.json")).exists()


def test_review_of_a_folder_that_is_not_there_says_so(tmp_path: Path):
    """`video2blog review nonexist` said "is not a draft folder (no draft.json)", as of a folder that is."""
    (tmp_path / "notes.txt").write_text("not a folder", encoding="utf-8")
    for name, said in (("nonexist", "no such folder"), ("notes.txt", "is not a folder")):
        proc = cli_process("review", str(tmp_path / name), "--no-browser")
        assert proc.returncode == 1, proc.stderr
        assert_one_line(
            proc.stderr, f"{tmp_path / name}: {said}; give a folder written by 'video2blog draft'"
        )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


# -- output folders that cannot be written, even by root ---------------------------------------------


def test_output_path_that_is_a_file(tmp_path: Path):
    source = transcript_file(tmp_path / "talk.json", TALK)
    blocker = tmp_path / "post.md"
    blocker.write_text("someone's notes")
    result = runner.invoke(app, ["draft", str(source), "--out", str(blocker)])
    assert result.exit_code == 1
    assert_one_line(result.output, str(blocker), "is a file, not a folder")
    assert blocker.read_text() == "someone's notes"


def test_a_folder_in_the_way_of_a_file_leaves_the_previous_draft(tmp_path: Path):
    """With --force a folder named post.md cannot be replaced: found before any file is touched."""
    out = tmp_path / "draft"
    assert (
        runner.invoke(
            app, ["draft", str(transcript_file(tmp_path / "a.json", TALK)), "--out", str(out)]
        ).exit_code
        == 0
    )
    (out / "captions.vtt").unlink()
    (out / "captions.vtt").mkdir()
    before = files_in(out)
    second = transcript_file(tmp_path / "b.json", "How long does it last? " + TALK)
    result = runner.invoke(app, ["draft", str(second), "--out", str(out), "--force"])
    assert result.exit_code == 1
    assert_one_line(result.output, str(out), "captions.vtt there is a folder")
    assert files_in(out) == before


NAMESPACE_SCRIPT = r"""
import hashlib, json, os, subprocess, sys
root, source, mode = sys.argv[1:4]
mnt = os.path.join(root, "mnt")
def files(d):
    return {n: hashlib.sha256(open(os.path.join(d, n), "rb").read()).hexdigest()
            for n in (os.listdir(d) if os.path.isdir(d) else []) if os.path.isfile(os.path.join(d, n))}
def draft(src, out):
    return subprocess.run([sys.executable, "-m", "video2blog", "draft", src, "--out", out],
                          capture_output=True, text=True, timeout=120)
out = os.path.join(mnt, "draft")
if mode == "read-only":
    subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", mnt], check=True)
    before, proc = {}, draft(source, out)
else:
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", mnt], check=True)
    assert draft(source, out).returncode == 0
    fd = os.open(os.path.join(mnt, "filler"), os.O_WRONLY | os.O_CREAT)
    try:  # fill the disk to its last block
        while True:
            os.write(fd, b"x" * 4096)
    except OSError:
        os.close(fd)
    before, proc = files(out), draft(sys.argv[4], out)
print(json.dumps({"rc": proc.returncode, "stderr": proc.stderr, "stdout": proc.stdout,
                  "before": before, "after": files(out)}))
"""


def test_read_only_file_system(tmp_path: Path):
    source = transcript_file(tmp_path / "talk.json", TALK)
    result = in_own_mount_namespace(tmp_path, "read-only", source)
    assert result["rc"] == 1 and result["stdout"] == ""
    assert_one_line(result["stderr"], "cannot create the output folder (Read-only file system)")
    assert result["after"] == {}


def test_full_disk_keeps_the_previous_draft(tmp_path: Path):
    first = transcript_file(tmp_path / "first.json", TALK)
    second = transcript_file(tmp_path / "second.json", "How long does it last? " + TALK * 20)
    result = in_own_mount_namespace(tmp_path, "full", first, second)
    assert result["rc"] == 1 and result["stdout"] == ""
    assert_one_line(result["stderr"], "cannot write the draft (No space left on device)")
    assert result["before"] and result["after"] == result["before"]


def in_own_mount_namespace(tmp_path: Path, mode: str, *sources: Path) -> dict:
    """Run drafts on a tmpfs mounted in a private mount namespace (gone when it ends), even as root."""
    if not shutil.which("unshare"):
        pytest.skip("needs unshare(1): apt-get install util-linux")
    (tmp_path / "mnt").mkdir()
    cmd = ["unshare", "-m", "--propagation", "private", sys.executable, "-c", NAMESPACE_SCRIPT]
    proc = subprocess.run(
        [*cmd, str(tmp_path), str(sources[0]), mode, *map(str, sources[1:])],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if proc.returncode != 0 and ("mount" in proc.stderr or "unshare" in proc.stderr):
        pytest.skip(f"cannot mount a file system here: {proc.stderr.strip().splitlines()[-1]}")
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


# -- long input: decoded and transcribed in windows cut at pauses ------------------------------------


@pytest.fixture(scope="module")
def beeps(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """20 s of 0.7 s tones, each followed by 0.3 s of silence."""
    path = tmp_path_factory.mktemp("beeps") / "beeps.flac"
    tone = "aevalsrc=if(lt(mod(t\\,1)\\,0.7)\\,0.5*sin(2*PI*440*t)\\,0):s=16000:d=20"
    ffmpeg("-f", "lavfi", "-i", tone, str(path))
    return path


def test_windows_join_up_to_the_whole_audio_exactly():
    whole = media.load_audio(SAMPLE)
    windows = list(media.iter_audio(SAMPLE, window_s=20))
    assert len(windows) >= 5 and all(w.duration <= 20 for w in windows)
    assert all(a.start + a.duration == pytest.approx(b.start) for a, b in zip(windows, windows[1:]))
    assert np.array_equal(np.concatenate([w.samples for w in windows]), whole)


def test_windows_are_cut_in_pauses_not_in_sounds(beeps: Path):
    windows = list(media.iter_audio(beeps, window_s=4.5, search_s=2.0))
    cuts = [w.start for w in windows[1:]]
    assert len(cuts) >= 4
    for cut in cuts:
        assert 0.7 <= cut % 1.0 <= 1.0, f"cut at {cut:.2f} s falls in a tone"


def test_windowed_transcription_shifts_times_and_reports_progress(beeps: Path):
    info = media.probe(beeps)
    calls: list[tuple[float, float]] = []
    result = transcribe.transcribe_windows(StubEngine(), info, 6.0, lambda d, t: calls.append((d, t)))
    starts = [w.start for w in result.words]
    assert len(result.words) == 2 * 4 and starts == sorted(starts)
    assert all(a.end <= b.start for a, b in zip(result.words[1::2], result.words[2::2]))  # windows in order
    assert result.words[-1].end == pytest.approx(20.0, abs=0.01)  # clamped to the end of its window
    assert [d for d, _ in calls] == sorted(d for d, _ in calls) and calls[-1] == (pytest.approx(20.0), 20.0)
    assert result.duration == pytest.approx(20.0, abs=0.05) and result.engine == "stub"


def test_leaving_early_stops_ffmpeg():
    windows = media.iter_audio(SAMPLE, window_s=10)
    next(windows)
    windows.close()
    children = Path(f"/proc/{os.getpid()}/task/{os.getpid()}/children")
    if children.exists():
        for pid in children.read_text().split():
            assert "ffmpeg" not in Path(f"/proc/{pid}/cmdline").read_text(errors="replace")


@slow
def test_windowed_transcription_of_real_speech_loses_no_words(sample_truth: dict):
    """The sample heard in 30-second windows (four cuts) reads like the script it was spoken from."""
    import jiwer

    from video2blog.pipeline.engines import EngineOptions, get_engine

    engine = get_engine("faster-whisper", EngineOptions(beam_size=1))
    result = transcribe.transcribe_windows(engine, media.probe(SAMPLE), 30.0)
    said = " ".join(w.text for w in result.words)
    tidy = jiwer.Compose([jiwer.ToLowerCase(), jiwer.RemovePunctuation(), jiwer.ReduceToListOfListOfWords()])
    errors = jiwer.process_words(sample_truth["text"], said, tidy, tidy)
    assert errors.wer < 0.12, said
    assert errors.deletions <= 3, said  # a word lost at a cut would show as a deletion


@slow
def test_a_transcription_stopped_part_way_goes_on_from_the_first_window_it_had_not_heard(tmp_path: Path):
    """An hour-long webinar stopped at 28 minutes was heard again from 0:00 (only whole transcripts were
    cached). Each window heard is kept: the run after the stop hears only the rest, to the same words."""
    from video2blog.pipeline.engines import EngineOptions, get_engine

    real = get_engine("faster-whisper", EngineOptions(beam_size=1))
    heard: list[int] = []

    class Counting:
        name = real.name

        def __init__(self, stop_at: int | None) -> None:
            self.stop_at = stop_at

        def transcribe(self, audio, progress=None):  # type: ignore[no-untyped-def]
            if len(heard) == self.stop_at:
                raise KeyboardInterrupt  # Ctrl-C while the third window is heard
            heard.append(len(audio))
            return real.transcribe(audio, progress)

    info, key = media.probe(SAMPLE), "k" * 64
    whole = transcribe.transcribe_windows(real, info, 30.0)
    with pytest.raises(KeyboardInterrupt):
        transcribe.transcribe_windows(Counting(2), info, 30.0, heard=transcribe.WindowCache(tmp_path, key))
    assert len(heard) == 2
    again = transcribe.transcribe_windows(
        Counting(None), info, 30.0, heard=transcribe.WindowCache(tmp_path, key)
    )
    assert len(heard) == 2 + 2  # the sample's four windows: the two not heard before
    assert again.words == whole.words and again.language == whole.language
