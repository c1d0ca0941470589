"""Audio is heard on the media's timeline: gaps are silence, not damage; the track with speech is chosen."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import SAMPLE, run_ffmpeg
from video2blog.cli import app
from video2blog.pipeline.errors import InputError, UsageError
from video2blog.pipeline.ingest import media
from video2blog.pipeline.ingest.transcribe import TranscribeOptions, transcribe_media
from video2blog.pipeline.run import DraftOptions, draft_file

pytestmark = pytest.mark.slow

CLIP_S, HEARD_S = 7.0, 5.0  # each clip's picture, and the sound in it
# Where each clip's sound is cut from the sample; the last holds "At the low doses we use, ...".
CUTS = (0.0, 13.0, 30.0, 40.0, 54.0, 67.0, 80.0, 92.6)


def clip(folder: Path, n: int, start: float) -> Path:
    """A clip whose blue picture lasts CLIP_S while its sound (from the sample) stops at HEARD_S."""
    out = folder / f"clip{n}.mp4"
    picture = f"color=c=blue:s=64x64:r=5:d={CLIP_S}"
    run_ffmpeg(
        "-f", "lavfi", "-i", picture, "-ss", str(start), "-t", str(HEARD_S), "-i", str(SAMPLE),
        "-map", "0:v", "-map", "1:a", "-c:v", "mpeg4", "-c:a", "aac", str(out),
    )  # fmt: skip
    return out


@pytest.fixture(scope="module")
def gapped(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Eight clips joined with ffmpeg's concat demuxer into audio with seven gaps; and the last clip."""
    folder = tmp_path_factory.mktemp("gaps")
    clips = [clip(folder, n, start) for n, start in enumerate(CUTS)]
    listing = folder / "clips.txt"
    listing.write_text("".join(f"file '{c}'\n" for c in clips), encoding="utf-8")
    joined = folder / "joined.m4a"
    run_ffmpeg("-f", "concat", "-safe", "0", "-i", str(listing), "-vn", "-c:a", "aac", str(joined))
    return joined, clips[-1]


def test_gaps_are_silence_on_the_timeline_and_words_keep_their_time(gapped: tuple[Path, Path], tmp_path):
    joined, last = gapped
    info = media.probe(joined)
    assert info.duration == pytest.approx(7 * CLIP_S + HEARD_S, abs=0.3)
    decoded = sum(w.duration for w in media.iter_audio(joined))
    assert decoded == pytest.approx(info.duration, abs=0.2)  # the gaps are there, as silence
    result = draft_file(joined, tmp_path / "draft", DraftOptions(date="2026-01-01"))
    assert result.draft.sections
    alone = transcribe_media(media.probe(last), "last", TranscribeOptions())
    heard = next(w for w in alone.words if w.text.strip(".,").lower() == "doses")
    words = result.transcript.words
    found = next(w for w in words if w.text.strip(".,").lower() == "doses" and w.start > 7 * CLIP_S)
    assert found.start == pytest.approx(7 * CLIP_S + heard.start, abs=0.3)


def test_audio_that_really_stops_early_is_still_refused(gapped: tuple[Path, Path]):
    joined, _ = gapped
    info = media.probe(joined)
    with pytest.raises(InputError, match="truncated or damaged"):
        media.check_complete(info, info.duration - 10)


