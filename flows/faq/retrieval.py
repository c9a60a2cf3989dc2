"""Retrieval chosen by measurement (bench/faq_retrieval.py): the mean of two scores, each in 0..1:

- the word-overlap and rapidfuzz score of flows/faq/matcher.py (typos, synonyms, idf weights);
- a linear classifier (LinearSVC) over TF-IDF of character n-grams inside words (2 to 5 letters)
  and of words and word pairs, with one "nothing fits" class learnt from off-topic and small-talk
  messages; its margins are turned into probabilities by a softmax.

Both are trained at load time from content/faq: each entry's questions, the phrasings and the
"nothing" messages of training.yaml. Before the classifier sees a message it is normalised: folded
(lower case, no diacritics, đ -> d), every chat abbreviation of content/language/abbreviations.yaml
(shared with the engine's reading of answers) and every domain abbreviation of synonyms.yaml spelt
out ("dc" -> "duoc", "htx" -> "hop tac xa").

Every choice here (features, C, class weights, the matcher's share, the softmax scale) and both
thresholds were chosen by 5-fold cross-validation over the train and dev splits of tests/faq/questions
(bench/faq_cv.py; the test split is never read): ANSWER_AT, below which nothing is answered, gives the
best out-of-fold top-1 with at most 3 % of off-topic questions answered; above CONFIDENT_AT at most
1 % of out-of-fold answers were wrong. The softmax scale is the calibration: it was chosen with them.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
from scipy.sparse import hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.svm import LinearSVC

from flows.engine.text import words
from flows.faq.knowledge import Entry, Training
from flows.faq.matcher import Index, Normalizer

NOTHING = "__none__"  # the classifier's class of messages no entry answers
MATCHER_WEIGHT = 0.5  # share of the matcher's score in the mean (the classifier has the rest)
SOFTMAX_SCALE = 5.0  # margins -> probabilities: exp(scale * margin), normalised
C = 1.0  # LinearSVC regularisation
CLASS_WEIGHT: str | None = None  # LinearSVC class weights ("balanced": each entry counts alike)
CHAR_GRAMS = (2, 5)  # character n-grams inside words
WORD_GRAMS: tuple[int, int] | None = (1, 2)  # words and word pairs (None: none)
ANSWER_AT = 0.39  # mean score below which nothing is answered (bench/faq_cv.py: 5-fold cross-validation over train+dev)
CONFIDENT_AT = 0.60  # mean score above which at most 1 % of the cross-validated answers were wrong
KEPT = 5  # labels kept per ranking


class Normaliser:
    """Folded words with chat and domain abbreviations spelt out."""

    def __init__(self, *tables: Mapping[str, str]) -> None:
        self.expand: dict[str, str] = {}
        for table in tables:
            for short, long in (table or {}).items():
                key = " ".join(words(str(short)))
                if key and " " not in key:
                    self.expand.setdefault(key, " ".join(words(str(long))))

    def __call__(self, text: str) -> str:
        return " ".join(self.expand.get(w, w) for w in words(text))


@dataclass(frozen=True)
class Settings:
    """The retrieval's choices (the defaults ship; bench/faq_cv.py compares others by cross-validation)."""

    c: float = C
    class_weight: str | None = CLASS_WEIGHT
    char_grams: tuple[int, int] = CHAR_GRAMS
    word_grams: tuple[int, int] | None = WORD_GRAMS
    matcher_weight: float = MATCHER_WEIGHT
    softmax_scale: float = SOFTMAX_SCALE


