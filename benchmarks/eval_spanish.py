"""Spanish clinic talks end to end: recognition, section boundaries, question headings, no English left.

The talks are ``benchmarks/talks-es/*.md`` (original text, ``## question`` + answer), spoken by
espeak-ng's Spanish voice (``tools/synth.py --espeak es``) into ``benchmarks/out/talks-es/`` in
both variants (``asked``: every question spoken before its answer; ``monologue``: none spoken).
Each is transcribed with ``--language auto`` and the bundled model left to choose (so Whisper base,
the ``base`` extra, takes over from tiny.en), cached under ``benchmarks/cache/``, drafted with
:func:`video2blog.pipeline.run.make_draft` and scored like the English set (``eval_sections``):

- **WER** of the recognised words; **F1** and **Pk** of the section boundaries;
- **HRec** (asked): share of spoken questions recovered as headings (normalised WER <= 0.25);
- **QPos** (asked): share of spoken questions heading a section (spoken) that starts within 3 s of
  them, whatever the recogniser made of their words;
- **Q?** (asked): share of those headings written as Spanish questions ("¿...?");
- **EN**: English fixed strings found in the rendered outputs (post.md, post.html, review.html, and the
  review page with the editing controls `video2blog review` serves): the English message catalogue's
  entries of two words or more and the English title phrasings.

``--lexical`` measures topic shifts without sentence embeddings, ``--minilm`` with the English-only MiniLM
instead of the multilingual encoder the ``base`` extra brings (``engines/embed.section_encoder``);
``--rules-only`` drafts without the spoken-question models (``pipeline/text/asked.py``: the one that weighs
the voice, and the one that reads a question run into its answer), ``--no-reading`` without the second.

Usage::

    python -m benchmarks.eval_spanish [--lexical | --minilm] [--rules-only] [--variant asked|monologue]
        [--no-reading] [--set dev|heldout|heldout2|heldout3|heldout4|heldout5|heldout6|heldout7|heldout8|all]
        [--compute-type int8]

Targets: HRec >= 0.9, WER <= 0.20, EN = 0.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from html import unescape
from pathlib import Path

from benchmarks.eval_sections import CACHE_DIR, TOLERANCE_S, boundary_f1, heading_recall, label, pk, wer
from tools import synth
from video2blog.pipeline.digest import sha256_file
from video2blog.pipeline.engines import EngineOptions, embed
from video2blog.pipeline.ingest import language, media
from video2blog.pipeline.ingest.transcribe import TranscribeOptions, transcribe_media
from video2blog.pipeline.run import DraftOptions, make_draft
from video2blog.pipeline.schema import Draft, Source, Transcript
from video2blog.pipeline.text import asked, locales
from video2blog.pipeline.textutil import messages
from video2blog.pipeline.writers.formats import RenderContext, render_all

ROOT = Path(__file__).resolve().parents[1]
# The five talks the Spanish rules were written on, three written afterwards, kept apart to check them, and
# three more written before the prosodic cue (issue 26, round 5) and scored once, after it was fitted. The
# first two held-out sets were looked into after round 6 (their misses listed), so three more were written
# in round 7, before its last change, and scored once after it; three more in round 12, to check a change
# found by reading a held-out miss (it failed there and was not kept). Three more in round 30, before the
# run-on question reader was refitted with the training talks below, and scored once after it (not kept).
# Three more in round 31, written before the run-on question reader was refitted again on the training talks
# below, and scored once after it. Three more on 7 December 2026 (round 31, second step: lactancia,
# angiologia, tabaquismo), written before a two-word answer opener ("No siempre,") was tried, and scored
# once after it (not kept: it lost in the folds). Three more on 7 December 2026 (round 31, third step:
# menopausia, medicina-nuclear, unidad-del-dolor), written before the text reader was asked of a whole
# full-stop sentence answered by a set-apart "Sí," / "No," and scored once after it.
SETS = {
    "dev": "talks-es",
    "heldout": "talks-es-heldout",
    "heldout2": "talks-es-heldout2",
    "heldout3": "talks-es-heldout3",
    "heldout4": "talks-es-heldout4",
    "heldout5": "talks-es-heldout5",
    "heldout6": "talks-es-heldout6",
    "heldout7": "talks-es-heldout7",
    "heldout8": "talks-es-heldout8",
}
# Talks written only to train on (round 30: yes/no questions answered "Sí," / "No," / "Depende"), spoken and
# heard as the sets above (``spoken_talks``) but never scored here.
# Round 31: talks whose answers open with "No," / "No hace falta" / "No siempre" or carry ", no ..." mid-way,
# so that the monologue variant gives statement pieces followed by an answer word.
# Round 31 (review): answers with a statement followed mid-sentence by a set-apart "sí," / "no," / "claro," /
# "depende," ("El paracetamol es seguro en el embarazo, sí, en las dosis habituales.").
TRAINING = {"train2": "talks-es-train2", "train3": "talks-es-train3", "train4": "talks-es-train4"}
TALKS = ROOT / "benchmarks" / SETS["dev"]
OUT = ROOT / "benchmarks" / "out" / SETS["dev"]
ENGLISH = ("your questions answered", "what to know", "draft post")


@dataclass(frozen=True)
class Result:
    """The scores of one spoken talk."""

    item: str
    model: str
    language: str
    wer: float
    f1: float
    pk: float
    heading_recall: float | None
    placed: float | None
    questions: float | None
    english: tuple[str, ...]


def spoken_talks(variants: tuple[str, ...], talk_set: str = "dev") -> list[Path]:
    """The truth files of every talk of a set in every variant, spoken with espeak-ng where missing."""
    folder = {**SETS, **TRAINING}[talk_set]
    paths = []
    for script in sorted((ROOT / "benchmarks" / folder).glob("*.md")):
        for variant in variants:
            media_path = ROOT / "benchmarks" / "out" / folder / f"{script.stem}-{variant}.wav"
            if not synth.truth_path(media_path).exists():
                talk = synth.parse_script(script)
                synth.synthesize(talk, variant, media_path, 0, False, False, synth.EspeakVoice("es"))  # type: ignore[arg-type]
            paths.append(synth.truth_path(media_path))
    return paths


def transcript_of(
    media_path: Path, compute_type: str, cache_dir: Path = CACHE_DIR
) -> tuple[Transcript, Source]:
    """What the bundled model (or base, when the talk is not English) heard, cached."""
    info = media.probe(media_path)
    sha = sha256_file(media_path)
    engine = EngineOptions(threads=2, language=None, compute_type=compute_type)
    transcript = transcribe_media(info, sha, TranscribeOptions(engine_options=engine, cache_dir=cache_dir))
    return transcript, Source(str(media_path), sha, round(info.duration, 3))


def sentences_of(transcript: Transcript) -> Transcript:
    """The talk's sentences, as a draft finds them (the multilingual encoder reads run-on questions)."""
    return locales.split_sentences(transcript, embed.multilingual_encoder(transcript.language, None))


