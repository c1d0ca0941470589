"""Generated section headings: the questions a section answers, else its topic phrase.

A section's phrases (:mod:`~video2blog.pipeline.text.phrases`) are scored by how often it uses their
words, weighted up where other sections use them less (TF-IDF over the talk's sections, with a floor so
the talk's own subject, "filter" or "PRP", still counts). A generated heading is the patient's question
the question-form model (:mod:`~video2blog.pipeline.text.questions`) says the section answers, or a
reader's question the section implies ("PRP is a..." gives "What is PRP?", "It takes about six weeks"
gives "How long does PRP take?", a question the speaker asks), else the best phrase ("Tools needed",
"Ground drive belt"). A talk's opening greeting is its "Introduction", a closing call to subscribe its
"Conclusion". Greetings, names and fillers never feed a heading. The title, description and keywords are
:mod:`~video2blog.pipeline.text.metadata`'s.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from video2blog.pipeline.text.lexicon import (
    can_be_noun,
    gerund,
    noun_lemma,
    present_third_person,
    verb_lemma,
    word_classes,
)
from video2blog.pipeline.text.phrases import (
    DETERMINERS,
    LEADING_FILLER,
    MAX_PHRASE_WORDS,
    SPLIT,
    WEAK_WORDS,
    Phrase,
    chunk_phrases,
    content_stems_of,
    describer,
    keep_case,
    phrase_stems,
    phrases_of,
    sentence_case,
    sentences_of,
    topical,
)
from video2blog.pipeline.text.sentences import MIN_QUESTION_WORDS
from video2blog.pipeline.text.spoken import AUXILIARIES, MAX_QUESTION_WORDS, WH_WORDS
from video2blog.pipeline.textutil import (
    COUNTING_WORDS,
    GREETING,
    OUTRO,
    any_of,
    number_value,
    phrase_patterns,
    stem,
    tokens,
    word_list,
)

MAX_SUBJECT_WORDS = 4
# A spoken heading longer than this is a sentence the speaker went on with, not a heading: the one limit
# of the spoken-heading stage (a question, or questions joined with their lead, :mod:`.spoken`).
MAX_SPOKEN_WORDS = MAX_QUESTION_WORDS
# A spoken question that names nothing heads its section only when longer than this: "What should I be
# eating?" does, the aside "What does that mean?" does not (a concept apart from the shortest question).
UNNAMED_QUESTION_WORDS = 4
# Questions are looked for in a section's first few sentences: where it says what it answers.
QUESTION_REACH = 3
# A stem's weight in a section is its count times (IDF over the sections + this floor).
GLOBAL_WEIGHT = 3.0
# A run of content words keeps at least this share of the best single word's score to win as a phrase.
PHRASE_PREFERENCE = 1.2
# A phrase's score is its stems' weights over (word count ** this): 0.5 favours longer phrases a little.
LENGTH_EXPONENT = 0.5
# Words of a section's opening (its first OPENING_WORDS words) count this much more: a speaker says
# what comes next ("Now remove the electric clutch").
OPENING_WORDS = 30
OPENING_BONUS = 0.5
# A one-word heading takes a second phrase scoring at least this share of it ("Camera and motion").
PAIR_SHARE = 0.45
# ... and a best phrase of several words a second one scoring this share ("Water pump and drive belt").
PAIR_SHARE_PHRASE = 0.45
MAX_PAIR_WORDS = 5
# Each half of a pair is named at least this often in the section.
PAIR_MIN_SAID = 2
# A section that says the talk's subject this often, but not in its best phrase, pairs the two.
SUBJECT_PAIR_MIN = 2
# The talk's subject is in at least this share of its sections, else an opening is just "Introduction".
TOPIC_SPREAD = 0.6
# A closing section this short (sentences) that asks to subscribe or says goodbye is the "Conclusion".
MAX_OUTRO_SENTENCES = 4
MAX_OUTRO_WORDS = 60
# A section names an action ("Removing the old filter") where it says the verb this often, with an object.
MIN_ACTION_COUNT = 2
# Verbs too general to name what a section does.
LIGHT_VERBS = word_list("light_verbs.txt")
# Words after which a verb is an instruction or an action ("to remove", "you remove", "then remove").
_ACTION_CONTEXT = word_list("action_context.txt")
# A talk's first section is its introduction where one of its first sentences greets, names the
# speaker or gives the agenda ("In this video I'll show you...").
INTRO_REACH = 2
_AGENDA = re.compile(rf"\b{any_of('agenda_phrases.txt')}", re.I)
# A greeting of one word ("Hi", "Welcome") greets only before a pause or a word that goes on greeting
# ("Hey guys", "Welcome back"): "Hey fever" is a misheard "hay".
_ONE_WORD_GREETING = "(?:" + "|".join(p for p in phrase_patterns("greetings.txt") if p.isalpha()) + ")"
_NO_HELLO = re.compile(
    rf"\b{_ONE_WORD_GREETING}\b(?!\s*[,.!]|\s+{any_of('greeting_followers.txt')}\b)",
    re.I,
)
# "Step two", "Method B", "Tip 3": a numbered part of a how-to talk (numbered_parts.txt, number_words.txt).
_NUMBER = rf"\d{{1,2}}|[a-e](?=\W|$)|{'|'.join(COUNTING_WORDS)}"
_NUMBERED = re.compile(rf"^{any_of('numbered_parts.txt')}\s+(?:number\s+)?(?:{_NUMBER})$", re.I)
# A section's number is looked for in its first few words, after what a sentence opens with ("So").
STEP_REACH = 5
_STEP = re.compile(
    rf"^\W*(?:{any_of('leading_fillers.txt')}\W+)?(?P<kind>{any_of('numbered_parts.txt')})\s+"
    rf"(?:number\s+)?(?P<n>{_NUMBER})\b",
    re.I,
)
# "I'm Ken", "Hi, this is Ken": a capitalised name after a self-introduction ("I'm going" is none).
_SELF_NAMED = re.compile(
    rf"^(?i:(?:{_ONE_WORD_GREETING}\W+)?{any_of('self_introductions.txt')}) [A-Z][a-z]+\b(?! going)"
)
PRONOUNS = word_list("heading_pronouns.txt")
# A question's first word asks: an interrogative or an auxiliary (wh_words.txt, auxiliaries.txt).
_QUESTION_WORD = re.compile(rf"^(?:{'|'.join(sorted(WH_WORDS | AUXILIARIES))})\b", re.I)
# (pattern with a "subject" group, question template): the section answers the question it implies.
_QUESTION_FORMS = (
    (r"(?:is|are) (?:a|an|the|one|when|how|what|where)\b", "What {be} {subject}?"),
    (r"(?:works?|acts?) (?:by|through|on)\b", "How {do} {subject} work?"),
    (
        r"(?:usually |typically |often |generally |can |will )?(?:takes?|lasts?) (?:about |around |roughly "
        r"|up to |at least |only |anywhere from )?(?:\d|a few|several|one|two|three|four|five|six|ten)\b",
        "How long {do} {subject} {verb}?",
    ),
    (
        r"(?:usually |typically |generally )?costs? (?:about |around |between |from )?(?:\$|\d)",
        "How much {do} {subject} cost?",
    ),
)
_QUESTION_PATTERNS = tuple(
    (re.compile(rf"^(?P<subject>[\w' -]+?) (?P<verb>{pattern})", re.I), template)
    for pattern, template in _QUESTION_FORMS
)


@dataclass(frozen=True)
class Talk:
    """What a heading is chosen against: the prose of every section, and the talk's subject."""

    sections: tuple[str, ...]
    topic: str = ""


