"""Claims an editor must check (pipeline/text/claims.py): stage tests on hand-built transcripts, the
rules file a clinic extends, and where the claims show (draft.json, the summary line, post.docx, the
review page)."""

from __future__ import annotations

import json
from pathlib import Path

import docx
import pytest
from typer.testing import CliRunner

from tests.conftest import make_transcript
from video2blog.cli import app
from video2blog.pipeline.errors import UsageError
from video2blog.pipeline.run import builtin_claim_rules, claim_rules, clinic_claim_rules
from video2blog.pipeline.schema import Draft, Paragraph, Section, Source, Transcript
from video2blog.pipeline.serialize import draft_from_dict, draft_to_dict, transcript_to_dict
from video2blog.pipeline.text.claims import claim_reason, find_claims, parse_rules
from video2blog.pipeline.text.sentences import split_sentences

PLAIN = [
    "Side effects are rare and usually mild.",
    "No treatment is guaranteed, and results vary from person to person.",
    "Most patients notice a difference in four to eight weeks.",
    "It is not permanent, so most people come back for a touch-up.",
    "Is the treatment permanent?",
    "We can't promise that you will never need another session.",
    "Botox is FDA approved for frown lines between the eyebrows.",
]
CLAIMS = {
    "Results are guaranteed after the first visit.": "promise of outcome",
    "This treatment cures arthritis.": "promise of outcome",
    "It melts fat from your belly.": "promise of outcome",
    "There are no side effects at all.": "absence of risk",
    "The procedure is completely safe.": "absence of risk",
    "It is FDA-approved, so we use it on the neck as well.": "approval claim: check what it is approved for",
    "Honestly, nothing else comes close.": "comparison with no basis",
    "One of my patients lost forty pounds, which proves it works.": "testimonial as evidence",
}


@pytest.mark.parametrize("sentence", PLAIN)
def test_plain_clinical_statements_are_not_claims(sentence: str):
    assert claim_reason(sentence, builtin_claim_rules()) == ""


@pytest.mark.parametrize(("sentence", "reason"), CLAIMS.items())
def test_claims_are_flagged_with_their_reason(sentence: str, reason: str):
    assert claim_reason(sentence, builtin_claim_rules()) == reason


def test_a_hedge_softens_only_its_own_clause():
    rules = builtin_claim_rules()
    assert claim_reason("It may help, but the results are guaranteed.", rules) == "promise of outcome"
    assert claim_reason("The results may be permanent.", rules) == ""


def test_a_rules_file_names_the_words_that_end_a_hedge():
    rules = parse_rules("[x]\nguaranteed\n[hedge]\nmay\n[clause break]\nyet\n", "ours.txt")
    assert claim_reason("It may help yet results are guaranteed.", rules) == "x"
    assert claim_reason("It may help and results are guaranteed.", rules) == ""


PLAIN_ES = [
    "Los efectos secundarios son raros y suelen ser leves.",
    "Ningún tratamiento está garantizado y los resultados varían.",
    "La mayoría de los pacientes nota la diferencia en unas semanas.",
    "No es permanente, así que muchos vuelven para un retoque.",
    "¿El tratamiento es permanente?",
]
CLAIMS_ES = {
    "Los resultados están garantizados desde la primera visita.": "promesa de resultado",
    "Elimina las manchas para siempre.": "promesa de resultado",
    "No tiene ningún efecto secundario.": "ausencia de riesgo",
    "El procedimiento es completamente seguro.": "ausencia de riesgo",
    "Somos la mejor clínica de la ciudad.": "comparación sin base",
    "Una de mis pacientes perdió diez kilos, y eso demuestra que funciona.": "testimonio como prueba",
}


@pytest.mark.parametrize("sentence", PLAIN_ES)
def test_plain_spanish_statements_are_not_claims(sentence: str):
    assert claim_reason(sentence, builtin_claim_rules("es")) == ""


@pytest.mark.parametrize(("sentence", "reason"), CLAIMS_ES.items())
def test_spanish_claims_are_flagged_with_spanish_reasons(sentence: str, reason: str):
    assert claim_reason(sentence, builtin_claim_rules("es")) == reason
    assert claim_reason(sentence, builtin_claim_rules("en")) == ""  # the English rules miss them


def test_a_language_without_its_own_rules_reads_the_english_ones():
    assert builtin_claim_rules("fr") == builtin_claim_rules("en")


