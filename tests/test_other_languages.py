"""Talks in languages other than English and Spanish: the words as heard, no English or Spanish rules."""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import subprocess
import sys
from dataclasses import replace
from html import escape, unescape
from pathlib import Path

import pytest

from tests.conftest import SAMPLE, make_words, run_ffmpeg
from video2blog.pipeline.engines import EngineOptions
from video2blog.pipeline.engines.models import base_installed
from video2blog.pipeline.ingest import language
from video2blog.pipeline.run import DraftOptions, make_draft
from video2blog.pipeline.schema import RelatedPost, Source, Transcript
from video2blog.pipeline.serialize import to_json, transcript_to_dict
from video2blog.pipeline.text import locales
from video2blog.pipeline.textutil import language_name, message, messages
from video2blog.pipeline.writers.formats import RenderContext, render_all

CLI = Path(sys.executable).parent / "video2blog"


def _cli(*args: str, cache: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "XDG_CACHE_HOME": str(cache)}
    command = [str(CLI), *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=600, check=False)


def _heard(tmp_path: Path, text: str, language: str) -> Path:
    """A transcript.json of ``text`` heard word by word in ``language``."""
    words = make_words(text)
    duration = words[-1].end + 1
    transcript = Transcript(words=words, language=language, duration=duration, engine="faster-whisper")
    path = tmp_path / "heard" / "transcript.json"
    path.parent.mkdir()
    path.write_bytes(to_json(transcript_to_dict(transcript)))
    return path


def test_french_elisions_the_recogniser_split_off_are_written_against_their_word(tmp_path):
    """Whisper base writes "l 'arrivée", "C 'est" as two words: the post and captions read "l'arrivée"."""
    said = "C 'est normal avant l 'arrivée de l 'épidémie. Il faut d 'abord se faire vacciner, c 'est simple."
    heard = _heard(tmp_path, said, "fr")
    run = _cli("draft", str(heard), "--out", str(tmp_path / "out"), cache=tmp_path / "cache")
    assert run.returncode == 0, run.stderr
    post = (tmp_path / "out" / "post.md").read_text(encoding="utf-8")
    captions = (tmp_path / "out" / "captions.vtt").read_text(encoding="utf-8").replace("\n", " ")
    for text in (post, captions):
        assert "C'est normal avant l'arrivée de l'épidémie." in text
        assert " '" not in text


def _srt(sentences: list[str]) -> str:
    """An SRT of one cue per sentence, three seconds each."""
    times = [(f"00:00:{3 * i:02d},000", f"00:00:{3 * i + 3:02d},000") for i in range(len(sentences))]
    return "\n".join(f"{i}\n{a} --> {b}\n{s}\n" for i, ((a, b), s) in enumerate(zip(times, sentences)))


WRITTEN = {
    "fr": [
        "Bonjour, je suis le docteur Petit et je réponds à vos questions sur le diabète.",
        "Est-ce que je peux manger des fruits ?",
        "Oui, mais il faut préférer le fruit entier au jus, et en manger deux par jour.",
        "C'est une bonne source de fibres pour les patients qui ont du mal avec le sucre.",
    ],
    "pt": [
        "Olá, eu sou a doutora Costa e hoje falo sobre a tensão arterial.",
        "Posso beber café todos os dias?",
        "Sim, pode, mas não mais do que duas chávenas, e prefira beber em vez de sumo um copo de água.",
        "O sal também é importante: use menos sal na comida e faça exercício com regularidade.",
    ],
    "de": [
        "Hallo, ich bin Doktor Braun und heute geht es um Rückenschmerzen.",
        "Soll ich mich bei Rückenschmerzen schonen?",
        "Nein, in den meisten Fällen ist Bewegung besser als Ruhe, und ein kurzer Spaziergang hilft.",
        "Wenn die Schmerzen nach zwei Wochen nicht besser sind, kommen Sie bitte in die Praxis.",
    ],
    "it": [
        "Buongiorno, sono la dottoressa Rossi e oggi parliamo della pressione alta.",
        "Posso bere il caffè ogni giorno?",
        "Sì, ma non più di due tazze al giorno, e è meglio bere molta acqua.",
        "Il sale è importante: usate meno sale nei piatti e fate una passeggiata ogni giorno.",
    ],
}


