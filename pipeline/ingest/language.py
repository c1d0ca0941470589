"""Which model hears a talk: the language asked for (``--language``) or detected, and the models at hand.

tiny.en (bundled) only hears English: given Spanish it writes English words that were never said.
So a talk in another language goes to the multilingual Whisper base (the ``base`` extra), and where
that is not installed it is refused with the line that installs it.

Without base nothing can name the language, but tiny.en's own signals tell English from not
(``benchmarks/bench_language.py``): on whole talks its mean word probability is 0.83-0.94 on English
(real speech, Piper and espeak-ng voices) and 0.28-0.55 on Spanish espeak-ng speech; and it writes
2.7-2.9 words a second of English but 0.0-0.25 of Spanish (mostly it hears nothing).
:data:`MIN_ENGLISH_CONFIDENCE` and :data:`MIN_ENGLISH_RATE` sit between.
"""

from __future__ import annotations

import hashlib
import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from functools import cache
from pathlib import Path

import numpy as np

from video2blog.pipeline.engines import EngineOptions
from video2blog.pipeline.engines.models import BASE_MODEL, INSTALL_BASE, base_installed
from video2blog.pipeline.errors import InputError, ModelError, UsageError
from video2blog.pipeline.progress import report_stage
from video2blog.pipeline.schema import Transcript
from video2blog.pipeline.textutil import (
    data_files,
    data_text,
    has_data,
    language_name,
    language_names,
    message,
    tokens,
    word_list,
)

log = logging.getLogger(__name__)

BUNDLED = "tiny.en"
# Below this mean word probability, what tiny.en heard is taken not to be English (see the module doc).
MIN_ENGLISH_CONFIDENCE = 0.65
# Fewer words than this tell nothing about the language: a short clip is let through.
MIN_WORDS_TO_JUDGE = 8
# Below this many words a second of audio, tiny.en is taken to have heard speech it cannot hear.
MIN_ENGLISH_RATE = 0.5
# Audio shorter than this is not judged by its word rate (a few words and a long pause are fine).
MIN_SECONDS_TO_JUDGE = 30.0
# A caption file is in the language whose function words are this many times another's
# (:func:`written_language`). Measured on the 16 English talks, 22 clinic pages and 96 YouTube caption
# files, the 34 Spanish talks and the French, Portuguese and German audit talks: the right language
# led by 2.75 (a short Spanish talk, over French) to 33 times; between, neither is taken.
CLEAR_LEAD = 2.0
# ... and they make at least this share of its words (0.23-0.45 there; none of a Vietnamese talk's)...
MIN_FUNCTION_SHARE = 0.1
# ... judged where it has at least this many words; a shorter one is English or Spanish as it leans.
MIN_WORDS_TO_TELL = 20
# The same for a talk's opening judged on its own (:func:`opening_choice`): the first window the audio is
# cut into at a pause before 30 s (24 to 30 s on the Spanish talks), whose doubt only asks base to name
# the language (a whole talk's, without base, refuses it).
OPENING_SECONDS_TO_JUDGE = 20.0
# From its opening alone, a talk goes to base only where base names its language this surely (p); below,
# the whole talk decides. Base named the 34 Spanish talks' openings at 0.76 to 0.99. Music, noise and
# hum make tiny.en hear no words at all, which leaves the talk to the whole-talk judgement anyway.
OPENING_SURE = 0.75
# How --language auto chooses, in the transcript cache's key: a talk heard before a change of the choice
# is heard again, not its old language kept. 2: an unsure English opening is named again further on.
CHOICE_VERSION = 2

Detector = Callable[[np.ndarray, EngineOptions, "Path | None"], tuple[str, float]]


def english_only(model: str | None) -> bool:
    """Whether ``model`` is an English-only Whisper (the bundled tiny.en, or any ``*.en``)."""
    return model is None or model.endswith(".en")


def choose_model(options: EngineOptions) -> EngineOptions:
    """The engine options for a language asked for by name: base for a language tiny.en cannot hear.

    Raises:
        ModelError: a language other than English is asked of an English-only model, and base is
            not installed (or was not the model left to choose).
    """
    language, model = options.language, options.model
    if language in (None, "en") or not english_only(model):
        return options
    if model is None and base_installed():
        return replace(options, model=BASE_MODEL)
    raise ModelError(_needs_base(model, f"a talk in {language!r}"))


