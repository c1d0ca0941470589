"""What spoken headings look like: questions, and titles read out before a topic.

Shared by the sentence stage (which splits a heading the recogniser ran into its answer) and
the section stage (which makes headings of them). Pure text tests, no timing.
"""

from __future__ import annotations

from collections.abc import Sequence

from video2blog.pipeline.text.lexicon import (
    is_gerund,
    present_third_person,
    regular_plural,
    verb_lemma,
    word_classes,
)
from video2blog.pipeline.text.phrases import LEADING_FILLER
from video2blog.pipeline.text.tagger import tag_sentence
from video2blog.pipeline.textutil import GREETING, INTRO, bare, tokens, word_list

WH_WORDS = word_list("wh_words.txt")
AUXILIARIES = word_list("auxiliaries.txt")
# A sentence opening "That almost everyone..." or "There..." leans on what came before.
DEMONSTRATIVES = word_list("demonstratives.txt")
SUBJECTS = word_list("subject_pronouns.txt") | DEMONSTRATIVES
# A wh-question puts its auxiliary within this many words of the wh-word ("What type of pain is...").
WH_AUX_REACH = 4
MIN_HEADING_WORDS = 3
MIN_TITLE_WORDS = 2
MAX_TITLE_WORDS = 8
# The longest spoken question, in every language and stage; longer, a sentence opening with an
# interrogative or ended with "?" is one the speaker went on with.
MAX_QUESTION_WORDS = 16
# A patient's statement leading their question ("I believe I have allergies. How can I...?") is short,
# speaks of the patient ("I", "my") and not to them ("you": the clinic's voice, as "we" and "our" are).
MAX_LEAD_WORDS = 10
FIRST_PERSON = word_list("first_person.txt")
CLINIC_VOICE = word_list("clinic_voice.txt")
# A question's lead-in: up to this many pieces closed by commas, a discourse word ("So,", "Finally,", read
# so by the tagger) or an address of up to MAX_ADDRESS_WORDS words ("Dr. Lopez,").
MAX_LEAD_PIECES = 2
MAX_ADDRESS_WORDS = 3
LEAD_IN_TAGS = ("ADV", "INTJ", "CCONJ")
# Openers that mark a question as part of the answer's own reasoning ("So why does that matter?").
RHETORICAL_OPENERS = word_list("rhetorical_openers.txt")
TAG_ENDINGS = tuple(sorted(word_list("tag_questions.txt")))
# A spoken title is a phrase, not a clause: none of these words, which make (or open) a clause.
CLAUSE_WORDS = AUXILIARIES | word_list("clause_words.txt")
OBJECT_PRONOUNS = word_list("object_pronouns.txt")
ARTICLES = word_list("articles.txt")
SHORT_TITLE_WORDS = 4
# Words that open an introductory phrase before a comma rather than a title ("After a week, ...").
PHRASE_OPENERS = word_list("phrase_openers.txt")


# Where the case was lost, a lower-case "title" is more often a piece of a run-on: it may not open
# with a word that joins it to the sentence before ("which", "and", "in", "after", "the")...
CLAUSE_PIECE_OPENERS = word_list("clause_piece_openers.txt")
# ...nor with a verb telling the listener what to do ("remove the pulp", "go for a walk").
IMPERATIVES = word_list("imperatives.txt")


# Words opening a verb's object: after a word in -s they show a clause ("feeds the itch").
OBJECT_OPENERS = ARTICLES | word_list("possessives.txt")
CASELESS_TITLE_WORDS = 5
# Words that may follow a plural noun inside a title: prepositions and conjunctions.
TITLE_LINKS = word_list("title_links.txt")


def opens_like_question(texts: list[str]) -> bool:
    """Whether words open like a question: an auxiliary first ("Is it...", "Can I..."),
    or a wh-word soon followed by one ("How long does...") with no comma between
    (so that "When pain lasts for months, the..." is not taken for a question)."""
    head = texts[: WH_AUX_REACH + 1]
    first = bare(head[0]) if head else ""
    if first in AUXILIARIES:
        return True
    if first not in WH_WORDS:
        return False
    for text in head[1:]:
        if bare(text) in AUXILIARIES:
            return True
        if text.endswith(","):
            return False
    return _wh_verb(texts)


def _wh_verb(texts: list[str]) -> bool:
    """A "what" as the subject of a present-tense verb (word classes from the lexicon): "What happens
    if...", "What matters most..."; not a noun before an infinitive, "What questions to ask" ("who" and
    "which" so placed open relative clauses as often: "who needs", "which means"); words the lexicon knows
    only as an adverb after "what" skipped ("What actually causes...")."""
    said = [bare(t) for t in texts[:4]]
    if len(said) > 1 and word_classes(said[1]) == {"ADV"}:
        del said[1]
    said = said[:3]
    if len(said) < 3 or said[0] != "what" or texts[0].endswith(","):
        return False
    return present_third_person(said[1]) and said[2] != "to"


