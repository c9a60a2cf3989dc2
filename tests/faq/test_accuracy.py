"""Measured quality: top-1 and top-3 accuracy of the matcher on held-out real-style questions."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from flows.engine.text import fold

HELDOUT = Path(__file__).with_name("heldout.yaml")
TOP1_FLOOR = 0.85


@pytest.fixture(scope="module")
def heldout() -> list[dict]:
    return yaml.safe_load(HELDOUT.read_text(encoding="utf-8"))


def test_the_heldout_set_is_large_names_real_entries_and_has_off_topic_questions(knowledge, heldout):
    assert len(heldout) >= 100
    assert {case["expect"] for case in heldout} - {"none"} <= set(knowledge.by_id)
    assert sum(case["expect"] == "none" for case in heldout) >= 5


def test_the_heldout_questions_are_not_copies_of_knowledge_base_variants(knowledge, heldout):
    variants = {fold(q) for entry in knowledge.entries for q in entry.questions}
    copied = [case["q"] for case in heldout if fold(case["q"]) in variants]
    assert copied == []


def test_top1_accuracy_stays_above_the_floor(knowledge, heldout):
    top1 = top3 = 0
    misses = []
    for case in heldout:
        match = knowledge.match(case["q"])
        got = match.entry.id if match.entry else "none"
        ranked = [entry.id for entry, _ in knowledge.ranking(case["q"])[:3]]
        top1 += got == case["expect"]
        top3 += got == "none" if case["expect"] == "none" else case["expect"] in ranked
        if got != case["expect"]:
            misses.append(f"{case['q']!r}: expected {case['expect']}, got {got}")
    n = len(heldout)
    print(f"\nFAQ held-out: {n} questions, top-1 {top1 / n:.1%}, top-3 {top3 / n:.1%}")
    print("\n".join(misses))
    assert top1 / n >= TOP1_FLOOR, misses
