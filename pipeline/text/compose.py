"""Compose stage: cleaned paragraphs under headings, plus title, slug, description and keywords."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from video2blog.pipeline.schema import (
    Correction,
    Draft,
    HeadingSuggestion,
    Paragraph,
    Section,
    Sentence,
    Source,
    Transcript,
    Word,
)
from video2blog.pipeline.text import locales
from video2blog.pipeline.text.central import central_word
from video2blog.pipeline.text.cleanup import CleanSentence, capitalize_first, clean_sentence
from video2blog.pipeline.text.glossary import correct_words
from video2blog.pipeline.text.hallucination import find_hallucinations
from video2blog.pipeline.text.headings import Talk, alternatives, generate_heading, keeps_spoken
from video2blog.pipeline.text.metadata import (
    TopicCandidates,
    best_topic,
    closeness_to,
    keywords,
    main_topic,
    make_description,
    make_title,
    shipped_keyword_model,
    talk_sentences,
    topic_candidates,
    topic_purpose,
)
from video2blog.pipeline.text.phrases import keep_case, sentences_of
from video2blog.pipeline.text.questions import (
    Encode,
    QuestionGate,
    QuestionModel,
    asks_probability,
    form_rows,
    prototype_similarity,
    questions_of,
    shipped_gate,
    shipped_model,
    shipped_spoken_floor,
    subject_of,
    talk_features,
)
from video2blog.pipeline.text.sections import SectionSpan, materialize
from video2blog.pipeline.text.sentences import sentences_in
from video2blog.pipeline.text.spoken import heading_text, question_follow, question_lead
from video2blog.pipeline.text.subjects import SubjectModel, section_subjects
from video2blog.pipeline.textutil import (
    greeting_pattern,
    has_catalogue,
    intro_pattern,
    message,
    slugify,
    terms_said,
)

MAX_PARAGRAPH_SENTENCES = 3
MAX_PARAGRAPH_WORDS = 70
MERGED = "merged"  # the Removal reason of a correction's words after its first


@dataclass(frozen=True)
class ComposeOptions:
    """Choices that shape the prose."""

    verbatim: bool = False
    date: str = ""
    glossary: tuple[str, ...] = ()
    # The question-form model for sections whose question was not spoken (None: the shipped one).
    question_model: QuestionModel | None = None
    # Whether a talk is headed by questions at all (None: the shipped gate).
    question_gate: QuestionGate | None = None
    # What each generated question names (None: the shipped subject model).
    subject_model: SubjectModel | None = None


def compose(
    transcript: Transcript,
    spans: list[SectionSpan],
    source: Source,
    options: ComposeOptions,
    encode: Encode | None = None,
    multilingual: Encode | None = None,
) -> Draft:
    """Build the draft: paragraphs, headings (spoken, chapter or generated) and metadata.

    Glossary corrections are made first (also with ``verbatim``: they respell what was said);
    a correction that merges several words keeps its text on the first and records the others
    as removed (reason "merged"), so every word stays accounted for. Sentences Whisper
    invented (see ``text/hallucination.py``) are left out and recorded as removed ("hallucination").

    Args:
        transcript: words and sentences of the talk.
        spans: sections from the section stage, covering every sentence once.
        source: the media the draft came from.
        options: prose, glossary and date choices.
        encode: the sentence encoder (``engines.embed``); with it, a section whose question was not
            spoken is headed by the question it answers (``text/questions.py``), else by its topic.
        multilingual: the multilingual sentence encoder (``engines.embed.multilingual_encoder``); with
            it a talk not in English is named by the word it is about (``text/central.py``), else by
            its most used word.
    """
    transcript, spans = materialize(transcript, spans)
    if transcript.language == "en":
        transcript, spans = join_leads(transcript, spans)
    invented = find_hallucinations(transcript)  # never spoken: out of the prose, recorded as removed
    corrections = [c for c in correct_words(transcript.words, options.glossary) if c.words[0] not in invented]
    words, merged = corrected_words(transcript.words, corrections)
    merged.update(invented)
    language = transcript.language
    cleaned = [clean_sentence(words, s, options.verbatim, merged, language) for s in transcript.sentences]
    patient = _patient_questions(spans, cleaned, language, encode, options.question_model)
    unnamed = [_section(transcript, span, cleaned, patient) for span in spans]
    prose = [p.text for s in unnamed for p in s.paragraphs]
    full_text = " ".join([*prose, *(s.heading for s in unnamed if s.heading)])
    if language != "en":
        return _other_language_draft(
            unnamed, prose, full_text, source, options, corrections, cleaned, transcript, multilingual
        )
    talk = Talk(tuple(_section_text(s) for s in unnamed))
    found = topic_candidates(talk.sections)
    talk = replace(talk, topic=best_topic(found))
    model = options.question_model or shipped_model()
    questions, heads = (
        _questions(unnamed, talk, found, full_text, encode, options, model)
        if encode and model
        else ({}, False)
    )
    sections = _name_sections(_with_lead(unnamed), talk, questions, heads)
    asked = any(s.heading_source in ("spoken", "on-screen") for s in sections)
    purpose = topic_purpose(full_text, talk.topic)
    title = make_title(talk.topic, asked, purpose)
    closeness = None  # the keyword model for a talk with sentence vectors, where it ships, weighs it
    if encode is not None and shipped_keyword_model("embeddings") is not None:
        closeness = closeness_to(talk_sentences(prose), encode)
    return Draft(
        title=title,
        slug=slugify(title),
        description=make_description(
            prose,
            topic=talk.topic,
            headings=[s.heading for s in sections],
            encode=encode,
            purpose=purpose,
            section_of=[n for n, s in enumerate(unnamed) for _ in s.paragraphs],
        ),
        date=options.date,
        source=source,
        sections=tuple(sections),
        keywords=tuple(keywords(full_text, topic=talk.topic, terms=options.glossary, closeness=closeness)),
        removals=tuple(r for c in cleaned for r in c.removals),
        corrections=tuple(corrections),
        engine=transcript.engine,
        model=transcript.model,
        language=transcript.language,
    )


def edited_keywords(draft: Draft, terms: Sequence[str]) -> tuple[str, ...]:
    """The keywords of an English ``draft`` an editor rewrote, made as :func:`compose` makes them: from its
    prose and its headings said, shown or written (a generated heading only repeats its section), the
    glossary ``terms`` it says first, so a term the editor wrote in becomes a keyword."""
    texts = _said_texts(draft)
    return tuple(keywords(" ".join(texts), topic=main_topic(texts), terms=terms))


def glossary_said(draft: Draft, terms: Sequence[str]) -> frozenset[str]:
    """The glossary ``terms`` the draft's prose and headings (as :func:`edited_keywords` reads them) say."""
    return frozenset(terms_said(terms, " ".join(_said_texts(draft))))


