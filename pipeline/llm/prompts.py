"""The prompts: short, carrying only the text in question, the glossary and the clinic's name.

The few-shot examples are the project's own, written for it. Change :data:`PROMPT_VERSION` with
any change to a prompt, so that cached replies to the old wording are not reused.
"""

from __future__ import annotations

from collections.abc import Sequence

PROMPT_VERSION = "h16-1"
# Words of a section (or talk) put in a prompt: enough to name a topic, few enough for a small model.
MAX_PROMPT_WORDS = 220
HEADING_TOKENS = 60
META_TOKENS = 90
BOUNDARY_TOKENS = 8

Messages = list[dict[str, str]]

HEADING_SYSTEM = (
    "You suggest headings for one section of a clinic's blog post, made from a talk. "
    "Reply with three headings, one a line, and nothing else. Use the text's own words and facts. "
    "Where the section answers a reader's question, make the first heading that question; "
    "otherwise give short topic headings of two to six words. Add no numbers or promises."
)
HEADING_EXAMPLES = (
    (
        "An adjustment is a quick, gentle push on a joint that is not moving well. Most people "
        "feel a small pop and then some relief. We always check your posture before we start.",
        "What is an adjustment?\nHow an adjustment feels\nChecking your posture first",
    ),
    (
        "After a filling, wait until the numbness wears off before you eat, so that you do not "
        "bite your cheek. Skip very hot drinks for the rest of the day.",
        "When can I eat after a filling?\nEating after a filling\nHot drinks after a filling",
    ),
)
META_SYSTEM = (
    "You write the title and the meta description of a clinic's blog post, made from a talk. "
    "Reply with exactly two lines:\nTitle: <title of at most ten words>\n"
    "Description: <one or two plain sentences, at most 160 characters>\n"
    "Use only facts the text states; add no numbers or promises."
)
META_EXAMPLE = (
    "Headings: What is an adjustment?; Checking your posture first\nText: An adjustment is a quick, "
    "gentle push on a joint that is not moving well. We check your posture before we start.",
    "Title: Chiropractic adjustments: what to expect\n"
    "Description: An adjustment is a quick, gentle push on a joint that is not moving well. "
    "We check your posture before we start.",
)
BOUNDARY_SYSTEM = (
    "A talk moves on to a new topic at one of the numbered places; each shows the sentence before it "
    "and the sentence after it. Reply with only the number of the place where the new topic starts."
)


def clip(text: str, limit: int = MAX_PROMPT_WORDS) -> str:
    """The first ``limit`` words of ``text``."""
    words = text.split()
    return " ".join(words[:limit]) + (" ..." if len(words) > limit else "")


def _context(glossary: Sequence[str], clinic: str) -> str:
    lines = [f"Clinic: {clinic}"] if clinic else []
    lines += [f"Terms: {', '.join(glossary[:30])}"] if glossary else []
    return "".join(line + "\n" for line in lines)


def heading_messages(text: str, glossary: Sequence[str] = (), clinic: str = "") -> Messages:
    """Ask for three headings for a section's ``text``."""
    messages = [{"role": "system", "content": HEADING_SYSTEM}]
    for example, answer in HEADING_EXAMPLES:
        messages.append({"role": "user", "content": f"Text: {example}"})
        messages.append({"role": "assistant", "content": answer})
    messages.append({"role": "user", "content": f"{_context(glossary, clinic)}Text: {clip(text)}"})
    return messages


def meta_messages(
    text: str, headings: Sequence[str], glossary: Sequence[str] = (), clinic: str = ""
) -> Messages:
    """Ask for a title and a meta description of the talk."""
    example, answer = META_EXAMPLE
    user = f"{_context(glossary, clinic)}Headings: {'; '.join(headings)}\nText: {clip(text)}"
    return [
        {"role": "system", "content": META_SYSTEM},
        {"role": "user", "content": example},
        {"role": "assistant", "content": answer},
        {"role": "user", "content": user},
    ]


def boundary_messages(sentences: Sequence[str]) -> Messages:
    """Ask which numbered place (a sectioner's candidate: "before | after") starts the new topic."""
    listing = "\n".join(f"{i}. {clip(s, 40)}" for i, s in enumerate(sentences, 1))
    return [{"role": "system", "content": BOUNDARY_SYSTEM}, {"role": "user", "content": listing}]
