"""Hallucination stage: find the sentences Whisper invented rather than heard.

Whisper, asked to fill a window that ends in silence, writes what its training data often held
there ("Thank you very much.", "Thanks for watching!"), with words it cannot place in the audio:
zero-length, piled up at the end of the audio, or heard with near-zero probability. The tests are
faster-whisper's own (``hallucination_silence_threshold`` in its ``transcribe.py``): a sentence is
*anomalous* when its words are improbable (< 0.15), very short (< 0.133 s) or very long (> 2 s)
enough to score 3, or on nearly every word; it is invented when it is anomalous and either stands
in silence (or among other anomalous sentences) on both sides, or most of its words have no length
at all, or it closes the talk with a word of no length (openai-whisper's "Thank you." glued to the last
words), alone or opening a run of anomalous sentences that reaches the end. A sentence said clearly is
never touched, whatever it says.

Pure: it sees only the :class:`~video2blog.pipeline.schema.Transcript`.
"""

from __future__ import annotations

from video2blog.pipeline.schema import HALLUCINATION, Sentence, Transcript, Word

__all__ = ["HALLUCINATION", "anomalous", "anomaly_score", "find_hallucinations"]
# Seconds of silence around an anomalous sentence that make it invented (faster-whisper's threshold).
SILENCE_S = 2.0
# A word this short or shorter has no audio behind it.
NO_LENGTH_S = 0.02
IMPROBABLE = 0.15
SHORT_S = 0.133
LONG_S = 2.0
ANOMALY_SCORE = 3.0
WORDS_SCORED = 8
_PUNCTUATION = "\"'“¿([{-.。,，!！?？:：”)]}、"


def find_hallucinations(transcript: Transcript) -> dict[int, str]:
    """Word indices (into ``transcript.words``) of the sentences Whisper invented, with the reason.

    Args:
        transcript: words split into sentences (see ``text/sentences.py``).

    Returns:
        ``{word index: "hallucination"}`` for every word of every invented sentence.
    """
    sentences = transcript.sentences
    odd = [anomalous(transcript.words, s) for s in sentences]
    found: dict[int, str] = {}
    for i, sentence in enumerate(sentences):
        if odd[i] and (
            _placeless(transcript, sentence)
            or _in_silence(transcript, odd, i)
            or _tacked_on(transcript, odd, i)
        ):
            found.update(dict.fromkeys(range(*sentence.words), HALLUCINATION))
    return found


def anomaly_score(word: Word) -> float:
    """faster-whisper's score of how unlike a heard word ``word`` is (0 for an ordinary word)."""
    length = word.end - word.start
    score = 1.0 if word.probability < IMPROBABLE else 0.0
    if length < SHORT_S:
        score += (SHORT_S - length) * 15
    if length > LONG_S:
        score += length - LONG_S
    return score


def anomalous(words: tuple[Word, ...], sentence: Sentence) -> bool:
    """Whether a sentence's first words (punctuation aside) score as not heard."""
    scored = [w for w in words[slice(*sentence.words)] if w.text.strip(_PUNCTUATION)][:WORDS_SCORED]
    if not scored:
        return False
    score = sum(anomaly_score(w) for w in scored)
    return score >= ANOMALY_SCORE or score + 0.01 >= len(scored)


def _placeless(transcript: Transcript, sentence: Sentence) -> bool:
    """Most of the sentence's words have no length, or sit past the end of the audio."""
    words = transcript.words[slice(*sentence.words)]
    end = transcript.duration or float("inf")
    hollow = [w for w in words if _no_length(w) or w.start >= end - NO_LENGTH_S]
    return 2 * len(hollow) > len(words)


def _tacked_on(transcript: Transcript, odd: list[bool], i: int) -> bool:
    """Sentence ``i`` closes the talk and holds a word Whisper could not place (no length): the
    "Thank you." it writes after the last words, even where no silence comes between. A run of anomalous
    sentences reaching the end is tacked on as a whole where its first sentence is: the "Thank you."
    then followed by more it invented ("Thank you for watching.")."""
    if not all(odd[i:]):
        return False
    first = i
    while first > 0 and odd[first - 1]:
        first -= 1
    return _unplaced(transcript, first) or (i + 1 == len(transcript.sentences) and _unplaced(transcript, i))


def _unplaced(transcript: Transcript, i: int) -> bool:
    """Sentence ``i`` holds a word of no length."""
    return any(_no_length(w) for w in transcript.words[slice(*transcript.sentences[i].words)])


def _no_length(word: Word) -> bool:
    """A word Whisper wrote without placing it in the audio."""
    return word.end - word.start <= NO_LENGTH_S


def _in_silence(transcript: Transcript, odd: list[bool], i: int) -> bool:
    """Silence, the edge of the talk or another anomalous sentence on both sides of sentence ``i``."""
    sentences = transcript.sentences
    before = i == 0 or odd[i - 1] or sentences[i].start - sentences[i - 1].end > SILENCE_S
    last = i + 1 == len(sentences)
    after = last or odd[i + 1] or sentences[i + 1].start - sentences[i].end > SILENCE_S
    return before and after
