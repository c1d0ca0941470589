"""Glossaries nothing was tuned on, each heard in several runs: the same words every run, every section kept.

The glossaries are made up from clinic vocabularies (``benchmarks/glossaries.py``), 300 terms each;
``benchmarks/bench_glossary.py --glossaries ... --runs N`` prints the same figures for more of them.
"""

from __future__ import annotations

import pytest

from benchmarks.glossaries import glossary
from tests.conftest import SAMPLE
from video2blog.pipeline.engines import EngineOptions
from video2blog.pipeline.ingest import media
from video2blog.pipeline.ingest.transcribe import TranscribeOptions, glossary_prompt, transcribe_media
from video2blog.pipeline.run import DraftOptions, make_draft
from video2blog.pipeline.schema import Source, Transcript
from video2blog.pipeline.text.sentences import split_sentences

pytestmark = pytest.mark.slow
RUNS = 2


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
