"""Shared fixtures: hand-built transcripts, real media made with ffmpeg, and the bundled sample."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from video2blog.pipeline.ingest.media import ffmpeg_exe
from video2blog.pipeline.schema import Draft, Source, Transcript, Word

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "fixtures"
SAMPLE = ROOT / "samples" / "ketamine-pain.mp4"


# A plain progress line of a run whose stderr is a pipe or a log: "[1:05] transcribing talk.mp4".
PROGRESS_LINE = re.compile(r"^\[\d+:\d\d(?::\d\d)?\] ")


def without_progress(text: str) -> str:
    """``text`` less its plain progress lines: what a run says besides where it is."""
    return "".join(line for line in text.splitlines(keepends=True) if not PROGRESS_LINE.match(line))


def default_signals() -> None:
    """``preexec_fn`` for a child the test will interrupt: Ctrl-C raises KeyboardInterrupt in it again,
    and a closed terminal (SIGHUP) reaches it.

    A suite started in the background (``nohup pytest &``) inherits SIGINT and SIGHUP ignored, and
    Python keeps an ignored signal ignored: without this the child would never see the test's Ctrl-C.
    """
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGHUP, signal.SIG_DFL)


@pytest.fixture(scope="session", autouse=True)
def scratch_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """HOME and XDG_CACHE_HOME in a temporary folder: no test reads or writes the user's own cache.

    Session-wide, so that session and module fixtures (which run the CLI too) are covered; child
    processes inherit it through os.environ. A test that wants a cache of its own still sets one.
    """
    home = tmp_path_factory.mktemp("home")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HOME", str(home))
        mp.setenv("XDG_CACHE_HOME", str(home / ".cache"))
        yield home


@pytest.fixture(scope="module", autouse=True)
def environment_kept() -> Iterator[None]:
    """Each test module leaves os.environ as it found it, whatever its fixtures did.

    distributed's nanny sets OMP_NUM_THREADS=1 (and MKL's, OpenBLAS's, MALLOC_TRIM_THRESHOLD_) in the
    process that starts a local cluster and never takes them back: every command a later module ran
    inherited them. (That once changed what Whisper heard, through numpy's BLAS threads; a transcription
    now holds them to one itself, test_same_draft.py.) Module-wide, so that it is set up before a
    module's own fixtures (a cluster) and torn down after them.
    """
    saved = dict(os.environ)
    yield
    if dict(os.environ) != saved:
        os.environ.clear()
        os.environ.update(saved)


def make_words(text: str, pauses: dict[int, float] | None = None, start: float = 0.0) -> tuple[Word, ...]:
    """Words of ``text`` 0.3 s long, 0.08 s apart, with a longer pause before word i where given."""
    t, words = start, []
    for i, token in enumerate(text.split()):
        t += (pauses or {}).get(i, 0.08)
        words.append(Word(token, round(t, 3), round(t + 0.3, 3), 0.95))
        t += 0.3
    return tuple(words)


def make_transcript(text: str, pauses: dict[int, float] | None = None) -> Transcript:
    words = make_words(text, pauses)
    return Transcript(words=words, duration=words[-1].end if words else 0.0, engine="test", model="test")


def draft_text(text: str) -> Draft:
    """The draft of ``text`` spoken at :func:`make_words`'s even pace, its sentences split as the command
    splits them."""
    from video2blog.pipeline.run import DraftOptions, make_draft
    from video2blog.pipeline.text.sentences import split_sentences

    words = make_words(text)
    transcript = split_sentences(Transcript(words=words, duration=words[-1].end))
    return make_draft(
        transcript, Source("talk.wav", "0" * 64, words[-1].end), DraftOptions(date="2000-01-01")
    )


@pytest.fixture
def transcript_of() -> Callable[..., Transcript]:
    """Build a transcript from text, optionally with pauses before given word indices."""
    return make_transcript


@pytest.fixture(scope="session")
def jfk_path() -> Path:
    path = SHARED / "jfk.flac"
    if not path.exists():
        pytest.skip(f"needs the real-speech fixture {path}: check out ../shared beside the repository")
    return path


@pytest.fixture(scope="session")
def jfk_text() -> str:
    return (SHARED / "jfk.txt").read_text(encoding="utf-8").strip()


@pytest.fixture(scope="session")
def sample_video() -> Path:
    assert SAMPLE.exists(), f"bundled sample {SAMPLE} is missing; run python -m tools.make_sample"
    return SAMPLE


@pytest.fixture(scope="session")
def sample_truth() -> dict:
    return json.loads(SAMPLE.with_suffix(".truth.json").read_text(encoding="utf-8"))


def run_ffmpeg(*args: str) -> None:
    subprocess.run([ffmpeg_exe(), "-nostdin", "-v", "error", "-y", *args], check=True)


@pytest.fixture(scope="session")
def media_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Small real media files made with ffmpeg: good, silent, video-only, corrupt."""
    d = tmp_path_factory.mktemp("media")
    run_ffmpeg("-f", "lavfi", "-i", "sine=frequency=440:duration=2", "-ar", "16000", str(d / "tone.wav"))
    run_ffmpeg("-f", "lavfi", "-i", "anullsrc=r=16000:cl=mono", "-t", "3", str(d / "silence.wav"))
    run_ffmpeg(
        "-f", "lavfi", "-i", "color=c=blue:s=64x64:r=5", "-t", "1", "-c:v", "mpeg4", str(d / "noaudio.mp4")
    )
    (d / "notes.mp4").write_text("this is a text file, not a video\n")
    (d / "empty.mp4").write_bytes(b"")
    return d