def heading_choices(talk: Talk, index: int) -> list[str]:
    """Headings for section ``index`` of ``talk``, the best first: questions it answers, then phrases.

    The opening greeting of a talk of several sections gives "Introduction" first; a short closing
    goodbye gives "Conclusion". A section that opens with its number ("Step two: ...", "Method B")
    keeps it before its topic ("Step 2: Drive belt").
    """
    text = talk.sections[index]
    topics = _topic_headings(text, talk.sections)
    topics = [*_with_subject(topics, text, talk.topic), *topics]
    label = _step_label(text)
    if label:
        topics = [f"{label}: {t}" for t in topics]
    choices = [*_question_headings(text, talk.topic), *topics[:1], *_action_headings(text), *topics[1:]]
    many = len(talk.sections) > 1
    if many and index == 0 and _opens_talk(text):
        choices.insert(0, _introduction(talk, topics, text))
    elif many and index == len(talk.sections) - 1 and _is_outro(text):
        choices.insert(0, "Conclusion")
    return list(dict.fromkeys(choices))


_DANGLING = word_list("heading_cut_words.txt")


def _step_label(text: str) -> str:
    """ "Step 2" where the section's first words number it ("So step two is...", "Method B."), else ""."""
    opening = " ".join(text.split()[:STEP_REACH])
    match = _STEP.match(opening)
    if not match:
        return ""
    kind, number = match.group("kind").capitalize(), match.group("n")
    value = number_value(number)
    return f"{kind} {number.upper() if value is None else value}"


