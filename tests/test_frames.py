"""A still frame per section, taken by ffmpeg from a video whose picture changes at each section."""

from __future__ import annotations

import itertools
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from tests.conftest import run_ffmpeg, truth_transcript
from tools.images import grey
from video2blog.cli import app
from video2blog.pipeline.ingest.frames import pick_frame, section_frames, sharpness, usable
from video2blog.pipeline.run import DraftOptions, _frame_source, add_section_images, render_draft, write_draft
from video2blog.pipeline.schema import Source
from video2blog.pipeline.writers.formats import jpeg_size

SIZE = (64, 36)


@pytest.fixture(scope="module")
def computed(slides_sample: Path, sample_truth: dict):
    source = Source("slides.mp4", "cd" * 32, sample_truth["duration"])
    options = DraftOptions(date="2026-01-02", formats=("draft", "md", "html"))
    return render_draft(truth_transcript(sample_truth), source, options, video=slides_sample)


def test_each_section_gets_a_different_picture_and_none_is_black(computed):
    sections = computed.draft.sections
    assert len(sections) >= 4
    images = {name: data for name, data in computed.files.items() if name.startswith("images/")}
    assert [s.image for s in sections] == sorted(images)
    for n, section in enumerate(sections, 1):
        assert section.image.startswith(f"images/{n:02d}-") and section.image.endswith(".jpg")
    pictures = [grey(images[s.image], SIZE) for s in sections]
    assert all(p.mean() > 30 and p.std() > 10 for p in pictures), "a black or flat (fade) frame was chosen"
    for a, b in itertools.combinations(pictures, 2):
        assert np.abs(a - b).mean() > 12, "two sections show the same picture"


def test_the_stills_appear_in_post_md_and_post_html_with_the_heading_as_alt_text(computed, tmp_path: Path):
    result = write_draft(computed, tmp_path / "d")
    first = computed.draft.sections[0]
    assert (tmp_path / "d" / first.image).read_bytes()[:2] == b"\xff\xd8"  # a JPEG, in images/
    md = (tmp_path / "d" / "post.md").read_text()
    html = (tmp_path / "d" / "post.html").read_text()
    assert f"]({first.image})" in md
    named = computed.draft.title if first.lead else first.heading  # a greeting lead has no heading
    width, height = jpeg_size(computed.files[first.image]) or (0, 0)
    assert f'<img src="{first.image}" alt="{named}" width="{width}" height="{height}">' in html
    second = computed.draft.sections[1]
    width, height = jpeg_size(computed.files[second.image]) or (0, 0)
    assert (
        f'<img src="{second.image}" alt="{second.heading}" width="{width}" height="{height}" loading="lazy">'
        in html
    )
    assert f'<meta property="og:image" content="{first.image}">' in html  # the first is the featured image
    again = write_draft(computed, tmp_path / "d")  # the manifest knows files in images/: none "edited"
    assert not again.kept and len(again.written) == len(result.written)


def test_a_redraft_without_stills_removes_the_old_ones_but_not_an_editors_file(computed, tmp_path: Path):
    """A redraft with --no-images (or from captions) left the earlier draft's stills in images/, which
    nothing uses any more; the README says an unused still is removed. A file an editor put there stays."""
    out = tmp_path / "d"
    write_draft(computed, out)
    (out / "images" / "logo.png").write_bytes(b"the clinic's logo")
    stills = {name for name in computed.files if name.startswith("images/")}
    without = {name: data for name, data in computed.files.items() if name not in stills}
    result = write_draft(replace(computed, files=without), out)
    assert sorted(p.name for p in (out / "images").iterdir()) == ["logo.png"]
    assert {p.name for p in result.removed} == {Path(name).name for name in stills}


def test_a_redraft_without_stills_keeps_those_an_editors_kept_post_still_shows(computed, tmp_path: Path):
    """A redraft with --no-images over a post.md the editor changed keeps that post.md; the stills it
    shows stay with it, or the editor's post would lose its pictures."""
    out = tmp_path / "d"
    write_draft(computed, out)
    post = out / "post.md"
    post.write_text(post.read_text(encoding="utf-8") + "\nAn editor's closing line.\n", encoding="utf-8")
    stills = {name for name in computed.files if name.startswith("images/")}
    without = {name: data for name, data in computed.files.items() if name not in stills}
    result = write_draft(replace(computed, files=without), out)
    assert post in result.kept
    assert all((out / name).is_file() for name in stills)
    assert not result.removed


