"""The editor's round trip without a browser: the edits model, saving a draft folder, redrafting
with edits.json, the unsure-word signals, post.docx's comments and the review server's refusals."""

from __future__ import annotations

import http.client
import io
import json
import re
import threading
import zipfile
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import docx
import pytest
from typer.testing import CliRunner

from tests.conftest import make_transcript
from tests.test_llm import Endpoint, answer
from tests.test_review import UNSURE_WORD, sample_context
from video2blog.cli import app
from video2blog.pipeline.editing import store
from video2blog.pipeline.editing.edits import (
    Edit,
    EditRecord,
    apply_edits,
    edit_from_dict,
    fingerprint,
    reapply,
    record_from_dict,
    record_to_dict,
)
from video2blog.pipeline.editing.server import ReviewServer
from video2blog.pipeline.errors import InputError, UsageError
from video2blog.pipeline.output import OutputFolder
from video2blog.pipeline.schema import HeadingSuggestion, Reason, Source
from video2blog.pipeline.serialize import draft_from_dict, draft_to_dict, to_json, transcript_to_dict
from video2blog.pipeline.text.confidence import baseline_unsure, unsure_words
from video2blog.pipeline.text.sentences import split_sentences
from video2blog.pipeline.writers.cues import MIN_CUE_SECONDS
from video2blog.pipeline.writers.formats import render_all

ALL_FORMATS = ("draft", "md", "html", "docx", "review", "json", "srt", "vtt")


def _sample():
    ctx = sample_context()
    return ctx.draft, ctx.transcript


def test_heading_paragraph_merge_and_split():
    draft, transcript = _sample()
    edits = [
        Edit("heading", section=1, text="  Why   ketamine helps "),
        Edit("paragraph", section=1, paragraph=0, text="It is an anaesthetic. Each infusion takes an hour."),
        Edit("merge", section=1),
    ]
    applied = apply_edits(draft, transcript, edits)
    (only,) = applied.draft.sections
    assert only.heading == draft.sections[0].heading and len(only.paragraphs) == 2
    assert only.end == draft.sections[1].end
    assert [e.was for e in applied.edits] == [
        draft.sections[1].heading,
        draft.sections[1].paragraphs[0].text,
        "Why ketamine helps",
    ]
    # split the talk's second section at its last sentence ("Each infusion ...", word 42)
    split = apply_edits(draft, transcript, [Edit("split", section=1, word=42)]).draft
    assert len(split.sections) == 3
    head, tail = split.sections[1], split.sections[2]
    assert head.paragraphs[-1].text.endswith("infusions.")
    assert tail.paragraphs[0].text.startswith("Each infusion")
    assert head.paragraphs[-1].words == (17, 42) and tail.paragraphs[0].words == (42, 53)
    assert tail.start == transcript.words[42].start and tail.heading and tail.heading_source == "generated"


def test_split_refuses_a_word_inside_a_sentence_and_merge_the_first_section():
    draft, transcript = _sample()
    with pytest.raises(UsageError, match="does not start a sentence"):
        apply_edits(draft, transcript, [Edit("split", section=1, word=20)])
    with pytest.raises(UsageError, match="first section"):
        apply_edits(draft, transcript, [Edit("merge", section=0)])
    with pytest.raises(UsageError, match="no section 9"):
        apply_edits(draft, transcript, [Edit("heading", section=8, text="x")])


