"""Topic segmentation on hand-made sentences: depth scores, discourse cues, section lengths."""

from dataclasses import replace

import numpy as np
import pytest

from video2blog.pipeline.text.segment import depth_scores, min_length, topic_starts

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


def test_long_talks_get_longer_sections_and_spoken_structure_sets_the_length():
    assert min_length(20) == 2
    assert min_length(240) == 20
    assert min_length(30, fixed=[5, 10, 15]) == 5


# The boundary model: cues of each gap, and how starts are chosen from its probabilities.

from video2blog.pipeline.text.segment import (  # noqa: E402
    FEATURES,
    MAX_SECTIONS,
    BoundaryModel,
    boundary_model,
    choose_sections,
    gap_features,
    sentence_rows,
)


def timed(count: int, pause_before: dict[int, float] | None = None) -> list[tuple[float, float]]:
    t, out = 0.0, []
    for i in range(count):
        t += (pause_before or {}).get(i, 0.2)
        out.append((t, t + 4.0))
        t += 4.0
    return out


def column(features: np.ndarray, name: str) -> np.ndarray:
    return features[:, FEATURES.index(name)]


def test_gap_features_see_pauses_markers_intro_and_outro():
    texts = [
        "Hello, I'm Dr Lee and today I will talk about sleep.",
        "Adults need seven hours of sleep.",
        "A dark bedroom helps.",
        "Now let's talk about snoring.",
        "Snoring can mean apnoea.",
        "Thanks for watching, and subscribe for more.",
    ]
    f = gap_features(texts, None, timed(6, {3: 1.5}))
    assert column(f, "pause_rank").argmax() == 2  # the gap before sentence 3
    assert list(column(f, "shift")) == [0, 0, 1, 0, 0]
    assert list(
        column(
            gap_features(["Sleep matters.", "It helps.", "Snoring is loud."], None, timed(3)), "continuation"
        )
    ) == [1, 0]
    assert list(column(f, "intro")) == [1, 0, 0, 0, 0]
    assert list(column(f, "outro")) == [0, 0, 0, 0, 1]


def test_the_llm_is_offered_the_gaps_the_learned_model_finds_likeliest():
    from video2blog.pipeline.llm.boundaries import candidates
    from video2blog.pipeline.text.segment import gap_log_odds

    texts = TEETH + SLEEP + TEETH
    times = timed(12, {4: 2.0})
    scores = gap_log_odds(texts, None, times)
    assert np.allclose(scores, boundary_model("lexical").log_odds(gap_features(texts, None, times)))
    assert candidates(scores, [5, 8], 0, 12)[1:] == sorted(
        sorted([2, 3, 4, 6], key=lambda g: -scores[g - 1])[:2]
    )


def test_the_shipped_model_weighs_a_pause_and_a_marker_towards_a_boundary():
    texts = TEETH + SLEEP
    model = boundary_model("lexical")
    plain = model.probabilities(gap_features(texts, None, timed(8)))
    paused = model.probabilities(gap_features(texts, None, timed(8, {4: 2.0})))
    assert paused[3] > plain[3]
    marked = texts[:4] + ["Now let's talk about sleep: adults need seven hours."] + texts[5:]
    assert model.probabilities(gap_features(marked, None, timed(8)))[3] > plain[3]
    continued = texts[:4] + ["It also helps to sleep seven hours."] + texts[5:]
    assert model.probabilities(gap_features(continued, None, timed(8)))[3] < plain[3] + 1e-9


def rule(**kw: float) -> BoundaryModel:
    values = {
        "min_seconds": 4.0,
        "section_seconds": 20.0,
        "cohesion": 0.0,
        "section_cost": 1.0,
        "logit_weight": 1.0,
        "length_weight": 0.0,
        **kw,
    }
    return BoundaryModel((0.0,) * len(FEATURES), 0.0, **values)


