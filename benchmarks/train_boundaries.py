"""Learn the boundary model (``pipeline/data/boundary_model.json``) and check it on held-apart folds.

Every gap between two sentences of a talk is described by
:data:`video2blog.pipeline.text.segment.FEATURES` (content shift from sentence embeddings or lexical
cohesion, pause, discourse markers, intro/outro, position) and labelled a boundary when it is the
gap nearest a true section start, within 3 s. A logistic regression (numpy, L2, classes balanced)
weighs the features; then the rule that chooses sections from them (weights of cohesion, the
gap's log odds, a cost per section, a prior on section length; the shortest section in seconds) is
chosen by coordinate ascent over a grid to maximise mean boundary F1 minus Pk over the training talks
(each kind of talk weighing the same), among the rules whose mean Pk on every kind of punctuated talk
is no worse than not splitting them, with sections chosen exactly as
:func:`~video2blog.pipeline.text.segment.topic_starts` chooses them.

Training talks: the 96 real YouTube talks (``../shared/realdata/vidchapters-dev``), the 22 real clinic
FAQ pages (``../shared/realdata/clinic-faq-dev``) and the project's own talks (``benchmarks/talks``),
the last two read as monologues (questions not spoken) by :mod:`benchmarks.eval_clinic` (speech:
piper + tiny.en, cached; ``--text``: synthetic word times), each also with punctuation and case
stripped. With ``--folds K`` the pages and talks are split into K folds (CRC32 of the name; a talk
and its stripped copy stay in one fold): each fold is scored by a model trained on the others, and
the per-fold figures printed. Then the model trained on everything is written (``--write``).

Usage::

    python -m benchmarks.train_boundaries [--folds 4] [--kind embeddings|lexical|both] [--text]
        [--answers-only] [--write]
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import statistics
import sys
from dataclasses import dataclass, replace

import numpy as np

from benchmarks.eval_real import ROOT, Truth, fold_of, real_items, stripped
from benchmarks.eval_sections import boundary_f1, label, pk
from video2blog.pipeline.engines import embed
from video2blog.pipeline.text import segment
from video2blog.pipeline.text.sentences import split_sentences

CACHE = ROOT / "benchmarks" / "cache" / "embeddings"
# The kind of model a talk not in English is segmented with: the same features over the multilingual
# encoder's vectors (its contrast and depth are spread otherwise than MiniLM's), trained on the same talks.
MULTILINGUAL = "multilingual"
MODEL_PATH = ROOT / "pipeline" / "data" / "boundary_model.json"
TOLERANCE_S = 3.0
L2 = 1.0
# The grid the rule is chosen from (by coordinate ascent, at most SWEEPS passes over the fields).
GRID = {
    "cohesion": (1.0, 2.0, 3.0, 4.0),
    "section_cost": (1.0, 2.0, 3.0, 4.0, 6.0),
    "logit_weight": (0.5, 1.0, 2.0),
    "length_weight": (0.0, 0.5, 1.0),
}
SWEEPS = 2
# The rule for a talk of answers (a clinic's Q&A, questions not spoken) is searched over this whole grid,
# on the kinds of talk the question gate heads with questions (the clinic pages and the own talks): a
# prior on an answer's length and the gaps' log odds, no cohesion term and no cost per section. A grid
# over all five fields (cohesion 0-3, section cost -1-3, log-odds weight 0.25-3, length weight 0.5-4,
# 16-24 s) chose a different rule in each fold and scored worse held apart (clinic pages F1 0.61-0.65,
# Pk 0.22-0.23, against 0.70 / 0.18; 2026-12-04).
ANSWERS_GRID: dict[str, tuple[float, ...]] = {
    "cohesion": (0.0,),
    "section_cost": (0.0,),
    "logit_weight": (1.0,),
    "length_weight": (0.25, 0.5, 1.0, 2.0, 4.0),
    "section_seconds": (14.0, 16.0, 18.0, 20.0, 22.0, 24.0, 28.0),
}
ANSWER_KINDS = ("clinic", "clinic-bare", "talks", "talks-bare")
MIN_SECONDS = 4.0
# More real clinic FAQ pages of the same eleven specialties, used for training only where present: never
# scored, and left out of the fold that holds a page of their specialty.
EXTRA_DIR = ROOT.parent / "shared" / "realdata" / "clinic-faq-extra"
EXTRA_PREFIX = "extra/"
SECTION_SECONDS = 20.0


@dataclass(frozen=True)
class Talk:
    """One talk's gaps: features, labels, and what scoring needs."""

    item: str
    group: str
    kind: str
    features: np.ndarray
    rows: np.ndarray
    labels: np.ndarray
    times: list[tuple[float, float]]
    shortest: int
    truth: tuple[float, ...]
    mids: list[float]
    none_pk: float
    extra: bool = False
    # Where a talk of answers must start a section whatever the rule: after an opening greeting.
    opening: tuple[int, ...] = ()