def _said_texts(draft: Draft) -> tuple[str, ...]:
    sections = [replace(s, heading="") if s.heading_source == "generated" else s for s in draft.sections]
    return tuple(_section_text(s) for s in sections)


def _other_language_draft(
    unnamed: list[Section],
    prose: list[str],
    full_text: str,
    source: Source,
    options: ComposeOptions,
    corrections: list[Correction],
    cleaned: list[CleanSentence],
    transcript: Transcript,
    multilingual: Encode | None,
) -> Draft:
    """The draft of a talk not in English: title, keywords and generated headings from
    :mod:`.locales` (the English headings module would make English of it); the title's subject and
    first keyword the word the talk is about (:mod:`.central`), where its model and the ``multilingual``
    encoder are there."""
    language = transcript.language
    if not has_catalogue(language):
        return _as_heard_draft(unnamed, source, options, corrections, cleaned, transcript)
    used = [s.heading for s in unnamed if s.heading]
    sections = []
    for section in _with_lead(unnamed, language):
        if section.heading_source == "spoken":
            section = replace(section, heading=locales.spoken_heading(section.heading, language))
        if section.lead and not section.heading:  # shown in the chapters and the review page only
            section = replace(section, heading=message(language, "introduction"), heading_source="generated")
        if not section.heading:
            text = " ".join(p.text for p in section.paragraphs)
            heading = locales.generated_heading(text, language, used)
            used.append(heading)
            section = replace(section, heading=heading, heading_source="generated")
        sections.append(section)
    words = locales.keywords(full_text, language, terms=options.glossary)
    about = central_word(
        transcript, locales.content_words(locales.talked(full_text, language), language), multilingual
    )
    words = [about, *(w for w in words if w != about)][: locales.KEYWORDS] if about else words
    asked = any(s.heading_source == "spoken" for s in sections)
    title = locales.make_title(words[0] if words else "", asked, language)
    return Draft(
        title=title,
        slug=slugify(title),
        description=locales.describe(_described(sections), intro_pattern(language)),
        date=options.date,
        source=source,
        sections=tuple(sections),
        keywords=tuple(words),
        removals=tuple(r for c in cleaned for r in c.removals),
        corrections=tuple(corrections),
        engine=transcript.engine,
        model=transcript.model,
        language=language,
    )


ASKED = ("spoken", "on-screen")  # the heading sources of a question asked, aloud or on screen


