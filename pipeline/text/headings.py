"""Headings and metadata: generated section headings, title, slug, description and keywords.

Topic phrases are runs of content words between function words and punctuation (RAKE-style),
scored by how much more a section uses their words than the rest of the talk does (TF-IDF over
sections). A generated heading is the section's best phrase, asked as a reader's question
where the section opens by defining it ("Immunotherapy retrains..." is not; "An adjustment
is a quick push..." gives "What is an adjustment?"), else a short topic heading.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from nltk.stem import PorterStemmer

from video2blog.pipeline.textutil import tokens, word_list

DESCRIPTION_LIMIT = 160
DESCRIPTION_REACH = 3
MIN_KEYWORD_LENGTH = 4
MAX_PHRASE_WORDS = 3
MAX_DEFINED_WORDS = 4
# Words that carry little topic in a clinic talk although they are not function words.
WEAK_WORDS = frozenset(
    "patient patients people person doctor doctors clinic time times day days week weeks month months "
    "year years minute minutes hour hours bit start starts started help helps helped feel feels felt "
    "often usually common important good great better best sure tell told talk talking call called "
    "try trying tried find found look looking show shows come coming happen happens treat treated "
    "getting answer answers question questions welcome hello thanks thank today tonight lead leads "
    "simple quick small large big long short high low hard easy step steps means thing things way ways "
    "zero one two three four five six seven eight nine ten eleven twelve fifteen twenty thirty forty fifty "
    "hundred thousand second third half morning evening afternoon night".split()
)
_VERB_CONTEXT = frozenset(
    "i you we they he she to will would can could should may might must don't doesn't didn't "
    "is are was were be been being".split()
)
DETERMINERS = frozenset("the a an your our my their his her its this these those some any every each".split())
# A phrase said n times ranks with a word said n * PHRASE_WEIGHT times (per extra word).
PHRASE_WEIGHT = 1.5
# A run of content words keeps at least this share of the best single word's score to win as a phrase.
PHRASE_PREFERENCE = 0.6
_SPLIT = re.compile(r"[.,;:?!()\"“”]|\s[-–—]\s")
_DEFINITION = re.compile(r"^(?P<subject>[\w' -]+?) (?:is|are) (?:a|an|the|one|when|how|what|where)\b", re.I)
_INTRO = re.compile(
    r"\b(?:hello|hi|welcome|good (?:morning|afternoon|evening)|my name is|i am|i'm|"
    r"thank you for (?:joining|coming|watching|listening))\b",
    re.I,
)
_STEMMER = PorterStemmer()


@dataclass(frozen=True)
class Phrase:
    """A candidate topic phrase: its words as first written, and their stems."""

    text: str
    stems: tuple[str, ...]


def content_words(text: str) -> list[str]:
    """Tokens of ``text`` that carry topic: no function words, no short tokens, no numbers."""
    stop = word_list("stopwords.txt")
    return [t for t in tokens(text) if t not in stop and len(t) >= MIN_KEYWORD_LENGTH and not t.isdigit()]


def keywords(text: str, limit: int = 6) -> list[str]:
    """Topic words and phrases of ``text``, most used first: multi-word phrases said twice or more,
    then single content words (ties by first use). Words the talk uses as verbs ("you hear",
    "they tend") and adverbs are left out."""
    verbs = verb_like(text)
    phrases = Counter(g for p in phrases_of(text) for g in _ngrams(p.text.lower().split()))
    words = [w for w in content_words(text) if w not in WEAK_WORDS | verbs and not w.endswith("ly")]
    counts = Counter(words) + Counter(
        {p: n for p, n in phrases.items() if n >= 2 and not set(p.split()) & verbs}
    )
    order = {w: i for i, w in reversed(list(enumerate(words)))}
    ranked = sorted(counts, key=lambda k: (-counts[k] * PHRASE_WEIGHT ** k.count(" "), order.get(k, 0)))
    chosen: list[str] = []
    for key in ranked:
        if not any(set(key.split()) & set(other.split()) for other in chosen if " " in key or " " in other):
            chosen.append(key)
    return chosen[:limit]


def verb_like(text: str) -> set[str]:
    """Words ``text`` mostly uses as verbs: at least half the time right after a subject
    pronoun, "to", a modal or a form of "be" ("you hear", "they tend"; not "sleep study")."""
    words = tokens(text)
    after = Counter(b for a, b in zip(words, words[1:]) if a in _VERB_CONTEXT)
    total = Counter(words)
    return {w for w, n in after.items() if 2 * n >= total[w]}


def _ngrams(words: list[str]) -> list[str]:
    return [" ".join(words[i : i + n]) for n in (2, 3) for i in range(len(words) - n + 1)]


def phrases_of(text: str) -> list[Phrase]:
    """Runs of up to three content words between function words and punctuation.

    A run followed by a determiner ("the ultrasound counts | the follicles") most likely ends
    in a verb, which is dropped; so are adverbs ("-ly") at either end.
    """
    stop = word_list("stopwords.txt")
    found = []
    for chunk in _SPLIT.split(text):
        run: list[str] = []
        for word in [*chunk.split(), ""]:
            bare = tokens(word)
            if bare and len(bare) == 1 and _topical(bare[0], stop):
                run.append(word.strip("'’"))
                continue
            found.extend(_runs(_trimmed(run, bool(bare) and bare[0] in DETERMINERS)))
            run = []
    return found


def _trimmed(run: list[str], before_determiner: bool) -> list[str]:
    if before_determiner and run:
        run = run[:-1]
    while run and run[-1].lower().endswith("ly"):
        run = run[:-1]
    while run and run[0].lower().endswith("ly"):
        run = run[1:]
    return run


def _topical(word: str, stop: frozenset[str]) -> bool:
    return word not in stop and word not in WEAK_WORDS and len(word) >= 3 and not word.isdigit()


def _runs(run: list[str]) -> list[Phrase]:
    if not run:
        return []
    run = run[-MAX_PHRASE_WORDS:]
    return [Phrase(" ".join(run), tuple(_stem(w.lower()) for w in run))]


@lru_cache(maxsize=8192)
def _stem(word: str) -> str:
    return _STEMMER.stem(word)


def generate_heading(
    text: str, used: Iterable[str], context: Sequence[str] = (), opening: str | None = None
) -> str:
    """A heading for a section with none spoken, about what sets it apart and distinct from ``used``.

    Args:
        text: the section's prose.
        used: headings already taken (compared case-insensitively).
        context: the prose of every section of the talk, this one included.
        opening: the talk's main topic, when the section opens the talk: a greeting there
            becomes "Introduction to <topic>".
    """
    taken = {_norm(h) for h in used}
    candidates = [*_question_headings(text), *_topic_headings(text, context)]
    if opening and _INTRO.search(text):
        candidates.insert(0, f"Introduction to {opening}")
    for heading in candidates:
        if _norm(heading) not in taken:
            return heading
    return _numbered_fallback(candidates[0] if candidates else "More on this topic", taken)


def _question_headings(text: str) -> list[str]:
    """ "What is X?" where the section opens by defining X ("An adjustment is a quick push...")."""
    match = _DEFINITION.match(text.strip())
    if not match:
        return []
    subject = match.group("subject").strip()
    words, stop = tokens(subject), word_list("stopwords.txt")
    if not 1 <= len(words) <= MAX_DEFINED_WORDS or words[0] in stop - {"a", "an", "the"}:
        return []
    if not any(_topical(w, stop) for w in words):
        return []
    verb = "are" if text.strip()[len(subject) :].lstrip().lower().startswith("are") else "is"
    return [f"What {verb} {subject[0].lower() + subject[1:]}?"]


def _topic_headings(text: str, context: Sequence[str]) -> list[str]:
    """The section's phrases as headings, the most distinctive first."""
    weights = _stem_weights(text, context)
    scored: dict[str, float] = {}
    for phrase in phrases_of(text):
        score = sum(weights.get(s, 0.0) for s in phrase.stems) / math.sqrt(len(phrase.stems))
        key = phrase.text.lower()
        scored[key] = max(scored.get(key, 0.0), score)
    floor = PHRASE_PREFERENCE * max((v for k, v in scored.items() if " " not in k), default=0.0)
    ranked = sorted(scored, key=lambda k: (" " not in k or scored[k] < floor, -scored[k]))
    return [_sentence_case(p) for p in ranked]


