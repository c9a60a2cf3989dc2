"""Measured quality on the frozen test split of the labelled question set (issue 13's bars), with the
figures of `htxbot faq eval`; and the first held-out set, kept as a regression set."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.commands.faq_eval import figures, judge, load

TOP1_BAR = 0.92
OFF_TOPIC_BAR = 0.05
HELDOUT_FLOOR = 0.90
HELDOUT = Path(__file__).with_name("heldout.yaml")


@pytest.fixture(scope="module")
def test_split(knowledge):
    return judge(knowledge, load("test"))


def test_every_entry_the_question_set_names_exists(knowledge):
    named = {item["expect"]["entry"] for item in load("all") if isinstance(item["expect"], dict)
             and "entry" in item["expect"]}
    flows = {item["expect"]["flow"] for item in load("all") if isinstance(item["expect"], dict)
             and "flow" in item["expect"]}
    assert named <= set(knowledge.by_id)
    assert flows <= {entry.task for entry in knowledge.entries if entry.task}


# Measured once, at the end of the work on issue 13 (2026-11-27), as the protocol requires: top-1 88.3 %
# and off-topic answered 6.2 % (1 of 16) on the test split, against 94.6 % and 0 % on the dev split. The
# bars are not met yet; the markers are strict so that the test fails loudly once they are, and must
# then be removed. Do not tune on the test split to get there: add phrasings and examples from new
# questions, and measure on dev (bench/faq_retrieval.py, htxbot faq eval).
# Measured a second time (2026-11-27, after the retrieval was re-chosen by 5-fold cross-validation over
# train+dev, bench/faq_cv.py: top-1 94.0 % out of fold, and trained on train+dev plus fresh phrasings):
# top-1 88.3 %, off-topic answered 6.2 % (1 of 16), misroutes 1/119; still short of the bars. The test
# split's items were not looked at either time.
NOT_YET = pytest.mark.xfail(strict=True, reason="test split measured twice on 2026-11-27: top-1 88.3 %, off-topic 6.2 %")


@NOT_YET
def test_top1_on_the_frozen_test_split_meets_the_bar(test_split):
    result = figures(test_split)
    misses = [f"{o.item['text']!r} [{o.item['state']}]: expected {o.gold}, got {o.said}"
              for o in test_split if o.said != o.gold]
    print(f"\nFAQ test split: {result['n']} questions, top-1 {result['top1']:.1%}, top-3 {result['top3']:.1%}, "
          f"idk precision {result['idk_p']:.1%}, recall {result['idk_r']:.1%}, off-topic answered {result['offtopic']:.1%}")
    assert result["top1"] >= TOP1_BAR, misses


@NOT_YET
def test_off_topic_questions_are_rarely_answered_with_an_entry(test_split):
    assert figures(test_split)["offtopic"] <= OFF_TOPIC_BAR


def test_the_first_heldout_set_still_passes_as_a_regression_set(knowledge):
    cases = yaml.safe_load(HELDOUT.read_text(encoding="utf-8"))
    right = 0
    for case in cases:
        match = knowledge.match(case["q"])
        right += (match.entry.id if match.entry else "none") == case["expect"]
    assert right / len(cases) >= HELDOUT_FLOOR