def english_left(draft: Draft, transcript: Transcript) -> tuple[str, ...]:
    """English fixed strings (the English catalogue's phrases, the English title phrasings) in the
    rendered post and review page."""
    files = render_all(RenderContext(draft, transcript), ("md", "html", "review"))
    editing = {"version": "0", "save": "api/save"}  # the page `video2blog review` serves, with its controls
    edit_page = render_all(RenderContext(draft, transcript, editing=editing), ("review",))["review.html"]
    pages = (*files.values(), edit_page)
    text = unescape(" ".join(data.decode("utf-8", "replace") for data in pages)).lower()
    pieces = (re.split(r"\{\w+\}", v) for v in messages("en").values())
    stripped = {p.strip(' .:·()"%,').lower() for ps in pieces for p in ps}
    phrases = {p for p in stripped if len(p.split()) >= 2} | set(ENGLISH)
    return tuple(p for p in sorted(phrases) if p in text)


def evaluate(truth_path: Path, compute_type: str, cache_dir: Path = CACHE_DIR) -> Result:
    """Transcribe (cached), draft and score one talk."""
    import json

    truth = json.loads(truth_path.read_text(encoding="utf-8"))
    transcript, source = transcript_of(truth_path.parent / truth["media"], compute_type, cache_dir)
    transcript = sentences_of(transcript)
    draft = make_draft(transcript, source, DraftOptions(date="2000-01-01"))
    true_starts = [s["start"] for s in truth["sections"]]
    found_starts = [s.start for s in draft.sections]
    mids = [(w.start + w.end) / 2 for w in transcript.words]
    was_asked = truth["variant"] == "asked"
    spoken = [s.heading for s in draft.sections if s.heading_source == "spoken"]
    true_headings = [s["heading"] for s in truth["sections"] if s["heading"]]
    return Result(
        item=truth_path.name.removesuffix(".truth.json"),
        model=transcript.model,
        language=transcript.language,
        wer=wer(truth["text"], transcript.text),
        f1=boundary_f1(true_starts[1:], found_starts[1:]),
        pk=pk(label(mids, true_starts), label(mids, found_starts)),
        heading_recall=heading_recall(true_headings, [s.heading for s in draft.sections])
        if was_asked
        else None,
        placed=_placed(truth, draft) if was_asked else None,
        questions=sum(h.startswith("¿") and h.endswith("?") for h in spoken) / len(spoken)
        if spoken
        else None,
        english=english_left(draft, transcript),
    )