@pytest.fixture(scope="module")
def two_tracks(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A video whose first (default) audio track is silent and whose second holds the speech."""
    out = tmp_path_factory.mktemp("tracks") / "two-tracks.mkv"
    run_ffmpeg(
        "-f", "lavfi", "-i", "color=c=blue:s=64x64:r=5:d=12", "-f", "lavfi", "-i", "anullsrc=r=16000:cl=mono",
        "-ss", "91", "-t", "12", "-i", str(SAMPLE), "-map", "0:v", "-map", "1:a", "-map", "2:a",
        "-t", "12", "-c:v", "mpeg4", "-c:a", "aac", "-disposition:a:0", "default", "-disposition:a:1", "0",
        "-metadata:s:a:0", "language=spa", "-metadata:s:a:1", "language=eng", str(out),
    )  # fmt: skip
    return out


def test_the_track_with_speech_is_chosen_over_the_silent_default(two_tracks: Path):
    info = media.probe(two_tracks)
    assert [(t.number, t.default) for t in info.tracks] == [(1, True), (2, False)]
    assert media.choose_track(info) == 2
    assert media.choose_track(info, 1) == 1
    with pytest.raises(UsageError, match=r"has 2 audio tracks \(1 to 2\), not a track 3"):
        media.choose_track(info, 3)


def test_audio_track_option_picks_a_track_and_no_speech_says_how_many(two_tracks: Path, tmp_path: Path):
    runner = CliRunner()
    out = tmp_path / "d"
    draft = ["draft", str(two_tracks), "--no-cache", "--audio-track"]
    done = runner.invoke(app, [*draft, "2", "--out", str(out)])
    assert done.exit_code == 0, done.output
    assert "ketamine" in (out / "post.md").read_text(encoding="utf-8").lower()
    silent = runner.invoke(app, [*draft, "1", "--out", str(tmp_path / "s")])
    assert silent.exit_code == 1
    assert "no speech was recognised in audio track 1 of the 2 it has" in silent.output
    assert "--audio-track (1 to 2)" in silent.output and not (tmp_path / "s").exists()


def test_a_draft_of_one_of_several_tracks_says_which_and_how_to_choose_another(
    two_tracks: Path, tmp_path: Path
):
    """A dubbed video's default Spanish track was passed over for its English one without a word: nothing
    said there were two tracks, which was drafted, or that --audio-track chooses."""
    out = tmp_path / "d"
    done = CliRunner().invoke(app, ["draft", str(two_tracks), "--no-cache", "--out", str(out)])
    assert done.exit_code == 0, done.output
    said = f"{two_tracks} has 2 audio tracks (1 spa default, 2 eng): drafted track 2, the one with the most"
    assert f"{said} speech; --audio-track N (1 to 2) drafts another" in done.output
    assert any(said in note for note in json.loads((out / "draft.json").read_text(encoding="utf-8"))["notes"])


LATE_S = 3.0  # the sound comes in this long after the picture (an edit, a phone's recording)


def test_sound_that_starts_after_the_picture_keeps_its_time_against_the_video(
    gapped: tuple[Path, Path], tmp_path
):
    """Words, captions and sections are timed from the start of the video, not of its sound: a clip
    whose sound comes in 3 s late has every word 3 s later than the same sound alone."""
    _, last = gapped
    late = tmp_path / "late.mp4"
    run_ffmpeg(
        "-f", "lavfi", "-i", f"color=c=blue:s=64x64:r=5:d={CLIP_S + LATE_S}", "-itsoffset", str(LATE_S),
        "-i", str(last), "-map", "0:v", "-map", "1:a", "-c:v", "mpeg4", "-c:a", "copy", str(late),
    )  # fmt: skip
    info = media.probe(late)
    assert info.track_lead(1) == pytest.approx(LATE_S, abs=0.05)
    alone = transcribe_media(media.probe(last), "last", TranscribeOptions())
    heard = transcribe_media(info, "late", TranscribeOptions())
    assert [w.text for w in heard.words] == [w.text for w in alone.words]
    for was, now in zip(alone.words, heard.words):
        assert now.start == pytest.approx(was.start + LATE_S, abs=0.1)


def test_a_phase_inverted_channel_is_heard_alone_rather_than_as_silence(gapped: tuple[Path, Path], tmp_path):
    """Stereo whose right channel is the left one inverted (a miswired microphone) plays in any stereo
    player but mixes to silence: it is heard from one channel, with the same words as the sound alone."""
    _, last = gapped
    inverted = tmp_path / "inverted.wav"
    run_ffmpeg("-i", str(last), "-vn", "-af", "pan=stereo|c0=c0|c1=-1*c0", str(inverted))
    info = media.probe(inverted)
    assert media.cancelled_channel(info) is not None
    alone = transcribe_media(media.probe(last), "last", TranscribeOptions())
    heard = transcribe_media(info, "inverted", TranscribeOptions())
    assert [w.text for w in heard.words] == [w.text for w in alone.words]
    assert media.cancelled_channel(media.probe(last)) is None  # a true mix is left as it is


def test_a_phase_inverted_track_is_told_wherever_it_speaks_and_chosen_over_a_tone(
    gapped: tuple[Path, Path], tmp_path
):
    """The channels' cancelling is heard over the whole talk (its middle may be a pause), and a track of
    phase-inverted speech is chosen over a tone on the default track."""
    _, last = gapped
    inverted = tmp_path / "inverted.wav"
    run_ffmpeg("-i", str(last), "-vn", "-af", "pan=stereo|c0=c0|c1=-1*c0", "-ar", "16000", str(inverted))
    paused = tmp_path / "paused.wav"
    run_ffmpeg(
        "-i", str(inverted), "-f", "lavfi", "-t", "55", "-i", "anullsrc=r=16000:cl=stereo",
        "-i", str(inverted), "-filter_complex", "[0:a][1:a][2:a]concat=n=3:v=0:a=1", str(paused),
    )  # fmt: skip
    assert media.cancelled_channel(media.probe(paused)) is not None  # its middle 20 s are silence
    both = tmp_path / "both.mkv"
    run_ffmpeg(
        "-f", "lavfi", "-t", "7", "-i", "sine=frequency=220:r=16000", "-i", str(inverted),
        "-map", "0:a", "-map", "1:a", "-c:a", "flac", "-disposition:a:0", "default", str(both),
    )  # fmt: skip
    assert media.choose_track(media.probe(both)) == 2
