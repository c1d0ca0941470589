"""Glossary files are normalised on load and refused with one clear line; the prompt stays within bounds."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import make_transcript
from video2blog.cli import app
from video2blog.pipeline.engines.prompt import (
    PROMPT_TOKENS,
    choose_terms,
    count_tokens,
    fit_prompt,
    letter_share,
)
from video2blog.pipeline.errors import UsageError
from video2blog.pipeline.ingest.transcribe import glossary_prompt, load_glossary, prompt_tokens
from video2blog.pipeline.run import DraftOptions, make_draft
from video2blog.pipeline.schema import Source
from video2blog.pipeline.text.glossary import correct_words, normalise_term
from video2blog.pipeline.text.sentences import split_sentences

CLINIC = Path(__file__).parent / "data" / "clinic-glossary-300.txt"
TALK = "Many of you have asked about ketamine. Ketamine blocks the receptor, and catamine is not a word."


def glossary(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "glossary.txt"
    path.write_text(text, encoding="utf-8")
    return path


def test_terms_are_nfc_without_invisible_or_control_characters(tmp_path: Path):
    text = "\ufeffketa\u200bmine\nfibro\u00admyalgia  # a comment\nNMDA\treceptor\n"
    text += "be\u0301ta\u2060 blocker\nket\x07amine\n"
    assert load_glossary(glossary(tmp_path, text)) == (
        "ketamine",
        "fibromyalgia",
        "NMDA receptor",
        "béta blocker",
    )
    assert normalise_term(" post-\u200dherpetic\r ") == "post-herpetic"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-8-sig"])
def test_a_glossary_saved_as_unicode_by_windows_is_read_by_its_byte_order_mark(tmp_path: Path, encoding: str):
    """Notepad's "Unicode" is UTF-16 with a mark: refused with "'utf-8' codec can't decode byte 0xff"."""
    path = tmp_path / "glossary.txt"
    path.write_bytes(
        ("\ufeff" if encoding == "utf-16-be" else "").encode(encoding)
        + "ketamine\r\nNMDA receptor\r\n".encode(encoding)
    )
    assert load_glossary(path) == ("ketamine", "NMDA receptor")


def test_a_zero_width_term_acts_as_the_plain_one(tmp_path: Path):
    terms = load_glossary(glossary(tmp_path, "keta\u200bmine\n"))
    t = split_sentences(make_transcript(TALK))
    draft = make_draft(t, Source("talk.mp4", "0" * 64, 10.0), DraftOptions(date="2026-01-01", glossary=terms))
    assert [(c.original, c.corrected) for c in draft.corrections] == [("catamine", "ketamine")]
    assert "Keta:" not in draft.title and "\u200b" not in draft.title
    prose = " ".join(p.text for s in draft.sections for p in s.paragraphs)
    assert "asked about ketamine. Ketamine blocks" in prose and "\u200b" not in prose
    # a term passed straight to the correction stage is normalised there too
    assert [c.corrected for c in correct_words(t.words, ["keta\u200bmine"])] == ["ketamine"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("ketamine\nketa\x00mine\n", r"glossary.txt: line 2 holds a NUL character"),
        ("ketamine\n\n\u200b\u200b\n", r"glossary.txt: line 3 holds no term"),
        ("# terms\n  --  \n", r"glossary.txt: line 2 holds no term"),
    ],
)
def test_a_nul_or_an_empty_term_is_refused_naming_the_file_and_line(tmp_path: Path, text: str, message: str):
    with pytest.raises(UsageError, match=message):
        load_glossary(glossary(tmp_path, text))


def test_the_cli_refuses_a_nul_in_one_line_and_writes_nothing(tmp_path: Path, media_dir: Path):
    path = glossary(tmp_path, "ketamine\nketa\x00mine\n")
    out = tmp_path / "draft"
    result = CliRunner().invoke(
        app, ["draft", str(media_dir / "tone.wav"), "--glossary", str(path), "--out", str(out), "--no-cache"]
    )
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("video2blog: error: ") and "line 2 holds a NUL" in lines[0]
    assert "\x00" not in result.output and not out.exists()


def test_the_prompt_holds_the_most_split_terms_within_its_budget():
    terms = load_glossary(CLINIC)
    assert len(terms) == 300
    prompt = glossary_prompt(terms)
    assert prompt is not None and prompt_tokens(prompt) <= PROMPT_TOKENS
    chosen = prompt.rstrip(".").split(", ")
    assert chosen == [t for t in terms if t in chosen]  # in the glossary's order
    assert "nausea" not in chosen and "chronic pain" not in chosen  # kept whole by the tokeniser: known words
    assert all(count_tokens(t) >= 1.5 * len(t.split()) for t in chosen)
    assert glossary_prompt(()) is None and glossary_prompt(("nausea",)) is None