OTHER_SCRIPTS = {
    "ru": [
        "Здравствуйте, я доктор Иванова.",
        "Что такое кетамин?",
        "Кетамин это анестетик, который используют в больницах уже много лет.",
    ],
    "el": [
        "Γεια σας, είμαι η γιατρός Παππά και σήμερα μιλάμε για την κεταμίνη.",
        "Τι είναι η κεταμίνη;",
        "Η κεταμίνη είναι αναισθητικό που χρησιμοποιείται στα νοσοκομεία εδώ και χρόνια.",
    ],
    "hi": [
        "नमस्ते, मैं डॉक्टर शर्मा हूँ।",
        "केटामाइन क्या है?",
        "केटामाइन एक बेहोशी की दवा है जो कई सालों से अस्पतालों में इस्तेमाल होती है।",
    ],
}


def test_a_talk_in_another_script_is_addressed_by_its_words_and_titled_by_its_first_question(tmp_path):
    """Every Russian or Greek post got the slug "draft", so a batch's posts collided, and a short Russian
    talk was titled by its greeting, not its first question: the slug keeps the letters as WordPress's
    sanitize_title does, and the question asked in the opening titles the post."""
    slugs = {}
    for code, sentences in OTHER_SCRIPTS.items():
        srt = tmp_path / f"{code}.srt"
        srt.write_text(_srt(sentences), encoding="utf-8")
        out = tmp_path / code
        run = _cli("draft", str(srt), "--language", code, "--out", str(out), cache=tmp_path / "cache")
        assert run.returncode == 0, run.stderr
        slugs[code] = json.loads((out / "draft.json").read_text())["slug"]
        again = _cli("draft", str(out / "transcript.json"), "--out", str(out), cache=tmp_path / "cache")
        assert again.returncode == 0, again.stderr  # the folder's draft.json reads back
    russian = json.loads((tmp_path / "ru" / "draft.json").read_text())
    assert russian["title"] == "Что такое кетамин?"
    assert slugs["ru"] == "что-такое-кетамин"
    assert 'slug: "что-такое-кетамин"' in (tmp_path / "ru" / "post.md").read_text(encoding="utf-8")
    greek = json.loads((tmp_path / "el" / "draft.json").read_text())
    assert greek["title"] == "Τι είναι η κεταμίνη;"  # Greek asks with ";", its question mark
    assert slugs["el"] == "τι-είναι-η-κεταμίνη"
    hindi = json.loads((tmp_path / "hi" / "draft.json").read_text())
    assert hindi["title"] == "केटामाइन क्या है?"  # the danda ends the greeting's sentence


def test_a_slug_made_before_other_scripts_kept_their_letters_still_follows_a_new_title(tmp_path):
    """A folder drafted before slugs kept Cyrillic letters has the slug "draft" (and a Latin title with a
    Greek letter an ASCII one): it was made from the title, so a new title still gives a new slug."""
    from video2blog.pipeline.editing.post_meta import retitled
    from video2blog.pipeline.serialize import draft_from_dict

    srt = tmp_path / "ru.srt"
    srt.write_text(_srt(OTHER_SCRIPTS["ru"]), encoding="utf-8")
    run = _cli("draft", str(srt), "--language", "ru", "--out", str(tmp_path / "ru"), cache=tmp_path / "cache")
    assert run.returncode == 0, run.stderr
    old = replace(draft_from_dict(json.loads((tmp_path / "ru" / "draft.json").read_text())), slug="draft")
    assert retitled(old, "Как действует кетамин?").slug == "как-действует-кетамин"
    kept = replace(old, slug="my-own-address")  # one the editor set is kept
    assert retitled(kept, "Как действует кетамин?").slug == "my-own-address"


def test_a_caption_file_in_another_language_is_drafted_in_it_not_as_english_or_spanish(tmp_path):
    """French and Portuguese captions were drafted as Spanish (German as English): Spanish "¿" on French
    questions, and Spanish fillers took the Portuguese "em" out of "em vez de"."""
    for code, sentences in WRITTEN.items():
        srt = tmp_path / f"{code}.srt"
        srt.write_text(_srt(sentences), encoding="utf-8")
        out = tmp_path / code
        run = _cli("draft", str(srt), "--out", str(out), cache=tmp_path / "cache")
        assert run.returncode == 0, run.stderr
        assert json.loads((out / "draft.json").read_text())["language"] == code
        assert f'<html lang="{code}">' in (out / "post.html").read_text(encoding="utf-8")
        assert "¿" not in (out / "post.md").read_text(encoding="utf-8")
    assert "prefira beber em vez de sumo" in (tmp_path / "pt" / "post.md").read_text(encoding="utf-8")


