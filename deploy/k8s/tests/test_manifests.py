"""Every overlay of deploy/k8s renders, validates and keeps the platform's rules.

- Rendered with ``kustomize_subset`` (always) and with ``kubectl kustomize`` or
  ``kustomize build`` wherever one is installed: both must give the same objects.
- Every object validates, strictly (unknown fields refused): the built-in kinds against the
  Kubernetes JSON schemas of ``kubernetes-validate``, the operators' kinds against the CRD
  schemas vendored in ``deploy/k8s/schemas`` (SOURCES.md there).
- Policies: resources, probes and a locked-down securityContext on every container; a PDB
  for every Deployment; an HPA for each API and the gateway, a KEDA ScaledObject on the real
  queues for each consumer; default-deny NetworkPolicies with the gateway the only way in
  and each service reaching only its own database; a CloudNativePG cluster with backups and
  a replica per service; three RabbitMQ nodes; migrations as pre-sync Jobs; no ``latest``
  tag; no Secret and no secret value anywhere.
"""

from __future__ import annotations

import ast
import json
import re
import shutil
import subprocess
import warnings
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import prometheus_rules
import pytest
import yaml
from kustomize_subset import build

pytestmark = pytest.mark.unit

K8S = Path(__file__).resolve().parents[1]
ROOT = K8S.parents[1]
OVERLAYS = sorted(p.name for p in (K8S / "overlays").iterdir() if p.is_dir())
SERVICES = sorted(p.name for p in (ROOT / "services").iterdir() if (p / "pyproject.toml").exists())
KUBERNETES_VERSION = "1.30.0"
"""The oldest Kubernetes the manifests are meant for (autoscaling/v2, policy/v1, PSA)."""
CRD_SCHEMAS = {
    ("keda.sh/v1alpha1", "ScaledObject"): "keda.sh/scaledobject_v1alpha1.json",
    ("keda.sh/v1alpha1", "TriggerAuthentication"): "keda.sh/triggerauthentication_v1alpha1.json",
    ("postgresql.cnpg.io/v1", "Cluster"): "postgresql.cnpg.io/cluster_v1.json",
    ("postgresql.cnpg.io/v1", "ScheduledBackup"): "postgresql.cnpg.io/scheduledbackup_v1.json",
    ("rabbitmq.com/v1beta1", "RabbitmqCluster"): "rabbitmq.com/rabbitmqcluster_v1beta1.json",
    ("monitoring.coreos.com/v1", "ServiceMonitor"): "monitoring.coreos.com/servicemonitor_v1.json",
    ("monitoring.coreos.com/v1", "PrometheusRule"): "monitoring.coreos.com/prometheusrule_v1.json",
    ("monitoring.coreos.com/v1", "PodMonitor"): "monitoring.coreos.com/podmonitor_v1.json",
}
WORKLOADS = ("Deployment", "Job")
OUTSIDE_NAMESPACES = {"monitoring", "keda", "cnpg-system"}
"""Namespaces whose pods may reach InfoCenter pods besides the ingress controller's:
Prometheus (metrics), KEDA (queue depth at RabbitMQ), the CloudNativePG operator."""
SECRET_NAME = re.compile(r"(SECRET|PASSWORD|TOKEN|_KEYS?$|CALLERS|CLIENT_ID)")
CREDENTIALS_IN_URL = re.compile(r"://[^/\s:@]+:(?!<)[^/\s@]+@")
"""user:password@ in a URL, unless the password is a <placeholder>."""

Obj = dict[str, Any]


@cache
def rendered(overlay: str) -> tuple[Obj, ...]:
    return tuple(build(K8S / "overlays" / overlay))


def objects(overlay: str, kind: str | None = None) -> Iterator[Obj]:
    for obj in rendered(overlay):
        if kind is None or obj["kind"] == kind:
            yield obj


