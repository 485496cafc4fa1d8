"""Bar charts drawn on the server as SVG: no script, nothing to load, readable without
colour (every bar carries its value in a `<title>` and the table beside it)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

WIDTH, HEIGHT, AXIS = 600, 180, 24
MAX_BAR = 48


@dataclass(frozen=True)
class Bar:
    label: str
    value: str  # as shown
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Chart:
    bars: tuple[Bar, ...]
    width: int = WIDTH
    height: int = HEIGHT + AXIS
    baseline: float = HEIGHT


def bar_chart(points: Sequence[tuple[str, Decimal, str]]) -> Chart:
    """Bars for (label, value, value as shown); negative values are drawn as 0 high."""
    if not points:
        return Chart(())
    top = max((max(value, Decimal(0)) for _label, value, _shown in points), default=Decimal(0))
    slot = WIDTH / len(points)
    bars = []
    for n, (label, value, shown) in enumerate(points):
        height = float(max(value, Decimal(0)) / top * (HEIGHT - 12)) if top > 0 else 0.0
        width = min(slot * 0.7, MAX_BAR)
        bars.append(Bar(label, shown, n * slot + (slot - width) / 2, HEIGHT - height, width,
                        height))
    return Chart(tuple(bars))
