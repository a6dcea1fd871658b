"""The Grafana dashboards: generated from servicekit.promql and up to date, valid in
Grafana's dashboard model (grafana-foundation-sdk), and every query valid PromQL
(Prometheus's own ``promtool``)."""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from grafana_foundation_sdk.cog.encoder import JSONEncoder
from grafana_foundation_sdk.models.dashboard import Dashboard
from servicekit import promql

pytestmark = pytest.mark.unit

HERE = Path(__file__).parent.parent
INSTALL = "sudo apt-get install -y prometheus"


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("grafana_generate", HERE / "generate.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


GENERATED: dict[str, dict[str, Any]] = _generator().dashboards()


def test_the_committed_dashboards_are_what_the_generator_writes() -> None:
    render = _generator().render
    committed = sorted(p.name for p in HERE.glob("*.json"))
    assert committed == sorted(GENERATED), "run deploy/observability/grafana/generate.py"
    for name, model in GENERATED.items():
        assert (HERE / name).read_text(encoding="utf-8") == render(model), (
            f"{name} is stale: run deploy/observability/grafana/generate.py"
        )


@pytest.mark.parametrize("name", sorted(GENERATED))
def test_each_dashboard_is_grafanas_model(name: str) -> None:
    data = json.loads((HERE / name).read_text(encoding="utf-8"))
    parsed = json.loads(json.dumps(Dashboard.from_json(data), cls=JSONEncoder))
    assert parsed == data  # nothing the model does not know, nothing of the wrong shape
    panels = data["panels"]
    assert panels
    assert len({p["id"] for p in panels}) == len(panels)
    for panel in panels:
        assert panel["type"] in {"timeseries", "table"}
        assert panel["fieldConfig"]["defaults"]["unit"] in {u.value for u in promql.Unit}
        grid = panel["gridPos"]
        assert grid["x"] >= 0
        assert grid["x"] + grid["w"] <= 24
        assert panel["targets"]
        for target in panel["targets"]:
            assert target["datasource"] == {"type": "prometheus", "uid": "${datasource}"}
    assert [v["name"] for v in data["templating"]["list"]] == ["datasource"]


def test_every_service_and_the_overview_have_a_dashboard() -> None:
    assert set(GENERATED) == {"overview.json", *(f"{s}.json" for s in promql.SERVICES)}
    cases = {p["title"] for p in GENERATED["cases.json"]["panels"]}
    assert {"Køer nå", "Outbox: alder på eldste hendelse", "Svartid p50/p95/p99"} <= cases


def test_every_query_is_valid_promql(tmp_path: Path) -> None:
    promtool = shutil.which("promtool") or "/usr/bin/promtool"
    if not Path(promtool).exists():
        pytest.fail(f"promtool is not installed; install it with: {INSTALL}")
    panels = [
        *promql.overview_panels(),
        *(p for s in promql.SERVICES for p in promql.service_panels(s)),
    ]
    exprs = sorted({t.expr for p in panels for t in p.targets})
    rules = {
        "groups": [
            {
                "name": "ops-queries",
                "rules": [
                    {"record": f"infocenter:ops_query_{i}", "expr": e} for i, e in enumerate(exprs)
                ],
            }
        ]
    }
    path = tmp_path / "queries.yml"
    path.write_text(json.dumps(rules))  # JSON is YAML
    checked = subprocess.run(
        [promtool, "check", "rules", str(path)], capture_output=True, text=True, check=False
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert f"SUCCESS: {len(exprs)} rules found" in checked.stdout
