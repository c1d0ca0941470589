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
# The question comes up this long before the answer's first word (the cut), and stays this long.
LEAD_S = 0.4
SHOWN_S = {"card": 3.5, "lower-third": 6.0, "top": 6.0}


def build(script: Path, out_dir: Path, index: int) -> Path:
    """The talk's video (and its truth beside it, with the style used), made if missing."""
    video = out_dir / f"{script.stem}.mp4"
    if video.exists() and video.with_suffix(".json").exists():
        return video
    audio = out_dir / f"{script.stem}-monologue.m4a"
    if not audio.exists():
        synth.synthesize(
            synth.parse_script(script), "monologue", audio, zlib.crc32(script.stem.encode()), video=False
        )
    truth = json.loads(synth.truth_path(audio).read_text(encoding="utf-8"))
    kind, background, font, size, logo, cuts, name = STYLES[index % len(STYLES)]
    starts = [s["start"] for s in truth["sections"] if s["heading"]]
    shown = [
        Shown(s["heading"], max(0.0, s["start"] - LEAD_S), s["start"] + SHOWN_S[kind], kind)
        for s in truth["sections"]
        if s["heading"]
    ]
    if name:
        first = truth["sections"][0]["start"] + 1.0
        shown.append(Shown(name, first, first + 4.0, "name"))
    style = Style(
        background=background,
        font=font,
        size=size,
        logo=logo,  # type: ignore[arg-type]
        cuts=tuple(max(0.0, s - LEAD_S) for s in starts) if cuts else (),
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
        },
        "truth": truth,
    }
    video.with_suffix(".json").write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
    return video


def main(argv: list[str] | None = None) -> int:
    """Build every talk's video (or those named) and print where they are."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", default=[], help="talk names (file stems)")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for index, script in enumerate(sorted(TALKS.glob("*.md"))):
        if not args.only or script.stem in args.only:
            print(build(script, args.out, index), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
