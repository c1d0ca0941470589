"""Transcribe stage: media in, timed words out, through the chosen engine and a cache."""

from __future__ import annotations

import functools
import hashlib
import itertools
import json
import logging
import re
import shutil
from collections.abc import Callable
from contextlib import closing
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import numpy as np

from video2blog.pipeline.engines import Engine, EngineOptions, ProgressCallback, get_engine, prompt
from video2blog.pipeline.errors import InputError, UsageError
from video2blog.pipeline.ingest import language, media, missed, prosody
from video2blog.pipeline.output import atomic_write
from video2blog.pipeline.progress import cache_unwritable, report_stage
from video2blog.pipeline.schema import Transcript, Word
from video2blog.pipeline.serialize import to_json, transcript_from_dict, transcript_to_dict
from video2blog.pipeline.textutil import bom_encoding, distinct_terms, language_name, normalise_term

log = logging.getLogger(__name__)

# 2: audio on the media's timeline, missed speech heard again; 3: no sampling, a second try, notes;
# 4: each word's pitch and rise (ingest/prosody.py); 5: numpy's BLAS on one thread (engines/faster.py);
# 6: sound that starts after the picture laid that late on the timeline (media.timeline)
CACHE_VERSION = 6


@dataclass(frozen=True)
class TranscribeOptions:
    """Which engine runs, how, and where transcripts are cached (None: no cache).

    ``window_s`` bounds memory: the media is decoded and transcribed that many seconds at a time.
    ``audio_track`` (from 1) picks one of several audio tracks; 0 takes the one with speech.
    """

    engine: str = "faster-whisper"
    engine_options: EngineOptions = field(default_factory=EngineOptions)
    cache_dir: Path | None = None
    window_s: float = media.WINDOW_SECONDS
    audio_track: int = 0


# A clinic's glossary is hundreds of terms; these bounds refuse a dictionary or a wrong file at once.
GLOSSARY_MAX_BYTES = 2 << 20
GLOSSARY_MAX_TERMS = 100_000


def load_glossary(path: Path) -> tuple[str, ...]:
    """Terms from a glossary file: one a line, blank lines and ``#`` comments skipped, each normalised.

    Terms are normalised as :func:`~video2blog.pipeline.textutil.normalise_term` says (NFC,
    invisible and control characters removed) and kept once each, in the file's order; terms that differ
    only in case are one, spelt as the file first writes it (see
    :func:`~video2blog.pipeline.textutil.distinct_terms`), with a warning naming the others.

    Raises:
        UsageError: the file cannot be read, is not a plain file, is too big or holds too many terms,
            holds a NUL, or a line holds only invisible characters.
    """
    text = _glossary_text(path)
    lines = text.splitlines()
    written = [t for t in (_glossary_term(path, n, line) for n, line in enumerate(lines, 1)) if t]
    terms = distinct_terms(written)
    kept = set(terms)
    merged = [t for t in dict.fromkeys(written) if t not in kept]
    if merged:
        log.warning(
            "%s: %d term(s) differ from earlier only in case (%s); the draft spells each as first written",
            path,
            len(merged),
            ", ".join(merged[:5]) + (", ..." if len(merged) > 5 else ""),
        )
    if len(terms) > GLOSSARY_MAX_TERMS:
        raise UsageError(
            f"{path}: the glossary holds {len(terms):,} terms, more than the {GLOSSARY_MAX_TERMS:,} allowed; "
            "keep the clinic's own terms (names, drugs, procedures), not a dictionary"
        )
    return terms


def _glossary_text(path: Path) -> str:
    """The glossary file's text, read only if it is a plain file of at most GLOSSARY_MAX_BYTES."""
    if path.exists() and not path.is_file():  # a named pipe would wait for a writer, a device never end
        raise UsageError(
            f"{path}: is not a plain file; give the glossary as a UTF-8 text file, one term a line"
        )
    try:
        with path.open("rb") as handle:
            data = handle.read(GLOSSARY_MAX_BYTES + 1)
        if len(data) > GLOSSARY_MAX_BYTES:
            raise UsageError(
                f"{path}: the glossary is larger than {GLOSSARY_MAX_BYTES >> 20} MiB; "
                "keep the clinic's own terms (names, drugs, procedures), not a dictionary"
            )
        return data.decode(bom_encoding(data) or "utf-8")  # a UTF-16 file says so in its first bytes
    except (OSError, UnicodeDecodeError) as exc:
        why = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        raise UsageError(
            f"{path}: cannot read the glossary ({why}); give a UTF-8 text file, one term a line"
        ) from exc


