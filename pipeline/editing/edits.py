"""The editor's changes to a draft, as a record of operations, and how they are applied.

An editor in the review page changes headings, paragraphs, section boundaries and words. Each
change is an :class:`Edit`; a save applies the session's edits, in order, to the saved draft and
appends them to ``edits.json``. The record names the draft the first edit was made on (a
fingerprint of its sections), so a redraft that gives the same sections replays every edit,
and one that does not still replays the word fixes, which are matched by the words themselves.

Every word fix keeps the words the recogniser heard beside the editor's spelling
(:class:`WordFix`), and every rewritten heading or paragraph keeps its previous text (``was``):
nothing an edit replaces is lost. Pure: no file I/O.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Literal

from video2blog.pipeline.editing.post_meta import followed_description, retitled
from video2blog.pipeline.errors import UsageError
from video2blog.pipeline.ingest.transcribe import glossary_holds
from video2blog.pipeline.schema import (
    Correction,
    Draft,
    HeadingSuggestion,
    Paragraph,
    Section,
    Transcript,
)
from video2blog.pipeline.text.compose import edited_keywords, glossary_said
from video2blog.pipeline.text.headings import Talk, generate_heading
from video2blog.pipeline.text.metadata import main_topic
from video2blog.pipeline.textutil import REORDERING, bare, distinct_terms, message, never_kept
from video2blog.pipeline.writers.review import Edits, Piece, align

EDITS_FILE = "edits.json"
GLOSSARY_FILE = "glossary.txt"
RECORD_VERSION = 1

Op = Literal[
    "heading", "accept", "pick", "paragraph", "merge", "split", "word", "title", "description", "byline"
]
OPS: tuple[str, ...] = (
    "heading",
    "accept",
    "pick",
    "paragraph",
    "merge",
    "split",
    "word",
    "title",
    "description",
    "byline",
)
# What an editor's text loses: the characters a post never keeps (textutil.never_kept); and the runs of
# white space made one space, but for the spaces that keep words together (no-break, narrow no-break,
# figure: "0.5 mg" is not broken across lines).
_SPACES = re.compile(r"[^\S\u00a0\u202f\u2007]+")
# The edits of the post's own fields, not of a section: each replays on any redraft, as a word fix does.
POST_OPS = ("title", "description", "byline")
# The edits that change the words of the headings and prose the keywords are made from.
WORDING_OPS = ("heading", "pick", "paragraph", "word")
# A spoken heading rewritten keeping at least this share of the words heard corrects them ("What is
# Bajak's for ..." -> "What is Botox for ..."), and the captions read the correction; keeping fewer it is
# a new heading over the question asked, which the captions keep as heard (hand rule).
MIN_KEPT_SPOKEN = 0.5
Opcode = tuple[str, int, int, int, int]  # difflib's: what became of words a0:a1, as words b0:b1


@dataclass(frozen=True)
class Edit:
    """One change made in the review page.

    - ``heading``: section ``section`` gets the heading ``text`` (written by the editor);
    - ``accept``: the generated heading of ``section`` is kept as it is, checked;
    - ``pick``: ``section`` takes its suggestion ``text``; the heading it had becomes a suggestion;
    - ``paragraph``: paragraph ``paragraph`` of ``section`` becomes ``text`` (empty removes it);
    - ``merge``: ``section`` joins the one before it (its heading is dropped);
    - ``split``: a new section starts at transcript word ``word`` of ``section``;
    - ``word``: the word ``original`` (transcript word ``word``) is spelt ``text``, wherever it
      recurs when ``everywhere``; ``glossary`` adds ``text`` to the draft folder's glossary;
    - ``title``, ``description``, ``byline``: the post's title (its slug follows, where it was made
      from the title), its meta description, or the byline under its title ("" for none) is ``text``.

    ``was`` is filled in when the edit is applied: the text it replaced.
    """

    op: Op
    section: int = -1
    paragraph: int = -1
    word: int = -1
    text: str = ""
    original: str = ""
    everywhere: bool = True
    glossary: bool = False
    was: str = ""


@dataclass(frozen=True)
class WordFix:
    """A recognised word and the editor's spelling of it.

    ``exact``: the spelling is the word as an edited paragraph now writes it, punctuation and all ("" for
    a word the editor deleted); a word fix keeps the punctuation that was heard.
    """

    word: int
    heard: str
    text: str
    exact: bool = False


@dataclass(frozen=True)
class EditRecord:
    """What ``edits.json`` holds: the draft the edits were first made on, and the edits in order.

    ``slug``: the address the post was published under (``video2blog publish``), kept whatever the
    title becomes: a changed slug would break the links to the published post. "" before a publish.
    """

    base: str = ""
    edits: tuple[Edit, ...] = ()
    words: tuple[WordFix, ...] = ()
    slug: str = ""


@dataclass(frozen=True)
class Applied:
    """A draft with edits applied, the transcript with the word fixes, and what could not be applied."""

    draft: Draft
    transcript: Transcript
    edits: tuple[Edit, ...]
    words: tuple[WordFix, ...] = ()
    glossary: tuple[str, ...] = ()
    skipped: tuple[str, ...] = field(default_factory=tuple)
    described: bool = False  # the editor wrote the description: it no longer follows the prose
    notes: tuple[str, ...] = ()  # what the Save tells the editor of what the outputs did with the edits


def fingerprint(draft: Draft) -> str:
    """A short hash of a draft's sections: equal drafts give equal edits the same meaning."""
    shape = [
        [s.heading, s.heading_source, [[p.text, list(p.words)] for p in s.paragraphs]] for s in draft.sections
    ]
    return hashlib.sha256(json.dumps(shape, ensure_ascii=False).encode("utf-8")).hexdigest()[:16]


