"""Which patient's question a section answers, as a clinic would write it: the question-form model.

Real clinic questions are few in form ("Does X hurt?", "How long does X last?", "Who is a good
candidate for X?"); the forms, their heading templates and a few wordings of the generic question each
stands for (its prototype) live in ``pipeline/data/question_forms.json``. A section's first sentences
are embedded (all-MiniLM-L6-v2, the encoder the section stage uses) and compared with the prototypes;
a softmax over linear scores of those similarities (and, for some candidates, the section's mean
embedding) gives each form's probability. ``python -m benchmarks.train_questions`` cross-validates
candidates (logistic regressions, nearest centroid, the untrained prototype similarity) on real clinic
question/answer pairs with folds by specialty and ships the best as
``pipeline/data/question_model.json``. The sections of one talk may be given forms together, a
repeated form costing a penalty (chosen by the same folds). The talk's subject fills the form
grammatically ("Does a vasectomy hurt?", "Are braces safe?").

Only a talk a clinic would head with its patients' questions is (a clinic's Q&A, not a how-to video):
the gate (``pipeline/data/question_gate.json``, a logistic regression over two named features of the
talk, how close its sections come to the forms' prototypes) decides it. It is trained by the same
script on clinic pages and the project's talks against real YouTube talks, with held-apart folds.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from video2blog.pipeline.text.lexicon import can_be_noun, noun_lemma, plural_noun, word_classes
from video2blog.pipeline.text.phrases import DETERMINERS, MAX_PHRASE_WORDS, NAME_SAID, sentences_of
from video2blog.pipeline.text.tagger import tag_sentence
from video2blog.pipeline.textutil import content_stems, data_text, shipped_json, tokens, word_list

FORMS_FILE = "question_forms.json"
MODEL_FILE = "question_model.json"
GATE_FILE = "question_gate.json"
SPOKEN_FILE = "spoken_question.json"
# The gate's features, computed by :func:`talk_features` in this order.
GATE_FEATURES = ("answer_similarity", "sentence_similarity")
# The first sentences of a section say which question it answers.
SENTENCE_REACH = 4
# Letters whose English names start with a vowel sound: "an MRI", "an FDA-approved".
_VOWEL_LETTERS = frozenset("AEFHILMNORSX")
# The possessives a patient's thing is said with: the doctor's "your child" is the patient's "my child".
_PATIENT_OWNS = word_list("patient_possessives.txt")

Encode = Callable[[list[str]], np.ndarray]


@dataclass(frozen=True)
class QuestionForm:
    """One form of clinic question: its name, heading template, prototype and training label."""

    name: str
    template: str
    prototypes: tuple[str, ...]
    label: str


@dataclass(frozen=True)
class QuestionModel:
    """A trained form classifier: features standardised by ``mean``/``scale``, then softmax(W x + b).

    ``min_confidence``: below this probability no form fits and the section keeps a topic heading;
    ``repeat_penalty``: the log-probability a second section of a talk gives up to take a form again.
    """

    forms: tuple[str, ...]
    weights: np.ndarray
    bias: np.ndarray
    mean: np.ndarray
    scale: np.ndarray
    features: str = "both"
    min_confidence: float = 0.0
    repeat_penalty: float = 0.0


@dataclass(frozen=True)
class QuestionGate:
    """Whether a talk is headed by questions: logistic regression over :data:`GATE_FEATURES`
    standardised by ``mean``/``scale``; a talk asks when its probability reaches ``threshold``."""

    weights: np.ndarray
    bias: float
    mean: np.ndarray
    scale: np.ndarray
    threshold: float = 0.5


@dataclass(frozen=True)
class Subject:
    """The talk's subject as a question names it: with its article ("a vasectomy"), and without."""

    named: str
    bare: str
    plural: bool


@lru_cache(maxsize=1)
def question_forms() -> tuple[QuestionForm, ...]:
    """The shipped question forms, in labelling order."""
    data = json.loads(data_text(FORMS_FILE))
    return tuple(
        QuestionForm(f["name"], f["template"], tuple(f["prototypes"]), f["label"]) for f in data["forms"]
    )


@lru_cache(maxsize=1)
def shipped_model() -> QuestionModel | None:
    """The shipped question-form model, or None where none was trained."""
    data = shipped_json(MODEL_FILE)
    return None if data is None else model_from_dict(data)


@lru_cache(maxsize=1)
def shipped_gate() -> QuestionGate | None:
    """The shipped question gate, or None where none was trained (every talk is then headed by
    questions where a form fits)."""
    data = shipped_json(GATE_FILE)
    return None if data is None else gate_from_dict(data)


