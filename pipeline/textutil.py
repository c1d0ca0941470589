"""Small text helpers shared by the text stages (no I/O beyond package data)."""

from __future__ import annotations

import codecs
import gzip
import json
import re
import unicodedata
from functools import cache, lru_cache
from importlib import metadata, resources
from typing import TYPE_CHECKING, Any

from video2blog.pipeline.schema import Word

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Sequence
    from importlib.resources.abc import Traversable

    from nltk.stem import PorterStemmer

_WORD_RE = re.compile(r"[^\W_]+(?:['’][^\W_]+)*", re.UNICODE)
# Marks the recogniser sets apart with a space ("0 .5mg", "it , works") that prose writes against the word
# before; and a percent sign, against a number only ("20 %" is "20%", "{% price %}" stays as said).
ATTACHED_MARKS = ",.;:?!"
PERCENT = "%"


def data_file(name: str) -> Traversable:
    """A file shipped in ``pipeline/data`` (which may not exist: :func:`has_data`)."""
    return resources.files("video2blog.pipeline.data").joinpath(name)


def data_files() -> Iterator[Traversable]:
    """Every file shipped in ``pipeline/data``."""
    return resources.files("video2blog.pipeline.data").iterdir()


@cache
def has_data(name: str) -> bool:
    """Whether ``pipeline/data`` ships a file called ``name``."""
    return data_file(name).is_file()


@cache
def data_text(name: str) -> str:
    """The text of a file shipped in ``pipeline/data``."""
    return data_file(name).read_text(encoding="utf-8")


@cache
def word_list(name: str) -> frozenset[str]:
    """A word list shipped in ``pipeline/data`` (one entry a line, ``#`` comments)."""
    text = data_text(name)
    entries = (line.split("#", 1)[0].strip().lower() for line in text.splitlines())
    return frozenset(e for e in entries if e)


def phrase_patterns(name: str) -> tuple[str, ...]:
    r"""A list of phrases shipped in ``pipeline/data`` as regular expressions, one a line in the file's
    order (a line starting with ``#`` is a comment; spaces at a line's ends are not part of it: write
    ``\s`` or ``[ ]`` for one that must be)."""
    lines = (line.strip() for line in data_text(name).splitlines())
    return tuple(line for line in lines if line and not line.startswith("#"))


def any_of(name: str) -> str:
    """The phrases of ``name`` (:func:`phrase_patterns`) as one group of alternatives, ``(?:a|b|...)``."""
    return "(?:" + "|".join(phrase_patterns(name)) + ")"


def shipped_json(name: str) -> dict[str, Any] | None:
    """A JSON object shipped in ``pipeline/data`` (a trained model's weights), or None where it does not
    ship (not trained)."""
    return dict(json.loads(data_text(name))) if has_data(name) else None


def packaged_json(distribution: str, member: str) -> Any | None:
    """A JSON file another installed package ships (gzipped where ``member`` ends in ``.gz``), or None
    where that package is not installed or the file cannot be read."""
    try:
        located = str(metadata.distribution(distribution).locate_file(member))
        with open(located, "rb") as handle:
            raw = handle.read()
        return json.loads(gzip.decompress(raw) if member.endswith(".gz") else raw)
    except (metadata.PackageNotFoundError, OSError, ValueError):
        return None


def bare(token: str) -> str:
    """A word lower-cased without surrounding punctuation ("Ketamine," -> "ketamine")."""
    return " ".join(_WORD_RE.findall(token.lower().replace("’", "'")))


def tokens(text: str) -> list[str]:
    """Lower-cased word tokens of ``text``."""
    return _WORD_RE.findall(text.lower().replace("’", "'"))


def attaches(text: str, before: str) -> bool:
    """Whether a recognised word is written against the word ``before`` it (".5mg" after "0", "%" after
    "20")."""
    if text.startswith(PERCENT):
        return before[-1:].isdigit()
    return text[:1] != "" and text[0] in ATTACHED_MARKS


def join_words(texts: list[str]) -> str:
    """Join recognised words with spaces, attaching split-off hyphen parts ("post -herpetic") and the
    word after an elision ("l 'arrivée": :func:`elided`)."""
    out, before = "", ""
    for text in texts:
        hyphen = text.startswith("-") and len(text) > 1 and out[-1:].isalnum()
        glue = out and not (hyphen or elided(before, text))
        out += (" " if glue else "") + text
        before = text
    return out


def elided(before: str, text: str) -> bool:
    """Whether ``text`` is the rest of an elided word ``before`` that the recogniser set apart from it
    ("l" "'arrivée", "C" "'est": ``elisions.txt``)."""
    return text[:1] in "'’" and text[1:2].isalpha() and before.isalpha() and before.lower() in ELISIONS


