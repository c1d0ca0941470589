"""Related posts across a library (text/related.py, batch/library.py, `video2blog library`), and the
--medical disclaimer: stage tests on hand-built vectors and transcripts, then the installed command over
drafts made from transcript.json files (the talks in benchmarks/, no audio, no speech model)."""

from __future__ import annotations

import html
import json
import shutil
import subprocess
import sys
from pathlib import Path

import docx
import numpy as np
import pytest

from benchmarks.talk_text import LIBRARY, ROOT, TALKS, spoken_text, transcript_dict, write_transcript
from tests.conftest import make_transcript
from video2blog.pipeline.schema import Draft, Paragraph, Section, Source
from video2blog.pipeline.text.related import rank_related, teaser, topic_vector
from video2blog.pipeline.text.sentences import split_sentences
from video2blog.pipeline.writers.wp_content import post_body

COMMAND = str(Path(sys.executable).with_name("video2blog"))
SPANISH = ROOT / "benchmarks" / "talks-es"
INTRO = "If you enjoyed this blog, here are a few other blogs you might like to read!"


def test_a_shared_topic_outranks_what_every_talk_shares():
    greeting, knees, skin, sleep = np.eye(4)
    vectors = {  # every talk opens with the same long welcome: only the topic tells them apart
        "knee-a": 3 * greeting + knees, "knee-b": 3 * greeting + knees + 0.2 * sleep,
        "skin": 3 * greeting + skin, "sleep": 3 * greeting + sleep,
    }  # fmt: skip
    ranking = rank_related(vectors, count=2)
    assert ranking["knee-a"][0] == "knee-b" and ranking["knee-b"][0] == "knee-a"
    assert all(len(r) == 2 and name not in r for name, r in ranking.items())
    assert rank_related({"alone": knees}) == {"alone": []}


def test_a_post_offers_only_posts_in_its_own_language(tmp_path: Path):
    folder = tmp_path / "talks"
    folder.mkdir()
    for path in (TALKS / "weight-loss.md", LIBRARY / "weight-loss-injections.md"):
        write_transcript(path, folder / f"{path.stem}.json")
    for path in (SPANISH / "farmacia.md", SPANISH / "pediatria.md"):
        spanish = {**transcript_dict(spoken_text(path.read_text(encoding="utf-8"))), "language": "es"}
        (folder / f"{path.stem}.json").write_text(json.dumps(spanish), encoding="utf-8")
    out = tmp_path / "drafts"
    done = video2blog("batch", str(folder), "-o", str(out), "-p", "*.json", "--formats", "md,json")
    assert done.returncode == 0, done.stderr
    pairs = [("weight-loss", "weight-loss-injections"), ("farmacia", "pediatria")]
    for a, b in (*pairs, *((b, a) for a, b in pairs)):
        assert [r["folder"] for r in related_of(out / a)] == [b]  # never a post in the other language


def test_teaser_is_one_whole_sentence():
    assert teaser("Knees hurt on stairs. Here is why, and what helps.") == "Knees hurt on stairs."
    assert teaser("A description cut off mid-sent…") == ""


def bag_of_words(texts: list[str]) -> np.ndarray:
    """A stand-in encoder: one column per word of a small vocabulary."""
    vocabulary = ["hello", "welcome", "knee", "stairs", "thanks"]
    return np.array([[float(w in t.lower()) + 1e-3 for w in vocabulary] for t in texts])


def test_topic_vector_weighs_prose_by_length_and_leaves_questions_out():
    text = (
        "Why does my knee hurt? Hello and welcome. The knee takes the strain on stairs, more than on flat "
        "ground, and a weak thigh muscle leaves the knee cap to take more of it than it should."
    )
    transcript = split_sentences(make_transcript(text))
    question, *_ = transcript.sentences
    body = Paragraph("", 0.0, transcript.duration, (question.words[1], len(transcript.words)))
    section = Section("Why does my knee hurt?", "spoken", 0.0, transcript.duration, (body,), question.words)
    draft = Draft("T", "t", "", "", Source("talk.json", "0", transcript.duration), (section,))
    vector = topic_vector(draft, transcript, bag_of_words)
    assert vector is not None
    assert vector[2] > 2 * vector[1]  # the long knee sentence outweighs the short welcome


