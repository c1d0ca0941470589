"""What the video shows: text on screen (title cards, lower thirds, a logo) and hard cuts.

The pictures are decoded once with PyAV. Every frame's luma histogram (of a pixel in 64) tells
where the picture changed at once (a hard cut, a title card coming up); a frame is sampled at
each cut and about once a second between, at reduced size. OCR (RapidOCR, its PP-OCR ONNX models
from inside the wheel) reads a sampled frame only when its text region may have changed: a cut, or
its text-like cells (edge-dense and standing still while the scene moves) differ from those of the
last frame read, or the picture moved and the last reading is a few seconds old. Readings are grouped
over time into :class:`ScreenText` items; text shown for most of the video (a logo, a clinic's name)
is marked ``persistent``.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

import numpy as np

from video2blog.pipeline.errors import InputError
from video2blog.pipeline.output import atomic_write
from video2blog.pipeline.progress import cache_unwritable
from video2blog.pipeline.schema import ScreenReading, ScreenText
from video2blog.pipeline.serialize import screen_text_from_dict, to_json
from video2blog.pipeline.signals import held_signals

log = logging.getLogger(__name__)

# A video whose packets are damaged beyond this share (and this count) is not read for text at all.
DAMAGED_SHARE = 0.5
DAMAGED_MIN = 10
SAMPLE_WIDTH = 960  # frames are read at this width (detection is limited to it too)
SAMPLE_EVERY_S = 1.0  # a frame at least this often where the picture does not change
THUMB_STEP = 8  # the change score looks at every 8th luma pixel
# A hard cut: the luma histograms of consecutive frames differ by this share (0-1); a pan over a busy
# scene moves every pixel but keeps its histogram.
CUT_SCORE = 0.5
HIST_BINS = 32
CUT_GAP_S = 0.5  # a cut within this long of the last is the same cut (a flash, a wipe)
# OCR reads a sample again only where its text-like cells (CELL px squares of the frame reduced REDUCE
# times: EDGE_SHARE of their pixels on an edge stronger than EDGE grey levels, changed by less than
# STILL since the sample before) differ from those of the last reading in MIN_CELLS cells.
REDUCE = 4
CELL = 8
EDGE = 40.0
EDGE_SHARE = 0.08
STILL = 12.0
MIN_CELLS = 3
AFTER_CUT_S = 0.5  # a frame read within this long after a cut is read again at the next sample
# ...and, short of a cut, at most once in this many seconds (a busy moving scene keeps changing cells).
MIN_GAP_S = 2.0
# New text read after MIN_GAP_S is dated from the first sample passed over in which all but this share of
# the cells that changed had changed.
YET_TO_CHANGE = 0.25
# A picture that moved by this much (mean grey levels) since the last reading is read again this often.
MOTION = 3.0
RECHECK_S = 4.0
# Lines read with less confidence than this are dropped; lines of a block sit this close (line heights).
MIN_SCORE = 0.7
LINE_GAP = 1.0
# Lines of one block (a question wrapped): the second's height within this range of the first's.
SAME_HEIGHT = (0.75, 1.33)
# A lower third's title line: at least this share of its name line's height, its left edge within this
# many name-line heights of the name's.
SMALLER_LINE = 0.45
ALIGNED_EDGE = 0.5
MIN_CHARS = 2  # a box with fewer letters and digits is a shape, not text
BAND = 0.6  # a line is read again in a strip of the frame this many line heights above and below it
SAME_TEXT = 0.8  # two readings of at least this similarity are the same text
PERSISTENT_SHARE = 0.5  # shown for at least this share of the video: a logo, not a heading
RECURRING = 3  # ...or shown this many separate times, spread over that share
MODEL_FILES = {
    "Det.model_path": "PP-OCRv6_det_small.onnx",
    "Rec.model_path": "PP-OCRv6_rec_small.onnx",
    "Cls.model_path": "ch_ppocr_mobile_v2.0_cls_mobile.onnx",
}
MISSING = "on-screen text needs rapidocr: pip install rapidocr opencv-python-headless (or --no-video-text)"


@dataclass(frozen=True)
class Line:
    """One block of text in one frame: its text, confidence and box (fractions of the frame)."""

    text: str
    score: float
    box: tuple[float, float, float, float]


@dataclass
class _Track:
    """A text seen over consecutive samples."""

    readings: list[Line]
    start: float
    last: float
    end: float = 0.0
    seen: float = 0.0


@dataclass
class _Sampler:
    """Running state of the sampling pass."""

    previous: np.ndarray | None = None
    last_sample: float = -1e9
    last_cut: float = -1e9
    cuts: list[float] = field(default_factory=list)


def read_screen(video: Path, duration: float, threads: int = 2) -> ScreenReading:
    """The text shown on screen in ``video`` and its hard cuts.

    Args:
        video: a media file with a video stream.
        duration: the media's length in seconds (for persistent text).
        threads: CPU threads for decoding and OCR.

    Raises:
        InputError: the pictures cannot be decoded.
        UsageError: rapidocr is not installed.
    """
    started = time.monotonic()
    sampler = _Sampler()
    lines: list[tuple[float, list[Line]]] = []
    reads = 0
    last: tuple[float, np.ndarray, np.ndarray] | None = None
    grey, found, widened = None, list[Line](), dict[tuple, Line]()
    passed: list[tuple[int, np.ndarray]] = []  # samples not read since the last reading: (index, grey)
    for when, image in _samples(video, sampler, threads):
        before, grey = grey, image[::REDUCE, ::REDUCE, 1].astype(np.float32)  # green is near enough luma
        cells = text_cells(grey, before)
        if last is None or _needs_reading(last, when, cells, grey, sampler.cuts):
            read_grey = None if last is None else last[2]
            last, found, reads = (
                (when, cells, grey),
                read_frame(reader(threads), enlarged(image), widened),
                reads + 1,
            )
            for n in _shown_since(passed, read_grey, grey):
                lines[n] = (lines[n][0], found)
            passed = []
        else:
            passed.append((len(lines), grey))
        lines.append((when, found))
    texts = group_readings(lines, duration or (lines[-1][0] if lines else 0.0))
    took = time.monotonic() - started
    log.info("screen: %d frames sampled, %d read, %d texts in %.1f s", len(lines), reads, len(texts), took)
    return ScreenReading(tuple(texts), tuple(round(c, 3) for c in sampler.cuts), len(lines), reads, took)


# rapidocr's first import loads its configuration with OmegaConf, which is not thread-safe: drafts of a batch
# (--jobs > 1, threads) that read their screens at once failed in it. One reader is built at a time.
_READER_LOCK = threading.Lock()
_READERS: dict[int, Any] = {}  # the readers built in this process, by their count of threads


def reader(threads: int = 2) -> Any:
    """RapidOCR on the model files inside its wheel (it never downloads), without the angle classifier;
    built once a process for each count of threads.

    A Ctrl-C waits for the build (about 1.5 s the first time, 0.05 s after): OmegaConf would turn it into
    an error of its own, or lose it (see :mod:`video2blog.pipeline.signals`).

    Raises:
        UsageError: rapidocr is not installed.
    """
    with _READER_LOCK:
        if threads not in _READERS:
            with held_signals():
                _READERS[threads] = build_reader(threads)
        return _READERS[threads]


def build_reader(threads: int) -> Any:
    """A new RapidOCR reader (see :func:`reader`, which keeps one and holds Ctrl-C while it is built)."""
    from video2blog.pipeline.errors import UsageError

    try:
        import rapidocr
    except ImportError as exc:
        raise UsageError(MISSING) from exc
    models = Path(rapidocr.__file__).parent / "models"
    paths = {key: str(models / name) for key, name in MODEL_FILES.items()}
    for path in paths.values():
        if not Path(path).is_file():
            raise UsageError(f"rapidocr's model file {path} is missing; reinstall rapidocr")
    params = {
        **paths,
        "Global.use_cls": False,
        "Global.log_level": "error",
        "Det.limit_side_len": SAMPLE_WIDTH,
        "Det.limit_type": "max",
        "EngineConfig.onnxruntime.intra_op_num_threads": threads,
        "EngineConfig.onnxruntime.inter_op_num_threads": 1,
    }
    return rapidocr.RapidOCR(params=params)


def enlarged(image: np.ndarray) -> np.ndarray:
    """A frame narrower than :data:`SAMPLE_WIDTH` enlarged to it for OCR: the detector finds small text
    over a busy scene whole at that size, and in pieces or not at all at 640 px."""
    height, width = image.shape[:2]
    if width >= SAMPLE_WIDTH:
        return image
    import cv2

    size = (SAMPLE_WIDTH, round(height * SAMPLE_WIDTH / width))
    return cv2.resize(image, size, interpolation=cv2.INTER_CUBIC)


def read_frame(ocr: Any, image: np.ndarray, widened: dict[tuple, Line] | None = None) -> list[Line]:
    """The blocks of text OCR reads in one BGR frame, each line read again across the frame's width
    (:func:`widen`; ``widened`` keeps what lines already read became), lines of one block joined."""
    lines = _read_lines(ocr, image)
    memo = {} if widened is None else widened
    for n, line in enumerate(lines):
        key = (line.text, *(round(v * 50) for v in line.box))
        if key not in memo:
            memo[key] = widen(ocr, image, line)
        lines[n] = memo[key]
    return join_lines(_distinct(lines))


def _distinct(lines: list[Line]) -> list[Line]:
    """The lines, each once: pieces of one line read again in its strip come back as that line twice."""
    kept: list[Line] = []
    for line in lines:
        if not any(k.text == line.text and _overlap(k, line) for k in kept):
            kept.append(line)
    return kept


def _overlap(a: Line, b: Line) -> bool:
    across = min(a.box[2], b.box[2]) - max(a.box[0], b.box[0])
    down = min(a.box[3], b.box[3]) - max(a.box[1], b.box[1])
    return across > 0 and down > 0


def _read_lines(ocr: Any, image: np.ndarray, top: int = 0, full_height: int = 0) -> list[Line]:
    found = ocr(image, use_det=True, use_cls=False, use_rec=True)
    if found.boxes is None or found.txts is None:
        return []
    height, width = image.shape[:2]
    return [
        Line(" ".join(text.split()), float(score), _box(points, width, full_height or height, top))
        for text, score, points in zip(found.txts, found.scores, found.boxes)
        if float(score) >= MIN_SCORE and sum(c.isalnum() for c in text) >= MIN_CHARS
    ]


def widen(ocr: Any, image: np.ndarray, line: Line) -> Line:
    """A line read again in a strip of the frame as wide as the frame and :data:`BAND` line heights
    above and below it: over a busy scene the whole frame's detection finds part of a lower third
    ("after a knee replacement"); in a strip of its own the line is found whole. The longest line of
    the strip that overlaps ``line`` across and holds its text replaces it."""
    height = image.shape[0]
    tall = line.box[3] - line.box[1]
    top = max(0, int((line.box[1] - BAND * tall) * height))
    bottom = min(height, int((line.box[3] + BAND * tall) * height) + 1)
    found = [
        x
        for x in _read_lines(ocr, image[top:bottom], top, height)
        if min(x.box[2], line.box[2]) > max(x.box[0], line.box[0]) and _holds(x.text, line.text)
    ]
    best = max(found, key=lambda x: len(x.text), default=line)
    return best if len(best.text) > len(line.text) else line


def _holds(longer: str, shorter: str) -> bool:
    """Whether ``longer`` holds ``shorter`` (a few characters read differently aside)."""
    match = SequenceMatcher(None, longer.lower(), shorter.lower(), autojunk=False)
    return sum(block.size for block in match.get_matching_blocks()) >= SAME_TEXT * len(shorter)


def _box(points: np.ndarray, width: int, height: int, top: int = 0) -> tuple[float, float, float, float]:
    xs, ys = np.asarray(points)[:, 0], np.asarray(points)[:, 1] + top
    return (
        round(float(xs.min()) / width, 4),
        round(float(ys.min()) / height, 4),
        round(float(xs.max()) / width, 4),
        round(float(ys.max()) / height, 4),
    )


def join_lines(lines: list[Line]) -> list[Line]:
    """Lines of one block as one: a question wrapped onto two lines (each line under the last within
    :data:`LINE_GAP` line heights, overlapping it across, at a similar height), or a lower third's
    smaller title line under its name, aligned on the same left edge ("Dr. Sarah Patel, MD" over "Pain
    Medicine Specialist" gives "Dr. Sarah Patel, MD, Pain Medicine Specialist")."""
    blocks: list[list[Line]] = []
    for line in sorted(lines, key=lambda x: (x.box[1], x.box[0])):
        home = next((b for b in blocks if _continues(b[-1], line)), None)
        if home is None:
            blocks.append([line])
        else:
            home.append(line)
    return [_merge(block) for block in blocks]


def _continues(above: Line, below: Line) -> bool:
    if above.text.endswith("?"):
        return False  # a question's last line: a name under it is another block
    high_a, high_b = above.box[3] - above.box[1], below.box[3] - below.box[1]
    gap = below.box[1] - above.box[3]
    across = min(above.box[2], below.box[2]) - max(above.box[0], below.box[0])
    ratio = high_b / max(high_a, 1e-6)
    similar = SAME_HEIGHT[0] <= ratio <= SAME_HEIGHT[1]
    aligned = abs(below.box[0] - above.box[0]) <= ALIGNED_EDGE * high_a  # a lower third's two lines
    titled = aligned and SMALLER_LINE <= ratio < SAME_HEIGHT[0]
    return (similar or titled) and across > 0 and -0.5 * high_a <= gap <= LINE_GAP * high_a


def _smaller(above: Line, below: Line) -> bool:
    """Whether ``below`` is a smaller title line than ``above`` (not a wrapped line of the same size)."""
    return (below.box[3] - below.box[1]) < SAME_HEIGHT[0] * (above.box[3] - above.box[1])


def _merge(block: list[Line]) -> Line:
    text = block[0].text
    for above, below in zip(block, block[1:]):  # a smaller title line is a name's apposition
        text += (", " if _smaller(above, below) else " ") + below.text
    box = (
        min(x.box[0] for x in block),
        min(x.box[1] for x in block),
        max(x.box[2] for x in block),
        max(x.box[3] for x in block),
    )
    return Line(text.replace(",, ", ", "), min(x.score for x in block), box)


def text_cells(grey: np.ndarray, before: np.ndarray | None) -> np.ndarray:
    """Cells of a frame that look like text: dense in strong edges and unchanged since the sample
    before (text stands still while a scene or background moves). ``grey``: a reduced luma frame."""
    rows, cols = grey.shape[0] // CELL, grey.shape[1] // CELL
    area = grey[: rows * CELL, : cols * CELL]
    edges = np.zeros(area.shape, bool)
    edges[:, 1:] |= np.abs(np.diff(area, axis=1)) > EDGE
    edges[1:, :] |= np.abs(np.diff(area, axis=0)) > EDGE
    dense = edges.reshape(rows, CELL, cols, CELL).mean(axis=(1, 3)) >= EDGE_SHARE
    if before is None or before.shape != grey.shape:
        return dense
    moved = np.abs(area - before[: rows * CELL, : cols * CELL]).reshape(rows, CELL, cols, CELL)
    return dense & (moved.mean(axis=(1, 3)) < STILL)


def _needs_reading(
    last: tuple[float, np.ndarray, np.ndarray],
    when: float,
    cells: np.ndarray,
    grey: np.ndarray,
    cuts: list[float],
) -> bool:
    """Whether a sampled frame needs reading: a cut since the last reading; its text-like cells differ
    from those of the last reading in at least :data:`MIN_CELLS` cells, :data:`MIN_GAP_S` on; or the
    picture moved and the last reading is :data:`RECHECK_S` old (text over a busy moving scene, whose
    cells never stand still)."""
    then, read_cells, read_grey = last
    if any(then < cut <= when for cut in cuts) or any(0 <= then - cut < AFTER_CUT_S for cut in cuts[-2:]):
        return True  # a cut, or the sample after one (a lower third comes up as the new shot settles)
    if when - then < MIN_GAP_S - 1e-3:
        return False
    if read_cells.shape != cells.shape or int((read_cells ^ cells).sum()) >= MIN_CELLS:
        return True
    return when - then >= RECHECK_S - 1e-3 and float(np.abs(grey - read_grey).mean()) >= MOTION


def _shown_since(
    passed: list[tuple[int, np.ndarray]], read: np.ndarray | None, grey: np.ndarray
) -> list[int]:
    """The samples passed over (:data:`MIN_GAP_S`) that already showed what a new reading of ``grey`` read:
    the last of them in which the edge-dense cells that changed from the reading before (``read``) to the
    new one had changed, all but :data:`YET_TO_CHANGE` of them. New text is dated from when it came up,
    not from the next reading (up to 2 s late). Edges alone, as text that just came up has not stood still
    yet; over a moving scene they change from sample to sample, and the reading keeps its own time."""
    now = text_cells(grey, None)
    then = None if read is None else text_cells(read, None)
    if then is None or then.shape != now.shape:
        return []
    changed = int((then ^ now).sum())
    shown: list[int] = []
    for n, picture in reversed(passed):
        cells = text_cells(picture, None)
        if changed < MIN_CELLS or cells.shape != now.shape or (cells ^ now).sum() > YET_TO_CHANGE * changed:
            break
        shown.append(n)
    return shown


def _samples(video: Path, sampler: _Sampler, threads: int) -> Iterator[tuple[float, np.ndarray]]:
    """Frames (time, BGR at :data:`SAMPLE_WIDTH`) at each hard cut and about once a second between."""
    import av

    try:
        with av.open(str(video)) as container:
            stream = container.streams.video[0]
            if stream.disposition & av.stream.Disposition.attached_pic:
                return  # an audio file's cover art: no pictures to read
            stream.thread_type, stream.thread_count = "AUTO", threads
            for frame in _frames(container, stream):
                if frame.time is not None and _wanted(sampler, float(frame.time), _histogram(frame)):
                    yield float(frame.time), upright(frame)
    except (av.error.FFmpegError, IndexError, ValueError, OSError) as exc:
        why = f"cannot read the pictures for on-screen text ({exc}); try --no-video-text"
        raise InputError(why, video) from exc


def _frames(container: Any, stream: Any) -> Iterator[Any]:
    """The stream's pictures; a packet the decoder refuses (a few damaged bytes) is passed over, as
    ffmpeg does, unless most are refused: then the pictures cannot be read.

    Raises:
        av.error.InvalidDataError: more than :data:`DAMAGED_SHARE` of the packets are damaged.
    """
    import av

    damaged = total = 0
    for packet in container.demux(stream):
        total += 1
        try:
            yield from packet.decode()
        except av.error.InvalidDataError:
            damaged += 1
            if damaged > DAMAGED_MIN and damaged > DAMAGED_SHARE * total:
                raise
    if damaged:
        log.warning("%d of %d video packets were damaged; on-screen text read from the rest", damaged, total)


def upright(frame: Any) -> np.ndarray:
    """The frame as it is shown (BGR, at most :data:`SAMPLE_WIDTH` wide): turned by the rotation the
    video states, as a phone records a portrait or an upside-down video (the text reads upside down or
    sideways in the stored picture)."""
    turns = round(float(getattr(frame, "rotation", 0) or 0) / 90) % 4  # counter-clockwise quarter turns
    shown_width, shown_height = (frame.height, frame.width) if turns % 2 else (frame.width, frame.height)
    width = min(SAMPLE_WIDTH, shown_width)
    height = max(2, round(shown_height * width / shown_width / 2) * 2)
    size = {"width": height, "height": width} if turns % 2 else {"width": width, "height": height}
    picture = frame.to_ndarray(format="bgr24", **size)
    return np.ascontiguousarray(np.rot90(picture, turns)) if turns else picture


def _histogram(frame: Any) -> np.ndarray:
    """The share of every :data:`THUMB_STEP`-th luma pixel in each of :data:`HIST_BINS` grey levels."""
    plane = frame.planes[0]
    rows = np.frombuffer(plane, np.uint8).reshape(-1, plane.line_size)[: frame.height, : frame.width]
    counts = np.bincount(rows[::THUMB_STEP, ::THUMB_STEP].ravel() >> 3, minlength=HIST_BINS)
    return counts / max(1, counts.sum())


def _wanted(sampler: _Sampler, when: float, histogram: np.ndarray) -> bool:
    """Record a cut where the picture's grey levels changed; sample at cuts and once a second."""
    before, sampler.previous = sampler.previous, histogram
    cut = before is not None and float(np.abs(histogram - before).sum()) / 2 >= CUT_SCORE
    if cut and when - sampler.last_cut >= CUT_GAP_S:
        sampler.cuts.append(when)
        sampler.last_cut = when
    if cut or when - sampler.last_sample >= SAMPLE_EVERY_S - 1e-3:
        sampler.last_sample = when
        return True
    return False


def group_readings(samples: list[tuple[float, list[Line]]], duration: float) -> list[ScreenText]:
    """Readings over time as texts shown from a first to a last sample, each with its most common reading.

    A text is shown until the first sample that no longer holds it; one shown for at least
    :data:`PERSISTENT_SHARE` of ``duration`` is persistent.
    """
    open_tracks: list[_Track] = []
    done: list[_Track] = []
    for i, (when, lines) in enumerate(samples):
        step = samples[i + 1][0] - when if i + 1 < len(samples) else SAMPLE_EVERY_S
        still: list[_Track] = []
        for line in lines:
            track = next((t for t in open_tracks if t not in still and _same(t.readings[-1], line)), None)
            if track is None:
                track = _Track([], when, when)
            track.readings.append(line)
            track.last, track.end, track.seen = when, when + step, track.seen + step
            still.append(track)
        done += [t for t in open_tracks if t not in still]
        open_tracks = still
    tracks = sorted(done + open_tracks, key=lambda t: (t.start, t.readings[0].box[1]))
    return [
        _text(t, _persistent([u for u in tracks if _same(u.readings[0], t.readings[0])], duration))
        for t in tracks
    ]


def _persistent(appearances: list[_Track], duration: float) -> bool:
    """Whether a text (all its appearances in the same place) belongs to the video, not to a moment: shown
    for :data:`PERSISTENT_SHARE` of it, or back :data:`RECURRING` times or more over that share (a logo
    that a busy scene makes unreadable now and then, or that cards hide)."""
    if duration <= 0:
        return False
    share = PERSISTENT_SHARE * duration
    spread = max(t.end for t in appearances) - min(t.start for t in appearances)
    return sum(t.seen for t in appearances) >= share or (len(appearances) >= RECURRING and spread >= share)


def _same(a: Line, b: Line) -> bool:
    close = SequenceMatcher(None, a.text.lower(), b.text.lower()).ratio() >= SAME_TEXT
    return close and _overlap(a, b)


def _text(track: _Track, persistent: bool) -> ScreenText:
    text = Counter(r.text for r in track.readings).most_common(1)[0][0]
    box = next(r.box for r in track.readings if r.text == text)
    confidence = float(np.mean([r.score for r in track.readings]))
    return ScreenText(text, round(track.start, 3), round(track.end, 3), round(confidence, 4), box, persistent)


# Bump when what a reading holds or how it is made changes: older cached readings are then read again.
SCREEN_CACHE_VERSION = 6


def _cache_path(cache_dir: Path, sha256: str) -> Path:
    return cache_dir / "screen" / f"{sha256}-v{SCREEN_CACHE_VERSION}.json"


def read_cached_screen(cache_dir: Path | None, sha256: str) -> ScreenReading | None:
    """A cached reading of the video with this SHA-256, or None when absent or unreadable."""
    if cache_dir is None:
        return None
    try:
        data = json.loads(_cache_path(cache_dir, sha256).read_text(encoding="utf-8"))
        texts = tuple(screen_text_from_dict(t) for t in data["texts"])
        cuts = tuple(float(c) for c in data["cuts"])
        return ScreenReading(texts, cuts, int(data["frames"]), int(data["read"]), float(data["seconds"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def write_cached_screen(cache_dir: Path | None, sha256: str, reading: ScreenReading) -> None:
    """Keep a reading in the cache; a cache that cannot be written is only logged."""
    if cache_dir is None or reading.note:
        return
    path = _cache_path(cache_dir, sha256)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, to_json(asdict(reading)))
    except OSError as exc:
        cache_unwritable(log, "the on-screen text cache", path.parent, exc)
