"""The labelled question set is split once: the test split is frozen, and the three splits are disjoint
and together are exactly all.yaml (bench/faq_split.py)."""

from __future__ import annotations

import hashlib
from collections import Counter
from pathlib import Path

import pytest
import yaml

QUESTIONS = Path(__file__).with_name("questions")
TEST_SHA256 = "5ef1e4f2fb6a59d94eae4e48ff0fb7a8bbfcd4c978e268d042de56d00fd95da9"
SPLITS = ("train", "dev", "test")
KINDS = {"entry", "flow"}
STATES = {"idle", "menu"}


def _load(name: str) -> list[dict]:
    return yaml.safe_load((QUESTIONS / f"{name}.yaml").read_text(encoding="utf-8"))


def _key(item: dict) -> tuple:
    return (item["text"], repr(item["expect"]), item["state"])


def test_the_test_split_is_frozen():
    digest = hashlib.sha256((QUESTIONS / "test.yaml").read_bytes()).hexdigest()
    assert digest == TEST_SHA256, "test.yaml changed: the frozen test split may never be edited or re-drawn"


def test_the_splits_are_disjoint_and_cover_all_questions_exactly():
    every = Counter(_key(item) for item in _load("all"))
    parts = {name: Counter(_key(item) for item in _load(name)) for name in SPLITS}
    assert sum(parts.values(), Counter()) == every
    assert not set(parts["train"]) & set(parts["dev"])
    assert not set(parts["train"]) & set(parts["test"])
    assert not set(parts["dev"]) & set(parts["test"])


def test_the_texts_are_unique_so_no_question_sits_in_two_splits():
    texts = Counter(item["text"].lower() for item in _load("all"))
    assert [text for text, n in texts.items() if n > 1] == []


@pytest.mark.parametrize("name", SPLITS)
def test_every_item_is_labelled_with_a_kind_and_a_state(name):
    for item in _load(name):
        expect = item["expect"]
        assert expect in ("smalltalk", "none") or (isinstance(expect, dict) and set(expect) <= KINDS), item
        assert item["state"] in STATES or "." in item["state"], item


def test_the_set_is_large_and_mixed_as_issue_13_asks():
    items = _load("all")
    kinds = Counter(item["expect"] if isinstance(item["expect"], str) else next(iter(item["expect"])) for item in items)
    assert len(items) >= 600
    assert kinds["none"] >= 60 and kinds["smalltalk"] >= 40
    assert sum(item["state"] not in STATES for item in items) >= 100