def _stem_weights(text: str, context: Sequence[str]) -> dict[str, float]:
    """TF-IDF of each stem of ``text``, with the talk's sections as the documents."""
    local = Counter(s for p in phrases_of(text) for s in p.stems)
    docs = [set(s for p in phrases_of(c) for s in p.stems) for c in context] or [set(local)]
    idf = {s: math.log((1 + len(docs)) / (1 + sum(s in d for d in docs))) for s in local}
    return {s: n * (idf[s] + 0.01) for s, n in local.items()}


def main_topic(text: str) -> str:
    """The talk's main topic: its most used phrase or content word, lower-cased."""
    top = keywords(text, limit=1)
    return top[0] if top else "this talk"


def _sentence_case(phrase: str) -> str:
    words = phrase.split()
    if not words:
        return phrase
    first = words[0] if words[0].isupper() and len(words[0]) > 1 else words[0].capitalize()
    rest = [w if (w.isupper() and len(w) > 1) or w[:1].isupper() else w.lower() for w in words[1:]]
    return " ".join([first, *rest])


def _norm(heading: str) -> str:
    return " ".join(tokens(heading))


def _numbered_fallback(base: str, taken: set[str]) -> str:
    for extra in ("more on", "further notes on", "a closer look at"):
        candidate = f"{extra.capitalize()} {base[0].lower() + base[1:]}"
        if _norm(candidate) not in taken:
            return candidate
    return f"{base} ({len(taken) + 1})"


def make_title(text: str, asked: bool) -> str:
    """A title from the talk's main topic: ``"Ketamine: your questions answered"``."""
    top = keywords(text, limit=2)
    if not top:
        return "Draft post"
    topic = _sentence_case(top[0])
    return f"{topic}: your questions answered" if asked else f"{topic}: what to know"


def slugify(text: str, limit: int = 80) -> str:
    """ASCII, lower-case, hyphenated slug of ``text``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:limit].rstrip("-") or "draft"


def make_description(
    sentences: Sequence[str], limit: int = DESCRIPTION_LIMIT, topic: Sequence[str] = ()
) -> str:
    """A meta description of at most ``limit`` characters.

    It starts at the first sentence that is not a greeting ("Hello, I am one of the doctors
    here."), or at a sentence soon after it that names the main ``topic``, and takes what
    follows that fits.
    """
    useful = [s for s in sentences if not _INTRO.search(s)] or list(sentences)
    named = [i for i, s in enumerate(useful[:DESCRIPTION_REACH]) if any(t in s.lower() for t in topic)]
    useful = useful[named[0] :] if named else useful
    text = ""
    for sentence in useful:
        candidate = f"{text} {sentence}".strip()
        if len(candidate) > limit:
            break
        text = candidate
    if text:
        return text
    first = useful[0] if useful else ""
    return _truncate(first, limit)


def _truncate(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + "…"
