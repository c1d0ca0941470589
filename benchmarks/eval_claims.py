"""How well the claims stage (``pipeline/text/claims.py``) flags what an editor must check.

False alarms: sentences flagged in plain clinical text that plants nothing, the real clinic answers in
``../shared/realdata/clinic-faq-dev`` (read at run time, never copied) and the talks in
``benchmarks/talks`` and ``benchmarks/library``. Recall: the claims planted ``[[like this.]]`` in the
talks of ``benchmarks/claims`` (and the flags on their other, unplanted sentences).
The baseline beside is the same patterns without the hedge and question rules (a bare phrase list).

    python -m benchmarks.eval_claims [--show]
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
from dataclasses import replace
from pathlib import Path

from benchmarks.talk_text import CLAIMS, LIBRARY, ROOT, TALKS, planted, spoken_text, transcript_dict
from video2blog.pipeline.run import builtin_claim_rules
from video2blog.pipeline.serialize import transcript_from_dict
from video2blog.pipeline.text.claims import ClaimRules, claim_reason
from video2blog.pipeline.text.sentences import split_sentences

FAQ = ROOT.parent / "shared" / "realdata" / "clinic-faq-dev"


def sentences(text: str) -> list[str]:
    """``text`` cut into sentences by the pipeline's own sentence stage."""
    if not text.split():
        return []
    transcript = split_sentences(transcript_from_dict(transcript_dict(text)))
    return [s.text.strip() for s in transcript.sentences]


def faq_answers(page: Path) -> list[str]:
    """The answers of one clinic FAQ page (its ``## question`` headings left out)."""
    parts = re.split(r"^## .*$", page.read_text(encoding="utf-8"), flags=re.M)
    return [" ".join(line.strip() for line in p.splitlines() if line.strip()) for p in parts[1:]]


def flagged(texts: list[str], rules: ClaimRules) -> list[tuple[str, str]]:
    return [(s, r) for text in texts for s in sentences(text) if (r := claim_reason(s, rules))]


def false_alarms(name: str, docs: dict[str, list[str]], rules: dict[str, ClaimRules], show: bool) -> None:
    total = sum(len(sentences(t)) for texts in docs.values() for t in texts)
    print(f"\n{name}: {len(docs)} documents, {total} sentences, no claims planted")
    for label, rule in rules.items():
        per_doc = {d: flagged(texts, rule) for d, texts in docs.items()}
        counts = [len(f) for f in per_doc.values()]
        over = sum(c > 2 for c in counts)
        print(
            f"  {label:9} flags {sum(counts):3} ({sum(counts) / max(total, 1):.1%} of sentences), "
            f"per document mean {statistics.mean(counts):.2f} max {max(counts)}, documents over 2: {over}"
        )
        if show and label == "video2blog":
            for doc, found in per_doc.items():
                for sentence, reason in found:
                    print(f"    {doc}: [{reason}] {sentence}")


def recall(rules: dict[str, ClaimRules], show: bool) -> None:
    talks = sorted(CLAIMS.glob("*.md"))
    print(f"\nplanted claims: {len(talks)} talks in {CLAIMS.relative_to(ROOT)}")
    for label, rule in rules.items():
        hit = planted_total = other = 0
        for path in talks:
            markdown = path.read_text(encoding="utf-8")
            plants = [" ".join(p.split()) for p in planted(markdown)]
            found = flagged([spoken_text(markdown)], rule)
            hits = {p for p in plants for s, _ in found if p in s or s in p}
            hit, planted_total = hit + len(hits), planted_total + len(plants)
            other += sum(not any(p in s or s in p for p in plants) for s, _ in found)
            if show and label == "video2blog":
                for p in sorted(set(plants) - hits):
                    print(f"    missed in {path.name}: {p}")
        print(
            f"  {label:9} recall {hit}/{planted_total} ({hit / max(planted_total, 1):.0%}), "
            f"flags on unplanted sentences: {other}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show", action="store_true", help="print each flagged (and missed) sentence")
    args = parser.parse_args(argv)
    rules = builtin_claim_rules()
    variants = {"video2blog": rules, "baseline": replace(rules, hedges=("(?!x)x",))}
    if FAQ.is_dir():
        faq = {p.stem: faq_answers(p) for p in sorted(FAQ.glob("*.md"))}
        false_alarms(f"real clinic answers ({FAQ.name})", faq, variants, args.show)
    else:
        print(f"(no {FAQ}: check out ../shared beside the repository for the real clinic answers)")
    own = {
        p.stem: [spoken_text(p.read_text(encoding="utf-8"))]
        for p in [*TALKS.glob("*.md"), *LIBRARY.glob("*.md")]
    }
    false_alarms("written clinic talks (benchmarks/talks, benchmarks/library)", own, variants, args.show)
    recall(variants, args.show)
    return 0


if __name__ == "__main__":
    sys.exit(main())
