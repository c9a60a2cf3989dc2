"""Time evaluating every programme for one cooperative over 10,000 random fact sets (median and p99)."""

from __future__ import annotations

import datetime as dt
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flows.eligibility import evaluate, load_facts, load_programmes, next_question  # noqa: E402

TODAY = dt.date(2026, 11, 22)
DAYS = [dt.date(2024, 11, 1), dt.date(2025, 12, 31), TODAY]


def _random_value(fact, rng: random.Random):
    if fact.type == "bool":
        return rng.random() < 0.5
    if fact.type == "int":
        return rng.randint(0, 400)
    if fact.type == "money":
        return rng.randint(0, 60) * 1_000_000_000
    if fact.type == "percent":
        return round(rng.uniform(0, 30), 1)
    if fact.type == "date":
        return TODAY - dt.timedelta(days=rng.randint(0, 3650))
    return rng.choice(fact.choice_ids())


def _random_facts(rng: random.Random) -> dict:
    share = rng.random()  # from almost nothing known to almost everything known
    return {f.id: _random_value(f, rng) for f in load_facts().values() if rng.random() < share}


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def main(runs: int = 10_000) -> None:
    rng = random.Random(20261122)
    programmes = load_programmes()
    evaluate({}, TODAY)  # load and cache the files first
    fact_sets = [(_random_facts(rng), rng.choice(DAYS)) for _ in range(runs)]
    for label, call in (
        ("evaluate (all programmes, size class, open facts)", lambda f, d: evaluate(f, d)),
        ("next_question", lambda f, d: next_question(programmes, f, d)),
    ):
        samples = []
        for facts, day in fact_sets:
            start = time.perf_counter()
            call(facts, day)
            samples.append(time.perf_counter() - start)
        median, p99 = _percentiles(samples)
        print(f"{label}: {runs} fact sets, {len(programmes)} programmes: "
              f"median {median * 1e6:.0f} µs, p99 {p99 * 1e3:.2f} ms")


if __name__ == "__main__":
    main()