def named(overlay: str, kind: str, name: str) -> Obj:
    matches = [o for o in objects(overlay, kind) if o["metadata"]["name"] == name]
    assert len(matches) == 1, f"{kind} {name}: {len(matches)} found"
    return matches[0]


def key(obj: Obj) -> tuple[str, str, str]:
    return (obj["kind"], obj["metadata"].get("namespace", ""), obj["metadata"]["name"])


def pod_spec(obj: Obj) -> Obj:
    spec: Obj = obj["spec"]["template"]["spec"]
    return spec


def pod_labels(obj: Obj) -> dict[str, str]:
    labels: dict[str, str] = obj["spec"]["template"]["metadata"]["labels"]
    return labels


def selects(selector: Obj, labels: dict[str, str]) -> bool:
    """Whether a label selector (matchLabels only; the manifests use no other) matches."""
    assert set(selector) <= {"matchLabels"}, selector
    return all(labels.get(k) == v for k, v in selector.get("matchLabels", {}).items())


def kustomize_tool() -> list[str] | None:
    if shutil.which("kustomize"):
        return ["kustomize", "build"]
    if shutil.which("kubectl"):
        return ["kubectl", "kustomize"]
    return None


# -- rendering ---------------------------------------------------------------------------


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_overlay_renders_and_a_real_kustomize_agrees(overlay: str) -> None:
    mine = {key(o): o for o in rendered(overlay)}
    assert len(mine) == len(rendered(overlay)), "two objects of one kind and name"
    assert all(
        o["metadata"].get("namespace") == "infocenter"
        for o in mine.values()
        if o["kind"] != "Namespace"
    )
    tool = kustomize_tool()
    if tool is None:
        warnings.warn(
            "no kustomize or kubectl on PATH: rendered with the subset only", stacklevel=1
        )
        return
    out = subprocess.run(
        [*tool, str(K8S / "overlays" / overlay)], capture_output=True, text=True, check=True
    ).stdout
    theirs = {key(o): o for o in yaml.safe_load_all(out) if o}
    assert set(theirs) == set(mine)
    for k, obj in mine.items():
        assert theirs[k] == obj, k


def test_the_subset_refuses_what_it_does_not_know(tmp_path: Path) -> None:
    (tmp_path / "kustomization.yaml").write_text("resources: []\ncommonLabels: {a: b}\n")
    with pytest.raises(ValueError, match="commonLabels"):
        build(tmp_path)


# -- schemas -----------------------------------------------------------------------------


@cache
def crd_validator(api_version: str, kind: str) -> jsonschema.protocols.Validator:
    schema = json.loads((K8S / "schemas" / CRD_SCHEMAS[(api_version, kind)]).read_text())
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema)  # type: ignore[no-any-return]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_object_validates_against_its_schema(overlay: str) -> None:
    failures: list[str] = []
    for obj in objects(overlay):
        where = f"{obj['kind']}/{obj['metadata']['name']}"
        if (obj["apiVersion"], obj["kind"]) in CRD_SCHEMAS:
            validator = crd_validator(obj["apiVersion"], obj["kind"])
            failures += [f"{where}: {e.json_path}: {e.message}" for e in validator.iter_errors(obj)]
            continue
        try:
            kubernetes_validate.validate(obj, KUBERNETES_VERSION, strict=True)
        except kubernetes_validate.ValidationError as e:
            failures.append(f"{where}: {'.'.join(map(str, e.path))}: {e.message}")
    assert failures == []


def test_the_validators_refuse_a_broken_object() -> None:
    deployment = json.loads(json.dumps(named("production", "Deployment", "cases-api")))
    deployment["spec"]["template"]["spec"]["containers"][0]["resource"] = {}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, KUBERNETES_VERSION, strict=True)
    scaled = json.loads(json.dumps(named("production", "ScaledObject", "cases-consumer")))
    scaled["spec"]["minReplicas"] = 1
    assert list(crd_validator("keda.sh/v1alpha1", "ScaledObject").iter_errors(scaled))