def specialty(group: str) -> str:
    """A clinic page's specialty (its name less the site: "allergy-aacenterpc" -> "allergy")."""
    return group.removeprefix(EXTRA_PREFIX).rsplit("-", 1)[0]


def training_talks(talks: list[Talk], folds: int, held: int) -> list[Talk]:
    """The talks that train the model scoring fold ``held``: every other fold's, less the extra clinic
    pages (training only) of a specialty that fold holds."""
    kept = {specialty(t.group) for t in talks if not t.extra and fold_of(t.group, folds) == held}
    return [
        t for t in talks if (specialty(t.group) not in kept if t.extra else fold_of(t.group, folds) != held)
    ]


def vectors_for(texts: list[str], kind: str) -> np.ndarray | None:
    """Sentence embeddings (cached on disk by the texts' hash), or None for lexical cohesion; ``kind``
    "multilingual": the multilingual encoder's (the model a talk not in English is segmented with)."""
    if kind == "lexical":
        return None
    multilingual = kind == MULTILINGUAL
    key = hashlib.sha256("\n".join([MULTILINGUAL] * multilingual + texts).encode()).hexdigest()[:24]
    path = CACHE / f"{key}.npy"
    if path.exists():
        return np.load(path)
    rows = embed.embed_multilingual(texts) if multilingual else embed.embed(texts)
    CACHE.mkdir(parents=True, exist_ok=True)
    np.save(path, rows)
    return rows


def talk_of(item: Truth, kind: str, group: str = "") -> Talk | None:
    """Features and labels of one talk's gaps (None for a talk too short to segment)."""
    sentences = split_sentences(item.words).sentences
    texts = [s.text for s in sentences]
    if len(texts) < 2 * segment.MIN_SECTION_SENTENCES:
        return None
    times = [(s.start, s.end) for s in sentences]
    vectors = vectors_for(texts, kind) if len(texts) >= 2 * segment.min_length(len(texts)) else None
    features = segment.gap_features(texts, vectors, times)
    labels = np.zeros(len(texts) - 1)
    for start in item.starts[1:]:
        gap = min(range(1, len(texts)), key=lambda g: abs(times[g][0] - start))
        if abs(times[gap][0] - start) <= TOLERANCE_S:
            labels[gap - 1] = 1.0
    mids = [(w.start + w.end) / 2 for w in item.words.words]
    rows = segment.sentence_rows(texts, vectors)
    shortest = segment.min_length(len(texts))
    none_pk = pk(label(mids, list(item.starts)), [0] * len(mids))
    talk_kind = item.dataset.split("-")[0] + ("-bare" if item.item.endswith("-bare") else "")
    return Talk(
        item.item,
        group or item.item,
        talk_kind,
        features,
        rows,
        labels,
        times,
        shortest,
        item.starts,
        mids,
        none_pk,
        group.startswith(EXTRA_PREFIX),
        tuple(segment.after_greeting(texts, ())),
    )


def fit(talks: list[Talk]) -> tuple[np.ndarray, float]:
    """Logistic regression weights and bias (Newton's method, L2, balanced classes).

    Fitted on standardised features (so the penalty weighs every feature alike), returned for the
    raw features the section stage computes.
    """
    x = np.concatenate([t.features for t in talks])
    y = np.concatenate([t.labels for t in talks])
    centre, spread = x.mean(axis=0), x.std(axis=0)
    spread[spread == 0] = 1.0
    weights, bias = weights_and_bias((x - centre) / spread, y)
    return weights / spread, bias - float((weights / spread) @ centre)


