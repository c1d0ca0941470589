"""Title, slug, description and keywords of a draft, from the talk's subject.

The subject is the phrase most sections use ("TMS"), with what it is for where the talk says so ("TMS
for depression"); the description is one or two whole sentences of the talk's opening.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from video2blog.pipeline.text.cleanup import capitalize_first
from video2blog.pipeline.text.lexicon import (
    adverb_only,
    can_be_noun,
    noun_lemma,
    verb_only,
)
from video2blog.pipeline.text.phrases import (
    LEADING_FILLER,
    NAME_SAID,
    WEAK_WORDS,
    Phrase,
    describer,
    keep_case,
    phrases_of,
    sentence_case,
    sentences_of,
    verb_like,
)
from video2blog.pipeline.text.questions import Encode
from video2blog.pipeline.text.sentences import sentences_in
from video2blog.pipeline.text.spoken import is_heading_question
from video2blog.pipeline.textutil import (
    DESCRIPTION_LIMIT,
    INTRO,
    NUMBER_WORDS,
    content_words,
    data_text,
    glossary_spelling,
    shipped_json,
    stem,
    terms_said,
    tokens,
)

DESCRIPTION_REACH = 5
MIN_DESCRIPTION_WORDS = 6
MIN_KEYWORD_LENGTH = 4
KEYWORD_MODEL = "keyword_model.json"
# The stem of the verb a talk names what its subject is for with ("treating pain", "treats depression").
TREAT = "treat"
# A phrase said n times ranks with a word said n * PHRASE_WEIGHT times (per extra word), in keywords.
PHRASE_WEIGHT = 1.5
# A subject of several words ("physical therapy") outranks one word used this much more often, per word.
MULTIWORD_BONUS = 0.3
# How much being in many sections counts for the talk's subject, beside being said often.
SPREAD_EXPONENT = 1.5
# An acronym said in several sections is most likely the procedure ("PRP", "TMS", "IVF").
ACRONYM_BONUS = 2.0


@dataclass(frozen=True)
class TopicCandidates:
    """The phrases that may be a talk's subject (lower case), how often each is said, in how many
    sections, each as first written, and how often each section says each phrase."""

    keys: list[str]
    said: Counter[str]
    spread: Counter[str]
    shown: dict[str, str]
    per_section: tuple[Counter[str], ...] = ()


def topic_candidates(sections: Sequence[str]) -> TopicCandidates:
    """The candidates :func:`main_topic` chooses among: runs of one to three words of the talk's phrases,
    a phrase of two or three words said at least twice, none holding a word the talk uses as a verb, no
    describing word alone."""
    spread: Counter[str] = Counter()
    said: Counter[str] = Counter()
    shown: dict[str, str] = {}
    per_section = []
    for text in sections:
        keys = Counter(k for p in phrases_of(text) for k in _subphrases(p, shown))
        per_section.append(keys)
        said.update(keys)
        spread.update(set(keys))
    joined = " ".join(sections)
    for key, text in shown.items():  # "Isotretinoin" opens a sentence, "isotretinoin" goes on: lower case
        if text != key and not text.isupper() and _lower_only(key, text, joined):
            shown[key] = key
    units = units_of(joined)
    modifiers = {w for k in said if " " in k for w in k.split()[:-1]}  # "sleep" in "sleep study" is a noun
    verbs = verb_like(" ".join(sections)) - modifiers
    candidates = [
        k
        for k in said
        if (" " not in k or said[k] >= NAME_SAID)
        and not set(k.split()) & verbs
        and not describer(k)
        and k.split()[-1] not in units
    ]  # "anterior", "natural": a describing word alone is no subject
    return TopicCandidates(candidates, said, spread, shown, tuple(per_section))


def units_of(text: str) -> frozenset[str]:
    """The words ``text`` says at least half the time right after a number ("2 milligrams", "two hundred
    milligrams"), or after "per" behind one ("milligrams per kilogram"): units, which measure the
    subject and are never it, nor a keyword. A comma between them is a list ("at 9, ITV1")."""
    said = text.split()
    after: Counter[str] = Counter()
    per: Counter[str] = Counter()
    for i in range(1, len(said)):
        before, word = tokens(said[i - 1]), tokens(said[i])
        if not (before and word and word[0].isalpha() and said[i - 1][-1].isalnum()):
            continue
        if before[-1].isdigit() or before[-1] in NUMBER_WORDS:
            after[word[0]] += 1
        elif before == ["per"] and i > 1 and tokens(said[i - 2])[-1:] and tokens(said[i - 2])[-1] in after:
            per[word[0]] += 1
    uses = Counter(w for t in said for w in tokens(t))
    units = {w for w in after if after[w] * 2 >= uses[w] and w not in NUMBER_WORDS}
    return frozenset(units | {w for w in per if (after[w] + per[w]) * 2 >= uses[w]})


def _lower_only(key: str, text: str, talk: str) -> bool:
    """Whether the talk writes ``key`` in lower case and ``text`` (its capitalised form) only where a
    sentence starts."""
    if not re.search(rf"\b{re.escape(key)}\b", talk):
        return False
    return not re.search(rf"[\w,;:] +{re.escape(text)}\b", talk)


def main_topic(sections: Sequence[str]) -> str:
    """The talk's subject: the phrase the most sections use, then the most used; as first written.

    A phrase of two or three words must be said at least twice to count.
    """
    return best_topic(topic_candidates(sections))


def best_topic(found: TopicCandidates) -> str:
    """:func:`main_topic` of the talk whose :func:`topic_candidates` are ``found``."""
    if not found.keys:
        return ""
    said, spread, shown = found.said, found.spread, found.shown
    best = max(found.keys, key=lambda k: (_topic_score(k, said[k], spread[k], shown[k].isupper()), said[k]))
    return shown[best]


def _topic_score(key: str, said: int, spread: int, acronym: bool) -> float:
    return (
        said
        * spread**SPREAD_EXPONENT
        * (1 + MULTIWORD_BONUS * key.count(" "))
        * (ACRONYM_BONUS if acronym else 1)
    )


def _subphrases(phrase: Phrase, shown: dict[str, str]) -> list[str]:
    """The phrase's runs of one to three words, lower-cased; ``shown`` keeps each one's written form."""
    words = phrase.text.split()
    keys = []
    for size in range(1, len(words) + 1):
        for i in range(len(words) - size + 1):
            text = " ".join(words[i : i + size])
            key = text.lower()
            if text.isupper() or key not in shown:
                shown[key] = text
            keys.append(key)
    return keys


def topic_purpose(text: str, topic: str) -> str:
    """What the talk says its subject is for ("TMS for depression" gives "depression"), or ""."""
    if not topic:
        return ""
    pattern = re.compile(
        rf"\b{re.escape(topic)} (?:for|to treat|treats?) (?:the |your )?([\w'-]+(?: [\w'-]+)?)", re.I
    )
    found: Counter[str] = Counter()
    for match in pattern.finditer(text):
        phrase = phrases_of(match.group(1))
        words = phrase[0].text.lower().split() if phrase else []
        found.update(" ".join(words[:n]) for n in range(1, len(words) + 1))
    said = [k for k, n in found.items() if n >= 2]
    if said:
        return max(said, key=lambda k: (found[k], k.count(" ")))
    return _treated(text, topic)


def _treated(text: str, topic: str) -> str:
    """What the talk says its subject treats when it never says "<topic> for X": the noun said in two
    or more sentences that name the subject with "treat" ("What type of pain is ketamine good at
    treating?", "How does ketamine work to treat pain?" give "pain"), or ""."""
    own = {w.lower() for w in topic.split()}
    found: Counter[str] = Counter()
    for sentence in sentences_of(text):
        words = [w.lower() for w in re.findall(r"[\w'-]+", sentence)]
        if own <= set(words) and any(stem(w) == TREAT for w in words):
            nouns = [w for w in content_words(sentence, MIN_KEYWORD_LENGTH) if _condition(w, own)]
            found.update(list(dict.fromkeys(nouns)))  # once a sentence, in the order said (ties: first said)
    said = [k for k, n in found.most_common() if n >= 2]
    return said[0] if said else ""


def _condition(word: str, own: set[str]) -> bool:
    return word not in own and stem(word) != TREAT and can_be_noun(word) and not verb_only(word)


def make_title(topic: str, asked: bool, purpose: str = "") -> str:
    """A title from the talk's subject: ``"TMS for depression: your questions answered"``."""
    if not topic:
        return "Draft post"
    subject = sentence_case(topic) + (f" for {purpose}" if purpose else "")
    return f"{subject}: your questions answered" if asked else f"{subject}: what to know"


@dataclass(frozen=True)
class KeywordModel:
    """Logistic weights over :data:`KEYWORD_FEATURES`: how likely a candidate names what the talk's
    questions are about (learned from clinic pages' and chapters' headings by
    ``python -m benchmarks.train_keywords --write``). ``central`` weighs the candidate's closeness to
    the talk (:func:`closeness_to`): the model for a talk with sentence vectors has one, the lexical
    model none."""

    weights: tuple[float, ...]
    bias: float
    central: float = 0.0

    def score(self, row: Sequence[float], closeness: float = 0.0) -> float:
        return float(np.dot(self.weights, row) + self.central * closeness + self.bias)


# Named features of a keyword candidate (a content word, or a phrase said twice or more).
KEYWORD_FEATURES = ("said", "words", "known", "first", "acronym", "spread")
# The feature sentence vectors add: the cosine between a candidate's vector and the talk's mean
# sentence vector ("cholesterol" in a talk on the heart, not "inside" said as often).
CENTRAL_FEATURE = "central"
# How near each of some texts comes to the talk (see :func:`closeness_to`).
Closeness = Callable[[list[str]], np.ndarray]


def keywords(
    text: str,
    limit: int = 6,
    topic: str = "",
    model: KeywordModel | None = None,
    terms: Sequence[str] = (),
    closeness: Closeness | None = None,
) -> list[str]:
    """Topic words and phrases of ``text``, ``topic`` first, then the clinic's glossary ``terms`` the
    talk says (its own key terms: "NMDA", "neuropathic"), then the other candidates; each group ranked
    by the shipped keyword model (:func:`shipped_keyword_model`; with the talk's ``closeness``, the model
    that weighs it too; without any, the most used first). Candidates are phrases said twice or more and
    single content words; words the talk uses as verbs ("you hear", "they tend"), adverbs and filler are
    left out; acronyms keep their case ("PRP")."""
    counts, order = keyword_candidates(text)
    spelled = glossary_spelling(terms)  # a glossary term as the clinic writes it
    for term, said in terms_said(terms, text).items():
        counts[term] = max(counts[term], said)
        order.setdefault(term, order.get(term.split()[0], len(order)))
    glossary = spelled.keys()
    if model is None and closeness is not None:
        model = shipped_keyword_model("embeddings")
    model = model or shipped_keyword_model("lexical")  # also where no model for embeddings ships
    if model:
        keys = list(counts)
        near = closeness(keys) if closeness and model.central and keys else np.zeros(len(keys))
        score = {
            k: model.score(keyword_row(k, counts[k], order.get(k, 0), len(order), text), float(c))
            for k, c in zip(keys, near, strict=True)
        }
        ranked = sorted(counts, key=lambda k: (k not in glossary, -score[k], order.get(k, 0)))
    else:
        weight = {k: counts[k] * PHRASE_WEIGHT ** k.count(" ") for k in counts}
        ranked = sorted(counts, key=lambda k: (k not in glossary, -weight[k], order.get(k, 0)))
    chosen = distinct_keys(ranked, limit, [topic.lower()] if topic else [])
    by_letters = {_letters(k): v for k, v in spelled.items()}  # "botox" is the glossary's "Botox®"
    return [
        spelled.get(k) or by_letters.get(_letters(k)) or _mixed_case(k, text) or _as_written(k, text)
        for k in chosen
    ]


def _letters(key: str) -> str:
    """A keyword without its signs ("botox" of "Botox®"): two keywords alike in it are one tag."""
    return " ".join(re.sub(r"[^\w\s-]+", "", key.lower()).split())


def distinct_keys(ranked: Iterable[str], limit: int, chosen: Sequence[str] = ()) -> list[str]:
    """The first ``limit`` of ``chosen`` and then ``ranked`` that each say something new (see
    :func:`_repeats`)."""
    picked: list[str] = []
    for key in [*chosen, *ranked]:
        if len(picked) == limit:
            break
        if not any(_repeats(key, other) for other in picked):
            picked.append(key)
    return picked


def _repeats(key: str, other: str) -> bool:
    """Whether ``key`` says nothing the keyword ``other`` before it does not: one of its words again,
    in any number ("arteries" after "artery", "steroid injections" after "injection"; "medication"
    after "medical" is a word of its own)."""
    return bool(
        {noun_lemma(w) for w in _letters(key).split()} & {noun_lemma(w) for w in _letters(other).split()}
    )


def closeness_to(sentences: Sequence[str], encode: Encode) -> Closeness | None:
    """How near each text comes to the talk: the cosine between its vector and the unit mean of the
    unit vectors of the talk's ``sentences`` (those of :func:`talk_sentences`, which the description
    embeds too). None for a talk without sentences."""
    if not sentences:
        return None
    centre = _unit_rows(encode(list(sentences))).mean(axis=0)
    centre /= max(float(np.linalg.norm(centre)), 1e-12)
    return lambda texts: _unit_rows(encode(texts)) @ centre if texts else np.zeros(0)


def _unit_rows(vectors: np.ndarray) -> np.ndarray:
    rows = np.asarray(vectors, dtype=float)
    return rows / np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), 1e-12)


