"""Shared types passed between the pipeline stages.

Every stage takes and returns these dataclasses; ``asdict`` is used only at
the JSON boundary (``transcript.json``, ``draft.json``). Times are seconds
from the start of the source media. Index ranges are half-open
``(first, last)`` pairs into ``Transcript.words``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

# Where a section's heading came from: spoken in the talk, a chapter mark, generated from the
# section's text, suggested by a language model (--llm), written by an editor in the review page, or
# shown on screen (a question on a title card or lower third).
HeadingSource = Literal["spoken", "generated", "chapters", "llm", "edited", "on-screen"]


@dataclass(frozen=True)
class Word:
    """One recognised word with its timing and the recogniser's confidence."""

    text: str
    start: float
    end: float
    probability: float
    # The voice's median pitch over the word in Hz, and the semitones from it to the word's last voiced pitch
    # (see ingest/prosody.py); None where too little of it is voiced, or the words came without their audio
    # (captions, a transcript written by another tool).
    pitch: float | None = None
    rise: float | None = None


@dataclass(frozen=True)
class Sentence:
    """A sentence built from a contiguous run of words."""

    text: str
    start: float
    end: float
    words: tuple[int, int]


@dataclass(frozen=True)
class Chapter:
    """A chapter mark carried by the media container."""

    title: str
    start: float
    end: float


@dataclass(frozen=True)
class ScreenText:
    """Text shown on screen from ``start`` to ``end``, as OCR read it most often.

    ``box`` is (left, top, right, bottom) as fractions of the frame; ``persistent`` text is shown
    for most of the video (a logo, the clinic's name, a phone number) and never heads a section;
    a ``caption`` is a burned-in subtitle (the words spoken while it is shown, one of a run all through
    the talk), never a heading, a byline or a card to keep out of the stills.
    """

    text: str
    start: float
    end: float
    confidence: float
    box: tuple[float, float, float, float]
    persistent: bool = False
    caption: bool = False


@dataclass(frozen=True)
class ScreenReading:
    """What the video shows: its on-screen texts and hard cuts (seconds), and what reading them cost."""

    texts: tuple[ScreenText, ...] = ()
    cuts: tuple[float, ...] = ()
    frames: int = 0  # frames sampled
    read: int = 0  # frames OCR read
    seconds: float = 0.0
    note: str = ""  # why nothing was read (the error), worded into the draft's notes by make_draft


@dataclass(frozen=True)
class Transcript:
    """Everything the recogniser heard, as timed words and the sentences made of them."""

    words: tuple[Word, ...]
    sentences: tuple[Sentence, ...] = ()
    language: str = "en"
    duration: float = 0.0
    engine: str = ""
    model: str = ""
    # The chapter marks of the media the words came from (not written to transcript.json).
    chapters: tuple[Chapter, ...] = ()
    # What the recogniser could not hear (speech with no words, audio cut short), one line each,
    # for the draft's notes.
    notes: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)


# The Removal reason of words the recogniser invented (see text/hallucination.py): out of prose and captions.
HALLUCINATION = "hallucination"
# Why a word was left out of the prose (``Removal.reason``): each a key of the message catalogue, whose
# message is ``why_<key>`` (``pipeline/data/messages-<language>.json``); the writers say it in the draft's
# language. HALLUCINATION above is one of them; "merged": part of a glossary correction's words.
REMOVAL_REASONS = ("filler", "repetition", "false_start", "punctuation", HALLUCINATION, "merged")


@dataclass(frozen=True)
class Reason:
    """Why a word should be checked (see text/confidence.py): a key of the message catalogue, whose message
    is ``why_<key>``, and the values its message names (``percent``, ``term``), never English text."""

    key: str
    values: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Removal:
    """A word the cleanup left out of the prose, and why: ``reason`` is one of :data:`REMOVAL_REASONS`
    (drafts of older versions, which wrote English text there, are read back to these keys)."""

    word: int
    text: str
    reason: str
    start: float
    end: float


