"""Why a word is flagged or left out travels from the text stages to the writers as a key of the message
catalogue (and its values), never as English text; the writers word it in the draft's language. Drafts that
older versions wrote, with English reasons in draft.json, still load and read the same."""

from __future__ import annotations

from dataclasses import replace

from tests.conftest import make_words
from video2blog.pipeline.run import DraftOptions, make_draft
from video2blog.pipeline.schema import REMOVAL_REASONS, Draft, Reason, Source, Transcript
from video2blog.pipeline.serialize import draft_from_dict, draft_to_dict
from video2blog.pipeline.text import locales
from video2blog.pipeline.text.confidence import unsure_words
from video2blog.pipeline.textutil import CATALOGUES, messages
from video2blog.pipeline.writers.review import build_review, say_reasons

SPANISH = (
    "Eh, la vacu- vacuna no duele nada. ¿Duele la inyección de la vacuna? No, el pinchazo dura un segundo "
    "y la molestia desaparece en un día."
)


def spanish_talk() -> tuple[Draft, Transcript]:
    said = make_words(SPANISH)
    words = tuple(replace(w, probability=0.3) if w.text == "pinchazo" else w for w in said)
    transcript = locales.split_sentences(Transcript(words=words, language="es", duration=words[-1].end))
    draft = make_draft(
        transcript, Source("talk.wav", "ab" * 32, words[-1].end), DraftOptions(date="2026-01-02")
    )
    return draft, transcript


def removed_notes(draft: Draft, transcript: Transcript, language: str) -> list[str]:
    review = build_review(replace(draft, language=language), transcript, unsure={})
    pieces = [p for s in review.sections for para in s.paragraphs for p in para.pieces]
    return [p.note for p in pieces if p.kind == "removed"]


def test_text_stages_give_catalogue_keys_that_every_catalogue_words():
    draft, transcript = spanish_talk()
    assert [(r.text, r.reason) for r in draft.removals] == [("Eh,", "filler"), ("vacu-", "false_start")]
    flagged = unsure_words(transcript)
    assert flagged and all(isinstance(r, Reason) for why in flagged.values() for r in why)
    keys = {r.key for why in flagged.values() for r in why} | set(REMOVAL_REASONS)
    for language in CATALOGUES:
        assert {f"why_{k}" for k in keys} <= set(messages(language)), language


def test_a_draft_json_with_english_reasons_loads_as_keys_and_reads_in_its_language():
    draft, transcript = spanish_talk()
    old = draft_to_dict(draft)  # as a version before reasons were keys wrote it: English text
    old["removals"] = [{**r, "reason": why} for r, why in zip(old["removals"], ("filler", "false start"))]
    loaded = draft_from_dict(old)
    assert [r.reason for r in loaded.removals] == ["filler", "false_start"]
    assert removed_notes(loaded, transcript, "es") == ["muletilla", "comienzo en falso"]
    assert removed_notes(loaded, transcript, "en") == ["filler", "false start"]
    merged = draft_from_dict(
        {**old, "removals": [{**old["removals"][0], "reason": "merged into correction"}]}
    )
    assert merged.removals[0].reason == "merged"
    assert removed_notes(merged, transcript, "es") == ["unida a una corrección"]
    odd = draft_from_dict({**old, "removals": [{**old["removals"][0], "reason": "cut by the editor"}]})
    assert removed_notes(odd, transcript, "es") == ["cut by the editor"]  # text no version wrote: as it is


def test_unsure_reasons_are_worded_by_the_catalogue_with_their_values():
    why = (Reason("percent", (("percent", "31"),)), Reason("near_term", (("term", "ketamine"),)))
    assert say_reasons(why, "en") == "31% confidence; close to the glossary term 'ketamine'"
    assert say_reasons(why, "es") == "31 % de confianza; parecida al término del glosario «ketamine»"
    draft, transcript = spanish_talk()
    review = build_review(draft, transcript, unsure=unsure_words(transcript))
    unsure = [p.unsure for s in review.sections for para in s.paragraphs for p in para.pieces if p.low]
    assert unsure == ["30 % de confianza"]