class Classifier:
    """TF-IDF (character n-grams inside words, words and word pairs) + LinearSVC, fitted once."""

    def __init__(self, normalise: Normaliser, examples: Sequence[tuple[str, str]],
                 settings: Settings = Settings()) -> None:
        texts, labels = zip(*examples, strict=True)
        self.normalise = normalise
        self.softmax_scale = settings.softmax_scale
        self.vectorisers = tuple(
            [TfidfVectorizer(analyzer="char_wb", ngram_range=settings.char_grams, sublinear_tf=True,
                             dtype=np.float32)]
            + ([TfidfVectorizer(analyzer="word", ngram_range=settings.word_grams, sublinear_tf=True,
                                dtype=np.float32)] if settings.word_grams else []))
        normalised = [normalise(t) for t in texts]
        matrix = hstack([v.fit_transform(normalised) for v in self.vectorisers]).tocsr()
        self.model = LinearSVC(C=settings.c, class_weight=settings.class_weight)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # liblinear may stop a hair short of its tolerance; harmless here
            self.model.fit(matrix, labels)
        self.labels: tuple[str, ...] = tuple(str(label) for label in self.model.classes_)

        # Scoring one message through sklearn's transform and decision_function costs milliseconds of
        # checks; the same arithmetic on the fitted vocabularies, idf and weights takes microseconds.
        self._analysers = [v.build_analyzer() for v in self.vectorisers]
        self._vocabularies = [v.vocabulary_ for v in self.vectorisers]
        self._idf = [v.idf_.astype(np.float64) for v in self.vectorisers]
        self._offsets = np.cumsum([0] + [len(v.vocabulary_) for v in self.vectorisers])[:-1].tolist()
        self._weights = np.ascontiguousarray(self.model.coef_.T, dtype=np.float64)  # features x labels
        self._intercepts = self.model.intercept_.astype(np.float64)

    def margins(self, text: str) -> np.ndarray:
        """The LinearSVC's decision values for a text (what decision_function gives, computed directly)."""
        normalised = self.normalise(text)
        columns: list[int] = []
        values: list[float] = []
        for analyse, vocabulary, idf, offset in zip(
                self._analysers, self._vocabularies, self._idf, self._offsets, strict=True):
            counts: dict[int, int] = {}
            for gram in analyse(normalised):
                j = vocabulary.get(gram)
                if j is not None:
                    counts[j] = counts.get(j, 0) + 1
            if not counts:
                continue
            found = np.fromiter(counts, dtype=np.int64, count=len(counts))
            tf = 1.0 + np.log(np.fromiter(counts.values(), dtype=np.float64, count=len(counts)))
            weighted = tf * idf[found]
            weighted /= np.sqrt(weighted @ weighted)
            columns.extend((found + offset).tolist())
            values.extend(weighted.tolist())
        if not columns:
            return self._intercepts.copy()
        return np.asarray(values) @ self._weights[columns] + self._intercepts

    def probabilities(self, text: str) -> np.ndarray:
        """One probability per label (self.labels), from the margins by a softmax."""
        margins = self.margins(text)
        exp = np.exp(self.softmax_scale * (margins - margins.max()))
        return exp / exp.sum()


class Retriever:
    """Ranks entries for a message: [(entry id or NOTHING, score in 0..1)], best first."""

    def __init__(self, entries: list[Entry], synonyms: dict, training: Training,
                 abbreviations: Mapping[str, str], settings: Settings = Settings()) -> None:
        widened = [replace(e, questions=e.questions + training.phrasings.get(e.id, ())) for e in entries]
        self.ids = [e.id for e in entries]
        self.index = Index(widened, Normalizer(synonyms))
        examples = [(q, e.id) for e in widened for q in e.questions]
        examples += [(t, NOTHING) for t in training.nothing]
        normalise = Normaliser(abbreviations, synonyms.get("abbreviations") or {})
        self.classifier = Classifier(normalise, examples, settings)
        self.matcher_weight = settings.matcher_weight

    def rank(self, text: str, kept: int = KEPT) -> list[tuple[str, float]]:
        matched = {self.ids[i]: score for score, i in self.index.scores(text)}
        p = self.classifier.probabilities(text)
        learnt = dict(zip(self.classifier.labels, p.tolist(), strict=True))
        nothing = learnt.pop(NOTHING, 0.0)
        w = self.matcher_weight
        scores = {e: w * matched.get(e, 0.0) + (1 - w) * learnt.get(e, 0.0)
                  for e in matched.keys() | learnt.keys()}
        ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))[:kept]
        if not ranked or nothing >= ranked[0][1]:
            ranked.insert(0, (NOTHING, nothing))
        return ranked