def spread_words(texts: list[str], start: float, end: float) -> list[Word]:
    """Words spread over ``start``-``end`` in proportion to their length (plus one for the space)."""
    weights = [len(t) + 1 for t in texts]
    total, span, done = sum(weights), max(0.0, end - start), 0
    words = []
    for text, weight in zip(texts, weights):
        first = start + span * done / total
        done += weight
        words.append(Word(text, round(first, 3), round(start + span * done / total, 3), 1.0))
    return words


def _whole_words(*names: str) -> re.Pattern[str]:
    """The phrases of the ``names`` lists as one pattern of whole words, any case."""
    return re.compile("|".join(rf"\b{any_of(name)}\b" for name in names), re.I)


def _language_file(concept: str, language: str) -> str:
    """A list's file for a talk in ``language``: ``greetings.txt`` for English, ``greetings-es.txt``..."""
    return f"{concept}.txt" if language == "en" else f"{concept}-{language}.txt"


# Words that state a number ("twelve", "twice", "percent"), as digits do.
# The most characters of a post's description (what a search result shows of it).
DESCRIPTION_LIMIT = 160

NUMBER_WORDS = word_list("number_words.txt")
# Words written against the next by an apostrophe ("l'arrivée"): see :func:`elided`.
ELISIONS = word_list("elisions.txt")
# The counting words, "zero" to "twenty": the first lines of number_words.txt, each at its value's place.
COUNTING_WORDS = phrase_patterns("number_words.txt")[:21]


def number_value(word: str) -> int | None:
    """The value of a counting word ("two" -> 2) or of digits ("12"), else None."""
    lowered = word.lower()
    if lowered.isdigit():
        return int(lowered)
    return COUNTING_WORDS.index(lowered) if lowered in COUNTING_WORDS else None


# A greeting or self-introduction ("Hello, I'm...", "My name's Ken", "Thanks for watching").
GREETING = _whole_words("greetings.txt")
# A greeting, or the agenda a talk opens with ("Today...", "In this video...", "I want to talk about").
INTRO = _whole_words("greetings.txt", "intro_phrases.txt")


@cache
def greeting_pattern(language: str) -> re.Pattern[str] | None:
    """:data:`GREETING` of a talk in ``language`` (``greetings-<code>.txt``), or None where none ships."""
    name = _language_file("greetings", language)
    return _whole_words(name) if has_data(name) else None


@cache
def intro_pattern(language: str) -> re.Pattern[str] | None:
    """:data:`INTRO` of a talk in ``language`` (its greetings and ``intro_phrases-<code>.txt``), or None
    where they do not ship."""
    names = [_language_file(concept, language) for concept in ("greetings", "intro_phrases")]
    return _whole_words(*names) if all(has_data(name) for name in names) else None


# A video's closing words ("Thanks for watching", "See you next time", "To sum up"): one pattern for every
# stage that looks for the end of a talk.
OUTRO = re.compile(rf"\b{any_of('outros.txt')}\b", re.I)


@cache
def outro_pattern(language: str) -> re.Pattern[str] | None:
    """:data:`OUTRO` of a talk in ``language`` (``outros-<code>.txt``), or None where none ships."""
    name = _language_file("outros", language)
    return _whole_words(name) if has_data(name) else None


@lru_cache(maxsize=16384)
def stem(word: str) -> str:
    """The Porter stem of a lower-case word ("injections" -> "inject")."""
    return _stemmer().stem(word)


@cache
def _stemmer() -> PorterStemmer:
    """NLTK's Porter stemmer, imported when a word is first stemmed: importing NLTK costs about 0.3 s,
    which a re-draft from the cache (``pipeline/draft_cache.py``) does not need to spend."""
    from nltk.stem import PorterStemmer

    return PorterStemmer()


def content_words(text: str, min_length: int = 3) -> list[str]:
    """Tokens of ``text`` that carry topic: no stop words, no numbers, none under ``min_length``."""
    stop = word_list("stopwords.txt")
    return [t for t in tokens(text) if t not in stop and len(t) >= min_length and not t.isdigit()]


def content_stems(text: str, min_length: int = 3) -> list[str]:
    """Porter stems of the content words of ``text``, in order."""
    return [stem(t) for t in content_words(text, min_length)]


