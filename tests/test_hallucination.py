"""Words Whisper invented stay out of the prose and the captions, recorded as removed; no cue lacks length."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from tests.conftest import make_words
from video2blog.pipeline.engines import EngineOptions
from video2blog.pipeline.ingest import media
from video2blog.pipeline.ingest.transcribe import TranscribeOptions, load_glossary, transcribe_media
from video2blog.pipeline.run import DraftOptions, make_draft
from video2blog.pipeline.schema import Source, Transcript, Word
from video2blog.pipeline.text.hallucination import HALLUCINATION, find_hallucinations
from video2blog.pipeline.text.sentences import split_sentences
from video2blog.pipeline.writers.cues import caption_cues
from video2blog.pipeline.writers.formats import RenderContext, render_all

TALK = (
    "What does a ketamine infusion feel like? Most patients feel relaxed and a little floaty. "
    "A nurse checks your blood pressure throughout, and we will review your heart health before we begin."
)
SOURCE = Source("talk.mp4", "0" * 64, 0.0)


def invented_ending(talk: tuple[Word, ...], audio_end: float) -> tuple[Word, ...]:
    """faster-whisper's real ending of the sample: 'Thank you very much.' x3, piled up at the audio's end."""
    last = talk[-1].end
    first = [Word("Thank", last, audio_end, 0.0064), Word("you", audio_end, audio_end, 0.97)]
    first += [Word("very", audio_end, audio_end, 0.11), Word("much.", audio_end, audio_end, 0.99)]
    again = [replace(w, start=audio_end, probability=p) for w, p in zip(first, (0.12, 0.99, 0.25, 0.99))]
    return (*first, *again, *again)


def transcript(words: tuple[Word, ...], duration: float) -> Transcript:
    return split_sentences(Transcript(words=words, duration=duration, engine="test", model="test"))


def drafted(t: Transcript) -> tuple[str, dict[str, bytes], RenderContext]:
    draft = make_draft(t, replace(SOURCE, duration=t.duration), DraftOptions(date="2026-01-01"))
    ctx = RenderContext(draft=draft, transcript=t)
    files = render_all(ctx, ("md", "srt", "vtt"))
    return " ".join(p.text for s in draft.sections for p in s.paragraphs), files, ctx


def test_thank_you_piled_up_after_the_talk_is_removed_and_recorded():
    talk = make_words(TALK)
    t = transcript((*talk, *invented_ending(talk, talk[-1].end + 1.0)), talk[-1].end + 1.0)
    prose, files, ctx = drafted(t)
    assert "Thank you" not in prose and prose.endswith("before we begin.")
    invented = [r for r in ctx.draft.removals if r.reason == HALLUCINATION]
    assert [r.word for r in invented] == list(range(len(talk), len(t.words)))
    srt = files["captions.srt"].decode()
    assert "Thank" not in srt and "before we begin." in srt
    assert "Thank" not in files["post.md"].decode() and "Thank" not in files["captions.vtt"].decode()


def test_a_thank_you_glued_to_the_last_words_with_a_word_of_no_length_is_removed():
    """openai-whisper on the sample: "Thank" (p 0.01) right after "begin.", then "you." of no length."""
    talk = make_words(TALK)
    end = talk[-1].end
    t = transcript(
        (*talk, Word("Thank", end, end + 0.6, 0.01), Word("you.", end + 0.6, end + 0.6, 0.5)), end + 1
    )
    prose, files, ctx = drafted(t)
    assert prose.endswith("before we begin.") and "Thank" not in files["captions.srt"].decode()
    assert [r.word for r in ctx.draft.removals if r.reason == HALLUCINATION] == [len(talk), len(talk) + 1]


def test_a_thank_you_glued_to_the_last_words_and_followed_by_more_invented_is_removed_with_them():
    """faster-whisper on the sample's first 30 s: "Thank" (p 0.002) right after the last word, "you." of no
    length, then invented sentences piled up at the audio's end: the whole run goes, not all but the first."""
    talk = make_words(TALK)
    end = talk[-1].end
    glued = [Word("Thank", end, end + 0.4, 0.002), Word("you.", end + 0.4, end + 0.4, 0.97)]
    piled = [
        Word(w, end + 0.4, end + 0.4, p)
        for w, p in zip("Thank you for watching.".split(), (0.07, 0.99, 0.06, 0.3))
    ]
    t = transcript((*talk, *glued, *piled, *piled), end + 0.42)
    prose, files, ctx = drafted(t)
    assert prose.endswith("before we begin.") and "Thank" not in files["captions.srt"].decode()
    assert [r.word for r in ctx.draft.removals if r.reason == HALLUCINATION] == list(
        range(len(talk), len(t.words))
    )