def outline_fingerprint(draft: Draft) -> str:
    """A short hash of where a draft's sections and paragraphs lie in the transcript, not their words: a
    redraft that only spells words otherwise (a glossary term the editor added) still takes every edit."""
    shape = [[s.heading_source, [list(p.words) for p in s.paragraphs]] for s in draft.sections]
    return "o" + hashlib.sha256(json.dumps(shape).encode("utf-8")).hexdigest()[:15]


def edit_from_dict(data: Any) -> Edit:
    """An edit from its JSON form (as the page posts it and ``edits.json`` holds it).

    Raises:
        UsageError: it is not an edit.
    """
    if not isinstance(data, dict) or data.get("op") not in OPS:
        raise UsageError(f"not an edit: {str(data)[:80]}; each edit needs an 'op' of {', '.join(OPS)}")
    try:
        return Edit(
            op=data["op"],
            section=int(data.get("section", -1)),
            paragraph=int(data.get("paragraph", -1)),
            word=int(data.get("word", -1)),
            text=REORDERING.sub("", str(data.get("text", ""))),
            original=str(data.get("original", "")),
            everywhere=bool(data.get("everywhere", True)),
            glossary=bool(data.get("glossary", False)),
            was=str(data.get("was", "")),
        )
    except (TypeError, ValueError, OverflowError) as exc:  # OverflowError: a number like 1e400
        raise UsageError(f"not an edit: {str(data)[:80]} ({exc})") from exc


def record_from_dict(data: Any) -> EditRecord:
    """An :class:`EditRecord` from ``edits.json``'s content.

    Raises:
        UsageError: the content is not an edit record.
    """
    if not isinstance(data, dict) or not isinstance(data.get("edits", []), list):
        raise UsageError("is not a video2blog edits record (an object with a list of 'edits')")
    words = tuple(
        WordFix(int(w["word"]), str(w["heard"]), str(w["text"]), w.get("exact") is True)
        for w in data.get("words", [])
    )
    edits = tuple(edit_from_dict(e) for e in data["edits"])
    return EditRecord(str(data.get("base", "")), edits, words, str(data.get("slug") or ""))


def record_to_dict(record: EditRecord) -> dict[str, Any]:
    """The JSON form of an edit record (``edits.json``)."""
    return {
        "version": RECORD_VERSION,
        "base": record.base,
        "edits": [_compact(e) for e in record.edits],
        "words": [{k: v for k, v in asdict(w).items() if k != "exact" or v} for w in record.words],
        **({"slug": record.slug} if record.slug else {}),
    }


def _compact(edit: Edit) -> dict[str, Any]:
    defaults = asdict(Edit(op=edit.op))
    return {k: v for k, v in asdict(edit).items() if k == "op" or v != defaults[k]}


def extend_record(record: EditRecord, base: Draft, applied: Applied) -> EditRecord:
    """The record after a save: the new edits appended, the word fixes merged (latest wins)."""
    fixes = {w.word: w for w in record.words}
    fixes.update({w.word: w for w in applied.words})
    return EditRecord(
        base=record.base or outline_fingerprint(base),
        edits=record.edits + applied.edits,
        words=tuple(fixes[i] for i in sorted(fixes)),
        slug=record.slug,
    )


def apply_edits(
    draft: Draft,
    transcript: Transcript,
    edits: Sequence[Edit],
    strict: bool = True,
    described: bool = False,
) -> Applied:
    """Apply ``edits`` in order to ``draft``.

    Args:
        draft: the draft as saved (or as freshly drafted, for a redraft).
        transcript: the transcript the draft's word ranges point into.
        edits: the edits, in the order they were made.
        strict: raise on an edit that does not fit the draft; otherwise skip it and say so.
        described: the editor wrote the draft's description (an earlier save): a rewritten paragraph
            leaves it as it is.

    Raises:
        UsageError: (``strict``) an edit names a section, paragraph or word the draft lacks.
    """
    state = Applied(draft, transcript, (), described=described)
    for edit in edits:
        state = _try(state, edit, strict)
    return state


