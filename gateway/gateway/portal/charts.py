"""Bar charts as inline SVG, laid out on the server (no chart library, no script).

The functions only compute geometry; the template ``portal/_charts.html`` draws it, so
every label is escaped like any other text. Each chart also has its figures as a table
for screen readers and for those who would rather read.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    text: str
    """The value as people read it (``kr 1 234,50``, ``12``)."""
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    bars: list[Bar]
    label_width: int = 0
    baseline: float = 0.0

    @property
    def empty(self) -> bool:
        return not any(bar.value for bar in self.bars)


def horizontal(
    items: list[tuple[str, int, str]],
    *,
    width: int = 440,
    label_width: int = 175,
    bar_height: int = 24,
    gap: int = 10,
    value_room: int = 100,
) -> Chart:
    """One bar per ``(label, value, text)``, longest for the largest value."""
    largest = max((value for _, value, _ in items), default=0) or 1
    room = width - label_width - value_room
    bars = [
        Bar(
            label=label,
            value=value,
            text=text,
            x=label_width,
            y=index * (bar_height + gap),
            width=max(0.0, room * value / largest),
            height=bar_height,
        )
        for index, (label, value, text) in enumerate(items)
    ]
    height = max(1, len(items) * (bar_height + gap) - gap)
    return Chart(width=width, height=height, bars=bars, label_width=label_width)


def columns(
    items: list[tuple[str, int, str]],
    *,
    width: int = 440,
    height: int = 210,
    label_room: int = 24,
    value_room: int = 20,
    gap: int = 12,
) -> Chart:
    """One column per ``(label, value, text)``, left to right (a series over time)."""
    largest = max((value for _, value, _ in items), default=0) or 1
    count = max(1, len(items))
    column = (width - gap * (count + 1)) / count
    plot = height - label_room - value_room
    bars = []
    for index, (label, value, text) in enumerate(items):
        bar_height = plot * value / largest
        bars.append(
            Bar(
                label=label,
                value=value,
                text=text,
                x=gap + index * (column + gap),
                y=value_room + plot - bar_height,
                width=column,
                height=bar_height,
            )
        )
    return Chart(width=width, height=height, bars=bars, baseline=value_room + plot)
