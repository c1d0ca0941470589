"""Render a clinic talk's pictures with ffmpeg: a speaker stand-in over a plain or moving background,
questions shown as full-screen cards or lower thirds, a clinic's name in a corner, a speaker's name
lower third, and hard cuts between answers. Original material only (ffmpeg's own sources and
DejaVu/Liberation fonts).

Used by the sample (``tools/make_sample.py``), the on-screen evaluation (``tools/make_screen_talks.py``),
the OCR benchmark and the tests.
"""

from __future__ import annotations

import subprocess
import tempfile
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from video2blog.pipeline.ingest.media import ffmpeg_exe

FONTS = Path("/usr/share/fonts/truetype")
FONT_FILES = {
    "sans-bold": FONTS / "dejavu" / "DejaVuSans-Bold.ttf",
    "sans": FONTS / "dejavu" / "DejaVuSans.ttf",
    "serif": FONTS / "dejavu" / "DejaVuSerif-Bold.ttf",
    "liberation": FONTS / "liberation" / "LiberationSans-Regular.ttf",
    "narrow": FONTS / "liberation" / "LiberationSansNarrow-Regular.ttf",
}
Background = Literal["plain", "gradient", "busy"]
# "caption": a burned-in subtitle, centred low on a dark box; "slide": lines of text (a title, then "- item"
# lines) on a white panel at the right.
Kind = Literal["card", "lower-third", "name", "top", "caption", "slide"]
SCALE = {"name": 0.8, "caption": 0.75, "slide": 0.6}  # text size beside a card's


@dataclass(frozen=True)
class Shown:
    """One text shown from ``start`` to ``end`` in one of the layouts."""

    text: str
    start: float
    end: float
    kind: Kind = "card"


@dataclass(frozen=True)
class Style:
    """How a talk looks: background, font, text size (fraction of the height), logo, cuts."""

    background: Background = "gradient"
    font: str = "sans-bold"
    size: float = 0.06
    logo: str = ""
    cuts: tuple[float, ...] = ()  # the scene changes (another background and framing) at these times
    colors: tuple[str, str] = ("0x1d3557", "0x2a6f4e")
    shot: str = ""  # the background of every other shot (after a cut); the second colour if unset
    place: float = 0.0  # lower thirds sit this much higher, top bars this much lower (share of the height)
    left: bool = False  # card text aligned left instead of centred
    seed: int = 7  # the busy pattern's and the gradient's seed
    extra: dict[str, str] = field(default_factory=dict)


def render(
    out: Path,
    duration: float,
    shown: list[Shown],
    style: Style,
    audio: Path | None = None,
    size: tuple[int, int] = (1280, 720),
    fps: int = 25,
    crf: int = 30,
    preset: str = "veryfast",
) -> None:
    """Write ``out`` (H.264 mp4): the scene, the texts shown, and ``audio``'s first audio stream as is."""
    width, height = size
    with tempfile.TemporaryDirectory() as tmp:
        chain = _scene(style, width, height) + _texts(Path(tmp), shown, style, width, height)
        cmd = [ffmpeg_exe(), "-y", "-v", "error", "-nostdin"]
        cmd += ["-f", "lavfi", "-i", _source(style, width, height, fps, duration)]
        if audio is not None:
            cmd += ["-i", str(audio), "-map", "0:v", "-map", "1:a:0", "-c:a", "copy"]
        cmd += ["-vf", ",".join(chain), "-t", f"{duration:.3f}", "-c:v", "libx264", "-preset", preset]
        cmd += ["-crf", str(crf), "-pix_fmt", "yuv420p", "-movflags", "+faststart", str(out)]
        subprocess.run(cmd, check=True, capture_output=True, timeout=3600)


def _source(style: Style, width: int, height: int, fps: int, duration: float) -> str:
    a, b = style.colors
    if style.background == "busy":
        cells = f"cellauto=s={width // 3}x{height // 3}:rate={fps}:rule=110:random_fill_ratio=0.5"
        pattern = f"{cells}:seed={style.seed}"
        pan = f"scale={width * 2}:{height}:flags=neighbor,crop={width}:{height}:x='mod(t*40,{width})':y=0"
        return f"{pattern},loop=-1:1,{pan},format=yuv420p,hue=s=0.5,eq=brightness=-0.2"
    if style.background == "gradient":
        # gradients picks its lines at random without a seed: the same talk drew another picture each run
        size = f"s={width}x{height}:r={fps}"
        return f"gradients={size}:c0={a}:c1={b}:speed=0.02:d={duration + 1:.1f}:seed={style.seed}"
    return f"color=c={a}:s={width}x{height}:r={fps}:d={duration + 1:.1f}"