def with_style_prompt(options: EngineOptions) -> EngineOptions:
    """The options with the language's style prompt (``prompt-<code>.txt``) where none was given.

    Whisper imitates its prompt's punctuation: a Spanish prompt written with "¿...?" makes the
    multilingual model write a talk's questions so, where it otherwise writes most of them as statements
    or runs them into their answers. English, an English-only model, or a prompt of the user's own
    (``initial_prompt``) is left as it is.
    """
    if options.initial_prompt or options.language in (None, "en") or english_only(options.model):
        return options
    text = style_prompt(options.language)
    return replace(options, initial_prompt=text) if text else options


def style_prompt(language: str) -> str | None:
    """The shipped style prompt of ``language`` (its ``#`` lines left out), or None where none ships."""
    name = f"prompt-{language}.txt"
    if not has_data(name):
        return None
    lines = data_text(name).splitlines()
    return " ".join(line.strip() for line in lines if line.strip() and not line.startswith("#")) or None


def style_prompts_digest() -> str:
    """A digest of every shipped style prompt: in ``--language auto`` a transcript may be heard with any
    of them (the language is known only once heard), so a changed prompt must not reuse it."""
    texts = sorted(p.name + "\0" + p.read_text(encoding="utf-8") for p in data_files() if _is_prompt(p.name))
    return hashlib.sha256("\0".join(texts).encode("utf-8")).hexdigest()


def _is_prompt(name: str) -> bool:
    return name.startswith("prompt-") and name.endswith(".txt")


def opening_choice(
    options: EngineOptions,
    hear_head: Callable[[], Transcript],
    head: Callable[[], np.ndarray],
    cache_dir: Path | None,
    base_allowed: bool = True,
    detect: Detector | None = None,
) -> EngineOptions | None:
    """With ``--language auto`` and base installed, the options to hear the talk with where what tiny.en
    hears of its opening (``hear_head``) does not look English (:func:`english_doubt`) and base names
    another language from it surely (:data:`OPENING_SURE`); else None, and the whole talk decides as
    before (:func:`second_hearing`). An opening in which tiny.en hears no words at all is left to the
    whole talk too.

    A talk in another language is then heard by base alone: tiny.en would spend longer on the whole of
    it than base does (on 102 s of Spanish, 38 s against base's 20 s, most of it hearing again the speech
    it missed) and warn of speech missed in a transcript that is thrown away. An English opening costs
    one more (greedy) hearing of its first 30 s, about 3 s on 2 cores; without base nothing changes.
    """
    if options.language is not None or options.model is not None or not (base_allowed and base_installed()):
        return None
    heard = hear_head()
    if not heard.words or not english_doubt(heard, OPENING_SECONDS_TO_JUDGE):
        return None
    return _by_base(head(), options, cache_dir, detect, OPENING_SURE)


def second_hearing(
    transcript: Transcript,
    options: EngineOptions,
    head: Callable[[], np.ndarray],
    cache_dir: Path | None,
    base_allowed: bool = True,
    detect: Detector | None = None,
    later: Callable[[], np.ndarray] | None = None,
) -> EngineOptions | None:
    """With ``--language auto``, the options to hear the talk again with, when tiny.en could not; else None.

    What tiny.en heard is kept when it looks English (:func:`english_doubt`), so English talks cost
    nothing more. Otherwise Whisper base (where installed and the model was left to choose) names the
    language from ``head`` (the talk's first seconds): English keeps tiny.en's words, any other
    language is heard again by base. English named unsurely (below :data:`OPENING_SURE`) of a talk whose
    words did not look English is not taken at its word: ``later`` (the stretch of audio after ``head``)
    is named instead, since a talk may open in English (a greeting, a clip) and go on in another language.

    ``base_allowed`` is False for an engine that cannot load the ``base`` extra's model.

    Raises:
        ModelError: tiny.en's words do not look English and base cannot be used.
    """
    if options.language is not None or not english_only(options.model):
        return None
    doubt = english_doubt(transcript)
    use_base = options.model is None and base_allowed and base_installed()
    if not doubt or not (transcript.words or use_base):  # no words at all: the no-speech error says more
        return None
    if use_base:
        detect = detect or base_detector()
        audio = head()
        named, probability = detect(audio, options, cache_dir)
        if named == "en" and probability < OPENING_SURE and later is not None and (after := later()).size:
            log.info(
                "Whisper base is unsure the opening is English (p = %.2f): naming the next 30 s", probability
            )
            # only a surely named language overrules the opening's English: English read by an accented
            # voice is "Latin" at p = 0.52 there, and heard as Latin it is gibberish
            return _by_base(after, options, cache_dir, detect, OPENING_SURE)
        return _by_base(audio, options, cache_dir, detect)
    raise ModelError(
        _needs_base(options.model, f"this talk ({doubt}: not English?)")
        + "; if it is English, say so with --language en"
    )