def test_black_flat_and_blurred_frames_lose_to_a_sharp_one():
    rng = np.random.default_rng(0)
    sharp = rng.integers(0, 255, (90, 160)).astype(np.uint8)
    blurred = ((sharp[:, :-1].astype(int) + sharp[:, 1:]) // 2).astype(np.uint8)[:, :159]
    blurred = np.pad(blurred, ((0, 0), (0, 1)), mode="edge")
    black = np.full((90, 160), 4, np.uint8)
    fade = np.full((90, 160), 128, np.uint8)
    assert not usable(black) and not usable(fade)
    assert sharpness(sharp) > sharpness(blurred)
    assert pick_frame([black, blurred, fade, sharp]) == 3
    assert pick_frame([black, fade]) is None
    # The question card and the name card, then the name card alone: the card's crisp letters won, every
    # frame showing some text.
    assert pick_frame([sharp, blurred], texts=[2, 1]) == 1


def test_stills_come_only_from_a_video_and_not_with_no_images(slides_sample: Path, media_dir: Path):
    assert _frame_source(slides_sample, DraftOptions()) == slides_sample
    assert _frame_source(slides_sample, DraftOptions(images=False)) is None
    assert _frame_source(media_dir / "tone.wav", DraftOptions()) is None  # audio: no pictures


def test_a_video_of_one_flat_colour_gives_no_stills_and_the_draft_says_so(computed, tmp_path: Path):
    flat = tmp_path / "flat.mp4"
    run_ffmpeg("-f", "lavfi", "-i", "color=c=0x336699:s=320x180:r=5:d=60", "-c:v", "libx264", str(flat))
    assert section_frames(flat, [(0.0, 10.0), (30.0, 50.0)]) == [None, None]
    draft, files = add_section_images(computed.draft, flat)
    assert files == {}
    assert [n for n in draft.notes if "still" in n] == [
        "No still frames: the video shows no usable picture (black, or one flat colour)."
    ]


def test_the_bundled_sample_shows_pictures_that_change(sample_video: Path):
    frames = section_frames(sample_video, [(0.0, 10.0), (30.0, 50.0), (92.0, 108.0)])
    assert all(frames) and len({f.jpeg for f in frames if f}) == 3


@pytest.mark.slow
def test_draft_command_writes_stills_from_a_video_and_no_images_turns_them_off(
    slides_sample: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    with_images = CliRunner().invoke(app, ["draft", str(slides_sample), "--out", str(tmp_path / "a")])
    assert with_images.exit_code == 0, with_images.output
    stills = sorted((tmp_path / "a" / "images").glob("*.jpg"))
    assert len(stills) >= 3 and stills[0].name.startswith("01-")
    without = CliRunner().invoke(
        app, ["draft", str(slides_sample), "--out", str(tmp_path / "b"), "--no-images"]
    )
    assert without.exit_code == 0, without.output
    assert not (tmp_path / "b" / "images").exists()
    assert "<img" not in (tmp_path / "b" / "post.html").read_text()


def test_a_video_ffmpeg_cannot_take_frames_from_still_gets_its_draft(computed, tmp_path: Path, caplog):
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64)  # a header and nothing to decode
    draft, files = add_section_images(computed.draft, broken)
    assert files == {} and draft is computed.draft
    assert "no still frames" in caplog.text and "--no-images" in caplog.text


def test_a_sections_still_is_not_taken_from_the_card_that_heads_it(tmp_path: Path):
    """Every still was the section's title card (its crisp letters the sharpest picture), never the
    speaker: the card's time on screen is passed over where the section shows anything else."""
    from tools.screen_video import Shown, Style, render

    video = tmp_path / "carded.mp4"
    render(video, 8.0, [Shown("How long is the recovery?", 0.0, 3.0, "card")], Style(), size=(320, 180))
    (frame,) = section_frames(video, [(0.0, 8.0)], shown=[(0.0, 3.0)])
    assert frame is not None and frame.time >= 3.0
    (anyway,) = section_frames(video, [(0.0, 2.5)], shown=[(0.0, 3.0)])  # nothing else: the card it is
    assert anyway is not None
