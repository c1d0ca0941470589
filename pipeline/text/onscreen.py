"""On-screen headings as section starts: which text a video showed is a question or a title, and
which sentence it heads.

A question (or a title) shown on screen (a title card, a lower third) as a section's answer begins
is that section's heading, kept as shown after OCR cleanup; text shown for most of the video (a logo, the
clinic's name) never is. Where the speaker asked a question of their own at the same place, the
spoken one wins and the card is offered to the editor as a suggestion; where the speaker asks the shown
question itself while the card is up or just after, the two are one section, opening at the spoken one.
"""

from __future__ import annotations

import bisect
import json
import math
import re
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from difflib import SequenceMatcher
from functools import cache

import numpy as np

from video2blog.pipeline.schema import Draft, HeadingSuggestion, ScreenText, Section, Sentence, Word
from video2blog.pipeline.text.metadata import known_share
from video2blog.pipeline.text.questions import Encode
from video2blog.pipeline.text.spoken import (
    heading_text,
    is_heading_question,
    opens_like_question,
)
from video2blog.pipeline.textutil import bare, clock, data_text, message, tokens, word_list

# A shown question heads the sentence starting nearest its appearance, from this long before it (the
# answer began as the card came up, and a text is read a second or two after it came up: the reader
# reads a still picture every 2 s at most) to this long after (the speaker starts after the cut).
LEAD_BEFORE_S = 2.5
LEAD_AFTER_S = 4.0
# ...but never a sentence over by then, or this soon after: the end of the answer before, still spoken as
# the card came up, is no answer to it.
ENDS_NEAR_S = 0.5
MIN_WORDS = 3  # a shown question has at least this many words, a shown title at least TITLE_WORDS
TITLE_WORDS = 2
SAME_HEADING = 0.8  # a card this similar to the spoken question says the same thing
# What is measured of a shown text to tell a heading from a name or a piece of text misread: a question
# (with its mark), a name with a professional title, its words (log), how far from a sentence's start it
# came up (seconds), and the OCR's confidence.
SHOWN_FEATURES = ("question", "name", "words", "lead", "confidence")
MAX_SHOWN_WORDS = 14  # a heading on screen is at most this long
# Not a heading's shape: a list's item ("1.", "Step 2:", a bullet) or a sentence (a closing full stop).
LISTED = re.compile(r"^(?:\d+[.):]|[•*\-–]|step\s+\d)", re.IGNORECASE)
# ...nor a list's items read as one line ("Paying for treatment - Self-pay - Payment plans"): this many
# " - " items or more (a name's specialty has one: "Jane Smith, MD - dermatology").
ITEM = re.compile(r"\s[•*\-–]\s")
LIST_ITEMS = 2
# A text whose box reaches this close to the frame's left or right edge runs past it (a landscape card
# cropped for a 9:16 phone video: "Vhat does an infusion feel like", "Dr. Ana Ruiz, MD - Pain Medicil"):
# cut short, it is neither a heading nor a byline (a hand rule).
EDGE = 0.01
# A name's specialty set apart by a dash or a bar ("Jane Smith, MD - dermatology").
SPECIALTY = re.compile(r"\s+[-–—|]\s+")
# Contact details are never a heading (a hand rule: a call to action, "Call us today: (555) 013-4567",
# "Book now at paincare.example.com", is no question or title of an answer): a phone number (seven digits
# or more, spaced or not), a web address or an email.
PHONE = re.compile(r"\+?\(?\d[\d\s().-]{5,}\d")
ADDRESS = re.compile(r"https?://|\bwww\.|\S@\S|\b[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[a-z]{2,}\b")
# A person's name before a role spelled out: two to four capitalised words ("Ana Ruiz", "Dr. Ana Ruiz").
NAME_WORDS = (2, 4)
ROLE_WORDS = 5  # a role spelled out ("Nurse Practitioner") is at most this long
# Cards shown in another order than the answers (a hand rule, an advice to the editor only): two sections
# headed by cards whose cards fit each other's answers better than their own, by this much of cosine
# similarity (the sentence encoder's) summed over the two, are flagged. On the nine screen talks (cards
# in their order) no pair gains more than 0.12; the swapped pair of tests/test_social_video.py about 0.5.
SWAP_GAIN = 0.25
# Two words OCR read as one ("whenI"): lower case (two letters or more), then a capital.
JOINED = re.compile(r"\b([a-z]{2,})([A-Z][a-z]*)\b")
# A hard cut in the pause between two sentences (or this close to it) is a boundary cue.
CUT_NEAR_S = 0.5
MODEL_FILE = "screen_model.json"
# Burned-in captions (a hand rule: the screen talks the model learns from carry none). A shown text is
# the words being spoken where at least SPOKEN_SHARE of its words are heard while it is up (give or take
# SPOKEN_SLACK_S: a text is dated from the frames read about once a second); such texts in one band of the
# frame (their middles within CAPTION_BAND of each other's) are a caption track where there are at least
# CAPTION_RUN of them, shown together for at least CAPTION_COVER of the time the talk speaks. A question
# card the speaker reads aloud is one text, up a few seconds: no track.
SPOKEN_SLACK_S = 1.5
SPOKEN_SHARE = 0.5
CAPTION_BAND = 0.08
CAPTION_RUN = 4
CAPTION_COVER = 0.3
# A text in a caption track's band, up no longer than this, while the track runs, is one of its cues
# misheard or misread ("dollars at our clinic." under "$400 an hour clinic"), unless it is a name.
CAPTION_MAX_S = 6.0


