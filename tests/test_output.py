import json
import os
import stat

import pytest

from tests.test_closed_folder import FORMATS, cli, drafted, talk  # noqa: F401 (fixtures)
from tests.test_review_server import saved_by_server
from video2blog.pipeline.errors import OutputError
from video2blog.pipeline.output import JOURNAL, MANIFEST, OutputFolder, recover


def write(folder, files, force=False):
    out = OutputFolder(folder, force=force)
    for name, data in files.items():
        out.add(name, data)
    return out.commit()


def test_files_are_written_with_a_manifest_and_no_temporaries(tmp_path):
    report = write(tmp_path / "d", {"post.md": b"one", "draft.json": b"{}"})
    assert sorted(p.name for p in report.written) == ["draft.json", "post.md"]
    assert sorted(os.listdir(tmp_path / "d")) == [MANIFEST, "draft.json", "post.md"]


def test_unchanged_files_are_replaced_but_edited_ones_kept(tmp_path):
    d = tmp_path / "d"
    write(d, {"post.md": b"one", "draft.json": b"{}"})
    (d / "post.md").write_bytes(b"one, edited by a person")
    report = write(d, {"post.md": b"two", "draft.json": b"{2}"})
    assert (d / "post.md").read_bytes() == b"one, edited by a person"
    assert (d / "post.new.md").read_bytes() == b"two"
    assert (d / "draft.json").read_bytes() == b"{2}"
    assert report.kept == [d / "post.md"]


def test_force_overwrites_edits(tmp_path):
    d = tmp_path / "d"
    write(d, {"post.md": b"one"})
    (d / "post.md").write_bytes(b"edited")
    write(d, {"post.md": b"two"}, force=True)
    assert (d / "post.md").read_bytes() == b"two"


def test_the_version_beside_an_edit_goes_once_the_file_is_written_in_its_place_again(tmp_path):
    d = tmp_path / "d"
    write(d, {"post.md": b"one"})
    (d / "post.md").write_bytes(b"edited")
    write(d, {"post.md": b"two"})  # kept: the new version beside it
    report = write(d, {"post.md": b"three"}, force=True)
    assert (d / "post.md").read_bytes() == b"three"
    assert not (d / "post.new.md").exists()  # "two" is older than post.md: an editor would take it for newer
    assert report.removed == [d / "post.new.md"]
    assert "post.new.md" not in json.loads((d / MANIFEST).read_text())


def test_a_version_beside_an_edit_that_an_editor_changed_is_kept(tmp_path):
    d = tmp_path / "d"
    write(d, {"post.md": b"one"})
    (d / "post.md").write_bytes(b"edited")
    write(d, {"post.md": b"two"})
    (d / "post.new.md").write_bytes(b"two, edited as well")
    report = write(d, {"post.md": b"three"}, force=True)
    assert (d / "post.new.md").read_bytes() == b"two, edited as well"
    assert report.removed == []


def test_a_version_beside_an_edit_stays_while_the_edit_is_kept(tmp_path):
    d = tmp_path / "d"
    write(d, {"post.md": b"one"})
    (d / "post.md").write_bytes(b"edited")
    write(d, {"post.md": b"two"})
    report = write(d, {"post.md": b"three"})
    assert (d / "post.md").read_bytes() == b"edited"
    assert (d / "post.new.md").read_bytes() == b"three"
    assert report.removed == []


def test_foreign_file_with_no_record_is_treated_as_edited(tmp_path):
    (tmp_path / "post.md").write_text("someone's own post")
    write(tmp_path, {"post.md": b"draft"})
    assert (tmp_path / "post.md").read_text() == "someone's own post"


def test_interrupted_commit_is_finished_from_the_journal(tmp_path):
    (tmp_path / ".post.md.x.tmp").write_bytes(b"new")
    (tmp_path / "post.md").write_bytes(b"old")
    (tmp_path / JOURNAL).write_text(json.dumps([[".post.md.x.tmp", "post.md"]]))
    (tmp_path / ".draft.json.y.tmp").write_bytes(b"stale")  # staged before any journal existed
    recover(tmp_path)
    assert (tmp_path / "post.md").read_bytes() == b"new"
    assert sorted(os.listdir(tmp_path)) == ["post.md"]


def test_unwritable_folder_is_a_clear_error(tmp_path):
    if os.geteuid() == 0:
        blocker = tmp_path / "file"
        blocker.write_text("x")
        target = blocker / "sub"  # a folder cannot be made inside a file, even by root
    else:
        tmp_path.chmod(0o500)
        target = tmp_path / "sub"
    with pytest.raises(OutputError, match="cannot create the output folder"):
        OutputFolder(target)


def write_set(folder, files, replaces=("images",)):
    out = OutputFolder(folder, replaces=replaces)
    for name, data in files.items():
        out.add(name, data)
    return out.commit()