def keyword_candidates(text: str) -> tuple[Counter[str], dict[str, int]]:
    """Each candidate keyword of ``text`` with how often it is said, and the index of its first use
    among the content words (phrases: of their first word)."""
    verbs = verb_like(text)
    phrases = Counter(g for p in phrases_of(text) for g in _ngrams(p.text.lower().split()))
    units = units_of(text)
    words = [w for w in content_words(text, MIN_KEYWORD_LENGTH) if _keyword(w, verbs) and w not in units]
    counts = Counter(words) + Counter(
        {p: n for p, n in phrases.items() if n >= 2 and not set(p.split()) & verbs | units}
    )
    order = {w: i for i, w in reversed(list(enumerate(words)))}
    for key in counts:
        order.setdefault(key, order.get(key.split()[0], len(words)))
    return counts, order


def keyword_row(key: str, said: int, first: int, total: int, text: str) -> list[float]:
    """The :data:`KEYWORD_FEATURES` of one candidate: log of times said, extra words, share of its words
    the sentence encoder knows whole (everyday words: "drip", "blood"), where in the talk it is first
    said (0 to 1), and whether the talk writes it in capitals."""
    parts = key.split()
    known = known_share(parts)
    acronym = _as_written(key, text) != key
    return [
        float(np.log1p(said)),
        float(len(parts) - 1),
        known,
        first / max(total, 1),
        float(acronym),
        _spread(key, text),
    ]