def two_topics(first: int, second: int) -> np.ndarray:
    """Unit rows: ``first`` sentences about one thing, then ``second`` about another."""
    rows = np.zeros((first + second, 3))
    rows[:first, 0] = 1.0
    rows[first:, 1] = 1.0
    return rows


def test_sections_keep_alike_sentences_together():
    rows, flat = two_topics(3, 5), np.zeros(7)
    assert choose_sections(flat, timed(8), rows, rule(cohesion=2.0, section_cost=1.0)) == [3]
    # Where a section costs more than keeping its sentences apart earns, the talk stays whole.
    assert choose_sections(flat, timed(8), rows, rule(cohesion=0.2, section_cost=1.0)) == []


def test_likely_gaps_open_sections_and_the_shortest_section_is_kept():
    log_odds = np.array([3.0, 3.0, -2.0, -2.0, 4.0, -2.0, -2.0])  # gaps before sentences 1..7
    rows, times = np.zeros((8, 3)), timed(8)  # about 4.2 s a sentence
    assert choose_sections(log_odds, times, rows, rule()) == [1, 2, 5]
    assert choose_sections(log_odds, times, rows, rule(min_seconds=8.0)) == [2, 5]
    # Sections of at least three sentences, but the opening one (a greeting) may be one.
    assert choose_sections(log_odds, times, rows, rule(), shortest=3) == [1, 5]


def test_spoken_starts_stay_and_no_section_spans_one():
    log_odds = np.full(7, -3.0)
    rows = sentence_rows(TEETH + SLEEP, None)
    assert choose_sections(log_odds, timed(8), rows, rule(cohesion=1.0), fixed=[3, 6]) == [3, 6]


def test_a_talk_with_spoken_headings_takes_a_found_start_only_where_it_is_likelier():
    log_odds = np.array([-3.0, -3.0, -3.0, -3.0, 1.2, -3.0, -3.0, -3.0, -3.0, -3.0, -3.0])
    rows, times = np.zeros((12, 3)), timed(12)
    assert choose_sections(log_odds, times, rows, rule(), fixed=[2]) == [2, 5]
    # Two spoken headings: the speaker shows how they divide the talk; the same gap is not enough.
    assert choose_sections(log_odds, times, rows, rule(), fixed=[2, 8]) == [2, 8]
    log_odds[4] = 3.5
    assert choose_sections(log_odds, times, rows, rule(), fixed=[2, 8]) == [2, 5, 8]


def test_a_long_talk_gets_at_most_the_most_sections_an_editor_keeps():
    log_odds = np.full(59, 5.0)
    found = choose_sections(log_odds, timed(60), np.zeros((60, 3)), rule())
    assert 1 <= len(found) + 1 <= MAX_SECTIONS


def test_rows_lose_what_every_sentence_of_the_talk_shares():
    raw = np.array([[1.0, 1.0], [1.0, 0.0], [1.0, 2.0]] * 4)
    rows = sentence_rows(["a", "b", "c"] * 4, raw)
    assert np.allclose(np.linalg.norm(rows, axis=1), 1.0)
    assert raw[1] @ raw[2] > 0 and rows[1] @ rows[2] < 0  # alike raw, opposite once the shared part is gone
    # A short clip's own mean is mostly its sentences: less of it is taken off.
    short = sentence_rows(["a", "b", "c"], raw[:3])
    assert short[1] @ short[2] > rows[1] @ rows[2]


def test_a_sentence_that_closes_an_intro_makes_the_next_a_likely_start():
    texts = ["Hi, I'm Sam.", "Today we fix a tap.", "Let's get started.", "Turn off the water.", "Done."]
    assert list(column(gap_features(texts, None, timed(5)), "closer")) == [0, 0, 1, 0]


