"""Clinic videos made for social media, drafted with the real command: burned-in subtitles all through the
talk, question cards, a name card, a call to action and a banner, in landscape and cropped to 9:16. The
talk (four answers, no spoken questions) is spoken by espeak-ng; the pictures are drawn with ffmpeg."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import wave
from dataclasses import dataclass
from pathlib import Path

import docx
import numpy as np
import pytest
from typer.testing import CliRunner

from tests.conftest import run_ffmpeg
from tests.test_browser import browser  # noqa: F401 (fixture)
from tests.test_review_server import COMMAND
from tests.test_review_server import start as serve
from tools.images import grey
from tools.screen_video import Shown, Style, render
from video2blog.cli import app

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not shutil.which("espeak-ng"), reason="espeak-ng (Debian package) is missing"),
]

ANSWERS = (
    "Ketamine tends to help most with nerve pain, which we call neuropathic pain. That includes complex "
    "regional pain syndrome and post herpetic neuralgia after shingles. It is usually not our first choice "
    "for a simple sprain.",
    "You sit in a comfortable chair with a small drip in your arm for about an hour. Most patients feel "
    "relaxed and a little floaty. A nurse checks your blood pressure throughout the session.",
    "Most insurance plans do not cover the infusions yet. A single session costs around four hundred dollars "
    "at our clinic. We offer payment plans for a series of treatments.",
    "At the low doses we use, ketamine has a long safety record. It can raise blood pressure and cause "
    "nausea, so we monitor you closely. You will need someone to drive you home afterwards.",
)
QUESTIONS = (
    "What type of pain does ketamine treat?",
    "What does an infusion feel like?",
    "Does insurance cover ketamine?",
    "Is ketamine safe?",
)
LEAD_S, GAP_S = 1.0, 1.5  # silence before the first answer and between answers
BANNER = "PCC"  # the clinic's logo, top right all through the video
NURSE = "Ana Ruiz, Nurse Practitioner"
CALL = "Call us today: (555) 013-4567"
BOOK = "Book now at paincare.example.com"
DOCTOR = "Dr. Ana Ruiz, MD - Pain Medicine Specialist"
SLIDE = "Paying for treatment\n- Self-pay about $400\n- Payment plans\n- HSA and FSA accepted"


@dataclass(frozen=True)
class Talk:
    audio: Path
    answers: tuple[tuple[float, float], ...]  # each answer's (start, end), seconds
    duration: float


@dataclass(frozen=True)
class Drafted:
    video: Path
    folder: Path
    draft: dict
    talk: Talk


@pytest.fixture(scope="module")
def talk(tmp_path_factory: pytest.TempPathFactory) -> Talk:
    return speak(tmp_path_factory.mktemp("speech"))


def speak(d: Path) -> Talk:
    """The four answers spoken one after another, with pauses between them."""
    frames, spans, rate, t = b"", [], 22050, LEAD_S
    for n, answer in enumerate(ANSWERS):
        wav = d / f"{n}.wav"
        subprocess.run(["espeak-ng", "-v", "en-us", "-s", "150", "-w", str(wav), answer], check=True)
        with wave.open(str(wav)) as w:
            rate, width, data = w.getframerate(), w.getsampwidth(), w.readframes(w.getnframes())
        pause = bytes(width * int(rate * (LEAD_S if n == 0 else GAP_S)))
        frames += pause + data
        t += 0.0 if n == 0 else GAP_S
        spans.append((t, t + len(data) / width / rate))
        t = spans[-1][1]
    frames += bytes(width * int(rate * GAP_S))
    with wave.open(str(d / "talk.wav"), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(width)
        out.setframerate(rate)
        out.writeframes(frames)
    run_ffmpeg("-i", str(d / "talk.wav"), "-c:a", "aac", str(d / "talk.m4a"))
    return Talk(d / "talk.m4a", tuple(spans), len(frames) / width / rate)


def subtitles(talk: Talk) -> list[Shown]:
    """Each sentence in pieces of at most 42 characters, each shown for its share of the sentence's time."""
    shown = []
    for answer, (start, end) in zip(ANSWERS, talk.answers):
        at, step = start, (end - start) / len(answer)
        for sentence in re.split(r"(?<=[.!?]) ", answer):
            for piece in _pieces(sentence):
                shown.append(Shown(piece, at, at + step * len(piece) - 0.04, "caption"))
                at += step * (len(piece) + 1)
    return shown


def _pieces(sentence: str) -> list[str]:
    pieces, line = [], ""
    for word in sentence.split():
        if line and len(line) + len(word) + 1 > 42:
            pieces.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return [*pieces, line]