def keeps_spoken(heading: str) -> bool:
    """Whether a sentence taken for a spoken heading reads as one an editor keeps.

    Not a greeting or the speaker's name ("My name's Ken"), not a run-on sentence (over
    MAX_SPOKEN_WORDS words), and it names something ("All right", "Look at that", "One last thing"
    do not); a question must not end on a pronoun ("Why am I gonna do that?", "How's it going?")
    and names something or runs past UNNAMED_QUESTION_WORDS words ("What should I be eating?"). A
    numbered step ("Step 4", "Method A") is kept.
    """
    words = tokens(heading)
    if not words or len(words) > MAX_SPOKEN_WORDS:
        return False
    if GREETING.search(_NO_HELLO.sub("", heading)) or _SELF_NAMED.match(heading):
        return False
    if _NUMBERED.match(heading.strip(" .?!")):
        return True
    if words[-1] in _DANGLING:
        return False  # "...and hold the bracket while?": cut off mid-clause
    named = bool(phrases_of(heading.rstrip("?")))
    if heading.rstrip().endswith("?"):
        if words[-1] in PRONOUNS | {"me", "you", "there", "going"} or {"gonna", "wanna"} & set(words):
            return False
        return named or len(words) > UNNAMED_QUESTION_WORDS  # "What should I be eating?"
    return named


def generate_heading(talk: Talk, index: int, used: Iterable[str] = (), asked: Sequence[str] = ()) -> str:
    """A heading for section ``index`` (none was spoken) that repeats none of ``used``.

    ``asked`` are the patient's questions the question-form model says the section may answer, the
    likeliest first (none where no form fits well): the first not yet used heads the section, unless
    the section opens the talk with a greeting or closes it with a goodbye ("Introduction",
    "Conclusion").
    """
    taken = {_norm(h) for h in used}
    choices = heading_choices(talk, index)
    framing = bool(choices) and (choices[0] == "Conclusion" or choices[0].startswith("Introduction"))
    if not framing:
        choices = [*asked, *choices]
    for heading in choices:
        if _norm(heading) not in taken:
            return heading
    base = choices[0] if choices else _fallback(talk, index)
    return base if _norm(base) not in taken else _numbered_fallback(base, taken)


def _fallback(talk: Talk, index: int) -> str:
    """A heading where the section names nothing: the talk's subject, else its own few words
    ("Thank you"), else "Notes"."""
    if talk.topic:
        return sentence_case(talk.topic)
    words = talk.sections[index].strip().rstrip(".!?").split() if index < len(talk.sections) else []
    said = " ".join(words)
    return sentence_case(said) if 0 < len(words) <= MAX_PHRASE_WORDS and keeps_spoken(said) else "Notes"


def alternatives(
    talk: Talk, index: int, heading: str, limit: int = 2, asked: Sequence[str] = ()
) -> list[str]:
    """Other headings an editor may pick instead of ``heading``: the other form (question or topic)
    first, then the next best; the model's likeliest question among them where it is not the heading."""
    choices = [*asked[:1], *heading_choices(talk, index)]
    others = [h for h in dict.fromkeys(choices) if _norm(h) != _norm(heading)]
    question = heading.endswith("?")
    ranked = sorted(others, key=lambda h: h.endswith("?") == question)  # stable: the other form first
    return ranked[:limit]


def _with_subject(topics: Sequence[str], text: str, topic: str) -> list[str]:
    """ "Water pump and drive belt": the section's best phrase with the talk's subject where the
    section keeps naming the subject but its best phrase does not."""
    if not topics or not topic or " and " in topics[0] or topics[0].endswith("?"):
        return []
    first, subject = topics[0].lower(), topic.lower()
    said = sum(1 for p in phrases_of(text) if phrase_stems(subject) <= set(p.stems))
    if said < SUBJECT_PAIR_MIN or _shares_word(first, subject) or _named(topic) or describer(subject):
        return []
    if len(first.split()) + len(subject.split()) > MAX_PAIR_WORDS or _adjacent(text, first, subject):
        return []
    return [f"{topics[0]} and {keep_case(topic)}"]


