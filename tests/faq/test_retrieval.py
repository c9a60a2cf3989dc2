"""The retrieval behind Knowledge.match: normalising chat Vietnamese, the classifier's arithmetic, the
"nothing fits" class, and no question of the test split in what it learns from (train and dev are
learnt from: the method was chosen by cross-validation over them, bench/faq_cv.py)."""

from __future__ import annotations

import numpy as np
import pytest
import yaml
from scipy.sparse import hstack

from bot.commands.faq_eval import load
from flows.engine.text import fold
from flows.faq.knowledge import FAQ_DIR, load_entries, load_training
from flows.faq.retrieval import ANSWER_AT, CONFIDENT_AT


@pytest.mark.parametrize(
    ("typed", "spelt"),
    [
        ("htx ko dc ha ad", "hop tac xa khong duoc ha admin"),
        ("lap tht can bn tv", "lap to hop tac can bao nhieu thanh vien"),
        ("dk htx ntn", "dang ky hop tac xa nhu the nao"),
        ("Đăng ký HTX hok?", "dang ky hop tac xa khong"),
        ("von 2 ty", "von 2 ty"),
    ],
)
def test_chat_abbreviations_are_spelt_out_before_matching(knowledge, typed, spelt):
    assert knowledge.retriever.classifier.normalise(typed) == spelt


def test_the_classifier_scores_exactly_as_sklearn_does(knowledge):
    classifier = knowledge.retriever.classifier
    for text in ["htx la gi", "nop ho so o dau vay ad", "gia lua hom nay", "", "zzz qqq"]:
        features = hstack([v.transform([classifier.normalise(text)]) for v in classifier.vectorisers]).tocsr()
        assert np.allclose(classifier.margins(text), classifier.model.decision_function(features)[0], atol=1e-5)


@pytest.mark.parametrize("text", ["giá vàng hôm nay bao nhiêu", "thoi tiet mai the nao ad", "cam on ad nhieu",
                                  "ban la ai", "👍", "ok"])
def test_off_topic_and_small_talk_get_no_entry(knowledge, text):
    match = knowledge.match(text)
    assert match.entry is None and not match.confident


def test_a_confident_match_is_an_answer_and_scores_follow_the_thresholds(knowledge):
    assert ANSWER_AT < CONFIDENT_AT
    for text in ["hop tac xa can toi thieu may thanh vien", "le phi dang ky htx", "htx", "gia lua"]:
        match = knowledge.match(text)
        assert 0.0 <= match.score <= 1.0
        assert match.confident == (match.entry is not None and match.score >= CONFIDENT_AT)
        assert match.entry is None or match.score >= ANSWER_AT


def test_no_question_of_the_test_split_is_in_what_the_retrieval_learns_from():
    entries = load_entries()
    training = load_training(entries)
    learnt = {fold(q) for e in entries for q in e.questions}
    learnt |= {fold(t) for texts in training.phrasings.values() for t in texts} | {fold(t) for t in training.nothing}
    held = [item["text"] for item in load("test")]
    assert sum(1 for text in held if fold(text) and fold(text) in learnt) == 0  # a count: the items stay unseen


def test_the_training_phrasings_are_the_train_and_dev_splits_and_fresh_ones():
    data = yaml.safe_load((FAQ_DIR / "training.yaml").read_text(encoding="utf-8"))
    labelled = {t for texts in data["phrasings"].values() for t in texts}
    pool = {item["text"] for name in ("train", "dev") for item in load(name) if isinstance(item["expect"], dict)}
    written = {t for texts in data["written"].values() for t in texts}
    assert labelled == pool
    assert not written & {item["text"] for name in ("train", "dev") for item in load(name)}
    training = load_training(load_entries())
    assert {t for texts in training.phrasings.values() for t in texts} == labelled | written
