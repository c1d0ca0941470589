"""Topic segmentation: where a talk moves on to a new topic, from its content and discourse cues.

Each gap between sentences is described by :data:`FEATURES`: content shift (TextTiling depth,
Hearst 1997, of the similarity of the sentences either side, and the contrast of the sentence
either side, each raw and z-scored within the talk), the pause before it, discourse cues that generalise
across speakers (a topic-shift marker: "Now, let's talk about", "Next,", "Step 2"; a sentence
leaning on the one before: "It", "Then", "That is why"; the end of a greeting or of an intro:
"Let's get started"; an outro: "Thanks for watching"), questions and position. A logistic model
learned from real talks (:class:`BoundaryModel`, ``pipeline/data/boundary_model.json``) turns them
into log odds, and the sections are then chosen together by dynamic programming
(:func:`choose_sections`): sentences that are alike stay in one section, likely gaps open
sections, every section costs something and has a prior length, and none is shorter than the
model's ``min_seconds``.

Sentence vectors are sentence embeddings where the caller has them, else TF-IDF weighted,
Porter-stemmed content words (numpy only, the project's stop words); either way the talk's own
mean is taken off (:func:`sentence_rows`).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from video2blog.pipeline.textutil import INTRO as _INTRO
from video2blog.pipeline.textutil import OUTRO as _OUTRO
from video2blog.pipeline.textutil import any_of, shipped_json, tokens, word_list
from video2blog.pipeline.textutil import content_stems as stems

WINDOW_SENTENCES = 3
MIN_SECTION_SENTENCES = 2
# An editor keeps at most about this many sections in one post, however long the talk.
MAX_SECTIONS = 12
# A speaker who reads out at least this many headings has shown how they divide the talk.
ANNOUNCED_HEADINGS = 2
# Extra cost of a section found from content in such a talk: a found start must be likelier.
# Measured on the asked talks (``benchmarks.eval_real --only-talks``, 2026-12-03): 0 -> 2 takes F1
# 0.95 -> 0.96; the real talks are unchanged (0.30 / 0.39).
ANNOUNCED_COST = 2.0
# How long a spoken sentence lasts, where sentences come without times.
SENTENCE_SECONDS = 5.0
# A greeting is looked for in the first quarter of the talk, or this many sentences.
INTRO_REACH = 3

# Opening words that tie a sentence to the one before it (one list, in pipeline/data).
CONTINUATIONS = word_list("continuations.txt")
# Words that open a sentence moving on to a new topic ("Now, let's talk about", "Next,", "Step 2").
_SHIFT_MARKERS = re.compile(
    r"^(?:(?:ok(?:ay)?|all right|alright|so|now|and|well)[,.]?\s+)*" + any_of("shift_markers.txt")
)


def topic_starts(
    texts: Sequence[str],
    vectors: np.ndarray | None = None,
    fixed: Collection[int] = (),
    times: Sequence[tuple[float, float]] | None = None,
    cues: Sequence[float] = (),
    answers: bool = False,
) -> list[int]:
    """Indices of the sentences that open a new topic (never 0), in order.

    Every gap between sentences is scored by the boundary model (:func:`gap_features`: content
    shift, pause, discourse cues, the shape of a video), and the sections are chosen together
    (:func:`choose_sections`): alike sentences kept in one section, likely gaps opening sections,
    a cost for each section and a prior on its length.

    Args:
        texts: the talk's sentences.
        vectors: one row per sentence (e.g. sentence embeddings); TF-IDF of content words if None.
        fixed: sentences already known to open sections (spoken headings); they are kept and
            no new start is put within a minimum section length of them.
        times: (start, end) of each sentence in seconds; without them pauses say nothing.
        cues: log odds added to each gap's (element ``g - 1``: the gap before sentence ``g``) from
            outside the words (a hard cut in the video there); none by default.
        answers: the talk answers patients' questions one by one (a clinic's Q&A, the questions not
            spoken): its sections are chosen by the model's rule for answers
            (:meth:`BoundaryModel.answering`), and a greeting it opens with is a section of its
            own (:func:`after_greeting`).
    """
    n = len(texts)
    if n < 2 * MIN_SECTION_SENTENCES:
        return sorted(i for i in fixed if 0 < i < n)
    model = boundary_model(model_kind(vectors))
    shortest = min_length(n, fixed)
    if answers:
        model = model.answering()
        fixed = after_greeting(texts, fixed)
    spans = list(times) if times is not None else _even_times(n)
    log_odds = gap_log_odds(texts, vectors, spans)
    if len(cues):
        log_odds = log_odds + np.asarray(cues, dtype=float)[: len(log_odds)]
    rows = sentence_rows(texts, vectors)
    return choose_sections(log_odds, spans, rows, model, fixed, shortest)


def after_greeting(texts: Sequence[str], fixed: Collection[int]) -> list[int]:
    """``fixed`` and, where a talk of answers opens with a greeting or agenda ("Hello, I'm one of the
    psychiatrists here. I want to answer a few questions..."), the sentence after it: the greeting is
    no answer but the post's lead, so the first answer starts there (a length prior would run the
    greeting on into the answer's first sentence)."""
    end = _intro_end(texts)
    return sorted({*fixed, end}) if end is not None and 0 < end < len(texts) else sorted(fixed)


def gap_log_odds(
    texts: Sequence[str], vectors: np.ndarray | None, times: Sequence[tuple[float, float]]
) -> np.ndarray:
    """The shipped boundary model's log odds that each gap opens a section (element ``g - 1`` is the gap
    before sentence ``g``); ``vectors`` as for :func:`topic_starts`."""
    model = boundary_model(model_kind(vectors))
    return model.log_odds(gap_features(texts, vectors, times))


def _even_times(count: int) -> list[tuple[float, float]]:
    """Times for sentences given without them: :data:`SENTENCE_SECONDS` each, evenly spaced."""
    return [(SENTENCE_SECONDS * i, SENTENCE_SECONDS * (i + 0.9)) for i in range(count)]


def min_length(count: int, fixed: Collection[int] = ()) -> int:
    """Shortest section, in sentences, for a talk of ``count`` sentences.

    Where headings were spoken, a section found from content must be at least as long as the
    typical spoken section: the speaker has shown how they divide the talk.
    """
    shortest = max(MIN_SECTION_SENTENCES, math.ceil(count / MAX_SECTIONS))
    spoken = sorted({*fixed, count})
    if len(fixed) >= ANNOUNCED_HEADINGS:
        shortest = max(shortest, int(np.median(np.diff(spoken))))
    return shortest


def lexical_vectors(texts: Sequence[str]) -> np.ndarray:
    """TF-IDF rows (sublinear term frequency) of each sentence's stemmed content words."""
    bags = [Counter(stems(t)) for t in texts]
    vocab = {w: i for i, w in enumerate(sorted({w for bag in bags for w in bag}))}
    rows = np.zeros((len(texts), max(1, len(vocab))))
    for i, bag in enumerate(bags):
        for word, count in bag.items():
            rows[i, vocab[word]] = 1 + math.log(count)
    df = (rows > 0).sum(axis=0)
    return rows * np.log((len(texts) + 1) / (df + 0.5))


def gap_similarities(rows: np.ndarray, window: int) -> np.ndarray:
    """Cosine similarity of the ``window`` rows before each gap with the ``window`` rows after it.

    Element ``g - 1`` is the gap before sentence ``g``.
    """
    n = len(rows)
    sims = np.zeros(max(0, n - 1))
    for gap in range(1, n):
        left = rows[max(0, gap - window) : gap].sum(axis=0)
        right = rows[gap : gap + window].sum(axis=0)
        norm = float(np.linalg.norm(left) * np.linalg.norm(right))
        sims[gap - 1] = float(left @ right) / norm if norm else 0.0
    return sims


def depth_scores(sims: np.ndarray) -> np.ndarray:
    """How far each similarity dips below the nearest peaks on both sides (Hearst's depth score)."""
    depths = np.zeros(len(sims))
    for i, value in enumerate(sims):
        left = right = i
        while left > 0 and sims[left - 1] >= sims[left]:
            left -= 1
        while right < len(sims) - 1 and sims[right + 1] >= sims[right]:
            right += 1
        depths[i] = (sims[left] - value) + (sims[right] - value)
    return depths


def _intro_end(texts: Sequence[str]) -> int | None:
    """The first sentence after an opening greeting or agenda, if the talk opens with one."""
    end = None
    for i, text in enumerate(texts[: max(INTRO_REACH, len(texts) // 4)]):
        if not _INTRO.search(text.lower()):
            break
        end = i + 1
    return end


# --- The boundary model: features of each gap between sentences, weighted as measured ------------

FEATURES = (
    "depth",
    "depth_z",
    "pause_log",
    "pause_rank",
    "shift",
    "continuation",
    "intro",
    "outro",
    "question",
    "early",
    "closer",
    "contrast",
    "contrast_z",
)
# A sentence that closes a video's introduction ("Let's get started."): the next one opens a chapter.
_CLOSER = re.compile(rf"\b{any_of('intro_closers.txt')}\W*$")
# How many sentences' worth of doubt the talk's mean vector carries (see :func:`sentence_rows`).
MEAN_PRIOR_SENTENCES = 5
# Block size (sentences each side) for the contrast feature: the sentence before a gap against the one
# after. One sentence rather than two measured better on held-apart folds (2026-12-03): the clinic
# monologues' sentences run ~5 s, so two a side spanned half a section (held-apart folds of the
# sixteen monologues: F1 0.51 -> 0.58; real 0.34 -> 0.33).
CONTRAST_WINDOW = 1
# The opening stretch of a talk (share of its time) where an intro usually ends.
EARLY_SHARE = 0.2
# A talk's closing stretch (share of its time) where an outro is looked for.
LATE_SHARE = 0.3


@dataclass(frozen=True)
class BoundaryModel:
    """Logistic weights over :data:`FEATURES`, and how a talk's sections are chosen from them.

    Sections are chosen jointly (:func:`choose_sections`): the segmentation of the talk that
    maximises, over its sections, ``cohesion`` times how alike the section's sentences are, minus
    ``section_cost``, minus ``length_weight`` times the squared log ratio of its length to
    ``section_seconds``, plus ``logit_weight`` times the log odds of the gap that opens it.
    No section is shorter than ``min_seconds``. ``answers``: the rule's fields (the same names) for a
    talk that answers patients' questions one by one, whose sections are short answers of about one
    length. Learned by ``python -m benchmarks.train_boundaries`` and shipped as
    ``pipeline/data/boundary_model.json``.
    """

    weights: tuple[float, ...]
    bias: float
    min_seconds: float
    section_seconds: float = 20.0
    cohesion: float = 1.0
    section_cost: float = 1.0
    logit_weight: float = 1.0
    length_weight: float = 0.0
    answers: tuple[tuple[str, float], ...] = ()

    def answering(self) -> BoundaryModel:
        """This model with the rule for a talk of answers (itself where none was learned)."""
        if not self.answers:
            return self
        rule = dict(self.answers)

        def value(name: str) -> float:
            return float(rule.get(name, getattr(self, name)))

        return BoundaryModel(
            self.weights,
            self.bias,
            min_seconds=value("min_seconds"),
            section_seconds=value("section_seconds"),
            cohesion=value("cohesion"),
            section_cost=value("section_cost"),
            logit_weight=value("logit_weight"),
            length_weight=value("length_weight"),
        )

    def probabilities(self, features: np.ndarray) -> np.ndarray:
        """Probability that each gap (row of ``features``) is a section boundary."""
        return 1.0 / (1.0 + np.exp(-self.log_odds(features)))

    def log_odds(self, features: np.ndarray) -> np.ndarray:
        """Log odds that each gap (row of ``features``) is a section boundary."""
        if not len(features):
            return np.zeros(0)
        return np.asarray(features @ np.asarray(self.weights) + self.bias, dtype=float)


def model_kind(vectors: np.ndarray | None) -> str:
    """Which shipped boundary model scores a talk's gaps: "lexical" without sentence vectors,
    "multilingual" for vectors as wide as the ones that model was trained on (the multilingual encoder's,
    a talk not in English), else "embeddings" (MiniLM's)."""
    if vectors is None:
        return "lexical"
    return "multilingual" if vectors.shape[1:] == (_multilingual_width(),) else "embeddings"


@lru_cache(maxsize=1)
def _multilingual_width() -> int | None:
    entry = _stored().get("multilingual", {})
    return int(entry["width"]) if "width" in entry else None


@lru_cache(maxsize=1)
def _stored() -> dict[str, Any]:
    data = shipped_json(MODEL_FILE)
    if data is None:  # it always ships: the section stage has no rule without it
        raise FileNotFoundError(f"pipeline/data/{MODEL_FILE} is missing: reinstall video2blog")
    return data


@lru_cache(maxsize=4)
def boundary_model(kind: str) -> BoundaryModel:
    """The shipped boundary model for ``kind`` ("embeddings", "multilingual" or "lexical" cohesion)."""
    entry = _stored()[kind]
    weights = tuple(float(entry["weights"].get(name, 0.0)) for name in FEATURES)
    rule = {name: float(entry[name]) for name in RULE_FIELDS if name in entry}
    answers = tuple(
        (name, float(value)) for name, value in entry.get("answers", {}).items() if name in RULE_FIELDS
    )
    return BoundaryModel(weights, float(entry["bias"]), **rule, answers=answers)


RULE_FIELDS = ("min_seconds", "section_seconds", "cohesion", "section_cost", "logit_weight", "length_weight")
MODEL_FILE = "boundary_model.json"


def gap_features(
    texts: Sequence[str], vectors: np.ndarray | None, times: Sequence[tuple[float, float]]
) -> np.ndarray:
    """One row of :data:`FEATURES` per gap (row ``g - 1`` is the gap before sentence ``g``)."""
    n = len(texts)
    rows = sentence_rows(texts, vectors)
    window = max(WINDOW_SENTENCES, min_length(n) // 2)
    depth = depth_scores(gap_similarities(rows, window))
    contrast = -gap_similarities(rows, CONTRAST_WINDOW)
    pauses = np.array([max(0.0, times[g][0] - times[g - 1][1]) for g in range(1, n)])
    columns = {
        "depth": depth,
        "depth_z": _zscore(depth),
        "pause_log": np.log((pauses + 0.05) / (float(np.median(pauses)) + 0.05)),
        "pause_rank": _ranks(pauses),
        "contrast": contrast,
        "contrast_z": _zscore(contrast),
        **_text_cues(texts, times),
    }
    return np.stack([columns[name] for name in FEATURES], axis=1)


def sentence_rows(texts: Sequence[str], vectors: np.ndarray | None) -> np.ndarray:
    """Unit rows, one per sentence, with the talk's mean taken off: what every sentence of a
    talk shares (its subject, the speaker's manner) says nothing about where topics change.

    The mean of a few sentences is mostly those sentences, so it is shrunk for a short clip
    (weight n / (n + :data:`MEAN_PRIOR_SENTENCES`)): four sentences taken off their own mean
    would look like opposites.
    """
    rows = lexical_vectors(texts) if vectors is None else np.asarray(vectors, dtype=float)
    rows = rows - rows.mean(axis=0) * len(rows) / (len(rows) + MEAN_PRIOR_SENTENCES)
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    return np.divide(rows, norms, out=np.zeros_like(rows), where=norms > 0)


def _zscore(values: np.ndarray) -> np.ndarray:
    spread = float(values.std())
    return (values - values.mean()) / spread if spread > 0 else np.zeros(len(values))


def _ranks(values: np.ndarray) -> np.ndarray:
    """Each value's share of the others it exceeds, ties counting half, 0..1."""
    if len(values) < 2:
        return np.zeros(len(values))
    below = (values[None, :] < values[:, None]).sum(axis=1)
    equal = (values[None, :] == values[:, None]).sum(axis=1) - 1
    return (below + equal / 2) / (len(values) - 1)


def _text_cues(texts: Sequence[str], times: Sequence[tuple[float, float]]) -> dict[str, np.ndarray]:
    """Discourse markers, the shape of a video (intro end, outro start) and questions, per gap."""
    n = len(texts)
    begin, end = times[0][0], max(times[-1][1], times[0][0] + 1e-6)
    where = np.array([(times[g][0] - begin) / (end - begin) for g in range(1, n)])
    lowered = [" ".join(t.lower().replace("’", "'").split()) for t in texts]
    firsts = [(tokens(t) or [""])[0] for t in lowered]
    intro_end = _intro_end(texts)
    late = [g for g in range(1, n) if where[g - 1] >= 1 - LATE_SHARE]
    outro = next((g for g in late if _OUTRO.search(lowered[g])), None)
    return {
        "shift": np.array([float(bool(_SHIFT_MARKERS.match(lowered[g]))) for g in range(1, n)]),
        "continuation": np.array([float(firsts[g] in CONTINUATIONS) for g in range(1, n)]),
        "intro": np.array([float(g == intro_end) for g in range(1, n)]),
        "outro": np.array([float(g == outro) for g in range(1, n)]),
        "question": np.array([float(lowered[g].endswith("?")) for g in range(1, n)]),
        "early": (where <= EARLY_SHARE).astype(float),
        "closer": np.array([float(bool(_CLOSER.search(lowered[g - 1]))) for g in range(1, n)]),
    }


def choose_sections(
    log_odds: np.ndarray,
    times: Sequence[tuple[float, float]],
    rows: np.ndarray,
    model: BoundaryModel,
    fixed: Collection[int] = (),
    shortest: int = 1,
) -> list[int]:
    """Section starts of the best segmentation of a talk under ``model`` (see :class:`BoundaryModel`).

    Dynamic programming over where each section ends. ``fixed`` starts (spoken headings) are
    kept: no section spans one. A section opened or closed by a start found here is at least
    ``shortest`` sentences (the opening one may be a single sentence: a greeting) and
    ``model.min_seconds`` long. Where at least :data:`ANNOUNCED_HEADINGS` starts are fixed,
    every section costs :data:`ANNOUNCED_COST` more (the fixed ones are kept whatever they cost).
    The section cost rises until the talk has at most :data:`MAX_SECTIONS` sections (besides those
    the speaker announced).
    """
    inside = sorted({i for i in fixed if 0 < i < len(times)})
    cost = model.section_cost + (ANNOUNCED_COST if len(inside) >= ANNOUNCED_HEADINGS else 0.0)
    for _ in range(8):
        starts = _best_segmentation(log_odds, times, rows, model, cost, inside, shortest)
        if len(starts) + 1 <= max(MAX_SECTIONS, len(fixed) + 1):
            return starts
        cost = cost * 2 + 1
    return inside


def _best_segmentation(
    log_odds: np.ndarray,
    times: Sequence[tuple[float, float]],
    rows: np.ndarray,
    model: BoundaryModel,
    cost: float,
    inside: list[int],
    shortest: int,
) -> list[int]:
    """The best segmentation for one section cost; ``inside``: the fixed starts, within the talk."""
    n = len(times)
    begins = np.array([t[0] for t in times] + [times[-1][1]])
    sums = np.vstack([np.zeros(rows.shape[1]), np.cumsum(rows, axis=0)])
    gram = sums @ sums.T  # |sums[j] - sums[i]|^2 = gram[j, j] + gram[i, i] - 2 gram[i, j]
    opening = np.concatenate([[0.0], model.logit_weight * log_odds])
    kept = {0, n, *inside}
    is_kept = np.zeros(n + 1, dtype=bool)
    is_kept[sorted(kept)] = True
    latest = np.maximum.accumulate(np.where(is_kept, np.arange(n + 1), 0))
    best = np.full(n + 1, -np.inf)
    best[0] = 0.0
    back = np.zeros(n + 1, dtype=int)
    for end in range(1, n + 1):
        first = np.arange(end)
        values = _section_values(first, end, begins, gram, best, opening, model, cost)
        found_edge = ~is_kept[first] | (not is_kept[end])
        # The opening section may be one sentence (a greeting); any other, ``shortest``.
        fewest = np.where(first == 0, 1, shortest)
        too_short = (end - first < fewest) | (begins[end] - begins[first] < model.min_seconds)
        # A section spans no fixed start, and one with a found start or end is long enough.
        values[(first < latest[end - 1]) | (found_edge & too_short)] = -np.inf
        back[end] = int(np.argmax(values))
        best[end] = values[back[end]]
    return _walk_back(back, n, kept)


def _section_values(
    first: np.ndarray,
    end: int,
    begins: np.ndarray,
    gram: np.ndarray,
    best: np.ndarray,
    opening: np.ndarray,
    model: BoundaryModel,
    cost: float,
) -> np.ndarray:
    """Score of the best segmentation up to ``end`` whose last section opens at each of ``first``."""
    seconds = np.maximum(begins[end] - begins[first], 1.0)
    squared = gram[end, end] + gram[first, first] - 2 * gram[first, end]
    values = best[first] + model.cohesion * np.sqrt(np.maximum(squared, 0.0)) - cost
    values += opening[first]
    if model.length_weight:
        values -= model.length_weight * np.log(seconds / model.section_seconds) ** 2
    return values


def _walk_back(back: np.ndarray, n: int, kept: set[int]) -> list[int]:
    starts, end = [], n
    while end > 0:
        end = int(back[end])
        if end > 0:
            starts.append(end)
    return sorted(set(starts) | (kept - {0, n}))