def test_word_fix_everywhere_keeps_what_was_heard():
    text = "Fibro my algia hurts. We treat catamine pain. Catamine helps, and catamine is safe."
    transcript = split_sentences(make_transcript(text))
    from video2blog.pipeline.run import DraftOptions, make_draft

    draft = make_draft(transcript, Source("t.mp4", "0" * 64, 9.0), DraftOptions(date="2026-01-01"))
    i = [w.text for w in transcript.words].index("catamine")
    edit = Edit("word", word=i, original="catamine", text="ketamine", glossary=True)
    applied = apply_edits(draft, transcript, [edit])
    prose = " ".join(p.text for s in applied.draft.sections for p in s.paragraphs)
    assert "catamine" not in prose.lower() and prose.count("etamine") == 3 and "Ketamine helps" in prose
    assert {(w.heard, w.text) for w in applied.words} == {("catamine", "ketamine"), ("Catamine", "Ketamine")}
    assert [c.original for c in applied.draft.corrections] == ["catamine", "Catamine", "catamine"]
    assert applied.glossary == ("ketamine",)
    assert "ketamine" in applied.transcript.words[i].text  # the captions follow
    one = apply_edits(draft, transcript, [replace(edit, everywhere=False)]).draft
    assert " ".join(p.text for s in one.sections for p in s.paragraphs).lower().count("catamine") == 2


def test_pick_a_suggestion_keeps_the_old_heading_as_one():
    draft, transcript = _sample()
    suggestion = HeadingSuggestion("Ketamine at low doses", "llm", "check: not in the transcript")
    sections = (replace(draft.sections[0], suggestions=(suggestion,)), *draft.sections[1:])
    draft = replace(draft, sections=sections)
    picked = apply_edits(draft, transcript, [Edit("pick", section=0, text="Ketamine at low doses")]).draft
    assert picked.sections[0].heading == "Ketamine at low doses"
    assert picked.sections[0].suggestions == (HeadingSuggestion(draft.sections[0].heading, "generated"),)
    accepted = apply_edits(draft, transcript, [Edit("accept", section=0)]).draft
    assert accepted.sections[0].heading_source == "edited"
    with pytest.raises(UsageError, match="no suggestion"):
        apply_edits(draft, transcript, [Edit("pick", section=0, text="Something else")])


def test_records_and_drafts_round_trip_through_json():
    draft, _ = _sample()
    assert draft_from_dict(json.loads(to_json(draft_to_dict(draft)))) == replace(draft, extra={})
    record = EditRecord("abc", (Edit("word", word=3, original="a", text="b", glossary=True),))
    assert record_from_dict(json.loads(to_json(record_to_dict(record)))) == record
    with pytest.raises(UsageError):
        edit_from_dict({"op": "delete-everything"})


def test_reapply_skips_section_edits_made_on_another_draft():
    draft, transcript = _sample()
    edits = (
        Edit("heading", section=0, text="Welcome"),
        Edit("word", word=22, original=UNSURE_WORD, text="anesthetic"),
    )
    same = reapply(draft, transcript, EditRecord(fingerprint(draft), edits))
    assert same.draft.sections[0].heading == "Welcome" and not same.skipped
    other = reapply(draft, transcript, EditRecord("0" * 16, edits))
    assert other.draft.sections[0].heading == draft.sections[0].heading
    assert "anesthetic" in other.draft.sections[1].paragraphs[0].text and other.skipped


def _reheaded(draft):
    """The draft as today's heading generation words it: the same sections, other headings."""
    return replace(
        draft, sections=tuple(replace(s, heading=f"New {i}") for i, s in enumerate(draft.sections))
    )


def test_reapply_an_old_records_section_edits_where_the_sections_are_the_same():
    draft, transcript = _sample()
    made = (
        Edit("accept", section=0),
        Edit("heading", section=1, text="Why ketamine helps"),
        Edit("paragraph", section=1, paragraph=0, text="EDITED. " + draft.sections[1].paragraphs[0].text),
    )
    saved = apply_edits(draft, transcript, made)
    record = EditRecord(fingerprint(draft), saved.edits)  # an old record: the full fingerprint, no "o"
    again = reapply(_reheaded(draft), transcript, record, previous=saved.draft)
    assert not again.skipped
    assert [s.heading for s in again.draft.sections] == ["Introduction", "Why ketamine helps"]  # as checked
    assert again.draft.sections[1].paragraphs[0].text.startswith("EDITED. ")
    # without the saved draft, the paragraph is still known by the text it replaced; the headings are named
    alone = reapply(_reheaded(draft), transcript, record)
    assert alone.draft.sections[1].paragraphs[0].text.startswith("EDITED. ")
    assert len(alone.skipped) == 2 and "'Why ketamine helps' (section 2)" in alone.skipped[1]