def lead_in(text: str) -> tuple[str, bool]:
    """``text`` less the pieces that lead a question in, each closed by a comma: a discourse word ("So,",
    "Finally,"; one word the tagger reads as an adverb, interjection or conjunction) and an address to the
    one asked ("Dr. Lopez,": capitalised words it reads as proper nouns), at most :data:`MAX_LEAD_PIECES`;
    and whether an address was among them."""
    rest, addressed = text.strip(), False
    for _ in range(MAX_LEAD_PIECES):
        piece, comma, after = rest.partition(", ")
        if not comma or not after:  # no piece closed by a comma: nothing to tag
            break
        tagged = tag_sentence(piece)
        if not tagged or len(tagged) > MAX_ADDRESS_WORDS:
            break
        address = all(w[:1].isupper() and tag == "PROPN" for w, tag in tagged)
        if not address and not (len(piece.split()) == 1 and tagged[0][1] in LEAD_IN_TAGS):
            break
        rest, addressed = after, addressed or address
    return rest, addressed


def is_heading_question(text: str, english: bool = True) -> bool:
    """Whether a sentence reads as a question a patient would ask, not a rhetorical aside.

    A sentence shaped like a question ("Can allergies turn into asthma.") counts even where
    the recogniser ended it with a full stop, and so does one asked of someone by name after a lead-in
    ("So, Dr. Lopez, what actually causes acne in adults.": :func:`lead_in`, read by the English tagger,
    so in ``english`` only).
    """
    rest, addressed = lead_in(text) if english else (text, False)
    if addressed:
        return is_heading_question(rest)
    stripped = text.strip()
    words = tokens(stripped)
    if len(words) < MIN_HEADING_WORDS or stripped.lower().endswith(TAG_ENDINGS):
        return False
    if bare(stripped.split()[0]) in RHETORICAL_OPENERS and not _which_question(stripped):
        return False
    if stripped.endswith("?"):
        return True
    unmarked = stripped.endswith(".") and "," not in stripped and len(words) <= MAX_QUESTION_WORDS
    if words[0] in ("do", "don't", "have") and words[1] not in SUBJECTS:
        return False  # "Do your exercises every day.", "Have a helper lift the seat." instruct
    if words[0] in AUXILIARIES and words[1] in ("be", "been", "not"):
        return False  # "can be copy certified" is a piece of a sentence
    if words[0] in WH_WORDS and subject_before_aux(words):
        return False  # "how long it has bothered you" is a clause
    return unmarked and opens_like_question(stripped.split())


def _which_question(text: str) -> bool:
    """Whether a sentence opening with "which" asks: "which", a noun phrase, then its verb or auxiliary,
    closed by a question mark, as the tagger reads it ("Which vaccines does my child get?", "Which
    foods make reflux worse?"); not the relative clause that goes on from the sentence before ("Which
    means...", "Which is why...")."""
    tagged = tag_sentence(text)
    if not text.endswith("?") or len(tagged) < 3 or tagged[0][0].lower() != "which":
        return False
    rest = [t for _, t in tagged[1:]]
    size = next((k for k, t in enumerate(rest) if t not in _WHICH_NOUN_PHRASE), len(rest))
    return size > 0 and size < len(rest) and rest[size] in ("AUX", "VERB")


_WHICH_NOUN_PHRASE = frozenset({"ADJ", "NOUN", "PROPN", "NUM"})


def subject_before_aux(words: Sequence[str], without_aux: bool = False) -> bool:
    """Whether a subject comes between a wh-word and its auxiliary, within :data:`WH_AUX_REACH` words
    ("what you need is", "how long it has"): a clause, not a question. Where no auxiliary comes that
    soon, ``without_aux`` says whether any subject there counts ("when you are outside" opens a clause
    to the sentence stage, while "what happens if I stop" still asks)."""
    head = words[: WH_AUX_REACH + 1]
    aux = next((k for k, w in enumerate(head) if k and w in AUXILIARIES), None)
    if aux is None and not without_aux:
        return False
    return any(w in SUBJECTS for w in head[1:aux])


