"""The output folder: atomic writes, kept edits, and all-or-nothing replacement of a draft.

Every file of a draft is first written beside its final name as a hidden
temporary file. A journal naming each pending rename is then written
atomically, the renames are made, and the journal removed. If a run is killed
part-way through the renames, the next run on the folder finishes them from
the journal, so a folder holds either the previous draft or the new one.

A manifest records the SHA-256 of every file written. A file whose content no
longer matches was edited by someone since: it is kept, and the new version is
written beside it as ``<stem>.new<suffix>`` unless ``force`` is set. Once a file is written in its own
place again (its edit overwritten with ``force``, or no longer edited), the version beside it is out of
date and removed, unless an editor changed that one too.
"""

from __future__ import annotations

import contextlib
import errno
import json
import logging
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from video2blog.pipeline.digest import sha256_bytes, sha256_file
from video2blog.pipeline.errors import OutputError
from video2blog.pipeline.serialize import to_json
from video2blog.pipeline.sources import inside

log = logging.getLogger(__name__)

MANIFEST = ".video2blog.json"
JOURNAL = ".video2blog-journal.json"


@dataclass
class WriteReport:
    """What a commit did: files written, edited files kept with the new version beside them, and
    versions beside a file that the file's new draft replaced (removed)."""

    written: list[Path] = field(default_factory=list)
    kept: list[Path] = field(default_factory=list)
    removed: list[Path] = field(default_factory=list)


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename."""
    tmp = _stage(path, data)
    os.replace(tmp, path)


def _stage(path: Path, data: bytes) -> Path:
    if path.is_dir():  # no rename could put a file there: fail now, before any file is replaced
        raise IsADirectoryError(errno.EISDIR, f"{path.name} there is a folder; move it away", str(path))
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, _mode(path))
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    return Path(name)


def _mode(path: Path) -> int:
    """The permission bits of a file written as ``path``: those of the file it replaces (an owner who
    locked a draft to 0600 keeps it so), else the umask's, as for any new file (mkstemp makes 0600)."""
    try:
        return os.stat(path).st_mode & 0o777
    except OSError:
        return 0o666 & ~_UMASK


class OutputFolder:
    """A draft folder that is replaced all at once and never loses an editor's changes."""

    def __init__(
        self,
        path: Path,
        force: bool = False,
        inputs: tuple[str, ...] = (),
        replaces: tuple[str, ...] = (),
        retires: tuple[str, ...] = (),
    ) -> None:
        """Open (creating) the folder ``path`` and finish an interrupted commit there.

        ``inputs`` are files of the folder the draft was made from (its own ``transcript.json``):
        their new versions are written over them even where edited, the edit being the input.
        ``replaces`` are subfolders (``images``) whose files the commit writes as a whole set: a file
        an earlier run wrote there that this one does not, unchanged since, is out of date and removed.
        ``retires`` are files an earlier run may have written (the outputs of every format): one this
        commit does not write, unchanged since, is out of date and removed (an editor's copy stays).
        """
        self.path = path
        self.force = force
        self.inputs = inputs
        self.replaces = replaces
        self.retires = retires
        self._pending: dict[str, bytes] = {}
        self._ensure()
        recover(path)
        self.manifest = read_manifest(path)

    def _ensure(self) -> None:
        ensure_folder(self.path)

    def add(self, name: str, data: bytes) -> None:
        """Queue ``data`` to be written as ``name`` when the folder is committed."""
        self._pending[name] = data

    def edited(self, name: str) -> bool:
        """Whether ``name`` exists and differs from what video2blog last wrote there."""
        target = self.path / name
        if not target.is_file():  # a folder in the way is named when the file is staged
            return False
        recorded = self.manifest.get(name)
        return recorded is None or recorded != sha256_file(target)

    def commit(self) -> WriteReport:
        """Write every queued file, all or nothing, keeping edited files."""
        report, moves, hashes = WriteReport(), [], dict(self.manifest)
        try:
            for name, data in self._pending.items():
                final = self._destination(name, report)
                if inside(self.path, final) is None:  # a link in a received folder must not lead out
                    raise OutputError(f"{name} leads outside the folder (a link?); move it away", self.path)
                final.parent.mkdir(parents=True, exist_ok=True)  # images/ and other subfolders
                moves.append((_stage(final, data), final))
                hashes[_relative(self.path, final)] = sha256_bytes(data)
                if final == self.path / name:
                    report.removed.extend(self._out_of_date(final))
            report.removed.extend(self._left_behind(report.kept))
            report.removed.extend(self._retired())
            report.removed[:] = [p for p in report.removed if p not in report.written]  # never what it writes
            for path in report.removed:
                hashes.pop(_relative(self.path, path), None)
            moves.append((_stage(self.path / MANIFEST, to_json(hashes)), self.path / MANIFEST))
        except OSError as exc:
            _discard(moves)
            raise OutputError(f"cannot write the draft ({exc.strerror})", self.path) from exc
        except (KeyboardInterrupt, OutputError):
            _discard(moves)
            raise
        _apply(self.path, moves)
        for path in report.removed:  # only once the new draft is in place
            path.unlink(missing_ok=True)
        self._pending.clear()
        self.manifest = hashes
        return report

    def _destination(self, name: str, report: WriteReport) -> Path:
        target = self.path / name
        if self.force or name in self.inputs or not self.edited(name):
            report.written.append(target)
            return target
        beside = version_beside(target)
        report.kept.append(target)
        report.written.append(beside)
        return beside

    def _out_of_date(self, target: Path) -> list[Path]:
        """The version of ``target`` an earlier run wrote beside an editor's copy, unchanged since (an
        editor's change to it is kept): ``target`` is written in its own place now, so it is out of date."""
        beside = version_beside(target)
        return [beside] if self._unchanged(_relative(self.path, beside)) else []

    def _left_behind(self, kept: list[Path]) -> list[Path]:
        """Files an earlier run wrote in the :attr:`replaces` subfolders that this commit does not write,
        unchanged since (a still frame named after a heading that was renamed), and that no editor's
        ``kept`` file still shows: the editor's post would lose its picture."""
        prefixes = tuple(f"{folder}/" for folder in self.replaces)
        gone = [n for n in self.manifest if n.startswith(prefixes) and n not in self._pending]
        shown = "\n".join(path.read_bytes().decode("utf-8", "replace") for path in kept)
        return [self.path / n for n in gone if self._unchanged(n) and n not in shown]

    def _retired(self) -> list[Path]:
        """The :attr:`retires` files an earlier run wrote that this commit does not, unchanged since."""
        gone = [n for n in self.retires if n not in self._pending and n in self.manifest]
        return [self.path / n for n in gone if self._unchanged(n)]

    def _unchanged(self, name: str) -> bool:
        """Whether ``name`` is a file of the folder as video2blog last wrote it (not :meth:`edited`), not a
        link: what a commit may remove."""
        path = self.path / name
        inward = inside(self.path, path) is not None and path.is_file() and not path.is_symlink()
        return inward and not self.edited(name)


