"""The heading evaluation's own pieces: chapter cutting, agreement and the flaw check."""

from benchmarks.eval_headings import baseline_words, chaptered, heading_flaws, title_stems
from tests.conftest import make_words


def test_chapters_cut_the_words_once_each_at_the_true_starts():
    words = make_words("one two three. four five six. seven eight nine.")
    transcript, spans = chaptered(words, [0.0, words[3].start, words[6].start])
    assert [s.sentences for s in spans] == [(0, 1), (1, 2), (2, 3)]
    covered = [i for s in transcript.sentences for i in range(*s.words)]
    assert covered == list(range(len(words)))


def test_agreement_is_a_shared_stem_and_intro_is_introduction():
    assert title_stems("Removing the filters") & title_stems("Remove old filter")
    assert title_stems("Introduction") & title_stems("Intro")
    assert not title_stems("2020") and baseline_words("the filter and the filter box", 2) == ("filter", "box")


def test_the_flaw_check_catches_greetings_fillers_and_fragments():
    assert "greeting" in heading_flaws("My name's Ken")
    assert "filler" in heading_flaws("All right")
    assert "fragment" in heading_flaws("Harsh scrubs tend")
    assert "vague" in heading_flaws("Introduction to stuff")
    assert heading_flaws("How long does PRP take?") == () and heading_flaws("Tools needed") == ()


def test_fold_figures_split_the_items_by_id_and_cover_them_all():
    from benchmarks.eval_headings import Chapter, Item, fold_figures
    from benchmarks.eval_real import fold_of

    def item(name: str, agrees: bool) -> Item:
        chapter = Chapter(
            name, "Filter", "Old filter" if agrees else "Glove box", "", ("filter",), agrees, True, ()
        )
        return Item(name, "", "", "", (), (chapter,))

    items = [item(f"id{n}", n % 2 == 0) for n in range(12)]
    folds = fold_figures(items, 4)
    assert sum(f["chapters"] for f in folds) == 12
    for k, fold in enumerate(folds):
        mine = [i for i in items if fold_of(i.name, 4) == k]
        want = sum(i.chapters[0].agrees for i in mine) / len(mine) if mine else 0.0
        assert fold["agreement"] == want and fold["baseline"] == (1.0 if mine else 0.0)