def is_caseless_title(text: str) -> bool:
    """A spoken title where the recogniser lost the case, so that prose pieces of run-ons look alike.

    :func:`is_spoken_title`, and shaped as titles are: "when to..."/"what to...", a phrase opening
    with a gerund ("Caring for your teeth"), or a short noun phrase with no article ("Food
    allergies in children"); never opening like a piece of the sentence before ("which...", "in
    the large trials") or with an instruction ("remove the infected pulp"), and with no verb
    before an object ("scratching feeds the itch").
    """
    words = tokens(text)
    if not words or not is_spoken_title(text):
        return False
    if words[0] in WH_WORDS and words[1:2] == ["to"]:
        return True
    if words[0] in CLAUSE_PIECE_OPENERS | PHRASE_OPENERS | ARTICLES | IMPERATIVES:
        return False
    if any(_phrase_ends_before(w, nxt) for w, nxt in zip(words[1:], words[2:])):
        return False
    return is_gerund(words[0]) or (len(words) <= CASELESS_TITLE_WORDS and not set(words) & ARTICLES)


def _phrase_ends_before(word: str, following: str) -> bool:
    """Whether a verb's present-tense form for he, she or it or a regular plural (the lexicon's word
    classes: "feeds", "mites"; not "lens", nor "teeth" of "teeth whitening") ends a clause or a phrase by
    the word after it: an object ("feeds the itch") or a content word ("fever brings itchy eyes", "dust
    mites cat dander": a list that lost its commas), where a title's plural noun is followed by a
    preposition or conjunction ("allergies in children", "pills and patches")."""
    if not (present_third_person(word) or regular_plural(word)):
        return False
    return following in OBJECT_OPENERS or following not in TITLE_LINKS


def is_spoken_title(text: str, english: bool = True) -> bool:
    """Whether a sentence is a title read out before a topic ("Aftercare at home.").

    A title is a short phrase: two to eight words, no comma, no end mark but a full stop,
    and no word that makes a clause (a finite verb such as "is" or "can", a subject pronoun,
    a greeting or a conjunction); in ``english``, not a main clause either (:func:`subject_and_verb`,
    :func:`is_instruction`).
    """
    stripped = text.strip().rstrip(".").strip()
    words = tokens(stripped)
    if not MIN_TITLE_WORDS <= len(words) <= MAX_TITLE_WORDS:
        return False
    if any(mark in _uncoordinated(stripped) for mark in ',;:?!"') or stripped[:1].isdigit():
        return False
    if GREETING.match(stripped) or words[0] in DEMONSTRATIVES:
        return False
    if any(w in CLAUSE_WORDS and not _infinitive_object(words, k) for k, w in enumerate(words)):
        return False
    return not (english and (subject_and_verb(stripped) or is_instruction(stripped)))


def subject_and_verb(text: str) -> bool:
    """Whether the tagger reads ``text`` as a main clause: a noun phrase that opens it, then its verb
    ("A vasectomy takes about 10 minutes", "Most patients feel better"), or a pronoun and its verb ("Almost
    everyone notices this"). A title names a thing ("Blood
    pressure numbers") or opens with a word that subordinates its clause ("When a knee needs a look",
    "Sun protection that works")."""
    tagged = tag_sentence(text)
    if not tagged or tagged[0][0].lower() in WH_WORDS:
        return False
    # Adverbs skipped: "Typically sessions occur", "takes approximately".
    kept = [(w.lower(), t) for w, t in tagged if t != "ADV"]
    if len(kept) > 1 and kept[0][1] == "PRON":
        # A pronoun for the subject ("Nobody likes needles"); "heals" of "Everyone heals" is tagged a noun.
        return kept[1][1] == "VERB" or present_third_person(kept[1][0])
    tags = [t for _, t in kept]
    for k, tag in enumerate(tags):
        if tag not in _NOUN_PHRASE:
            return tag == "VERB" and k > 0 and tags[k - 1] in ("NOUN", "PROPN")
    return False


_NOUN_PHRASE = frozenset({"DET", "ADJ", "NOUN", "PROPN", "NUM"})


def is_instruction(text: str) -> bool:
    """Whether the tagger reads ``text`` as an instruction: a verb in its plain form, then the
    determiner or pronoun of its object ("Remove the access panel", "Ask your doctor first"; adverbs
    skipped: "Now add some cream"). That is a clause telling the listener what to do, not a title, which
    names a thing ("Follow-up care", "Contact lens care") or opens with a verb's -ing form ("Checking
    your moles")."""
    tagged = tag_sentence(text)
    while tagged and tagged[0][1] == "ADV":
        tagged = tagged[1:]
    if len(tagged) < 2 or tagged[1][1] not in ("DET", "PRON"):
        return False
    word = tagged[0][0].lower()
    return verb_lemma(word) == word


