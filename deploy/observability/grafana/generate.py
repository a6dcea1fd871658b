"""Write the Grafana dashboards (``deploy/observability/grafana/*.json``) from the panels of
:mod:`servicekit.promql`, the same queries the gateway's ``/ops`` pages draw.

Built with ``grafana-foundation-sdk``'s builders, so the output is Grafana's dashboard
model; ``test_dashboards.py`` checks that the committed files are what this writes.

    uv run --no-sync python deploy/observability/grafana/generate.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from grafana_foundation_sdk.builders import dashboard as dash
from grafana_foundation_sdk.builders import prometheus, table, timeseries
from grafana_foundation_sdk.cog.encoder import JSONEncoder
from grafana_foundation_sdk.models.dashboard import (
    DashboardLinkType,
    DataSourceRef,
    DataTransformerConfig,
    GridPos,
)
from grafana_foundation_sdk.models.prometheus import PromQueryFormat
from servicekit.promql import SERVICES, Kind, Panel, overview_panels, service_panels

HERE = Path(__file__).parent
DATASOURCE = DataSourceRef(type_val="prometheus", uid="${datasource}")
WIDTH = 24
HEIGHT = 8


def _layout(panels: tuple[Panel, ...]) -> list[GridPos]:
    """Charts two to a row, tables across the whole width, in the panels' order."""
    places, x, y = [], 0, 0
    for panel in panels:
        width = WIDTH // 2 if panel.kind is Kind.TIMESERIES else WIDTH
        if x + width > WIDTH:
            x, y = 0, y + HEIGHT
        places.append(GridPos(h=HEIGHT, w=width, x=x, y=y))
        x += width
    return places


def _ref(number: int) -> str:
    return chr(ord("A") + number)


def _panel(panel: Panel, index: int, place: GridPos) -> timeseries.Panel | table.Panel:
    builder: timeseries.Panel | table.Panel
    if panel.kind is Kind.TIMESERIES:
        builder = timeseries.Panel().min(0)
    else:
        # one instant query per column, joined on the row's label (queue or service)
        merge = DataTransformerConfig(id_val="merge", options={})
        names = {f"Value #{_ref(n)}": t.legend for n, t in enumerate(panel.targets)}
        organise = DataTransformerConfig(
            id_val="organize",
            options={"excludeByName": {"Time": True}, "renameByName": names},
        )
        builder = table.Panel().with_transformation(merge).with_transformation(organise)
    builder = builder.id(index + 1).title(panel.title).unit(panel.unit.value)
    builder = builder.datasource(DATASOURCE).grid_pos(place)
    if panel.description:
        builder = builder.description(panel.description)
    for number, target in enumerate(panel.targets):
        query = (
            prometheus.Dataquery()
            .expr(target.expr)
            .legend_format(target.legend)
            .ref_id(_ref(number))
            .datasource(DATASOURCE)
        )
        table_query = panel.kind is Kind.TABLE
        query = query.instant().format(PromQueryFormat.TABLE) if table_query else query.range()
        builder = builder.with_target(query)
    return builder


def _dashboard(uid: str, title: str, panels: tuple[Panel, ...]) -> dict[str, object]:
    board = (
        dash.Dashboard(title)
        .uid(uid)
        .tags(["infocenter", "generated"])
        .description("Generated from servicekit.promql by deploy/observability/grafana/generate.py")
        .time("now-1h", "now")
        .refresh("30s")
        .timezone("browser")
        .readonly()
        .with_variable(dash.DatasourceVariable("datasource").label("Prometheus").type("prometheus"))
        .link(
            dash.DashboardLink("InfoCenter").type(DashboardLinkType.DASHBOARDS).tags(["infocenter"])
        )
    )
    for index, (panel, place) in enumerate(zip(panels, _layout(panels), strict=True)):
        board = board.with_panel(_panel(panel, index, place))
    model: dict[str, object] = json.loads(json.dumps(board.build(), cls=JSONEncoder))
    return model


def dashboards() -> dict[str, dict[str, object]]:
    """File name → dashboard model, for the overview and every service."""
    boards = {
        "overview.json": _dashboard(
            "infocenter-overview", "InfoCenter: oversikt", overview_panels()
        )
    }
    for service in SERVICES:
        boards[f"{service}.json"] = _dashboard(
            f"infocenter-{service}", f"InfoCenter: {service}", service_panels(service)
        )
    return boards


def render(model: dict[str, object]) -> str:
    return json.dumps(model, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def main() -> int:
    for name, model in dashboards().items():
        (HERE / name).write_text(render(model), encoding="utf-8")
        print(f"wrote {HERE / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