def draft_video(video: Path, out: Path, talk: Talk) -> Drafted:
    result = CliRunner().invoke(app, ["draft", str(video), "--out", str(out)])
    assert result.exit_code == 0, result.output
    return Drafted(video, out, json.loads((out / "draft.json").read_text()), talk)


@pytest.fixture(scope="module")
def social(talk: Talk, tmp_path_factory: pytest.TempPathFactory) -> Drafted:
    d = tmp_path_factory.mktemp("social")
    return draft_video(social_video(talk, d / "social.mp4"), d / "draft", talk)


def social_video(talk: Talk, video: Path) -> Path:
    """Landscape: subtitles all through, a question card as each answer begins (the second and fourth
    swapped), a nurse's name card, a call to action at the end, and the clinic's logo throughout."""
    order = (0, 3, 2, 1)
    starts = [start for start, _ in talk.answers]
    cards = [Shown(QUESTIONS[q], start - 0.2, start + 3.0, "card") for q, start in zip(order, starts)]
    others = [
        Shown(NURSE, talk.answers[0][0] + 5.0, talk.answers[0][0] + 10.0, "lower-third"),
        Shown(CALL, talk.answers[3][0] + 3.5, talk.answers[3][0] + 8.0, "lower-third"),
        Shown(BOOK, talk.answers[3][1] - 3.0, talk.duration, "lower-third"),
    ]
    style = Style(background="gradient", logo=BANNER, size=0.06, place=0.12)
    shown = [*cards, *others, *subtitles(talk)]
    render(video, talk.duration, shown, style, audio=talk.audio, size=(640, 360))
    return video


@pytest.fixture(scope="module")
def vertical(talk: Talk, tmp_path_factory: pytest.TempPathFactory) -> Drafted:
    d = tmp_path_factory.mktemp("vertical")
    return draft_video(vertical_video(talk, d / "vertical.mp4"), d / "draft", talk)


def vertical_video(talk: Talk, video: Path) -> Path:
    """9:16 with overlays sized for a landscape frame, as where a landscape clip is cropped for phones:
    the longer question cards, the name card and a bullet slide run past the frame's edges."""
    cards = [Shown(q, start - 0.2, start + 3.0, "card") for q, (start, _) in zip(QUESTIONS, talk.answers)]
    name = Shown(DOCTOR, talk.answers[0][0] + 5.0, talk.answers[0][0] + 11.0, "name")
    at, end = talk.answers[2][0] + 3.0, talk.answers[2][1]
    shown = [*cards, name, Shown(SLIDE, at, end, "slide")]
    style = Style(background="gradient", logo=BANNER, size=0.04, place=0.12)
    render(video, talk.duration, shown, style, audio=talk.audio, size=(540, 960))
    return video


def _headings(drafted: Drafted, source: str = "on-screen") -> list[str]:
    return [s["heading"] for s in drafted.draft["sections"] if s["heading_source"] == source]


def test_burned_in_subtitles_are_captions_never_headings(social: Drafted):
    """Subtitles became the post's headings ("It is usually not our first choice for a", one a sentence),
    a lower-case one capitalised ("Syndrome and post herpetic neuralgia after"), one left with no text
    under it; the question cards still head their answers."""
    captions = [t["text"] for t in social.draft["screen_text"] if t["caption"]]
    assert len(captions) >= 12, social.draft["screen_text"]
    shown = _headings(social)
    assert set(QUESTIONS) <= set(shown), shown
    assert not {h.lower() for h in shown} & {c.lower() for c in captions}, shown
    assert all(s["paragraphs"] for s in social.draft["sections"])


def test_a_name_card_with_its_role_spelled_out_is_the_byline_and_a_call_to_action_no_heading(social: Drafted):
    """ "Ana Ruiz, Nurse Practitioner" and "Call us today: (555) 013-4567" headed sections and became
    YouTube chapters, and the post had no byline."""
    assert social.draft["byline"] == NURSE
    headings = [s["heading"] for s in social.draft["sections"]]
    assert not [h for h in headings if NURSE in h or "555" in h or "example.com" in h], headings
    chapters = (social.folder / "chapters.txt").read_text()
    assert "Ruiz" not in chapters and "555" not in chapters, chapters


def test_text_cut_off_at_the_frames_edge_is_no_heading_nor_byline(vertical: Drafted):
    """Landscape overlays on a 9:16 frame: "Vhat does an infusion feel like" and "Oes insurance cover
    ketamine" headed answers, the byline read "Dr. Ana Ruiz, MD - Pa", and the cropped bullet slide
    became a heading."""
    cut = [t["text"] for t in vertical.draft["screen_text"] if t["box"][0] <= 0.01 or t["box"][2] >= 0.99]
    assert len(cut) >= 3, vertical.draft["screen_text"]  # the longer cards, the name card and the slide
    shown = _headings(vertical)
    assert shown == ["Is ketamine safe?"], shown  # the one card that fits the frame
    assert vertical.draft["byline"] == ""