@lru_cache(maxsize=1)
def shipped_spoken_floor() -> float | None:
    """How close (cosine) a spoken question must come to a form's prototype to head its section when
    its shape alone would not (``benchmarks/train_spoken.py``); None where none was trained."""
    data = shipped_json(SPOKEN_FILE)
    return None if data is None else float(data["floor"])


def prototype_similarity(questions: Sequence[str], encode: Encode, model: QuestionModel) -> np.ndarray:
    """Each question's cosine similarity to the nearest form prototype of ``model``: how much it reads
    like a question patients ask a clinic ("When can I drive?") rather than a speaker's aside ("How's
    it going?")."""
    if not questions:
        return np.zeros(0)
    prototypes = model_prototypes(model, encode)
    vectors = encode(list(questions))
    norms = np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    return np.asarray((vectors / norms @ prototypes.T).max(axis=1))


def gate_from_dict(data: dict[str, object]) -> QuestionGate:
    """A gate from its JSON form (see ``benchmarks/train_gate.py``)."""
    if tuple(data.get("features", ())) != GATE_FEATURES:  # type: ignore[arg-type]
        raise ValueError(f"{GATE_FILE}: features {data.get('features')} are not {list(GATE_FEATURES)}")
    return QuestionGate(
        weights=np.asarray(data["weights"], dtype=np.float64),
        bias=float(data["bias"]),  # type: ignore[arg-type]
        mean=np.asarray(data["mean"], dtype=np.float64),
        scale=np.maximum(np.asarray(data["scale"], dtype=np.float64), 1e-9),
        threshold=float(data.get("threshold", 0.5)),  # type: ignore[arg-type]
    )


def talk_features(rows: np.ndarray, forms: int) -> np.ndarray:
    """The gate's features of a talk from its sections' :func:`section_features` rows: the mean over
    sections of the best prototype similarity of the section's mean vector (``answer_similarity``)
    and of its best sentence (``sentence_similarity``)."""
    if len(rows) == 0:
        return np.zeros(len(GATE_FEATURES))
    return np.array([rows[:, :forms].max(axis=1).mean(), rows[:, forms : 2 * forms].max(axis=1).mean()])


def asks_probability(gate: QuestionGate, features: np.ndarray) -> float:
    """The probability that a talk with these :func:`talk_features` is headed by questions."""
    z = (features - gate.mean) / gate.scale
    return float(1.0 / (1.0 + np.exp(-(z @ gate.weights + gate.bias))))


def answers_questions(vectors: np.ndarray, starts: Sequence[int], encode: Encode) -> bool:
    """Whether a talk answers patients' questions one by one (a clinic's Q&A): the shipped gate's
    decision over its sections, opening at ``starts``, from its sentences' unit ``vectors``. False where
    no form model or gate is shipped."""
    model, gate = shipped_model(), shipped_gate()
    if model is None or gate is None or len(vectors) == 0:
        return False
    prototypes = model_prototypes(model, encode)
    edges = [0, *starts, len(vectors)]
    rows = np.vstack(
        [
            section_features(vectors[a:b][:SENTENCE_REACH], prototypes, model.features)
            for a, b in zip(edges, edges[1:])
        ]
    )
    return asks_probability(gate, talk_features(rows, len(model.forms))) >= gate.threshold


def model_from_dict(data: dict[str, object]) -> QuestionModel:
    """A model from its JSON form (see ``benchmarks/train_questions.py``)."""

    def array(key: str) -> np.ndarray:
        return np.asarray(data[key], dtype=np.float64)

    return QuestionModel(
        forms=tuple(data["forms"]),  # type: ignore[arg-type]
        weights=array("weights"),
        bias=array("bias"),
        mean=array("mean"),
        scale=np.maximum(array("scale"), 1e-9),
        features=str(data.get("features", "both")),
        min_confidence=float(data.get("min_confidence", 0.0)),  # type: ignore[arg-type]
        repeat_penalty=float(data.get("repeat_penalty", 0.0)),  # type: ignore[arg-type]
    )


def label_of(question: str, forms: Sequence[QuestionForm] = ()) -> str | None:
    """The form a real question takes (the first whose label matches), or None."""
    for form in forms or question_forms():
        if re.search(form.label, question, re.I):
            return form.name
    return None