def _opens_talk(text: str) -> bool:
    """Whether a talk's first section opens with a greeting, the speaker's name or an agenda."""
    opening = sentences_of(text)[:INTRO_REACH]
    return any(
        GREETING.search(_NO_HELLO.sub("", s)) or _AGENDA.search(s) or _SELF_NAMED.match(s) for s in opening
    )


def _introduction(talk: Talk, topics: Sequence[str] = (), text: str = "") -> str:
    """ "Introduction to PRP" where the talk's subject runs through it, else "Introduction to" the
    opening's own term of several words, named at least twice in its ``text`` ("Introduction to hearing
    aid batteries"), else "Introduction"."""
    stems = phrase_stems(talk.topic)
    spread = sum(bool(stems) and stems <= set(content_stems_of(s)) for s in talk.sections)
    if talk.topic and spread >= TOPIC_SPREAD * len(talk.sections) and _subject_like(talk.topic):
        return f"Introduction to {keep_case(talk.topic)}"
    own = [t for t in topics if " and " not in t][:1]
    if own and " " in own[0] and not _named(own[0]) and _dwells(text, own[0].lower()):
        return f"Introduction to {keep_case(own[0])}"
    return "Introduction"


def _subject_like(topic: str) -> bool:
    """A topic that reads as the subject of a talk after "Introduction to": a term of several words,
    an acronym or name ("PRP", "Spanish"), or a word the lexicon does not know ("ketamine"); not one
    everyday noun ("door", "speaker", which would need an article)."""
    return " " in topic or keep_case(topic)[:1].isupper() or not word_classes(topic.lower())


def _is_outro(text: str) -> bool:
    sentences = sentences_of(text)
    short = len(sentences) <= MAX_OUTRO_SENTENCES and len(text.split()) <= MAX_OUTRO_WORDS
    return short and any(OUTRO.search(s) for s in sentences)


def _question_headings(text: str, topic: str) -> list[str]:
    """Questions the section answers: one it asks, or one its opening sentences imply."""
    found = []
    for n, sentence in enumerate(sentences_of(text)[:QUESTION_REACH]):
        plain = LEADING_FILLER.sub("", sentence).strip()
        if plain.endswith("?"):
            found.extend(_asked(plain))
            continue
        forms = _QUESTION_PATTERNS if n == 0 else _QUESTION_PATTERNS[1:]  # a definition opens its section
        found.extend(q for q in (_implied(plain, p, t, topic) for p, t in forms) if q)
    return found


def _asked(question: str) -> list[str]:
    """A question the section asks, as its heading: one whose first word asks (an interrogative or an
    auxiliary, "What's" as "What") and that names something."""
    words = question.split()
    if not MIN_QUESTION_WORDS <= len(words) <= MAX_QUESTION_WORDS or not _QUESTION_WORD.match(question):
        return []
    if not phrases_of(question.rstrip("?")):
        return []
    return [question[0].upper() + question[1:]]


def _implied(sentence: str, pattern: re.Pattern[str], template: str, topic: str) -> str | None:
    match = pattern.match(sentence)
    if not match:
        return None
    subject = _subject(match.group("subject"), topic)
    if subject is None:
        return None
    verb = match.group("verb").lower()
    plural = _plural_verb(verb)
    if verb.startswith("is ") and subject.endswith("s") and "NOUN" in word_classes(subject.split()[-1][:-1]):
        return None  # "teams is the...": misheard, or no definition
    return template.format(
        be="are" if plural else "is",
        do="do" if plural else "does",
        subject=subject,
        verb="last" if "last" in verb else "take",
    )


def _plural_verb(verb: str) -> bool:
    """Whether the first verb of ``verb`` agrees with a plural subject ("are", "usually take"), not with
    one thing ("is", "lasts", "costs"): word classes and forms from the lexicon."""
    said = [w for w in verb.split() if verb_lemma(w)]
    return bool(said) and said[0] != "is" and not present_third_person(said[0])