def test_a_caption_file_whose_language_cannot_be_told_is_refused_in_one_line(tmp_path):
    """Vietnamese has no function words listed: drafted as English before, with English rules."""
    srt = tmp_path / "hoi-dap.srt"
    said = [
        "Tôi có nên tập thể dục mỗi ngày không?",
        "Có, bạn nên tập từ từ, mỗi ngày đi bộ ba mươi phút.",
        "Uống thuốc đều đều và ăn ít muối là điều quan trọng nhất.",
    ]
    srt.write_text(_srt(said), encoding="utf-8")
    run = _cli("draft", str(srt), "--out", str(tmp_path / "out"), cache=tmp_path / "cache")
    assert run.returncode == 1 and "Traceback" not in run.stderr
    assert run.stderr.strip().splitlines() == [
        f"video2blog: error: {srt}: cannot tell the caption file's language; pass --language"
    ]
    assert not (tmp_path / "out").exists()
    run = _cli("draft", str(srt), "--out", str(tmp_path / "vi"), "--language", "vi", cache=tmp_path / "cache")
    assert run.returncode == 0, run.stderr


def test_words_said_twice_stay_in_a_language_whose_stutters_are_not_known(tmp_path):
    """Doubling is grammar in Vietnamese ("từ từ", gradually; "đều đều", regularly): the repetition rule,
    made for English and Spanish stutters, took one of each out. Italian's article "i" is no English "I"."""
    said = {
        "vi": ["Tôi có nên tập thể dục không?", "Có, bạn nên tập từ từ và uống thuốc đều đều mỗi ngày."],
        "it": ["Posso dare il farmaco ai bambini?", "Sì, per i bambini è molto molto sicuro, e poi basta."],
    }
    for code, sentences in said.items():
        srt = tmp_path / f"{code}.srt"
        srt.write_text(_srt(sentences), encoding="utf-8")
        out = tmp_path / code
        run = _cli("draft", str(srt), "--out", str(out), "--language", code, cache=tmp_path / "cache")
        assert run.returncode == 0, run.stderr
        assert json.loads((out / "draft.json").read_text())["removals"] == []
        post = (out / "post.md").read_text(encoding="utf-8")
        assert sentences[1] in post, post


def test_a_short_german_answer_is_no_heading_and_the_question_before_it_heads_its_section(tmp_path):
    """The English rules for spoken titles took "Nicht unbedingt." (not necessarily) for a title, and the
    question it answers ended the section before."""
    said = [
        "Hallo, ich bin Doktor Weber und beantworte heute Ihre Fragen zur Schilddrüse.",
        "Wie oft muss ich meine Blutwerte kontrollieren lassen?",
        "Am Anfang alle sechs Wochen, und wenn die Werte stabil sind, reicht später einmal im Jahr.",
        "Muss ich die Tabletten für immer nehmen?",
        "Nicht unbedingt.",
        "Wenn die Werte lange gut bleiben, können wir die Dosis langsam senken.",
    ]
    srt = tmp_path / "schilddruese.srt"
    srt.write_text(_srt(said), encoding="utf-8")
    out = tmp_path / "out"
    run = _cli("draft", str(srt), "--out", str(out), "--language", "de", cache=tmp_path / "cache")
    assert run.returncode == 0, run.stderr
    sections = json.loads((out / "draft.json").read_text())["sections"]
    headings = [s["heading"] for s in sections if s["heading_source"] == "spoken"]
    assert headings == [said[1], said[3]]


def _english_phrases() -> list[str]:
    """The English catalogue's fixed phrases (two words or more, between its placeholders)."""
    pieces = (re.split(r"\{\w+\}", v) for v in messages("en").values())
    stripped = (p.strip(' .:·()"%,').lower() for ps in pieces for p in ps)
    return [p for p in stripped if len(p.split()) >= 2]