_COMMENT = re.compile(r"(?:^|\s)#")
# Separators left at a term's ends ("- ketamine" as a list, "laser hair removal — #1 choice" once its note
# is cut): no part of the term, which would otherwise be written into the prose wherever the term is said.
_TERM_EDGES = " \t-\u2010\u2013\u2014:;,|*\u2022"


def _glossary_term(path: Path, number: int, line: str) -> str:
    """The term on one line of a glossary ("" for a blank or comment line)."""
    if "\0" in line:
        raise UsageError(f"{path}: line {number} holds a NUL character; save the glossary as plain text")
    raw = _COMMENT.split(line, 1)[0]  # "# ..." or "term  # note"; a "#" inside a term stays ("C#")
    term = normalise_term(raw).strip(_TERM_EDGES)
    if raw.strip() and not any(ch.isalnum() for ch in term):
        raise UsageError(
            f"{path}: line {number} holds no term, only invisible characters or punctuation; "
            "delete the line or write the term"
        )
    return term


def glossary_holds(term: str) -> bool:
    """Whether ``term``, written as a line of a glossary, reads back as itself: a "#" that starts it or
    follows a space would start a comment ("# nurse" would be no term at all)."""
    return _COMMENT.search(term) is None


def glossary_prompt(terms: tuple[str, ...], budget: int = prompt.PROMPT_TOKENS) -> str | None:
    """A prompt that biases Whisper toward the glossary's hardest spellings, within ``budget`` tokens.

    Only some terms fit (see :mod:`video2blog.pipeline.engines.prompt`); the correction stage
    respells near-misses of all of them.
    """
    return prompt.join_terms(prompt.choose_terms(terms, budget))


# The talk's opening: what the recogniser hears of it without a prompt chooses a long glossary's terms.
OPENING_S = 30.0


def hear_opening(info: media.MediaInfo, sha256: str, options: TranscribeOptions) -> Transcript:
    """What the engine hears of the talk's first :data:`OPENING_S` seconds without a prompt, decoding
    greedily as the language check does (about 3 s of tiny.en on 2 cores), kept in the cache: the glossary
    terms it says are the ones worth a long glossary's prompt.

    Raises:
        InputError: the audio cannot be decoded, or is cut short (before any of it is heard).
    """
    plain = replace(options.engine_options, hotwords=None, initial_prompt=None, beam_size=1)
    options = _with_language(replace(options, engine_options=plain, window_s=OPENING_S))
    key = cache_key(sha256, options)
    cached = read_cached(options.cache_dir, key)
    if cached is not None:
        return cached
    track = media.choose_track(info, options.audio_track)
    info = media.with_cancelled_channel(info, track)
    media.check_reaches_end(info, track)  # a cut file is refused before the model is loaded
    name = media.display_path(info.path.name)
    report_stage(log, "transcribe", "hearing the opening of %s for the glossary's terms", name)
    heard = _hear_head(options, functools.partial(_head, info, track))
    write_cached(options.cache_dir, key, heard)
    return heard


def prompt_tokens(text: str) -> int:
    """Tokens ``text`` takes in Whisper's prompt."""
    return prompt.count_tokens(text)