def _as_heard_draft(
    unnamed: list[Section],
    source: Source,
    options: ComposeOptions,
    corrections: list[Correction],
    cleaned: list[CleanSentence],
    transcript: Transcript,
) -> Draft:
    """The draft of a talk in a language video2blog is not made for (:func:`.has_catalogue`): nothing is
    made of English or Spanish words or rules. Its sections are headed by the questions asked aloud or on
    screen (and chapters), others by their opening words; the opening before the first question is the
    lead; the title is the first question (else the talk's opening words, else the file's name); the
    keywords are the glossary's terms it says; and a note says so."""
    language = transcript.language
    sections = [_headed_as_said(s) for s in _opening_lead(unnamed)]
    said = [p.text for s in sections for p in s.paragraphs]
    asked = _first_question(sections, transcript, cleaned)
    title = asked or locales.opening_words(" ".join(said)) or _stem(source.path)
    return Draft(
        title=title,
        slug=slugify(title),
        description=locales.describe(_described(sections)),
        date=options.date,
        source=source,
        sections=tuple(sections),
        keywords=tuple(locales.glossary_keywords(" ".join(said), options.glossary)),
        removals=tuple(r for c in cleaned for r in c.removals),
        corrections=tuple(corrections),
        engine=transcript.engine,
        model=transcript.model,
        language=language,
        notes=(locales.as_heard_note(language),),
    )


def _stem(path: str) -> str:
    """A file's name without its folder and its extension ("talks/fr.srt" -> "fr")."""
    name = path.replace("\\", "/").rsplit("/", 1)[-1]
    return name.rsplit(".", 1)[0] if "." in name.lstrip(".") else name


def _first_question(sections: list[Section], transcript: Transcript, cleaned: list[CleanSentence]) -> str:
    """The talk's first question, "" for none: a heading asked aloud or shown on screen, or a sentence
    asked aloud (ending in a question mark, :func:`locales.asks`) before it that heads no section (the
    sections of a short talk, or of its opening, start elsewhere: "Здравствуйте, я доктор Иванова. Что
    такое кетамин? ...")."""
    headed = [(s.start, s.heading) for s in sections if s.heading_source in ASKED]
    sentences = zip(transcript.sentences, cleaned, strict=True)
    said = [(s.start, c.text) for s, c in sentences if locales.asks(c.text, transcript.language)]
    first = min([*headed, *said], key=lambda q: q[0], default=None)
    return locales.shortened(first[1]) if first else ""


def _opening_lead(sections: list[Section]) -> list[Section]:
    """The first section as the post's lead where no heading was said or shown for it and a question
    asked heads the next: the talk's opening (a greeting, in any language)."""
    if len(sections) < 2 or sections[0].heading or sections[1].heading_source not in ASKED:
        return sections
    return [replace(sections[0], lead=True), *sections[1:]]


def _headed_as_said(section: Section) -> Section:
    """A section with a heading of its words as said: its own, within :data:`.locales.HEADING_LIMIT`
    characters, or its opening words."""
    if section.heading:
        return replace(section, heading=locales.shortened(section.heading))
    opening = locales.opening_words(" ".join(p.text for p in section.paragraphs))
    return replace(section, heading=opening, heading_source="generated")


def join_leads(transcript: Transcript, spans: list[SectionSpan]) -> tuple[Transcript, list[SectionSpan]]:
    """Each spoken question's heading with the sentences before it that belong to it
    (:func:`.spoken.question_lead`: a question asked just before it, a patient's statement leading it),
    taken from the end of the section before and joined to the question as one sentence. A section
    before that is headed keeps at least one sentence of its answer; one left with nothing goes.

    Returns:
        The transcript with those sentences joined, and the spans re-indexed to it.
    """
    leads = [_lead(transcript, spans, k) for k in range(len(spans))]
    follows = [_follow(transcript, span) for span in spans]
    if not any(leads) and not any(follows):
        return transcript, spans
    old = transcript.sentences
    sentences: list[Sentence] = []
    out: list[SectionSpan] = []
    for span, lead, follow, after in zip(spans, leads, follows, [*leads[1:], 0]):
        first, last = span.sentences
        begin = len(sentences)
        if lead or follow:
            joined = old[first - lead : first + 1 + follow]
            sentences.append(_joined(joined))
            first += 1 + follow
        sentences.extend(old[first : last - after])
        if len(sentences) > begin:
            head = begin if span.heading_sentence is not None else None
            out.append(replace(span, sentences=(begin, len(sentences)), heading_sentence=head))
    return replace(transcript, sentences=tuple(sentences)), out