def version_beside(target: Path) -> Path:
    """Where a file's new version goes while an editor's copy of it is kept: ``post.new.md``."""
    return target.with_name(f"{target.stem}.new{target.suffix}")


def created_parts(path: Path) -> list[Path]:
    """The folders :func:`ensure_folder` would create for ``path``, deepest first."""
    missing = []
    for folder in (path, *path.parents):
        if os.path.lexists(folder):
            break
        missing.append(folder)
    return missing


def remove_created(created: list[Path]) -> None:
    """Remove the folders a failed run created (``created_parts``), deepest first, while empty."""
    for folder in created:
        try:
            folder.rmdir()
        except OSError:  # not empty (the user's own file, a kept log) or already gone: stop there
            return


def ensure_folder(path: Path) -> None:
    """Create the output folder ``path`` if missing; refuse one that is a file or not writable.

    Raises:
        OutputError: saying which, and to choose another folder with --out.
    """
    try:  # a name too long for the file system fails even the look (ENAMETOOLONG)
        if path.exists() and not path.is_dir():
            raise OutputError("is a file, not a folder; choose another with --out", path)
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create the output folder ({exc.strerror})", path) from exc
    if not os.access(path, os.W_OK | os.X_OK):
        raise OutputError("the folder is not writable; make it writable, or draft into another (--out)", path)


class FolderBusy(OutputError):
    """Another run (a draft, a batch, a review page's save) holds the folder's lock."""


BUSY = "another video2blog run is writing into this folder; wait for it to end or choose another --out"


@contextlib.contextmanager
def folder_lock(path: Path, busy: str = BUSY) -> Iterator[None]:
    """Hold an exclusive lock on the folder ``path`` (created if missing) while the block runs.

    The lock is the folder's own: ``flock`` on the directory, so it leaves no file behind, is
    released by the system when the process ends however it ends, and is shared by ``draft``
    and ``batch``: two runs never write into one folder at once. The second is refused at once.

    Raises:
        OutputError: the folder cannot be created; FolderBusy: another run holds it (``busy`` says so).
    """
    ensure_folder(path)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError as exc:
        raise OutputError(f"cannot open the output folder ({exc.strerror})", path) from exc
    try:
        _lock(fd, path, busy)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _lock(fd: int, path: Path, busy: str) -> None:
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: no lock
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError as exc:
        raise FolderBusy(busy, path) from exc
    except OSError as exc:  # a file system without locks: go on unlocked rather than refuse all work
        log.warning("cannot lock %s (%s); make sure no other run writes there", path, exc.strerror)