def test_a_french_post_is_titled_and_headed_by_its_questions_with_no_english_and_a_warning(tmp_path):
    """Another language got English fixed strings under its own tag ("Pendant: your questions answered",
    "Bonjour and suis"), its function words for title and keywords, and no word that it was so."""
    said = [
        *WRITTEN["fr"],
        "Combien de temps dure le traitement du diabète ?",
        "En général toute la vie, mais la dose peut changer avec le poids et avec le sport.",
    ]
    srt, glossary = tmp_path / "diabete.srt", tmp_path / "termes.txt"
    srt.write_text(_srt(said), encoding="utf-8")
    glossary.write_text("diabète\nmetformine\n", encoding="utf-8")
    out = tmp_path / "out"
    run = _cli("draft", str(srt), "--out", str(out), "--glossary", str(glossary), cache=tmp_path / "cache")
    assert run.returncode == 0, run.stderr
    warnings = [line for line in run.stderr.splitlines() if line.startswith("video2blog: warning:")]
    assert warnings == [
        "video2blog: warning: French: drafted as heard; video2blog's text stages are made for English and "
        "Spanish (see the note in draft.json)"
    ]
    draft = json.loads((out / "draft.json").read_text())
    assert draft["notes"][0].startswith("French: video2blog's text stages are made for English and Spanish")
    assert draft["title"] == "Est-ce que je peux manger des fruits?"
    assert draft["keywords"] == ["diabète"]  # the glossary's, not "pendant", "contre", "deux"
    headings = [s["heading"] for s in draft["sections"] if not s["lead"]]
    assert headings == [
        "Est-ce que je peux manger des fruits?",
        "Combien de temps dure le traitement du diabète?",
    ]
    post = (out / "post.md").read_text(encoding="utf-8")
    assert "## Bonjour" not in post and post.index(said[0]) < post.index("## Est-ce que")
    text = " ".join((out / name).read_text(encoding="utf-8") for name in ("post.md", "post.html")).lower()
    assert not [e for e in _english_phrases() if e in unescape(text)]


def test_the_post_s_own_fixed_strings_are_not_english_under_another_language_s_tag():
    """The byline is the name alone; the --medical disclaimer and the related posts' line, which have no
    French, are marked as English in post.html."""
    words = make_words("Bonjour, je suis le docteur Petit. Est-ce que je peux manger des fruits ?")
    transcript = Transcript(words=words, language="fr", duration=words[-1].end + 1)
    transcript = locales.split_sentences(transcript)
    draft = make_draft(transcript, Source("fruits.mp4", "0", 10.0), DraftOptions(date="2026-01-01"))
    related = RelatedPost("Le sucre", "le-sucre", "sucre", "")
    draft = replace(draft, byline="Dr Paul Petit", related=(related,))
    files = render_all(RenderContext(draft, transcript, medical=True), ("md", "html"))
    md, html = files["post.md"].decode(), files["post.html"].decode()
    assert "*Dr Paul Petit*" in md and '<p class="byline">Dr Paul Petit</p>' in html
    assert '<p class="medical-disclaimer" lang="en">' in html
    assert '<p lang="en">' + escape(messages("en")["related_intro"]) in html


def test_a_recogniser_loop_in_a_language_without_a_catalogue_makes_no_long_heading():
    """A 1,400-character loop token of Whisper base became a heading ("Medir and elszúbútótótó...")."""
    loop = "elsz" + "ó" * 1400
    text = f"Ez egy hosszú mondat a cukorbetegségről. {loop} ebben a részben a mérésről beszélünk."
    transcript = locales.split_sentences(Transcript(words=make_words(text), language="hu", duration=900.0))
    draft = make_draft(transcript, Source("m.mp4", "0", 900.0), DraftOptions(date="2026-01-01"))
    assert all(len(s.heading) <= locales.HEADING_LIMIT for s in draft.sections)
    assert len(draft.title) <= locales.HEADING_LIMIT


@pytest.mark.skipif(not base_installed(), reason="the 'base' extra is not installed")
def test_an_english_talk_drafted_as_spanish_is_warned_of_in_english_naming_the_languages(tmp_path):
    """The operator's warning was the Spanish note with bare codes ("la voz suena a en, no a es...")."""
    clip = tmp_path / "clip.m4a"
    run_ffmpeg("-ss", "10", "-t", "12", "-i", str(SAMPLE), "-vn", "-c:a", "aac", str(clip))
    run = _cli(
        "draft",
        str(clip),
        "--out",
        str(tmp_path / "out"),
        "--language",
        "es",
        "--formats",
        "md",
        cache=tmp_path / "cache",
    )
    assert run.returncode == 0, run.stderr
    warned = [line for line in run.stderr.splitlines() if "sounds like" in line]
    assert len(warned) == 1, run.stderr
    assert warned[0].startswith(
        "video2blog: warning: the speech sounds like English, not Spanish as --language asked (Whisper base: "
    )
    notes = json.loads((tmp_path / "out" / "draft.json").read_text())["notes"]
    assert any(n.startswith("la voz suena a en, no a es como pidió --language") for n in notes)  # the file's


