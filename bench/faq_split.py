"""Split tests/faq/questions/all.yaml ONCE into train (60 %), dev (20 %) and test (20 %).

    .venv/bin/python bench/faq_split.py

Stratified by the kind of expectation (entry, flow, smalltalk, none) with a seeded shuffle, so the
same all.yaml always gives the same three files. The test split is frozen: its sha256 is checked by
tests/faq/test_split_frozen.py, and nothing may be tuned on it. Re-running this script is only for
checking that the split is reproducible; adding questions later goes into train.yaml or dev.yaml by
hand, never into test.yaml.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

import yaml

QUESTIONS = Path(__file__).resolve().parent.parent / "tests" / "faq" / "questions"
SEED = 20261127
SHARES = (("train", 0.6), ("dev", 0.2), ("test", 0.2))
HEADER = (
    "# {name} split of all.yaml (bench/faq_split.py, seed {seed}, stratified by kind of expectation).\n"
    "# Generated once before any tuning; do not edit by hand.\n"
)


def kind(item: dict) -> str:
    expect = item["expect"]
    return expect if isinstance(expect, str) else next(iter(expect))


def line(item: dict) -> str:
    """One item as one flow-style YAML line, like all.yaml."""
    return "- " + yaml.safe_dump(item, allow_unicode=True, default_flow_style=True, sort_keys=False, width=1000).strip()


def split(items: list[dict], seed: int = SEED) -> dict[str, list[dict]]:
    rng = random.Random(seed)
    parts: dict[str, list[dict]] = {name: [] for name, _ in SHARES}
    for group in sorted({kind(item) for item in items}):
        members = [item for item in items if kind(item) == group]
        rng.shuffle(members)
        n = len(members)
        train_end = round(n * SHARES[0][1])
        dev_end = train_end + round(n * SHARES[1][1])
        parts["train"] += members[:train_end]
        parts["dev"] += members[train_end:dev_end]
        parts["test"] += members[dev_end:]
    return parts


def main() -> None:
    items = yaml.safe_load((QUESTIONS / "all.yaml").read_text(encoding="utf-8"))
    for name, part in split(items).items():
        body = HEADER.format(name=name, seed=SEED) + "".join(line(item) + "\n" for item in part)
        (QUESTIONS / f"{name}.yaml").write_text(body, encoding="utf-8")
        print(f"{name}: {len(part)}")


if __name__ == "__main__":
    sys.exit(main())
