"""The library targets on a batch of seven clinic talks made from text (no audio): six plain talks, two
pairs of them on the same treatment (weight loss, sleep apnea), and one with planted claims; then the
same seven each wrapped in one long welcome and sign-off (what a shared greeting does to the ranking).

Drafts the batch with the installed command (``video2blog batch`` over transcript.json files, into
``benchmarks/out/eval-library``), then prints for each draft its related posts, whether its twin comes
first, and its claims; then the planted claims flagged. Beside: chance (a random order puts the twin
first 1 time in 6) and the same vectors compared without taking the library's mean away.

    python -m benchmarks.eval_library
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from benchmarks.talk_text import CLAIMS, LIBRARY, ROOT, TALKS, planted, transcript_dict, write_transcript
from video2blog.pipeline.batch.library import read_topic
from video2blog.pipeline.text.related import rank_related

OUT = ROOT / "benchmarks" / "out" / "eval-library"
COMMAND = str(Path(sys.executable).with_name("video2blog"))
PLAIN = [TALKS / "weight-loss.md", LIBRARY / "weight-loss-injections.md", TALKS / "sleep-medicine.md",
         LIBRARY / "sleep-apnea.md", TALKS / "dermatology.md", TALKS / "podiatry.md"]  # fmt: skip
PLANTED = CLAIMS / "body-contouring.md"
TWINS = {"weight-loss": "weight-loss-injections", "sleep-medicine": "sleep-apnea"}
TWINS |= {b: a for a, b in TWINS.items()}


# The same long welcome and sign-off around every talk: what a shared greeting does to the ranking.
WELCOME = (
    "Hello everyone and welcome back to our clinic's video series, where our doctors answer the questions "
    "our patients ask us every single day, and thank you so much for joining us again this week."
)
SIGN_OFF = (
    "That is all we have time for today, so thank you for watching, please like and subscribe, and call our "
    "front desk or book online if you would like to see one of our doctors about any of this."
)


def draft_batch(name: str, wrap: bool) -> Path:
    out = OUT / name
    shutil.rmtree(out, ignore_errors=True)
    talks, drafts = out / "talks", out / "drafts"
    talks.mkdir(parents=True)
    for path in [*PLAIN, PLANTED]:
        target = write_transcript(path, talks / f"{path.stem}.json")
        if wrap:
            text = " ".join(w["text"] for w in json.loads(target.read_text(encoding="utf-8"))["words"])
            target.write_text(json.dumps(transcript_dict(f"{WELCOME} {text} {SIGN_OFF}")), encoding="utf-8")
    cmd = [COMMAND, "batch", str(talks), "-o", str(drafts), "-p", "*.json", "--formats", "md,html,docx,json"]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return drafts


def report_related(drafts: Path) -> None:
    names = [p.stem for p in [*PLAIN, PLANTED]]
    data = {n: json.loads((drafts / n / "draft.json").read_text(encoding="utf-8")) for n in names}
    uncentred = _uncentred(drafts, names)
    print("draft                   related (most related first)                             claims")
    for name in names:
        related = [r["folder"] for r in data[name]["related"]]
        print(f"  {name:22} {', '.join(related):56} {len(data[name]['claims'])}")
    twins_first = sum([r["folder"] for r in data[n]["related"]][:1] == [TWINS[n]] for n in TWINS)
    plain_first = sum(uncentred[n][:1] == [TWINS[n]] for n in TWINS)
    at_least_two = sum(len(data[n]["related"]) >= 2 for n in names)
    plain_over = [n for n in names if n != PLANTED.stem and len(data[n]["claims"]) > 2]
    print(f"\ndrafts with >= 2 related: {at_least_two}/{len(names)}")
    print(f"twin first: {twins_first}/{len(TWINS)}   (chance 1/{len(names) - 1} each; "
          f"without the library mean taken away: {plain_first}/{len(TWINS)})")  # fmt: skip
    print(f"plain talks with more than 2 claims flagged: {len(plain_over)} {plain_over or ''}")
    claims = data[PLANTED.stem]["claims"]
    plants = [" ".join(p.split()) for p in planted(PLANTED.read_text(encoding="utf-8"))]
    hit = [p for p in plants if any(p in c["text"] or c["text"] in p for c in claims)]
    print(
        f"planted claims flagged in {PLANTED.stem}: {len(hit)}/{len(plants)}; other flags there: "
        f"{sum(not any(p in c['text'] or c['text'] in p for p in plants) for c in claims)}"
    )


def _uncentred(drafts: Path, names: list[str]) -> dict[str, list[str]]:
    """The ranking by the plain cosine of the topic vectors (the library's mean left in)."""
    vectors = {n: v for n in names if (v := read_topic(drafts / n)) is not None}
    return rank_related(vectors, centre=False)


def main() -> int:
    print("The talks as written:")
    report_related(draft_batch("as-written", wrap=False))
    print("\nThe same talks, each inside the same long welcome and sign-off:")
    report_related(draft_batch("shared-greeting", wrap=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
