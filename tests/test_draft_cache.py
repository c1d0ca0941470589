"""A draft made again from the same inputs comes from the cache folder (pipeline/draft_cache.py): the
same files, byte for byte; any changed input drafts afresh; an editor's edited file is never written
over; a damaged cache is passed over."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from tests.conftest import make_transcript
from video2blog.pipeline import draft_cache, run
from video2blog.pipeline.digest import sha256_file
from video2blog.pipeline.editing import store
from video2blog.pipeline.editing.edits import Edit
from video2blog.pipeline.engines import EngineOptions
from video2blog.pipeline.ingest.transcribe import TranscribeOptions, cache_key, transcribe_media, write_cached
from video2blog.pipeline.llm import LlmOptions
from video2blog.pipeline.serialize import to_json, transcript_to_dict

TEXT = (
    "What does a ketamine infusion feel like? Most patients feel relaxed and a little floaty during the "
    "infusion, and the feeling passes within an hour. How many infusions will I need? Most people start "
    "with six infusions over two or three weeks, then come back for a top-up when the pain returns."
)


@pytest.fixture
def talk(tmp_path: Path) -> Path:
    path = tmp_path / "talk.json"
    path.write_bytes(to_json(transcript_to_dict(make_transcript(TEXT))))
    return path


@pytest.fixture
def options(tmp_path: Path) -> run.DraftOptions:
    return run.DraftOptions(transcribe=TranscribeOptions(cache_dir=tmp_path / "cache"), date="2026-01-02")


@pytest.fixture
def renders(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the drafts actually made (not taken from the cache)."""
    calls: list[int] = []
    real = run.render_draft

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(run, "render_draft", counting)
    return calls


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def test_the_same_inputs_give_the_same_files_from_the_cache(talk, options, renders, tmp_path):
    out = tmp_path / "out"
    first = run.draft_file(talk, out, options)
    written = _files(out)
    again = run.draft_file(talk, out, replace(options, force=True))
    assert len(renders) == 1  # the second came from the cache
    assert _files(out) == written
    assert again.draft == first.draft and again.transcript == first.transcript
    assert draft_cache.entry_path(tmp_path / "cache", first.draft.source.sha256).is_file()


@pytest.mark.parametrize(
    "change",
    [
        lambda o: replace(o, date="2026-02-03"),
        lambda o: replace(o, formats=("draft", "md")),
        lambda o: replace(o, glossary=("ketamine",)),
        lambda o: replace(o, verbatim=True),
    ],
)
def test_a_changed_setting_drafts_afresh(talk, options, renders, tmp_path, change):
    out = tmp_path / "out"
    run.draft_file(talk, out, options)
    changed = change(options)
    again = run.draft_file(talk, out, replace(changed, force=True))
    assert len(renders) == 2
    fresh = run.draft_file(talk, tmp_path / "fresh", replace(changed, transcribe=TranscribeOptions()))
    made = {name: data for name, data in _files(tmp_path / "fresh").items() if name != ".video2blog.json"}
    assert {name: _files(out)[name] for name in made} == made  # what a draft without any cache writes
    assert again.draft == fresh.draft


def test_a_changed_transcript_drafts_afresh(talk, options, renders, tmp_path):
    out = tmp_path / "out"
    run.draft_file(talk, out, options)
    talk.write_bytes(to_json(transcript_to_dict(make_transcript(TEXT.replace("six", "eight")))))
    again = run.draft_file(talk, out, replace(options, force=True))
    assert len(renders) == 2
    assert "eight infusions" in (out / "post.md").read_text() and "six" not in (out / "post.md").read_text()
    assert "eight" in " ".join(p.text for s in again.draft.sections for p in s.paragraphs)


def test_a_changed_program_drafts_afresh(talk, options, renders, tmp_path, monkeypatch):
    run.draft_file(talk, tmp_path / "out", options)
    monkeypatch.setattr(draft_cache, "environment", lambda: "another version of video2blog")
    run.draft_file(talk, tmp_path / "out", replace(options, force=True))
    assert len(renders) == 2