def one_section_draft(transcript: Transcript) -> Draft:
    first = transcript.sentences[0]
    body = Paragraph(
        "", transcript.sentences[1].start, transcript.duration, (first.words[1], len(transcript.words))
    )
    section = Section("Heading", "spoken", 0.0, transcript.duration, (body,), heading_words=first.words)
    return Draft("T", "t", "", "2026-01-01", Source("talk.json", "0", transcript.duration), (section,))


def test_find_claims_gives_each_flagged_sentence_with_its_time_and_words():
    text = "Does it work for everyone? Side effects are rare. It is guaranteed to work forever. Thank you."
    transcript = split_sentences(make_transcript(text))
    claims = find_claims(one_section_draft(transcript), transcript, builtin_claim_rules())
    assert [c.text for c in claims] == ["It is guaranteed to work forever."]
    (claim,) = claims
    words = transcript.words[claim.words[0] : claim.words[1]]
    assert (claim.start, claim.end) == (words[0].start, words[-1].end)
    assert claim.reason == "promise of outcome"


def test_claims_round_trip_through_draft_json():
    transcript = split_sentences(make_transcript("Hello there. There are no side effects. Bye now."))
    draft = one_section_draft(transcript)
    flagged = draft.__class__(
        **{**draft.__dict__, "claims": find_claims(draft, transcript, builtin_claim_rules())}
    )
    assert draft_from_dict(json.loads(json.dumps(draft_to_dict(flagged)))).claims == flagged.claims


def test_a_clinic_extends_the_rules_with_its_own_file(tmp_path: Path):
    ours = tmp_path / "ours.txt"
    ours.write_text("# our own\n[named competitor]\nbetter than (dr\\.? )?smith\n", encoding="utf-8")
    rules = claim_rules("en", clinic_claim_rules(ours))
    assert claim_reason("We are better than Dr. Smith.", rules) == "named competitor"
    assert claim_reason("There are no side effects.", rules) == "absence of risk"  # the built-ins still hold


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("guaranteed\n", "line 1: a pattern before any [reason]"),
        ("[x]\nfoo(\n", "line 2: 'foo(' is not a regular"),
    ],
)
def test_a_wrong_rules_file_names_the_line(text: str, expected: str):
    with pytest.raises(UsageError, match=expected.replace("(", r"\(").replace("[", r"\[")):
        parse_rules(text, "ours.txt")


TALK = (
    "What is fat freezing? It cools the fat under the skin, and the body clears the cells over some weeks. "
    "Most patients notice a difference in eight to twelve weeks. Does it hurt? It feels cold at first. "
    "There are no side effects, and nothing else comes close. Side effects are rare and usually mild."
)


@pytest.fixture
def talk_json(tmp_path: Path) -> Path:
    path = tmp_path / "talk.json"
    path.write_text(json.dumps(transcript_to_dict(make_transcript(TALK))), encoding="utf-8")
    return path


def test_cli_counts_claims_and_marks_them_in_docx_and_review(talk_json: Path, tmp_path: Path):
    out = tmp_path / "draft"
    result = CliRunner().invoke(app, ["draft", str(talk_json), "-o", str(out), "--formats", "docx,review"])
    assert result.exit_code == 0, result.output
    assert "1 claim to check" in result.output
    (claim,) = json.loads((out / "draft.json").read_text(encoding="utf-8"))["claims"]
    assert claim["text"] == "There are no side effects, and nothing else comes close."
    assert claim["reason"] == "absence of risk; comparison with no basis"
    comments = [c.text for c in docx.Document(str(out / "post.docx")).comments]
    assert any("claim to check: absence of risk" in c for c in comments)
    page = (out / "review.html").read_text(encoding="utf-8")
    assert (
        page.count('class="claim"') == 1
        and 'title="Claim to check: absence of risk; comparison with no basis"' in page
    )


def test_cli_claims_file_adds_patterns_and_a_bad_one_is_one_line(talk_json: Path, tmp_path: Path):
    ours = tmp_path / "ours.txt"
    ours.write_text("[vague timing]\nsome weeks\n", encoding="utf-8")
    out = tmp_path / "draft"
    args = ["draft", str(talk_json), "-o", str(out), "--formats", "md", "--claims-file", str(ours)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "2 claims to check" in result.output
    ours.write_text("[x]\nbroken(\n", encoding="utf-8")
    result = CliRunner().invoke(app, [*args[:-2], "--claims-file", str(ours), "-o", str(tmp_path / "other")])
    assert result.exit_code == 2
    assert f"{ours}, line 2" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "other").exists()