def _scene(style: Style, width: int, height: int) -> list[str]:
    """The speaker stand-in (a body and a head that sway), framed differently after each cut."""
    filters = []
    for n, (start, end) in enumerate(_shots(style.cuts)):
        left = 0.38 if n % 2 == 0 else 0.55
        when = f"between(t,{start:.3f},{end:.3f})"
        if n % 2:  # another shot: a different background behind the speaker
            wall = style.shot or style.colors[1]
            filters.append(f"drawbox=x=0:y=0:w=iw:h=ih:color={wall}:t=fill:enable='{when}'")
        x = f"iw*{left:.2f}+iw*0.01*sin(t*1.3)"
        filters.append(f"drawbox=x='{x}':y=ih*0.45:w=iw*0.24:h=ih*0.55:color=0x8d6e63:t=fill:enable='{when}'")
        filters.append(
            f"drawbox=x='{x}+iw*0.07':y=ih*0.2:w=iw*0.10:h=ih*0.25:color=0xe0b896:t=fill:enable='{when}'"
        )
    return filters


def _shots(cuts: tuple[float, ...]) -> list[tuple[float, float]]:
    edges = [0.0, *sorted(cuts), 1e9]
    return list(zip(edges, edges[1:]))


def _texts(tmp: Path, shown: list[Shown], style: Style, width: int, height: int) -> list[str]:
    font = FONT_FILES.get(style.font, FONT_FILES["sans-bold"])
    filters = []
    if style.logo:
        logo = _file(tmp, "logo", style.logo)
        px = max(14, int(height * 0.035))
        filters.append(
            f"drawtext=fontfile={FONT_FILES['sans']}:textfile={logo}:x=w-tw-{px}:y={px}:fontsize={px}:fontcolor=white@0.9"
        )
    for n, item in enumerate(shown):
        filters += _layout(_file(tmp, f"t{n}", item.text, item.kind), item, font, style, height)
    return filters


def _file(tmp: Path, name: str, text: str, kind: Kind = "top") -> Path:
    width = 32 if kind == "card" else 60
    path = tmp / f"{name}.txt"
    lines = [line for part in text.splitlines() for line in textwrap.wrap(part, width)]
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def _layout(textfile: Path, item: Shown, font: Path, style: Style, height: int) -> list[str]:
    when = f"enable='between(t,{item.start:.3f},{item.end:.3f})'"
    px = max(12, int(height * style.size * SCALE.get(item.kind, 1.0)))
    color = "black" if item.kind == "slide" else "white"
    text = (
        f"drawtext=fontfile={font}:textfile={textfile}:fontsize={px}:fontcolor={color}:line_spacing={px // 3}"
    )
    if item.kind == "card":
        box = f"drawbox=x=0:y=0:w=iw:h=ih:color={style.colors[0]}:t=fill:{when}"
        x = "w*0.08" if style.left else "(w-tw)/2"
        return [box, f"{text}:x={x}:y=(h-th)/2:{when}"]
    if item.kind == "caption":
        return [f"{text}:box=1:boxcolor=black@0.7:boxborderw={px // 3}:x=(w-tw)/2:y=h*0.92-th/2:{when}"]
    if item.kind == "slide":
        panel = f"drawbox=x=iw*0.5:y=ih*0.2:w=iw*0.45:h=ih*0.5:color=white:t=fill:{when}"
        return [panel, f"{text}:x=w*0.52:y=h*0.23:{when}"]
    if item.kind == "top":
        top = 0.06 + style.place
        box = f"drawbox=x=0:y=ih*{top:.2f}:w=iw:h=ih*0.16:color=black@0.6:t=fill:{when}"
        return [box, f"{text}:x=(w-tw)/2:y=h*{top + 0.08:.2f}-th/2:{when}"]
    top = (0.74 if item.kind == "lower-third" else 0.80) - style.place
    box = f"drawbox=x=0:y=ih*{top:.2f}:w=iw:h=ih*0.16:color=black@0.65:t=fill:{when}"
    return [box, f"{text}:x=w*0.05:y=h*{top + 0.08:.2f}-th/2:{when}"]