@dataclass(frozen=True)
class ShownHeads:
    """Sentence index -> heading: questions shown on screen that open sections, and those offered as
    suggestions beside a spoken question at the same place."""

    heads: dict[int, str] = field(default_factory=dict)
    offered: dict[int, str] = field(default_factory=dict)
    shown_at: dict[int, float] = field(default_factory=dict)  # when each head came on screen


@dataclass(frozen=True)
class ScreenModel:
    """Logistic weights over :data:`SHOWN_FEATURES` (is a shown text a heading) and the weight of a hard
    cut in a pause as boundary log odds. Learned by ``python -m benchmarks.train_screen`` and shipped as
    ``pipeline/data/screen_model.json``."""

    weights: tuple[float, ...]
    bias: float
    cut_weight: float


@cache
def screen_model() -> ScreenModel:
    """The shipped model."""
    data = json.loads(data_text(MODEL_FILE))
    heading = data["heading"]
    weights = tuple(float(heading["weights"].get(name, 0.0)) for name in SHOWN_FEATURES)
    return ScreenModel(weights, float(heading["bias"]), float(data["cut"]["weight"]))


def shown_features(item: ScreenText, lead: float = 0.0) -> np.ndarray:
    """One row of :data:`SHOWN_FEATURES` for a shown text that came up ``lead`` seconds from the start
    of the sentence nearest it."""
    text = clean_shown(item.text)
    values = {
        "question": float(is_asked(text)),
        "name": float(is_name(text)),
        "words": math.log1p(len(text.split())),
        "lead": abs(lead),
        "confidence": item.confidence,
    }
    return np.array([values[name] for name in SHOWN_FEATURES])


def is_name(text: str) -> bool:
    """A person's name with a professional title ("Dr. Jane Smith, MD"; "Sam Patel, DO"), a specialty
    after it or not ("Jane Smith, MD, Dermatologist"; "Sam Lee, PT, DPT - sports physiotherapy"), or with
    a role spelled out ("Ana Ruiz, Nurse Practitioner")."""
    if text.endswith("?"):
        return False
    titles = word_list("credentials.txt")
    first, *after = SPECIALTY.split(text, maxsplit=1)[0].split(",")
    if first.split() and bare(first.split()[0]) in titles:
        return True
    # The credentials follow the name; whatever follows them is the person's specialty.
    credentials = bool(after) and bool(after[0].split()) and all(bare(w) in titles for w in after[0].split())
    return credentials or (bool(after) and _named_role(first, after[0]))


