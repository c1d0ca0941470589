"""Ask the language model for headings, a title and a description, guard them, and record them.

Called by the orchestration (:func:`video2blog.pipeline.run.make_draft`) on a composed draft.
Only sections whose heading was generated (none spoken, no chapter mark) are asked about; the
paragraphs are never sent back. Any failure of the endpoint ends in one warning line and the
classical draft, with the failure recorded in ``Draft.llm``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace

from video2blog.pipeline.llm.cache import ReplyCache, reply_key
from video2blog.pipeline.llm.client import ChatClient, Deadline, LlmUnavailable
from video2blog.pipeline.llm.options import LlmOptions
from video2blog.pipeline.llm.prompts import (
    HEADING_TOKENS,
    META_TOKENS,
    PROMPT_VERSION,
    Messages,
    heading_messages,
    meta_messages,
)
from video2blog.pipeline.schema import Draft, HeadingSuggestion, LlmRecord, LlmSuggestion, Section
from video2blog.pipeline.text.guards import (
    check_heading,
    guarded_description,
    same_heading,
    tidy,
)
from video2blog.pipeline.textutil import slugify

log = logging.getLogger(__name__)

MAX_SUGGESTIONS = 3
MAX_REASON = 160
CUT_DESCRIPTION = "cut to the sentences the talk supports"
NO_DESCRIPTION = "dropped: no sentence the talk supports"


class Session:
    """One draft's requests: through the cache, within the request budget and the draft's deadline."""

    def __init__(self, options: LlmOptions) -> None:
        self.options = options
        self.client = ChatClient(
            options.url, options.model, options.api_key, options.request_timeout, options.retries
        )
        self.cache = ReplyCache(options.cache_dir)
        self.deadline = Deadline(options.draft_timeout)
        self.started = time.monotonic()
        self.requests = self.cached = 0
        self.model = options.model

    def ask(self, messages: Messages, max_tokens: int) -> str | None:
        """The reply's text; None when the draft's request budget is spent.

        Raises:
            LlmUnavailable: the endpoint failed.
        """
        key = reply_key(self.options.model, self.client.endpoint, PROMPT_VERSION, messages)
        reply = self.cache.get(key)
        if reply is not None:
            self.cached += 1
        elif self.requests >= self.options.max_requests:
            log.info("language model: %d requests sent, the most for one draft", self.requests)
            return None
        else:
            self.requests += 1
            reply = self.client.complete(messages, max_tokens, self.deadline)
            self.cache.put(key, reply)
        self.model = self.options.model or _model_name(reply.model)
        return reply.text

    def record(self, suggestions: Sequence[LlmSuggestion] = (), warning: str = "") -> LlmRecord:
        return LlmRecord(
            model=self.model,
            endpoint=self.options.host,
            prompt_version=PROMPT_VERSION,
            mode=self.options.mode,
            suggestions=tuple(suggestions),
            requests=self.requests,
            cached=self.cached,
            seconds=round(time.monotonic() - self.started, 3),
            warning=warning,
        )


def _model_name(reported: str) -> str:
    """llama.cpp reports the model file's path: keep its name only."""
    return reported.rsplit("/", 1)[-1] if reported.endswith(".gguf") else reported


@dataclass(frozen=True)
class Plan:
    """Everything the model suggested for one draft, already guarded."""

    headings: dict[int, list[LlmSuggestion]]
    meta: list[LlmSuggestion]


def suggest(
    draft: Draft,
    glossary: Sequence[str],
    options: LlmOptions,
    session: Session | None = None,
    earlier: Sequence[LlmSuggestion] = (),
    warning: str = "",
) -> Draft:
    """The draft with the model's guarded suggestions recorded (and, in mode "use", the best used).

    Never raises for the endpoint's sake: a failure logs one warning and returns the classical
    draft with the failure in ``Draft.llm.warning``.

    Args:
        draft: the classical draft.
        glossary: clinic terms (their words count as said).
        options: endpoint, mode and limits.
        session: the draft's session, where boundaries were already asked in it.
        earlier: what the session suggested before (boundaries), to record with the rest.
        warning: the session's failure so far; nothing more is asked.
    """
    session = session or Session(options)
    if warning:
        return replace(draft, llm=session.record(warning=warning))
    try:
        plan = ask_all(draft, glossary, session)
    except LlmUnavailable as exc:
        return replace(draft, llm=session.record(warning=failure(session, exc)))
    return apply(draft, replace(plan, meta=[*earlier, *plan.meta]), options.mode == "use", session)


def failure(session: Session, exc: LlmUnavailable) -> str:
    """The one warning line for a failed endpoint, logged and returned."""
    reason = " ".join(str(exc).split())[:MAX_REASON]  # one line, whatever the server sent
    warning = f"the language model at {session.options.host} failed ({reason}); kept the classical headings"
    log.warning("%s", warning)
    return warning