@dataclass(frozen=True)
class Correction:
    """A word (or run of words) replaced by a glossary term."""

    words: tuple[int, int]
    original: str
    corrected: str
    start: float
    end: float


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of the post and where in the media it came from."""

    text: str
    start: float
    end: float
    words: tuple[int, int]


@dataclass(frozen=True)
class HeadingSuggestion:
    """Another heading an editor may pick for a section (shown in the review page).

    ``note`` is a warning for the editor, e.g. "check: not in the transcript".
    """

    text: str
    source: HeadingSource
    note: str = ""


@dataclass(frozen=True)
class Section:
    """A heading and the paragraphs under it.

    ``suggestions`` are alternative headings (generated or from a language model); ``image`` is the
    draft-folder path of the section's still frame, where one was taken. A ``lead`` section is the
    talk's opening (a greeting, what the talk will cover): the post shows its paragraphs before the
    first heading and not its own heading, which stays for chapters and the review page.
    """

    heading: str
    heading_source: HeadingSource
    start: float
    end: float
    paragraphs: tuple[Paragraph, ...]
    heading_words: tuple[int, int] | None = None
    suggestions: tuple[HeadingSuggestion, ...] = ()
    image: str = ""
    lead: bool = False

    def still_name(self, title: str) -> str:
        """What the section's still frame is called (alt text, file name): see :func:`still_name`."""
        return still_name(title, self.heading, self.lead)


def still_name(title: str, heading: str, lead: bool) -> str:
    """A section's still frame is named by its heading; a lead's (which shows no heading) by the post's
    ``title``."""
    return title if lead else heading


@dataclass(frozen=True)
class Source:
    """The media (or caption file) a draft was made from."""

    path: str
    sha256: str
    duration: float
    ffmpeg: str = ""  # the ffmpeg that decoded the media ("ffmpeg version 7.0.2-static"); "" for captions


@dataclass(frozen=True)
class LlmSuggestion:
    """One thing a language model suggested (``--llm``), and what became of it.

    ``target`` is "heading" (of section ``section``), "title", "description" or "boundary" (where
    section ``section`` starts, "sentence N"); ``replaces`` is the classical text it would replace;
    ``note`` says why it was flagged or dropped; ``used`` whether it is in the draft.
    """

    target: Literal["heading", "title", "description", "boundary"]
    section: int
    text: str
    replaces: str
    note: str = ""
    used: bool = False


@dataclass(frozen=True)
class LlmRecord:
    """Which language model was asked for suggestions, how, and what it suggested.

    ``endpoint`` is the host (and port) only; ``warning`` is set when the endpoint failed and the
    classical headings were kept; ``requests`` were sent, ``cached`` answered from the cache.
    """

    model: str
    endpoint: str
    prompt_version: str
    mode: Literal["use", "suggest"]
    suggestions: tuple[LlmSuggestion, ...] = ()
    requests: int = 0
    cached: int = 0
    seconds: float = 0.0
    warning: str = ""


@dataclass(frozen=True)
class Claim:
    """A sentence making a claim a clinic's editor must check before the post goes out, and why.

    ``words`` is the sentence's range of transcript words (see :mod:`video2blog.pipeline.text.claims`).
    """

    text: str
    start: float
    end: float
    reason: str
    words: tuple[int, int] = (0, 0)


@dataclass(frozen=True)
class RelatedPost:
    """Another draft of the same library that a reader of this one may like (see ``batch/library.py``).

    ``folder`` is its draft folder's name beside this one; ``teaser`` one whole sentence of its
    description; ``url`` its address where it was already published to the site this one goes to.
    """

    title: str
    slug: str
    folder: str
    teaser: str
    url: str = ""


@dataclass(frozen=True)
class Draft:
    """A finished draft blog post."""

    title: str
    slug: str
    description: str
    date: str
    source: Source
    sections: tuple[Section, ...]
    keywords: tuple[str, ...] = ()
    removals: tuple[Removal, ...] = ()
    corrections: tuple[Correction, ...] = ()
    # The --glossary terms the post never says (not said in the talk, or misheard past respelling).
    glossary_not_found: tuple[str, ...] = ()
    engine: str = ""
    model: str = ""
    extra: dict[str, str] = field(default_factory=dict)
    # Set when a language model was asked for suggestions (--llm).
    llm: LlmRecord | None = None
    # What the editor should know about the draft's outputs, e.g. chapters YouTube's rules merged.
    notes: tuple[str, ...] = ()
    # Sentences an editor must check before publishing (text/claims.py).
    claims: tuple[Claim, ...] = ()
    # Other drafts of the same folder, most related first (batch/library.py; empty outside a library).
    related: tuple[RelatedPost, ...] = ()
    # Text the video showed (title cards, lower thirds, a logo) and its hard cuts, where it was read.
    screen_text: tuple[ScreenText, ...] = ()
    cuts: tuple[float, ...] = ()
    # The speaker's name and title as a lower third showed it ("Dr. Jane Smith, MD"): the post's byline.
    byline: str = ""
    # The talk's language (ISO 639-1, as Whisper names it): the language of the post and its pages.
    language: str = "en"