def _named_role(name: str, role: str) -> bool:
    """A name and the role spelled out after its comma ("Ana Ruiz" and "Nurse Practitioner"): two to four
    capitalised words, then a role of capitalised words ending in one of ``pipeline/data/roles.txt``."""
    low, high = NAME_WORDS
    names, roles = name.split(), role.split()
    if not low <= len(names) <= high or not 0 < len(roles) <= ROLE_WORDS:
        return False
    capitalised = all(w[:1].isupper() for w in (*names, *roles))
    return capitalised and bare(roles[-1]) in word_list("roles.txt")


def cut_short(item: ScreenText) -> bool:
    """Whether a shown text runs past the frame's left or right edge (:data:`EDGE`): not all of it shows."""
    return item.box[0] <= EDGE or item.box[2] >= 1 - EDGE


def is_contact(text: str) -> bool:
    """Whether a shown text holds a phone number (seven digits or more), a web address or an email."""
    phone = any(sum(c.isdigit() for c in m.group(0)) >= 7 for m in PHONE.finditer(text))
    return phone or bool(ADDRESS.search(text))


def shown_byline(screen: Sequence[ScreenText]) -> str:
    """The first name with a professional title the video showed (a speaker's lower third), cleaned;
    empty where none was shown. Text on screen most of the video (a clinic's name), a caption or a text
    cut short at the frame's edge (:func:`cut_short`) is never one."""
    names = (clean_shown(t.text) for t in screen if not (t.persistent or t.caption or cut_short(t)))
    return next((_titled_apart(name) for name in names if is_name(name)), "")


def _titled_apart(name: str) -> str:
    """A name whose title line OCR joined on with a space, the two set apart by a comma ("Dr. Jane Smith,
    MD Board-certified dermatologist" gives "Dr. Jane Smith, MD, Board-certified dermatologist"): the
    title follows the credentials after the name's comma."""
    head, comma, rest = name.partition(",")
    words = rest.split()
    titles = word_list("credentials.txt")
    count = next((n for n, word in enumerate(words) if bare(word) not in titles), len(words))
    if not comma or not 0 < count < len(words) or words[count - 1].endswith(",") or not bare(words[count]):
        return name  # no title, one set apart already, or one after a dash ("Sam Lee, PT - physiotherapy")
    return f"{head}, {' '.join(words[:count])}, {' '.join(words[count:])}"


def with_captions(texts: Sequence[ScreenText], words: Sequence[Word]) -> tuple[ScreenText, ...]:
    """The shown texts with the burned-in captions among them marked ``caption``: a run of texts in one
    band of the frame that show the words being spoken as they are shown, all through the talk
    (:data:`CAPTION_COVER`); they are subtitles, not cards."""
    marked = _caption_track(texts, words)
    return tuple(replace(t, caption=True) if i in marked else t for i, t in enumerate(texts))


def spoken_share(item: ScreenText, words: Sequence[Word], starts: Sequence[float]) -> float:
    """The share of a shown text's words heard while it is up (give or take :data:`SPOKEN_SLACK_S`);
    ``words`` in time order, ``starts`` their start times."""
    shown = tokens(item.text)
    if not shown:
        return 0.0
    low = bisect.bisect_left(starts, item.start - SPOKEN_SLACK_S - 1.0)
    high = bisect.bisect_right(starts, item.end + SPOKEN_SLACK_S)
    heard = {t for w in words[low:high] if w.end >= item.start - SPOKEN_SLACK_S for t in tokens(w.text)}
    return sum(t in heard for t in shown) / len(shown)


def _caption_track(texts: Sequence[ScreenText], words: Sequence[Word]) -> set[int]:
    """Indices of the texts that are a caption track (see :data:`SPOKEN_SHARE`)."""
    if not words:
        return set()
    starts = [w.start for w in words]
    said = [
        i for i, t in enumerate(texts) if not t.persistent and spoken_share(t, words, starts) >= SPOKEN_SHARE
    ]
    talk = max(words[-1].end - words[0].start, 1.0)
    track: set[int] = set()
    for i in said:
        band = [j for j in said if abs(_middle(texts[j]) - _middle(texts[i])) <= CAPTION_BAND]
        if len(band) >= CAPTION_RUN and _shown_for([texts[j] for j in band]) >= CAPTION_COVER * talk:
            track.update(band)
    return track | _misheard_cues(texts, track)