def transcribe_media(
    info: media.MediaInfo, sha256: str, options: TranscribeOptions, progress: ProgressCallback | None = None
) -> Transcript:
    """Transcribe a probed media file, reusing a cached transcript of the same content and settings.

    Raises:
        InputError: the audio cannot be decoded or holds no recognisable speech.
    """
    options = _with_language(options)  # before the key: a language asked for changes model and prompt
    key = cache_key(sha256, options)
    cached = read_cached(options.cache_dir, key)
    if cached is not None:
        report_stage(
            log,
            "transcribe",
            "reusing cached transcript %s (heard by %s %s; language: %s)",
            key[:12],
            cached.engine,
            cached.model,
            language_name(cached.language or "en"),
        )
        return cached
    track = media.choose_track(info, options.audio_track)
    info = media.with_cancelled_channel(info, track)
    media.check_reaches_end(info, track)  # a cut file is refused before the model is loaded
    head, faster = functools.cache(lambda: _head(info, track)), options.engine == "faster-whisper"
    detect = _once(language.base_detector)  # base names the language of the same opening at most once
    hear_head = functools.partial(_hear_head, options, head)
    early = language.opening_choice(
        options.engine_options, hear_head, head, options.cache_dir, faster, detect
    )
    if early is not None:  # the opening is not English: base hears the talk, tiny.en never all of it
        report_stage(log, "language", "not English: hearing it with Whisper base (%s)", early.language)
        options = replace(options, engine_options=early)
    transcript = _hear(options, info, track, progress, sha256)
    # a language other than English asked by name (--language es): English, the library's default and what
    # tiny.en hears, is never second-guessed, so an English draft costs nothing more
    asked = options.engine_options.language
    if asked not in (None, "en") and early is None and faster and language.base_installed():
        note = language.heard_otherwise(asked, head, options.engine_options, options.cache_dir, detect)
        transcript = replace(transcript, notes=(note, *transcript.notes)) if note else transcript
    named = _named_by_base(transcript, options, head, detect) if faster else ""
    transcript = replace(transcript, notes=(named, *transcript.notes)) if named else transcript
    later = functools.partial(_head, info, track, 1)
    again = language.second_hearing(
        transcript, options.engine_options, head, options.cache_dir, faster, detect, later
    )
    if again is not None:
        report_stage(log, "language", "not English: hearing it again with Whisper base (%s)", again.language)
        options = replace(options, engine_options=again)
        transcript = _hear(options, info, track, progress, sha256)
    if not transcript.words:
        raise InputError(_no_speech(info, track) + _maybe_foreign(options), info.path)
    transcript = transcript if options.audio_track else _with_tracks_note(transcript, info, track)
    write_cached(options.cache_dir, key, transcript)
    return transcript


def _named_by_base(
    transcript: Transcript,
    options: TranscribeOptions,
    head: Callable[[], np.ndarray],
    detect: language.Detector,
) -> str:
    """With ``--model base`` and ``--language auto``: the language named and how surely (a line, and a
    note where unsure: :func:`.language.named_by_base`); "" for any other choice."""
    opts = options.engine_options
    if opts.language is not None or language.english_only(opts.model) or not transcript.words:
        return ""
    return language.named_by_base(transcript.language, head, opts, options.cache_dir, detect)


def _with_tracks_note(transcript: Transcript, info: media.MediaInfo, track: int) -> Transcript:
    """The transcript with a note naming the track chosen among several, logged as a warning too."""
    note = media.tracks_note(info, track, transcript.language or "en")
    if note is None:
        return transcript
    log.warning("%s", note)
    return replace(transcript, notes=(note, *transcript.notes))


def _maybe_foreign(options: TranscribeOptions) -> str:
    """What to add to "no speech": tiny.en hears nothing at all of most speech in other languages."""
    opts = options.engine_options
    if opts.language is not None or not language.english_only(opts.model) or language.base_installed():
        return ""  # base, where installed, has already been asked which language this is
    return f"; or it is not English, which {opts.model or 'tiny.en'} cannot hear: {language.INSTALL_BASE}"


def _hear(
    options: TranscribeOptions,
    info: media.MediaInfo,
    track: int,
    progress: ProgressCallback | None,
    sha256: str,
) -> Transcript:
    report_stage(log, "model", "loading the %s model", options.engine)
    engine = get_engine(options.engine, options.engine_options, options.cache_dir)
    report_stage(log, "transcribe", "transcribing %s", media.display_path(info.path.name))
    heard = WindowCache(options.cache_dir, cache_key(sha256, options))
    transcript = transcribe_windows(
        engine, info, options.window_s, progress, track, _plain(options), _second(options), heard
    )
    heard.clear()  # heard whole: the windows are no longer needed
    return transcript


def _with_language(options: TranscribeOptions) -> TranscribeOptions:
    """The options with the model that hears the language asked for (``--language``): see :mod:`.language`."""
    chosen = language.choose_model(options.engine_options)  # both engines load the base extra's model
    return replace(options, engine_options=language.with_style_prompt(chosen))


def _once(detector: Callable[[], language.Detector]) -> language.Detector:
    """The detector ``detector`` gives, asked at most once of each stretch of audio: the calls of one
    transcription name the same opening (and maybe the stretch after it)."""
    remembered: list[tuple[np.ndarray, tuple[str, float]]] = []

    def detect_once(audio: np.ndarray, options: EngineOptions, cache_dir: Path | None) -> tuple[str, float]:
        named = next((said for heard, said in remembered if heard is audio), None)
        if named is None:
            named = detector()(audio, options, cache_dir)
            remembered.append((audio, named))
        return named

    return detect_once