def _spread(key: str, text: str, parts: int = 4) -> float:
    """The share of the talk's quarters (by characters) that say ``key``."""
    lower = text.lower()
    size = max(1, -(-len(lower) // parts))
    pattern = re.compile(rf"\b{re.escape(key)}")
    return sum(bool(pattern.search(lower, i * size, (i + 1) * size + len(key))) for i in range(parts)) / parts


def known_share(words: Sequence[str]) -> float:
    """The share of ``words`` the shipped sentence encoder knows whole: everyday words ("drip", "blood"),
    where a term of the trade ("NMDA", "vasectomy") comes in word pieces."""
    vocabulary = _encoder_vocabulary()
    return sum(w in vocabulary for w in words) / max(1, len(words))


@lru_cache(maxsize=1)
def _encoder_vocabulary() -> frozenset[str]:
    """The whole words of the shipped sentence encoder's vocabulary (no word pieces)."""
    return frozenset(t for t in data_text("minilm_vocab.txt").split() if t.isalpha())


def shipped_keyword_model(kind: str = "lexical") -> KeywordModel | None:
    """The shipped keyword model (``pipeline/data/keyword_model.json``) of ``kind``: "lexical" (text
    alone) or "embeddings" (with the candidates' closeness to the talk); None where none was trained."""
    return _shipped_keyword_models().get(kind)


@lru_cache(maxsize=1)
def _shipped_keyword_models() -> dict[str, KeywordModel]:
    data = shipped_json(KEYWORD_MODEL) or {}
    return {kind: keyword_model_from(entry) for kind, entry in data.items() if isinstance(entry, dict)}


def keyword_model_from(data: dict[str, object]) -> KeywordModel:
    """A model from its entry in ``keyword_model.json`` (weights by feature name, and a bias)."""
    weights = dict(data["weights"])  # type: ignore[call-overload]
    return KeywordModel(
        tuple(float(weights.get(n, 0.0)) for n in KEYWORD_FEATURES),
        float(data["bias"]),  # type: ignore[arg-type]
        float(weights.get(CENTRAL_FEATURE, 0.0)),
    )


def _keyword(word: str, verbs: set[str]) -> bool:
    if word in WEAK_WORDS or word in verbs or "'" in word:
        return False
    return not (verb_only(word) or adverb_only(word)) and can_be_noun(word)


def _mixed_case(key: str, text: str) -> str:
    """A one-word keyword as the talk writes it with a capital inside ("eGFR", "pH"), else ""."""
    written = re.search(rf"\b{re.escape(key)}\b", text, re.I) if " " not in key else None
    return written.group() if written and any(c.isupper() for c in written.group()[1:]) else ""


def _as_written(key: str, text: str) -> str:
    """A keyword in upper case where the talk writes it so ("PRP"), else lower case."""
    upper = re.search(rf"\b{re.escape(key.upper())}\b", text)
    return key.upper() if upper and any(c.isalpha() for c in key) else key


def _ngrams(words: list[str]) -> list[str]:
    return [" ".join(words[i : i + n]) for n in (2, 3) for i in range(len(words) - n + 1)]


def make_description(
    sentences: Sequence[str],
    limit: int = DESCRIPTION_LIMIT,
    topic: str = "",
    headings: Sequence[str] = (),
    encode: Encode | None = None,
    purpose: str = "",
    section_of: Sequence[int] = (),
) -> str:
    """A meta description: one or two whole sentences of the talk, at most ``limit`` characters.

    Greetings and what the talk will cover ("Many of you have asked about...") are never chosen, nor
    questions. With ``encode`` (the sentence encoder) it is the fitting sentence nearest the talk's
    mean vector, of those naming the ``topic`` (and its ``purpose``) where some do; without, the first
    of the talk's opening sentences that fits and names the ``topic``, else the first that fits. The
    sentence after it follows where both fit and, where ``section_of`` gives each paragraph's section,
    both are of one section. When none fits (captions without full stops), it is one sentence made from
    the topic and the ``headings``.
    """
    useful = talk_sentences(sentences)
    part = _sections_of(sentences, section_of)
    reach = len(useful) if encode else DESCRIPTION_REACH
    fitting = [i for i, s in enumerate(useful[:reach]) if _describes(s, limit)]
    if not fitting:
        return _summary_sentence(topic, headings, limit)
    named = [i for i in fitting if topic and topic.lower() in useful[i].lower()]
    named = [i for i in named if purpose and purpose.lower() in useful[i].lower()] or named
    choices = named or fitting
    first = _central(useful, choices, encode) if encode and len(choices) > 1 else choices[0]
    text = useful[first]
    after = first + 1
    same = not part or after >= len(part) or part[first] == part[after]  # the next answer's says another
    if after < len(useful) and same and _describes(useful[after], limit - len(text) - 1):
        text = f"{text} {useful[after]}"
    return text


def _sections_of(prose: Sequence[str], section_of: Sequence[int]) -> list[int]:
    """The section of each of :func:`talk_sentences` of ``prose``, given each paragraph's; [] without."""
    if len(section_of) != len(prose):
        return []
    return [n for p, n in zip(prose, section_of, strict=True) for _ in talk_sentences([p])]


def talk_sentences(prose: Sequence[str]) -> list[str]:
    """The sentences of the talk's ``prose`` (paragraphs) a description may be: filler that opens
    one dropped, each with a capital, greetings and what the talk will cover ("Many of you have
    asked about...") left out."""
    split = [LEADING_FILLER.sub("", s).strip() for p in prose for s in sentences_in(p)]
    return [capitalize_first(s) for s in split if s and not INTRO.search(s)]


def _central(sentences: list[str], fitting: list[int], encode: Encode) -> int:
    """The fitting sentence whose embedding is nearest the mean of all the talk's sentences."""
    vectors = _unit_rows(encode(sentences))
    mean = vectors.mean(axis=0)
    return max(fitting, key=lambda i: float(vectors[i] @ mean))


def _describes(sentence: str, limit: int) -> bool:
    fits = len(sentence) <= limit and len(sentence.split()) >= MIN_DESCRIPTION_WORDS and sentence[-1] in ".!"
    return fits and not _asks_at_end(sentence)


def _asks_at_end(sentence: str) -> bool:
    """Whether the sentence runs on into a question ("...like a natural tooth, does getting an implant
    hurt."): its last clause reads as a patient's question."""
    return "," in sentence and is_heading_question(sentence.rsplit(",", 1)[-1].strip())


def _summary_sentence(topic: str, headings: Sequence[str], limit: int) -> str:
    """ "What to know about PRP: the injection, recovery and results." within ``limit``."""
    subject = keep_case(topic) if topic else "this topic"
    framing = {"Introduction", "Conclusion", "Notes"}
    parts = [keep_case(h) for h in headings if not h.endswith("?") and h not in framing]
    parts = [p for p in parts if not p.lower().startswith("introduction to")]
    while parts:
        listed = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
        text = f"What to know about {subject}: {listed}."
        if len(text) <= limit:
            return text
        parts = parts[:-1]
    return f"What to know about {subject}."[:limit]
