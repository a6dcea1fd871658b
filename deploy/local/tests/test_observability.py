"""Prometheus's config, recording and alert rules, checked by promtool (``make test``).

promtool ships with Debian's ``prometheus`` (``deploy/local/install.sh --observability``);
without it these tests fail and say how to install it, never skip.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from devstack.stack import (
    POSTGRES_EXPORTER,
    PROMETHEUS,
    Stack,
    StackConfig,
    process_table,
    scrape_targets,
)

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[3]
OBSERVABILITY = ROOT / "deploy" / "observability"
RULES = sorted((OBSERVABILITY / "rules").glob("*.yml"))
ALERT_TESTS = OBSERVABILITY / "tests" / "alerts_test.yml"
RUNBOOK = ROOT / "docs" / "runbook.md"
INSTALL = "deploy/local/install.sh --observability   (apt-get install prometheus)"


def promtool(*args: str | Path) -> subprocess.CompletedProcess[str]:
    binary = shutil.which("promtool")
    if binary is None:
        pytest.fail(f"promtool is not installed; install it with: {INSTALL}")
    return subprocess.run(
        [binary, *map(str, args)], capture_output=True, text=True, timeout=120, check=False
    )


def alerts() -> list[dict[str, Any]]:
    rules = []
    for path in RULES:
        for group in yaml.safe_load(path.read_text())["groups"]:
            rules += [r for r in group["rules"] if "alert" in r]
    return rules


def alert_tests() -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = []
    for test in yaml.safe_load(ALERT_TESTS.read_text())["tests"]:
        cases += test.get("alert_rule_test", [])
    return cases


def test_the_rendered_prometheus_config_passes_promtool_check_config(tmp_path: Path) -> None:
    stack = Stack(StackConfig.for_tests("promtool", log_dir=tmp_path / "log"))
    config = stack.write_prometheus_config()
    result = promtool("check", "config", config)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout + result.stderr


def test_the_rule_files_pass_promtool_check_rules() -> None:
    assert RULES, "no rule files under deploy/observability/rules"
    result = promtool("check", "rules", *RULES)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_alert_passes_its_promtool_unit_tests() -> None:
    result = promtool("test", "rules", ALERT_TESTS)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("alert", alerts(), ids=lambda a: str(a["alert"]))
def test_every_alert_is_tested_firing_and_not_firing(alert: dict[str, Any]) -> None:
    cases = [c for c in alert_tests() if c["alertname"] == alert["alert"]]
    assert any(c["exp_alerts"] for c in cases), f"{alert['alert']}: no test where it fires"
    assert any(not c["exp_alerts"] for c in cases), f"{alert['alert']}: no test where it does not"


@pytest.mark.parametrize("alert", alerts(), ids=lambda a: str(a["alert"]))
def test_every_alert_links_its_runbook_section(alert: dict[str, Any]) -> None:
    url = alert["annotations"]["runbook_url"]
    page, _, anchor = url.partition("#")
    assert page == "docs/runbook.md"
    headings = re.findall(r"^#+ (.+)$", RUNBOOK.read_text(), flags=re.MULTILINE)
    anchors = {re.sub(r"[^a-z0-9 -]", "", h.lower()).strip().replace(" ", "-") for h in headings}
    assert anchor in anchors, f"docs/runbook.md has no section #{anchor}"
    assert alert["labels"]["severity"] in {"page", "ticket"}


def test_prometheus_scrapes_every_api_relay_consumer_and_worker_and_the_gateway() -> None:
    config = StackConfig(env_file=None)
    stack = Stack(config)
    table = process_table(config, stack.secrets)
    targets = {t.process: t for t in scrape_targets(table)}
    expected = {p.name for p in table if p.kind != "simulator"}
    assert set(targets) == expected
    addresses = [t.address for t in targets.values()]
    assert len(addresses) == len(set(addresses)), "two processes share a metrics port"
    assert targets["cases-relay"].address == f"127.0.0.1:{config.port('cases-relay')}"
    assert targets["gateway"].address == f"127.0.0.1:{config.port('gateway')}"
    monitors = {p.name for p in stack.all_processes() if p.kind == "monitor"}
    assert monitors == {PROMETHEUS, POSTGRES_EXPORTER}


def test_each_background_process_is_told_its_metrics_port() -> None:
    config = StackConfig(env_file=None)
    table = process_table(config, Stack(config).secrets)
    for spec in table:
        if spec.kind in {"relay", "consumer", "worker"}:
            key = f"{spec.service.upper()}_METRICS_PORT"
            assert spec.metrics_port is not None
            assert spec.env[key] == str(spec.metrics_port)
            assert spec.metrics_port in spec.ports