def newton(x: np.ndarray, y: np.ndarray, l2: float = L2, steps: int = 50) -> np.ndarray:
    """Balanced, L2-penalised logistic regression by Newton's method: the weights, then the bias (not
    penalised), in one array."""
    positive = max(1.0, float(y.sum()))
    weight = np.where(y > 0, len(y) / (2 * positive), len(y) / (2 * max(1.0, len(y) - positive)))
    xb = np.hstack([x, np.ones((len(x), 1))])
    beta = np.zeros(xb.shape[1])
    penalty = np.eye(xb.shape[1]) * l2
    penalty[-1, -1] = 0.0
    for _ in range(steps):
        p = 1 / (1 + np.exp(-(xb @ beta)))
        gradient = xb.T @ (weight * (p - y)) + penalty @ beta
        hessian = (xb * (weight * p * (1 - p))[:, None]).T @ xb + penalty
        step = np.linalg.solve(hessian, gradient)
        beta -= step
        if np.abs(step).max() < 1e-6:
            break
    return beta


def weights_and_bias(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float]:
    """:func:`newton` with the shipped penalty, split into (weights, bias)."""
    beta = newton(x, y)
    return beta[:-1], float(beta[-1])


def figures(talk: Talk, model: segment.BoundaryModel, answers: bool = False) -> tuple[float, float]:
    """Boundary F1 and Pk of one talk's starts as the section stage would choose them (``answers``: by
    the model's rule for a talk of answers)."""
    model = model.answering() if answers else model
    log_odds = model.log_odds(talk.features)
    fixed = talk.opening if answers else ()
    chosen = segment.choose_sections(log_odds, talk.times, talk.rows, model, fixed, talk.shortest)
    return starts_figures(talk, [talk.times[i][0] for i in chosen])


def starts_figures(talk: Talk, found: list[float]) -> tuple[float, float]:
    """Boundary F1 and Pk of section starts (seconds, the first section's excluded) against the truth."""
    truth_labels = label(talk.mids, list(talk.truth))
    return boundary_f1(list(talk.truth[1:]), found), pk(truth_labels, label(talk.mids, [0.0, *found]))


def choose_rule(talks: list[Talk], weights: np.ndarray, bias: float) -> segment.BoundaryModel:
    """The rule (see :class:`~video2blog.pipeline.text.segment.BoundaryModel`) that maximises mean
    F1 - Pk over talks: coordinate ascent over the grid from the shipped rule, one field at a time,
    until no single change helps (a full grid search costs 180 passes over the talks; this about 30)."""
    shipped = segment.boundary_model("embeddings")
    current = {name: getattr(shipped, name) for name in GRID}
    value = _value_of(talks, weights, bias, current)
    for _ in range(SWEEPS):
        improved = False
        for name, options in GRID.items():
            for option in options:
                trial = {**current, name: option}
                if option == current[name]:
                    continue
                trial_value = _value_of(talks, weights, bias, trial)
                if trial_value > value + 1e-9:
                    current, value, improved = trial, trial_value, True
        if not improved:
            break
    return _model(weights, bias, current)


def _model(weights: np.ndarray, bias: float, rule: dict[str, float]) -> segment.BoundaryModel:
    return segment.BoundaryModel(tuple(weights), bias, MIN_SECONDS, SECTION_SECONDS, **rule, answers=())


def _value_of(talks: list[Talk], weights: np.ndarray, bias: float, rule: dict[str, float]) -> float:
    model = _model(weights, bias, rule)
    return _rule_value(talks, [figures(t, model) for t in talks])


def _rule_value(talks: list[Talk], scores: list[tuple[float, float]]) -> float:
    """What a rule earns: mean F1 - Pk over the kinds of talk, less 1 where its mean Pk on the real
    talks, clinic pages or own talks as recognised (punctuated) is worse than not splitting them at all."""
    value = _balanced(talks, [f - p for f, p in scores])
    kept = [i for i, t in enumerate(talks) if not _kind(t).endswith("-bare")]
    excess = [scores[i][1] - talks[i].none_pk for i in kept]
    worse = _balanced([talks[i] for i in kept], excess, worst=True)
    return value if worse <= 0 else value - 1.0