def test_reapply_never_puts_an_edit_on_another_paragraph():
    draft, transcript = _sample()
    edit = Edit("paragraph", section=1, paragraph=0, text="EDITED.", was="A paragraph no longer there.")
    moved = replace(draft.sections[1].paragraphs[0], text="EDITED.", words=(18, 53))  # over other words
    previous = replace(draft, sections=(draft.sections[0], replace(draft.sections[1], paragraphs=(moved,))))
    again = reapply(draft, transcript, EditRecord("0" * 16, (edit,)), previous=previous)
    assert again.draft == draft and "'EDITED.' (section 2, paragraph 1)" in again.skipped[0]


def test_unsure_signals_flag_rare_words_near_terms_and_trust_glossary_terms():
    transcript = split_sentences(make_transcript("We give catamine infusions for fibromyalgia pain today."))
    words = [w.text for w in transcript.words]
    flagged = unsure_words(transcript, ("ketamine",))
    assert Reason("near_term", (("term", "ketamine"),)) in flagged[words.index("catamine")]
    assert words.index("today.") not in flagged
    assert not baseline_unsure(transcript)  # every word was heard at 0.95: the old rule flags none
    low = replace(transcript, words=tuple(replace(w, probability=0.6) for w in transcript.words))
    trusted = unsure_words(low, ("fibromyalgia",))  # a glossary term is trusted more than a rare word
    assert words.index("fibromyalgia") not in trusted and words.index("catamine") in trusted


