"""Retrieval chosen by cross-validation (issue 13 item 3): k folds over train+dev, the test split never read.

    .venv/bin/python bench/faq_cv.py [--folds 5] [--variants NAME ...] [--no-written]

The pool is every question of tests/faq/questions/{train,dev}.yaml. It is cut into k folds stratified
by label (the entry a question should get, or "none" / "smalltalk"). For each fold the retrieval of
flows/faq/retrieval.py is trained on: the entries' `questions:`, the phrasings and "nothing fits"
examples of content/faq/training.yaml that are NOT questions of the pool (the ones written fresh), and
the pool's questions outside the fold; then it ranks the fold's questions. The out-of-fold rankings of
all folds are scored together, with the figures of `htxbot faq eval` (bench/faq_retrieval.measure).

Thresholds: ANSWER_AT is the score giving the best out-of-fold top-1 with at most OFF_TOPIC_MAX of the
pool's off-topic questions answered; CONFIDENT_AT the lowest score above which at most 1 % of
out-of-fold answers are wrong. Both are printed per variant ("nested" top-1: each fold answered at the
threshold chosen on the other folds, an estimate free of the threshold's own fit), then the figures at
the shipped retrieval.ANSWER_AT and CONFIDENT_AT (share of questions answered confidently, and the
share of those answers that are right).
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from dataclasses import replace
from pathlib import Path

import numpy as np
from sklearn.model_selection import StratifiedKFold

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.faq_retrieval import gold, load_split, measure  # noqa: E402
from flows.faq.knowledge import (  # noqa: E402
    FAQ_DIR,
    Training,
    load_abbreviations,
    load_entries,
    load_synonyms,
    load_training,
)
from flows.faq.retrieval import ANSWER_AT, CONFIDENT_AT, NOTHING, Retriever, Settings  # noqa: E402

OFF_TOPIC_MAX = 0.03  # stricter than the bar (5 %): the test split has only 16 off-topic questions
WRONG_MAX = 0.01  # share of wrong answers allowed above CONFIDENT_AT
SEED = 20261127

VARIANTS: dict[str, Settings] = {
    "shipped (svc C=1, char 2-5 + words 1-2, w=.5, T=5)": Settings(),
    "no word grams": Settings(word_grams=None),
    "words 1-3": Settings(word_grams=(1, 3)),
    "char 1-4": Settings(char_grams=(1, 4)),
    "char 2-6": Settings(char_grams=(2, 6)),
    "balanced classes": Settings(class_weight="balanced"),
    "C=0.5": Settings(c=0.5),
    "C=2": Settings(c=2.0),
    "matcher weight .3": Settings(matcher_weight=0.3),
    "matcher weight .7": Settings(matcher_weight=0.7),
    "classifier only": Settings(matcher_weight=0.0),
    "softmax T=3": Settings(softmax_scale=3.0),
    "softmax T=8": Settings(softmax_scale=8.0),
}


def label(item: dict, task_entry: dict[str, str]) -> str:
    g = gold(item, task_entry)
    return g if g is not None else item["expect"]


def split_training(training: Training, pool_texts: set[str]) -> Training:
    """training.yaml without the pool's questions: what was written fresh."""
    return Training({k: tuple(t for t in v if t not in pool_texts) for k, v in training.phrasings.items()},
                    tuple(t for t in training.nothing if t not in pool_texts))


def with_items(base: Training, items: list[dict], task_entry: dict[str, str]) -> Training:
    phrasings = {k: list(v) for k, v in base.phrasings.items()}
    nothing = list(base.nothing)
    for item in items:
        g = gold(item, task_entry)
        if g is None:
            nothing.append(item["text"])
        else:
            phrasings.setdefault(g, []).append(item["text"])
    return Training({k: tuple(v) for k, v in phrasings.items()}, tuple(nothing))


def best_threshold(rankings, items, golds) -> float:
    candidates = sorted({0.0, 1.01} | {round(s, 4) for r in rankings for _, s in r[:2]})
    scored = [(t, measure(rankings, items, golds, t)) for t in candidates]
    allowed = [(t, m) for t, m in scored if m["off"] <= OFF_TOPIC_MAX]
    return max(allowed, key=lambda tm: (tm[1]["top1"], -tm[0]))[0]


