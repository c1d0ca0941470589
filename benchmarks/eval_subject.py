"""How often the talk's subject (:func:`~video2blog.pipeline.text.metadata.main_topic`) names what the
talk is about, beside what the shipped keyword model would choose and the best any candidate could do.

The truth: a clinic FAQ page's specialty (from its file name: "hair transplant", "vasectomy"), an own
talk's title, a real YouTube video's title. A subject is right when all its stems are in the truth's
("hair" for a hair-transplant page is; "semen" for a vasectomy page is not). The sections are the true
ones (the clinic answers, the talks' sections, the videos' chapters), so boundaries do not blur it.

Printed per set: the share right for the shipped subject (``main_topic``), for the keyword model's top
candidate among the same candidates, and for the best candidate (the ceiling of any chooser); with
``--list``, every talk's subject beside the truth.

Usage::

    python -m benchmarks.eval_subject [--list]
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass

from benchmarks.eval_clinic import clinic_scripts, own_scripts
from benchmarks.eval_real import REAL_DIR, real_items
from benchmarks.eval_sections import stems
from video2blog.pipeline.text import metadata


@dataclass(frozen=True)
class Talk:
    """One talk's sections (text) and what it is about."""

    name: str
    dataset: str
    sections: list[str]
    truth: str


def talks() -> list[Talk]:
    out = []
    for name, script in clinic_scripts():
        specialty = name.rsplit("-", 1)[0].replace("-", " ").removeprefix("urology ")
        out.append(Talk(name, "clinic", _texts(script), specialty.replace("management", "")))
    for name, script in own_scripts():
        out.append(Talk(name, "talks", _texts(script), script.title))
    for item in real_items():
        title = json.loads((REAL_DIR / f"{item.item}.truth.json").read_text(encoding="utf-8"))["title"]
        bounds = [*item.starts, float("inf")]
        words = item.words.words
        chapters = [" ".join(w.text for w in words if a <= w.start < b) for a, b in zip(bounds, bounds[1:])]
        out.append(Talk(item.item, "youtube", chapters, title))
    return out


def _texts(script: object) -> list[str]:
    return [" ".join(s for p in section.paragraphs for s in p) for section in script.sections]  # type: ignore[attr-defined]


def keyword_choice(sections: list[str], among: list[str]) -> str:
    """The shipped keyword model's best candidate among ``among``."""
    model = metadata.shipped_keyword_model()
    text = " ".join(sections)
    counts, order = metadata.keyword_candidates(text)
    allowed = [k for k in among if k in counts]
    if model is None or not allowed:
        return ""
    rows = {k: metadata.keyword_row(k, counts[k], order.get(k, 0), len(order), text) for k in allowed}
    return max(allowed, key=lambda k: model.score(rows[k]))


def right(subject: str, truth: str) -> bool:
    found = stems(subject)
    return bool(found) and found <= stems(truth)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--list", action="store_true", help="every talk's subject beside the truth")
    args = parser.parse_args()
    scores: dict[str, list[tuple[bool, bool, bool]]] = {}
    for talk in talks():
        subject = metadata.main_topic(talk.sections)
        among = metadata.topic_candidates(talk.sections).keys
        chosen = keyword_choice(talk.sections, among)
        row = (
            right(subject, talk.truth),
            right(chosen, talk.truth),
            any(right(k, talk.truth) for k in among),
        )
        scores.setdefault(talk.dataset, []).append(row)
        if args.list:
            print(f"  {talk.dataset:8} {talk.name[:34]:34} {subject!r:22} {chosen!r:22} | {talk.truth[:40]}")
    print(f"{'set':8} {'subject':>8} {'keyword':>8} {'ceiling':>8}  n")
    for dataset, rows in scores.items():
        shares = [sum(r[i] for r in rows) / len(rows) for i in range(3)]
        print(f"{dataset:8} {shares[0]:8.3f} {shares[1]:8.3f} {shares[2]:8.3f}  {len(rows)}")


if __name__ == "__main__":
    main()
