"""Glossary stage: respell words the recogniser got nearly right as the clinic's terms.

"catamine" becomes "ketamine" and "fibro myalgia" becomes "fibromyalgia" when a run of one to
(term length + 1) words is close to a glossary term: a similarity (rapidfuzz's normalised Indel
ratio over the letters) of at least :data:`MIN_SIMILARITY`, or of :data:`MIN_SOUNDALIKE` where
the two also sound alike (consonant skeletons at least :data:`MIN_SOUND_KEY` alike, so c/k, ph/f,
a soft c/s and a voiced consonant and its unvoiced pair (t/d, s/z, p/b, k/g, f/v) agree, and a long
term heard with one consonant more or fewer). Common words are never touched ("examine" stays), nor
short ones, nor a term's own plural or possessive, nor a word that is the term with a prefix of its own
added or dropped ("ketamine" stays, "esketamine" is another drug).

Each run is compared with the terms of a near length only, all at once in rapidfuzz's C code, and
only those within :data:`MIN_SOUNDALIKE` are judged in full: a glossary of tens of thousands of terms
costs seconds, not the minutes that judging every term at every word took.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from rapidfuzz import process
from rapidfuzz.distance import Indel

from video2blog.pipeline.schema import Correction, Draft, Word
from video2blog.pipeline.text.lexicon import word_classes
from video2blog.pipeline.textutil import bare, normalise_term, word_list

MIN_SIMILARITY = 0.86
MIN_SOUNDALIKE = 0.7
# Consonant skeletons this alike sound alike: the same, or one consonant more or fewer where the longer
# has six or more ("planter fasillitis" for "plantar fasciitis"); never one consonant for another
# ("intramuscular" stays, though the glossary lists "neuromuscular"), nor a short word's one more.
MIN_SOUND_KEY = 0.9
MIN_LETTERS = 5
# A respelling changes the length of the letters by at most this share of the term's.
MAX_LENGTH_CHANGE = 0.2
# Letters this many or more put before a word, and nothing else changed, make another word ("ketamine" /
# "esketamine", "cetirizine" / "levocetirizine"), not a mishearing of one ("ketamin").
MIN_AFFIX = 2
INFLECTIONS = ("", "s", "es", "'s", "s'")
_PUNCT = ".,;:?!\"'()“”‘’"
_SENTENCE_END = re.compile(r"[.?!;:]+(?:\s|$)")
_SOFT_C = re.compile(r"s?c(?=[eiy])")  # "cirrhosis", "fasciitis", "abscess": said with an s
_SOUNDS = (("ph", "f"), ("ck", "k"), ("c", "k"), ("q", "k"), ("z", "s"), ("x", "ks"), ("y", "i"))
# A voiced consonant and its unvoiced pair differ by the voice alone, which a recogniser often mishears
# ("toperamid" for "topiramate", "chordosone" for "cortisone"): the skeleton keeps one of each pair.
_UNVOICED = str.maketrans("dbgv", "tpkf")


@dataclass(frozen=True)
class Term:
    """A glossary term with the keys it is compared by."""

    text: str
    words: int
    letters: str
    sound: str


def correct_words(words: Sequence[Word], terms: Sequence[str]) -> list[Correction]:
    """Corrections of runs of ``words`` that are near-misses of glossary ``terms``, left to right.

    A correction covering several words replaces all of them; the caller keeps the corrected
    text on the first and accounts for the rest.
    """
    prepared = _TermIndex([t for t in (make_term(text) for text in terms) if len(t.letters) >= MIN_LETTERS])
    longest = max((t.words for t in prepared.terms), default=0)
    known = {t.text.lower() + end for t in prepared.terms for end in INFLECTIONS}
    corrections: list[Correction] = []
    i = 0
    while prepared.terms and i < len(words):
        # words that already are one term are never respelt as another ("ketamine" is not "esketamine",
        # "complex regional pain syndrome" not "complex regional pain syndrome type I")
        heard = _heard_term(words, i, known, longest)
        found = None if heard else _best_at(words, i, prepared, longest + 1) or _glued_at(words, i, prepared)
        if found is None:
            i += max(heard, 1)
            continue
        corrections.append(found)
        i = found.words[1]
    return corrections


def terms_said(words: Sequence[Word], terms: Sequence[str]) -> tuple[str, ...]:
    """The glossary ``terms`` that ``words`` say: as written (a plural or possessive too), or as a
    near-miss this stage respells ("nerve pathic" says "neuropathic"), each once, in glossary order."""
    spelt = {normalise_term(t).lower() + end: t for t in terms for end in INFLECTIONS}
    longest = max((len(t.split()) for t in terms), default=0)
    runs = (words[i : i + size] for i in range(len(words)) for size in range(1, longest + 1))
    said = {spelt.get(" ".join(w.text.strip(_PUNCT).lower() for w in run)) for run in runs}
    said |= {spelt.get(c.corrected.strip(_PUNCT).lower()) for c in correct_words(words, terms)}
    return tuple(t for t in dict.fromkeys(terms) if t in said)


def terms_not_in(draft: Draft, terms: Sequence[str]) -> tuple[str, ...]:
    """The glossary ``terms`` the finished post never says (its title, description, byline, headings and
    paragraphs' sentences, each read on its own; a plural or possessive, or a part of a hyphenated word,
    counts), each once, in glossary order: not said in the talk, or heard too far from the term to be
    respelt, which the editor can tell apart only by listening."""
    texts = [draft.title, draft.description, draft.byline]
    texts += [s.heading for s in draft.sections if not s.lead]
    texts += [p.text for s in draft.sections for p in s.paragraphs]
    keys = {t: " ".join(_post_tokens(t)) for t in dict.fromkeys(terms)}
    longest = max((k.count(" ") + 1 for k in keys.values() if k), default=0)
    pieces = [piece for text in texts for piece in _SENTENCE_END.split(text)]  # no term runs across one
    runs = {run for piece in pieces for run in _runs(_post_tokens(piece), longest)}
    return tuple(t for t, key in keys.items() if not any(key + end in runs for end in INFLECTIONS))


def _runs(tokens: list[str], longest: int) -> set[str]:
    """Every run of one to ``longest`` of ``tokens``, joined by spaces."""
    return {" ".join(tokens[i : i + n]) for i in range(len(tokens)) for n in range(1, longest + 1)}


def _post_tokens(text: str) -> list[str]:
    """``text``'s words, lower-cased, a hyphenated word as its parts ("post-herpetic": "post herpetic") and a
    possessive's "'s" kept on its word ("ketamine's")."""
    return re.findall(r"\w+(?:'s\b)?", normalise_term(text).replace("’", "'").lower())


