"""Prints how fast find_commune answers: median and p99 microseconds over 5,000 varied queries,
without and with the province given, and how often the commune meant is among the answers
(run: .venv/bin/python bench/geo.py).

Each query is timed ROUNDS times and its fastest time kept (as timeit does), so that other
processes on a shared machine do not show up as the lookup's own p99.
"""

from __future__ import annotations

import random
import statistics
import string
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flows.engine.geo import Place, communes, find_commune, find_province, province, provinces  # noqa: E402
from flows.engine.text import fold  # noqa: E402

QUERIES = 5_000
ROUNDS = 3
UNRELATED = {"garbage", "number"}  # made up, not from the commune drawn: count answers of any kind
ALL = [place for p in provinces() for place in communes(p.code)]


def _typo(rng: random.Random, text: str) -> str:
    i = rng.randrange(len(text))
    edit = rng.choice(["swap", "drop", "change"])
    if edit == "swap" and i + 1 < len(text):
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    if edit == "drop":
        return text[:i] + text[i + 1 :]
    return text[:i] + rng.choice(string.ascii_lowercase) + text[i + 1 :]


def queries(rng: random.Random) -> list[tuple[str, str, Place]]:
    """(kind of query, text, commune it was made from), drawn from the real names."""
    out = []
    for _ in range(QUERIES):
        place = rng.choice(ALL)
        bare = fold(place.name).removeprefix(fold(place.kind) + " ")
        kind, text = rng.choice(
            [
                ("official", place.name),
                ("folded", fold(place.name)),
                ("upper", place.name.upper()),
                ("bare", bare),
                ("typo", _typo(rng, bare)),
                ("with province", f"{bare}, {fold(province(place.province_code).name)}"),
                ("garbage", "".join(rng.choices(string.ascii_lowercase + " ", k=rng.randint(3, 15)))),
                ("number", f"phuong {rng.randint(1, 20)}"),
            ]
        )
        out.append((kind, text, place))
    return out


def _measure(items: list[tuple[str, str, Place]], with_province: bool) -> tuple[list[float], list[bool]]:
    """Fastest of ROUNDS timings of each query in microseconds, and whether its commune was found."""
    best = [float("inf")] * len(items)
    hits = [False] * len(items)
    for _ in range(ROUNDS):
        for i, (kind, text, place) in enumerate(items):
            start = time.perf_counter_ns()
            match = find_commune(text, place.province_code if with_province else None)
            best[i] = min(best[i], (time.perf_counter_ns() - start) / 1000)
            hits[i] = bool(match.places) if kind in UNRELATED else place in match.places
    return best, hits


def _p99(times: list[float]) -> float:
    return statistics.quantiles(times, n=100)[98]


def main() -> None:
    start = time.perf_counter()
    find_province("ha noi")
    find_commune("hoan kiem")
    print(f"first lookup (builds the indexes): {(time.perf_counter() - start) * 1000:.0f} ms")
    items = queries(random.Random(2025))
    for p in provinces():  # build the per-province indexes outside the timing
        find_commune("x", p.code)
    for with_province in (False, True):
        times, hits = _measure(items, with_province)
        label = "with province   " if with_province else "without province"
        print(
            f"find_commune {label}: median {statistics.median(times):6.1f} µs, "
            f"p99 {_p99(times):6.1f} µs over {len(items)} queries"
        )
        by_kind: dict[str, list[tuple[float, bool]]] = {}
        for (kind, _, _), t, hit in zip(items, times, hits, strict=True):
            by_kind.setdefault(kind, []).append((t, hit))
        for kind, rows in sorted(by_kind.items()):
            ts = [t for t, _ in rows]
            found = sum(hit for _, hit in rows)
            print(
                f"    {kind:14} n={len(ts):4}  median {statistics.median(ts):6.1f} µs  "
                f"p99 {_p99(ts):6.1f} µs  {'answered' if kind in UNRELATED else 'meant found'} {found:4}/{len(ts)}"
            )


if __name__ == "__main__":
    main()
