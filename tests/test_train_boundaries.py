"""The boundary model's training folds: extra clinic pages train, never score, and stay out of the
fold that holds their specialty."""

from __future__ import annotations

import numpy as np

from benchmarks import train_boundaries as tb
from benchmarks.eval_real import fold_of


def _talk(group: str, extra: bool = False) -> tb.Talk:
    empty = np.zeros((0, 1))
    return tb.Talk(group, group, "clinic", empty, empty, np.zeros(0), [], 2, (0.0,), [], 0.0, extra)


def test_an_extra_page_trains_only_the_folds_that_do_not_hold_its_specialty() -> None:
    dev = [_talk(name) for name in ("allergy-a", "allergy-b", "botox-c", "lasik-d", "orthodontics-e")]
    extra = [_talk(tb.EXTRA_PREFIX + name, True) for name in ("allergy-x", "botox-y", "prp-hair-z")]
    for held in range(3):
        trained = tb.training_talks(dev + extra, 3, held)
        held_kinds = {tb.specialty(t.group) for t in dev if fold_of(t.group, 3) == held}
        assert all(fold_of(t.group, 3) != held for t in trained if not t.extra)
        assert {tb.specialty(t.group) for t in trained if t.extra} == {
            "allergy",
            "botox",
            "prp-hair",
        } - held_kinds


def test_specialty_is_the_page_name_less_its_site() -> None:
    assert tb.specialty("urology-vasectomy-healthpartners") == "urology-vasectomy"
    assert tb.specialty(tb.EXTRA_PREFIX + "hair-transplant-wecure") == "hair-transplant"
