"""Learn which candidate keywords name what a talk is about, and score keywords on held-apart folds.

A good keyword is a term the talk's own questions or chapter titles name ("skin prick test",
"neuropathic", "NMDA"), not an everyday word the answers happen to repeat ("drip", "blood pressure").
So a candidate (a content word, or a phrase said twice or more: :func:`metadata.keyword_candidates`) is
labelled a keyword when all its stems are in the talk's headings, and a balanced logistic regression
over :data:`metadata.KEYWORD_FEATURES` learns it from the answers' text alone. Data: the clinic FAQ pages
(``../shared/realdata/clinic-faq-dev``), the project's own talks and the real YouTube talks with their
chapters. Folds hold apart a clinic specialty, an own talk or a YouTube video (CRC32 of its group).

Two models are learned: the lexical one (those features alone) and, for a talk with sentence vectors,
one that also weighs how near a candidate's vector comes to the talk's mean sentence vector
(:func:`metadata.closeness_to`, MiniLM, the vectors cached under ``benchmarks/cache/``). The talk's
sentences are the scripts' own and, for a YouTube talk, those of its captions as the sentence stage
splits them; a draft takes them from its cleaned prose (fillers gone), so the two differ a little there.

Printed per set: precision of the top five keywords (the share whose stems are all in the headings)
for both learned rankings on held-apart folds, beside the count rule they replace and a random pick.

Usage::

    python -m benchmarks.train_keywords [--folds 4] [--write]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from benchmarks.eval_clinic import clinic_scripts, own_scripts
from benchmarks.eval_real import real_items
from benchmarks.eval_sections import stems
from benchmarks.train_boundaries import newton
from benchmarks.train_questions import embed
from tools import synth
from video2blog.pipeline.text.metadata import (
    CENTRAL_FEATURE,
    KEYWORD_FEATURES,
    KEYWORD_MODEL,
    PHRASE_WEIGHT,
    KeywordModel,
    closeness_to,
    distinct_keys,
    keyword_candidates,
    keyword_row,
    talk_sentences,
)
from video2blog.pipeline.text.sentences import split_sentences

TOP = 5
L2 = 1.0
OUT = Path(__file__).resolve().parent.parent / "pipeline" / "data" / KEYWORD_MODEL


@dataclass(frozen=True)
class Page:
    """One talk: its answers' text, its headings' stems, its set and its fold group."""

    name: str
    dataset: str
    group: str
    text: str
    heading_stems: frozenset[str]
    sentences: tuple[str, ...]


@dataclass(frozen=True)
class Candidates:
    """A page's candidates with their feature rows, labels and count-rule order."""

    keys: list[str]
    rows: np.ndarray
    labels: np.ndarray
    counted: list[str]
    near: np.ndarray


def pages() -> list[Page]:
    out = []
    for name, talk in clinic_scripts():
        out.append(_script_page(name, "clinic", name.rsplit("-", 1)[0], talk))
    for name, talk in own_scripts():
        out.append(_script_page(name, "talks", name, talk))
    for truth in real_items():
        text = " ".join(w.text for w in truth.words.words)
        said = tuple(s.text for s in split_sentences(truth.words).sentences)
        headings = frozenset(stems(" ".join(truth.headings)))
        out.append(Page(truth.item, "youtube", truth.item, text, headings, said))
    return out


def _script_page(name: str, dataset: str, group: str, talk: synth.Talk) -> Page:
    said = tuple(s for section in talk.sections for p in section.paragraphs for s in p)
    headings = " ".join(section.heading for section in talk.sections)
    return Page(name, dataset, group, " ".join(said), frozenset(stems(headings)), said)


def candidates(page: Page) -> Candidates:
    counts, order = keyword_candidates(page.text)
    keys = sorted(counts, key=lambda k: order.get(k, 0))
    rows = np.array([keyword_row(k, counts[k], order.get(k, 0), len(order), page.text) for k in keys])
    labels = np.array([float(stems(k) <= page.heading_stems and bool(stems(k))) for k in keys])
    counted = sorted(keys, key=lambda k: (-counts[k] * PHRASE_WEIGHT ** k.count(" "), order.get(k, 0)))
    closeness = closeness_to(talk_sentences(page.sentences), embed)
    near = closeness(keys) if closeness and keys else np.zeros(len(keys))
    return Candidates(keys, rows.reshape(len(keys), len(KEYWORD_FEATURES)), labels, counted, near)


