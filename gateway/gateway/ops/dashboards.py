"""The ops dashboards: :mod:`servicekit.promql`'s panels, asked of Prometheus and laid out.

Every panel is asked on its own and at once; one that gets no answer shows «ingen data»
while the rest of the page still shows what there is.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from servicekit.promql import Kind, Panel

from gateway.ops.linechart import LineChart, draw, legend_name, value_text
from gateway.ops.prometheus import Alert, Prometheus, PrometheusUnavailable, Series

HOUR = timedelta(hours=1)
STEP_SECONDS = 60


@dataclass(frozen=True)
class Row:
    key: str
    cells: list[str]
    alarming: bool = False
    """A dead letter waiting or a consumer paused: the row is marked."""


@dataclass(frozen=True)
class Shown:
    """One panel as the page shows it: a chart, a table, or «ingen data» (``missing``)."""

    panel: Panel
    chart: LineChart | None = None
    columns: list[str] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    missing: str = ""
    """Why there is nothing to show (a word for the hint), or empty."""

    @property
    def empty(self) -> bool:
        return (
            bool(self.missing)
            or (self.chart is not None and self.chart.empty)
            or (self.chart is None and not self.rows)
        )


@dataclass(frozen=True)
class Alerts:
    firing: list[Alert]
    missing: str = ""


async def _chart(prom: Prometheus, panel: Panel, now: datetime) -> Shown:
    start = now - HOUR
    answers = await asyncio.gather(
        *(prom.range(t.expr, start=start, end=now, step=STEP_SECONDS) for t in panel.targets)
    )
    named = [
        (legend_name(series, target.legend), series)
        for target, found in zip(panel.targets, answers, strict=True)
        for series in found
    ]
    chart = draw(named, panel.unit, start=start.timestamp(), end=now.timestamp())
    return Shown(panel, chart=chart)


def _row_key(series: Series) -> str:
    return series.labels.get("queue") or series.labels.get("service") or ""


async def _table(prom: Prometheus, panel: Panel) -> Shown:
    answers = await asyncio.gather(*(prom.instant(t.expr) for t in panel.targets))
    values: dict[str, dict[int, float]] = {}
    for column, found in enumerate(answers):
        for series in found:
            if series.points:
                values.setdefault(_row_key(series), {})[column] = series.points[0][1]
    rows = []
    for key in sorted(values):
        cells, alarming = [], False
        for column, target in enumerate(panel.targets):
            value = values[key].get(column)
            cells.append(value_text(value, target.unit or panel.unit))
            alarming |= target.alarm and bool(value)
        rows.append(Row(key, cells, alarming))
    return Shown(panel, columns=[t.legend for t in panel.targets], rows=rows)


async def show(prom: Prometheus, panel: Panel, now: datetime) -> Shown:
    try:
        if panel.kind is Kind.TIMESERIES:
            return await _chart(prom, panel, now)
        return await _table(prom, panel)
    except PrometheusUnavailable as exc:
        return Shown(panel, missing=str(exc))


async def show_all(prom: Prometheus, panels: tuple[Panel, ...], now: datetime) -> list[Shown]:
    return list(await asyncio.gather(*(show(prom, p, now) for p in panels)))


async def firing(prom: Prometheus, service: str | None = None) -> Alerts:
    """The firing alerts (of one service, or all)."""
    try:
        alerts = await prom.alerts()
    except PrometheusUnavailable as exc:
        return Alerts([], missing=str(exc))
    return Alerts([a for a in alerts if service is None or a.service == service])