LANGUAGE_LINE = re.compile(r"^\[\d+:\d\d\] language: (\w+) \((\w+), p=(\d\.\d\d)\)$", re.M)


@pytest.mark.skipif(not base_installed(), reason="the 'base' extra is not installed")
@pytest.mark.skipif(not shutil.which("espeak-ng"), reason="espeak-ng (Debian package) is missing")
def test_model_base_names_the_language_it_detected_and_warns_when_unsure(tmp_path):
    """--model base --language auto took espeak-ng's French for Hungarian (p=0.36) without a word."""
    clip = tmp_path / "vaccin.wav"
    said = (
        "Bonjour, je suis la docteure Martin. Est-ce que le vaccin contre la grippe est dangereux pour les "
        "femmes enceintes ? Non, le vaccin est sûr pendant la grossesse. Il protège la mère et aussi le bébé "
        "pendant les premiers mois."
    )
    subprocess.run(["espeak-ng", "-v", "fr", "-s", "135", "-w", str(clip), said], check=True)
    out = tmp_path / "out"
    args = ("--model", "base", "--language", "auto", "--formats", "md,draft")
    run = _cli("draft", str(clip), "--out", str(out), *args, cache=tmp_path / "cache")
    assert run.returncode == 0, run.stderr
    named = LANGUAGE_LINE.findall(run.stderr)
    assert len(named) == 1, run.stderr
    name, code, p = named[0]
    assert code == json.loads((out / "draft.json").read_text())["language"] and name == language_name(code)
    unsure = [line for line in run.stderr.splitlines() if "Whisper base is unsure" in line]
    notes = json.loads((out / "draft.json").read_text())["notes"]
    assert bool(unsure) == (float(p) < 0.75) == any("language unsurely" in n for n in notes)
    assert float(p) < 0.75  # espeak-ng's French voice is heard unsurely (0.62 here): the warning is said


def test_an_unsure_language_is_a_warning_and_a_note_and_a_sure_one_only_a_line(caplog):
    def heard(name: str, p: float) -> language.Detector:
        return lambda *_: (name, p)

    head, opts = lambda: None, EngineOptions(model="base")
    caplog.set_level(logging.INFO)
    assert language.named_by_base("fr", head, opts, None, heard("fr", 0.93)) == ""  # type: ignore[arg-type]
    assert [r.getMessage() for r in caplog.records] == ["language: French (fr, p=0.93)"]
    caplog.clear()
    note = language.named_by_base("hu", head, opts, None, heard("hu", 0.36))  # type: ignore[arg-type]
    assert note == message("hu", "note_language_unsure", code="hu", p="0.36")
    assert next(r.getMessage() for r in caplog.records) == "language: Hungarian (hu, p=0.36)"
    caplog.clear()
    note = language.named_by_base("hu", head, opts, None, heard("la", 0.36))  # type: ignore[arg-type]
    assert note == message("hu", "note_language_unsure", code="hu/la", p="0.36")
    assert next(r.getMessage() for r in caplog.records) == (
        "language: Hungarian (hu; its opening sounds like Latin, p=0.36)"
    )
    caplog.clear()
    language.named_by_base("hu", head, opts, None, heard("hu", 0.36))  # type: ignore[arg-type]
    warned = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warned == [
        "Whisper base is unsure of this talk's language (Hungarian, p=0.36): a draft in the wrong language "
        "is gibberish; if it is in another, draft it again with --language (such as --language fr)"
    ]


def test_a_language_is_taken_by_name_or_region_tag_and_tiny_en_refuses_it_before_reading(tmp_path):
    """ "--language french" and "fr-FR" were unknown languages; "--model tiny.en --language fr" was refused
    only after the file was read."""
    srt = tmp_path / "fruits.srt"
    srt.write_text(_srt(WRITTEN["fr"]), encoding="utf-8")
    for given in ("French", "fr-FR", "fr_fr"):
        out = tmp_path / given
        run = _cli("draft", str(srt), "--out", str(out), "--language", given, cache=tmp_path / "cache")
        assert run.returncode == 0, run.stderr
        assert json.loads((out / "draft.json").read_text())["language"] == "fr"
    args = ("--model", "tiny.en", "--language", "fr")
    run = _cli("draft", str(SAMPLE), "--out", str(tmp_path / "out"), *args, cache=tmp_path / "cache")
    assert run.returncode == 1 and "reading" not in run.stderr
    assert run.stderr.strip().splitlines() == [
        "video2blog: error: tiny.en only hears English, not a talk in 'fr'; use --model base (multilingual)"
    ]
