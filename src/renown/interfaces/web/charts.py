"""Charts drawn on the server as SVG geometry: no chart library, no CDN, no script.

Each function turns numbers into coordinates (pure: data in, shapes out); the
templates draw them as inline SVG with a title, a description and a data table
beside, so the chart reads without JavaScript and with a screen reader.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True, slots=True)
class Tick:
    position: float
    label: str


@dataclass(frozen=True, slots=True)
class Point:
    x: float
    y: float
    label: str


@dataclass(frozen=True, slots=True)
class LineChart:
    width: int
    height: int
    #: The plot area: left, top, right, bottom (pixels).
    box: tuple[float, float, float, float]
    path: str
    points: list[Point]
    y_ticks: list[Tick]
    x_ticks: list[Tick]


def nice_range(low: float, high: float, floor: float = 0.0, ceiling: float = 100.0,
               min_span: float = 10.0) -> tuple[float, float, float]:
    """(bottom, top, step) around [low, high] on round numbers, within [floor, ceiling].

    The axis spans at least ``min_span`` points, so a wobble of a few tenths
    does not fill the chart and look like a swing.
    """
    if high - low < min_span:
        middle = (low + high) / 2
        low = max(floor, min(middle - min_span / 2, ceiling - min_span))
        high = min(ceiling, low + min_span)
    span = high - low
    raw = span / 4
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    bottom = max(floor, math.floor(low / step) * step)
    top = min(ceiling, math.ceil(high / step) * step)
    if top <= bottom:
        top = min(ceiling, bottom + step)
        bottom = max(floor, top - step)
    return bottom, top, step


def line_chart(series: list[tuple[date, float]], width: int = 640,
               height: int = 240) -> LineChart | None:
    """A score-over-time line (None for an empty series)."""
    if not series:
        return None
    left, top, right, bottom = 44.0, 12.0, width - 12.0, height - 28.0
    scores = [s for _, s in series]
    y0, y1, step = nice_range(min(scores), max(scores))
    first, last = series[0][0], series[-1][0]
    days = max((last - first).days, 1)

    def x_of(day: date) -> float:
        if first == last:
            return (left + right) / 2
        return left + (right - left) * (day - first).days / days

    def y_of(score: float) -> float:
        return bottom - (bottom - top) * (score - y0) / (y1 - y0)

    points = [Point(round(x_of(d), 1), round(y_of(s), 1), f"{d.isoformat()}: {s:.1f}")
              for d, s in series]
    path = "M" + " L".join(f"{p.x},{p.y}" for p in points)
    y_ticks = [Tick(round(y_of(v), 1), f"{v:g}")
               for v in _steps(y0, y1, step)]
    every = max(1, math.ceil(len(series) / 6))
    x_ticks = [Tick(round(x_of(d), 1), d.strftime("%b %d")) for d, _ in series[::every]]
    return LineChart(width, height, (left, top, right, bottom), path, points, y_ticks, x_ticks)


def _steps(low: float, high: float, step: float) -> list[float]:
    count = round((high - low) / step)
    return [round(low + i * step, 6) for i in range(count + 1)]


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    value: float
    #: Bar length as a fraction of the longest (0..1), for an SVG width.
    fraction: float
    text: str


def bars(values: list[tuple[str, float]], fmt: str = "{:.1f}") -> list[Bar]:
    """Horizontal bars scaled to the largest absolute value."""
    largest = max((abs(v) for _, v in values), default=0.0)
    return [Bar(label, value, abs(value) / largest if largest > 0 else 0.0, fmt.format(value))
            for label, value in values]