def _hear_head(options: TranscribeOptions, head: Callable[[], np.ndarray]) -> Transcript:
    """What the engine hears of the talk's opening, only to judge whether it is English: decoding greedily
    (tiny.en's beam search spent 13 s on 30 s of Spanish, greedy 2.5 s; of the 34 Spanish talks' openings
    each way judges all but one not English) and hearing nothing again."""
    greedy, samples = replace(options.engine_options, beam_size=1), head()
    heard = get_engine(options.engine, greedy, options.cache_dir).transcribe(samples)
    return replace(heard, duration=len(samples) / media.SAMPLE_RATE)


def _head(info: media.MediaInfo, track: int, skip: int = 0) -> np.ndarray:
    """The first 30 s (or less) of the audio, for language detection; with ``skip``, the window that many
    after it (empty past the end)."""
    with closing(media.iter_track(info, track, 30.0)) as windows:
        first = next(itertools.islice(windows, skip, None), None)
    return first.samples if first is not None else np.zeros(0, dtype=np.float32)


def _plain(options: TranscribeOptions) -> Callable[[], Engine] | None:
    """Builds, once and only when called, the engine without a prompt that hears missed speech again.

    None when the engine has no prompt: it would only hear the same again.
    """
    prompted = options.engine_options
    if not (prompted.hotwords or prompted.initial_prompt):
        return None
    plain = replace(prompted, hotwords=None, initial_prompt=None)
    return functools.cache(lambda: get_engine(options.engine, plain, options.cache_dir))


def _second(options: TranscribeOptions) -> Callable[[], Engine]:
    """Builds, once and only when called, the engine of the second try at speech still missed."""
    second = replace(options.engine_options, hotwords=None, initial_prompt=None, second_try=True)
    return functools.cache(lambda: get_engine(options.engine, second, options.cache_dir))


def _no_speech(info: media.MediaInfo, track: int) -> str:
    count = len(info.tracks)
    if count <= 1:
        return "no speech was recognised in the sound track"  # noise or a tone is no silent track
    return (
        f"no speech was recognised in audio track {track} of the {count} it has; "
        f"choose another with --audio-track (1 to {count})"
    )


def transcribe_windows(
    engine: Engine,
    info: media.MediaInfo,
    window_s: float,
    progress: ProgressCallback | None = None,
    track: int = 1,
    again: Callable[[], Engine] | None = None,
    second: Callable[[], Engine] | None = None,
    heard: WindowCache | None = None,
) -> Transcript:
    """Transcribe the media one window at a time (see :func:`media.iter_audio`) and join the words.

    Windows are cut in pauses and follow each other with no overlap, so each
    word is heard in exactly one window; its times are shifted by the window's
    start. Progress is reported in seconds of the whole media. Speech a window's
    words miss is heard again by the engines ``again`` (no prompt) and ``second`` build where
    given, and what is still missed is warned about and kept in the transcript's ``notes`` (see
    :mod:`~video2blog.pipeline.ingest.missed`), as is audio that stops a little short. Each window
    heard is kept in ``heard`` (the cache) until the whole is: a run stopped part-way (Ctrl-C, a
    batch cancelled) goes on from the first window it had not heard.

    Raises:
        InputError: the audio cannot be decoded, or stops well short of its declared length.
    """
    words: list[Word] = []
    notes: list[str] = []
    first: Transcript | None = None
    decoded = 0.0
    with closing(media.iter_track(info, track, window_s)) as windows:
        for n, window in enumerate(windows):
            part = heard.read(n, window) if heard else None
            if part is None:
                whole = window.start == 0 and window.duration >= info.duration - 1.0  # the talk in one window
                shown = _window_progress(progress, window, info.duration)
                part = _hear_window(engine, window, shown, again, second, whole)
                if heard:
                    heard.write(n, window, part)
            elif progress is not None:
                progress(window.start + window.duration, info.duration or window.start + window.duration)
            words.extend(part.words)
            notes.extend(part.notes)
            first, decoded = first or part, window.start + window.duration
    cut = media.check_complete(info, decoded, track, (first.language if first else None) or "en")
    return replace(
        first or Transcript(words=()),
        words=tuple(words),
        duration=info.duration or decoded,
        notes=(*notes, *([cut] if cut else [])),
    )