def _misheard_cues(texts: Sequence[ScreenText], track: set[int]) -> set[int]:
    """Texts in a caption track's band, while it runs, up as briefly as a cue: cues whose words were
    misheard or misread. Never a name (a speaker's lower third in the same band)."""
    if not track:
        return set()
    middle = statistics.median(_middle(texts[i]) for i in track)
    first, last = min(texts[i].start for i in track), max(texts[i].end for i in track)
    return {
        i
        for i, t in enumerate(texts)
        if not t.persistent
        and abs(_middle(t) - middle) <= CAPTION_BAND
        and first <= t.start <= last
        and t.end - t.start <= CAPTION_MAX_S
        and not is_name(clean_shown(t.text))
    }


def _middle(item: ScreenText) -> float:
    return (item.box[1] + item.box[3]) / 2


def _shown_for(items: Sequence[ScreenText]) -> float:
    """Seconds at least one of ``items`` is on screen."""
    total, reach = 0.0, -math.inf
    for item in sorted(items, key=lambda t: t.start):
        total += max(0.0, item.end - max(item.start, reach))
        reach = max(reach, item.end)
    return total


def is_asked(text: str) -> bool:
    """A shown question: with its question mark, asked as a heading is, at least :data:`MIN_WORDS` long."""
    # A card is no aside: "Which ...?" opens a shown question as well as any.
    asked = text.endswith("?") and (is_heading_question(text) or opens_like_question(text.split()))
    return asked and len(text.split()) >= MIN_WORDS


def is_titled(text: str) -> bool:
    """Shaped as a heading shown on screen: :data:`TITLE_WORDS` to :data:`MAX_SHOWN_WORDS` words, opening
    with a capital or a number, neither a list's item (nor its items) nor a sentence (no closing full stop
    or colon). A comma or a clause is no matter on a card ("Relief for dry, gritty eyes", "Symptoms you
    should not ignore")."""
    words = text.split()
    if not TITLE_WORDS <= len(words) <= MAX_SHOWN_WORDS or not (text[:1].isupper() or text[:1].isdigit()):
        return False
    listed = LISTED.match(text) or len(ITEM.findall(text)) >= LIST_ITEMS
    return not listed and not text.endswith((".", ":")) and _mostly_letters(text)


def _mostly_letters(text: str) -> bool:
    """Written in words: at least half its parts words of two letters or more ("5 Tips", "Top 10 in
    2024"); a clock or counter burned into the picture ("1t00::00 0", "2024-05-01 10:31 REC") is not a
    heading."""
    parts = text.split()
    return sum(sum(c.isalpha() for c in p) >= 2 for p in parts) * 2 >= len(parts)


def screen_question(item: ScreenText, model: ScreenModel | None = None, lead: float = 0.0) -> str | None:
    """The heading a shown text makes, cleaned of OCR's spacing and capitals: a question or a title,
    not on screen most of the video nor a caption (:func:`heading_shaped`), that the model
    (:func:`shown_features`) finds more likely a heading than not (not a name and title, nor a fragment
    misread, nor shown mid-sentence); else None. ``lead``: seconds from the start of the sentence nearest
    to when it came up."""
    text = heading_shaped(item)
    if text is None:
        return None
    model = model or screen_model()
    odds = float(shown_features(item, lead) @ np.asarray(model.weights)) + model.bias
    return text if odds > 0 else None


def heading_shaped(item: ScreenText) -> str | None:
    """A shown text cleaned of OCR's spacing and capitals where it is shaped as a heading: a question or
    a title (opening with a capital or a number as shown, before :func:`clean_shown` capitalises it: a
    subtitle's "syndrome and post herpetic neuralgia after" is none), neither on screen most of the video
    nor a burned-in caption nor cut short at the frame's edge (:func:`cut_short`), and holding no contact
    details (:func:`is_contact`); else None."""
    if item.persistent or item.caption or is_contact(item.text) or cut_short(item):
        return None
    text = clean_shown(item.text)
    opening = next((c for c in item.text if c.isalnum()), "")
    titled = (opening.isupper() or opening.isdigit()) and is_titled(text)
    return text if is_asked(text) or titled else None


