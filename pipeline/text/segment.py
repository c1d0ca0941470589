"""Topic segmentation: where a talk moves on to a new topic, from its content and discourse cues.

TextTiling-style (Hearst 1997) over sentences: each gap between sentences is scored by how
little the sentences just before it share with the sentences just after it (block cosine
similarity of sentence vectors), turned into a depth score (how far the similarity dips below
the peaks on either side), then adjusted by discourse cues that generalise across speakers:

- a sentence that opens with a topic-shift marker ("Now, let's talk about", "Another thing",
  "Finally", "Next,") is a likely start;
- a sentence that opens by leaning on the one before ("It", "They", "Then", "But", "That is
  why") is an unlikely start;
- the end of a greeting ("Hello, I'm...", "Today I will...") is a likely start.

Sentence vectors are TF-IDF weighted, Porter-stemmed content words (numpy only, the project's
stop words), or, where the caller has them, sentence embeddings. Pause length is never used.
Gaps are chosen greedily by score above a cut relative to the talk's own scores, keeping every
section at least :data:`MIN_SECTION_SENTENCES` sentences and at least 1/:data:`MAX_SECTIONS` of
the talk long, so a long talk gets chapters rather than a heading every few sentences.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np

from video2blog.pipeline.textutil import INTRO as _INTRO
from video2blog.pipeline.textutil import content_stems as stems
from video2blog.pipeline.textutil import tokens

WINDOW_SENTENCES = 3
MIN_SECTION_SENTENCES = 2
# An editor keeps at most about this many sections in one post, however long the talk.
MAX_SECTIONS = 12
# A gap is a candidate when its score exceeds mean + CUT_STD * std of all gaps' depth scores...
CUT_STD = -0.5
# ...and at least this much in absolute terms (so a one-topic clip stays whole).
MIN_DEPTH = 0.05
SHIFT_BONUS = 0.3
# How long a spoken sentence lasts, where sentences come without times.
SENTENCE_SECONDS = 5.0
CONTINUATION_PENALTY = 0.1
INTRO_BONUS = 0.2
# A greeting is looked for in the first quarter of the talk, or this many sentences.
INTRO_REACH = 3

# Opening words that tie a sentence to the one before it.
CONTINUATIONS = frozenset(
    "it it's its they they're them their this that that's these those he she then so but and also "
    "because however which who or nor plus yet there thus hence otherwise instead still".split()
)
_SHIFT_MARKERS = re.compile(
    r"^(?:(?:ok(?:ay)?|all right|alright|so|now|and|well)[,.]?\s+)*"
    r"(?:let'?s (?:talk|move|turn|look|get|go|start|switch|discuss|focus)|"
    r"(?:i|we)(?: want| would like|'d like|'ll|'m going|are going) to (?:talk|move|turn|look|cover|discuss)|"
    r"moving on|next[, ]|another (?:thing|question|topic|common|important|point)|the next (?:thing|question|"
    r"topic|step)|finally|lastly|last but not least|first(?:ly)?[, ]|second(?:ly)?[, ]|third(?:ly)?[, ]|"
    r"to (?:sum up|summari[sz]e|wrap up|conclude)|in (?:summary|conclusion|closing)|turning to|"
    r"that brings (?:us|me) to|on to|onto|what about|how about|"
    r"(?:step|part|number|tip|method|phase|stage|option) (?:\d+|[a-e]\b|one|two|three|four|five|six|seven|"
    r"eight|nine|ten)|the (?:first|second|third|last|final) (?:step|thing|tip|method|part))",
)


def topic_starts(
    texts: Sequence[str],
    vectors: np.ndarray | None = None,
    fixed: Collection[int] = (),
    times: Sequence[tuple[float, float]] | None = None,
) -> list[int]:
    """Indices of the sentences that open a new topic (never 0), in order.

    Every gap between sentences is scored by the boundary model (:func:`boundary_probabilities`:
    content shift, pause, discourse cues, the shape of a video), and gaps are chosen greedily by
    probability above the model's threshold, sections kept at least :func:`min_length` sentences
    and the model's ``min_seconds`` long.

    Args:
        texts: the talk's sentences.
        vectors: one row per sentence (e.g. sentence embeddings); TF-IDF of content words if None.
        fixed: sentences already known to open sections (spoken headings); they are kept and
            no new start is put within a minimum section length of them.
        times: (start, end) of each sentence in seconds; without them pauses say nothing.
    """
    n = len(texts)
    if n < 2 * MIN_SECTION_SENTENCES:
        return sorted(i for i in fixed if 0 < i < n)
    model = boundary_model("embeddings" if vectors is not None else "lexical")
    spans = list(times) if times is not None else _even_times(n)
    features = gap_features(texts, vectors, spans)
    probabilities = model.probabilities(features)
    return choose_by_model(probabilities, spans, min_length(n, fixed), model, fixed)


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
    if len(fixed) >= 2:
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


def cue_scores(texts: Sequence[str]) -> np.ndarray:
    """Discourse-cue adjustment for each gap (element ``g - 1`` is the gap before sentence ``g``)."""
    intro_end = _intro_end(texts)
    scores = np.zeros(max(0, len(texts) - 1))
    for g in range(1, len(texts)):
        scores[g - 1] = _cue(texts[g]) + (INTRO_BONUS if g == intro_end else 0.0)
    return scores


def _cue(text: str) -> float:
    lowered = " ".join(text.lower().replace("’", "'").split())
    if _SHIFT_MARKERS.match(lowered):
        return SHIFT_BONUS
    words = tokens(lowered)
    return -CONTINUATION_PENALTY if words and words[0] in CONTINUATIONS else 0.0


def _intro_end(texts: Sequence[str]) -> int | None:
    """The first sentence after an opening greeting or agenda, if the talk opens with one."""
    end = None
    for i, text in enumerate(texts[: max(INTRO_REACH, len(texts) // 4)]):
        if not _INTRO.search(text.lower()):
            break
        end = i + 1
    return end


def choose_starts(scores: np.ndarray, shortest: int, fixed: Collection[int] = ()) -> list[int]:
    """Gaps with the highest scores above the cut, each section at least ``shortest`` sentences."""
    count = len(scores) + 1
    chosen = sorted(i for i in fixed if 0 < i < count)
    cut = max(MIN_DEPTH, float(scores.mean() + CUT_STD * scores.std())) if len(scores) else 0.0
    for gap in np.argsort(-scores, kind="stable"):
        start = int(gap) + 1
        if scores[gap] <= cut:
            break
        if _room(start, chosen, count, shortest):
            chosen = sorted([*chosen, start])
    return chosen


def _room(start: int, chosen: list[int], count: int, shortest: int) -> bool:
    if start < shortest or count - start < shortest:
        return False
    return all(abs(start - other) >= shortest for other in chosen)


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
)
_OUTRO = re.compile(
    r"\b(?:thanks? (?:you )?(?:so much )?for (?:watching|listening|joining)|subscribe|"
    r"see you (?:next|in the|soon)|"
    r"(?:that's|that is) (?:it|all) for|like (?:this video|and subscribe)|comments? (?:below|section)|"
    r"hit (?:the|that) (?:like|bell)|check out (?:my|our) (?:other|channel)|until next time|"
    r"leave a comment|bye|in (?:summary|conclusion|closing)|to (?:sum up|summari[sz]e|wrap up|conclude))\b"
)
# The opening stretch of a talk (share of its time) where an intro usually ends.
EARLY_SHARE = 0.2
# A talk's closing stretch (share of its time) where an outro is looked for.
LATE_SHARE = 0.3


@dataclass(frozen=True)
class BoundaryModel:
    """Logistic weights over :data:`FEATURES`, and how starts are chosen from the probabilities.

    Learned by ``python -m benchmarks.train_boundaries`` and shipped as
    ``pipeline/data/boundary_model.json``.
    """

    weights: tuple[float, ...]
    bias: float
    threshold: float
    min_seconds: float
    # The prior on section length: a talk gets at most its length / section_seconds sections (0: none).
    section_seconds: float = 0.0

    def probabilities(self, features: np.ndarray) -> np.ndarray:
        """Probability that each gap (row of ``features``) is a section boundary."""
        if not len(features):
            return np.zeros(0)
        return 1.0 / (1.0 + np.exp(-(features @ np.asarray(self.weights) + self.bias)))


@lru_cache(maxsize=4)
def boundary_model(kind: str) -> BoundaryModel:
    """The shipped boundary model for ``kind`` ("embeddings" or "lexical" cohesion)."""
    data = json.loads(resources.files("video2blog.pipeline.data").joinpath(MODEL_FILE).read_text("utf-8"))
    entry = data[kind]
    weights = tuple(float(entry["weights"].get(name, 0.0)) for name in FEATURES)
    rule = (float(entry["threshold"]), float(entry["min_seconds"]), float(entry.get("section_seconds", 0.0)))
    return BoundaryModel(weights, float(entry["bias"]), *rule)


MODEL_FILE = "boundary_model.json"


def gap_features(
    texts: Sequence[str], vectors: np.ndarray | None, times: Sequence[tuple[float, float]]
) -> np.ndarray:
    """One row of :data:`FEATURES` per gap (row ``g - 1`` is the gap before sentence ``g``)."""
    n = len(texts)
    rows = lexical_vectors(texts) if vectors is None else np.asarray(vectors, dtype=float)
    window = max(WINDOW_SENTENCES, min_length(n) // 2)
    depth = depth_scores(gap_similarities(rows, window))
    pauses = np.array([max(0.0, times[g][0] - times[g - 1][1]) for g in range(1, n)])
    columns = {
        "depth": depth,
        "depth_z": _zscore(depth),
        "pause_log": np.log((pauses + 0.05) / (float(np.median(pauses)) + 0.05)),
        "pause_rank": _ranks(pauses),
        **_text_cues(texts, times),
    }
    return np.stack([columns[name] for name in FEATURES], axis=1)


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
    }


def choose_by_model(
    probabilities: np.ndarray,
    times: Sequence[tuple[float, float]],
    shortest: int,
    model: BoundaryModel,
    fixed: Collection[int] = (),
) -> list[int]:
    """Gaps with the highest probabilities above the threshold, sections long enough in both
    sentences and seconds (``fixed`` starts are kept whatever their spacing)."""
    count = len(probabilities) + 1
    chosen = sorted(i for i in fixed if 0 < i < count)
    starts = [t[0] for t in times]
    length = times[-1][1] - starts[0]
    limit = min(MAX_SECTIONS, int(length / model.min_seconds))
    if model.section_seconds > 0:
        limit = min(limit, math.ceil(length / model.section_seconds))
    for gap in np.argsort(-probabilities, kind="stable"):
        start = int(gap) + 1
        if probabilities[gap] < model.threshold or len(chosen) + 1 >= max(limit, len(fixed) + 1):
            break
        if _room(start, chosen, count, shortest) and _apart(start, chosen, starts, times, model.min_seconds):
            chosen = sorted([*chosen, start])
    return chosen


def _apart(
    start: int, chosen: list[int], starts: list[float], times: Sequence[tuple[float, float]], seconds: float
) -> bool:
    if starts[start] - starts[0] < seconds or times[-1][1] - starts[start] < seconds:
        return False
    return all(abs(starts[start] - starts[other]) >= seconds for other in chosen)
