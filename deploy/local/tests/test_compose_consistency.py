"""Compose, Kubernetes and the local runner describe the same processes.

The process table (devstack.stack.process_table) is the reference: every process it runs
locally must appear in deploy/compose/compose.yml and deploy/k8s/ with the same command,
the same port and the same settings (by environment prefix), and nothing else may.
No Docker engine is needed: the files are parsed, not run.
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import yaml
from devstack.localenv import Secrets, db_password_key
from devstack.stack import GATEWAY, SERVICES, ProcessSpec, StackConfig, process_table
from servicekit.bus.topology import Topology

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[3]
COMPOSE = ROOT / "deploy" / "compose"
K8S = ROOT / "deploy" / "k8s"
INFRA = {"postgres", "rabbitmq"}
RUNNER_ONLY = {"PYTHONUNBUFFERED", "INFOCENTER_STACK"}


def table() -> list[ProcessSpec]:
    config = replace(StackConfig(env_file=None), otlp_endpoint="http://otel:4318/v1/traces")
    return process_table(config, Secrets.generate(SERVICES))


def deployable() -> list[ProcessSpec]:
    """What production runs: everything but the local simulators of external systems."""
    return [p for p in table() if p.kind != "simulator"]


def in_container(command: tuple[str, ...]) -> list[str]:
    """Containers listen on every interface; everything else is the same."""
    return ["0.0.0.0" if part == "127.0.0.1" else part for part in command]


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((COMPOSE / "compose.yml").read_text())
    return data["services"]  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def k8s() -> dict[tuple[str, str], dict[str, Any]]:
    objects: dict[tuple[str, str], dict[str, Any]] = {}
    for path in sorted((K8S / "base").rglob("*.yaml")):
        if path.name == "kustomization.yaml":
            continue
        for doc in yaml.safe_load_all(path.read_text()):
            if doc and "metadata" in doc:
                objects[(doc["kind"], doc["metadata"]["name"])] = doc
    return objects


def test_compose_runs_exactly_the_processes_of_the_table_plus_migrations_and_infra(
    compose: dict[str, Any],
) -> None:
    expected = {p.name for p in table()} | {f"{s}-migrate" for s in SERVICES} | INFRA
    assert set(compose) == expected


@pytest.mark.parametrize("spec", table(), ids=lambda p: p.name)
def test_compose_command_port_and_settings_match_the_table(
    spec: ProcessSpec, compose: dict[str, Any]
) -> None:
    service = compose[spec.name]
    assert service["command"] == in_container(spec.command)
    env = {k: str(v) for k, v in service["environment"].items()}
    assert set(env) == set(spec.env) - RUNNER_ONLY
    prefix = f"{spec.service.upper()}_"
    assert all(key.startswith(prefix) for key in env)
    if spec.service in SERVICES:
        assert env[f"{prefix}HTTP_PORT"] == str(spec.env[f"{prefix}HTTP_PORT"])
        assert f"@postgres:5432/infocenter_{spec.service}" in env[f"{prefix}DATABASE_URL"]
        assert env[f"{prefix}BUS_NAMESPACE"] == ""
        assert service["depends_on"][f"{spec.service}-migrate"] == {
            "condition": "service_completed_successfully"
        }
        assert service["depends_on"]["rabbitmq"] == {"condition": "service_healthy"}
    if spec.port is not None:
        assert f"http://127.0.0.1:{spec.port}/health" in " ".join(service["healthcheck"]["test"])


def test_the_gateway_finds_each_service_at_its_table_port(compose: dict[str, Any]) -> None:
    gateway = compose[GATEWAY]
    ports = {p.service: p.port for p in table() if p.kind == "api"}
    for service in SERVICES:
        url = gateway["environment"][f"GATEWAY_{service.upper()}_URL"]
        assert url == f"http://{service}-api:{ports[service]}"
        assert gateway["depends_on"][f"{service}-api"] == {"condition": "service_healthy"}
    assert gateway["ports"] == [f"127.0.0.1:{ports[GATEWAY]}:{ports[GATEWAY]}"]


@pytest.mark.parametrize("service", SERVICES)
def test_each_service_is_migrated_with_its_own_alembic_ini(
    service: str, compose: dict[str, Any]
) -> None:
    migrate = compose[f"{service}-migrate"]
    assert migrate["working_dir"] == f"/app/services/{service}"
    assert migrate["command"] == ["python", "-m", "alembic", "-c", "alembic.ini", "upgrade", "head"]
    assert migrate["restart"] == "no"
    assert migrate["depends_on"]["postgres"] == {"condition": "service_healthy"}
    assert (ROOT / "services" / service / "alembic.ini").exists()


def test_postgres_creates_one_database_and_role_per_service_with_the_runner_secrets(
    compose: dict[str, Any],
) -> None:
    env = compose["postgres"]["environment"]
    for service in SERVICES:
        assert db_password_key(service) in env
    script = (COMPOSE / "postgres" / "init-databases.sh").read_text()
    assert re.search(r"for service in " + " ".join(SERVICES) + r"; do", script)
    assert "REVOKE ALL ON DATABASE" in script
    mounted = " ".join(compose["postgres"]["volumes"])
    assert "./postgres/init-databases.sh:/docker-entrypoint-initdb.d/" in mounted


def test_rabbitmq_definitions_declare_the_exchanges_the_services_use(
    compose: dict[str, Any],
) -> None:
    definitions = json.loads((ROOT / "deploy" / "rabbitmq" / "definitions.json").read_text())
    exchanges = {e["name"]: e["type"] for e in definitions["exchanges"]}
    topology = Topology()
    assert exchanges == {topology.exchange: "topic", topology.dead_letter_exchange: "direct"}
    users = {u["name"] for u in definitions["users"]}
    for spec in table():
        if spec.service in SERVICES:
            url = compose[spec.name]["environment"][f"{spec.service.upper()}_AMQP_URL"]
            assert url.split("//", 1)[1].split(":", 1)[0] in users
    mounted = " ".join(compose["rabbitmq"]["volumes"])
    assert "../rabbitmq/definitions.json:/etc/rabbitmq/definitions.json" in mounted


def test_the_image_installs_every_workspace_member() -> None:
    dockerfile = (COMPOSE / "Dockerfile").read_text()
    workspace = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["uv"]["workspace"]
    copied = re.findall(r"^COPY (?!--)(\S+) \1$", dockerfile, flags=re.MULTILINE)
    for pattern in workspace["members"]:
        for member in ROOT.glob(pattern):
            if (member / "pyproject.toml").exists():
                relative = member.relative_to(ROOT).as_posix()
                assert any(relative == c or relative.startswith(c + "/") for c in copied), (
                    f"{relative} is not copied into the image"
                )
    # two-step sync: dependencies from the manifests first, then the code
    first = dockerfile.index("uv sync --frozen --no-dev --all-packages --no-install-workspace")
    assert dockerfile.index("COPY --from=manifests") < first < dockerfile.index("COPY libs libs")
    assert "-name pyproject.toml" in dockerfile


@pytest.mark.parametrize("spec", deployable(), ids=lambda p: p.name)
def test_kubernetes_runs_each_process_as_a_deployment_with_the_same_command(
    spec: ProcessSpec, k8s: dict[tuple[str, str], dict[str, Any]]
) -> None:
    deployment = k8s[("Deployment", spec.name)]
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    assert container["command"] == in_container(spec.command)
    if spec.port is not None:
        assert container["ports"][0]["containerPort"] == spec.port
    if spec.service in SERVICES:
        config = k8s[("ConfigMap", f"{spec.service}-config")]["data"]
        api_port = next(p.port for p in table() if p.name == f"{spec.service}-api")
        assert config[f"{spec.service.upper()}_HTTP_PORT"] == str(api_port)
        refs = {next(iter(ref.values()))["name"] for ref in container["envFrom"]}
        assert refs == {f"{spec.service}-config", f"{spec.service}-secrets"}


def test_kubernetes_has_a_migrate_job_and_an_api_service_per_service(
    k8s: dict[tuple[str, str], dict[str, Any]],
) -> None:
    ports = {p.service: p.port for p in table() if p.kind == "api"}
    for service in SERVICES:
        job = k8s[("Job", f"{service}-migrate")]
        (container,) = job["spec"]["template"]["spec"]["containers"]
        assert container["workingDir"] == f"/app/services/{service}"
        assert k8s[("Service", f"{service}-api")]["spec"]["ports"][0]["port"] == ports[service]
    deployments = {name for kind, name in k8s if kind == "Deployment"}
    assert deployments == {p.name for p in deployable()}


def test_auth_sends_mail_to_the_mail_sink_on_its_table_port(compose: dict[str, Any]) -> None:
    sink = next(p for p in table() if p.kind == "simulator")
    (smtp,) = sink.extra_ports
    env = compose["auth-api"]["environment"]
    assert env["AUTH_SMTP_HOST"] == sink.name
    assert env["AUTH_SMTP_PORT"] == str(smtp)
    assert compose[sink.name]["command"] == in_container(sink.command)


# -- nothing but the gateway is reachable from outside ------------------------------------

EDGE_TOOLS = {"rabbitmq", "mail-sink"}
"""Development tools the host may reach too (the broker's management UI, the mail sink)."""


def test_compose_publishes_only_the_gateway_and_the_dev_tools_on_loopback(
    compose: dict[str, Any],
) -> None:
    published = {name for name, service in compose.items() if service.get("ports")}
    assert published == {GATEWAY} | EDGE_TOOLS
    for name in published:
        for port in compose[name]["ports"]:
            assert str(port).startswith("127.0.0.1:"), (name, port)


def test_compose_keeps_services_databases_and_broker_on_an_internal_network() -> None:
    data = yaml.safe_load((COMPOSE / "compose.yml").read_text())
    networks, services = data["networks"], data["services"]
    assert networks["backend"] == {"internal": True}
    for name, service in services.items():
        attached = set(service.get("networks") or ["default"])
        if name in {GATEWAY} | EDGE_TOOLS:
            assert attached == {"backend", "edge"}, name
        else:
            assert attached == {"backend"}, name  # no route out, nothing published


def test_compose_gives_the_identity_service_every_callers_internal_secret(
    compose: dict[str, Any],
) -> None:
    callers = compose["auth-api"]["environment"]["AUTH_INTERNAL_CALLERS"].split(",")
    names = [c.split(":", 1)[0] for c in callers]
    assert names == [GATEWAY, *SERVICES]
    for caller in callers:
        name, secret = caller.split(":", 1)
        assert secret.startswith("${" + f"{name.upper()}_INTERNAL_SECRET:?"), caller
    for spec in table():
        if spec.kind == "api":
            prefix = f"{spec.service.upper()}_"
            env = compose[spec.name]["environment"]
            assert env[f"{prefix}INTERNAL_SECRET"].startswith("${" + f"{prefix}INTERNAL_SECRET:?")
            assert env[f"{prefix}METRICS_TOKEN"].startswith("${" + f"{prefix}METRICS_TOKEN:?")


def _admitted(policy: dict[str, Any]) -> list[dict[str, Any]]:
    return [peer for rule in policy["spec"].get("ingress", []) for peer in rule.get("from", [])]


def _selects(selector: dict[str, Any], labels: dict[str, str]) -> bool:
    if any(labels.get(k) != v for k, v in selector.get("matchLabels", {}).items()):
        return False
    for expression in selector.get("matchExpressions", []):
        assert expression["operator"] == "In"
        if labels.get(expression["key"]) not in expression["values"]:
            return False
    return True


def test_kubernetes_denies_all_ingress_except_what_a_policy_admits(
    k8s: dict[tuple[str, str], dict[str, Any]],
) -> None:
    deny = k8s[("NetworkPolicy", "default-deny")]["spec"]
    assert deny == {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}
    policies = [
        doc
        for (kind, _), doc in k8s.items()
        if kind == "NetworkPolicy" and "Ingress" in doc["spec"]["policyTypes"]
    ]
    for (kind, name), doc in k8s.items():
        if kind != "Deployment":
            continue
        labels = doc["spec"]["template"]["metadata"]["labels"]
        selecting = [
            p
            for p in policies
            if p["spec"]["podSelector"] and _selects(p["spec"]["podSelector"], labels)
        ]
        if labels.get("app.kubernetes.io/component") != "api":
            assert selecting == [], name  # relays, consumers, workers: nothing comes in
            continue
        (policy,) = selecting
        peers = _admitted(policy)
        outside = [p for p in peers if "namespaceSelector" in p]
        namespaces = {
            p["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"] for p in outside
        }
        pods = [p["podSelector"] for p in peers if "podSelector" in p]
        if name == GATEWAY:
            assert namespaces == {"ingress-nginx", "monitoring"}
            assert pods == []
            continue
        assert namespaces == {"monitoring"}, name  # Prometheus scrapes /metrics (with a token)
        gateway = {"app.kubernetes.io/name": "gateway", "app.kubernetes.io/component": "api"}
        cases = k8s[("Deployment", "cases-relay")]["spec"]["template"]["metadata"]["labels"]
        assert any(_selects(p, gateway) for p in pods), name
        # only the identity service takes calls from the other services (session checks)
        assert any(_selects(p, cases) for p in pods) == (name == "auth-api"), name
        port = next(p.port for p in table() if p.name == name)
        assert [r["ports"] for r in policy["spec"]["ingress"]] == [
            [{"protocol": "TCP", "port": port}]
        ]


def test_kubernetes_gateway_trusts_only_its_ingress_and_requires_its_secrets(
    k8s: dict[tuple[str, str], dict[str, Any]],
) -> None:
    config = k8s[("ConfigMap", "gateway-config")]["data"]
    assert config["GATEWAY_ENVIRONMENT"] == "production"
    assert config["GATEWAY_PUBLIC_ORIGIN"].startswith("https://")
    assert config["GATEWAY_FORWARDED_ALLOW_IPS"]
    deployment = k8s[("Deployment", GATEWAY)]
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    refs = {next(iter(ref.values()))["name"] for ref in container["envFrom"]}
    assert refs == {"gateway-config", "gateway-secrets"}
    kustomization = yaml.safe_load((K8S / "base/platform/kustomization.yaml").read_text())
    assert "network-policies.yaml" in kustomization["resources"]