def section_features(vectors: np.ndarray, prototypes: np.ndarray, kind: str = "both") -> np.ndarray:
    """A section's features from its sentences' unit vectors (rows): its similarity to each form's
    prototype (of its mean vector, and the best of its sentences), and (``kind`` "both") the mean
    vector itself."""
    if len(vectors) == 0:
        vectors = np.zeros((1, prototypes.shape[1]))
    mean = vectors.mean(axis=0)
    mean = mean / max(float(np.linalg.norm(mean)), 1e-12)
    similar = np.concatenate([prototypes @ mean, (vectors @ prototypes.T).max(axis=0)])
    return np.concatenate([similar, mean]) if kind == "both" else similar


def probabilities(model: QuestionModel, features: np.ndarray) -> np.ndarray:
    """Each form's probability, one row per row of ``features``."""
    x = (np.atleast_2d(features) - model.mean) / model.scale
    logits = x @ model.weights.T + model.bias
    logits -= logits.max(axis=1, keepdims=True)
    odds = np.exp(logits)
    return np.asarray(odds / odds.sum(axis=1, keepdims=True))


def choose_forms(probs: np.ndarray, repeat_penalty: float) -> list[int]:
    """One form per section (row), the talk's most likely assignment where a form taken again costs
    ``repeat_penalty`` in log-probability: the surest sections choose first."""
    logs = np.log(np.maximum(probs, 1e-12))
    chosen = [-1] * len(probs)
    taken: dict[int, int] = {}
    for row in sorted(range(len(probs)), key=lambda r: -float(probs[r].max())):
        scores = logs[row] - repeat_penalty * np.array([taken.get(k, 0) for k in range(probs.shape[1])])
        chosen[row] = int(np.argmax(scores))
        taken[chosen[row]] = taken.get(chosen[row], 0) + 1
    return chosen


def form_rows(sections: Sequence[Sequence[str]], encode: Encode, model: QuestionModel) -> np.ndarray:
    """The form model's features (:func:`section_features`) of each section, one row each."""
    if not sections:
        return np.zeros((0, len(model.mean)))
    prototypes = model_prototypes(model, encode)
    return np.vstack([section_features(_vectors(s, encode), prototypes, model.features) for s in sections])


def questions_of(
    rows: np.ndarray, subjects: Sequence[Subject], model: QuestionModel, talk_subject: Subject
) -> list[list[str]]:
    """For each section, from its :func:`form_rows` row, the questions it may answer naming its subject
    (``subjects``, one per row; the ``talk_subject`` in a form whose own words it repeats: not "How many
    sessions sessions will I need?"), the likeliest first: the form chosen for it among the talk's
    sections, then the others as likely as ``model.min_confidence``."""
    if len(rows) == 0:
        return []
    forms = {f.name: f for f in question_forms()}
    probs = probabilities(model, rows)
    picks = choose_forms(probs, model.repeat_penalty)
    asked = []
    for row, pick in enumerate(picks):
        ranked = [pick, *(int(k) for k in np.argsort(-probs[row]) if k != pick)]
        sure = [k for k in ranked if probs[row, k] >= model.min_confidence]
        asked.append([ask_naming(forms[model.forms[k]].template, subjects[row], talk_subject) for k in sure])
    return asked


def ask_naming(template: str, subject: Subject, talk_subject: Subject) -> str:
    """The template asked about a section's ``subject``, or about the ``talk_subject`` where the section's
    repeats one of the form's own words ("How many counseling sessions will I need?", not "How many
    sessions sessions ...")."""
    repeats = form_words(template) & set(content_stems(subject.bare))
    return ask(template, talk_subject if repeats else subject)


def form_words(template: str) -> set[str]:
    """The content stems a form's template says itself ("recoveri" in "What is the recovery after
    {X}?"): a question that names only these names nothing of its own."""
    return set(content_stems(re.sub(r"\{\w+\}", " ", template)))


def model_prototypes(model: QuestionModel, encode: Encode) -> np.ndarray:
    """The prototype vector of each of ``model``'s forms, in its order."""
    forms = {f.name: f for f in question_forms()}
    return prototype_vectors([forms[name] for name in model.forms], encode)


def prototype_vectors(forms: Sequence[QuestionForm], encode: Encode) -> np.ndarray:
    """Each form's prototype: the unit mean of its wordings' sentence vectors."""
    vectors = encode([p for f in forms for p in f.prototypes])
    rows, first = [], 0
    for form in forms:
        mean = vectors[first : first + len(form.prototypes)].mean(axis=0)
        rows.append(mean / max(float(np.linalg.norm(mean)), 1e-12))
        first += len(form.prototypes)
    return np.vstack(rows)


def _vectors(sentences: Sequence[str], encode: Encode) -> np.ndarray:
    chosen = [s for s in sentences if s.strip()][:SENTENCE_REACH]
    return encode(chosen) if chosen else np.zeros((0, 384))


