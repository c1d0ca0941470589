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

import math
import re
from collections import Counter
from collections.abc import Collection, Sequence

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
    r"that brings (?:us|me) to|on to|onto|what about|how about)",
)


def topic_starts(
    texts: Sequence[str], vectors: np.ndarray | None = None, fixed: Collection[int] = ()
) -> list[int]:
    """Indices of the sentences that open a new topic (never 0), in order.

    Args:
        texts: the talk's sentences.
        vectors: one row per sentence (e.g. sentence embeddings); TF-IDF of content words if None.
        fixed: sentences already known to open sections (spoken headings); they are kept and
            no new start is put within a minimum section length of them.
    """
    n = len(texts)
    if n < 2 * MIN_SECTION_SENTENCES:
        return sorted(i for i in fixed if 0 < i < n)
    rows = lexical_vectors(texts) if vectors is None else np.asarray(vectors, dtype=float)
    shortest = min_length(n, fixed)
    window = max(WINDOW_SENTENCES, min_length(n) // 2)  # long talks: compare longer stretches
    scores = depth_scores(gap_similarities(rows, window)) + cue_scores(texts)
    return choose_starts(scores, shortest, fixed)


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