def test_every_vendored_schema_is_used_and_its_source_noted() -> None:
    vendored = {str(p.relative_to(K8S / "schemas")) for p in (K8S / "schemas").rglob("*.json")}
    assert vendored == set(CRD_SCHEMAS.values())
    sources = (K8S / "schemas" / "SOURCES.md").read_text()
    assert all(name in sources for name in vendored)


# -- containers --------------------------------------------------------------------------


def containers(overlay: str) -> Iterator[tuple[Obj, Obj]]:
    for obj in objects(overlay):
        if obj["kind"] in WORKLOADS:
            spec = pod_spec(obj)
            for container in [*spec.get("initContainers", []), *spec["containers"]]:
                yield obj, container


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_container_has_requests_and_a_memory_limit(overlay: str) -> None:
    for obj, c in containers(overlay):
        resources = c.get("resources", {})
        assert {"cpu", "memory"} <= set(resources.get("requests", {})), obj["metadata"]["name"]
        assert "memory" in resources.get("limits", {}), obj["metadata"]["name"]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_container_is_locked_down(overlay: str) -> None:
    for obj, c in containers(overlay):
        pod = pod_spec(obj)
        sc, psc = c.get("securityContext", {}), pod.get("securityContext", {})
        name = obj["metadata"]["name"]
        assert sc.get("allowPrivilegeEscalation") is False, name
        assert sc.get("readOnlyRootFilesystem") is True, name
        assert sc.get("capabilities", {}).get("drop") == ["ALL"], name
        assert not sc.get("capabilities", {}).get("add"), name
        assert sc.get("runAsNonRoot", psc.get("runAsNonRoot")) is True, name
        assert sc.get("privileged") in (None, False), name
        seccomp = sc.get("seccompProfile", psc.get("seccompProfile", {}))
        assert seccomp.get("type") == "RuntimeDefault", name
        assert pod.get("automountServiceAccountToken") is False, name
        tmp = {m["name"] for m in c.get("volumeMounts", []) if m["mountPath"] == "/tmp"}
        assert tmp, f"{name}: no writable /tmp"
        volumes = {v["name"]: v for v in pod.get("volumes", [])}
        assert all("emptyDir" in volumes[v] for v in tmp), name


QUANTITY = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30}


def quantity(value: str) -> int:
    match = re.fullmatch(r"(\d+)([KMG]i)", value)
    assert match, value
    return int(match[1]) * QUANTITY[match[2]]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_importer_has_scratch_room_for_the_largest_upload(overlay: str) -> None:
    from cases.settings import CasesSettings

    largest = CasesSettings.model_fields["import_max_upload_bytes"].default
    importer = named(overlay, "Deployment", "cases-importer")
    (tmp,) = [v for v in pod_spec(importer)["volumes"] if v["name"] == "tmp"]
    room = quantity(tmp["emptyDir"]["sizeLimit"])
    assert room >= 2 * largest
    (c,) = pod_spec(importer)["containers"]
    assert quantity(c["resources"]["requests"]["ephemeral-storage"]) == room


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_long_running_container_has_the_three_probes(overlay: str) -> None:
    for obj in objects(overlay, "Deployment"):
        (c,) = pod_spec(obj)["containers"]
        name = obj["metadata"]["name"]
        probes = ("startupProbe", "livenessProbe", "readinessProbe")
        assert set(probes) <= set(c), name
        # the default timeout (1 s) is shorter than a Python start on a busy node
        assert all(c[p].get("timeoutSeconds", 1) >= 3 for p in probes), name
        if "ports" in c:  # an HTTP process: the real health paths
            assert c["livenessProbe"]["httpGet"]["path"] == "/health/live", name
            assert c["startupProbe"]["httpGet"]["path"] == "/health/live", name
            ready = "/health/live" if name == "gateway" else "/health/ready"
            assert c["readinessProbe"]["httpGet"]["path"] == ready, name
        else:  # a worker: its heartbeat, which run_worker writes when told where
            command = c["livenessProbe"]["exec"]["command"]
            assert command[:3] == ["python", "-m", "servicekit.heartbeat"], name
            env = {e["name"]: e.get("value") for e in c.get("env", [])}
            prefix = name.split("-")[0].upper()
            assert env[f"{prefix}_HEARTBEAT_FILE"] == command[3], name


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_image_is_pinned(overlay: str) -> None:
    images = [c["image"] for _, c in containers(overlay)]
    images += [o["spec"]["imageName"] for o in objects(overlay, "Cluster")]
    images += [o["spec"]["image"] for o in objects(overlay, "RabbitmqCluster")]
    for image in images:
        name, _, tag = image.rpartition(":")
        assert "@sha256:" in image or (name and tag and tag != "latest" and "/" not in tag), image