def _lead(transcript: Transcript, spans: list[SectionSpan], k: int) -> int:
    """How many sentences at the end of section ``k - 1`` belong to section ``k``'s spoken heading."""
    span = spans[k]
    if not k or span.heading_source != "spoken" or span.heading_sentence is None:
        return 0
    before = spans[k - 1]
    first, last = before.sentences
    answer = first + (before.heading_sentence is not None)
    texts = [s.text for s in transcript.sentences[answer:last]]
    lead = question_lead(texts, transcript.sentences[span.sentences[0]].text)
    if before.heading_sentence is not None:
        lead = min(lead, len(texts) - 1)
    return max(lead, 0)


def _follow(transcript: Transcript, span: SectionSpan) -> int:
    """How many sentences after a section's spoken question belong to its heading
    (:func:`.spoken.question_follow`); at least one sentence of the answer stays."""
    if span.heading_source != "spoken" or span.heading_sentence is None:
        return 0
    first, last = span.sentences
    texts = [s.text for s in transcript.sentences[first:last]]
    return question_follow(texts[0], texts[1:-1])


def _joined(sentences: Sequence[Sentence]) -> Sentence:
    """Consecutive sentences as one."""
    first, last = sentences[0], sentences[-1]
    text = " ".join(s.text for s in sentences)
    return Sentence(text=text, start=first.start, end=last.end, words=(first.words[0], last.words[1]))


def corrected_words(
    words: tuple[Word, ...], corrections: list[Correction]
) -> tuple[tuple[Word, ...], dict[int, str]]:
    """Words with each correction's text on its first word, and the other words it merged."""
    fixed = list(words)
    merged: dict[int, str] = {}
    for c in corrections:
        first, last = c.words
        fixed[first] = replace(words[first], text=c.corrected, end=words[last - 1].end)
        merged.update({i: MERGED for i in range(first + 1, last)})
    return tuple(fixed), merged


def _section(
    transcript: Transcript, span: SectionSpan, cleaned: list[CleanSentence], patient: frozenset[int]
) -> Section:
    first, last = span.sentences
    said = span.heading_sentence is not None
    source = span.heading_source
    if said and source == "spoken" and first not in patient and not _kept(cleaned[first].text):
        said, source = False, "generated"  # "All right", "My name's Ken": prose, and a heading generated
    sentences = transcript.sentences
    return Section(
        heading=_heading(span, cleaned[first].text if said else ""),
        heading_source=source,
        start=_opening(sentences, first, span.shown_at),
        end=sentences[last - 1].end,
        paragraphs=tuple(_paragraphs(transcript, range(first + 1 if said else first, last), cleaned)),
        heading_words=sentences[first].words if said else None,
        suggestions=(HeadingSuggestion(span.shown, "on-screen"),) if span.shown else (),
    )


def _opening(sentences: Sequence[Sentence], first: int, shown_at: float | None) -> float:
    """When a section starts: its first sentence, or earlier, when the question heading it came on screen
    in the pause before (a chapter opens on the card, not after it), never before the sentence before."""
    start = sentences[first].start
    if shown_at is None or shown_at >= start:
        return start
    return round(max(shown_at, sentences[first - 1].end if first else 0.0), 3)


def _patient_questions(
    spans: list[SectionSpan],
    cleaned: list[CleanSentence],
    language: str,
    encode: Encode | None,
    model: QuestionModel | None,
) -> frozenset[int]:
    """The spoken questions heading a section that read like a patient's question to a clinic (close
    to a question form's prototype, ``spoken_question.json``) though their shape alone would be left
    out: "When can I drive?", "How can orthodontics benefit me?" head their answers; "How's it going?"
    does not. Sentence indices; none without the sentence encoder or for a talk not in English."""
    model, floor = model or shipped_model(), shipped_spoken_floor()
    if encode is None or model is None or floor is None or language != "en":
        return frozenset()
    spoken = [s for s in spans if s.heading_sentence is not None and s.heading_source == "spoken"]
    firsts = [s.sentences[0] for s in spoken]
    doubted = [i for i in firsts if cleaned[i].text.rstrip().endswith("?") and not _kept(cleaned[i].text)]
    close = prototype_similarity([heading_text(cleaned[i].text) for i in doubted], encode, model)
    return frozenset(i for i, similarity in zip(doubted, close) if similarity >= floor)


def _kept(said: str) -> bool:
    """Whether a spoken heading's cleaned text is one an editor keeps (all fillers, "Um, uh.", is
    left to the generated heading as before)."""
    return not said or keeps_spoken(heading_text(said))