def test_docx_highlights_unsure_words_and_comments_headings_and_corrections():
    data = render_all(sample_context(), ("docx",))["post.docx"]
    document = docx.Document(io.BytesIO(data))
    highlighted = [r.text for p in document.paragraphs for r in p.runs if r.font.highlight_color]
    assert UNSURE_WORD in highlighted
    comments = zipfile.ZipFile(io.BytesIO(data)).read("word/comments.xml").decode()
    assert "Hello and welcome to the clinic" not in comments  # the lead: no heading in the post
    ctx = sample_context()
    sections = (replace(ctx.draft.sections[0], lead=False), *ctx.draft.sections[1:])
    headed = render_all(replace(ctx, draft=replace(ctx.draft, sections=sections)), ("docx",))["post.docx"]
    comments_headed = zipfile.ZipFile(io.BytesIO(headed)).read("word/comments.xml").decode()
    assert "generated; spoken text was “Hello and welcome to the clinic.”" in comments_headed
    assert "corrected; the recogniser heard “keta mean”" in comments
    ctx = sample_context()
    assert [p.text for p in document.paragraphs if p.style.name == "Normal"] == [
        p.text for s in ctx.draft.sections for p in s.paragraphs
    ]


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A draft folder of the hand-built sample, as `video2blog draft` writes it."""
    out = tmp_path / "draft"
    output = OutputFolder(out)
    for name, data in render_all(sample_context(out), ALL_FORMATS).items():
        output.add(name, data)
    output.commit()
    return out


def test_save_writes_every_output_and_refuses_a_stale_version(folder: Path):
    loaded = store.load(folder)
    (folder / "post.md").write_text((folder / "post.md").read_text() + "\nMy own closing line.\n")
    edits = [
        Edit("heading", section=0, text="Welcome to the clinic"),
        Edit("word", word=22, original=UNSURE_WORD, text="anesthetic", glossary=True),
    ]
    saved = store.save(folder, edits, loaded.version, None)
    assert saved.kept == ("post.md",) and "post.new.md" in saved.written  # hand edits are never overwritten
    assert "My own closing line." in (folder / "post.md").read_text()
    assert "## Welcome to the clinic" in (folder / "post.new.md").read_text()
    draft = json.loads((folder / "draft.json").read_text())
    assert draft["sections"][0]["heading"] == "Welcome to the clinic"
    assert "anesthetic" in (folder / "captions.vtt").read_text()
    assert UNSURE_WORD in (folder / "transcript.json").read_text()  # what was heard stays
    record = json.loads((folder / "edits.json").read_text())
    assert record["words"] == [{"word": 22, "heard": UNSURE_WORD, "text": "anesthetic"}]
    assert (folder / "glossary.txt").read_text() == "anesthetic\n"
    with pytest.raises(store.ConflictError, match="another tab"):
        store.save(folder, edits[:1], loaded.version, None)
    assert store.load(folder).version == saved.version


@pytest.mark.parametrize("name", ["edits.json", "settings.json"])
def test_a_folder_a_newer_video2blog_saved_is_not_read_or_saved_over(tmp_path: Path, name: str):
    source = tmp_path / "talk.json"
    source.write_bytes(to_json(transcript_to_dict(sample_context().transcript)))
    runner, out = CliRunner(), tmp_path / "d"
    assert runner.invoke(app, ["draft", str(source), "--out", str(out)]).exit_code == 0
    store.save(out, [Edit("heading", section=1, text="How ketamine helps")], store.load(out).version, None)
    data = json.loads((out / name).read_text())
    assert data["version"] == 1  # this video2blog's: read as before
    (out / name).write_text(json.dumps({**data, "version": 99}))
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    with pytest.raises(InputError, match=f"{name}: was written by a newer video2blog"):
        store.load(out)
    again = runner.invoke(app, ["draft", str(source), "--out", str(out)])
    assert again.exit_code != 0 and "newer video2blog" in again.output
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before  # nothing saved over


def test_a_rewritten_paragraph_leaves_no_word_of_a_deleted_correction_in_the_captions(folder: Path):
    """The glossary correction "keta mean" -> "ketamine" stands for two heard words: rewriting the
    paragraph without it blanks both in the captions, and a rewrite elsewhere keeps the correction."""

    def rewrite(text: str) -> str:
        edit = Edit("paragraph", section=1, paragraph=0, text=text)
        store.save(folder, [edit], store.load(folder).version, None)
        return (folder / "captions.srt").read_text()

    paragraph = store.load(folder).draft.sections[1].paragraphs[0].text
    captions = rewrite(paragraph.replace("nerve pain", "nerve aches"))
    assert "nerve aches" in captions and "with ketamine infusions." in captions  # as the post reads
    captions = rewrite(
        "It is an anaesthetic used at low doses for nerve pain. Each infusion takes forty minutes."
    )
    assert "keta " not in captions and "mean" not in captions and "infusions" not in captions
    assert "ketamine infusions" not in captions


def test_words_added_before_a_paragraphs_first_word_reach_the_captions(folder: Path):
    """An editor adds a phrase at a paragraph's start and lower-cases the word that began it ("It is" ->
    "Honestly, it is"): the captions carry the phrase too, as the post does."""
    paragraph = store.load(folder).draft.sections[1].paragraphs[0].text
    assert paragraph.startswith("It is an anaesthetic")
    edit = Edit("paragraph", section=1, paragraph=0, text="Honestly, i" + paragraph[1:])
    store.save(folder, [edit], store.load(folder).version, None)
    assert "Honestly, it is" in " ".join((folder / "captions.srt").read_text().split())


def test_a_rewritten_paragraphs_captions_stay_up_long_enough_to_read(folder: Path):
    """A rewrite sharing only a word here and there with what was heard ("it", "and", "the"): the new
    words keep the time of the words they replace, so no caption of them flashes by (16 words for half a
    second, when the rewritten words were all put on the one heard word after a chance match)."""
    text = (
        "We prescribe it only after a full assessment by the pain team, and we give it to some of those "
        "who have tried everything else without relief for many years now."
    )
    edit = Edit("paragraph", section=1, paragraph=0, text=text)
    store.save(folder, [edit], store.load(folder).version, None)
    captions = (folder / "captions.srt").read_text()
    assert "We prescribe" in captions and "many years now." in captions
    for start, end in re.findall(r"(\d\d:\d\d:[\d,]+) --> (\d\d:\d\d:[\d,]+)", captions):
        assert _seconds(end) - _seconds(start) >= MIN_CUE_SECONDS, captions


def _seconds(clock: str) -> float:
    hours, minutes, seconds = clock.split(":")
    return int(hours) * 3600 + int(minutes) * 60 + float(seconds.replace(",", "."))


@pytest.mark.parametrize("linkify", [False, True])
def test_a_web_address_typed_in_a_paragraph_is_linked_as_typed(folder: Path, linkify: bool):
    """post.md wrote "https://clinic.example/book\\_now", so a renderer that links bare addresses (GFM,
    Hugo, markdown-it's linkify) linked "book%5C_now". An address is written as typed; the text around
    it is escaped as before, and every renderer shows the paragraph as typed."""
    from markdown_it import MarkdownIt

    if linkify:
        pytest.importorskip("linkify_it", reason="markdown-it's linkify needs linkify-it-py")
    url = "https://clinic.example/book_now?x=1&y=2#pain_clinic"
    text = f"Book at {url} or call *us* <today>."
    edit = Edit("paragraph", section=1, paragraph=0, text=text)
    store.save(folder, [edit], store.load(folder).version, None)
    post = (folder / "post.md").read_text()
    assert f"Book at {url} or call \\*us\\* \\<today\\>." in post
    markdown = MarkdownIt("commonmark", {"linkify": linkify}).enable("linkify" if linkify else [])
    html = markdown.render(post.split("---\n", 2)[2])
    shown = url.replace("&", "&amp;")
    linked = f'<a href="{shown}">{shown}</a>' if linkify else shown
    assert f"<p>Book at {linked} or call *us* &lt;today&gt;.</p>" in html


def test_a_word_fix_on_a_correction_of_two_heard_words_leaves_neither_in_the_captions(folder: Path):
    """Fix word on "ketamine", the glossary correction of the heard "keta mean": the captions read the
    fix alone (they read "Ketalar mean"), and still do after another Save re-reads edits.json."""
    first = next(c.words[0] for c in store.load(folder).draft.corrections if c.original == "keta mean")
    edit = Edit("word", word=first, original="ketamine", text="Ketalar")
    store.save(folder, [edit], store.load(folder).version, None)
    assert "with Ketalar infusions." in (folder / "captions.srt").read_text()
    heading = Edit("heading", section=0, text="Welcome to the clinic")
    store.save(folder, [edit, heading], store.load(folder).version, None)
    captions = (folder / "captions.srt").read_text()
    assert "with Ketalar infusions." in captions and "mean" not in captions


def test_redraft_reapplies_edits_json(folder: Path, tmp_path: Path):
    ctx = sample_context()
    source = tmp_path / "talk.json"
    source.write_bytes(to_json(transcript_to_dict(ctx.transcript)))
    runner = CliRunner()
    first = runner.invoke(app, ["draft", str(source), "--out", str(tmp_path / "d")])
    assert first.exit_code == 0, first.output
    out = tmp_path / "d"
    loaded = store.load(out)
    store.save(out, [Edit("heading", section=1, text="How ketamine helps")], loaded.version, None)
    again = runner.invoke(app, ["draft", str(source), "--out", str(out)])
    assert again.exit_code == 0, again.output
    assert json.loads((out / "draft.json").read_text())["sections"][1]["heading"] == "How ketamine helps"
    assert "## How ketamine helps" in (out / "post.md").read_text()


@pytest.fixture
def server(folder: Path) -> Iterator[ReviewServer]:
    review = ReviewServer(folder)
    thread = threading.Thread(target=review.serve, daemon=True)
    thread.start()
    yield review
    review.close()
    thread.join(timeout=10)


def _request(
    server: ReviewServer,
    method: str,
    path: str,
    headers: dict[str, str] | None = None,
    body: bytes | None = None,
) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def test_server_refuses_no_token_other_origin_other_host_and_traversal(server: ReviewServer, folder: Path):
    token = f"/{server.token}/"
    origin = f"http://127.0.0.1:{server.port}"
    (folder.parent / "secret.txt").write_text("not yours")
    (folder / "link.txt").symlink_to(folder.parent / "secret.txt")
    status, page = _request(server, "GET", token)
    assert status == 200 and b'id="edit-data"' in page and b"<script>alert(1)</script>" not in page
    assert _request(server, "GET", "/")[0] == 403
    assert _request(server, "GET", "/wrong-token/")[0] == 403
    assert _request(server, "GET", token + "post.md")[0] == 200
    for path in ("../secret.txt", "..%2fsecret.txt", "link.txt", ".video2blog.json", "%2e%2e/secret.txt"):
        status, body = _request(server, "GET", token + path)
        assert status == 404 and b"not yours" not in body, path
    assert _request(server, "GET", token, {"Host": "evil.example:80"})[0] == 421
    version = store.load(folder).version
    body = json.dumps({"version": version, "edits": [{"op": "accept", "section": 0}]}).encode()
    json_type = {"Content-Type": "application/json"}
    assert _request(server, "POST", token + "api/save", json_type, body)[0] == 403  # no Origin
    evil = {**json_type, "Origin": "http://evil.example"}
    assert _request(server, "POST", token + "api/save", evil, body)[0] == 403
    form = {"Content-Type": "text/plain", "Origin": origin}
    assert _request(server, "POST", token + "api/save", form, body)[0] == 415
    assert _request(server, "POST", "/nope/api/save", {**json_type, "Origin": origin}, body)[0] == 403
    assert store.load(folder).version == version  # nothing was written
    status, reply = _request(server, "POST", token + "api/save", {**json_type, "Origin": origin}, body)
    assert status == 200 and json.loads(reply)["version"] != version
    status, reply = _request(server, "POST", token + "api/save", {**json_type, "Origin": origin}, body)
    assert status == 409 and "another tab" in json.loads(reply)["error"]


def test_served_page_shows_suggestions_with_source_and_note_and_the_still(folder: Path):
    draft, _ = _sample()
    hostile = HeadingSuggestion('Ketamine <b>"fast"</b>', "llm", "check: not in the transcript")
    first = replace(draft.sections[0], suggestions=(hostile,), image="stills/section-1.jpg")
    loaded = replace(store.load(folder), draft=replace(draft, sections=(first, *draft.sections[1:])))
    html = store.render_page(loaded, {"version": "v", "save": "api/save"}, "media/talk.wav").decode()
    assert "Ketamine &lt;b&gt;&#34;fast&#34;&lt;/b&gt; (llm: check: not in the transcript)</option>" in html
    assert '<img src="stills/section-1.jpg"' in html and 'src="media/talk.wav"' in html
    assert 'data-act="merge"' in html and 'id="edit-data"' in html
    static = render_all(sample_context(folder), ("review",))["review.html"].decode()
    assert "data-act=" not in static and "edit-data" not in static and "<img" not in static


def test_a_save_keeps_the_llm_record_and_every_note_of_draft_json(tmp_path: Path):
    """A Save rebuilt only the chapter notes and dropped ``llm``: a note on the hearing and the record
    of what a language model suggested were gone from draft.json after any edit."""
    heard = replace(sample_context().transcript, notes=("Speech at 0:05 has no words: check it",))
    source, out = tmp_path / "talk.json", tmp_path / "d"
    source.write_bytes(to_json(transcript_to_dict(heard)))
    llm = Endpoint(answer)
    try:
        drafted = CliRunner().invoke(app, ["draft", str(source), "--out", str(out), "--llm", llm.url])
    finally:
        llm.close()
    assert drafted.exit_code == 0, drafted.output
    before = json.loads((out / "draft.json").read_text())
    assert before["llm"] and "Speech at 0:05 has no words: check it" in before["notes"]
    store.save(out, [Edit("heading", section=1, text="How ketamine helps")], store.load(out).version, None)
    saved = json.loads((out / "draft.json").read_text())
    assert saved["sections"][1]["heading"] == "How ketamine helps"
    assert saved["notes"] == before["notes"] and saved["llm"] == before["llm"]