def _hear_window(
    engine: Engine,
    window: media.AudioWindow,
    progress: ProgressCallback | None,
    again: Callable[[], Engine] | None,
    second: Callable[[], Engine] | None,
    whole: bool = False,
) -> Transcript:
    """One window's words (speech missed heard again), with their pitch, timed in the media."""
    part = engine.transcribe(window.samples, progress)
    part = missed.rehear(part, window.samples, again, window.start, second, whole)
    return replace(part, words=tuple(_shifted(prosody.with_pitch(part.words, window.samples), window)))


def _window_progress(
    progress: ProgressCallback | None, window: media.AudioWindow, total: float
) -> ProgressCallback | None:
    if progress is None:
        return None
    return lambda done, _: progress(float(window.start + done), total or window.start + window.duration)


def _shifted(words: tuple[Word, ...], window: media.AudioWindow) -> list[Word]:
    """Words timed in the media, kept within their window so that windows stay in order."""

    def at(t: float) -> float:
        return round(window.start + min(max(t, 0.0), window.duration), 3)

    return [replace(w, start=at(w.start), end=at(w.end)) for w in words]


class WindowCache:
    """The windows of one transcription heard so far (``transcripts/<key>.windows/<n>.json``), each with
    its place in the media, so that a stopped run goes on where it stopped; gone once the whole is cached."""

    def __init__(self, cache_dir: Path | None, key: str) -> None:
        self.folder = cache_dir / "transcripts" / f"{key}.windows" if cache_dir else None

    def read(self, n: int, window: media.AudioWindow) -> Transcript | None:
        """Window ``n`` as heard before, if it was cut at the same place; else None."""
        if self.folder is None:
            return None
        try:
            data = json.loads((self.folder / f"{n}.json").read_text(encoding="utf-8"))
            if [data["start"], data["samples"]] != [window.start, len(window.samples)]:
                return None
            return transcript_from_dict(data["heard"])
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def write(self, n: int, window: media.AudioWindow, part: Transcript) -> None:
        if self.folder is None:
            return
        data = {"start": window.start, "samples": len(window.samples), "heard": transcript_to_dict(part)}
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            atomic_write(self.folder / f"{n}.json", to_json(data))
        except OSError as exc:
            cache_unwritable(log, "a transcribed window", self.folder, exc)

    def clear(self) -> None:
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)


def cache_key(sha256: str, options: TranscribeOptions) -> str:
    """Content hash + engine + every setting that changes the words."""
    settings = {
        "v": CACHE_VERSION,
        "media": sha256,
        "engine": options.engine,
        "window": options.window_s,  # long media is heard in windows of this length
        "ffmpeg": media.ffmpeg_version(),  # another ffmpeg decodes other samples, so hears other words
        **asdict(options.engine_options),
    }
    settings.pop("threads", None)  # thread count changes speed, not words
    if options.audio_track:
        settings["track"] = options.audio_track
    if options.engine_options.language is None:  # the talk's language is chosen as it is heard
        settings["style_prompts"] = language.style_prompts_digest()
        settings["choice"] = language.CHOICE_VERSION
    files = model_files(options.engine_options.model)
    if files:
        settings["model_files"] = files
    return hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()


def model_files(model: str | None) -> list[tuple[str, int, int]]:
    """Name, size and modification time of the files of a model given as a folder or file (a model
    converted or fine-tuned again into the same folder hears other words), or [] for a model name."""
    if not model:
        return []
    path = Path(model).expanduser()
    try:
        found = [path] if path.is_file() else sorted(p for p in path.iterdir() if p.is_file())
        return [(p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in found]
    except OSError:
        return []  # a name ("tiny.en", "base"), not a path here


def read_cached(cache_dir: Path | None, key: str) -> Transcript | None:
    """A cached transcript, or None when absent or unreadable."""
    if cache_dir is None:
        return None
    try:
        data = json.loads((cache_dir / "transcripts" / f"{key}.json").read_text(encoding="utf-8"))
        return transcript_from_dict(data)
    except (OSError, ValueError, KeyError, TypeError):
        return None


def write_cached(cache_dir: Path | None, key: str, transcript: Transcript) -> None:
    """Store a transcript in the cache; a cache that cannot be written is only logged."""
    if cache_dir is None:
        return
    folder = cache_dir / "transcripts"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        atomic_write(folder / f"{key}.json", to_json(transcript_to_dict(transcript)))
    except OSError as exc:
        cache_unwritable(log, "the transcript cache", folder, exc)