def test_a_sections_still_shows_the_speaker_not_its_question_card(social: Drafted, tmp_path: Path):
    """With subtitles on every frame, every frame counted as one "with a card", and the sharpest of all,
    the question card, was the still under its own heading (and the post's featured image)."""
    sections = [s for s in social.draft["sections"] if s["heading"] in QUESTIONS]
    assert len(sections) == 4
    for n, section in enumerate(sections):
        card, at = tmp_path / f"card{n}.jpg", f"{section['start'] + 1.0:.2f}"
        run_ffmpeg("-ss", at, "-i", str(social.video), "-frames:v", "1", str(card))
        still = grey((social.folder / section["image"]).read_bytes(), (64, 36))
        assert np.abs(still - grey(card.read_bytes(), (64, 36))).mean() > 12, section["heading"]


def test_a_video_with_burned_in_captions_says_so_and_its_cues_are_not_all_moved_up(social: Drafted):
    """The subtitles in the lowest third sent every cue of captions.vtt to the top, and nothing said
    the video already shows captions: uploading captions.srt would show the words twice."""
    assert any("already shows captions" in note for note in social.draft["notes"]), social.draft["notes"]
    cues = (social.folder / "captions.vtt").read_text().split("\n\n")[1:]
    up = [cue for cue in cues if "line:0" in cue.splitlines()[0]]
    assert len(up) <= len(cues) // 2, up  # only those shown over the name card and the calls to action


def test_cards_shown_out_of_order_are_flagged_and_each_offered_to_the_others_answer(social: Drafted):
    """ "Is ketamine safe?" came up over the infusion answer and "What does an infusion feel like?" over
    the safety answer: both were used as they were, and the review page showed them as the talk's own."""
    sections = {s["heading"]: s for s in social.draft["sections"]}
    safe, infusion = sections["Is ketamine safe?"], sections["What does an infusion feel like?"]
    assert "What does an infusion feel like?" in [g["text"] for g in safe["suggestions"]]
    assert "Is ketamine safe?" in [g["text"] for g in infusion["suggestions"]]
    (note,) = [n for n in social.draft["notes"] if "order of the cards" in n]
    assert "Is ketamine safe?" in note and "What does an infusion feel like?" in note
    assert not [g for s in social.draft["sections"] for g in s["suggestions"] if g["text"] in QUESTIONS[:3:2]]
    page = (social.folder / "review.html").read_text()
    assert page.count('class="section shown"') == len(_headings(social)) == 4


def test_the_words_on_screen_correct_the_same_words_misheard(social: Drafted):
    """The subtitles read "ketamine" while the post said "Catamine" and "catamine" was a keyword: the
    words on screen now act as glossary terms."""
    text = " ".join(p["text"] for s in social.draft["sections"] for p in s["paragraphs"]).lower()
    assert "catamine" not in text and "ketamine" in text
    assert "catamine" not in social.draft["keywords"] and "ketamine" in social.draft["keywords"]


PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True}
MEASURE = """() => [
  document.getElementById("player").clientWidth,
  document.querySelector(".pane").getBoundingClientRect().height,
  document.documentElement.scrollWidth,
  document.getElementById("save").getBoundingClientRect().right,
]"""


def test_a_portrait_videos_stills_are_capped_and_its_player_usable_on_a_phone(vertical: Drafted, browser):  # noqa: F811
    """Every still of a 9:16 video was 540x960 in post.html (some 1190 px tall each down the post), and on a
    phone the review page's player, 22% of the screen tall, showed the picture 105 px wide."""
    html = (vertical.folder / "post.html").read_text()
    sizes = [(int(w), int(h)) for w, h in re.findall(r'<img [^>]*width="(\d+)" height="(\d+)"', html)]
    assert sizes and all(h <= 600 and abs(w / h - 9 / 16) < 0.02 for w, h in sizes), sizes
    shapes = docx.Document(str(vertical.folder / "post.docx")).inline_shapes
    assert shapes and all(s.height <= docx.shared.Inches(4.6) < s.width * 2 for s in shapes)  # not 10.7 in
    server = serve([str(COMMAND), "review", str(vertical.folder), "--no-browser"])
    try:
        phone = browser.new_context(**PHONE).new_page()
        phone.goto(server.url)
        phone.wait_for_function("document.documentElement.dataset.editReady === '1'")
        phone.wait_for_function("document.getElementById('player').readyState >= 1")
        shown = phone.evaluate(MEASURE)
    finally:
        server.stop()
    width, pane, scroll, save = shown
    assert width >= 160, shown  # the picture was 105 px wide
    assert pane <= 0.4 * 844 and scroll <= 390 and save <= 390, shown  # the draft keeps its share