def _heard_term(words: Sequence[Word], i: int, known: set[str], longest: int) -> int:
    """How many words from ``i`` on are one glossary term as written (the longest such run), or 0."""
    heard = 0
    for size in range(1, min(longest, len(words) - i) + 1):
        if size > 1 and _ends_clause(words[i + size - 2]):
            break  # a term never spans punctuation
        if " ".join(w.text.strip(_PUNCT).lower() for w in words[i : i + size]) in known:
            heard = size
    return heard


def _ends_clause(word: Word) -> bool:
    return word.text.rstrip()[-1:] in ".?!,;:"


def make_term(text: str) -> Term:
    """A glossary term (normalised, see :func:`normalise_term`) and its comparison keys."""
    text = normalise_term(text)
    letters = _letters(text)
    return Term(text=text, words=len(text.split()), letters=letters, sound=sound_key(letters))


def sound_key(letters: str) -> str:
    """A rough consonant skeleton: spelling variants that sound alike share it."""
    key = _SOFT_C.sub("s", letters)  # a c before e, i or y sounds as s: "servikal" is "cervical"
    for old, new in _SOUNDS:
        key = key.replace(old, new)
    key = key[:1] + re.sub(r"[aeiouhw]", "", key[1:])
    # folded after doubles are merged, so "t" and "d" heard apart stay two ("pigmented" is not "pigment")
    return re.sub(r"(.)\1+", r"\1", key).translate(_UNVOICED)


def _letters(text: str) -> str:
    return re.sub(r"[^a-z]", "", bare(text).replace("'", ""))


class _TermIndex:
    """The terms grouped by their number of letters, to find those a run may be respelt as quickly."""

    def __init__(self, terms: list[Term]) -> None:
        self.terms = terms
        self.letters = {term.letters for term in terms}
        self.groups: dict[int, tuple[list[int], list[str]]] = {}
        for position, term in enumerate(terms):
            positions, letters = self.groups.setdefault(len(term.letters), ([], []))
            positions.append(position)
            letters.append(term.letters)

    def near(self, letters: str) -> list[Term]:
        """The terms (in glossary order) of a length a run with ``letters`` may change to, whose
        letters are at least :data:`MIN_SOUNDALIKE` similar: all that :func:`_match` can accept."""
        size, found = len(letters), []
        if size < MIN_LETTERS:
            return []
        for length, (positions, choices) in self.groups.items():
            if abs(size - length) <= MAX_LENGTH_CHANGE * length:
                hits = process.extract(
                    letters,
                    choices,
                    scorer=Indel.normalized_similarity,
                    score_cutoff=MIN_SOUNDALIKE,
                    limit=None,
                )
                found += [positions[index] for _, _, index in hits]
        return [self.terms[p] for p in sorted(found)]


