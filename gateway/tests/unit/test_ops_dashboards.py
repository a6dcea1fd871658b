"""The ops dashboards' pieces: values as operators read them, line-chart geometry, and a
Prometheus answer read defensively (anything unexpected is «ingen data», never a 500)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from gateway.ops import dashboards
from gateway.ops.linechart import draw, legend_name, value_text
from gateway.ops.prometheus import MAX_BODY, Prometheus, PrometheusUnavailable, Series
from servicekit.promql import Unit, service_panels

pytestmark = pytest.mark.unit


def test_values_read_as_an_operator_reads_them() -> None:
    assert value_text(12.345, Unit.PER_SECOND) == "12,3/s"
    assert value_text(0.5, Unit.PER_SECOND) == "0,50/s"
    assert value_text(0.0125, Unit.RATIO) == "1,25 %"
    assert value_text(0.34, Unit.SECONDS) == "340 ms"
    assert value_text(2.5, Unit.SECONDS) == "2,5 s"
    assert value_text(1234.0, Unit.COUNT) == "1\N{NARROW NO-BREAK SPACE}234"
    assert value_text(None, Unit.COUNT) == "\N{EN DASH}"


def test_a_chart_fits_its_points_inside_the_plot() -> None:
    series = Series({"queue": "cases.events"}, [(1000.0, 0.0), (1030.0, 3.7), (1060.0, 1.0)])
    chart = draw([("a", series)], Unit.COUNT, start=1000.0, end=1060.0, width=600, height=200)
    [line] = chart.lines
    points = [tuple(map(float, p.split(","))) for p in line.points.split()]
    assert points[0][0] == chart.left
    assert points[-1][0] == chart.right
    assert all(10 <= y <= chart.bottom for _, y in points)
    assert min(y for _, y in points) > 10  # 3.7 under the axis top of 5
    assert [t.text for t in chart.y_ticks] == ["0", "2,50", "5"]
    assert line.last == "1"


def test_a_chart_without_points_is_empty_and_legends_fill_labels() -> None:
    chart = draw([("x", Series({}, []))], Unit.SECONDS, start=0.0, end=60.0)
    assert chart.empty
    assert legend_name(Series({"service": "cases"}, []), "{{service}}") == "cases"


def _prometheus(handler: Any) -> Prometheus:
    client = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    return Prometheus(client, "http://prometheus.test", timeout=1)


def _json(body: Any, status: int = 200) -> Any:
    return lambda request: httpx.Response(status, content=json.dumps(body).encode())


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        (lambda r: httpx.Response(200, content=b"<html>not json"), "invalid_response"),
        (_json({"status": "error", "error": "parse error"}, 400), "http_400"),
        (_json({"status": "error"}), "query_failed"),
        (
            _json({"status": "success", "data": {"resultType": "scalar", "result": 1}}),
            "invalid_response",
        ),
        (lambda r: httpx.Response(200, content=b"x" * (MAX_BODY + 1)), "too_large"),
    ],
)
async def test_anything_but_a_good_answer_is_unavailable(answer: Any, reason: str) -> None:
    with pytest.raises(PrometheusUnavailable, match=reason):
        await _prometheus(answer).instant("up")


async def test_no_prometheus_configured_is_unavailable() -> None:
    prom = Prometheus(httpx.AsyncClient(), "", timeout=1)
    with pytest.raises(PrometheusUnavailable, match="not_configured"):
        await prom.instant("up")


async def test_points_that_are_not_numbers_are_left_out() -> None:
    body = {
        "status": "success",
        "data": {
            "resultType": "matrix",
            "result": [
                {
                    "metric": {"queue": "q"},
                    "values": [[1, "1"], [2, "NaN"], [3, "+Inf"], [4, "x"], [5, "2"]],
                }
            ],
        },
    }
    [series] = await _prometheus(_json(body)).range(
        "q",
        start=datetime(2026, 1, 1, tzinfo=UTC),
        end=datetime(2026, 1, 1, 1, tzinfo=UTC),
        step=60,
    )
    assert series.points == [(1.0, 1.0), (5.0, 2.0)]


async def test_only_firing_alerts_with_safe_runbook_links() -> None:
    def alert(name: str, state: str, runbook: str) -> dict[str, Any]:
        return {
            "labels": {"alertname": name, "service": "cases", "severity": "critical"},
            "annotations": {"summary": "s", "runbook_url": runbook},
            "state": state,
            "activeAt": "2026-12-06T22:00:00Z",
        }

    body = {
        "status": "success",
        "data": {
            "alerts": [
                alert("A", "firing", "https://runbook.example/#a"),
                alert("B", "pending", "https://runbook.example/#b"),
                alert("C", "firing", "javascript:alert(1)"),
            ]
        },
    }
    firing = await dashboards.firing(_prometheus(_json(body)), "cases")
    assert [(a.name, a.runbook_url) for a in firing.firing] == [
        ("A", "https://runbook.example/#a"),
        ("C", ""),
    ]
    assert firing.firing[0].active_at == "06.12.2026 23:00"  # Oslo time
    assert (await dashboards.firing(_prometheus(_json(body)), "ledger")).firing == []


async def test_a_panel_without_an_answer_shows_no_data() -> None:
    down = _prometheus(lambda r: httpx.Response(503))
    shown = await dashboards.show_all(down, service_panels("cases"), datetime.now(UTC))
    assert {s.missing for s in shown} == {"http_503"}
    assert all(s.empty for s in shown)


async def test_a_queue_table_marks_dead_letters() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        query = request.url.params["query"]
        value = "2" if "dead_letters" in query else "0"
        result = [{"metric": {"queue": "cases.events"}, "value": [1, value]}]
        body = {"status": "success", "data": {"resultType": "vector", "result": result}}
        return httpx.Response(200, content=json.dumps(body).encode())

    [queues] = [p for p in service_panels("cases") if p.key == "queues"]
    shown = await dashboards.show(_prometheus(answer), queues, datetime.now(UTC))
    [row] = shown.rows
    assert row.key == "cases.events"
    assert row.alarming
    assert row.cells[shown.columns.index("døde meldinger")] == "2"