def confident_at(rankings, golds, answer_at: float) -> float:
    """The lowest score above which at most WRONG_MAX of the answers given are wrong."""
    given = sorted(((r[0][1], r[0][0] == g) for r, g in zip(rankings, golds, strict=True)
                    if r[0][0] != NOTHING and r[0][1] >= answer_at), reverse=True)
    best, wrong = 1.01, 0
    for n, (score, right) in enumerate(given, start=1):
        wrong += not right
        if wrong <= WRONG_MAX * n:
            best = score
    return best


def cross_validate(settings: Settings, folds: int, written: bool) -> dict:
    entries = load_entries(FAQ_DIR)
    synonyms, abbreviations = load_synonyms(FAQ_DIR), load_abbreviations(FAQ_DIR)
    task_entry = {e.task: e.id for e in entries if e.task}
    pool = load_split("train") + load_split("dev")
    base = split_training(load_training(entries, FAQ_DIR), {item["text"] for item in pool})
    if not written:
        base = Training({}, ())
    labels = [label(item, task_entry) for item in pool]
    golds = [gold(item, task_entry) for item in pool]
    rankings: list = [None] * len(pool)
    fold_of = np.zeros(len(pool), dtype=int)
    fit = 0.0
    kfold = StratifiedKFold(n_splits=folds, shuffle=True, random_state=SEED)
    for number, (inside, outside) in enumerate(kfold.split(np.zeros(len(pool)), labels)):
        t0 = time.perf_counter()
        retriever = Retriever(entries, synonyms, with_items(base, [pool[i] for i in inside], task_entry),
                              abbreviations, settings)
        fit += time.perf_counter() - t0
        for i in outside:
            rankings[i] = retriever.rank(pool[i]["text"])
            fold_of[i] = number
    answer_at = best_threshold(rankings, pool, golds)
    nested_right = 0
    for number in range(folds):
        rest = [i for i in range(len(pool)) if fold_of[i] != number]
        held = [i for i in range(len(pool)) if fold_of[i] == number]
        t = best_threshold([rankings[i] for i in rest], [pool[i] for i in rest], [golds[i] for i in rest])
        m = measure([rankings[i] for i in held], [pool[i] for i in held], [golds[i] for i in held], t)
        nested_right += m["top1"] * len(held)
    result = measure(rankings, pool, golds, answer_at)
    fixed = measure(rankings, pool, golds, ANSWER_AT)
    given = [(r[0][0] == g) for r, g in zip(rankings, golds, strict=True)
             if r[0][0] != NOTHING and r[0][1] >= CONFIDENT_AT]
    return {**result, "fixed_top1": fixed["top1"], "fixed_off": fixed["off"],
            "confident_right": sum(given) / max(len(given), 1), "confident_share": len(given) / len(pool), "answer_at": answer_at, "nested": nested_right / len(pool), "fit": fit / folds,
            "confident_at": confident_at(rankings, golds, answer_at), "n": len(pool)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--variants", nargs="*", help="names (substrings) of VARIANTS to run; default all")
    parser.add_argument("--no-written", action="store_true", help="leave out training.yaml's fresh texts")
    parser.add_argument("--set", nargs="*", default=[], help="extra variant as key=value of Settings")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    variants = {k: v for k, v in VARIANTS.items() if not args.variants or any(s in k for s in args.variants)}
    if args.set:
        custom = {k: eval(v) for k, v in (kv.split("=", 1) for kv in args.set)}  # noqa: S307 - a bench's own flags
        variants = {" ".join(args.set): replace(Settings(), **custom)}
    print(f"{args.folds}-fold cross-validation over train+dev; fresh training texts {'out' if args.no_written else 'in'}")
    print(f"{'variant':52} {'fit s':>5} {'answer':>6} {'top1':>6} {'nested':>6} {'top3':>6} {'idkP':>6} "
          f"{'idkR':>6} {'off':>6} {'confid':>6} | at shipped thresholds: top1, off, confident: share, right")
    for name, settings in variants.items():
        r = cross_validate(settings, args.folds, not args.no_written)
        print(f"{name:52} {r['fit']:5.2f} {r['answer_at']:6.3f} {r['top1']:6.1%} {r['nested']:6.1%} {r['top3']:6.1%} "
              f"{r['idk_p']:6.1%} {r['idk_r']:6.1%} {r['off']:6.1%} {r['confident_at']:6.3f} | "
              f"{r['fixed_top1']:6.1%} {r['fixed_off']:5.1%} {r['confident_share']:6.1%} {r['confident_right']:6.1%}",
              flush=True)


if __name__ == "__main__":
    main()