def _try(state: Applied, edit: Edit, strict: bool) -> Applied:
    try:
        return _apply_one(state, edit)
    except UsageError as exc:
        if strict:
            raise
        return replace(state, skipped=(*state.skipped, str(exc)))


def reapply(
    draft: Draft, transcript: Transcript, record: EditRecord, previous: Draft | None = None
) -> Applied:
    """A redraft with an editor's saved edits: all of them where the draft is the one they were made
    on, else the word fixes (matched by the words) and each section edit that still fits its place
    (:func:`_fitted`). Edits that no longer fit are skipped, each named in ``skipped``.

    ``previous``: the folder's draft before this redraft (the edits applied), which shows where the
    editor's headings and paragraphs lay.
    """
    if record.base in (fingerprint(draft), outline_fingerprint(draft)):
        return _pinned(apply_edits(draft, transcript, record.edits, strict=False), record.slug)
    # an edit that moves sections or paragraphs makes the previous draft's places differ from the base's
    moved = any(
        e.op in ("merge", "split") or (e.op == "paragraph" and not _one_line(e.text)) for e in record.edits
    )
    known = None if moved else previous
    state = Applied(draft, transcript, ())
    for edit in record.edits:
        if edit.op == "word":
            fitted: Edit | None = _placed(state, edit)
        else:
            fitted = edit if edit.op in POST_OPS else _fitted(state.draft, edit, known)
        if fitted is not None:
            state = _try(state, fitted, strict=False)
        else:
            said = f"{describe(edit)}: the new draft differs there from the one it was made on"
            state = replace(state, skipped=(*state.skipped, said))
    return _pinned(state, record.slug)


def rekeyed(before: Draft, state: Applied, terms: Sequence[str]) -> Applied:
    """The edited draft with its keywords made afresh from the edited text (the glossary ``terms`` and
    those the edits added first), where the edits changed which of those terms ``before`` said: a term
    the editor wrote in becomes a keyword, and one only misheard goes. Other edits keep the keywords as
    they were (their words respelt), not ranked again by another model. An English draft's only."""
    terms = (*terms, *state.glossary)
    if state.draft.language != "en" or not any(e.op in WORDING_OPS for e in state.edits):
        return state
    if glossary_said(state.draft, terms) == glossary_said(before, terms):
        return state
    return replace(state, draft=replace(state.draft, keywords=edited_keywords(state.draft, terms)))


def _pinned(state: Applied, slug: str) -> Applied:
    """The draft with the slug its post was published under, where it was (else as the edits left it)."""
    return replace(state, draft=replace(state.draft, slug=slug)) if slug else state


def _placed(state: Applied, edit: Edit) -> Edit:
    """A one-place word fix made on another hearing of the talk, on the word it fixed there: the word it
    respelt (else the glossary's spelling of it, as the fix spells it) nearest its old place, for the
    words' places shift where the talk is heard again. As it was where the draft shows neither."""
    if edit.everywhere:
        return edit
    shown = [p for p in _prose_pieces(state) if p.kind in ("word", "corrected")]
    found = [p.index for p in shown if bare(p.text) == bare(edit.original)]
    found = found or [p.index for p in shown if p.kind == "corrected" and bare(p.text) == bare(edit.text)]
    return replace(edit, word=min(found, key=lambda i: abs(i - edit.word))) if found else edit


def _prose_pieces(state: Applied) -> list[Piece]:
    """The pieces of every heading heard from the talk and every paragraph of the draft."""
    spans = [(s.heading, s.heading_words) for s in state.draft.sections if s.heading_words]
    spans += [(p.text, p.words) for s in state.draft.sections for p in s.paragraphs]
    return [piece for text, span in spans for piece in _pieces(state, text, span)]


def _fitted(draft: Draft, edit: Edit, previous: Draft | None) -> Edit | None:
    """A section edit made on another draft, as it still lands where the editor made it in ``draft``, or
    None: the heading or paragraph it replaced (``was``) is still there, or the previous draft shows the
    editor's heading or paragraph over the same words. Never another paragraph; merges and splits only on
    the same draft. A checked heading stays the one the editor checked, not a new one made since."""
    section = _at(draft.sections, edit.section)
    if section is None or edit.op in ("merge", "split"):
        return None
    old = _at(previous.sections, edit.section) if previous is not None else None
    same = old is not None and _span(old) == _span(section)
    if edit.op == "paragraph":
        new = _at(section.paragraphs, edit.paragraph)
        shown = _at(old.paragraphs, edit.paragraph) if old is not None else None  # the editor's text there
        there = shown is not None and new is not None and (shown.words, shown.text) == (new.words, edit.text)
        return edit if new is not None and (new.text == edit.was or there) else None
    if not (same and old is not None and old.heading_source == "edited"):
        return edit if edit.op != "accept" and section.heading == edit.was else None
    if edit.op == "accept" and old.heading != section.heading:  # the heading checked, not today's
        return Edit("heading", edit.section, text=old.heading)
    # the editor headed these very words: a picked suggestion may no longer be among today's
    return Edit("heading", edit.section, text=edit.text) if edit.op == "pick" else edit


