"""VAD on against off: word error rate over the evaluation set, and what long silences cost.

Run: ``python -m benchmarks.bench_vad [--skip wer,silence] [--silence-s 60] [--talk NAME]
[--compare vad|batched|compute|beam]``

- ``wer``: every talk of ``benchmarks/out/eval`` (built by ``make_eval_set.py``) is transcribed by the
  project's faster-whisper engine with the defaults, once with faster-whisper's bundled Silero VAD and
  once without (or, with ``--compare``, sequential against batched, int8 against float32, beam 5
  against beam 1); the reference is the talk's ``.truth.json`` ``text``. Prints each talk's WER and
  the corpus WER (all errors over all reference words), both after Whisper's English normaliser.
- ``silence``: one talk, and the same talk with ``--silence-s`` seconds of digital silence, then of
  quiet room noise, inserted (by ffmpeg) between two sections, are transcribed with VAD on and off.
  Only ``transcribe`` is timed (model loaded and audio decoded beforehand, one warm-up run first).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from benchmarks.bench_transcribe import EVAL, OUT, corpus_wer, wer
from video2blog.pipeline.engines import Engine, EngineOptions, get_engine
from video2blog.pipeline.ingest.media import ffmpeg_exe, load_audio

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Talk:
    """One evaluation talk: its audio file, spoken text and truth data."""

    name: str
    media: Path
    text: str
    truth: dict


def eval_talks() -> list[Talk]:
    """Every talk of the evaluation set, in name order."""
    talks = []
    for truth in sorted(EVAL.glob("*.truth.json")):
        data = json.loads(truth.read_text(encoding="utf-8"))
        media = truth.with_name(truth.name.replace(".truth.json", ".m4a"))
        talks.append(Talk(media.stem, media, data["text"], data))
    if not talks:
        raise SystemExit(f"no evaluation talks in {EVAL}; run python -m benchmarks.make_eval_set")
    return talks


# Settings compared over the evaluation set (``--compare``); each differs from the defaults in one way.
COMPARISONS: dict[str, dict[str, EngineOptions]] = {
    "vad": {"VAD on": EngineOptions(vad=True), "VAD off": EngineOptions(vad=False)},
    "batched": {"sequential": EngineOptions(), "batched": EngineOptions(batched=True)},
    "compute": {"int8": EngineOptions(compute_type="int8"), "float32": EngineOptions(compute_type="float32")},
    "beam": {"beam 5": EngineOptions(beam_size=5), "beam 1": EngineOptions(beam_size=1)},
}


def engines(compare: str = "vad") -> dict[str, Engine]:
    """The faster-whisper engines of one comparison; ``on``/``off`` are the VAD ones (silence check)."""
    built = {label: get_engine("faster-whisper", o) for label, o in COMPARISONS[compare].items()}
    if compare == "vad":
        built["on"], built["off"] = built["VAD on"], built["VAD off"]
    return built


def words_of(engine: Engine, audio: np.ndarray) -> list[str]:
    """The recognised words of ``audio``."""
    return [w.text for w in engine.transcribe(audio).words]


def wer_table(talks: list[Talk], built: dict[str, Engine], compare: str) -> None:
    """Print each talk's WER under each setting of ``compare``, then the corpus WER of each."""
    labels = list(COMPARISONS[compare])
    hyps: dict[str, list[str]] = {label: [] for label in labels}
    print(f"{'talk':32} {'min':>5} " + " ".join(f"{'WER ' + label:>14}" for label in labels))
    for talk in talks:
        audio = load_audio(talk.media)
        for label in labels:
            hyps[label].append(" ".join(words_of(built[label], audio)))
        errors = " ".join(f"{wer(talk.text, hyps[label][-1].split()):14.4f}" for label in labels)
        print(f"{talk.name:32} {len(audio) / 16000 / 60:5.2f} {errors}", flush=True)
    names = {"talks": [t.name for t in talks], **hyps}
    (OUT / f"{compare}-hypotheses.json").write_text(json.dumps(names))
    refs = [t.text for t in talks]
    print(
        f"{'corpus (all words)':32} {'':5} " + " ".join(f"{corpus_wer(refs, hyps[x]):14.4f}" for x in labels)
    )


