"""Line charts of Prometheus series as inline SVG, laid out on the server.

Like :mod:`gateway.portal.charts`, this only computes geometry; ``ops/_charts.html`` draws
it (no script, no style attribute: each line's colour is a class). The chart scales to the
width of the screen (``viewBox``), so it reads on a phone too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from servicekit.promql import Unit

from gateway.ops.prometheus import Series

OSLO = ZoneInfo("Europe/Oslo")
COLOURS = 6
"""Line classes ``line-0`` … ``line-5`` (the stylesheet's palette); more series repeat."""


def number(value: float, decimals: int) -> str:
    """Norwegian number: decimal comma, thin-space thousands."""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\N{NARROW NO-BREAK SPACE}").replace(".", ",")


def value_text(value: float | None, unit: Unit) -> str:
    """A value as an operator reads it: ``12,3/s``, ``1,25 %``, ``340 ms``, ``7``."""
    if value is None:
        return "\N{EN DASH}"
    if unit is Unit.PER_SECOND:
        return f"{number(value, 2 if abs(value) < 10 else 1)}/s"
    if unit is Unit.RATIO:
        return f"{number(value * 100, 2)} %"
    if unit is Unit.SECONDS:
        if abs(value) < 1:
            return f"{number(value * 1000, 0)} ms"
        return f"{number(value, 1)} s"
    return number(value, 0 if float(value).is_integer() else 2)


def clock(at: float) -> str:
    return datetime.fromtimestamp(at, UTC).astimezone(OSLO).strftime("%H:%M")


@dataclass(frozen=True)
class Line:
    name: str
    css_class: str
    points: str
    """The ``points`` attribute of the polyline: ``x,y x,y …``."""
    last: str
    """The latest value, formatted."""
    end_x: float
    end_y: float
    """Where the latest value is drawn (a dot: a series of one point shows too)."""


@dataclass(frozen=True)
class Tick:
    at: float
    text: str


@dataclass(frozen=True)
class LineChart:
    width: int
    height: int
    left: int
    bottom: float
    right: float
    lines: list[Line]
    y_ticks: list[Tick]
    x_ticks: list[Tick]

    @property
    def empty(self) -> bool:
        return not self.lines


def _nice_top(largest: float) -> float:
    """The axis top: 1, 2 or 5 times a power of ten, at least ``largest``."""
    if largest <= 0:
        return 1.0
    power = 10.0 ** (len(str(int(largest))) - 1) if largest >= 1 else 1.0
    while power > largest:
        power /= 10
    for factor in (1, 2, 5, 10):
        if factor * power >= largest:
            return factor * power
    return 10 * power  # pragma: no cover - the loop always returns


def legend_name(series: Series, legend: str) -> str:
    """``{{queue}}`` style legends filled from the series' labels."""
    name = legend
    for key, value in series.labels.items():
        name = name.replace("{{" + key + "}}", value)
    return name


def draw(
    named: list[tuple[str, Series]],
    unit: Unit,
    *,
    start: float,
    end: float,
    width: int = 600,
    height: int = 200,
    left: int = 84,
    right: int = 8,
    top: int = 10,
    bottom: int = 24,
) -> LineChart:
    """Lay out ``(name, series)`` over ``start``…``end`` (unix seconds)."""
    drawn = [(name, s) for name, s in named if s.points]
    largest = max((v for _, s in drawn for _, v in s.points), default=0.0)
    y_top = _nice_top(largest)
    plot_w, plot_h = width - left - right, height - top - bottom
    span = max(end - start, 1.0)

    def x(at: float) -> float:
        return left + plot_w * min(max((at - start) / span, 0.0), 1.0)

    def y(value: float) -> float:
        return top + plot_h * (1 - min(max(value / y_top, 0.0), 1.0))

    lines = [
        Line(
            name=name,
            css_class=f"line-{index % COLOURS}",
            points=" ".join(f"{x(at):.1f},{y(value):.1f}" for at, value in series.points),
            last=value_text(series.points[-1][1], unit),
            end_x=round(x(series.points[-1][0]), 1),
            end_y=round(y(series.points[-1][1]), 1),
        )
        for index, (name, series) in enumerate(drawn)
    ]
    y_ticks = [Tick(y(y_top * f), value_text(y_top * f, unit)) for f in (0.0, 0.5, 1.0)]
    x_ticks = [Tick(x(start + span * f), clock(start + span * f)) for f in (0.0, 0.5, 1.0)]
    return LineChart(
        width=width,
        height=height,
        left=left,
        bottom=top + plot_h,
        right=width - right,
        lines=lines,
        y_ticks=y_ticks,
        x_ticks=x_ticks,
    )
