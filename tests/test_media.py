import subprocess

import pytest

from tests.conftest import run_ffmpeg
from video2blog.pipeline.errors import InputError
from video2blog.pipeline.ingest import media


def test_probe_and_decode_real_audio(media_dir):
    info = media.probe(media_dir / "tone.wav")
    assert info.has_audio and not info.has_video
    assert info.duration == pytest.approx(2.0, abs=0.05)
    audio = media.load_audio(media_dir / "tone.wav")
    assert audio.dtype.name == "float32"
    assert len(audio) == pytest.approx(32000, abs=400)
    assert 0.1 < float(abs(audio).max()) <= 1.0  # ffmpeg's sine source peaks at 1/8


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("missing.mp4", "no such file"),
        ("notes.mp4", "not a media file"),
        ("empty.mp4", "is empty"),
        ("noaudio.mp4", "has no audio stream"),
    ],
)
def test_bad_inputs_raise_one_clear_error(media_dir, name, message):
    with pytest.raises(InputError, match=message) as err:
        media.probe(media_dir / name)
    assert str(err.value).startswith(str(media_dir / name))
    assert "\n" not in str(err.value)


def test_folder_is_not_a_media_file(media_dir):
    with pytest.raises(InputError, match="is a folder"):
        media.probe(media_dir)


def test_ffmpeg_is_found_without_a_system_package():
    exe = media.ffmpeg_exe()
    version = subprocess.run([exe, "-hide_banner", "-version"], capture_output=True, text=True, timeout=30)
    assert version.returncode == 0 and version.stdout.startswith("ffmpeg version"), (exe, version.stderr)


def test_an_audio_files_cover_art_is_no_video(media_dir, tmp_path):
    """An mp3 with its cover attached is audio: no still frames, no reading of its cover for text, no
    note that "the video shows no usable picture"."""
    cover = tmp_path / "cover.png"
    song = tmp_path / "talk.mp3"
    run_ffmpeg("-f", "lavfi", "-i", "testsrc=s=300x300", "-frames:v", "1", str(cover))
    run_ffmpeg(
        "-i", str(media_dir / "tone.wav"), "-i", str(cover), "-map", "0:a", "-map", "1:v",
        "-c:a", "libmp3lame", "-c:v", "png", "-disposition:v", "attached_pic", str(song),
    )  # fmt: skip
    info = media.probe(song)
    assert info.has_audio and not info.has_video
