"""Retrieval study (issue 13 item 3): which way of matching a typed question to a knowledge entry wins
on the dev split, and where the "I don't know" threshold sits.

    .venv/bin/python bench/faq_retrieval.py [--split dev] [--details]

This is the first study, made on the dev split before training.yaml learnt the dev split's questions
too; the choices are now made by cross-validation over train+dev (bench/faq_cv.py), and the figures
printed here for the dev split are in-sample for every method that reads training.yaml.

Methods compared, all trained on the same data from content/faq: each entry's `questions:` and
training.yaml (the train split's questions, tests/faq/questions/train.yaml, as `phrasings` per entry;
its off-topic and small-talk questions and written examples of messages no entry answers as
`nothing`, a "nothing fits" class where a method can use one):
  a  the rapidfuzz + idf word-overlap scoring of flows/faq/matcher.py (as it shipped before: entries'
     questions only, answering from 0.42; and a+ with the training phrasings as question variants)
  b  TF-IDF over character n-grams (char_wb 2-5) of the normalised text with a linear classifier:
     logistic regression (several C), with and without the "nothing fits" class; LinearSVC with
     sigmoid calibration; char n-grams plus word 1-2-grams
  c  BM25 (rank-bm25) over normalised words: one document per entry, or one per phrasing (max)
  a+b  the mean of a+ and the LinearSVC's probabilities (flows/faq/retrieval.py: what ships)
Each method ranks entries with a score; the threshold below which it answers nothing is chosen on
the split for the best top-1 with at most 5 % of off-topic questions answered (the threshold
printed for a+b is retrieval.ANSWER_AT). The test split is never read.

Metrics (the same as `htxbot faq eval`): top-1 over all questions (for small talk and off-topic the
right answer is no entry); top-3 over questions that an entry answers; "I don't know" precision and
recall (no entry given, for questions no entry answers); off-topic answered = share of off-topic
questions answered with an entry.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rank_bm25 import BM25Okapi  # noqa: E402
from scipy.sparse import hstack  # noqa: E402
from sklearn.calibration import CalibratedClassifierCV  # noqa: E402
from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.svm import LinearSVC  # noqa: E402

from flows.faq import Knowledge  # noqa: E402
from flows.faq.knowledge import Entry, load_entries, load_synonyms, load_training  # noqa: E402
from flows.faq.matcher import Index, Normalizer  # noqa: E402
from flows.faq.retrieval import ANSWER_AT, NOTHING, Normaliser  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
FAQ = ROOT / "content" / "faq"
QUESTIONS = ROOT / "tests" / "faq" / "questions"
Ranker = Callable[[str], list[tuple[str, float]]]  # text -> [(entry id or NOTHING, score)], best first


def load_split(name: str) -> list[dict]:
    if name == "test":
        raise SystemExit("the retrieval study never reads the test split")
    return yaml.safe_load((QUESTIONS / f"{name}.yaml").read_text(encoding="utf-8"))


def gold(item: dict, task_entry: dict[str, str]) -> str | None:
    """The entry id a question should get (a flow request: the entry that starts it), or None."""
    expect = item["expect"]
    if isinstance(expect, str):
        return None
    return expect["entry"] if "entry" in expect else task_entry[expect["flow"]]


def training(entries: list[Entry]) -> tuple[list, list]:
    """(text, entry id) pairs: each entry's questions, then training.yaml's phrasings; its no-entry texts."""
    data = load_training(entries, FAQ)
    pairs = [(q, e.id) for e in entries for q in e.questions]
    pairs += [(t, entry_id) for entry_id, texts in data.phrasings.items() for t in texts]
    return pairs, list(data.nothing)


def normaliser() -> Normaliser:
    chat = yaml.safe_load((FAQ.parent / "language" / "abbreviations.yaml").read_text(encoding="utf-8"))["chat"]
    return Normaliser(chat, load_synonyms(FAQ).get("abbreviations") or {})


# ---- the methods ---------------------------------------------------------------------------


def matcher(entries: list[Entry], extra: list[tuple[str, str]] = ()) -> Ranker:
    more: dict[str, list[str]] = {}
    for text, entry_id in extra:
        more.setdefault(entry_id, []).append(text)
    widened = [Entry(**{**e.__dict__, "questions": e.questions + tuple(more.get(e.id, ()))}) for e in entries]
    index = Index(widened, Normalizer(load_synonyms(FAQ)))
    return lambda text: [(widened[i].id, s) for s, i in index.scores(text)]


def _ranker(norm: Normaliser, vectorisers: list, model, softmax: bool = False) -> Ranker:
    def rank(text: str) -> list[tuple[str, float]]:
        features = hstack([v.transform([norm(text)]) for v in vectorisers]).tocsr()
        if softmax:
            margins = model.decision_function(features)[0]
            p = np.exp(5.0 * (margins - margins.max()))
            p /= p.sum()
        else:
            p = model.predict_proba(features)[0]
        best = np.argsort(-p)[:5]
        return [(str(model.classes_[i]), float(p[i])) for i in best]

    return rank


def linear(norm: Normaliser, pairs, nothing, model, word_grams: bool = False, reject: bool = True,
           softmax: bool = False) -> Ranker:
    """TF-IDF char_wb 2-5 (and words 1-2) of the normalised text, then a linear classifier."""
    texts, labels = zip(*(pairs + ([(t, NOTHING) for t in nothing] if reject else [])), strict=True)
    vectorisers = [TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True)]
    if word_grams:
        vectorisers.append(TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True))
    normalised = [norm(t) for t in texts]
    matrix = hstack([v.fit_transform(normalised) for v in vectorisers]).tocsr()
    return _ranker(norm, vectorisers, model.fit(matrix, labels), softmax)


def shipped() -> Ranker:
    """The retrieval of flows/faq/retrieval.py as the bot loads it."""
    knowledge = Knowledge.load(FAQ)
    return knowledge.retriever.rank


def bm25(norm: Normaliser, pairs, per_phrasing: bool) -> Ranker:
    if per_phrasing:
        docs, owners = [norm(t).split() for t, _ in pairs], [e for _, e in pairs]
    else:
        grouped: dict[str, list[str]] = {}
        for text, entry_id in pairs:
            grouped.setdefault(entry_id, []).extend(norm(text).split())
        owners, docs = list(grouped), list(grouped.values())
    index = BM25Okapi(docs)

    def rank(text: str) -> list[tuple[str, float]]:
        scores = index.get_scores(norm(text).split())
        best: dict[str, float] = {}
        for owner, score in zip(owners, scores, strict=True):
            best[owner] = max(best.get(owner, 0.0), float(score))
        return sorted(best.items(), key=lambda kv: -kv[1])[:5]

    return rank


# ---- measuring -----------------------------------------------------------------------------


def measure(rankings: list[list[tuple[str, float]]], items: list[dict], golds: list, threshold: float) -> dict:
    n = len(items)
    right = top3 = answerable = idk = idk_right = no_entry = offtopic = offtopic_answered = 0
    for ranked, item, g in zip(rankings, items, golds, strict=True):
        entries = [(label, s) for label, s in ranked if label != NOTHING]
        said = entries[0][0] if entries and ranked[0][0] != NOTHING and entries[0][1] >= threshold else None
        right += said == g
        if g is not None:
            answerable += 1
            top3 += g in [label for label, _ in entries[:3]]
        else:
            no_entry += 1
        if said is None:
            idk += 1
            idk_right += g is None
        if item["expect"] == "none":
            offtopic += 1
            offtopic_answered += said is not None
    return {
        "top1": right / n,
        "top3": top3 / max(answerable, 1),
        "idk_p": idk_right / max(idk, 1),
        "idk_r": idk_right / max(no_entry, 1),
        "off": offtopic_answered / max(offtopic, 1),
    }


OFF_TOPIC_MAX = 0.05  # share of off-topic questions a threshold may let through
OLD_ANSWER_AT = 0.42  # the matcher's threshold before this study


def best_threshold(rankings, items, golds) -> float:
    """The threshold with the best top-1 among those answering at most OFF_TOPIC_MAX of off-topic."""
    candidates = sorted({0.0, 1.01} | {s for r in rankings for _, s in r[:1]})
    allowed = [t for t in candidates if measure(rankings, items, golds, t)["off"] <= OFF_TOPIC_MAX]
    return max(allowed, key=lambda t: (measure(rankings, items, golds, t)["top1"], -t))


def row(name: str, m: dict, threshold: float, fit: str = "", per: str = "") -> str:
    return (f"{name:50} {fit:>6} {per:>5} {threshold:7.3f} {m['top1']:6.1%} {m['top3']:6.1%} "
            f"{m['idk_p']:6.1%} {m['idk_r']:6.1%} {m['off']:6.1%}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--split", default="dev", choices=["dev", "train"])
    parser.add_argument("--details", action="store_true", help="print the shipped method's misses")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    entries = load_entries(FAQ)
    task_entry = {e.task: e.id for e in entries if e.task}
    items = load_split(args.split)
    golds = [gold(item, task_entry) for item in items]
    pairs, nothing = training(entries)
    norm = normaliser()
    extra = pairs[sum(len(e.questions) for e in entries):]
    methods: dict[str, Callable[[], Ranker]] = {
        "a   matcher (entries' questions only)": lambda: matcher(entries),
        "a+  matcher + training phrasings": lambda: matcher(entries, extra),
        **{f"b   char + logreg C={c:g}": (lambda c=c: linear(norm, pairs, nothing, LogisticRegression(C=c, max_iter=2000)))
           for c in (5, 20, 50)},
        "b   char + logreg C=20, no nothing class": lambda: linear(
            norm, pairs, nothing, LogisticRegression(C=20, max_iter=2000), reject=False),
        "b   char + words + logreg C=20": lambda: linear(
            norm, pairs, nothing, LogisticRegression(C=20, max_iter=2000), word_grams=True),
        "b   char + words + LinearSVC, sigmoid-calibrated": lambda: linear(
            norm, pairs, nothing, CalibratedClassifierCV(LinearSVC(), method="sigmoid", cv=3, ensemble=False),
            word_grams=True),
        "b   char + words + LinearSVC, softmax": lambda: linear(
            norm, pairs, nothing, LinearSVC(), word_grams=True, softmax=True),
        "c   BM25, one document per entry": lambda: bm25(norm, pairs, per_phrasing=False),
        "c   BM25, one per phrasing (max)": lambda: bm25(norm, pairs, per_phrasing=True),
        "a+b matcher + LinearSVC (shipped)": shipped,
    }
    print(f"split {args.split}: {len(items)} questions ({sum(g is None for g in golds)} with no entry); "
          f"training: {len(pairs)} phrasings, {len(nothing)} no-entry examples, {len(entries)} entries")
    print(f"{'method':50} {'fit s':>6} {'ms/q':>5} {'thresh':>7} {'top1':>6} {'top3':>6} {'idkP':>6} {'idkR':>6} {'off':>6}")
    results = {}
    for name, build in methods.items():
        t0 = time.perf_counter()
        rank = build()
        fit = time.perf_counter() - t0
        t1 = time.perf_counter()
        rankings = [rank(item["text"]) for item in items]
        per = (time.perf_counter() - t1) * 1000 / len(items)
        threshold = best_threshold(rankings, items, golds)
        results[name] = (rankings, threshold)
        print(row(name, measure(rankings, items, golds, threshold), threshold, f"{fit:.2f}", f"{per:.2f}"))
    before = results["a   matcher (entries' questions only)"][0]
    print(row(f"a   matcher at its old threshold {OLD_ANSWER_AT}", measure(before, items, golds, OLD_ANSWER_AT),
              OLD_ANSWER_AT))
    rankings, _ = results["a+b matcher + LinearSVC (shipped)"]
    print(row(f"a+b at the shipped retrieval.ANSWER_AT {ANSWER_AT}", measure(rankings, items, golds, ANSWER_AT),
              ANSWER_AT))
    if args.details:
        print(f"\nmisses of the shipped method at {ANSWER_AT}:")
        for ranked, item, g in zip(rankings, items, golds, strict=True):
            said = ranked[0][0] if ranked[0][0] != NOTHING and ranked[0][1] >= ANSWER_AT else None
            if said != g:
                print(f"  {item['text']!r} [{item['state']}]: expected {g}, got {said} "
                      f"{[(label, round(s, 2)) for label, s in ranked[:3]]}")


if __name__ == "__main__":
    main()