def _placed(truth: dict, draft: Draft) -> float:
    """Share of the spoken questions that head a draft section (spoken) starting within 3 s of them,
    whatever the recogniser made of their words."""
    asked = [s["start"] for s in truth["sections"] if s["heading"]]
    spoken = [s.start for s in draft.sections if s.heading_source == "spoken"]
    return sum(any(abs(t - f) <= TOLERANCE_S for f in spoken) for t in asked) / len(asked)


def _fmt(value: float | None) -> str:
    return "  -  " if value is None else f"{value:5.2f}"


def main(argv: list[str] | None = None) -> int:
    """Score every Spanish talk and print a table with the means."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lexical", action="store_true", help="no sentence embeddings")
    parser.add_argument(
        "--minilm",
        action="store_true",
        help="topic shifts with the English-only MiniLM, not the multilingual",
    )
    parser.add_argument("--variant", choices=synth.VARIANTS, action="append")
    parser.add_argument("--compute-type", default="default")
    parser.add_argument("--set", choices=(*SETS, "all"), default="all", help="the talks (default: every set)")
    parser.add_argument("--no-style-prompt", action="store_true", help="no prompt-es.txt (the baseline)")
    parser.add_argument(
        "--rules-only", action="store_true", help="no spoken-question models (asked.py: voice and reading)"
    )
    parser.add_argument(
        "--no-reading", action="store_true", help="no run-on question read by its words (question_text_model)"
    )
    args = parser.parse_args(argv)
    if args.rules_only:
        asked.model = lambda _language: None  # type: ignore[assignment]  # for this run only
    if args.rules_only or args.no_reading:
        asked.text_model = lambda: None  # type: ignore[assignment]
    if args.lexical:
        embed.available = lambda: False  # type: ignore[method-assign]
    if args.minilm:
        embed.section_encoder = lambda _language, _cache, english: english  # type: ignore[assignment]
    cache_dir = CACHE_DIR
    if args.no_style_prompt:  # its own cache: with --language auto the prompt is chosen after the cache key
        language.style_prompt = lambda _: None  # type: ignore[assignment]
        cache_dir = _shared_models(CACHE_DIR / "no-style")
    shifts = embed.section_encoder("es", None, embed.encoder())
    named = {None: "lexical cohesion", embed.embed: embed.MODEL_NAME}
    print(f"topic shifts: {named.get(shifts, embed.MULTILINGUAL_NAME)}")
    print(f"Whisper prompt: {language.style_prompt('es') or 'none'}")
    print(f"voice: espeak-ng -v es -s {synth.EspeakVoice('es').speed} -g {synth.EspeakVoice('es').gap}")
    variants = tuple(args.variant or synth.VARIANTS)
    for talk_set in SETS if args.set == "all" else (args.set,):
        print(f"\n{talk_set} ({SETS[talk_set]})")
        _report([evaluate(p, args.compute_type, cache_dir) for p in spoken_talks(variants, talk_set)])
    return 0


def _shared_models(cache_dir: Path) -> Path:
    """``cache_dir`` sharing the evaluation cache's joined models (no second 145 MB copy)."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    link = cache_dir / "models"
    if not link.exists():
        (CACHE_DIR / "models").mkdir(parents=True, exist_ok=True)
        link.symlink_to(CACHE_DIR / "models", target_is_directory=True)
    return cache_dir


def _report(results: list[Result]) -> None:
    print(f"{'talk':28s} {'model':6s} lang   WER    F1    Pk  HRec  QPos    Q?  EN")
    for r in results:
        print(
            f"{r.item:28s} {r.model:6s} {r.language:4s} {_fmt(r.wer)} {_fmt(r.f1)} {_fmt(r.pk)} "
            f"{_fmt(r.heading_recall)} {_fmt(r.placed)} {_fmt(r.questions)}  {', '.join(r.english) or 0}"
        )
    for variant in sorted({r.item.rsplit("-", 1)[1] for r in results}):
        mine = [r for r in results if r.item.endswith(variant)]
        mean = {
            k: _mean([getattr(r, k) for r in mine])
            for k in ("wer", "f1", "pk", "heading_recall", "placed", "questions")
        }
        english = sum(len(r.english) for r in mine)
        print(f"mean {variant:23s}        " + " ".join(_fmt(mean[k]) for k in mean) + f"  {english}")


def _mean(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return sum(present) / len(present) if present else None


if __name__ == "__main__":
    sys.exit(main())