# What fills the inserted gap: digital silence, and a quiet room (brown noise about 45 dB below the voice).
GAPS = {"silence": "aevalsrc=0", "room noise": "anoisesrc=color=brown:amplitude=0.004"}


def with_gap(talk: Talk, seconds: float, kind: str) -> tuple[Path, float]:
    """Write ``talk`` with ``seconds`` of ``GAPS[kind]`` inserted before its middle section; path, cut."""
    sections = talk.truth["sections"]
    cut = round(float(sections[len(sections) // 2]["start"]) - 0.2, 3)
    out = OUT / f"{talk.name}-{kind.replace(' ', '-')}{seconds:g}s.wav"
    graph = (
        f"[0:a]aresample=16000,pan=mono|c0=c0,asplit[x][y];[x]atrim=end={cut}[a];"
        f"[y]atrim=start={cut},asetpts=PTS-STARTPTS[b];"
        f"{GAPS[kind]}:d={seconds}:s=16000[s];[a][s][b]concat=n=3:v=0:a=1[out]"
    )
    cmd = [ffmpeg_exe(), "-nostdin", "-v", "error", "-y", "-i", str(talk.media)]
    subprocess.run([*cmd, "-filter_complex", graph, "-map", "[out]", str(out)], check=True)
    return out, cut


def timed_words(engine: Engine, audio: np.ndarray) -> tuple[float, list[tuple[str, float]]]:
    """Seconds one ``transcribe`` takes, and the words with their start times."""
    start = time.perf_counter()
    words = engine.transcribe(audio).words
    return time.perf_counter() - start, [(w.text, w.start) for w in words]


def silence_table(talk: Talk, seconds: float, built: dict[str, Engine]) -> None:
    """Print transcription time, word count and WER with and without a long inserted gap."""
    audios, cut = {"as recorded": load_audio(talk.media)}, 0.0
    for kind in GAPS:
        path, cut = with_gap(talk, seconds, kind)
        audios[f"+{seconds:g} s {kind}"] = load_audio(path)
    timed_words(built["on"], audios["as recorded"][: 16000 * 20])  # warm-up
    print(f"\n{talk.name}: {seconds:g} s gap inserted at {cut:.1f} s (transcribe only, model loaded)")
    print(f"{'audio':22} {'VAD':>4} {'audio s':>8} {'transcribe s':>13} {'words':>6} {'in gap':>7} WER")
    for label, audio in audios.items():
        for key in ("on", "off"):
            took, words = timed_words(built[key], audio)
            gap = label != "as recorded"
            inside = sum(1 for _, t in words if gap and cut + 0.5 <= t < cut + seconds - 0.5)
            error = wer(talk.text, [w for w, _ in words])
            row = f"{label:22} {key:>4} {len(audio) / 16000:8.1f} {took:13.1f} {len(words):6d} {inside:7d}"
            print(f"{row} {error:6.3f}", flush=True)


def main() -> None:
    """Parse the options and print the tables asked for."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip", default="", help="comma list of: wer,silence")
    parser.add_argument("--silence-s", type=float, default=60.0)
    parser.add_argument("--talk", default="allergy-asked", help="the talk for the silence check")
    parser.add_argument("--compare", default="vad", choices=sorted(COMPARISONS), help="settings for wer")
    args = parser.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    talks, built = eval_talks(), engines(args.compare)
    if "wer" not in skip:
        wer_table(talks, built, args.compare)
    if "silence" not in skip and args.compare == "vad":
        silence_table(next(t for t in talks if t.name == args.talk), args.silence_s, built)


if __name__ == "__main__":
    main()