def _subject(said: str, topic: str) -> str | None:
    """The subject of an implied question as written in a heading; a pronoun stands for ``topic``."""
    words = said.split()
    lowered = [w.lower() for w in words]
    if lowered and lowered[-1] in PRONOUNS and len(words) == 1:
        return keep_case(topic) if topic else None
    stop = word_list("stopwords.txt")
    if not 1 <= len(words) <= MAX_SUBJECT_WORDS or (lowered[0] in stop and lowered[0] not in DETERMINERS):
        return None
    if not phrases_of(said) or not can_be_noun(lowered[-1]):
        return None
    if any(w in stop and w not in DETERMINERS | {"of"} for w in lowered[1:]):
        return None  # "Protein at every meal", "The nose and the lungs": not one thing
    first = words[0] if words[0].isupper() and len(words[0]) > 1 else words[0].lower()  # opened the sentence
    return keep_case(" ".join([first, *words[1:]]))


def _action_headings(text: str) -> list[str]:
    """ "Removing the old filter": the action the section keeps naming, with its usual object."""
    words = text.split()
    verbs: Counter[str] = Counter()
    objects: Counter[tuple[str, str]] = Counter()
    for i in range(len(words)):
        lemma = _action_at(words, i)
        if lemma is None:
            continue
        verbs[lemma] += 1
        thing = _object_after(words, i)
        if thing:
            objects[(lemma, thing)] += 1
    for lemma, count in verbs.most_common():
        if count < MIN_ACTION_COUNT:
            break
        found = [(n, thing) for (verb, thing), n in objects.items() if verb == lemma]
        if found:
            return [f"{gerund(lemma).capitalize()} the {keep_case(max(found)[1])}"]
    return []


def _action_at(words: list[str], i: int) -> str | None:
    """The verb ``words[i]`` is, where it opens a sentence or follows "to", "you", "then"..."""
    word = tokens(words[i])
    opens = i == 0 or words[i - 1][-1:] in ".?!"
    if len(word) != 1 or not (opens or tokens(words[i - 1])[-1:] in [[w] for w in _ACTION_CONTEXT]):
        return None
    if word[0] in word_list("stopwords.txt") or word[0] in WEAK_WORDS:
        return None
    lemma = verb_lemma(word[0])
    return None if lemma is None or lemma in LIGHT_VERBS or lemma in WEAK_WORDS else lemma


def _object_after(words: list[str], i: int) -> str | None:
    """The phrase right after the verb at ``words[i]`` (determiners skipped), or None."""
    if words[i][-1:] in ".,;:?!":
        return None
    rest = words[i + 1 : i + 1 + MAX_PHRASE_WORDS + 2]
    while rest and tokens(rest[0]) and tokens(rest[0])[0] in DETERMINERS:
        rest = rest[1:]
    if not rest or tokens(rest[0])[:1] != [
        t for t in tokens(rest[0])[:1] if topical(t, word_list("stopwords.txt"))
    ]:
        return None
    found = chunk_phrases(SPLIT.split(" ".join(rest))[0], word_list("stopwords.txt"))
    return (
        found[0].text
        if found and rest[0].strip("'’").lower().startswith(found[0].text.split()[0].lower())
        else None
    )


def _topic_headings(text: str, context: Sequence[str]) -> list[str]:
    """The section's phrases as headings, the most characteristic first."""
    weights = _stem_weights(text, context)
    opening = {s for p in phrases_of(" ".join(text.split()[:OPENING_WORDS])) for s in p.stems}
    scored: dict[str, float] = {}
    shown: dict[str, str] = {}
    for phrase in _candidates(text):
        score = sum(weights.get(s, 0.0) for s in phrase.stems) / len(phrase.stems) ** LENGTH_EXPONENT
        score *= 1 + OPENING_BONUS * (len(opening & set(phrase.stems)) / len(phrase.stems))
        key = phrase.text.lower()
        scored[key] = max(scored.get(key, 0.0), score)
        shown.setdefault(key, phrase.text)
    floor = PHRASE_PREFERENCE * max((v for k, v in scored.items() if " " not in k), default=0.0)
    ranked = sorted(scored, key=lambda k: (_bare_verb(k), " " not in k or scored[k] < floor, -scored[k]))
    headings = [sentence_case(shown[k]) for k in ranked]
    pair = _paired(ranked, scored, shown, text)
    return [pair, *headings] if pair else headings


def _same_noun(word: str, phrase: str) -> bool:
    """Whether ``phrase`` repeats ``word``, perhaps in another number ("tooth", "teeth")."""
    return noun_lemma(word) in {noun_lemma(w) for w in phrase.split()}


