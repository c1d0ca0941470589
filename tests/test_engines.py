"""The engines behind one interface: choice by name, CPU defaults, clear errors, and agreement."""

from __future__ import annotations

import os
import re
import sys
from contextlib import ExitStack
from pathlib import Path

import pytest
from typer.testing import CliRunner

from video2blog.cli import app
from video2blog.pipeline.engines import EngineOptions, faster, get_engine
from video2blog.pipeline.engines.base import Device, resolve_device
from video2blog.pipeline.engines.faster import (
    FasterWhisperEngine,
    check_compute_type,
    cpu_threads,
    ct2_device,
    default_compute_type,
    one_blas_thread,
)
from video2blog.pipeline.errors import ModelError, UsageError
from video2blog.pipeline.ingest.transcribe import TranscribeOptions
from video2blog.pipeline.run import DraftOptions, compute_draft
from video2blog.pipeline.schema import Draft, Transcript

runner = CliRunner()


# --- defaults and settings -----------------------------------------------------


def _blas_threads() -> int:
    from threadpoolctl import threadpool_info

    return max((info["num_threads"] for info in threadpool_info() if info["user_api"] == "blas"), default=1)


def test_transcriptions_hold_numpys_blas_to_one_thread_until_the_last_of_them_ends() -> None:
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=2, user_api="blas"):
        before = _blas_threads()
        if before < 2:
            pytest.skip("numpy's BLAS runs one thread here already")
        with ExitStack() as second:
            with one_blas_thread():
                second.enter_context(one_blas_thread())  # another transcription, in another thread
                assert _blas_threads() == 1
            assert _blas_threads() == 1  # the second is still reading its features
        assert _blas_threads() == before


def test_cpu_defaults_are_the_measured_ones() -> None:
    options = EngineOptions()
    assert (options.device, options.compute_type, options.threads) == ("auto", "default", 0)
    assert options.vad is True and options.batched is False and options.beam_size == 5
    assert default_compute_type("cpu", "default") == "int8"
    assert default_compute_type("cuda", "default") == "float16"
    assert default_compute_type("cpu", "float32") == "float32"
    assert cpu_threads(0) == os.cpu_count() and cpu_threads(1) == 1


def test_devices_and_compute_types_are_checked() -> None:
    assert resolve_device("cpu", 2) == Device("cpu")
    assert resolve_device("auto", 0) == Device("cpu") and resolve_device("auto", 1) == Device("cuda", 0)
    assert str(resolve_device("cuda:1", 2)) == "cuda:1" and str(resolve_device("cuda", 1)) == "cuda:0"
    for bad in ("gpu", "cuda:x", "cpu:1", "cuda:"):
        choices = "choose one of: auto, cpu, cuda or cuda:N"
        with pytest.raises(UsageError, match=f"unknown device {bad!r}; {choices}"):
            resolve_device(bad, 1)
    with pytest.raises(ModelError, match="'cuda:2' asked for, but the engine sees 2 CUDA GPU"):
        resolve_device("cuda:2", 2)
    for compute_type in ("int8", "int8_float32", "float32"):
        assert check_compute_type("cpu", compute_type) == compute_type
    with pytest.raises(UsageError, match="compute type 'float16' is not available on cpu; choose one of"):
        check_compute_type("cpu", "float16")


def test_cuda_without_a_gpu_is_a_model_error() -> None:
    ctranslate2 = pytest.importorskip(
        "ctranslate2", reason="needs ctranslate2 (with faster-whisper): pip install -e ."
    )
    if ctranslate2.get_cuda_device_count() > 0:
        pytest.skip("this machine has a CUDA GPU")
    with pytest.raises(ModelError, match="sees no CUDA GPU; use device cpu or auto"):
        ct2_device("cuda")


def test_faster_whisper_engine_is_built_by_name() -> None:
    engine = get_engine("faster-whisper", EngineOptions(device="cpu"))
    assert isinstance(engine, FasterWhisperEngine)
    assert (engine.device, engine.compute_type, engine.model_name) == ("cpu", "int8", "tiny.en")


# --- the CLI ---------------------------------------------------------------------