# -- availability and scaling ------------------------------------------------------------


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_deployment_has_a_disruption_budget(overlay: str) -> None:
    budgets = list(objects(overlay, "PodDisruptionBudget"))
    for obj in objects(overlay, "Deployment"):
        covering = [b for b in budgets if selects(b["spec"]["selector"], pod_labels(obj))]
        assert len(covering) == 1, obj["metadata"]["name"]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_apis_autoscale_on_cpu_and_consumers_on_their_queues(overlay: str) -> None:
    hpas = {
        h["spec"]["scaleTargetRef"]["name"]: h for h in objects(overlay, "HorizontalPodAutoscaler")
    }
    scaled = {s["spec"]["scaleTargetRef"]["name"]: s for s in objects(overlay, "ScaledObject")}
    owners = {"api": (hpas, scaled), "consumer": (scaled, hpas)}
    for obj in objects(overlay, "Deployment"):
        name, component = obj["metadata"]["name"], pod_labels(obj)["app.kubernetes.io/component"]
        if component in owners:
            owner, other = owners[component]
            assert name in owner, name
            assert name not in other, name
            assert "replicas" not in obj["spec"], f"{name}: its autoscaler owns the replica count"
        else:  # relays and workers: a fixed count (they share work through SKIP LOCKED)
            assert name not in hpas, name
            assert name not in scaled, name
    assert set(hpas) == {f"{s}-api" for s in SERVICES} | {"gateway"}
    assert set(scaled) == {f"{s}-consumer" for s in SERVICES}


def queues_in_code() -> dict[str, set[str]]:
    """Each service's consumer queues, read from its bootstrap (QueueSpec and replay_queue)."""
    found: dict[str, set[str]] = {}
    for service in SERVICES:
        tree = ast.parse((ROOT / "services" / service / service / "bootstrap.py").read_text())
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
                continue
            if node.func.id == "QueueSpec":
                (name,) = [k.value for k in node.keywords if k.arg == "name"]
                assert isinstance(name, ast.Constant)
                found.setdefault(service, set()).add(name.value)
            elif node.func.id == "replay_queue":
                consumer = node.args[0]
                assert isinstance(consumer, ast.Constant)
                found.setdefault(service, set()).add(f"{consumer.value}.replay")
    return found


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_keda_watches_the_queues_the_consumers_read(overlay: str) -> None:
    expected = queues_in_code()
    assert expected["reports"] == {"reports.events", "reports.replay"}
    for service in SERVICES:
        scaled = named(overlay, "ScaledObject", f"{service}-consumer")
        triggers = scaled["spec"]["triggers"]
        assert {t["type"] for t in triggers} == {"rabbitmq"}
        assert {t["metadata"]["queueName"] for t in triggers} == expected[service]
        auth = named(
            overlay, "TriggerAuthentication", t_ref := triggers[0]["authenticationRef"]["name"]
        )
        (ref,) = auth["spec"]["secretTargetRef"]
        assert (ref["name"], ref["key"]) == (f"{service}-secrets", f"{service.upper()}_AMQP_URL"), (
            t_ref
        )
        assert scaled["spec"]["minReplicaCount"] >= 1, "never scaled to zero"


