"""The post's own fields under the editor's edits, without a browser: the title, description and byline
an editor writes, the description following a rewrite of what it quotes, the slug and keywords following
a fixed word until the post is published, and all of it replayed by a redraft."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import make_transcript
from tests.test_review import sample_context
from video2blog.cli import app
from video2blog.pipeline.editing import store
from video2blog.pipeline.editing.edits import Edit, apply_edits, describe, edit_from_dict
from video2blog.pipeline.editing.server import published_sites
from video2blog.pipeline.errors import UsageError
from video2blog.pipeline.output import OutputFolder
from video2blog.pipeline.run import DraftOptions, make_draft
from video2blog.pipeline.schema import Source
from video2blog.pipeline.text.sentences import split_sentences
from video2blog.pipeline.textutil import message
from video2blog.pipeline.writers.formats import RenderContext, render_all

MARDOX = (
    "Hello, I am Doctor Lee. What is Mardox? Mardox is a purified protein that relaxes the muscles of the "
    "head. It blocks the pain signals behind a migraine. How long does Mardox last? Mardox lasts about "
    "three months for most of my patients with migraine."
)
FORMATS = ("draft", "md", "html", "docx", "review", "json", "srt", "vtt")


def _mardox():
    transcript = split_sentences(make_transcript(MARDOX))
    draft = make_draft(transcript, Source("botox.mp4", "0" * 64, 30.0), DraftOptions(date="2026-01-01"))
    return draft, transcript


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A draft folder of the Mardox talk, as `video2blog draft` writes it."""
    draft, transcript = _mardox()
    out = tmp_path / "draft"
    output = OutputFolder(out)
    for name, data in render_all(RenderContext(draft, transcript, out_dir=out), FORMATS).items():
        output.add(name, data)
    output.commit()
    return out


def test_title_description_and_byline_are_edits_of_their_own():
    draft, transcript = sample_context().draft, sample_context().transcript
    assert draft.title == "Script: your questions answered"  # a bad title the editor must be able to fix
    edits = [
        Edit("title", text="  Ketamine   for nerve pain "),
        Edit("description", text="How ketamine helps nerve pain, and what an infusion is like."),
        Edit("byline", text="Dr. Alex Rivera, MD"),
    ]
    applied = apply_edits(draft, transcript, edits)
    assert applied.draft.title == "Ketamine for nerve pain"
    assert applied.draft.slug == "ketamine-for-nerve-pain"  # the address follows the title
    assert applied.draft.description == "How ketamine helps nerve pain, and what an infusion is like."
    assert applied.draft.byline == "Dr. Alex Rivera, MD"
    assert [e.was for e in applied.edits] == [draft.title, draft.description, ""]
    assert edit_from_dict({"op": "title", "text": "x"}) == Edit("title", text="x")
    assert describe(edits[0]) == "title 'Ketamine for nerve pain'"  # as a redraft names one it left out
    cleared = apply_edits(applied.draft, transcript, [Edit("byline", text=" ")]).draft
    assert cleared.byline == ""  # a misread byline can be taken off


@pytest.mark.parametrize("op", ["title", "description"])
def test_a_title_or_description_cannot_be_emptied(op: str):
    ctx = sample_context()
    with pytest.raises(UsageError, match=f"{op}: the post needs a {op}"):
        apply_edits(ctx.draft, ctx.transcript, [Edit(op, text="  ")])


def test_a_rewritten_paragraph_carries_its_description_along():
    ctx = sample_context()
    draft, transcript = ctx.draft, ctx.transcript
    assert draft.description == "Each infusion takes about forty minutes in a quiet room."
    old = draft.sections[1].paragraphs[0].text

    def rewritten(new: str, described: bool = False) -> str:
        edit = Edit("paragraph", section=1, paragraph=0, text=new)
        return apply_edits(draft, transcript, [edit], described=described).draft.description

    changed = old.replace("about forty minutes", "about an hour")
    assert rewritten(changed) == "Each infusion takes about an hour in a quiet room."
    elsewhere = old.replace("nerve pain", "nerve aches")
    assert rewritten(elsewhere) == draft.description  # what it quotes is unchanged
    gone = rewritten(old.split(" Each infusion")[0] + " Infusions run in our day unit.")
    assert "forty minutes" not in gone and gone  # chosen afresh from what the post now says
    assert rewritten(changed, described=True) == draft.description  # the editor's own stays
    mine = apply_edits(
        draft,
        transcript,
        [
            Edit("description", text="Our own summary."),
            Edit("paragraph", section=1, paragraph=0, text=changed),
        ],
    )
    assert mine.draft.description == "Our own summary."