def test_a_term_written_with_symbols_never_takes_the_prompt_from_the_terms_said():
    """ "Na⁺/K⁺-ATPase" is eleven tokens a word for its symbols: ranked by pieces per word it pushed the
    talk's own terms out of the prompt, and Whisper, prompted with it, missed speech."""
    terms = ["ketamine", "fibromyalgia", "Na⁺/K⁺-ATPase", "Cymbalta/duloxetine", "post-herpetic neuralgia"]
    assert choose_terms(terms) == ["ketamine", "fibromyalgia", "post-herpetic neuralgia"]


def test_a_small_glossary_fits_whole_and_a_long_prompt_is_cut_at_a_comma():
    assert choose_terms(["ketamine", "fibromyalgia", "shingles"]) == ["ketamine", "fibromyalgia", "shingles"]
    long = ", ".join(load_glossary(CLINIC)) + "."
    cut = fit_prompt(long, PROMPT_TOKENS, count_tokens)
    assert cut is not None and count_tokens(cut) <= PROMPT_TOKENS and long.startswith(cut[:-1])
    assert fit_prompt("ketamine.", PROMPT_TOKENS, count_tokens) == "ketamine."


def test_a_comment_starts_a_line_or_follows_a_space_and_a_hash_inside_a_term_stays(tmp_path: Path):
    path = tmp_path / "terms.txt"
    path.write_text("# the clinic's terms\nketamine\nC#-minor\nfibromyalgia  # the pain one\n#x\n", "utf-8")
    assert load_glossary(path) == ("ketamine", "C#-minor", "fibromyalgia")


def test_separators_left_at_a_terms_ends_are_no_part_of_it(tmp_path: Path):
    """ "laser hair removal — #1 choice" (its note cut at "#") and "- Botox" (a list) are the terms
    "laser hair removal" and "Botox": a term heard as written is left alone, with no dash glued on."""
    path = tmp_path / "terms.txt"
    path.write_text("laser hair removal — #1 choice\n- Botox\nNd:YAG laser;\n", "utf-8")
    terms = load_glossary(path)
    assert terms == ("laser hair removal", "Botox", "Nd:YAG laser")
    words = make_transcript("Is laser hair removal safe with Botox?").words
    assert correct_words(words, terms) == []
    assert correct_words(words, ("laser hair removal —",))  # what the dash made of a term heard as written


def test_terms_that_differ_only_in_case_are_one_spelt_as_first_written(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
):
    """ "Ketamine" and "KETAMINE" after "ketamine" each took Whisper's prompt, and the speech they crowded
    out went missing ("a short series of infusions over one or two weeks" heard as "a short period")."""
    sample = load_glossary(Path(__file__).parents[1] / "samples" / "glossary.txt")
    path = glossary(tmp_path, "\n".join(sample) + "\nKetamine\nKETAMINE\nnmda\n")
    with caplog.at_level("WARNING"):
        terms = load_glossary(path)
    assert terms == sample  # the clinic's own spellings: "ketamine", "NMDA"
    assert "3 term(s) differ from earlier only in case (Ketamine, KETAMINE, nmda)" in caplog.text
    assert glossary_prompt(terms) == glossary_prompt(sample)
    assert choose_terms(["NMDA", "ketamine", "Ketamine", "nmda"]) == ["NMDA", "ketamine"]


def test_codes_in_a_long_glossary_never_push_the_clinics_words_out_of_the_prompt():
    """5,000 product codes ("term0xyz140891", seven pieces a word, most of them digits) after the sample's
    terms took the whole prompt, and Whisper, prompted with them, heard "nausea" as "nasa"."""
    sample = load_glossary(Path(__file__).parents[1] / "samples" / "glossary.txt")
    codes = tuple(f"term{i}xyz{(i * 7919) % 10**6}" for i in range(5000))
    prompt = glossary_prompt(sample + codes)
    assert prompt is not None and prompt_tokens(prompt) <= PROMPT_TOKENS
    assert prompt.startswith(glossary_prompt(sample).rstrip("."))  # every term the sample alone prompts
    assert set(choose_terms(codes + sample)) >= set(choose_terms(sample))  # wherever the file lists them
    assert letter_share("fibromyalgia") == 1.0 > letter_share("HbA1c") > letter_share("term0xyz140891")
