"""Glossaries nothing was tuned on, each heard in several runs: the same words every run, every section kept.

The glossaries are made up from clinic vocabularies (``benchmarks/glossaries.py``), 300 terms each;
``benchmarks/bench_glossary.py --glossaries ... --runs N`` prints the same figures for more of them.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from benchmarks.glossaries import glossary
from tests.conftest import SAMPLE
from tools.batch_media import cut_clip
from video2blog.cli import app
from video2blog.pipeline.engines import EngineOptions
from video2blog.pipeline.ingest import media
from video2blog.pipeline.ingest.transcribe import (
    TranscribeOptions,
    glossary_prompt,
    load_glossary,
    transcribe_media,
)
from video2blog.pipeline.run import DraftOptions, make_draft
from video2blog.pipeline.schema import Source, Transcript
from video2blog.pipeline.text.sentences import split_sentences

pytestmark = pytest.mark.slow
RUNS = 2
CLINIC = Path(__file__).parent / "data" / "clinic-glossary-300.txt"


def heard(terms: tuple[str, ...]) -> Transcript:
    options = TranscribeOptions(engine_options=EngineOptions(hotwords=glossary_prompt(terms)), cache_dir=None)
    return transcribe_media(media.probe(SAMPLE), "runs", options)


@pytest.fixture(scope="module")
def plain() -> Transcript:
    return heard(())


@pytest.mark.parametrize("vocabulary", ["dental", "cardiology", "physiotherapy"])
def test_a_made_up_glossary_gives_the_same_words_every_run_and_keeps_every_section(
    vocabulary: str, plain: Transcript
):
    terms = glossary(vocabulary, 300)
    runs = [heard(terms) for _ in range(RUNS)]
    assert all(run.words == runs[0].words for run in runs)
    assert len(runs[0].words) >= 0.95 * len(plain.words) and not runs[0].notes
    source = Source(str(SAMPLE), "runs", runs[0].duration)
    options = DraftOptions(glossary=terms, date="2026-01-01")
    sections = make_draft(split_sentences(runs[0]), source, options).sections
    expected = make_draft(split_sentences(plain), source, DraftOptions(date="2026-01-01")).sections
    assert len(sections) == len(expected)


def test_a_long_glossary_prompts_only_the_terms_the_talk_is_heard_to_say(tmp_path: Path):
    """A clinic's 248 terms made the prompt the longest drug names ("acetaminophen, diclofenac,
    dextromethorphan, ..."), none said in the talk: Whisper looped on them, the whole talk was heard again
    without the prompt, and "after shingles" came out as "afterchingles"."""
    clip, out = cut_clip(tmp_path / "talk.m4a", 0.0, 30.0, video=False), tmp_path / "d"
    runner, env = CliRunner(), {"XDG_CACHE_HOME": str(tmp_path / "cache")}
    first = ["draft", str(clip), "--out", str(out), "--glossary", str(CLINIC), "--formats", "md"]
    result = runner.invoke(app, first, env=env)
    assert result.exit_code == 0, result.output
    prompt = json.loads((out / "settings.json").read_text())["hotwords"]
    terms = prompt.rstrip(".").split(", ")
    assert glossary_prompt(load_glossary(CLINIC)) == "radiculopathy, diclofenac, spondylolisthesis, " + (
        "liraglutide, empagliflozin, fexofenadine, ciprofloxacin."
    )  # by spelling alone: none of them is said
    assert {"ketamine", "fibromyalgia"} <= set(terms) and "diclofenac" not in terms, prompt
    said = re.sub(r"[^a-z]", "", (out / "post.md").read_text().lower())
    # each said in the talk, as written or as another spelling the glossary lists ("postherpetic")
    assert all(re.sub(r"[^a-z]", "", term) in said for term in terms), prompt
    again = runner.invoke(app, ["draft", str(clip), "--out", str(out)], env=env)  # the prompt recorded
    assert again.exit_code == 0 and json.loads((out / "settings.json").read_text())["hotwords"] == prompt
