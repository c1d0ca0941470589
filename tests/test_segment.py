"""Topic segmentation on hand-made sentences: depth scores, discourse cues, section lengths."""

import numpy as np
import pytest

from video2blog.pipeline.text.segment import choose_starts, cue_scores, depth_scores, min_length, topic_starts

TEETH = [
    "Brush your teeth twice a day with fluoride toothpaste.",
    "Plaque on the teeth hardens into tartar.",
    "A soft toothbrush cleans teeth without hurting the gums.",
    "Floss the teeth before you brush them.",
]
SLEEP = [
    "Adults need seven hours of sleep.",
    "A dark bedroom helps sleep come sooner.",
    "Screens before bed delay sleep.",
    "A steady wake time keeps sleep regular.",
]


def test_a_change_of_vocabulary_starts_a_topic():
    assert topic_starts(TEETH + SLEEP) == [4]


def test_a_clip_too_short_for_two_sections_stays_whole():
    assert topic_starts(TEETH[:3]) == []
    assert topic_starts(TEETH[:3], fixed=[2]) == [2]


def test_depth_is_the_dip_below_both_neighbouring_peaks():
    assert depth_scores(np.array([0.5, 0.1, 0.4])) == pytest.approx([0.0, 0.7, 0.0])


def test_discourse_markers_and_pronoun_openers():
    scores = cue_scores(
        ["Welcome to the clinic.", "Now, let's talk about sleep.", "It helps.", "Sleep is good."]
    )
    assert scores[0] > 0 and scores[1] < 0 and scores[2] == 0


def test_greeting_ends_with_a_likely_start():
    scores = cue_scores(["Hello, I am Dr Lee.", "Today I will talk about sleep.", "Sleep matters.", "A lot."])
    assert scores[1] > 0


def test_starts_keep_sections_long_enough_and_keep_fixed_ones():
    scores = np.array([0.9, 0.8, 0.1, 0.7, 0.1])
    assert choose_starts(scores, 2) == [2, 4]
    assert choose_starts(np.zeros(5), 2, fixed=[3]) == [3]


def test_long_talks_get_longer_sections_and_spoken_structure_sets_the_length():
    assert min_length(20) == 2
    assert min_length(240) == 20
    assert min_length(30, fixed=[5, 10, 15]) == 5
