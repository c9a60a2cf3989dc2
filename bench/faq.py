"""Speed of the FAQ matcher: load time, and median and p99 time to answer a held-out question.

    .venv/bin/python bench/faq.py [rounds]

The bar is under 10 ms per answer. Each held-out question is matched and its reply rendered;
the set is repeated `rounds` times (default 20), so later rounds see warm caches like a running bot.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flows.faq import Knowledge, render_answer  # noqa: E402

HELDOUT = Path(__file__).resolve().parent.parent / "tests" / "faq" / "heldout.yaml"


def main(rounds: int = 20) -> None:
    started = time.perf_counter()
    knowledge = Knowledge.load()
    load_ms = (time.perf_counter() - started) * 1000
    questions = [case["q"] for case in yaml.safe_load(HELDOUT.read_text(encoding="utf-8"))]

    first_round: list[float] = []
    timings: list[float] = []
    for round_number in range(rounds):
        for question in questions:
            t0 = time.perf_counter()
            render_answer(knowledge.match(question))
            elapsed = (time.perf_counter() - t0) * 1000
            timings.append(elapsed)
            if round_number == 0:
                first_round.append(elapsed)

    def p99(values: list[float]) -> float:
        return statistics.quantiles(values, n=100)[98]

    print(f"entries: {len(knowledge.entries)}, questions: {len(questions)} x {rounds} rounds")
    print(f"load: {load_ms:.1f} ms")
    print(
        f"first round (cold caches): median {statistics.median(first_round):.2f} ms, p99 {p99(first_round):.2f} ms"
    )
    print(f"all rounds: median {statistics.median(timings):.2f} ms, p99 {p99(timings):.2f} ms (bar: 10 ms)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