def test_another_folder_gets_its_own_draft(talk, options, renders, tmp_path):
    run.draft_file(talk, tmp_path / "one", options)
    run.draft_file(talk, tmp_path / "two", options)
    assert len(renders) == 2  # the review page links the media relative to its folder


def test_an_edited_file_is_kept_when_the_draft_comes_from_the_cache(talk, options, renders, tmp_path):
    out = tmp_path / "out"
    run.draft_file(talk, out, options)
    edited = (out / "post.md").read_text() + "\nThe editor's own closing line.\n"
    (out / "post.md").write_text(edited)
    again = run.draft_file(talk, out, options)
    assert len(renders) == 1
    assert (out / "post.md").read_text() == edited
    assert again.kept == (out / "post.md",) and (out / "post.new.md").is_file()


def test_the_editors_saved_edits_are_applied_and_said_again(talk, options, renders, tmp_path, caplog):
    out = tmp_path / "out"
    run.draft_file(talk, out, options)
    store.save(out, [Edit("heading", section=1, text="How many sessions")], store.load(out).version, None)
    with caplog.at_level(logging.WARNING):
        first = run.draft_file(talk, out, options)
        again = run.draft_file(talk, out, options)
    assert len(renders) == 2  # the saved edits changed the inputs once; then the cache serves them
    assert not [r for r in caplog.records if "re-applied" in r.getMessage()]  # every edit back: no warning
    # a note, and the cached draft says again what the first one said
    assert first.notes == again.notes == ("edits.json: re-applied 1 of the editor's 1 saved edits",)
    assert "## How many sessions" in (out / "post.md").read_text()


def test_a_damaged_cache_is_passed_over_and_written_again(talk, options, renders, tmp_path, caplog):
    out = tmp_path / "out"
    first = run.draft_file(talk, out, options)
    written = _files(out)
    entry = draft_cache.entry_path(tmp_path / "cache", first.draft.source.sha256)
    entry.write_bytes(b"not a pickle")
    with caplog.at_level(logging.WARNING):
        run.draft_file(talk, out, replace(options, force=True))
    assert "cannot read the cached draft" in caplog.text
    assert _files(out) == written and len(renders) == 2
    run.draft_file(talk, out, replace(options, force=True))
    assert len(renders) == 2  # the entry was written again


def test_no_cache_without_a_cache_folder_nor_for_a_language_model(talk, options, renders, tmp_path):
    plain = replace(options, transcribe=TranscribeOptions())
    run.draft_file(talk, tmp_path / "out", plain)
    run.draft_file(talk, tmp_path / "out", replace(plain, force=True))
    assert len(renders) == 2
    assert draft_cache.draft_key(replace(options, llm=LlmOptions("http://127.0.0.1:9/v1")), "words") is None


@pytest.mark.parametrize("media", ["gone", "changed"])
def test_a_transcript_whose_media_is_gone_or_changed_drafts_without_it_and_says_so(
    talk, options, tmp_path, caplog, media
):
    # a draft folder's transcript.json, its draft.json naming the video it was heard from
    folder = tmp_path / "draft"
    run.draft_file(talk, folder, options)
    video = tmp_path / "talk.mp4"
    video.write_bytes(b"the video as it was")
    recorded = json.loads((folder / "draft.json").read_text())
    recorded["source"] = {"path": str(video), "sha256": sha256_file(video), "duration": 30.0}
    (folder / "draft.json").write_text(json.dumps(recorded))
    if media == "gone":
        video.unlink()
    else:
        video.write_bytes(b"another video since")
    with caplog.at_level(logging.WARNING):
        result = run.draft_file(folder / "transcript.json", folder, options)
    said = "is not there" if media == "gone" else "has changed since"
    assert f"the media it was heard from ({video}) {said}" in caplog.text
    assert result.draft.source.path.endswith("transcript.json")  # the words' own file, as before


