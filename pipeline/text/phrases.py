"""Topic phrases of a talk's text, and how a phrase is written in a heading.

Topic phrases are runs of content words between function words and punctuation (RAKE-style) that end
in a word that can be a noun (:mod:`~video2blog.pipeline.text.lexicon`): "Harsh scrubs tend" loses its
verb, "Nice" is no phrase. Greetings and idioms ("of course") give none.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from video2blog.pipeline.text.lexicon import (
    adverb_only,
    can_be_noun,
    manner_word,
    present_third_person,
    verb_lemma,
    verb_only,
    word_classes,
)
from video2blog.pipeline.textutil import GREETING, any_of, stem, tokens, word_list

# A phrase (a name, a key term) is a run of at most this many content words.
MAX_PHRASE_WORDS = 3
# A run of two or more words is a name (a subject, a key term) where the talk says it this often.
NAME_SAID = 2
# Words that carry little topic in a talk although they are not function words.
WEAK_WORDS = word_list("weak_words.txt")

_IDIOMS = re.compile(rf"\b{any_of('idioms.txt')}\b", re.I)

DETERMINERS = word_list("determiners.txt")
SPLIT = re.compile(r"[.,;:?!()\"“”]|\s[-–—]\s")
_EDGE_PUNCT = re.compile(r"^[\W_]+|[\W_]+$")
SENTENCE_END = re.compile(r"(?<=[.?!])\s+")
# "So", "Now, ": words a sentence opens with before what it says, set aside to read what it says.
LEADING_FILLER = re.compile(rf"^(?:{any_of('leading_fillers.txt')}\b,?\s*)+", re.I)


@dataclass(frozen=True)
class Phrase:
    """A candidate topic phrase: its words as first written, and their stems."""

    text: str
    stems: tuple[str, ...]


@lru_cache(maxsize=4096)
def phrases_of(text: str) -> tuple[Phrase, ...]:
    """Runs of up to three content words between function words and punctuation, ending in a noun.

    Words the lexicon knows only as verbs or adverbs break a run; a run followed by a determiner
    ("the ultrasound counts | the follicles") most likely ends in a verb, which is dropped; so are
    trailing words that cannot be nouns ("super seasoned"). Greetings and idioms ("of course") give none.
    Remembered per text: the heading stage asks it of every section's text once per section.
    """
    stop = word_list("stopwords.txt")
    found: list[Phrase] = []
    for sentence in SENTENCE_END.split(text):
        if GREETING.search(sentence):
            continue
        for chunk in SPLIT.split(_IDIOMS.sub(",", sentence)):
            found.extend(chunk_phrases(chunk, stop))
    return tuple(found)


def chunk_phrases(chunk: str, stop: frozenset[str]) -> list[Phrase]:
    found = []
    run: list[str] = []
    before = ""
    words = [*chunk.split(), ""]
    for i, word in enumerate(words):
        bare = tokens(word)
        # ("we) record (brain waves": a verb after a subject or "to" opens no phrase
        acted = not run and before in _VERB_CONTEXT and bool(bare) and "VERB" in word_classes(bare[0])
        before = bare[-1] if bare else ""
        if run and bare and _verb_between(bare[0], words[i + 1], stop):
            found.extend(_runs(_trimmed(run, False)))  # "lamp | gives | soft light"
            run = []
            continue
        if bare and len(bare) == 1 and topical(bare[0], stop) and not acted:
            run.append(_EDGE_PUNCT.sub("", word))
            continue
        found.extend(_runs(_trimmed(run, bool(bare) and bare[0] in DETERMINERS)))
        run = []
    return found


def _verb_between(word: str, following: str, stop: frozenset[str]) -> bool:
    """Whether ``word``, after a noun and before another content word, is a verb's -s form
    ("the lamp gives soft light", "the body stores fat"), not a plural modifier."""
    if not present_third_person(word):
        return False
    after = tokens(following)
    return len(after) == 1 and topical(after[0], stop) and "ADV" not in word_classes(after[0])


def topical(word: str, stop: frozenset[str]) -> bool:
    if word in stop or word in WEAK_WORDS or len(word) < 3 or any(c.isdigit() for c in word[:1]):
        return False
    return not (manner_word(word) or verb_only(word) or adverb_only(word))


def _trimmed(run: list[str], before_determiner: bool) -> list[str]:
    if before_determiner and len(run) > 1:
        run = run[:-1]
    while run and (
        not can_be_noun(run[-1].lower())
        or (len(run) > 1 and _participle(run[-1].lower()))
        or run[-1].lower().endswith(("'s", "’s"))
    ):
        run = run[:-1]  # "plaque sitting": the verb of a clause, not a thing; "Newton's": whose?
    return run[-MAX_PHRASE_WORDS:]


def _participle(word: str) -> bool:
    """Whether ``word`` is a verb's -ing or -ed form ("sitting", "caused"; not "bed", "need", "ring")."""
    return word.endswith(("ing", "ed")) and verb_lemma(word) not in (None, word)


def _runs(run: list[str]) -> list[Phrase]:
    return [Phrase(" ".join(run), tuple(stem(w.lower()) for w in run))] if run else []


def sentences_of(text: str) -> list[str]:
    return [s for s in SENTENCE_END.split(text.strip()) if s]


def content_stems_of(text: str) -> list[str]:
    """Stems of the words of ``text``'s topic phrases."""
    return [s for p in phrases_of(text) for s in p.stems]


def phrase_stems(text: str) -> set[str]:
    return {stem(t) for t in tokens(text)}


_ADJECTIVE_ENDINGS = ("al", "ous", "ive", "ic", "ary", "ful", "less", "able", "ible")


def describer(phrase: str) -> bool:
    """Whether ``phrase`` ends in a word that may describe rather than name ("necessary",
    "arthroscopic"): left alone it is no topic to join to another. ("-ine" is no such ending:
    "ketamine", "caffeine".)"""
    last = phrase.split()[-1].lower()
    classes = word_classes(last)
    return "ADJ" in classes or (not classes and last.endswith(_ADJECTIVE_ENDINGS))


_VERB_CONTEXT = word_list("verb_context.txt")


def verb_like(text: str) -> set[str]:
    """Words ``text`` mostly uses as verbs: at least half the time right after a subject
    pronoun, "to", a modal or a form of "be" ("you hear", "they tend"; not "sleep study")."""
    words = tokens(text)
    after = Counter(b for a, b in zip(words, words[1:]) if a in _VERB_CONTEXT)
    total = Counter(words)
    return {w for w, n in after.items() if 2 * n >= total[w]}


def keep_case(phrase: str) -> str:
    """A phrase as it reads inside a heading: acronyms and names keep their capitals ("NMDA", "Botox");
    a first word capitalised only because it opened a sentence ("The injection") is lower-cased."""
    out = []
    for i, word in enumerate(phrase.split()):
        known = bool(word_classes(word.lower())) or word.lower() in word_list("stopwords.txt")
        kept = (word.isupper() and len(word) > 1) or (word[:1].isupper() and (i > 0 or not known))
        out.append(word if kept else word.lower())
    return " ".join(out)


def sentence_case(phrase: str) -> str:
    words = phrase.split()
    if not words:
        return phrase
    first = words[0] if words[0].isupper() and len(words[0]) > 1 else words[0].capitalize()
    rest = [w if (w.isupper() and len(w) > 1) or w[:1].isupper() else w.lower() for w in words[1:]]
    return " ".join([first, *rest])