def top(ranked: list[str], limit: int = TOP) -> list[str]:
    """The first ``limit`` keys of a ranking that :func:`metadata.keywords` would keep."""
    return distinct_keys(ranked, limit)


def precision(chosen: list[str], page: Page) -> float:
    hits = [bool(stems(k)) and stems(k) <= page.heading_stems for k in chosen]
    return sum(hits) / max(len(hits), 1)


def fit(cands: list[Candidates], central: bool = False) -> KeywordModel:
    """The lexical model, or with ``central`` the one that weighs the closeness to the talk too."""
    x = np.vstack([_features(c, central) for c in cands if len(c.keys)])
    y = np.concatenate([c.labels for c in cands if len(c.keys)])
    beta = newton(x, y, l2=L2)
    weights = tuple(float(b) for b in beta[: len(KEYWORD_FEATURES)])
    return KeywordModel(weights, float(beta[-1]), float(beta[len(KEYWORD_FEATURES)]) if central else 0.0)


def _features(c: Candidates, central: bool) -> np.ndarray:
    return np.column_stack([c.rows, c.near]) if central else c.rows


def learned(model: KeywordModel, c: Candidates) -> list[str]:
    scores = {k: model.score(row, float(n)) for k, row, n in zip(c.keys, c.rows, c.near, strict=True)}
    return sorted(c.keys, key=lambda k: -scores[k])


def fold_of(page: Page, folds: int) -> int:
    return zlib.crc32(page.group.encode()) % folds


def report(all_pages: list[Page], cands: list[Candidates], folds: int) -> None:
    scores: dict[str, list[tuple[float, ...]]] = {}
    rng = random.Random(0)
    for fold in range(folds):
        train = [c for p, c in zip(all_pages, cands, strict=True) if fold_of(p, folds) != fold]
        lexical, central = fit(train), fit(train, central=True)
        for page, c in zip(all_pages, cands, strict=True):
            if fold_of(page, folds) == fold and c.keys:
                shuffled = rng.sample(c.keys, len(c.keys))
                rankings = (learned(lexical, c), learned(central, c), c.counted, shuffled)
                scores.setdefault(page.dataset, []).append(tuple(precision(top(r), page) for r in rankings))
    print(f"precision of the top {TOP} keywords, {folds} held-apart folds")
    print(f"{'set':10} {'lexical':>8} {'central':>8} {'counted':>8} {'random':>8}  n")
    for dataset, rows in scores.items():
        means = np.mean(np.array(rows), axis=0)
        print(f"{dataset:10} " + " ".join(f"{m:8.3f}" for m in means) + f"  {len(rows)}")


def as_dict(model: KeywordModel) -> dict[str, object]:
    """A model's entry in ``keyword_model.json``: weights by feature name, and the bias."""
    weights = dict(zip(KEYWORD_FEATURES, model.weights, strict=True))
    if model.central:
        weights[CENTRAL_FEATURE] = model.central
    return {"weights": {n: round(w, 4) for n, w in weights.items()}, "bias": round(model.bias, 4)}


def main(argv: list[str] | None = None) -> int:
    """Print the held-apart figures; with ``--write``, fit on everything and write the shipped model."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--folds", type=int, default=4)
    parser.add_argument("--write", action="store_true", help=f"write pipeline/data/{KEYWORD_MODEL}")
    args = parser.parse_args(argv)
    all_pages = pages()
    cands = [candidates(p) for p in all_pages]
    report(all_pages, cands, args.folds)
    models = {"lexical": fit(cands), "embeddings": fit(cands, central=True)}
    for kind, model in models.items():
        print(f"weights ({kind}):", as_dict(model))
    if args.write:
        data = {
            **{kind: as_dict(model) for kind, model in models.items()},
            "trained_on": "clinic-faq-dev pages, own talks, vidchapters-dev "
            "(python -m benchmarks.train_keywords)",
        }
        OUT.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
        print("wrote", OUT)
    return 0


if __name__ == "__main__":
    sys.exit(main())