def _balanced(talks: list[Talk], values: list[float], worst: bool = False) -> float:
    """Mean over the kinds of talk (real, clinic, talks; punctuated, stripped) of each kind's mean value:
    96 real talks must not drown 22 clinic pages. With ``worst``, the largest kind's mean."""
    kinds = sorted({_kind(t) for t in talks})
    per_kind = [statistics.fmean(v for t, v in zip(talks, values) if _kind(t) == k) for k in kinds]
    return max(per_kind) if worst else statistics.fmean(per_kind)


def choose_answers_rule(talks: list[Talk], model: segment.BoundaryModel) -> segment.BoundaryModel:
    """``model`` with the rule for a talk of answers: the point of :data:`ANSWERS_GRID` that maximises
    mean F1 - Pk over the :data:`ANSWER_KINDS` talks among ``talks`` (each kind weighing the same, no
    kind's mean Pk worse than not splitting)."""
    chosen = [t for t in talks if t.kind in ANSWER_KINDS]
    if not chosen:
        return model
    best: dict[str, float] = {}
    value = -np.inf
    for point in itertools.product(*ANSWERS_GRID.values()):
        rule = dict(zip(ANSWERS_GRID, point))
        trial = replace(model, answers=tuple(rule.items())).answering()
        trial_value = _rule_value(chosen, [figures(t, trial) for t in chosen])
        if trial_value > value + 1e-9:
            best, value = rule, trial_value
    return replace(model, answers=tuple(best.items()))


def train(talks: list[Talk], base: segment.BoundaryModel | None = None) -> segment.BoundaryModel:
    """Weights, then the rule, then the rule for a talk of answers, from the training talks; with
    ``base``, its weights and rule kept and only the rule for answers learned."""
    if base is not None:
        return choose_answers_rule(talks, replace(base, answers=()))
    weights, bias = fit(talks)
    return choose_answers_rule(talks, choose_rule(talks, weights, bias))


def report(name: str, talks: list[Talk], model: segment.BoundaryModel) -> dict[str, float]:
    """Mean F1 and Pk per kind of talk (real, clinic, talks; each punctuated and stripped); the clinic
    pages and own talks by the rule for a talk of answers (as the question gate sends them)."""
    out = {}
    for kind in KINDS:
        chosen = [t for t in talks if _kind(t) == kind]
        if chosen:
            scores = [figures(t, model, kind in ANSWER_KINDS) for t in chosen]
            out[kind] = (statistics.fmean(f for f, _ in scores), statistics.fmean(p for _, p in scores))
    print(f"{name:18} " + "  ".join(f"{k} F1 {f:.2f} Pk {p:.2f} " for k, (f, p) in out.items()))
    return {k: v[0] for k, v in out.items()}


KINDS = ("real", "real-bare", "clinic", "clinic-bare", "talks", "talks-bare")


def _kind(talk: Talk) -> str:
    return talk.kind


def load(kind: str, with_talks: bool, text: bool = False, extra: bool = True) -> list[Talk]:
    """Every training talk (and its stripped copy) as gap features: real YouTube talks, and with
    ``with_talks`` the clinic pages and own talks as monologues (``text``: synthetic word times), and with
    ``extra`` the extra clinic pages (:data:`EXTRA_DIR`, training only) where that folder exists."""
    from benchmarks import eval_clinic

    pairs = [(i, i.item) for i in real_items()]
    if with_talks:
        sets = ("clinic", "talks")
        scripts = eval_clinic.load_items(sets, text, eval_clinic.DEFAULT_CACHE, (), variants=("monologue",))
        pairs += [(s.truth, s.group) for s in scripts]
        if extra and EXTRA_DIR.is_dir():
            pages = eval_clinic.script_items(
                "clinic",
                eval_clinic.clinic_scripts(EXTRA_DIR),
                text,
                eval_clinic.DEFAULT_CACHE,
                ("monologue",),
            )
            pairs += [(s.truth, EXTRA_PREFIX + s.group) for s in pages]
    pairs += [(stripped(i), group) for i, group in pairs]
    return [t for t in (talk_of(i, kind, group) for i, group in pairs) if t is not None]


