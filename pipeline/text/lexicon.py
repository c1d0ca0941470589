"""Word classes from a lexicon: whether a word can be a noun, is only ever a verb, and so on.

The classes come from LemmInflect's tables (the NIH SPECIALIST lexicon, which knows clinical terms
too), shipped inside its PyPI package: no download, no tagger model. A lexicon does not see context
("work" is a noun and a verb), so the callers ask what a word *can* be: a heading must end in a word
that can be a noun, and a word the lexicon knows only as a verb ("tends", "spent") or an adverb never
names a topic. Words it does not know (drug names, acronyms, "p0172") count as nouns.
"""

from __future__ import annotations

import re
from functools import lru_cache

from lemminflect import Lemmatizer, getAllLemmas, getLemma

NOUNS = frozenset({"NOUN", "PROPN"})


LemmaTable = dict[str, dict[str, tuple[str, ...]]]


def lemma_table() -> LemmaTable:
    """LemmInflect's lemma table (word -> part of speech -> lemmas), read from its package if not yet."""
    return Lemmatizer()._getLemmaDict()


def use_lemma_table(table: object) -> None:
    """Give LemmInflect its lemma table, read earlier (``pipeline/lexicon_cache.py``): it then does not
    parse its own file. Raises ValueError for anything but such a table."""
    if not isinstance(table, dict) or not all(isinstance(v, dict) for v in list(table.values())[:100]):
        raise ValueError("not a lemma table")
    Lemmatizer().lemma_dict = table  # LemmInflect reads its file only where no table is set
    word_classes.cache_clear()


@lru_cache(maxsize=16384)
def word_classes(word: str) -> frozenset[str]:
    """The universal part-of-speech classes ``word`` (lower case) can take; empty when unknown.

    A plural the lexicon lists only as a verb form ("scrubs") is a noun too where its singular is one.
    """
    classes = set(getAllLemmas(word))
    if word.endswith("s") and len(word) > 3 and "NOUN" not in classes and "NOUN" in getAllLemmas(word[:-1]):
        classes.add("NOUN")
    return frozenset(classes)


def can_be_noun(word: str) -> bool:
    """Whether ``word`` may name a thing: the lexicon lists it as a noun, or does not know it."""
    classes = word_classes(word)
    if not classes:
        return not (word.endswith("ed") and len(word) > 5)  # "outscored": an unknown verb's past
    return bool(classes & NOUNS)


def verb_only(word: str) -> bool:
    """Whether the lexicon knows ``word`` only as a verb form ("tends", "spent", "making")."""
    classes = word_classes(word)
    return bool(classes) and classes <= {"VERB", "AUX"}


def adverb_only(word: str) -> bool:
    """Whether the lexicon knows ``word`` only as an adverb ("quickly", "basically")."""
    classes = word_classes(word)
    return bool(classes) and classes <= {"ADV"}


def manner_word(word: str) -> bool:
    """Whether ``word`` in -ly says how, how often or what kind rather than what ("quickly", "early",
    "daily", "elderly", an unknown "basicly"): it names a thing only where the lexicon knows it as a noun
    and as no describing word ("family", "assembly"), or as a noun and a verb too ("belly", "supply")."""
    if not word.endswith("ly"):
        return False
    classes = word_classes(word)
    names = bool(classes & NOUNS) and (not classes & {"ADJ", "ADV"} or "VERB" in classes)
    return not names


def verb_lemma(word: str) -> str | None:
    """The verb ``word`` is a form of ("removing" -> "remove"), or None where it is no verb."""
    if "VERB" not in word_classes(word):
        return None
    lemmas = getLemma(word, upos="VERB")
    return lemmas[0] if lemmas else None


def gerund(lemma: str) -> str:
    """The -ing form of a verb ("remove" -> "removing", "cut" -> "cutting", "tie" -> "tying").

    Spelling rules rather than LemmInflect's inflection tables, which take about 2 s to load.
    """
    if lemma.endswith("ie"):
        return lemma[:-2] + "ying"
    if lemma.endswith("e") and not lemma.endswith(("ee", "oe", "ye")) and len(lemma) > 2:
        return lemma[:-1] + "ing"
    if re.fullmatch(r"[^aeiou]*[aeiou][^aeiouwxy]", lemma):  # one short syllable: the consonant doubles
        return lemma + lemma[-1] + "ing"
    return lemma + "ing"


def is_gerund(word: str) -> bool:
    """Whether ``word`` is the -ing form of a verb the lexicon knows ("caring", "getting"; not "morning")."""
    lemma = verb_lemma(word)
    return lemma is not None and lemma != word and gerund(lemma) == word


def present_third_person(word: str) -> bool:
    """Whether ``word`` may be a verb's present-tense form for he, she or it ("happens", "causes"): the
    lexicon knows it as a form of another verb, and it is no -ing or past form."""
    lemma = verb_lemma(word)
    return lemma is not None and lemma != word and _s_form(word, lemma)


def _s_form(word: str, lemma: str) -> bool:
    """Whether ``word`` is ``lemma`` with the ending -s, -es or -ies ("feeds", "allergies")."""
    return word in (lemma + "s", lemma + "es", lemma[:-1] + "ies")


def plural_noun(word: str) -> bool:
    """Whether ``word`` is a noun's plural ("teeth", "mites"; not "virus", nor an acronym "PRP")."""
    lower = word.lower()
    return "NOUN" in word_classes(lower) and noun_lemma(lower) != lower and not word.isupper()


def regular_plural(word: str) -> bool:
    """Whether ``word`` is a noun's plural formed by its ending ("mites", "allergies"; not "teeth", the
    kind that English lets stand before another noun: "teeth whitening")."""
    lower = word.lower()
    return plural_noun(word) and _s_form(lower, noun_lemma(lower))


def noun_lemma(word: str) -> str:
    """The singular of a noun ("teeth" -> "tooth"); the word itself where it is no known noun."""
    lemmas = getAllLemmas(word).get("NOUN")
    return lemmas[0] if lemmas else word
