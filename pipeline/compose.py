"""Compose stage: cleaned paragraphs under headings, plus title, slug and description."""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.cleanup import CleanSentence, capitalize_first, clean_sentence
from pipeline.headings import generate_heading, keywords, make_description, make_title, slugify
from pipeline.schema import Draft, Paragraph, Removal, Section, Source, Transcript
from pipeline.sections import SectionSpan

MAX_PARAGRAPH_SENTENCES = 3
MAX_PARAGRAPH_WORDS = 70


@dataclass(frozen=True)
class ComposeOptions:
    """Choices that shape the prose."""

    verbatim: bool = False
    date: str = ""


def compose(
    transcript: Transcript, spans: list[SectionSpan], source: Source, options: ComposeOptions
) -> Draft:
    """Build the draft: paragraphs, headings (spoken or generated) and metadata.

    Args:
        transcript: words and sentences of the talk.
        spans: sections from the section stage, covering every sentence once.
        source: the media the draft came from.
        options: prose and date choices.
    """
    cleaned = [clean_sentence(transcript.words, s, options.verbatim) for s in transcript.sentences]
    sections = _name_sections(transcript, [_section(transcript, span, cleaned) for span in spans])
    prose = [p.text for s in sections for p in s.paragraphs]
    full_text = " ".join(prose)
    asked = any(s.heading_source == "spoken" for s in sections)
    title = make_title(full_text, asked)
    return Draft(
        title=title,
        slug=slugify(title),
        description=make_description(prose),
        date=options.date,
        source=source,
        sections=tuple(sections),
        keywords=tuple(keywords(full_text)),
        removals=_all_removals(cleaned),
        engine=transcript.engine,
        model=transcript.model,
    )


def _section(transcript: Transcript, span: SectionSpan, cleaned: list[CleanSentence]) -> Section:
    first, last = span.sentences
    body_first = first + 1 if span.heading_sentence is not None else first
    sentences = transcript.sentences
    heading_words = sentences[first].words if span.heading_sentence is not None else None
    heading = capitalize_first(cleaned[first].text) if heading_words else (span.heading or "")
    return Section(
        heading=heading,
        heading_source=span.heading_source,
        start=sentences[first].start,
        end=sentences[last - 1].end,
        paragraphs=tuple(_paragraphs(transcript, range(body_first, last), cleaned)),
        heading_words=heading_words,
    )


def _paragraphs(transcript: Transcript, indices: range, cleaned: list[CleanSentence]) -> list[Paragraph]:
    groups: list[list[int]] = []
    for i in indices:
        if not cleaned[i].text:
            continue
        if not groups or _full(groups[-1], cleaned):
            groups.append([])
        groups[-1].append(i)
    return [_paragraph(transcript, group, cleaned) for group in groups]


def _full(group: list[int], cleaned: list[CleanSentence]) -> bool:
    words = sum(len(cleaned[i].text.split()) for i in group)
    return len(group) >= MAX_PARAGRAPH_SENTENCES or (len(group) >= 2 and words >= MAX_PARAGRAPH_WORDS)


def _paragraph(transcript: Transcript, group: list[int], cleaned: list[CleanSentence]) -> Paragraph:
    first, last = transcript.sentences[group[0]], transcript.sentences[group[-1]]
    return Paragraph(
        text=" ".join(cleaned[i].text for i in group),
        start=first.start,
        end=last.end,
        words=(first.words[0], last.words[1]),
    )


def _name_sections(transcript: Transcript, sections: list[Section]) -> list[Section]:
    """Give every section without a heading a generated one that repeats no other heading."""
    context = " ".join(p.text for s in sections for p in s.paragraphs)
    used = [s.heading for s in sections if s.heading]
    named = []
    for section in sections:
        if not section.heading:
            text = " ".join(p.text for p in section.paragraphs)
            heading = generate_heading(text, used, context)
            used.append(heading)
            section = _with_heading(section, heading)
        named.append(section)
    return named


def _with_heading(section: Section, heading: str) -> Section:
    from dataclasses import replace

    return replace(section, heading=heading, heading_source="generated")


def _all_removals(cleaned: list[CleanSentence]) -> tuple[Removal, ...]:
    return tuple(r for c in cleaned for r in c.removals)