def _heading(span: SectionSpan, said: str) -> str:
    if span.heading_source == "spoken":  # all fillers ("Um, uh."): generated later, not the removed words
        return capitalize_first(heading_text(said)) if said else ""
    return span.heading or ""


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


def _section_text(section: Section) -> str:
    """A section's spoken heading (it names the topic too) and prose."""
    return " ".join([section.heading, *(p.text for p in section.paragraphs)]).strip()


def _questions(
    sections: Sequence[Section],
    talk: Talk,
    found: TopicCandidates,
    text: str,
    encode: Encode,
    options: ComposeOptions,
    model: QuestionModel,
) -> tuple[dict[int, list[str]], bool]:
    """The questions each section without a heading may answer, naming what it is about
    (:func:`~video2blog.pipeline.text.subjects.section_subjects`, of the talk's ``found``
    :func:`~video2blog.pipeline.text.metadata.topic_candidates`), the likeliest first (none where the
    form ``model`` is unsure of every form), and whether the talk is headed by questions: the gate's
    decision over those sections (every talk where no gate was trained). Spoken headings cost no
    embedding."""
    gate = options.question_gate or shipped_gate()
    unnamed = [i for i, s in enumerate(sections) if not s.heading]
    if not talk.topic or not unnamed:
        return {}, False
    said = [[s for p in sections[i].paragraphs for s in sentences_of(p.text)] for i in unnamed]
    rows = form_rows(said, encode, model)
    heads = gate is None or asks_probability(gate, talk_features(rows, len(model.forms))) >= gate.threshold
    topic = keep_case(talk.topic)
    subjects = section_subjects(talk.sections, found, topic, text, encode, options.subject_model)
    asked = questions_of(rows, [subjects[i] for i in unnamed], model, subject_of(topic, text))
    return dict(zip(unnamed, asked)), heads


def _name_sections(
    sections: list[Section], talk: Talk, questions: dict[int, list[str]], heads: bool = True
) -> list[Section]:
    """Give every section without a heading a generated one that repeats no other heading (the
    patient's question it answers, from ``questions``, where there is one and the talk is one a
    clinic heads with questions: ``heads``; else the question is only a suggestion), and one or two
    alternatives an editor may pick instead. A lead that only greets and says what the talk will cover
    answers nothing: it is the plain "Introduction" its chapter and clip need, with no other headings
    offered; no lead is offered a question (one picked would publish the greeting as its answer)."""
    used = [s.heading for s in sections if s.heading]
    named = []
    for i, section in enumerate(sections):
        if section.lead and not section.heading and _only_opening(section):
            heading = message("en", "introduction")
            used.append(heading)
            section = replace(section, heading=heading, heading_source="generated")
        elif not section.heading:
            asked = questions.get(i, [])
            heading = generate_heading(talk, i, used, asked if heads else ())
            used.append(heading)
            others = alternatives(talk, i, heading, asked=[] if section.lead else asked)
            others = [h for h in others if not (section.lead and h.endswith("?"))]
            suggestions = tuple(HeadingSuggestion(h, "generated") for h in others)
            section = replace(section, heading=heading, heading_source="generated", suggestions=suggestions)
        named.append(section)
    return named


def _only_opening(section: Section) -> bool:
    """Whether every sentence of a section greets or says what the talk will cover."""
    intro = intro_pattern("en")
    said = [s for p in section.paragraphs for s in sentences_in(p.text)]
    return intro is not None and all(intro.search(s) for s in said)


def _described(sections: Sequence[Section]) -> list[str]:
    """The paragraphs a description is taken from: all but the lead's (its greeting)."""
    return [p.text for s in sections if not s.lead for p in s.paragraphs]


def _with_lead(sections: list[Section], language: str = "en") -> list[Section]:
    """The sections, the first marked as the post's lead when it is the talk's opening: no question
    was spoken to head it, and every sentence of it greets or says what the talk will cover, or it
    greets ("Hello, I am one of the doctors here", "Hola, soy la doctora") and the next section opens
    with a spoken question. None is a lead in a language whose greetings do not ship."""
    greeting, intro = greeting_pattern(language), intro_pattern(language)
    if len(sections) < 2 or sections[0].heading_source == "spoken" or greeting is None or intro is None:
        return sections
    said = [s for p in sections[0].paragraphs for s in sentences_in(p.text)]  # "Dr. Lee" stays whole
    greets = bool(said) and bool(greeting.search(said[0])) and sections[1].heading_source == "spoken"
    opening = greets or (bool(said) and all(intro.search(s) for s in said))
    return [replace(sections[0], lead=True), *sections[1:]] if opening else sections