def test_a_model_folder_changed_at_the_same_path_is_heard_again(tmp_path: Path):
    """The transcript cache knows a model given as a folder by its files, not only its path: a model
    converted or fine-tuned again into the same folder hears other words."""
    folder = tmp_path / "clinic-model"
    folder.mkdir()
    (folder / "model.bin").write_bytes(b"first weights")
    options = TranscribeOptions(engine_options=EngineOptions(model=str(folder)))
    before = cache_key("ab" * 32, options)
    assert cache_key("ab" * 32, options) == before  # the same files: the cache is used
    (folder / "model.bin").write_bytes(b"weights converted again")
    assert cache_key("ab" * 32, options) != before
    named = TranscribeOptions(engine_options=EngineOptions(model="tiny.en"))
    assert cache_key("ab" * 32, named) == cache_key("ab" * 32, named)


def test_a_reused_transcript_names_the_engine_and_model_that_heard_it(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    options = TranscribeOptions(engine="openai-whisper", cache_dir=tmp_path)
    heard = replace(make_transcript("Hello there."), engine="openai-whisper", model="base")
    write_cached(tmp_path, cache_key("0" * 64, options), heard)
    caplog.set_level(logging.INFO, logger="video2blog.pipeline.ingest.transcribe")
    assert transcribe_media(None, "0" * 64, options) == heard  # type: ignore[arg-type]  # cached: never probed
    assert "(heard by openai-whisper base; language: English)" in caplog.text


def _draft_with_ffmpeg(version: str, media_path: Path, tmp_path: Path) -> tuple[dict, str]:
    """`video2blog draft` run with an ``ffmpeg`` first on PATH that decodes as the bundled one does but
    names itself ``version``: its draft.json and what it said."""
    import imageio_ffmpeg

    bin_dir = tmp_path / version / "bin"
    bin_dir.mkdir(parents=True, exist_ok=True)
    fake = bin_dir / "ffmpeg"
    bundled = imageio_ffmpeg.get_ffmpeg_exe()
    fake.write_text(
        f'#!/bin/sh\n[ "$1" = -version ] && {{ echo "ffmpeg version {version} Copyright (c) x"; exit 0; }}\n'
        f'exec "{bundled}" "$@"\n'
    )
    fake.chmod(0o755)
    env = {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "XDG_CACHE_HOME": str(tmp_path),
    }
    out = tmp_path / version / "draft"
    args = [str(Path(sys.executable).with_name("video2blog")), "draft", str(media_path), "--out", str(out)]
    done = subprocess.run(
        [*args, "--formats", "json", "-v"], capture_output=True, text=True, env=env, timeout=300
    )
    assert done.returncode == 0, done.stderr
    return json.loads((out / "draft.json").read_text()), done.stderr


def test_another_ffmpeg_hears_the_media_again_and_the_draft_names_it(jfk_path: Path, tmp_path: Path):
    """Another ffmpeg decodes other samples (other words, other stills): a transcript or draft cached
    from one ffmpeg is not reused with another, and draft.json names the ffmpeg that decoded the media."""
    first, _ = _draft_with_ffmpeg("0.0-first", jfk_path, tmp_path)
    again, said = _draft_with_ffmpeg("0.0-first", jfk_path, tmp_path)
    assert "reusing cached transcript" in said  # the same ffmpeg: the cache serves it
    assert "language: English)" in said  # and says which language the words it serves are in
    other, said = _draft_with_ffmpeg("0.0-other", jfk_path, tmp_path)
    assert "reusing cached transcript" not in said
    assert len(list((tmp_path / "video2blog" / "transcripts").glob("*.json"))) == 2
    assert first["source"]["ffmpeg"] == again["source"]["ffmpeg"] == "ffmpeg version 0.0-first"
    assert other["source"]["ffmpeg"] == "ffmpeg version 0.0-other"