def _candidates(text: str) -> list[Phrase]:
    """The section's phrases, and their shorter endings ("pulley cover" of "left pulley cover")."""
    found: list[Phrase] = []
    for phrase in phrases_of(text):
        words = phrase.text.split()
        found.extend(Phrase(" ".join(words[i:]), phrase.stems[i:]) for i in range(len(words)))
    return found


def _paired(ranked: list[str], scored: dict[str, float], shown: dict[str, str], text: str) -> str | None:
    """ "Camera and motion", "Water pump and drive belt": the best phrase joined with the next one
    about something else where that one scores nearly as well (two topics share the section)."""
    if len(ranked) < 2 or _bare_verb(ranked[0]):
        return None
    first = ranked[0]
    share = PAIR_SHARE if " " not in first else PAIR_SHARE_PHRASE
    second = next((k for k in ranked[1:] if not _shares_word(first, k)), None)
    if second is None or scored[second] < share * scored[first]:
        return None
    if len(first.split()) + len(second.split()) > MAX_PAIR_WORDS:
        return None
    joined = [
        k for k in scored if set(first.split()) & set(k.split()) and set(second.split()) & set(k.split())
    ]
    if joined or not all(_thing(w) for w in [*first.split()[-1:], *second.split()[-1:]]):
        return None  # one phrase cut in two ("gas", "cap"), or a verb in it ("save", "money")
    if not _dwells(text, first) or not _dwells(text, second):
        return None  # a word said once ("moment", "example") is no topic of the section
    if _adjacent(text, first, second) or _named(shown[first]) or _named(shown[second]) or describer(second):
        return None  # "Apple" + "watch series" is one thing; two people's names are no topic
    return f"{sentence_case(shown[first])} and {keep_case(shown[second])}"


def _adjacent(text: str, first: str, second: str) -> bool:
    """Whether ``text`` says one phrase right after the other ("apple watch series")."""
    words = tokens(text)
    a, b = first.split(), second.split()
    pairs = set(zip(words, words[1:]))
    return (a[-1], b[0]) in pairs or (b[-1], a[0]) in pairs


def _dwells(text: str, phrase: str) -> bool:
    """Whether ``text`` names the head of ``phrase`` (its last word's stem) at least PAIR_MIN_SAID
    times, and the phrase is plain words ("one's" is none)."""
    head = stem(phrase.split()[-1].lower())
    said = sum(head in p.stems[-1:] or head in p.stems for p in phrases_of(text))
    return "'" not in phrase and "’" not in phrase and said >= PAIR_MIN_SAID


def _named(phrase: str) -> bool:
    """A phrase with a capitalised word the lexicon does not know ("Juliana Broste"): most likely
    a person's name. Acronyms ("MRI") are things."""
    return any(w[:1].isupper() and not w.isupper() and not word_classes(w.lower()) for w in phrase.split())


def _shares_word(first: str, second: str) -> bool:
    """Whether two phrases name the same thing: a word in common, perhaps in another number."""
    return any(_same_noun(w, first) or stem(w) in {stem(v) for v in first.split()} for w in second.split())


def _bare_verb(key: str) -> bool:
    """A one-word phrase that can be a verb ("Stir", "Spray"): it reads as an order, not a topic."""
    return " " not in key and not _thing(key)


def _thing(word: str) -> bool:
    """A word the lexicon knows only as a noun (or adjective), or does not know: it names a thing."""
    return can_be_noun(word) and "VERB" not in word_classes(word)


def _stem_weights(text: str, context: Sequence[str]) -> dict[str, float]:
    """Count of each stem of ``text`` times (its IDF over the talk's sections + a floor)."""
    local = Counter(s for p in phrases_of(text) for s in p.stems)
    docs = [set(s for p in phrases_of(c) for s in p.stems) for c in context] or [set(local)]
    idf = {s: math.log((1 + len(docs)) / (1 + sum(s in d for d in docs))) for s in local}
    return {s: n * (idf[s] + GLOBAL_WEIGHT) for s, n in local.items()}


def _norm(heading: str) -> str:
    return " ".join(tokens(heading))


def _numbered_fallback(base: str, taken: set[str]) -> str:
    for extra in ("more on", "further notes on", "a closer look at"):
        candidate = f"{extra.capitalize()} {base if base[:2].isupper() else base[0].lower() + base[1:]}"
        if _norm(candidate) not in taken:
            return candidate
    return f"{base} ({len(taken) + 1})"
