"""Build the on-screen evaluation set: the project's talks (``benchmarks/talks/*.md``) spoken without
their headings (the ``monologue`` variant) under pictures that show each heading on screen.

Styles vary from talk to talk: full-screen cards, lower thirds and top bars; four fonts and several
sizes; plain, slowly moving and busy panning backgrounds; a clinic's name in a corner the whole time;
hard cuts between answers in some; a speaker's name lower third in some. Audio is synthesised once
(piper) and cached outside the repository with the videos (``~/.cache/video2blog-screen``).

Usage::

    python -m tools.make_screen_talks [--only NAME ...] [--out DIR]
"""

from __future__ import annotations

import argparse
import json
import sys
import zlib
from pathlib import Path

from tools import synth
from tools.screen_video import Kind, Shown, Style, render

ROOT = Path(__file__).resolve().parents[1]
TALKS = ROOT / "benchmarks" / "talks"
OUT = Path.home() / ".cache" / "video2blog-screen"
SIZE = (640, 360)
FPS = 15
# (layout, background, font, text size, clinic logo, cuts between answers, speaker's name lower third)
STYLES: list[tuple[Kind, str, str, float, str, bool, str]] = [
    ("card", "plain", "sans-bold", 0.06, "Riverside Family Clinic", False, ""),
    ("lower-third", "gradient", "serif", 0.05, "Northgate Health", True, "Dr. Maya Ortiz, MD"),
    ("card", "busy", "liberation", 0.07, "Lakeview Medical Centre", True, ""),
    ("lower-third", "busy", "narrow", 0.055, "Hillcrest Clinic", False, "Dr. Sam Patel, DO"),
    ("top", "gradient", "sans", 0.05, "Cedar Park Practice", True, ""),
    ("card", "gradient", "serif", 0.065, "", False, "Dr. Lena Brooks, PhD"),
]
# Held out: talks never drawn for the nine above (other texts), in layouts of their own (another busy
# pattern, other sizes and places, cards aligned left, cuts inside answers as well as between them). They
# are scored beside the nine and never looked at while tuning. (layout, background, font, size, logo,
# cuts, speaker's name, then: place, left-aligned, pattern seed, cuts inside answers)
HELD_OUT = (
    "chiropractic",
    "dentistry",
    "dermatology",
    "fertility",
    "mental-health",
    "pediatrics",
    "sleep-medicine",
)
HELD_OUT_STYLES: list[tuple[Kind, str, str, float, str, bool, str, float, bool, int, bool]] = [
    (
        "lower-third",
        "busy",
        "sans-bold",
        0.06,
        "Maple Street Health",
        True,
        "Dr. Ana Reyes, MD",
        0.06,
        False,
        23,
        True,
    ),
    ("card", "busy", "serif", 0.055, "Harbor Point Clinic", False, "", 0.0, True, 31, False),
    ("top", "busy", "liberation", 0.065, "", True, "Dr. Omar Haddad, DDS", 0.04, False, 5, True),
    ("lower-third", "plain", "narrow", 0.07, "Summit Care", False, "", 0.1, False, 7, False),
    ("card", "gradient", "sans", 0.05, "Elm Grove Medical", True, "Dr. Kate Lin, MD", 0.0, False, 7, True),
    (
        "lower-third",
        "gradient",
        "liberation",
        0.05,
        "Bayside Family Practice",
        True,
        "",
        0.0,
        False,
        7,
        False,
    ),
    ("top", "plain", "serif", 0.06, "Oakridge Clinic", False, "Dr. Ben Ode, PhD", 0.1, False, 7, False),
]
# The question comes up this long before the answer's first word (the cut), and stays this long.
LEAD_S = 0.4
SHOWN_S = {"card": 3.5, "lower-third": 6.0, "top": 6.0}


def build(script: Path, out_dir: Path, index: int, held_out: bool = False) -> Path:
    """The talk's video (and its truth beside it, with the style used), made if missing; ``held_out``:
    in the held-out layouts (``index`` counts the held-out talks then)."""
    video = out_dir / f"{script.stem}.mp4"
    if video.exists() and video.with_suffix(".json").exists():
        return video
    audio = out_dir / f"{script.stem}-monologue.m4a"
    if not audio.exists():
        synth.synthesize(
            synth.parse_script(script), "monologue", audio, zlib.crc32(script.stem.encode()), video=False
        )
    truth = json.loads(synth.truth_path(audio).read_text(encoding="utf-8"))
    drawn = HELD_OUT_STYLES[index] if held_out else (*STYLES[index % len(STYLES)], 0.0, False, 7, False)
    kind, background, font, size, logo, cuts, name, place, left, seed, inside = drawn
    shown = [
        Shown(s["heading"], max(0.0, s["start"] - LEAD_S), s["start"] + SHOWN_S[kind], kind)
        for s in truth["sections"]
        if s["heading"]
    ]
    if name:
        first = truth["sections"][0]["start"] + 1.0
        shown.append(Shown(name, first, first + 4.0, "name"))
    style = Style(
        background=background,  # type: ignore[arg-type]
        font=font,
        size=size,
        logo=logo,
        cuts=_cuts(truth["sections"], inside) if cuts else (),
        place=place,
        left=bool(left),
        seed=seed,
    )
    render(video, truth["duration"], shown, style, audio=audio, size=SIZE, fps=FPS)
    meta = {
        "style": {
            "layout": kind,
            "background": background,
            "font": font,
            "size": size,
            "logo": logo,
            "cuts": cuts,
            "name": name,
            **(
                {"place": place, "left": bool(left), "seed": seed, "cuts_inside": bool(inside)}
                if held_out
                else {}
            ),
        },
        "truth": truth,
    }
    video.with_suffix(".json").write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
    return video


def _cuts(sections: list[dict], inside: bool) -> tuple[float, ...]:
    """A cut as each answer begins; with ``inside``, one more in the pause before the sentence starting
    nearest the middle of every other answer (another camera angle, not another answer)."""
    shown = [s for s in sections if s["heading"]]
    cuts = [max(0.0, s["start"] - LEAD_S) for s in shown]
    for section in shown[1::2] if inside else []:
        later = section["sentences"][1:]
        middle = (section["start"] + section["end"]) / 2
        if later:
            cuts.append(min((s["start"] for s in later), key=lambda t: abs(t - middle)) - 0.2)
    return tuple(sorted(cuts))


def held_out_scripts() -> list[Path]:
    """The held-out talks' scripts, in :data:`HELD_OUT_STYLES`'s order."""
    return [TALKS / f"{name}.md" for name in HELD_OUT]


def main(argv: list[str] | None = None) -> int:
    """Build every talk's video (or those named) and print where they are."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", default=[], help="talk names (file stems)")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--held-out", action="store_true", help="the held-out talks (under OUT/held-out)")
    args = parser.parse_args(argv)
    out = args.out / "held-out" if args.held_out else args.out
    out.mkdir(parents=True, exist_ok=True)
    scripts = held_out_scripts() if args.held_out else sorted(TALKS.glob("*.md"))
    for index, script in enumerate(scripts):
        if not args.only or script.stem in args.only:
            print(build(script, out, index, args.held_out), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