def _by_base(
    audio: np.ndarray,
    options: EngineOptions,
    cache_dir: Path | None,
    detect: Detector | None,
    sure: float = 0.0,
) -> EngineOptions | None:
    """The options to hear the talk with base in the language base names from ``audio``; None where it
    names English, or names it less surely than ``sure``."""
    language, probability = (detect or base_detector())(audio, options, cache_dir)
    log.info("language detected by Whisper base: %s (p = %.2f)", language, probability)
    if language == "en" or probability < sure:
        return None
    return with_style_prompt(replace(options, model=BASE_MODEL, language=language))


def heard_otherwise(
    asked: str,
    head: Callable[[], np.ndarray],
    options: EngineOptions,
    cache_dir: Path | None,
    detect: Detector,
) -> str:
    """A note for the draft where the talk's opening (``head``) sounds, to Whisper base, surely
    (:data:`OPENING_SURE`) like another language than the one ``--language`` asked for: heard as
    ``asked``, an English talk gives a post of English words in Spanish fixed strings, its statements made
    questions. "" where base agrees, or is unsure. The warning logged says it in English, with the
    languages' names ("sounds like English, not Spanish")."""
    heard, probability = detect(head(), options, cache_dir)
    if heard == asked or probability < OPENING_SURE:
        return ""
    p = f"{probability:.2f}"
    # the operator's terminal is English, and names the languages; the note follows the draft's language
    log.warning(
        "%s", message("en", "note_language", heard=language_name(heard), asked=language_name(asked), p=p)
    )
    return message(asked, "note_language", heard=heard, asked=asked, p=p)


def named_by_base(
    heard: str,
    head: Callable[[], np.ndarray],
    options: EngineOptions,
    cache_dir: Path | None,
    detect: Detector,
) -> str:
    """With ``--model base`` and ``--language auto`` (base named the language itself, ``heard``): the
    terminal's line naming the language base hears in the opening (``head``) and how surely; where it is
    unsure (below :data:`OPENING_SURE`) or names another, a warning, and a note for the draft (""
    otherwise). On the audit's espeak-ng talks base named the right language at 0.77-0.98 (and the 34
    Spanish talks' at 0.76-0.99), and a wrong one at 0.36-0.55 (French and Portuguese as Hungarian,
    Vietnamese as Thai), a Whisper loop then heading the post."""
    named, probability = detect(head(), options, cache_dir)
    p = f"{probability:.2f}"
    other = "" if named == heard else f"; its opening sounds like {language_name(named)}"
    report_stage(log, "language", "language: %s (%s%s, p=%s)", language_name(heard), heard, other, p)
    if named == heard and probability >= OPENING_SURE:
        return ""
    unsure = f"{language_name(heard)}{other}"
    log.warning(
        "Whisper base is unsure of this talk's language (%s, p=%s): a draft in the wrong language is "
        "gibberish; if it is in another, draft it again with --language (such as --language fr)",
        unsure,
        p,
    )
    code = heard if named == heard else f"{heard}/{named}"
    return message(heard, "note_language_unsure", code=code, p=p)


def base_detector() -> Detector:
    """Whisper base's language detector (imported where first asked for)."""
    from video2blog.pipeline.engines.detect import detect_language

    return detect_language