def _at(items: Sequence[Any], index: int) -> Any:
    return items[index] if 0 <= index < len(items) else None


def _span(section: Section) -> tuple[int, int]:
    """The transcript words a section covers."""
    if not section.paragraphs:
        return (-1, -1)
    return (section.paragraphs[0].words[0], section.paragraphs[-1].words[1])


def describe(edit: Edit, width: int = 50) -> str:
    """An edit as the editor would know it: its kind and its text, shortened."""
    text = _one_line(edit.text or (edit.was if edit.op in ("paragraph", "merge") else ""))
    short = text if len(text) <= width else text[: width - 1].rstrip() + "…"
    if edit.op in POST_OPS:
        return f"{edit.op} {short!r}"
    where = f"section {edit.section + 1}" + (
        f", paragraph {edit.paragraph + 1}" if edit.op == "paragraph" else ""
    )
    return f"{edit.op} {short!r} ({where})" if short else f"{edit.op} ({where})"


def _apply_one(state: Applied, edit: Edit) -> Applied:
    handlers = {
        "heading": _set_heading,
        "accept": _accept,
        "pick": _pick,
        "paragraph": _set_paragraph,
        "merge": _merge,
        "split": _split,
        "word": _fix_word,
        "title": _set_title,
        "description": _set_description,
        "byline": _set_byline,
    }
    return handlers[edit.op](state, edit)


def _set_title(state: Applied, edit: Edit) -> Applied:
    text = _one_line(edit.text)
    if not text:
        raise UsageError.said("error_needs_title")
    return _with_draft(state, edit, retitled(state.draft, text), state.draft.title)


def _set_description(state: Applied, edit: Edit) -> Applied:
    text = _one_line(edit.text)
    if not text:
        raise UsageError.said("error_needs_description")
    described = replace(state, described=True)
    return _with_draft(described, edit, replace(state.draft, description=text), state.draft.description)


def _set_byline(state: Applied, edit: Edit) -> Applied:
    draft = replace(state.draft, byline=_one_line(edit.text))  # "": the post has no byline
    return _with_draft(state, edit, draft, state.draft.byline)


def _with_draft(state: Applied, edit: Edit, draft: Draft, was: str) -> Applied:
    return replace(state, draft=draft, edits=(*state.edits, replace(edit, was=was)))


def _section(state: Applied, edit: Edit) -> Section:
    if not 0 <= edit.section < len(state.draft.sections):
        count = str(len(state.draft.sections))
        raise UsageError.said("error_no_section", op=edit.op, n=str(edit.section + 1), count=count)
    return state.draft.sections[edit.section]


def _with_section(state: Applied, edit: Edit, sections: Iterable[Section], was: str = "") -> Applied:
    draft = replace(state.draft, sections=tuple(sections))
    return replace(state, draft=draft, edits=(*state.edits, replace(edit, was=was)))


def _replace_section(state: Applied, edit: Edit, new: Section, was: str = "") -> Applied:
    sections = list(state.draft.sections)
    sections[edit.section] = new
    return _with_section(state, edit, sections, was)


def _set_heading(state: Applied, edit: Edit) -> Applied:
    section, text = _section(state, edit), _one_line(edit.text)
    if not text:
        raise UsageError.said("error_needs_heading", n=str(edit.section + 1))
    new = replace(section, heading=text, heading_source="edited", lead=False)  # a heading: now a section
    return _heading_spoken(_replace_section(state, edit, new, section.heading), edit, section, text)


def _heading_spoken(state: Applied, edit: Edit, section: Section, text: str) -> Applied:
    """A spoken heading's edit carried into its words, as a paragraph's is, so the captions read it too;
    where the edit keeps too few of the words heard (:data:`MIN_KEPT_SPOKEN`), a note that the captions
    still read them as heard."""
    if not section.heading_words:
        return state
    pieces = _pieces(state, section.heading, section.heading_words)
    before = [i for _, i in _owned_tokens(pieces, section.heading) if i is not None]
    opcodes = _diff(_owned_tokens(pieces, section.heading), text.split())
    kept = sum(a1 - a0 for tag, a0, a1, _, _ in opcodes if tag == "equal")
    if not before or kept < MIN_KEPT_SPOKEN * len(before):
        said = message(state.draft.language, "heading_as_heard", n=str(edit.section + 1))
        return replace(state, notes=(*state.notes, said))
    spans = {c.words[0]: c.words for c in state.draft.corrections}
    spelt = realigned(pieces, section.heading, text, state.transcript, spans)
    fixes = [WordFix(i, state.transcript.words[i].text, t, exact=True) for i, t in sorted(spelt.items())]
    transcript = _respelt(state.transcript, spelt, exact=True)
    return replace(state, transcript=transcript, words=_merge_fixes(state.words, fixes))