def ask(template: str, subject: Subject) -> str:
    """The template filled with the subject, its verbs agreeing ("Do braces hurt?")."""
    verbs = {
        "Do": "Do" if subject.plural else "Does",
        "do": "do" if subject.plural else "does",
        "Be": "Are" if subject.plural else "Is",
        "be": "are" if subject.plural else "is",
    }
    text = template.replace("{X}", subject.named).replace("{N}", _modifier(subject))
    for key, verb in verbs.items():
        text = text.replace("{" + key + "}", verb)
    return text[0].upper() + text[1:]


def _modifier(subject: Subject) -> str:
    """The subject before another noun: a plural names one ("vaccine sessions", not "vaccines
    sessions")."""
    *before, last = subject.bare.split() or [""]
    if not subject.plural or last.isupper():
        return subject.bare
    return " ".join([*before, noun_lemma(last)])


def subject_of(topic: str, text: str) -> Subject:
    """The talk's subject as it names it: "a vasectomy" where the talk says "a vasectomy" (at least
    half as often as "the vasectomy", and at least as often as bare "vasectomy"), "braces" (plural),
    "PRP" or "laser hair removal" bare.

    ``topic`` is the subject as written in a heading (acronyms and names keep their capitals).
    """
    words = topic.split()
    plural = bool(words) and plural_noun(words[-1])
    if not words or plural or words[0][:1].isupper():
        return Subject(topic, topic, plural)
    counts = _articles_before(tokens(topic), tokens(text))
    if len(words) == 1:  # "to test" is said where "test" is the name; never "skin prick test"
        counts[""] = max(0, counts[""] - verb_uses(words[0], text))
    some = counts["a"] + counts["an"]
    if counts["my"] >= NAME_SAID and not some + counts["the"] + counts[""]:  # always "your child"
        return Subject(f"my {topic}", topic, False)
    if some and 2 * some >= counts["the"] and some >= counts[""]:
        return Subject(f"{_article(topic)} {topic}", topic, False)
    return Subject(f"the {topic}" if counts["the"] > counts[""] else topic, topic, False)


def _articles_before(key: list[str], said: list[str]) -> dict[str, int]:
    """How often the talk says ``key`` after "a", "an", "the" or none ("") where ``key`` names the
    thing itself: "a hair transplant" does not count for "hair" (a noun that goes on makes it another
    name), "a vasectomy is" and "after a vasectomy, you" do. The article of a name's words before it
    counts ("a lung function test", "an intradermal test": "a test"); after another determiner ("your
    therapist", :data:`~video2blog.pipeline.text.phrases.DETERMINERS`) the name is not counted. A verb's
    "to test" counts as bare here; :func:`subject_of` takes the tagger's verb uses off again."""
    stop = word_list("stopwords.txt")
    counts = {"a": 0, "an": 0, "the": 0, "": 0, "my": 0}
    size = len(key)
    for i in range(len(said) - size + 1):
        if not size or said[i : i + size] != key:
            continue
        after = said[i + size] if i + size < len(said) else ""
        if after and after not in stop and can_be_noun(after):
            continue
        start = i
        reach = max(0, i - (MAX_PHRASE_WORDS - 1))  # a longer name's words before it: a phrase at most
        while start > reach and _describes(said[start - 1], stop):
            start -= 1
        before = said[start - 1] if start else ""
        if before in _PATIENT_OWNS:
            counts["my"] += 1
        elif before in counts:
            counts[before] += 1
        elif before not in DETERMINERS:
            counts[""] += 1
    return counts


def verb_uses(word: str, text: str) -> int:
    """How often the talk uses ``word`` as a verb, as the tagger reads each sentence that holds it ("we
    test your skin", "to test"): no bare use of the name, though no article stands before it."""
    wanted = word.lower()
    held = [s for s in sentences_of(text) if wanted in s.lower()]
    return sum(w.lower() == wanted and t == "VERB" for s in held for w, t in tag_sentence(s))


def _describes(word: str, stop: frozenset[str]) -> bool:
    """Whether ``word``, before a name, may be part of it or describe it: no stop word, and a noun or an
    adjective ("lung", "special"), not a verb only ("performs vasectomy")."""
    return word not in stop and (can_be_noun(word) or "ADJ" in word_classes(word))


def _article(phrase: str) -> str:
    first = phrase.split()[0]
    if first.isupper():
        return "an" if first[0] in _VOWEL_LETTERS else "a"
    return "an" if first[0].lower() in "aeio" else "a"