def english_doubt(transcript: Transcript, judged_from: float = MIN_SECONDS_TO_JUDGE) -> str:
    """Why an English-only model's transcript does not look English ("" when it does); its word rate is
    judged where it lasts ``judged_from`` seconds or more."""
    words, seconds = transcript.words, transcript.duration
    if not words:
        return "no words heard"
    confidence = sum(w.probability for w in words) / len(words) if words else 0.0
    if len(words) >= MIN_WORDS_TO_JUDGE and confidence < MIN_ENGLISH_CONFIDENCE:
        return f"mean word confidence {confidence:.2f}"
    if seconds >= judged_from and len(words) / seconds < MIN_ENGLISH_RATE:
        return f"{len(words)} words heard in {seconds:.0f} s"
    return ""


def _needs_base(model: str | None, what: str) -> str:
    if base_installed():
        return f"{model or BUNDLED} only hears English, not {what}; use --model base (multilingual)"
    return (
        f"{model or BUNDLED} only hears English, not {what}; for other languages install the "
        f"multilingual model with: {INSTALL_BASE} (then --model base, or --language auto)"
    )


def written_language(text: str, path: Path | str | None = None) -> str:
    """The language a text (a caption file's words at ``path``) is written in, of those whose commonest
    function words ship (``function-words-<code>.txt``): the one whose words make most of the text's,
    each word shared by several lists counting for each in part, where it clearly leads
    (:data:`CLEAR_LEAD`). A short text with too few function words to tell is English or Spanish as it
    leans (English on a tie), as before other languages were listed.

    Raises:
        InputError: no listed language clearly leads (Vietnamese, or French as much as Spanish).
    """
    said = tokens(text)
    ranked = sorted(_function_word_shares(said).items(), key=lambda kv: (-kv[1], kv[0] != "en"))
    (best, top), (second, runner) = ranked[0], ranked[1]
    few = top < MIN_FUNCTION_SHARE * max(len(said), MIN_WORDS_TO_TELL)
    if few and len(said) < MIN_WORDS_TO_TELL:
        shares = dict(ranked)
        return "es" if shares["es"] > shares["en"] else "en"
    if few or top < CLEAR_LEAD * runner:
        names = "" if few else f" ({language_name(best)} or {language_name(second)}?)"
        raise InputError(f"cannot tell the caption file's language{names}; pass --language", path)
    return best


def _function_word_shares(said: list[str]) -> dict[str, float]:
    """How many of ``said`` are each language's function words, a word listed for k languages 1/k."""
    lists = _function_words()
    listed = Counter(word for words in lists.values() for word in words)
    return {code: sum(1 / listed[w] for w in said if w in words) for code, words in lists.items()}


@cache
def _function_words() -> dict[str, frozenset[str]]:
    """Each language's commonest function words, by its code (``function-words-<code>.txt``)."""
    names = sorted(p.name for p in data_files())
    prefix, suffix = "function-words-", ".txt"
    found = (n for n in names if n.startswith(prefix) and n.endswith(suffix))
    return {n.removeprefix(prefix).removesuffix(suffix): word_list(n) for n in found}


def parse_language(value: str) -> str | None:
    """``--language``: ``auto`` (None: detect) or a Whisper language, by its code (``en``, ``es``), a
    region tag (``fr-FR``, ``pt_BR``: its language) or its name (``french``).

    Raises:
        UsageError: not a language Whisper knows.
    """
    given = " ".join(value.strip().lower().split())
    if given == "auto":
        return None
    code = _codes_by_name().get(given) or given.replace("_", "-").split("-", 1)[0]
    if code == "en":  # the default: no need to load faster-whisper (0.1 s of a cached re-draft) to know it
        return code
    from faster_whisper.tokenizer import _LANGUAGE_CODES

    if code not in _LANGUAGE_CODES:
        raise UsageError(
            f"unknown language {value!r}; give auto or a Whisper language code such as en, es, fr, de, pt"
        )
    return code


def _codes_by_name() -> dict[str, str]:
    """Whisper's languages' codes by their names ("french" -> "fr")."""
    return {name: code for code, name in language_names().items()}