def _accept(state: Applied, edit: Edit) -> Applied:
    section = _section(state, edit)
    return _replace_section(state, edit, replace(section, heading_source="edited"), section.heading_source)


def _pick(state: Applied, edit: Edit) -> Applied:
    section = _section(state, edit)
    chosen = [s for s in section.suggestions if s.text == edit.text]
    if not chosen:
        raise UsageError(f"pick: section {edit.section + 1} has no suggestion {edit.text!r}")
    old = HeadingSuggestion(section.heading, section.heading_source)
    rest = tuple(s for s in section.suggestions if s is not chosen[0])
    new = replace(section, heading=edit.text, heading_source="edited", suggestions=(old, *rest), lead=False)
    return _replace_section(state, edit, new, section.heading)


def _set_paragraph(state: Applied, edit: Edit) -> Applied:
    section = _section(state, edit)
    if not 0 <= edit.paragraph < len(section.paragraphs):
        raise UsageError.said("error_no_paragraph", n=str(edit.section + 1), p=str(edit.paragraph + 1))
    paragraphs = list(section.paragraphs)
    old, text = paragraphs[edit.paragraph], _one_line(edit.text)
    if not text and len(paragraphs) == 1:  # a heading over no answer: the page says to merge instead
        raise UsageError.said("error_needs_paragraph", n=str(edit.section + 1))
    spans = {c.words[0]: c.words for c in state.draft.corrections}
    spelt = realigned(_pieces(state, old.text, old.words), old.text, text, state.transcript, spans)
    if text:
        paragraphs[edit.paragraph] = replace(old, text=text)
    else:
        del paragraphs[edit.paragraph]
    before = state.draft
    state = _replace_section(state, edit, replace(section, paragraphs=tuple(paragraphs)), old.text)
    if not state.described:  # the description quotes the prose: it follows a rewrite of what it quotes
        state = replace(
            state, draft=replace(state.draft, description=followed_description(before, state.draft))
        )
    fixes = [WordFix(i, state.transcript.words[i].text, t, exact=True) for i, t in sorted(spelt.items())]
    transcript = _respelt(state.transcript, spelt, exact=True)
    return replace(state, transcript=transcript, words=_merge_fixes(state.words, fixes))


def realigned(
    pieces: Sequence[Piece],
    old: str,
    new: str,
    transcript: Transcript,
    spans: Mapping[int, tuple[int, int]] | None = None,
) -> dict[int, str]:
    """Transcript word -> how it is now written, after a paragraph's text went from ``old`` to ``new``.

    The two texts are compared word by word: a word still there keeps its recognised word (and so its
    time, its link in the page and its flag), a rewritten word takes the place of the one it replaced,
    a deleted word is spelt "" and new words join the word before them. The captions then say what the
    paragraph says. ``pieces``: ``old`` tied to the transcript (:func:`align`).

    A glossary correction stands for several recognised words (``spans``: their range, by the first;
    "post -herpetic neuralgia" written "post-herpetic neuralgia"). Kept whole, its words keep their
    times; rewritten or deleted in any part, it goes as one: its first word is spelt as it now reads and
    the rest "", so none of what was heard is left in the captions beside what the editor wrote.
    """
    spans = spans or {}
    before, after = _owned_tokens(pieces, old), new.split()
    opcodes = _diff(before, after)
    touched = {first: run for first, run in _correction_tokens(pieces, old).items() if _changed(run, opcodes)}
    for first, run in sorted(touched.items(), reverse=True):  # from the end: the earlier runs stay put
        before[run.start : run.stop] = [(" ".join(t for t, _ in before[run.start : run.stop]), first)]
    plain = {p.index for p in pieces if p.kind == "word"}  # not a glossary correction's first word
    spelt: dict[int, str] = {}
    lead: tuple[int, str] | None = None  # words written before the first recognised one, and that word
    last: int | None = None
    for tag, a0, a1, b0, b1 in _diff(before, after):
        owners = [i for _, i in before[a0:a1] if i is not None]
        if tag == "equal":  # the same words: written as the paragraph now writes them (case, punctuation)
            pairs = zip((i for _, i in before[a0:a1]), after[b0:b1])
            spelt.update({i: w for i, w in pairs if i in plain and w != transcript.words[i].text})
        elif owners:
            spelt.update(_spread(owners, after[b0:b1]))
        elif b1 > b0 and last is not None:
            spelt[last] = f"{spelt.get(last, transcript.words[last].text)} {' '.join(after[b0:b1])}"
        elif b1 > b0:
            anchor = next((i for _, i in before[a1:] if i is not None), None)
            lead = (anchor, " ".join(after[b0:b1])) if anchor is not None else None
        if owners:  # words written after a correction kept whole follow its last word, not its first
            last = owners[-1] if tag != "equal" else _last_word(owners[-1], spans)
    for first in touched:
        spelt.update({i: "" for i in range(first + 1, _last_word(first, spans) + 1)})
    if lead is not None:  # added once the word it goes before is spelt as it now reads ("Honestly, you")
        anchor, words = lead
        spelt[anchor] = f"{words} {spelt.get(anchor, transcript.words[anchor].text)}".rstrip()
    return spelt