TWINS = {"weight-loss": "weight-loss-injections", "sleep-medicine": "sleep-apnea"}


@pytest.fixture(scope="module")
def talks(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Five talks as transcript.json files: two pairs on the same treatment and one apart."""
    folder = tmp_path_factory.mktemp("talks")
    for path in (TALKS / "weight-loss.md", TALKS / "sleep-medicine.md", TALKS / "dermatology.md"):
        write_transcript(path, folder / f"{path.stem}.json")
    for path in (LIBRARY / "weight-loss-injections.md", LIBRARY / "sleep-apnea.md"):
        write_transcript(path, folder / f"{path.stem}.json")
    return folder


def video2blog(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [COMMAND, *args], capture_output=True, text=True, timeout=600, stdin=subprocess.DEVNULL
    )


def related_of(folder: Path) -> list[dict]:
    return json.loads((folder / "draft.json").read_text(encoding="utf-8"))["related"]


@pytest.fixture(scope="module")
def library(talks: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("drafts") / "drafts"
    done = video2blog("batch", str(talks), "-o", str(out), "-p", "*.json", "--formats", "md,html,docx,json")
    assert done.returncode == 0, done.stderr
    return out


def test_batch_gives_each_draft_related_posts_with_twins_first(library: Path):
    for name in ("weight-loss", "weight-loss-injections", "sleep-medicine", "sleep-apnea", "dermatology"):
        related = related_of(library / name)
        assert 2 <= len(related) <= 3 and name not in [r["folder"] for r in related]
        for post in related:
            other = json.loads((library / post["folder"] / "draft.json").read_text(encoding="utf-8"))
            assert (post["title"], post["slug"]) == (other["title"], other["slug"])
            assert post["teaser"] in other["description"] and post["teaser"].endswith((".", "!", "?"))
    for a, b in TWINS.items():
        assert related_of(library / a)[0]["folder"] == b and related_of(library / b)[0]["folder"] == a


def test_the_block_closes_post_md_html_docx_and_wordpress_content(library: Path):
    folder = library / "weight-loss"
    first = related_of(folder)[0]
    md = (folder / "post.md").read_text(encoding="utf-8")
    last = related_of(folder)[-1]
    assert md.rstrip().splitlines()[-1].startswith(f"- [{last['title']}](/{last['slug']}/): ")  # closes it
    assert INTRO in md and f"(/{first['slug']}/)" in md
    html = (folder / "post.html").read_text(encoding="utf-8")
    assert f'<a href="/{first["slug"]}/">' in html
    assert INTRO in post_body(html, {})
    document = docx.Document(str(folder / "post.docx"))
    texts = [p.text for p in document.paragraphs]
    assert INTRO in texts and any(first["title"] in t for t in texts[texts.index(INTRO) :])
    links = [r.target_ref for r in document.part.rels.values() if r.reltype.endswith("/hyperlink")]
    assert links == []  # a site path is no address in a Word document: the title is plain text


def test_library_command_keeps_edits_turns_off_and_reports(library: Path, tmp_path: Path):
    drafts = tmp_path / "drafts"
    shutil.copytree(library, drafts)
    edited = drafts / "dermatology" / "post.md"
    edited.write_text(
        edited.read_text(encoding="utf-8") + "\nAn editor's own closing line.\n", encoding="utf-8"
    )
    done = video2blog("library", str(drafts), "--no-related")
    assert done.returncode == 0, done.stderr
    assert "Library of 5 drafts" in done.stdout and "5 updated" in done.stdout
    assert all(related_of(drafts / n) == [] for n in ("weight-loss", "dermatology"))
    assert INTRO not in (drafts / "weight-loss" / "post.md").read_text(encoding="utf-8")
    assert "An editor's own closing line." in edited.read_text(encoding="utf-8")  # not rewritten
    assert INTRO not in (drafts / "dermatology" / "post.new.md").read_text(encoding="utf-8")
    assert f"kept your edited {edited}" in done.stderr
    again = video2blog("library", str(drafts))
    assert again.returncode == 0 and "5 updated" in again.stdout
    assert related_of(drafts / "weight-loss")[0]["folder"] == "weight-loss-injections"


def test_library_refuses_a_missing_folder_in_one_line(tmp_path: Path):
    done = video2blog("library", str(tmp_path / "nowhere"))
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines() == [
        f"video2blog: error: {tmp_path / 'nowhere'}: is not a folder of drafts; give the --out folder of "
        "'video2blog batch'"
    ]


def test_library_of_one_draft_folder_names_the_folder_that_holds_it(tmp_path: Path):
    """`video2blog library d` on one draft said "Library of 0 drafts in d: 0 updated", exit 0."""
    talk, out = tmp_path / "talk.json", tmp_path / "drafts" / "d"
    write_transcript(TALKS / "podiatry.md", talk)
    assert video2blog("draft", str(talk), "--out", str(out), "--formats", "md,json").returncode == 0
    before = sorted(p.name for p in out.iterdir())
    done = video2blog("library", str(out))
    assert done.returncode == 1 and done.stderr.strip().splitlines() == [
        f"video2blog: error: {out}: is a draft folder, not a folder of drafts; give the folder that holds it "
        f"({tmp_path / 'drafts'})"
    ]
    assert sorted(p.name for p in out.iterdir()) == before


def test_a_new_talk_updates_the_others_without_drafting_them_again(
    talks: Path, library: Path, tmp_path: Path
):
    folder, drafts = tmp_path / "talks", tmp_path / "drafts"
    shutil.copytree(talks, folder)
    shutil.copytree(library, drafts)
    write_transcript(TALKS / "podiatry.md", folder / "podiatry.json")
    before = {
        n: (drafts / n / "draft.json").read_text(encoding="utf-8") for n in ("dermatology", "weight-loss")
    }
    done = video2blog(
        "batch", str(folder), "-o", str(drafts), "-p", "*.json", "--formats", "md,html,docx,json"
    )
    assert done.returncode == 0, done.stderr
    assert "1 drafted, 5 skipped" in done.stdout
    report = json.loads((drafts / "batch-report.json").read_text(encoding="utf-8"))
    assert {r["output"].rsplit("/", 1)[-1] for r in report["items"] if r["status"] == "drafted"} == {
        "podiatry"
    }
    assert len(related_of(drafts / "podiatry")) == 3
    pointing = [
        n for n in ("dermatology", "weight-loss", "sleep-apnea") if "podiatry" in str(related_of(drafts / n))
    ]
    assert pointing, "no draft drafted before points at the new talk"
    changed = [
        n for n, text in before.items() if (drafts / n / "draft.json").read_text(encoding="utf-8") != text
    ]
    assert changed == [n for n in before if "podiatry" in str(related_of(drafts / n))]


def test_medical_closes_the_post_with_a_disclaimer(talks: Path, tmp_path: Path):
    out = tmp_path / "draft"
    done = video2blog(
        "draft", str(talks / "dermatology.json"), "-o", str(out), "--formats", "md,html,docx", "--medical"
    )
    assert done.returncode == 0, done.stderr
    assert "without the json format (transcript.json), 'video2blog review' cannot open it" in done.stdout
    for name in ("post.md", "post.html"):
        text = html.unescape((out / name).read_text(encoding="utf-8"))
        assert "does not replace medical advice" in text and "[reviewer's name and credentials]" in text
    assert any(
        "does not replace medical advice" in p.text for p in docx.Document(str(out / "post.docx")).paragraphs
    )
    plain = video2blog(
        "draft", str(talks / "dermatology.json"), "-o", str(tmp_path / "plain"), "--formats", "md"
    )
    assert plain.returncode == 0 and "medical advice" not in (tmp_path / "plain" / "post.md").read_text(
        "utf-8"
    )


def test_batch_no_related_clears_the_blocks_without_drafting_again(
    talks: Path, library: Path, tmp_path: Path
):
    drafts = tmp_path / "drafts"
    shutil.copytree(library, drafts)
    args = ["batch", str(talks), "-o", str(drafts), "-p", "*.json", "--formats", "md,html,docx,json"]
    done = video2blog(*args, "--no-related")
    assert done.returncode == 0, done.stderr
    assert "0 drafted, 5 skipped" in done.stdout
    assert all(related_of(d) == [] for d in drafts.iterdir() if (d / "draft.json").exists())
    assert INTRO not in (drafts / "sleep-apnea" / "post.html").read_text(encoding="utf-8")


def test_drafting_one_again_keeps_its_related_posts(talks: Path, library: Path, tmp_path: Path):
    drafts = tmp_path / "drafts"
    shutil.copytree(library, drafts)
    folder = drafts / "dermatology"
    before = related_of(folder)
    done = video2blog(
        "draft", str(talks / "dermatology.json"), "-o", str(folder), "--formats", "md,html,docx,json"
    )
    assert done.returncode == 0, done.stderr
    assert related_of(folder) == before and INTRO in (folder / "post.md").read_text(encoding="utf-8")


def test_related_posts_stay_with_their_talk_not_with_the_folder(talks: Path, library: Path, tmp_path: Path):
    drafts = tmp_path / "drafts"
    shutil.copytree(library, drafts)
    folder, formats = drafts / "dermatology", ["--formats", "md,json"]
    before = related_of(folder)
    own = video2blog("draft", str(folder / "transcript.json"), "-o", str(folder), *formats)
    assert own.returncode == 0, own.stderr
    assert related_of(folder) == before and INTRO in (folder / "post.md").read_text(encoding="utf-8")
    other = video2blog("draft", str(talks / "sleep-medicine.json"), "-o", str(folder), *formats)
    assert other.returncode == 0, other.stderr
    assert related_of(folder) == [] and INTRO not in (folder / "post.md").read_text(encoding="utf-8")


def test_two_drafts_titled_alike_are_never_related_to_their_own_address_nor_twice_and_it_is_said(
    tmp_path: Path,
):
    folder = tmp_path / "talks"
    folder.mkdir()
    for name in ("weight-loss", "weight-loss-again"):  # the same talk twice: the same title and slug
        write_transcript(TALKS / "weight-loss.md", folder / f"{name}.json")
    write_transcript(TALKS / "sleep-medicine.md", folder / "sleep-medicine.json")
    out = tmp_path / "drafts"
    done = video2blog("batch", str(folder), "-o", str(out), "-p", "*.json", "--formats", "md,json")
    assert done.returncode == 0, done.stderr
    slug = json.loads((out / "weight-loss" / "draft.json").read_text(encoding="utf-8"))["slug"]
    for name in ("weight-loss", "weight-loss-again"):
        assert [r["folder"] for r in related_of(out / name)] == ["sleep-medicine"]
    assert f"video2blog: warning: weight-loss, weight-loss-again share the slug '{slug}'" in done.stderr
    # the third talk links that post once, not once for each copy of it
    assert [r["slug"] for r in related_of(out / "sleep-medicine")] == [slug]


def test_library_renders_each_draft_with_the_settings_it_was_drafted_with(talks: Path, tmp_path: Path):
    """A Hugo, --medical draft and a plain one in one folder: `library` (given neither option) gives each
    its related posts and keeps each one's front matter and disclaimer, as its settings.json says."""
    out = tmp_path / "drafts"
    hugo = ("--front-matter", "hugo", "--medical", "--formats", "md,html,json")
    assert (
        video2blog("draft", str(talks / "weight-loss.json"), "-o", str(out / "hugo"), *hugo).returncode == 0
    )
    plain = video2blog("draft", str(talks / "weight-loss-injections.json"), "-o", str(out / "plain"))
    assert plain.returncode == 0, plain.stderr
    done = video2blog("library", str(out))
    assert done.returncode == 0, done.stderr
    assert related_of(out / "hugo") and related_of(out / "plain")  # both rendered again
    post = (out / "hugo" / "post.md").read_text(encoding="utf-8")
    assert "\ndraft: true\n" in post and "does not replace medical advice" in post  # a Hugo draft still
    assert "does not replace medical advice" in html.unescape((out / "hugo" / "post.html").read_text("utf-8"))
    other = (out / "plain" / "post.md").read_text(encoding="utf-8")
    assert "draft: true" not in other and "medical advice" not in other


def test_a_review_page_opened_before_the_library_updated_its_draft_still_saves(library: Path, tmp_path: Path):
    """`library` (or a batch) only changes a draft's related posts: a review page open on it must still
    save, not be told the draft changed and lose its edits on the reload it advises."""
    from video2blog.pipeline.editing import store
    from video2blog.pipeline.editing.edits import Edit

    drafts = tmp_path / "drafts"
    shutil.copytree(library, drafts)
    folder = drafts / "weight-loss"
    opened = store.load(folder)
    done = video2blog("library", str(drafts), "--no-related")
    assert done.returncode == 0 and related_of(folder) == [], done.stderr
    store.save(folder, [Edit("heading", section=1, text="What the injections do")], opened.version, None)
    saved = json.loads((folder / "draft.json").read_text(encoding="utf-8"))
    assert saved["sections"][1]["heading"] == "What the injections do" and saved["related"] == []
    assert "What the injections do" in (folder / "post.md").read_text(encoding="utf-8")


def test_a_draft_with_no_post_is_never_offered_as_a_related_post(tmp_path: Path):
    """A draft made with --formats srt,json has no post to publish: linking to its address would lead
    nowhere, so no other post offers it."""
    folder = tmp_path / "talks"
    folder.mkdir()
    for path in (TALKS / "sleep-medicine.md", LIBRARY / "sleep-apnea.md", TALKS / "weight-loss.md"):
        write_transcript(path, folder / f"{path.stem}.json")
    out = tmp_path / "drafts"
    done = video2blog("batch", str(folder), "-o", str(out), "-p", "*.json", "--formats", "md,json")
    assert done.returncode == 0, done.stderr
    captions = video2blog(
        "draft", str(folder / "sleep-apnea.json"), "-o", str(out / "captions-only"), "--formats", "srt,json"
    )
    assert captions.returncode == 0, captions.stderr
    done = video2blog("library", str(out))
    assert done.returncode == 0, done.stderr
    for name in ("sleep-medicine", "sleep-apnea", "weight-loss"):
        assert "captions-only" not in [r["folder"] for r in related_of(out / name)]


def test_a_draft_json_edited_by_hand_takes_its_related_posts_once_and_then_stays(tmp_path: Path):
    """Two talks titled alike: the editor gives one its own slug in draft.json, as the warning asks. The
    library patches that draft.json (the edit is its input) rather than keeping it and writing
    draft.new.json beside it on every run, reporting "1 updated" for ever."""
    folder = tmp_path / "talks"
    folder.mkdir()
    for name in ("weight-loss", "weight-loss-again"):
        write_transcript(TALKS / "weight-loss.md", folder / f"{name}.json")
    for path in (TALKS / "sleep-medicine.md", TALKS / "dermatology.md"):
        write_transcript(path, folder / f"{path.stem}.json")
    out = tmp_path / "drafts"
    done = video2blog("batch", str(folder), "-o", str(out), "-p", "*.json", "--formats", "md,json")
    assert done.returncode == 0, done.stderr
    edited = out / "weight-loss-again" / "draft.json"
    draft = json.loads(edited.read_text(encoding="utf-8"))
    edited.write_text(json.dumps({**draft, "slug": "weight-loss-again"}), encoding="utf-8")
    first = video2blog("library", str(out))
    assert first.returncode == 0, first.stderr
    assert "weight-loss-again" in first.stdout.splitlines()[-1]  # its related posts changed
    assert "weight-loss" in [r["folder"] for r in related_of(out / "weight-loss-again")]
    assert json.loads(edited.read_text(encoding="utf-8"))["slug"] == "weight-loss-again"  # the edit stays
    assert not (out / "weight-loss-again" / "draft.new.json").exists()
    again = video2blog("library", str(out))
    assert again.returncode == 0 and " 0 updated" in again.stdout, again.stdout
