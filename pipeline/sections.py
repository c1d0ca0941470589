"""Section stage: find where topics start and which spoken sentence heads each one."""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.schema import HeadingSource, Sentence, Transcript
from pipeline.textutil import bare, tokens

# A question heads a section only if the answer that follows it has at least this many words.
MIN_ANSWER_WORDS = 12
MIN_HEADING_WORDS = 3
# Openers that mark a question as part of the answer's own reasoning ("So why does that matter?").
RHETORICAL_OPENERS = frozenset(["so", "and", "but", "now", "then", "because", "which"])
TAG_ENDINGS = ("right?", "okay?", "ok?", "isn't it?", "don't you?", "you know?", "correct?", "yes?")


@dataclass(frozen=True)
class SectionSpan:
    """A run of sentences forming one section, and its heading if one was spoken.

    ``sentences`` is a half-open range into ``Transcript.sentences``; when
    ``heading_sentence`` is set it is the first sentence of that range.
    """

    sentences: tuple[int, int]
    heading_sentence: int | None = None
    heading_source: HeadingSource = "generated"
    heading: str | None = None


def find_sections(transcript: Transcript) -> list[SectionSpan]:
    """Split a sentence-split transcript into sections headed by the questions the speaker asks.

    A question opens a section when it is a real question (not a tag such as
    "Right?" nor a rhetorical step such as "So why does that matter?") and a
    substantial answer follows before the next heading. Sentences before the
    first such question form an opening section with no spoken heading.

    Returns:
        Sections covering every sentence exactly once, in order.
    """
    sentences = transcript.sentences
    heads = [i for i in range(len(sentences)) if _heads_section(sentences, i)]
    return spans_from_heads(len(sentences), heads, sentences)


def spans_from_heads(count: int, heads: list[int], sentences: tuple[Sentence, ...]) -> list[SectionSpan]:
    """Sections starting at each spoken heading in ``heads``, plus any opening run before them."""
    starts = sorted(set(heads) | {0}) if count else []
    spans = []
    for start, end in zip(starts, starts[1:] + [count]):
        if start in heads:
            spans.append(SectionSpan((start, end), start, "spoken", sentences[start].text))
        else:
            spans.append(SectionSpan((start, end)))
    return spans


def is_heading_question(text: str) -> bool:
    """Whether a sentence reads as a question a patient would ask, not a rhetorical aside."""
    stripped = text.strip()
    if not stripped.endswith("?"):
        return False
    words = tokens(stripped)
    if len(words) < MIN_HEADING_WORDS or stripped.lower().endswith(TAG_ENDINGS):
        return False
    return bare(stripped.split()[0]) not in RHETORICAL_OPENERS


def _heads_section(sentences: tuple[Sentence, ...], index: int) -> bool:
    if not is_heading_question(sentences[index].text):
        return False
    return _answer_words(sentences, index) >= MIN_ANSWER_WORDS


def _answer_words(sentences: tuple[Sentence, ...], index: int) -> int:
    count = 0
    for sentence in sentences[index + 1 :]:
        if is_heading_question(sentence.text):
            break
        count += len(tokens(sentence.text))
    return count