def _last_word(word: int, spans: Mapping[int, tuple[int, int]]) -> int:
    """The last recognised word ``word`` stands for: itself, or the last of the correction it starts."""
    return spans[word][1] - 1 if word in spans else word


def _diff(before: Sequence[tuple[str, int | None]], after: Sequence[str]) -> Sequence[Opcode]:
    keys = [bare(t) for t, _ in before], [bare(t) for t in after]
    return _coalesced(difflib.SequenceMatcher(a=keys[0], b=keys[1], autojunk=False).get_opcodes())


def _coalesced(opcodes: Sequence[Opcode]) -> list[Opcode]:
    """The opcodes with each run of equal words shorter than the changes on both sides of it taken into
    one change with them: in a rewrite, a word that recurs by chance ("and", "of") would otherwise hold
    the new words between it and the next to its own time, and leave the time of the words they
    replaced unused (a caption of twenty words up for a third of a second)."""
    ops = list(opcodes)
    k = 1
    while k < len(ops) - 1:
        tag, a0, a1, _, _ = ops[k]
        if tag == "equal" and a1 - a0 < min(_size(ops[k - 1]), _size(ops[k + 1])):
            ops[k - 1 : k + 2] = [("replace", ops[k - 1][1], ops[k + 1][2], ops[k - 1][3], ops[k + 1][4])]
            k = max(k - 2, 1)  # the change is larger now: the equal run before it may go into it too
        else:
            k += 1
    return ops


def _size(opcode: Opcode) -> int:
    _, a0, a1, b0, b1 = opcode
    return max(a1 - a0, b1 - b0)


def _correction_tokens(pieces: Sequence[Piece], text: str) -> dict[int, range]:
    """The whitespace-separated words of ``text`` (by position) each glossary correction's text starts,
    by the correction's first transcript word."""
    starts = [match.start() for match in re.finditer(r"\S+", text)]
    runs: dict[int, range] = {}
    offset = 0
    for piece in pieces:
        if piece.kind == "corrected":
            begin, end = offset + len(piece.lead), offset + len(piece.text.rstrip())
            inside = [k for k, start in enumerate(starts) if begin <= start < end]
            if inside:
                runs[piece.index] = range(inside[0], inside[-1] + 1)
        if piece.kind != "removed":
            offset += len(piece.text)
    return runs


def _changed(run: range, opcodes: Iterable[Opcode]) -> bool:
    """Whether the rewrite replaced or deleted any of the words ``run``, or wrote new ones between them."""
    for tag, a0, a1, _, _ in opcodes:
        if tag == "insert" and run.start < a0 < run.stop:
            return True
        if tag in ("replace", "delete") and a0 < run.stop and run.start < a1:
            return True
    return False


def _owned_tokens(pieces: Sequence[Piece], text: str) -> list[tuple[str, int | None]]:
    """The whitespace-separated words of ``text``, each with the transcript word that starts in it (None
    where none does, or several do: "post -herpetic" written "post-herpetic")."""
    starts, offset = {}, 0
    for piece in pieces:
        if piece.kind == "removed":
            continue
        if piece.kind in ("word", "corrected"):
            starts[offset + len(piece.text) - len(piece.text.lstrip())] = piece.index
        offset += len(piece.text)
    tokens = []
    for match in re.finditer(r"\S+", text):
        owners = [starts[k] for k in range(match.start(), match.end()) if k in starts]
        tokens.append((match.group(), owners[0] if len(owners) == 1 else None))
    return tokens