SPANISH = [
    "Hola, soy la doctora Ruiz y hoy quiero hablar de la ketamina.",
    "¿Qué es la ketamina?",
    "La ketamina es un anestésico que se usa desde hace décadas en los hospitales.",
    "¿Cuántas sesiones voy a necesitar?",
    "La mayoría de los pacientes necesitan seis sesiones durante dos semanas y luego un refuerzo.",
    "¿Es seguro?",
    "En una clínica con supervisión es muy seguro y controlamos su presión arterial.",
]


def test_a_new_spanish_description_ends_a_rewritten_paragraph_before_the_next(tmp_path: Path):
    """A rewrite without a closing full stop of the paragraph a Spanish description quoted gave a new
    description that ran it into the next paragraph ("... de hospital La mayoría ..."): its end is a
    sentence's end, as in English."""
    times = [(f"00:00:{4 * i:02d},000", f"00:00:{4 * i + 3:02d},500") for i in range(len(SPANISH))]
    srt = tmp_path / "es.srt"
    srt.write_text(
        "\n".join(f"{i + 1}\n{a} --> {b}\n{t}\n" for i, ((a, b), t) in enumerate(zip(times, SPANISH)))
    )
    folder = tmp_path / "es"
    run = CliRunner().invoke(app, ["draft", str(srt), "--out", str(folder)])
    assert run.exit_code == 0, run.output
    loaded = store.load(folder)
    assert loaded.draft.description.startswith("La ketamina es un anestésico")
    rewrite = Edit("paragraph", section=1, paragraph=0, text="La ketamina, un anestésico de hospital")
    store.save(folder, [rewrite], loaded.version, None)
    description = json.loads((folder / "draft.json").read_text())["description"]
    assert description.startswith("La ketamina, un anestésico de hospital. La mayoría"), description


def test_a_fixed_word_renames_the_slug_and_the_keywords():
    draft, transcript = _mardox()
    assert (draft.slug, draft.keywords[0]) == ("mardox-your-questions-answered", "mardox")
    heard = [w.text for w in transcript.words].index("Mardox")
    fixed = apply_edits(draft, transcript, [Edit("word", word=heard, original="Mardox", text="Botox")]).draft
    assert fixed.title == "Botox: your questions answered"
    assert fixed.slug == "botox-your-questions-answered"
    assert "mardox" not in [k.lower() for k in fixed.keywords] and fixed.keywords[0].lower() == "botox"


def _redrafted(folder: Path) -> tuple[dict, str]:
    """The folder's draft.json after ``video2blog draft`` of its own transcript into it, and what it said."""
    again = CliRunner().invoke(app, ["draft", str(folder / "transcript.json"), "--out", str(folder)])
    assert again.exit_code == 0, again.output
    return json.loads((folder / "draft.json").read_text()), again.output


def test_a_published_post_keeps_its_slug_through_a_save_and_a_redraft(folder: Path):
    (folder / "publish.json").write_text(json.dumps({"https://clinic.example": {"post_id": 11}}))
    assert published_sites(folder) == (("https://clinic.example",), ())  # public: no status recorded
    loaded = store.load(folder)
    heard = [w.text for w in loaded.transcript.words].index("Mardox")
    fix = Edit("word", word=heard, original="Mardox", text="Botox")
    saved = store.save(folder, [fix], loaded.version, None, published=published_sites(folder)[0])
    post = (folder / "post.md").read_text()
    assert 'title: "Botox: your questions answered"' in post
    assert 'slug: "mardox-your-questions-answered"' in post  # its published address stays
    tags = next(line for line in post.splitlines() if line.startswith("tags:")).lower()
    rest = post.replace('slug: "mardox-your-questions-answered"', "")
    assert '"botox"' in tags and "mardox" not in rest.lower()  # the keywords and tags follow the fix
    assert any("/mardox-your-questions-answered/" in n and "clinic.example" in n for n in saved.notes)
    assert json.loads((folder / "edits.json").read_text())["slug"] == "mardox-your-questions-answered"
    redrafted = _redrafted(folder)[0]
    assert (redrafted["title"], redrafted["slug"]) == (
        "Botox: your questions answered",
        "mardox-your-questions-answered",
    )


