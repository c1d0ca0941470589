"""Leads, titles and descriptions of the clinic FAQ pages read as talks (words with synthetic times).

Per set (clinic pages with the questions spoken, and not spoken), over every draft:

- **lead**: the share whose opening (the talk's greeting and agenda) is the post's lead, not a section;
- **1st heading ?**: the share whose first heading the post shows is a question;
- **aside**: the share whose description is a greeting or an aside ("Many of you have asked...");
- **for**: the share whose title names what the treatment is for ("Ketamine for pain: ...");
- **desc len**: the mean description length in characters (the limit is 160).

Usage::

    python -m benchmarks.eval_metadata [--list]
"""

from __future__ import annotations

import argparse
import statistics

from benchmarks.eval_clinic import clinic_scripts, script_items
from benchmarks.eval_real import draft_of
from video2blog.pipeline.schema import Draft
from video2blog.pipeline.textutil import INTRO


def _first_heading(draft: Draft) -> str:
    return next((s.heading for s in draft.sections if not getattr(s, "lead", False)), "")


def _row(drafts: list[Draft]) -> str:
    def share(test: list[bool]) -> str:
        return f"{sum(test) / max(len(test), 1):.2f}"

    return "  ".join(
        [
            share([bool(getattr(d.sections[0], "lead", False)) for d in drafts]),
            share([_first_heading(d).endswith("?") for d in drafts]),
            share([bool(INTRO.search(d.description)) for d in drafts]),
            share([" for " in d.title for d in drafts]),
            f"{statistics.mean(len(d.description) for d in drafts):.0f}",
            str(len(drafts)),
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description="Leads, titles and descriptions of the clinic talks.")
    parser.add_argument("--list", action="store_true", help="each draft's title and description")
    args = parser.parse_args()
    items = script_items("clinic", clinic_scripts(), text=True, cache=None)  # type: ignore[arg-type]
    print("set                 lead  1st?  aside  for  desc-len  n")
    for variant in ("asked", "monologue"):
        drafts = [draft_of(i.truth)[0] for i in items if i.truth.dataset == f"clinic-{variant}"]
        print(f"clinic-{variant:12}", _row(drafts))
        if args.list:
            for d in drafts:
                print(f"  {d.title!r} | {d.description!r}")


if __name__ == "__main__":
    main()
