"""What ``--language auto`` costs a first transcription, English and Spanish (the ``base`` extra installed).

Run: ``python -m benchmarks.bench_language [MEDIA ...]`` (default: the bundled English sample and the
Spanish talks of ``benchmarks/talks-es-heldout3/`` spoken by espeak-ng; run ``python -m
benchmarks.eval_spanish --set heldout3`` once to make them).

Each file is transcribed from nothing (a fresh transcript cache; the models' cache is shared) as
``video2blog draft`` does with ``--language auto``, and, beside it, as it was done before the opening was
judged on its own: tiny.en hears the whole talk (hearing again the speech it missed), then base hears it
again where it was not English. Prints wall and CPU seconds of each and their ratio.
"""

from __future__ import annotations

import argparse
import functools
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from benchmarks.eval_sections import CACHE_DIR
from video2blog.pipeline.engines import EngineOptions
from video2blog.pipeline.ingest import language, media, transcribe
from video2blog.pipeline.schema import Transcript

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = [
    ROOT / "samples" / "ketamine-pain.mp4",
    *sorted((ROOT / "benchmarks" / "out" / "talks-es-heldout3").glob("*-asked.wav")),
]


def timed(hear: Callable[[], Transcript]) -> tuple[float, float, Transcript]:
    """Wall and CPU seconds of ``hear``, and what it heard."""
    wall, cpu = time.perf_counter(), time.process_time()
    heard = hear()
    return time.perf_counter() - wall, time.process_time() - cpu, heard


def fresh_options() -> transcribe.TranscribeOptions:
    """``--language auto`` with an empty transcript cache (the models' cache shared)."""
    cache = Path(tempfile.mkdtemp(prefix="bench-language-"))
    (cache / "models").symlink_to(CACHE_DIR / "models")
    engine = EngineOptions(threads=2, language=None)
    return transcribe.TranscribeOptions(engine_options=engine, cache_dir=cache)


def now(path: Path) -> Transcript:
    """The transcript stage as it runs."""
    return transcribe.transcribe_media(media.probe(path), "0" * 64, fresh_options())


def before(path: Path) -> Transcript:
    """The flow before the opening was judged: tiny.en hears everything, then base hears it all again."""
    options = transcribe._with_language(fresh_options())
    info = media.probe(path)
    track = media.choose_track(info, options.audio_track)
    heard = transcribe._hear(options, info, track, None)
    head = functools.partial(transcribe._head, info, track)
    again = language.second_hearing(heard, options.engine_options, head, options.cache_dir)
    if again is None:
        return heard
    return transcribe._hear(replace(options, engine_options=again), info, track, None)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("media", nargs="*", type=Path)
    args = parser.parse_args(argv)
    if not language.base_installed():
        print("bench_language: needs the base extra (pip install '.[base]')", file=sys.stderr)
        return 1
    print(f"{'media':32} {'model':8} {'now wall / CPU s':>17} {'before wall / CPU s':>20} {'wall ratio':>10}")
    for path in args.media or DEFAULT:
        wall, cpu, heard = timed(functools.partial(now, path))
        old_wall, old_cpu, _ = timed(functools.partial(before, path))
        times = f"{wall:8.1f} / {cpu:6.1f} {old_wall:11.1f} / {old_cpu:6.1f}"
        print(f"{path.name[:32]:32} {heard.model:8} {times} {wall / old_wall:10.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