# -- network -----------------------------------------------------------------------------


def policies_for(overlay: str, labels: dict[str, str], kind: str) -> list[Obj]:
    return [
        p
        for p in objects(overlay, "NetworkPolicy")
        if kind in p["spec"]["policyTypes"] and selects(p["spec"]["podSelector"], labels)
    ]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_everything_is_denied_unless_admitted(overlay: str) -> None:
    deny = named(overlay, "NetworkPolicy", "default-deny")["spec"]
    assert deny == {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_only_the_gateway_is_reachable_from_outside(overlay: str) -> None:
    for policy in objects(overlay, "NetworkPolicy"):
        for rule in policy["spec"].get("ingress", []):
            for peer in rule.get("from", []):
                assert "ipBlock" not in peer, policy["metadata"]["name"]
                ns = peer.get("namespaceSelector", {}).get("matchLabels", {})
                outside = ns.get("kubernetes.io/metadata.name")
                if outside is not None and outside not in OUTSIDE_NAMESPACES:
                    assert policy["spec"]["podSelector"]["matchLabels"] == {
                        "app.kubernetes.io/name": "gateway",
                        "app.kubernetes.io/component": "api",
                    }, policy["metadata"]["name"]
    for service in objects(overlay, "Service"):
        assert service["spec"].get("type", "ClusterIP") == "ClusterIP"
    backends = {
        p["backend"]["service"]["name"]
        for i in objects(overlay, "Ingress")
        for r in i["spec"]["rules"]
        for p in r["http"]["paths"]
    }
    assert backends == {"gateway"}


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_each_service_reaches_only_its_own_database(overlay: str) -> None:
    for obj in objects(overlay):
        if obj["kind"] not in WORKLOADS:
            continue
        labels = (
            pod_labels(obj)
            if obj["kind"] == "Deployment"
            else obj["spec"]["template"]["metadata"]["labels"]
        )
        service = labels["app.kubernetes.io/name"]
        egress = policies_for(overlay, labels, "Egress")
        databases = {
            peer["podSelector"]["matchLabels"]["cnpg.io/cluster"]
            for p in egress
            for rule in p["spec"].get("egress", [])
            for peer in rule["to"]
            if "cnpg.io/cluster" in peer.get("podSelector", {}).get("matchLabels", {})
        }
        expected = set() if service == "gateway" else {f"{service}-db"}
        assert databases == expected, obj["metadata"]["name"]
        assert any(p["metadata"]["name"] == "dns-egress" for p in egress)


EXTERNAL = {
    "auth": {587},
    "reports": {25, 443},
    "credit": {443},
    "integrations": {443},
    "webhooks": {443},
}
"""Who leaves the cluster, on which ports: auth and reports to the SMTP relay, reports to
the print house, credit to the bureau. Nobody else, and nobody to a private address."""


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_each_service_reaches_its_database_rabbitmq_the_collector_and_dns_only(
    overlay: str,
) -> None:
    for service in SERVICES:
        labels = pod_labels(named(overlay, "Deployment", f"{service}-relay"))
        allowed = [
            {"podSelector": {"matchLabels": {"cnpg.io/cluster": f"{service}-db"}}},
            {"podSelector": {"matchLabels": {"app.kubernetes.io/name": "infocenter-rabbitmq"}}},
            {
                "podSelector": {
                    "matchLabels": {
                        "app.kubernetes.io/name": "auth",
                        "app.kubernetes.io/component": "api",
                    }
                }
            },
            {
                "namespaceSelector": {
                    "matchLabels": {"kubernetes.io/metadata.name": "observability"}
                },
                "podSelector": {
                    "matchLabels": {"app.kubernetes.io/name": "opentelemetry-collector"}
                },
            },
            {
                "namespaceSelector": {
                    "matchLabels": {"kubernetes.io/metadata.name": "kube-system"}
                },
                "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}},
            },
        ]
        leaving: set[int] = set()
        for policy in policies_for(overlay, labels, "Egress"):
            for rule in policy["spec"].get("egress", []):
                for peer in rule["to"]:
                    if "ipBlock" in peer:
                        assert peer["ipBlock"]["except"] == [
                            "10.0.0.0/8",
                            "172.16.0.0/12",
                            "192.168.0.0/16",
                        ], service
                        leaving |= {p["port"] for p in rule["ports"]}
                    else:
                        assert peer in allowed, (service, peer)
        assert leaving == EXTERNAL.get(service, set()), service


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_each_database_admits_only_its_own_service(overlay: str) -> None:
    for service in SERVICES:
        policy = named(overlay, "NetworkPolicy", f"{service}-db")
        app_peers = [
            peer
            for rule in policy["spec"]["ingress"]
            for peer in rule["from"]
            if "app.kubernetes.io/name" in peer.get("podSelector", {}).get("matchLabels", {})
        ]
        assert app_peers == [{"podSelector": {"matchLabels": {"app.kubernetes.io/name": service}}}]


# -- state: databases, broker, migrations -------------------------------------------------


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_each_service_has_its_own_backed_up_replicated_database(overlay: str) -> None:
    for service in SERVICES:
        cluster = named(overlay, "Cluster", f"{service}-db")["spec"]
        assert cluster["instances"] >= 2
        assert cluster["bootstrap"]["initdb"]["database"] == f"infocenter_{service}"
        store = cluster["backup"]["barmanObjectStore"]
        assert store["destinationPath"].endswith(f"/{service}")
        backup = named(overlay, "ScheduledBackup", f"{service}-db-nightly")["spec"]
        assert backup["cluster"]["name"] == f"{service}-db"
        monitor = named(overlay, "PodMonitor", f"{service}-db")["spec"]
        assert monitor["selector"] == {"matchLabels": {"cnpg.io/cluster": f"{service}-db"}}


def most_replicas(overlay: str, deployment: Obj) -> int:
    """The most pods a Deployment can have: its autoscaler's maximum, else its count."""
    name = deployment["metadata"]["name"]
    for hpa in objects(overlay, "HorizontalPodAutoscaler"):
        if hpa["spec"]["scaleTargetRef"]["name"] == name:
            return int(hpa["spec"]["maxReplicas"])
    for scaled in objects(overlay, "ScaledObject"):
        if scaled["spec"]["scaleTargetRef"]["name"] == name:
            return int(scaled["spec"]["maxReplicaCount"])
    return int(deployment["spec"]["replicas"])


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_process_at_full_scale_fits_in_its_databases_connections(overlay: str) -> None:
    reserved = 10  # superuser, replication and the operator's own connections
    for service in SERVICES:
        pool = int(
            named(overlay, "ConfigMap", f"{service}-config")["data"][
                f"{service.upper()}_DB_POOL_SIZE"
            ]
        )
        pods = sum(
            most_replicas(overlay, d)
            for d in objects(overlay, "Deployment")
            if pod_labels(d)["app.kubernetes.io/name"] == service
        )
        cluster = named(overlay, "Cluster", f"{service}-db")["spec"]
        limit = int(cluster["postgresql"]["parameters"]["max_connections"])
        # servicekit.db: pool_size connections plus as many overflow ones per process
        assert pods * 2 * pool <= limit - reserved, (service, pods, pool, limit)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_rabbitmq_runs_three_nodes_for_the_quorum_queues(overlay: str) -> None:
    (cluster,) = objects(overlay, "RabbitmqCluster")
    assert cluster["spec"]["replicas"] == 3
    topology = (ROOT / "libs/servicekit/servicekit/bus/topology.py").read_text()
    assert '"x-queue-type": "quorum"' in topology  # what the services declare
    assert '"classic"' not in topology


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_each_service_migrates_in_a_job_before_the_rollout(overlay: str) -> None:
    for service in SERVICES:
        job = named(overlay, "Job", f"{service}-migrate")
        assert job["metadata"]["annotations"]["argocd.argoproj.io/hook"] == "PreSync"
        (c,) = pod_spec(job)["containers"]
        assert c["command"][-2:] == ["upgrade", "head"]
        assert c["workingDir"] == f"/app/services/{service}"
        # the runbook applies `component in (config, migrate)` first: what the Job reads
        config = named(overlay, "ConfigMap", f"{service}-config")
        assert config["metadata"]["labels"]["app.kubernetes.io/component"] == "config"
        assert job["metadata"]["labels"]["app.kubernetes.io/component"] == "migrate"


# -- secrets -----------------------------------------------------------------------------


def test_no_secret_and_no_secret_value_is_committed() -> None:
    for path in K8S.rglob("*.yaml"):
        for doc in yaml.safe_load_all(path.read_text()):
            if not isinstance(doc, dict):
                continue
            assert doc.get("kind") != "Secret", path
            if doc.get("kind") == "ConfigMap":
                for name, value in doc.get("data", {}).items():
                    assert not SECRET_NAME.search(name), f"{path}: {name}"
                    assert not CREDENTIALS_IN_URL.search(str(value)), f"{path}: {name}"
        assert not CREDENTIALS_IN_URL.search(path.read_text()), path


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_secrets_are_referenced_from_the_services_own_secret(overlay: str) -> None:
    for obj, c in containers(overlay):
        for env in c.get("env", []):
            assert "value" not in env or not SECRET_NAME.search(env["name"]), env["name"]
        refs = [r["secretRef"]["name"] for r in c.get("envFrom", []) if "secretRef" in r]
        service = (
            pod_labels(obj)["app.kubernetes.io/name"]
            if obj["kind"] == "Deployment"
            else obj["spec"]["template"]["metadata"]["labels"]["app.kubernetes.io/name"]
        )
        assert refs == [f"{service}-secrets"], obj["metadata"]["name"]


# -- monitoring --------------------------------------------------------------------------


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_prometheus_scrapes_every_api_with_its_token(overlay: str) -> None:
    monitors = list(objects(overlay, "ServiceMonitor"))
    for service in objects(overlay, "Service"):
        labels = service["metadata"]["labels"]
        (monitor,) = [m for m in monitors if selects(m["spec"]["selector"], labels)]
        (endpoint,) = monitor["spec"]["endpoints"]
        secret = endpoint["authorization"]["credentials"]
        name = labels["app.kubernetes.io/name"]
        assert (endpoint["path"], secret["name"], secret["key"]) == (
            "/metrics",
            f"{name}-secrets",
            f"{name.upper()}_METRICS_TOKEN",
        )


def test_the_prometheus_rules_are_generated_from_the_rule_files() -> None:
    files = prometheus_rules.render()
    out = K8S / "base" / "observability"
    assert {p.name for p in out.glob("*.yaml")} == set(files)
    for name, text in files.items():
        assert (out / name).read_text() == text, f"run {prometheus_rules.__file__}"
    rule_files = sorted((ROOT / "deploy/observability/rules").glob("*.yml"))
    assert rule_files
    assert len(files) == len(rule_files) + 1
    for overlay in OVERLAYS:
        rules = {r["metadata"]["name"]: r for r in objects(overlay, "PrometheusRule")}
        assert set(rules) == {f"infocenter-{p.stem}" for p in rule_files}
        for path in rule_files:
            groups = yaml.safe_load(path.read_text())["groups"]
            assert rules[f"infocenter-{path.stem}"]["spec"]["groups"] == groups