def clock(seconds: float) -> str:
    """``m:ss``, or ``h:mm:ss`` from an hour on, for a time in seconds (whole seconds, rounded down)."""
    total = max(0, int(seconds))
    h, rest = divmod(total, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


# The characters a post never keeps, whether they came in a caption file, a transcript.json or an editor's
# text: the controls that reorder the text after them (embeddings, overrides, isolates: U+202A-E,
# U+2066-9), with which a "\u202e" shows a heading backwards on the site (the marks LRM and RLM stay);
# and those that show nothing and join nothing (zero-width spaces, soft hyphens, byte order marks, pasted
# from Word) and control characters but the line breaks and tabs (a BEL).
REORDERING = re.compile("[\u202a-\u202e\u2066-\u2069]")
INVISIBLE = re.compile("[\u200b\u00ad\ufeff\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f]")


def never_kept(text: str) -> str:
    """``text`` without the characters a post never keeps (:data:`REORDERING`, :data:`INVISIBLE`)."""
    return INVISIBLE.sub("", REORDERING.sub("", text))


# Byte-order marks and the codec that reads past them (UTF-32's first: its little-endian mark starts as
# UTF-16's). Windows Notepad saves "Unicode" as UTF-16 with a mark.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
    (codecs.BOM_UTF8, "utf-8-sig"),
)


# WordPress keeps a slug to 200 characters as it stores it, percent-encoded (its post_name column).
SLUG_BYTES = 200


def slugify(text: str, limit: int = 80, fallback: str = "draft", ascii_only: bool = False) -> str:
    """Lower-case, hyphenated slug of ``text``, as WordPress's sanitize_title makes a post's or a tag's:
    Latin letters made ASCII ("Café" is "cafe"); in a text mostly of another script (Cyrillic, Greek,
    Arabic, CJK) that script's letters and digits kept as they are, NFC (WordPress percent-encodes them
    itself), unless ``ascii_only`` (a file's name). A Latin title keeps an ASCII slug ("TNF-α inhibitors"
    is "tnf-inhibitors"). Every mark that is not a letter's or a digit's (a dash, a quote) parts words
    ("5–10" is "5-10", not "510"). Cut to ``limit`` characters, and to WordPress's 200 once
    percent-encoded, at a word's end where one is near ("...-your-questions", not
    "...-your-questions-answere"); ``fallback`` where nothing is left."""
    text = unicodedata.normalize("NFC", text)
    ascii_only = ascii_only or not _mostly_another_script(text)
    kept = "".join(_slug_part(c, ascii_only) for c in text)
    return _cut("-".join(kept.lower().split()), limit).rstrip("-") or fallback


def _mostly_another_script(text: str) -> bool:
    """Whether most of ``text``'s letters are of a script that is not Latin."""
    letters = [c for c in text if c.isalpha()]
    return sum(_of_another_script(c) for c in letters) * 2 > len(letters)


def _slug_part(char: str, ascii_only: bool) -> str:
    """``char`` as a slug writes it: its ASCII letters and digits (a Latin letter's accents dropped), else
    the letter itself where it is of another script (a joiner kept inside a word, as WordPress keeps it),
    else a space (a mark parts words) or nothing. Cased by the caller, which lowers a whole word (a Greek
    final sigma stays final)."""
    if not ascii_only and (_of_another_script(char) or char in _JOINERS):
        return char
    shown = unicodedata.normalize("NFKD", char)
    folded = "".join(c if c.isalnum() or unicodedata.combining(c) else " " for c in shown)
    return folded.encode("ascii", "ignore").decode()


_JOINERS = "\u200c\u200d"  # zero-width non-joiner and joiner: part of a Persian or Hindi word's spelling


def _of_another_script(char: str) -> bool:
    """A letter, digit or vowel sign of a script that is not Latin (whose letters a slug makes ASCII)."""
    if not (char.isalnum() or unicodedata.category(char) in ("Mn", "Mc")):
        return False
    return not unicodedata.name(char, "").startswith(("LATIN", "COMBINING", "DIGIT"))


def _cut(slug: str, limit: int) -> str:
    """``slug`` within ``limit`` characters and :data:`SLUG_BYTES` percent-encoded, at a word's end where
    one is in its second half."""
    end, width = 0, 0
    while end < min(len(slug), limit):
        width += _encoded_width(slug[end])
        if width > SLUG_BYTES:
            break
        end += 1
    if end == len(slug):
        return slug
    cut = slug[: end + 1].rfind("-")
    return slug[:cut] if cut > end // 2 else slug[:end]


def _encoded_width(char: str) -> int:
    """How many characters ``char`` takes in a percent-encoded address."""
    return 1 if char.isascii() else 3 * len(char.encode("utf-8"))