def test_openai_engine_without_the_extra_is_one_clear_line(
    media_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "whisper", None)  # as if openai-whisper were not installed
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    out = tmp_path / "draft"
    args = ["draft", str(media_dir / "tone.wav"), "--out", str(out), "--engine", "openai-whisper"]
    result = runner.invoke(app, args)
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert lines[0].startswith("video2blog: error: openai-whisper is not installed")
    assert "pip install 'video2blog[openai]'" in lines[0] and "pip install '.[openai]'" in lines[0]
    assert not out.exists() or os.listdir(out) == []


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--device", "gpu"], "unknown device 'gpu'"),
        (["--compute-type", "float16", "--device", "cpu"], "compute type 'float16' is not available on cpu"),
        (["--batched", "--no-vad"], "batched transcription needs VAD"),
    ],
)
def test_bad_device_or_compute_type_is_a_usage_error(
    media_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, flags: list[str], message: str
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    args = ["draft", str(media_dir / "tone.wav"), "--out", str(tmp_path / "d"), *flags]
    result = runner.invoke(app, args)
    assert result.exit_code == 2 and message in result.output, result.output
    assert len(result.output.strip().splitlines()) == 1


# --- openai-whisper against faster-whisper on the sample video -------------------


def normalised(transcript: Transcript) -> str:
    """Lower-case words without punctuation, for comparing two engines."""
    return " ".join(re.sub(r"[^\w\s']", " ", transcript.text.lower()).split())


def draft_with(engine: str, sample: Path) -> tuple[Transcript, Draft]:
    """The sample's words and draft from ``engine`` with the default settings, no cache."""
    options = DraftOptions(transcribe=TranscribeOptions(engine=engine), formats=("draft",), date="2025-01-01")
    computed = compute_draft(sample, options)
    return computed.transcript, computed.draft


@pytest.fixture(scope="module")
def both_engines(
    sample_video: Path, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, tuple[Transcript, Draft]]:
    """The sample drafted by each engine (openai-whisper's converted model cached in a temporary folder)."""
    pytest.importorskip("whisper", reason="needs openai-whisper and torch: bash scripts/test.sh installs it")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("xdg")))
        return {name: draft_with(name, sample_video) for name in ("faster-whisper", "openai-whisper")}


@pytest.mark.slow
def test_openai_whisper_words_match_faster_whispers(both_engines: dict) -> None:
    jiwer = pytest.importorskip(
        "jiwer", reason="needs jiwer (in the 'test' extra): bash scripts/test.sh installs it"
    )
    faster, openai = both_engines["faster-whisper"][0], both_engines["openai-whisper"][0]
    assert (faster.engine, openai.engine) == ("faster-whisper", "openai-whisper")
    assert faster.model == openai.model == "tiny.en"
    assert faster.language == openai.language == "en"
    assert faster.duration == pytest.approx(openai.duration)
    assert jiwer.wer(normalised(faster), normalised(openai)) <= 0.1
    for transcript in (faster, openai):
        assert all(a.start <= b.start for a, b in zip(transcript.words, transcript.words[1:]))


@pytest.mark.slow
def test_openai_whisper_draft_has_faster_whispers_headings(both_engines: dict) -> None:
    faster, openai = both_engines["faster-whisper"][1], both_engines["openai-whisper"][1]
    assert [(s.heading, s.heading_source) for s in openai.sections] == [
        (s.heading, s.heading_source) for s in faster.sections
    ]
    assert openai.title == faster.title


@pytest.mark.parametrize("model", ["/no/such/clinic-model", "./models/clinic", "~/nowhere/model"])
def test_a_model_folder_that_is_not_there_is_named_as_such(model: str) -> None:
    with pytest.raises(ModelError, match=rf"^{re.escape(model)}: no such model folder"):
        faster.resolve_model(model)


def test_a_model_the_hub_cannot_give_is_one_short_line_saying_it_needs_the_internet(monkeypatch) -> None:
    class Offline:
        def __init__(self, *args: object, **kwargs: object) -> None:
            raise RuntimeError("ConnectError: [Errno -2] Name or service not known\\n" + "x " * 400)

    monkeypatch.setattr("faster_whisper.WhisperModel", Offline)
    with pytest.raises(ModelError) as caught:
        faster.load_model("small.en", Device("cpu", 0), "int8", 1)
    said = str(caught.value)
    assert "\\n" not in said and "\n" not in said and len(said) < 500
    assert "needs the internet" in said and "Name or service not known" in said