def test_thanks_said_clearly_are_kept():
    t = transcript(make_words(TALK + " Thank you very much. Thank you."), 40.0)
    assert find_hallucinations(t) == {}
    prose, files, _ = drafted(t)
    assert prose.endswith("Thank you very much. Thank you.")
    assert "Thank you." in files["captions.srt"].decode()


def test_an_improbable_sentence_alone_in_silence_is_invented_but_not_amid_speech():
    talk = make_words(TALK)
    murmur = [Word(w, 0, 0, 0.05) for w in ("Subtitles", "by", "the", "community.")]
    heard_after = make_words("So that is how it works.", start=talk[-1].end + 12.0)
    timed = [
        replace(w, start=talk[-1].end + 5 + k * 0.4, end=talk[-1].end + 5.3 + k * 0.4)
        for k, w in enumerate(murmur)
    ]
    t = transcript((*talk, *timed, *heard_after), heard_after[-1].end)
    assert set(find_hallucinations(t)) == set(range(len(talk), len(talk) + 4))
    close = [
        replace(w, start=talk[-1].end + 0.1 + k * 0.4, end=talk[-1].end + 0.4 + k * 0.4)
        for k, w in enumerate(murmur)
    ]
    follow = make_words("So that is how it works.", start=close[-1].end + 0.1)
    amid = transcript((*talk, *close, *follow), follow[-1].end)
    assert find_hallucinations(amid) == {}  # improbable, but spoken between words heard: kept


def test_one_zero_length_word_in_a_sentence_is_not_a_hallucination():
    words = list(make_words(TALK))
    words[3] = replace(words[3], end=words[3].start)
    assert find_hallucinations(transcript(tuple(words), 30.0)) == {}


def test_no_caption_cue_is_ever_zero_length():
    words = list(make_words("It works. Yes. Fine. Good. Thanks."))
    at = words[2].start
    for i in range(2, len(words)):  # every word after the first sentence at one instant
        words[i] = replace(words[i], start=at, end=at)
    t = transcript(tuple(words), at)
    cues = caption_cues(t)
    assert all(end - start >= 0.1 for start, end, _ in cues), cues
    assert " ".join(text for _, _, text in cues) == "It works. Yes. Fine. Good. Thanks."
    assert all(a[0] <= b[0] for a, b in zip(cues, cues[1:]))


@pytest.mark.slow
def test_the_samples_invented_thanks_stay_out_of_prose_and_captions(sample_video: Path):
    """The sample's 13-term glossary whole in the prompt (47 tokens, as before it was bounded) made
    tiny.en end the transcript with "Thank you very much." x3, all but one word of length zero."""
    terms = load_glossary(sample_video.parent / "glossary.txt")
    options = TranscribeOptions(engine_options=EngineOptions(hotwords=", ".join(terms) + "."))
    info = media.probe(sample_video)
    t = split_sentences(transcribe_media(info, "sample", options))
    draft = make_draft(t, Source(str(sample_video), "0" * 64, info.duration), DraftOptions(date="2026-01-01"))
    files = render_all(RenderContext(draft=draft, transcript=t), ("md", "srt"))
    after = [w for w in t.words if w.start >= 107.3]
    if any(w.end - w.start <= 0.02 for w in after):  # the invented ending was heard (tiny.en on x86 CPUs)
        invented = {r.word for r in draft.removals if r.reason == HALLUCINATION}
        assert {i for i, w in enumerate(t.words) if w in after} <= invented
    assert "Thank you" not in files["post.md"].decode() and "Thank you" not in files["captions.srt"].decode()
    assert all(end - start >= 0.1 for start, end, _ in caption_cues(t))
    assert "before we begin." in files["captions.srt"].decode()
