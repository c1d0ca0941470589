"""The phrase lists in ``pipeline/data``: one regular expression a line, read in the file's order."""

from __future__ import annotations

import re

import pytest

from video2blog.pipeline.textutil import GREETING, INTRO, OUTRO, any_of, phrase_patterns

PHRASE_FILES = (
    "greetings.txt",
    "intro_phrases.txt",
    "outros.txt",
    "intro_closers.txt",
    "shift_markers.txt",
    "agenda_phrases.txt",
    "idioms.txt",
)


@pytest.mark.parametrize("name", PHRASE_FILES)
def test_every_line_of_a_phrase_list_is_a_regular_expression_of_its_own(name: str):
    lines = phrase_patterns(name)
    assert lines and not any(line.startswith("#") for line in lines)
    for line in lines:
        re.compile(line)  # a line that opens a group another closes would fail here, not in a stage
    assert any_of(name) == "(?:" + "|".join(lines) + ")"


def test_comments_and_blank_lines_are_not_phrases_and_the_order_is_kept():
    lines = phrase_patterns("greetings.txt")
    assert lines[:3] == ("hello", "hi", "hey")
    assert len(lines) == len(set(lines))


@pytest.mark.parametrize(
    ("pattern", "said", "found"),
    [
        (GREETING, "Hello, I am one of the doctors here.", True),
        (GREETING, "Thanks for joining us today.", True),
        (GREETING, "The high dose is rare.", False),
        (INTRO, "Today I want to answer a few questions.", True),
        (OUTRO, "That's all for today, see you next time.", True),
        (OUTRO, "The recovery takes a week.", False),
    ],
)
def test_the_lists_find_what_they_name(pattern: re.Pattern[str], said: str, found: bool):
    assert bool(pattern.search(said)) is found