def _spread(owners: Sequence[int], words: Sequence[str]) -> dict[int, str]:
    """Rewritten words over the recognised words they replace, in order and evenly: one each where the
    counts agree, else each its share (where there are fewer words, some spelt ""), so the new words
    keep the time of those they replace and a caption of many is not squeezed into one word's."""
    cuts = [-(-k * len(words) // len(owners)) for k in range(len(owners) + 1)]  # ceil: the first gets one
    return {owner: " ".join(words[cuts[k] : cuts[k + 1]]) for k, owner in enumerate(owners)}


def _merge(state: Applied, edit: Edit) -> Applied:
    section = _section(state, edit)
    if edit.section == 0:
        raise UsageError.said("error_merge_first")
    before = state.draft.sections[edit.section - 1]
    joined = replace(before, end=section.end, paragraphs=before.paragraphs + section.paragraphs)
    sections = list(state.draft.sections)
    sections[edit.section - 1 : edit.section + 1] = [joined]
    return _with_section(state, edit, sections, section.heading)


def _split(state: Applied, edit: Edit) -> Applied:
    section = _section(state, edit)
    at = _split_point(state, section, edit.word)
    if at is None:
        where = f"section {edit.section + 1}"
        raise UsageError(f"split: word {edit.word} does not start a sentence inside {where}")
    head, tail = _cut_paragraphs(state, section, *at)
    words = state.transcript.words
    first = replace(section, end=words[edit.word - 1].end, paragraphs=head)
    text = _one_line(edit.text) or _new_heading(state, tail)
    second = Section(text, "edited" if edit.text else "generated", words[edit.word].start, section.end, tail)
    sections = list(state.draft.sections)
    sections[edit.section : edit.section + 1] = [first, second]
    return _with_section(state, edit, sections)


def _split_point(state: Applied, section: Section, word: int) -> tuple[int, int] | None:
    """(paragraph, character offset) where ``word`` starts, if it starts a sentence after the first."""
    starts = {s.words[0] for s in state.transcript.sentences}
    if word not in starts:
        return None
    for j, paragraph in enumerate(section.paragraphs):
        first, last = paragraph.words
        if first <= word < last and (j > 0 or word > first):
            offset = _offset_of(_pieces(state, paragraph.text, paragraph.words), word)
            return (j, offset) if offset is not None else None
    return None


def _offset_of(pieces: Sequence[Piece], word: int) -> int | None:
    offset = 0
    for piece in pieces:
        if piece.kind in ("word", "corrected") and piece.index >= word:
            return offset
        if piece.kind != "removed":
            offset += len(piece.text)
    return None


def _cut_paragraphs(
    state: Applied, section: Section, j: int, offset: int
) -> tuple[tuple[Paragraph, ...], tuple[Paragraph, ...]]:
    paragraph, words = section.paragraphs[j], state.transcript.words
    head, tail = list(section.paragraphs[:j]), list(section.paragraphs[j + 1 :])
    before, after = paragraph.text[:offset].strip(), paragraph.text[offset:].strip()
    cut = _first_word_at(state, paragraph, offset)
    if before:
        head.append(replace(paragraph, text=before, end=words[cut - 1].end, words=(paragraph.words[0], cut)))
    tail.insert(0, replace(paragraph, text=after, start=words[cut].start, words=(cut, paragraph.words[1])))
    return tuple(head), tuple(tail)


def _first_word_at(state: Applied, paragraph: Paragraph, offset: int) -> int:
    position = 0
    for piece in _pieces(state, paragraph.text, paragraph.words):
        if piece.kind in ("word", "corrected") and position >= offset:
            return piece.index
        if piece.kind != "removed":
            position += len(piece.text)
    return paragraph.words[1] - 1


def _new_heading(state: Applied, paragraphs: Sequence[Paragraph]) -> str:
    text = " ".join(p.text for p in paragraphs)
    context = (*(" ".join(p.text for p in s.paragraphs) for s in state.draft.sections), text)
    talk = Talk(context, topic=main_topic(context))
    return generate_heading(talk, len(context) - 1, [s.heading for s in state.draft.sections])


def _pieces(state: Applied, text: str, span: tuple[int, int]) -> tuple[Piece, ...]:
    edits = Edits(
        removed={r.word: r.reason for r in state.draft.removals},
        corrections={c.words[0]: c for c in state.draft.corrections},
    )
    return align(text, state.transcript, span, edits)


def _fix_word(state: Applied, edit: Edit) -> Applied:
    text, original = _one_line(edit.text), bare(edit.original)
    if not text or not original:
        raise UsageError.said("error_word_fix")
    if edit.glossary and not glossary_holds(text):
        raise UsageError.said("error_glossary_comment", text=text)
    fixer = _WordFixer(state, edit, original, text)
    draft = replace(
        retitled(state.draft, _replace_words(state.draft.title, original, text)),  # the slug follows
        description=_replace_words(state.draft.description, original, text),
        keywords=distinct_terms(_replace_words(k, original, text) for k in state.draft.keywords),
        sections=tuple(fixer.section(s) for s in state.draft.sections),
    )
    if not fixer.fixed and _glossary_did(state.draft, edit, text):
        return replace(state, edits=(*state.edits, replace(edit, was=edit.original)))
    if not fixer.fixed:
        raise UsageError(f"word: {edit.original!r} is not in the draft any more")
    draft = replace(draft, corrections=_merge_corrections(draft.corrections, fixer.corrections))
    applied = replace(
        state,
        draft=draft,
        transcript=respell(state.transcript, fixer.fixes),
        edits=(*state.edits, replace(edit, was=edit.original)),
        words=_merge_fixes(state.words, fixer.fixes),
        glossary=(*state.glossary, text) if edit.glossary and text not in state.glossary else state.glossary,
    )
    return applied


def _glossary_did(draft: Draft, edit: Edit, text: str) -> bool:
    """Whether the draft already spells the word as the fix does (the glossary now holds the term)."""
    return any(c.words[0] == edit.word and bare(c.corrected) == bare(text) for c in draft.corrections)


class _WordFixer:
    """Respells one word (or every piece showing it) in the sections' headings and paragraphs."""

    def __init__(self, state: Applied, edit: Edit, original: str, text: str) -> None:
        self.state, self.edit, self.original, self.text = state, edit, original, text
        self.fixed: dict[int, str] = {}
        self.corrections: list[Correction] = []
        self.fixes: list[WordFix] = []

    def section(self, section: Section) -> Section:
        if section.heading_words:
            heading = self._respell(section.heading, section.heading_words)
        else:
            heading = _replace_words(section.heading, self.original, self.text)
        paragraphs = tuple(replace(p, text=self._respell(p.text, p.words)) for p in section.paragraphs)
        return replace(section, heading=heading, paragraphs=paragraphs)

    def _respell(self, text: str, span: tuple[int, int]) -> str:
        out = []
        for piece in _pieces(self.state, text, span):
            if piece.kind != "removed":
                out.append(self._fix(piece) if self._wanted(piece) else piece.text)
        return "".join(out)

    def _wanted(self, piece: Piece) -> bool:
        if piece.kind not in ("word", "corrected") or bare(piece.text) != self.original:
            return False
        return self.edit.everywhere or piece.index == self.edit.word

    def _fix(self, piece: Piece) -> str:
        words = self.state.transcript.words
        word = words[piece.index]
        new = _styled(self.text, piece.text)
        old = next((c for c in self.state.draft.corrections if c.words[0] == piece.index), None)
        span = old.words if old else (piece.index, piece.index + 1)
        heard = old.original if old else word.text
        self.corrections.append(Correction(span, heard, new, word.start, words[span[1] - 1].end))
        if span[1] - span[0] > 1:  # the correction goes as one, as in :func:`realigned`: the rest is blanked
            said = _keep_punctuation(" ".join(w.text for w in words[span[0] : span[1]] if w.text), new)
            self.fixes.append(WordFix(piece.index, heard, said, exact=True))
            self.fixes += [WordFix(i, words[i].text, "", exact=True) for i in range(span[0] + 1, span[1])]
        else:
            self.fixes.append(WordFix(piece.index, heard, new))
        self.fixed[piece.index] = new
        return new


def _styled(text: str, shown: str) -> str:
    """The editor's spelling, capitalised where the word it replaces was (a sentence start)."""
    if shown[:1].isupper() and text[:1].islower() and not shown.isupper():
        return text[0].upper() + text[1:]
    return text


def _replace_words(text: str, original: str, new: str) -> str:
    """``text`` with each whole-word ``original`` (any case) spelt ``new``."""
    pattern = re.compile(rf"(?<![\w'’]){re.escape(original)}(?![\w'’])", re.IGNORECASE)
    return pattern.sub(lambda m: _styled(new, m.group()), text)


def _merge_corrections(old: Sequence[Correction], new: Sequence[Correction]) -> tuple[Correction, ...]:
    replaced = {c.words[0] for c in new}
    kept = [c for c in old if c.words[0] not in replaced]
    return tuple(sorted([*kept, *new], key=lambda c: c.words[0]))


def _merge_fixes(old: Sequence[WordFix], new: Sequence[WordFix]) -> tuple[WordFix, ...]:
    fixes = {w.word: w for w in old}
    fixes.update({w.word: w for w in new})
    return tuple(fixes[i] for i in sorted(fixes))


def _respelt(transcript: Transcript, fixed: dict[int, str], exact: bool = False) -> Transcript:
    """The transcript with fixed words respelt (keeping their punctuation unless ``exact``), for the
    captions."""
    words = list(transcript.words)
    for i, text in fixed.items():
        words[i] = replace(words[i], text=text if exact else _keep_punctuation(words[i].text, text))
    return replace(transcript, words=tuple(words))


def respell(transcript: Transcript, fixes: Iterable[WordFix]) -> Transcript:
    """The transcript with the saved word fixes of ``edits.json`` (for the captions and the page)."""
    valid = [w for w in fixes if 0 <= w.word < len(transcript.words)]
    transcript = _respelt(transcript, {w.word: w.text for w in valid if not w.exact})
    return _respelt(transcript, {w.word: w.text for w in valid if w.exact}, exact=True)


def _keep_punctuation(heard: str, text: str) -> str:
    core = bare(heard)
    match = re.search(re.escape(core), heard, re.IGNORECASE) if core else None
    if match is None:
        return text
    return heard[: match.start()] + text.strip(".,;:!?") + heard[match.end() :]


def _one_line(text: str) -> str:
    """Text as the editor typed it, on one line: each run of spaces, tabs and line breaks one space, the
    spaces that hold words together ("0.5\u00a0mg") kept, the characters that show nothing (a
    zero-width space, a soft hyphen, a control character) dropped; "" where nothing visible is left."""
    text = _SPACES.sub(" ", never_kept(text)).strip()
    return text if any(_visible(c) for c in text) else ""


def _visible(char: str) -> bool:
    return not char.isspace() and unicodedata.category(char) not in ("Cc", "Cf", "Cs", "Cn", "Zs")
