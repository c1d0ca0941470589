"""The one command that rebuilds every shipped weight."""

from pathlib import Path


def test_one_script_rebuilds_every_shipped_weight():
    from benchmarks import train_all

    written = " ".join(step.writes for step in train_all.STEPS)
    data = Path(__file__).resolve().parents[1] / "pipeline" / "data"
    hand_written = {"question_forms.json"}  # the forms and their prototype wordings, not weights
    weights = {p.name for p in data.glob("*.json") if not p.name.startswith("messages-")} - hand_written
    assert weights and all(name in written for name in weights), sorted(weights)
    names = [step.name for step in train_all.STEPS]
    assert names.index("questions") < names.index("answers")  # the gate decides which talks are answers
    assert names.index("boundaries") < names.index("screen")  # the screen model reads its log odds