# Test pictures that differ from scene to scene (ffmpeg's lavfi sources), each fading in from black.
SCENES = (
    "testsrc2",
    "smptebars",
    "mandelbrot",
    "rgbtestsrc",
    "life=ratio=0.3:death_color=#303030",
    "pal100bars",
    "yuvtestsrc",
    "testsrc",
)


def make_slides_video(out: Path, starts: list[float], duration: float, audio: Path | None = None) -> Path:
    """A video whose picture changes at each of ``starts`` (fading in from black), over ``audio`` if given."""
    bounds = [0.0, *starts[1:], duration]
    inputs, chains = [], []
    for i, (start, end) in enumerate(zip(bounds, bounds[1:])):
        scene = SCENES[i % len(SCENES)]
        inputs += ["-f", "lavfi", "-i", scene + (":" if "=" in scene else "=") + "s=320x180:r=5"]
        chains.append(
            f"[{i}]trim=duration={end - start:.3f},setpts=PTS-STARTPTS,fade=in:st=0:d=1.2,"
            f"format=yuv420p[v{i}]"
        )
    n = len(chains)
    graph = ";".join(chains) + ";" + "".join(f"[v{i}]" for i in range(n)) + f"concat=n={n}:v=1:a=0[v]"
    sound = ["-map", f"{n}:a:0", "-c:a", "aac", "-shortest"] if audio else ["-an"]
    run_ffmpeg(
        *inputs,
        *(["-i", str(audio)] if audio else []),
        "-filter_complex",
        graph,
        "-map",
        "[v]",
        *sound,
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        str(out),
    )
    return out


def truth_transcript(truth: dict) -> Transcript:
    """The sample's script as a transcript: each section's words spread evenly over its spoken time."""
    words: list[Word] = []
    for section in truth["sections"]:
        tokens = section["text"].split()
        step = (section["end"] - section["start"]) / len(tokens)
        for i, token in enumerate(tokens):
            start = section["start"] + i * step
            words.append(Word(token, round(start, 3), round(start + step * 0.8, 3), 0.95))
    return Transcript(words=tuple(words), duration=truth["duration"], engine="test", model="test")


@pytest.fixture(scope="session")
def slides_sample(tmp_path_factory: pytest.TempPathFactory, sample_video: Path, sample_truth: dict) -> Path:
    """The sample talk's audio under pictures that change at each of its sections."""
    starts = [s["start"] for s in sample_truth["sections"]]
    out = tmp_path_factory.mktemp("slides") / "slides.mp4"
    return make_slides_video(out, starts, sample_truth["duration"], sample_video)