def read_manifest(folder: Path) -> dict[str, str]:
    """The recorded SHA-256 of each file video2blog wrote in ``folder``."""
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def recover(folder: Path) -> None:
    """Finish the renames of a commit that was interrupted, if its journal is there.

    The journal is read from the folder, which may have come from anywhere (a zipped draft sent
    by mail): each of its paths must stay inside the folder once links are followed, else nothing
    is renamed and the run stops with a line saying so.

    Raises:
        OutputError: a rename cannot be finished, or the journal is not one video2blog wrote.
    """
    journal = folder / JOURNAL
    try:
        moves = _journal_moves(folder, json.loads(journal.read_text(encoding="utf-8")))
    except (OSError, ValueError):
        moves = []
    for tmp, final in moves:
        try:
            if tmp.exists():
                os.replace(tmp, final)
        except OSError as exc:
            raise OutputError(
                f"cannot finish an interrupted write of {final.name} ({exc.strerror}): is it open in another "
                "program, or locked? Close or unlock it (or move it away), then run again or reload the "
                "review page",
                folder,
            ) from exc
    if moves:
        log.info("finished an interrupted write in %s", folder)
    journal.unlink(missing_ok=True)
    # staged by a run killed before its journal, here or in a subfolder (images/) that is the folder's own
    for stale in [*folder.glob(".*.tmp"), *folder.glob("*/.*.tmp")]:
        if inside(folder, stale) is not None:
            stale.unlink(missing_ok=True)


def _journal_moves(folder: Path, plan: object) -> list[tuple[Path, Path]]:
    """The journal's renames as paths inside ``folder`` (ValueError: not a journal at all)."""
    if not isinstance(plan, list):
        raise ValueError("not a journal")
    return [_journal_move(folder, entry) for entry in plan]


def _journal_move(folder: Path, entry: object) -> tuple[Path, Path]:
    """One rename of the journal: a staged file and its final name, both inside ``folder``.

    Raises:
        OutputError: the entry is not a pair of names, or names a path outside ``folder``.
    """
    if isinstance(entry, list) and len(entry) == 2 and all(isinstance(n, str) and n for n in entry):
        tmp, final = inside(folder, folder / entry[0]), inside(folder, folder / entry[1])
        if tmp is not None and final is not None and tmp.name.endswith(".tmp"):
            return tmp, final
    raise OutputError(
        f"{JOURNAL} names a path outside the folder, or not a draft's ({str(entry)[:80]}); video2blog "
        "did not write it: delete it and run again",
        folder,
    )


def _relative(folder: Path, path: Path) -> str:
    """A file's name inside the draft folder, with its subfolder (``images/01-intro.jpg``)."""
    return Path(os.path.relpath(path, folder)).as_posix()  # either may be relative, the other absolute


def _apply(folder: Path, moves: list[tuple[Path, Path]]) -> None:
    plan = [[_relative(folder, tmp), _relative(folder, final)] for tmp, final in moves]
    try:
        try:
            atomic_write(folder / JOURNAL, to_json(plan))
        except OSError as exc:  # nothing is replaced yet: the draft as it was stands
            _discard(moves)
            raise OutputError(f"cannot write the draft ({exc.strerror})", folder) from exc
        for tmp, final in moves:
            _replace(folder, tmp, final)
    except KeyboardInterrupt:  # Ctrl-C or SIGTERM: finish (or, before the journal, drop) the renames now
        recover(folder)
        raise
    (folder / JOURNAL).unlink(missing_ok=True)


def _replace(folder: Path, tmp: Path, final: Path) -> None:
    """Put ``tmp`` in ``final``'s place; where it cannot be (a file locked or made immutable), say so:
    the journal keeps the rest of the draft, finished by the next run once the file can be replaced."""
    try:
        os.replace(tmp, final)
    except OSError as exc:
        name = _relative(folder, final)
        raise OutputError(
            f"cannot replace {name} ({exc.strerror}): is it open in another program, or locked? The new "
            f"draft is half written; close or unlock {name}, then run again (or reload the review page) "
            "to finish it",
            folder,
        ) from exc


def _discard(moves: list[tuple[Path, Path]]) -> None:
    for tmp, _ in moves:
        tmp.unlink(missing_ok=True)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# Read once, at import, before any thread runs: reading it means setting it for a moment, and a review
# server's other thread creating a file in that moment would make it writable by everyone.
_UMASK = _umask()