def _uncoordinated(text: str) -> str:
    """The text less the commas between coordinate adjectives ("dry, gritty eyes"), which a title may
    hold; any other comma shows a clause or a list."""
    pieces = text.split(", ")
    out = pieces[0]
    for piece in pieces[1:]:
        before, after = tokens(out)[-1:], tokens(piece)[:1]
        adjectives = bool(before and after) and all("ADJ" in word_classes(w) for w in (*before, *after))
        out += (" " if adjectives else ", ") + piece
    return out


def _infinitive_object(words: list[str], k: int) -> bool:
    """Whether word ``k`` is the object pronoun of an infinitive after a wh-word ("...and how to prevent
    them"): no clause of its own."""
    return words[k] in OBJECT_PRONOUNS and k >= 3 and words[k - 2] == "to" and words[k - 3] in WH_WORDS


def is_title_prefix(text: str) -> bool:
    """Whether the words before a comma could be a spoken title run into its answer.

    Stricter than :func:`is_spoken_title`, since a clause often opens a sentence this way
    ("Ketamine blocks the NMDA receptor, which..."): the phrase opens with a gerund
    ("Caring for your teeth after a filling") or is a short noun phrase with no article
    ("Food allergies in children").
    """
    words = tokens(text)
    if not words or words[0] in PHRASE_OPENERS or not is_spoken_title(text):
        return False
    short_noun_phrase = len(words) <= SHORT_TITLE_WORDS and not set(words) & ARTICLES
    return is_gerund(words[0]) or short_noun_phrase


def heading_kind(text: str, english: bool = True) -> str | None:
    """``"question"`` or ``"title"`` when a sentence reads as a spoken heading, else None (``english``:
    as :func:`is_spoken_title`)."""
    if is_heading_question(text, english):
        return "question"
    return "title" if is_spoken_title(text, english) else None


def heading_text(text: str) -> str:
    """A spoken sentence as a heading: no closing full stop; a question gets its question mark."""
    stripped = text.strip().rstrip(",;:").strip()
    if is_heading_question(stripped) and not stripped.endswith("?"):
        return stripped.rstrip(".") + "?"
    return stripped.rstrip(".").strip()


def question_lead(before: Sequence[str], question: str) -> int:
    """How many of the sentences just before a spoken question belong to its heading (none where the
    last of them is an answer): questions asked one after another with no answer between ("Who is a
    good candidate? Who is NOT a candidate?") and, before them, a patient's statement leading the
    question ("I believe I have allergies. How can I schedule a skin test?"). The heading stays within
    :data:`MAX_QUESTION_WORDS` words, and every question in it opens as one (:func:`asks`)."""
    if not asks(question):
        return 0
    count, length = 0, len(tokens(question))
    for text in reversed(before):
        length += len(tokens(text))
        if length > MAX_QUESTION_WORDS:
            break
        if text.rstrip().endswith("?") and asks(text):
            count += 1
            continue
        return count + int(patient_statement(text, question))
    return count


def question_follow(question: str, after: Sequence[str]) -> int:
    """How many of the sentences just after a spoken question belong to its heading: questions asked
    straight after it, with no answer between ("How long does a knee last? And can I go back to playing
    tennis afterwards?"; one may open with a word joining it to the first, "and", "so"). The heading
    stays within :data:`MAX_QUESTION_WORDS` words."""
    if not asks(question):
        return 0
    count, length = 0, len(tokens(question))
    for text in after:
        length += len(tokens(text))
        if length > MAX_QUESTION_WORDS or not text.rstrip().endswith("?"):
            break
        if not asks(LEADING_FILLER.sub("", text.strip())):
            break
        count += 1
    return count


def asks(text: str) -> bool:
    """Whether a sentence asks a question and opens as one ("Who is NOT a candidate?"; not "Lurgs, why
    haven't you...?" nor "Need more space?")."""
    return is_heading_question(text) and opens_like_question(text.split())


def patient_statement(text: str, question: str) -> bool:
    """Whether a sentence is a patient's statement leading their question: short, ending in a full stop,
    opening with the patient ("I believe I have allergies.", "My son is eight.") and never the clinic's
    voice ("you", "we") nor a greeting or agenda ("I'm Dr. Lee."), before a question in the first person
    ("How can I schedule a skin test?")."""
    words = tokens(text)
    if not words or len(words) > MAX_LEAD_WORDS or not text.rstrip().endswith("."):
        return False
    if words[0] not in FIRST_PERSON or set(words) & CLINIC_VOICE or INTRO.search(text):
        return False
    return bool(set(tokens(question)) & FIRST_PERSON)