def ask_all(draft: Draft, glossary: Sequence[str], session: Session) -> Plan:
    """Headings for each section with a generated heading, then the title and description."""
    clinic = session.options.clinic
    headings: dict[int, list[LlmSuggestion]] = {}
    taken = [s.heading for s in draft.sections]
    for i, section in enumerate(draft.sections):
        if section.heading_source != "generated":
            continue
        reply = session.ask(heading_messages(section_text(section), glossary, clinic), HEADING_TOKENS)
        if reply is None:
            break
        others = [h for j, h in enumerate(taken) if j != i]
        headings[i] = judge_headings(reply, i, section, glossary, others)
        taken += [s.text for s in headings[i] if s.used]
    return Plan(headings, ask_meta(draft, glossary, session))


def section_text(section: Section) -> str:
    """A section's prose, the text its headings must come from."""
    return " ".join(p.text for p in section.paragraphs)


def judge_headings(
    reply: str, index: int, section: Section, glossary: Sequence[str], others: Sequence[str]
) -> list[LlmSuggestion]:
    """The reply's headings, guarded; the first clean one is marked used."""
    found: list[LlmSuggestion] = []
    lines = [h for h in (tidy(line) for line in reply.splitlines()) if h]
    for text in lines:
        if any(same_heading(text, s.text) for s in found) or len(found) >= 2 * MAX_SUGGESTIONS:
            continue
        verdict = check_heading(text, section_text(section), glossary, [*others, section.heading])
        found.append(LlmSuggestion("heading", index, text, section.heading, verdict.note))
    kept = [s for s in found if not s.note.startswith("dropped")][:MAX_SUGGESTIONS]
    best = next((s for s in kept if not s.note), None)
    dropped = [s for s in found if s.note.startswith("dropped")]
    return [replace(s, used=s is best) for s in kept] + dropped


def ask_meta(draft: Draft, glossary: Sequence[str], session: Session) -> list[LlmSuggestion]:
    """A guarded title and description for the whole talk."""
    text = " ".join(section_text(s) for s in draft.sections)
    headings = [s.heading for s in draft.sections]
    reply = session.ask(meta_messages(text, headings, glossary, session.options.clinic), META_TOKENS)
    if reply is None:
        return []
    fields = parse_meta(reply)
    found = []
    if fields.get("title"):
        verdict = check_heading(fields["title"], text, glossary)
        found.append(LlmSuggestion("title", -1, fields["title"], draft.title, verdict.note, verdict.clean))
    if fields.get("description"):
        found.append(judge_description(fields["description"], text, glossary, draft.description))
    return found


def parse_meta(reply: str) -> dict[str, str]:
    """``Title:`` and ``Description:`` lines of a reply (labels in any case, list marks allowed)."""
    fields: dict[str, str] = {}
    for line in reply.splitlines():
        label, sep, value = line.strip().lstrip("-*• ").partition(":")
        name = label.strip().strip("*_ ").lower()
        if sep and name in ("title", "description", "meta description") and value.strip():
            key = "title" if name == "title" else "description"
            fields.setdefault(key, tidy(value) if key == "title" else " ".join(value.split()).strip("\"'“”"))
    return fields


def judge_description(raw: str, text: str, glossary: Sequence[str], classical: str) -> LlmSuggestion:
    """The suggested description less what the guards refuse, cut at whole sentences."""
    kept = guarded_description(raw, text, glossary)
    note = NO_DESCRIPTION if not kept else ("" if kept == raw else CUT_DESCRIPTION)
    return LlmSuggestion("description", -1, kept or raw, classical, note, bool(kept))


def apply(draft: Draft, plan: Plan, use: bool, session: Session) -> Draft:
    """The draft with the plan's suggestions offered on their sections and, if ``use``, the best used."""
    sections = [offer(section, plan.headings.get(i, []), use) for i, section in enumerate(draft.sections)]
    title = next((s.text for s in plan.meta if s.target == "title" and s.used), None) if use else None
    description = next((s.text for s in plan.meta if s.target == "description" and s.used), None)
    every = [s for i in sorted(plan.headings) for s in plan.headings[i]] + plan.meta
    if not use:
        every = [replace(s, used=False) for s in every]
    return replace(
        draft,
        title=title or draft.title,
        slug=slugify(title) if title else draft.slug,
        description=(description if use else None) or draft.description,
        sections=tuple(sections),
        llm=session.record(every),
    )


def offer(section: Section, suggestions: list[LlmSuggestion], use: bool) -> Section:
    """A section with the kept suggestions among its alternatives; the used one (if ``use``) as heading."""
    kept = [s for s in suggestions if not s.note.startswith("dropped")]
    best = next((s for s in kept if s.used), None) if use else None
    offered = [HeadingSuggestion(s.text, "llm", s.note) for s in kept if s is not best]
    if best is None:
        return replace(section, suggestions=_merged(section.suggestions, offered))
    classical = HeadingSuggestion(section.heading, section.heading_source)
    return replace(
        section,
        heading=best.text,
        heading_source="llm",
        suggestions=_merged(section.suggestions, [classical, *offered]),
    )


def _merged(
    existing: tuple[HeadingSuggestion, ...], new: list[HeadingSuggestion]
) -> tuple[HeadingSuggestion, ...]:
    seen = {s.text.lower() for s in existing}
    return existing + tuple(s for s in new if s.text.lower() not in seen)