def cross_validate(
    talks: list[Talk], folds: int, shipped: segment.BoundaryModel, base: segment.BoundaryModel | None = None
) -> None:
    """Train on all folds but one (``base`` as for :func:`train`), score that one; print each fold, the
    shipped model's figures on it beside (before), and the means over all held-apart talks."""
    scored: list[tuple[Talk, segment.BoundaryModel]] = []
    for k in range(folds):
        held = [t for t in talks if fold_of(t.group, folds) == k and not t.extra]
        model = train(training_talks(talks, folds, k), base)
        report(f"fold {k}/{folds} held", held, model)
        scored += [(t, model) for t in held]
    report("shipped (before)", [t for t in talks if not t.extra], shipped)
    _report_pairs("held-apart (after)", scored)


def _report_pairs(name: str, scored: list[tuple[Talk, segment.BoundaryModel]]) -> None:
    """Mean F1 and Pk per kind, each talk scored by its own model."""
    cells = []
    for kind in KINDS:
        scores = [figures(t, m, kind in ANSWER_KINDS) for t, m in scored if _kind(t) == kind]
        if scores:
            f1, pk_ = statistics.fmean(f for f, _ in scores), statistics.fmean(p for _, p in scores)
            cells.append(f"{kind} F1 {f1:.2f} Pk {pk_:.2f} ")
    print(f"{name:18} " + "  ".join(cells))


def to_json(model: segment.BoundaryModel) -> dict[str, object]:
    """The model as stored in ``boundary_model.json``."""
    return {
        "weights": {n: round(w, 4) for n, w in zip(segment.FEATURES, model.weights)},
        "bias": round(model.bias, 4),
        **{name: getattr(model, name) for name in segment.RULE_FIELDS},
        **({"answers": dict(model.answers)} if model.answers else {}),
    }


def main(argv: list[str] | None = None) -> int:
    """Cross-validate, train on everything, print (and with ``--write`` store) the model."""
    parser = argparse.ArgumentParser(description="Learn the boundary model from real and synthetic talks.")
    parser.add_argument("--folds", type=int, default=4)
    parser.add_argument(
        "--kind",
        choices=("embeddings", "lexical", "both", MULTILINGUAL),
        default="both",
        help=f"both: embeddings and lexical; {MULTILINGUAL}: the multilingual encoder's vectors (base extra)",
    )
    parser.add_argument("--no-talks", action="store_true", help="real talks only (no whisper needed)")
    parser.add_argument("--text", action="store_true", help="clinic pages and talks as text, not speech")
    parser.add_argument(
        "--answers-only",
        action="store_true",
        help="keep the shipped weights and rule; learn only the rule for a talk of answers",
    )
    parser.add_argument(
        "--no-extra", action="store_true", help=f"leave out ../shared/realdata/{EXTRA_DIR.name}"
    )
    parser.add_argument("--write", action="store_true", help=f"write {MODEL_PATH.name}")
    args = parser.parse_args(argv)
    stored = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    for kind in ("embeddings", "lexical") if args.kind == "both" else (args.kind,):
        talks = load(kind, not args.no_talks, args.text, not args.no_extra)
        print(f"== {kind}: {len(talks)} talks, {sum(len(t.labels) for t in talks)} gaps")
        shipped = segment.boundary_model(kind if kind in stored else "embeddings")
        base = replace(shipped, answers=()) if args.answers_only else None
        if args.folds > 1:
            cross_validate(talks, args.folds, shipped, base)
        model = train(talks, base)
        report("all (train=test)", [t for t in talks if not t.extra], model)
        stored[kind] = to_json(model)
        if kind == MULTILINGUAL:  # the section stage knows these vectors by their width
            stored[kind]["width"] = embed.MULTILINGUAL_WIDTH
        print(json.dumps(stored[kind]))
    if args.write:
        MODEL_PATH.write_text(json.dumps(stored, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {MODEL_PATH}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