def test_numbered_steps_and_methods_are_topic_markers_but_ordinary_words_are_not():
    texts = [
        "Unplug the saw first.",
        "Step 2, release the blade belt.",
        "It comes off easily.",
        "Method B: check the fuel tank pressure sensor.",
        "Stepping back, look at the whole machine.",
        "Part of it is rust.",
    ]
    assert list(column(gap_features(texts, None, timed(6)), "shift")) == [1, 0, 1, 0, 0]


def test_a_talk_of_answers_is_cut_by_the_rule_for_answers_and_any_other_by_the_rule():
    short = (("section_cost", 0.0), ("length_weight", 2.0), ("section_seconds", 8.0))
    model = replace(rule(section_cost=3.0), answers=short)
    log_odds, rows, times = np.zeros(11), np.zeros((12, 3)), timed(12)
    # Sections of about two sentences (8 s) where the talk answers questions; one section otherwise.
    assert choose_sections(log_odds, times, rows, model) == []
    assert len(choose_sections(log_odds, times, rows, model.answering())) >= 4
    assert model.answering().section_cost == 0.0 and model.answering().min_seconds == model.min_seconds
    assert rule().answering() == rule()  # no rule for answers learned: the rule


def test_the_shipped_rule_for_answers_cuts_a_talk_into_more_sections():
    model = boundary_model("embeddings")
    log_odds, rows, times = np.zeros(23), np.zeros((24, 3)), timed(24)
    plain = choose_sections(log_odds, times, rows, model, shortest=2)
    assert model.answers and len(choose_sections(log_odds, times, rows, model.answering(), shortest=2)) > len(
        plain
    )


def test_each_encoders_vectors_are_scored_by_the_model_trained_on_them():
    from video2blog.pipeline.text.segment import gap_log_odds, model_kind

    texts = TEETH + SLEEP
    times = timed(8, {4: 1.0})
    rng = np.random.default_rng(0)
    minilm, multilingual = rng.normal(size=(8, 384)), rng.normal(size=(8, 512))  # MiniLM's width, USE's
    assert (model_kind(None), model_kind(minilm), model_kind(multilingual)) == (
        "lexical",
        "embeddings",
        "multilingual",
    )
    wide = boundary_model("multilingual")
    assert wide.weights != boundary_model("embeddings").weights
    expected = wide.log_odds(gap_features(texts, multilingual, times))
    assert np.allclose(gap_log_odds(texts, multilingual, times), expected)


GREETED_ANSWERS = [
    "Hello, I'm one of the dermatologists here at the clinic.",
    "I want to answer a few questions that people often feel too shy to ask.",
    "Almost everyone gets a spot before a wedding or a big presentation.",
    "Acne is different when new spots appear most weeks, leave marks, and start shaping your plans.",
    "Some people stop going swimming, avoid photos, or spend an hour hiding their skin each morning.",
    "Oily skin, tender lumps and dark marks after a spot heals are common too.",
    "A good rule is to see us once creams from the pharmacy have not helped for about three months.",
    "That could mean spots that keep coming back, scars forming, or a rash that spreads to the back.",
    "You do not need to wait until it is severe to deserve help.",
    "Your family doctor is a perfectly good place to start.",
    "Sun protection matters every single day of the year, even when it is cloudy.",
    "Choose a broad spectrum cream of at least factor thirty and put it on generously.",
    "Reapply it every two hours outdoors, and after swimming or sweating.",
    "A hat and shade at midday do more than any cream can.",
]


def test_a_talk_of_answers_starts_its_first_answer_after_the_greeting():
    from video2blog.pipeline.engines.embed import embed
    from video2blog.pipeline.text.segment import after_greeting

    texts = GREETED_ANSWERS
    assert after_greeting(texts, [7]) == [2, 7]
    assert after_greeting(texts[2:], [7]) == [7]  # no greeting: nothing added
    # The length prior alone ran the greeting on into the first answer (its first cut came at 5).
    assert topic_starts(texts, embed(texts), times=timed(len(texts)), answers=True)[0] == 2