def test_a_redraft_of_corrected_words_keeps_a_published_posts_slug(folder: Path):
    """A redraft (a corrected transcript, --llm, another model) that retitles a published post changed
    its slug with no word, and the next publish moved the live post: it keeps it, as a Save does."""
    (folder / "publish.json").write_text(json.dumps({"https://clinic.example": {"post_id": 11}}))
    heard = json.loads((folder / "transcript.json").read_text())
    for word in heard["words"]:
        word["text"] = word["text"].replace("Mardox", "Botox")
    (folder / "transcript.json").write_text(json.dumps(heard))
    redrafted, said = _redrafted(folder)
    assert (redrafted["title"], redrafted["slug"]) == (
        "Botox: your questions answered",
        "mardox-your-questions-answered",
    )
    assert 'slug: "mardox-your-questions-answered"' in (folder / "post.md").read_text()
    assert "/mardox-your-questions-answered/" in said and "clinic.example" in said


def test_before_a_publish_the_slug_follows_through_a_save_and_a_redraft(folder: Path):
    loaded = store.load(folder)
    edits = [Edit("title", text="Botox for migraine"), Edit("byline", text="Dr. Ana Lee, MD")]
    store.save(folder, edits, loaded.version, None)
    html = (folder / "post.html").read_text()
    assert "<h1>Botox for migraine</h1>" in html and "Dr. Ana Lee, MD" in html
    assert 'slug: "botox-for-migraine"' in (folder / "post.md").read_text()
    redrafted = _redrafted(folder)[0]
    assert (redrafted["title"], redrafted["slug"], redrafted["byline"]) == (
        "Botox for migraine",
        "botox-for-migraine",
        "Dr. Ana Lee, MD",
    )


def test_dashes_in_a_title_part_the_words_of_its_address(folder: Path):
    """A title's "5–10" was "510" in the post's address, and "Botox—what" was "botoxwhat": a wrong
    number in a public URL. An en or em dash parts words there as a hyphen does."""
    store.save(folder, [Edit("title", text="Botox—what 5–10 units do")], store.load(folder).version, None)
    assert 'slug: "botox-what-5-10-units-do"' in (folder / "post.md").read_text()


@pytest.mark.parametrize("invisible", ["\u200b", "\u00ad", "\ufeff \u2060"])
def test_text_of_only_invisible_characters_is_empty_to_the_edits(invisible: str):
    """What the review page refuses, a Save refuses too (another client, an old tab): a title or heading
    of characters that show nothing is none, and a paragraph of them is removed."""
    draft, transcript = sample_context().draft, sample_context().transcript
    with pytest.raises(UsageError, match="needs a title"):
        apply_edits(draft, transcript, [Edit("title", text=invisible)])
    with pytest.raises(UsageError, match="needs a heading"):
        apply_edits(draft, transcript, [Edit("heading", section=1, text=invisible)])
    only = next(i for i, s in enumerate(draft.sections) if len(s.paragraphs) == 1)
    with pytest.raises(UsageError) as refused:  # a section's only paragraph cannot be emptied
        apply_edits(draft, transcript, [Edit("paragraph", section=only, paragraph=0, text=invisible)])
    assert refused.value.reason == message("en", "error_needs_paragraph", n=str(only + 1))
    typed = apply_edits(draft, transcript, [Edit("byline", text="Dr. Ana\u200b Lee\u0007, MD")])
    assert typed.draft.byline == "Dr. Ana Lee, MD"  # what shows nothing is dropped


def test_no_break_spaces_are_kept_as_typed():
    """No-break spaces keep "0.5 mg" and "Dr. Lee" together on a line: an edit made them ordinary
    spaces. The other runs of white space, line breaks included, are still one space."""
    draft, transcript = sample_context().draft, sample_context().transcript
    edits = [
        Edit("description", text="Doses of 0.5\u00a0mg/kg,\n  every 10\u202f%\t of the time."),
        Edit("byline", text=" Dr.\u00a0Ana Lee\u00a0"),
    ]
    draft = apply_edits(draft, transcript, edits).draft
    assert (draft.description, draft.byline) == (
        "Doses of 0.5\u00a0mg/kg, every 10\u202f% of the time.",
        "Dr.\u00a0Ana Lee",
    )
