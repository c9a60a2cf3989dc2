"""Inline SVG charts drawn on the server: this module computes the geometry, dashboard/_chart.j2 draws it.

No JavaScript and no library: a chart is a handful of numbers (points, bars, axis ticks) that a
template turns into <svg> markup, so it prints, works offline and needs nothing from a CDN.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from flows.engine.formatting import number

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 16, 40  # room for the axis labels


@dataclass(frozen=True, slots=True)
class Tick:
    """A horizontal grid line at `y` with its label."""

    y: float
    label: str


@dataclass(frozen=True, slots=True)
class Bar:
    """One month: a bar (x, y, width, height), its value and the x-axis label under it."""

    x: float
    y: float
    width: float
    height: float
    cx: float
    value: str
    label: str
    empty: bool = False  # a month with no update: no bar, and the line skips it


@dataclass(frozen=True, slots=True)
class Chart:
    """What _chart.j2 needs: the size, the bars, the line through their tops and the grid."""

    width: int
    height: int
    left: int
    bottom: float
    right: float
    bars: list[Bar]
    line: str  # SVG points "x,y x,y …"
    ticks: list[Tick]


def nice_step(top: float, lines: int = 4) -> float:
    """A round step (1, 2 or 5 times a power of ten) so that `lines` steps reach at least `top`."""
    if top <= 0:
        return 1.0
    raw = top / lines
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if factor * power >= raw:
            return factor * power
    return 10 * power


def money_scale(values: Sequence[float]) -> tuple[int, str]:
    """One unit for a whole column or chart of amounts: billions when the largest reaches one, else millions."""
    top = max((abs(v) for v in values), default=0)
    return (1_000_000_000, "tỷ đồng") if top >= 1_000_000_000 else (1_000_000, "triệu đồng")


def bar_chart(labels: Sequence[str], values: Sequence[float], *, scale: float = 1.0,
              present: Sequence[bool] | None = None) -> Chart:
    """Bars and a line for one series; values are divided by `scale` for the labels (e.g. millions);
    months not `present` (nobody reported) get no bar and no point."""
    present = list(present) if present is not None else [True] * len(values)
    shown = [v / scale for v in values]
    step = nice_step(max(shown, default=0))
    top = step * max(1, math.ceil(max(shown, default=0) / step))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(1, len(shown))
    bars = []
    for i, (label, value) in enumerate(zip(labels, shown, strict=True)):
        h = plot_h * value / top if top else 0
        x = LEFT + i * slot + slot * 0.18
        bars.append(Bar(round(x, 1), round(TOP + plot_h - h, 1), round(slot * 0.64, 1), round(h, 1),
                        round(LEFT + (i + 0.5) * slot, 1), number(round(value, 2)), label, not present[i]))
    ticks = [Tick(round(TOP + plot_h - plot_h * step * k / top, 1), number(round(step * k, 3)))
             for k in range(int(round(top / step)) + 1)]
    line = " ".join(f"{b.cx},{b.y}" for b in bars if not b.empty)
    return Chart(WIDTH, HEIGHT, LEFT, TOP + plot_h, WIDTH - RIGHT, bars, line, ticks)