def cut_cues(
    sentences: Sequence[Sentence], cuts: Sequence[float], model: ScreenModel | None = None
) -> list[float]:
    """Boundary log odds a hard cut adds to each gap between sentences (element ``g - 1`` is the gap
    before sentence ``g``): the model's cut weight where a cut falls in the pause (within
    :data:`CUT_NEAR_S` of it), else 0."""
    weight = (model or screen_model()).cut_weight
    return [weight * float(has_cut(before, after, cuts)) for before, after in zip(sentences, sentences[1:])]


def has_cut(before: Sentence, after: Sentence, cuts: Sequence[float]) -> bool:
    """Whether a cut falls in the pause between two sentences, give or take :data:`CUT_NEAR_S`."""
    return any(before.end - CUT_NEAR_S <= cut <= after.start + CUT_NEAR_S for cut in cuts)


def clean_shown(text: str) -> str:
    """OCR text as a heading: one space between words, none before punctuation, sentence case where
    it was all capitals, one closing "?" where it ended in one."""
    text = " ".join(text.split())
    text = re.sub(r"\s+([?.,!:;])", r"\1", text)
    text = re.sub(r"\?[\W_]*$", "?", text)
    text = re.sub(r"(\w)- (\w)", r"\1-\2", text)  # a hyphenated word wrapped onto two lines
    text = JOINED.sub(_split_joined, text)
    if text.isupper():
        text = text.lower()
    return text[:1].upper() + text[1:]


def _split_joined(match: re.Match[str]) -> str:
    """Two words OCR ran together at a change of case ("whenI") as two, where the sentence encoder's
    vocabulary knows both and not the whole ("iPhone" stays)."""
    word, first, second = match.group(0), match.group(1), match.group(2)
    if known_share([word.lower()]) or known_share([first.lower(), second.lower()]) < 1:
        return word
    return f"{first} {second}"


def shown_heads(
    sentences: Sequence[Sentence],
    screen: Sequence[ScreenText],
    spoken: Sequence[int],
    model: ScreenModel | None = None,
) -> ShownHeads:
    """Which sentences the questions shown on screen head, and the cards offered beside spoken questions.

    Args:
        sentences: the talk's sentences.
        screen: the texts the video showed.
        spoken: indices of sentences spoken as headings.
    """
    heads: dict[int, str] = {}
    offered: dict[int, str] = {}
    shown_at: dict[int, float] = {}
    for item in screen:
        index = nearest_start(sentences, item.start)
        heading = None if index is None else screen_question(item, model, sentences[index].start - item.start)
        if heading is None or index is None:
            continue
        # Only a spoken question beats a shown one: a spoken title there ("Expect redness for one to three
        # days.") is the answer's first sentence, and stays in its prose.
        asked = (h for h in spoken if index - 1 <= h <= index and is_heading_question(sentences[h].text))
        said = next(asked, None)
        if said is None and _asked_after(sentences, spoken, item, heading):
            continue  # the card came up before the speaker asked it: one section, the spoken question's
        if said is None:
            heads.setdefault(index, heading)
            shown_at.setdefault(index, item.start)
        elif not _same(heading_text(sentences[said].text), heading):
            offered.setdefault(said, heading)
    return ShownHeads(heads, offered, shown_at)


def _asked_after(
    sentences: Sequence[Sentence], spoken: Sequence[int], item: ScreenText, heading: str
) -> bool:
    """Whether the speaker asks the shown question while it is on screen or within :data:`LEAD_AFTER_S` of
    it going: the same question, so the same section (two sections under one heading otherwise, the first
    holding the end of the answer before)."""
    return any(
        item.start <= sentences[h].start <= item.end + LEAD_AFTER_S
        and is_heading_question(sentences[h].text)
        and _same(heading_text(sentences[h].text), heading)
        for h in spoken
    )