def bom_encoding(data: bytes) -> str | None:
    """The encoding a text file's byte-order mark says it is in; None without one."""
    return next((name for bom, name in _BOMS if data.startswith(bom)), None)


def normalise_term(text: str) -> str:
    """A term as the glossary means it: Unicode NFC, invisible and control characters gone, spaces single.

    Copy-paste brings zero-width spaces and joiners, soft hyphens and byte-order marks ("keta\u200bmine"
    must act as "ketamine"); tabs and line breaks become spaces, other control characters go.
    """
    shown = "".join(_visible(ch) for ch in unicodedata.normalize("NFC", text))
    return unicodedata.normalize("NFC", " ".join(shown.split()))


def distinct_terms(terms: Iterable[str]) -> tuple[str, ...]:
    """Each term once, in order, terms that differ only in case being one: the first spelling is kept.

    "ketamine", "Ketamine" and "KETAMINE" are one term to the correction stage, which matches words
    case-blind and capitalises a term at a sentence start; kept apart they each took Whisper's prompt and
    the speech it crowded out. The first is the one the clinic wrote as its term (later lines and the
    terms the editor adds come after), so it is the spelling the draft writes.
    """
    kept: dict[str, str] = {}
    for term in terms:
        kept.setdefault(term.casefold(), term)
    return tuple(kept.values())


def _visible(ch: str) -> str:
    kind = unicodedata.category(ch)
    if ch.isspace():
        return " "
    # Format characters (zero-width space and joiners, soft hyphen, BOM, direction marks) and controls.
    return "" if kind in ("Cf", "Cc") else ch


@cache
def language_names() -> dict[str, str]:
    """Whisper's languages' English names by code (``language-names.txt``: "fr" -> "french")."""
    return dict(line.split(" ", 1) for line in phrase_patterns("language-names.txt"))


def language_name(code: str) -> str:
    """A language's English name, as the terminal says it ("French" for ``fr``); the code where unknown."""
    name = language_names().get(code)
    return name.title() if name else code


# Languages with a message catalogue (``pipeline/data/messages-<code>.json``); others read English.
CATALOGUES = ("en", "es")


def has_catalogue(language: str) -> bool:
    """Whether video2blog is made for ``language`` (English, Spanish): its fixed strings, and the word
    lists and rules its text stages use. Another language's draft gives the words as heard, in
    sentences and sections, and no rule made for English or Spanish is asked of it."""
    return language in CATALOGUES


@cache
def messages(language: str) -> dict[str, str]:
    """The fixed strings of the outputs in ``language``; for a language without a catalogue, English, but
    for the post's own strings that can be said without words (``messages-as-heard.json``: the byline is
    the name alone)."""
    if language in CATALOGUES:
        return dict(json.loads(data_text(f"messages-{language}.json")))
    english = json.loads(data_text("messages-en.json"))
    return {**english, **json.loads(data_text("messages-as-heard.json"))}


def fixed_strings_language(language: str) -> str:
    """The language the outputs' fixed strings are in for a draft in ``language`` (English where it has
    no catalogue): post.html marks the closing blocks' English so."""
    return language if language in CATALOGUES else "en"


def message(language: str, key: str, **values: str) -> str:
    """One fixed string of the outputs in ``language``, its ``{placeholders}`` filled from ``values``."""
    return messages(language)[key].format(**values)


def locale_of(language: str) -> str:
    """The ``og:locale`` of a language: its catalogue's (``es_ES``), else the bare code."""
    return messages(language)["locale"] if language in CATALOGUES else language


def language_tag(language: str) -> str:
    """The language as a BCP 47 tag, for Word's proofing language and a feed's ``<language>``:
    ``es-ES`` for ``es`` (its catalogue's locale), else the bare code."""
    return locale_of(language).replace("_", "-")


def glossary_spelling(terms: Sequence[str]) -> dict[str, str]:
    """Each glossary term, lower-cased (the key the text stages match), as the clinic writes it."""
    return {t.lower().strip(): t.strip() for t in terms if t.strip()}


def terms_said(terms: Sequence[str], text: str) -> dict[str, int]:
    """How often ``text`` says each of the glossary ``terms`` it says (lower-cased keys, whole words)."""
    lower = text.lower()
    words = set(re.findall(r"\w+", lower))
    said = {}
    for term in glossary_spelling(terms):
        if not set(re.findall(r"\w+", term)) <= words:  # a big glossary: most terms unsaid
            continue
        count = len(re.findall(rf"(?<!\w){re.escape(term)}(?!\w)", lower))
        if count:
            said[term] = count
    return said
