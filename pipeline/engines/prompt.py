"""The glossary's share of Whisper's prompt: which terms go in, within a token budget.

Whisper decodes each 30 s window in a context of 448 tokens that holds the prompt (faster-whisper's
hot words, up to 223 tokens, then up to 223 tokens of the text before) as well as the words being
decoded. A long glossary fills it: the window's words no longer fit and speech is lost (measured in
``benchmarks/bench_glossary.py``: 75 terms dropped a section, 104 stopped the transcript 19 s early).
So the prompt carries only the terms the model is least likely to spell right, those its tokeniser
splits into the most pieces per word ("fibromyalgia" is three pieces, "nausea" one), words before
codes whose pieces are digits ("term0xyz140891"), within :data:`PROMPT_TOKENS`; the correction stage
(``text/glossary.py``) respells near-misses of every term. Where those do not all fit (:func:`crowded`),
the draft prompts only the terms the talk's opening is heard to say (``run.with_heard_prompt``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import lru_cache

from video2blog.pipeline.textutil import distinct_terms

# Tokens of the glossary prompt; the sample's 13-term glossary takes 47. See bench_glossary.py.
PROMPT_TOKENS = 48
# A term the tokeniser keeps whole, a piece a word, is one the model knows: prompting it buys nothing.
MIN_PIECES_PER_WORD = 1.5

TokenCounter = Callable[[str], int]
_SAID = re.compile(r"[^\W_]+(?:[ '’.-]+[^\W_]+)*\.?")


@lru_cache(maxsize=1)
def _bundled_tokenizer() -> object:
    from tokenizers import Tokenizer

    from video2blog.pipeline.engines.faster import bundled_model_path

    return Tokenizer.from_file(str(bundled_model_path() / "tokenizer.json"))


def _pieces(text: str) -> list[str]:
    """The bundled tokeniser's pieces of ``text`` as Whisper reads it in a prompt (after a space)."""
    encoded = _bundled_tokenizer().encode(" " + text.strip(), add_special_tokens=False)  # type: ignore[attr-defined]
    return list(encoded.tokens)


def count_tokens(text: str) -> int:
    """Tokens of ``text`` as Whisper reads it in a prompt (after a space), with the bundled tokeniser.

    Every English Whisper model shares this byte-pair vocabulary; the multilingual one splits
    English much the same.
    """
    return len(_pieces(text))


def pieces_per_word(term: str, count: TokenCounter = count_tokens) -> float:
    """How many tokens the tokeniser splits each word of ``term`` into, on average."""
    return count(term) / max(1, len(term.split()))


def letter_share(term: str) -> float:
    """The share of the tokeniser's pieces of ``term`` that are letters rather than digits (symbols aside).

    The tokeniser splits a number into pieces of up to three digits, so a code ("term0xyz140891", a
    product or billing code) is many pieces a word and would rank as the hardest term of all, though no
    talk says it and Whisper would not write it so: the pieces of a term said as a word are letters.
    """
    pieces = _pieces(term)
    letters = sum(any(ch.isalpha() for ch in piece.lstrip("Ġ")) for piece in pieces)
    digits = sum(any(ch.isdigit() for ch in piece) for piece in pieces)
    return letters / max(1, letters + digits)


def said_as_written(term: str) -> bool:
    """Whether ``term`` is written as it is said: words of letters and digits, hyphens, apostrophes and
    dots ("post-herpetic", "Crohn's", "St. John's wort"). A written form ("Na⁺/K⁺-ATPase",
    "Cymbalta/duloxetine", "HbA1c (glycated)") has many tokens a word for its symbols, not for being hard
    to hear: it would take the prompt from the terms that are, and Whisper never writes it so."""
    return bool(_SAID.fullmatch(term.strip()))


def choose_terms(
    terms: Sequence[str], budget: int = PROMPT_TOKENS, count: TokenCounter = count_tokens
) -> list[str]:
    """The terms for the prompt, in glossary order: words before codes (the highest :func:`letter_share`
    first), then most pieces per word first, within ``budget`` tokens; only terms :func:`said_as_written`.

    The prompt is the chosen terms joined with ", " and ended with "."; a term that would overflow
    the budget is passed over for shorter ones after it.
    """
    split = _worth_prompting(terms, count)
    hard = list(split)
    share = {term: letter_share(term) for term in hard}
    ranked = sorted(hard, key=lambda t: (-share[t], -split[t]))
    chosen: set[str] = set()
    used = 1  # the closing "."
    for term in ranked:
        cost = count(term) + (1 if chosen else 0)  # its tokens and the comma before it
        if used + cost <= budget:
            chosen.add(term)
            used += cost
    return [t for t in split if t in chosen]


def _worth_prompting(terms: Sequence[str], count: TokenCounter) -> dict[str, float]:
    """The terms :func:`said_as_written` that the tokeniser splits into :data:`MIN_PIECES_PER_WORD` or more
    pieces a word, in glossary order, with their pieces per word."""
    split = {term: pieces_per_word(term, count) for term in distinct_terms(terms) if said_as_written(term)}
    return {term: pieces for term, pieces in split.items() if pieces >= MIN_PIECES_PER_WORD}


def crowded(terms: Sequence[str], budget: int = PROMPT_TOKENS, count: TokenCounter = count_tokens) -> bool:
    """Whether the terms worth prompting (those :func:`choose_terms` picks from) do not all fit ``budget``,
    so that the prompt is the few that rank first, drugs of the glossary the talk may never name."""
    return _cost(list(_worth_prompting(terms, count)), count) > budget


def _cost(terms: Sequence[str], count: TokenCounter) -> int:
    """Tokens of the prompt of ``terms``: each term, a comma between two, the closing "."."""
    return sum(count(t) for t in terms) + max(0, len(terms) - 1) + 1


def join_terms(terms: Sequence[str]) -> str | None:
    """The prompt text for ``terms`` (None for none)."""
    return ", ".join(terms) + "." if terms else None


def fit_prompt(prompt: str | None, budget: int, count: TokenCounter) -> str | None:
    """``prompt`` cut at a comma so that it takes at most ``budget`` tokens (for prompts built elsewhere)."""
    if not prompt or count(prompt) <= budget:
        return prompt
    terms = [t.strip() for t in prompt.rstrip(".").split(",") if t.strip()]
    while terms and count(join_terms(terms) or "") > budget:
        terms.pop()
    return join_terms(terms)