def nearest_start(sentences: Sequence[Sentence], time: float) -> int | None:
    """The sentence starting nearest ``time``, within :data:`LEAD_BEFORE_S` before to
    :data:`LEAD_AFTER_S` after it, not one that ends within :data:`ENDS_NEAR_S` of it; None if none does."""
    near = [
        (abs(s.start - time), i)
        for i, s in enumerate(sentences)
        if s.start - time >= -LEAD_BEFORE_S and s.end > time + ENDS_NEAR_S
    ]
    near = [(gap, i) for gap, i in near if sentences[i].start - time <= LEAD_AFTER_S]
    return min(near)[1] if near else None


def _same(a: str, b: str) -> bool:
    return SequenceMatcher(None, a.lower().rstrip("?"), b.lower().rstrip("?")).ratio() >= SAME_HEADING


def swapped_cards(headings: Sequence[str], answers: Sequence[str], encode: Encode) -> list[tuple[int, int]]:
    """Pairs ``(i, j)`` of cards (``headings[i]`` heads ``answers[i]``) that fit each other's answers
    better than their own by :data:`SWAP_GAIN`, each card in one pair at most, the clearest first."""
    if len(headings) < 2:
        return []
    fit = _unit(encode(list(headings))) @ _unit(encode(list(answers))).T
    gains = sorted(
        ((fit[i, j] + fit[j, i] - fit[i, i] - fit[j, j], i, j) for i in range(len(fit)) for j in range(i)),
        reverse=True,
    )
    pairs: list[tuple[int, int]] = []
    for gain, i, j in gains:
        if gain > SWAP_GAIN and not {i, j} & {k for pair in pairs for k in pair}:
            pairs.append((j, i))
    return pairs


def _unit(vectors: np.ndarray) -> np.ndarray:
    return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9)


def check_card_order(draft: Draft, encode: Encode | None) -> Draft:
    """The draft with each pair of cards that fit each other's answers better (:func:`swapped_cards`)
    noted, and each card offered as a heading of the other's section; unchanged without an encoder."""
    carded = [n for n, s in enumerate(draft.sections) if s.heading_source == "on-screen" and s.paragraphs]
    if encode is None or len(carded) < 2:
        return draft
    answers = [" ".join(p.text for p in draft.sections[n].paragraphs) for n in carded]
    pairs = swapped_cards([draft.sections[n].heading for n in carded], answers, encode)
    sections, notes = list(draft.sections), list(draft.notes)
    for a, b in ((carded[i], carded[j]) for i, j in pairs):
        first, second = sections[a], sections[b]
        sections[a], sections[b] = (
            _offered(first, second, draft.language),
            _offered(second, first, draft.language),
        )
        at = {"at": clock(first.start), "other": clock(second.start)}
        notes.append(
            message(draft.language, "note_card_order", first=first.heading, second=second.heading, **at)
        )
    return replace(draft, sections=tuple(sections), notes=tuple(notes)) if pairs else draft


def _offered(section: Section, other: Section, language: str) -> Section:
    """``section`` with ``other``'s card first among its suggested headings."""
    why = message(language, "suggest_card_order", at=clock(other.start))
    return replace(
        section, suggestions=(HeadingSuggestion(other.heading, "on-screen", why), *section.suggestions)
    )


def shown_terms(screen: Sequence[ScreenText]) -> tuple[str, ...]:
    """The words the video shows that the glossary would take as terms (:mod:`.glossary`: of at least its
    MIN_LETTERS letters, not a common word), each once, lower-cased unless only ever shown capitalised: the
    spelling on screen corrects the same word misheard ("Catamine" under a subtitle reading "ketamine").
    Never from a text on screen most of the video, cut short at the frame's edge, or holding contact
    details ("paincare" of a web address)."""
    from video2blog.pipeline.text.glossary import MIN_LETTERS

    common = word_list("common_words.txt") | word_list("stopwords.txt")
    shown = [t.text for t in screen if not (t.persistent or cut_short(t) or is_contact(t.text))]
    words = [w for text in shown for w in re.findall(r"[^\W\d_]+", text)]
    lower = {w.lower() for w in words if w.islower()}
    terms = {w.lower() if w.lower() in lower else w for w in words}
    return tuple(sorted(t for t in terms if len(t) >= MIN_LETTERS and t.lower() not in common))