def test_a_new_set_of_stills_removes_the_old_ones_it_does_not_write_again(tmp_path):
    d = tmp_path / "d"
    write_set(d, {"post.md": b"one", "images/01-old-heading.jpg": b"a", "images/02-kept.jpg": b"b"})
    (d / "images" / "notes.txt").write_text("the editor's own file")  # never video2blog's: stays
    report = write_set(d, {"post.md": b"two", "images/01-new-heading.jpg": b"a", "images/02-kept.jpg": b"b"})
    assert sorted(p.name for p in (d / "images").iterdir()) == [
        "01-new-heading.jpg",
        "02-kept.jpg",
        "notes.txt",
    ]
    assert report.removed == [d / "images" / "01-old-heading.jpg"]
    assert "images/01-old-heading.jpg" not in json.loads((d / MANIFEST).read_text())


def test_an_old_still_an_editor_changed_stays_and_without_a_new_set_none_goes(tmp_path):
    d = tmp_path / "d"
    write_set(d, {"images/01-old.jpg": b"a", "images/02-old.jpg": b"b"})
    (d / "images" / "01-old.jpg").write_bytes(b"retouched")
    report = write_set(d, {"images/01-new.jpg": b"a"})
    assert (d / "images" / "01-old.jpg").read_bytes() == b"retouched"
    assert report.removed == [d / "images" / "02-old.jpg"]
    write(d, {"post.md": b"no stills this time"})  # a commit that replaces no set (a review Save)
    assert (d / "images" / "01-new.jpg").is_file()


def test_the_new_version_beside_a_retouched_still_is_written_again_not_removed(tmp_path):
    d = tmp_path / "d"
    write_set(d, {"images/01-a.jpg": b"frame"})
    (d / "images" / "01-a.jpg").write_bytes(b"retouched")
    write_set(d, {"images/01-a.jpg": b"frame"})  # kept: the new frame beside it
    report = write_set(d, {"images/01-a.jpg": b"frame, taken again"})
    assert (d / "images" / "01-a.jpg").read_bytes() == b"retouched"
    assert (d / "images" / "01-a.new.jpg").read_bytes() == b"frame, taken again"
    assert report.removed == []


def test_a_file_that_cannot_be_replaced_is_named_and_the_rest_is_finished_later(tmp_path, monkeypatch):
    """A post.docx open in Word (Windows locks it) or made immutable: the write stops with a line naming
    it, not an OSError (the review page said its server could not be reached), and the journal keeps
    the rest for the next run."""
    write(tmp_path, {"draft.json": b"old", "post.md": b"old"})
    real = os.replace

    def locked(src, dst):
        if str(dst).endswith("post.md"):
            raise PermissionError(1, "Operation not permitted")
        real(src, dst)

    monkeypatch.setattr("video2blog.pipeline.output.os.replace", locked)
    with pytest.raises(
        OutputError, match=r"cannot replace post\.md \(Operation not permitted\).*close or unlock"
    ):
        write(tmp_path, {"draft.json": b"new", "post.md": b"new"})
    assert (tmp_path / JOURNAL).is_file()
    monkeypatch.setattr("video2blog.pipeline.output.os.replace", real)
    recover(tmp_path)  # once it can be replaced
    assert (tmp_path / "post.md").read_bytes() == b"new" and (tmp_path / "draft.json").read_bytes() == b"new"
    assert sorted(os.listdir(tmp_path)) == [MANIFEST, "draft.json", "post.md"]


LOCKED = ("post.md", "post.html", "draft.json")


def locked(folder) -> bool:
    return all(stat.S_IMODE((folder / name).stat().st_mode) == 0o600 for name in LOCKED)


def test_a_redraft_and_a_save_keep_a_file_an_owner_locked_down(drafted, talk):  # noqa: F811
    for name in LOCKED:
        (drafted / name).chmod(0o600)
    assert cli("draft", talk, "--out", drafted, *FORMATS).returncode == 0
    assert locked(drafted)
    status, _ = saved_by_server(drafted, [{"op": "heading", "section": 0, "text": "Why we use ketamine"}])
    assert status == 200 and "Why we use ketamine" in (drafted / "post.md").read_text()
    assert locked(drafted)


def test_a_new_file_takes_the_umask_read_at_start_never_setting_it_again(tmp_path, monkeypatch):
    # reading the umask sets it for a moment: done in a review server's thread, another thread's file
    # made in that moment would be writable by everyone
    def no_umask(mask: int) -> int:
        raise AssertionError("the umask was set while writing a draft")

    expected = 0o666 & ~_umask_now()
    monkeypatch.setattr(os, "umask", no_umask)
    out = OutputFolder(tmp_path / "draft")
    out.add("post.md", b"# Title\n")
    out.commit()
    assert stat.S_IMODE((tmp_path / "draft" / "post.md").stat().st_mode) == expected


def _umask_now() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