def _best_at(words: Sequence[Word], i: int, terms: _TermIndex, reach: int) -> Correction | None:
    best: tuple[float, int, Term] | None = None
    for size in range(1, min(reach, len(words) - i) + 1):
        run = words[i : i + size]
        if size > 1 and _ends_clause(run[-2]):
            break  # a correction never spans punctuation
        letters = _letters(" ".join(w.text for w in run))
        # A run holding a term heard right is respelt only as those same letters ("post herpetic
        # neuralgia" -> "post-herpetic neuralgia"), never as a term that adds or drops words around it
        # ("treat post herpetic neuralgia" is not "acute post-herpetic neuralgia").
        holds = size > 1 and _holds_term(run, terms.letters)
        for term in terms.near(letters):
            if holds and term.letters != letters:
                continue
            score = _match(run, term)
            if score and (best is None or score > best[0]):
                best = (score, size, term)
    if best is None:
        return None
    _, size, term = best
    run = words[i : i + size]
    original = " ".join(w.text for w in run)
    return Correction((i, i + size), original, _styled(term.text, run), run[0].start, run[-1].end)


def _glued_at(words: Sequence[Word], i: int, terms: _TermIndex) -> Correction | None:
    """Word ``i`` as a function word glued to a near-miss of a one-word term, respelt as the two ("after
    shingles" heard as "afterchingles"); never a word the lexicon knows ("inpatient" is no "in patient").
    A hand rule, on the stop-word list: on the evaluation talks' true text (51,015 words, seven 248- to
    300-term glossaries) it changes no word."""
    word = words[i]
    said = word.text.strip(_PUNCT)
    if not said.isalpha() or said.lower() in word_list("common_words.txt"):
        return None
    for cut in range(2, len(said) - MIN_LETTERS + 1):
        head, piece = said[:cut].lower(), replace(word, text=said[cut:].lower())
        if head not in word_list("stopwords.txt"):
            continue
        scored = [(_match([piece], term), term.text) for term in terms.near(piece.text) if term.words == 1]
        score, term = max(scored, default=(0.0, ""))
        if score and not word_classes(said.lower()):
            styled = _styled(f"{said[:cut]} {term}", [word])
            return Correction((i, i + 1), word.text, styled, word.start, word.end)
    return None


def _holds_term(run: Sequence[Word], letters: set[str]) -> bool:
    """Whether a shorter run of words inside ``run`` has a term's letters: a term heard as it is."""
    keys = [_letters(w.text) for w in run]
    return any(
        "".join(keys[start : start + size]) in letters
        for size in range(1, len(run))
        for start in range(len(run) - size + 1)
    )


def _match(run: Sequence[Word], term: Term) -> float:
    """How well a run of words matches a term (0 when it must not be corrected to it)."""
    if not _correctable(run, term):
        return 0.0
    letters = _letters(" ".join(w.text for w in run))
    score = Indel.normalized_similarity(letters, term.letters)
    alike = Indel.normalized_similarity(sound_key(letters), term.sound) >= MIN_SOUND_KEY
    if score >= MIN_SIMILARITY or (score >= MIN_SOUNDALIKE and alike):
        return score
    return 0.0


def _correctable(run: Sequence[Word], term: Term) -> bool:
    """Whether a run may be respelt: the term not already in it, nor common or function words."""
    said = [w.text.strip(_PUNCT).lower() for w in run]  # a run that is a term: passed over (_heard_term)
    letters = _letters(" ".join(said))
    if len(letters) < MIN_LETTERS or abs(len(letters) - len(term.letters)) > MAX_LENGTH_CHANGE * len(
        term.letters
    ):
        return False
    if len(run) > 1 and term.text.lower() in " ".join(said):
        return False  # the term is already there, with a word beside it
    if _another_word(letters, term.letters):
        return False
    common, stop = word_list("common_words.txt"), word_list("stopwords.txt")
    if len(run) == 1:
        return said[0] not in common
    if any(w in stop or _letters(w) == term.letters for w in said):
        return False
    return not all(w in common for w in said)


def _another_word(letters: str, term: str) -> bool:
    """Whether one of what was heard and the term is the other with a prefix, all else the same: a word of
    its own, not a mishearing, so what was heard stands ("ketamine" is not "esketamine", a drug of its own;
    nor is "herpetic neuralgia" "post-herpetic neuralgia"). Letters dropped inside or at the end are how a
    syllable is swallowed ("fibroalgia", "methotrexa"), and those are still respelt; so "prednisone" can
    become "prednisolone" where the glossary lists only the second (the second reader's measure: four real
    mishearings of that kind were refused by a rule for any place)."""
    short, long = sorted((letters, term), key=len)
    return len(long) - len(short) >= MIN_AFFIX and long.endswith(short)


def _styled(term: str, run: Sequence[Word]) -> str:
    """The term with the punctuation around the run it replaces, capitalised where the run was."""
    head, tail = run[0].text, run[-1].text
    lead = head[: len(head) - len(head.lstrip("\"'(“‘"))]
    trail = tail[len(tail.rstrip(".,;:?!\"')”’")) :]
    text = term[0].upper() + term[1:] if head.lstrip("\"'(“‘")[:1].isupper() and term[:1].islower() else term
    return f"{lead}{text}{trail}"
