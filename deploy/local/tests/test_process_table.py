"""The process table and the environment each process gets (no I/O)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from devstack.localenv import Secrets
from devstack.stack import (
    BUREAU,
    GATEWAY,
    MAIL_SINK,
    PORT_OFFSETS,
    POST,
    PROCESS_KINDS,
    SERVICES,
    TRIPLETEX,
    WEBHOOK_RECEIVER,
    WORKERS,
    Stack,
    StackConfig,
    env_prefix,
    process_table,
)

pytestmark = pytest.mark.unit

SECRETS = Secrets(db_passwords={s: f"pw-{s}" for s in SERVICES})


def config(**changes: object) -> StackConfig:
    return replace(StackConfig(env_file=None), **changes)  # type: ignore[arg-type]


def test_every_service_runs_api_relay_and_consumer_and_there_is_one_gateway() -> None:
    names = [p.name for p in process_table(config(), SECRETS)]
    expected = (
        [MAIL_SINK, BUREAU, POST, TRIPLETEX, WEBHOOK_RECEIVER]
        + [
            name
            for s in SERVICES
            for name in [f"{s}-{k}" for k in PROCESS_KINDS]
            + [f"{s}-{w}" for w in WORKERS.get(s, ())]
        ]
        + [GATEWAY]
    )
    assert names == expected
    assert len(set(names)) == len(names) == 35


def test_ports_follow_the_port_base() -> None:
    ports = {p.name: p.port for p in process_table(config(), SECRETS) if p.port}
    assert ports == {
        "mail-sink": 8026,
        "bureau-simulator": 8027,
        "post-simulator": 8028,
        "tripletex-simulator": 8029,
        "gateway": 8000,
        "auth-api": 8001,
        "cases-api": 8002,
        "ledger-api": 8003,
        "reports-api": 8004,
        "credit-api": 8005,
        "integrations-api": 8009,
        "webhooks-api": 8006,
        "webhook-receiver": 8030,
    }
    shifted = {p.name: p.port for p in process_table(config(port_base=18000), SECRETS) if p.port}
    assert shifted == {name: port + 10000 for name, port in ports.items()}


def test_commands_are_the_documented_entrypoints() -> None:
    table = {p.name: p for p in process_table(config(), SECRETS)}
    assert table["cases-api"].command == (
        "python",
        "-m",
        "uvicorn",
        "cases.entrypoints.api:create_app",
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        "8002",
        "--no-proxy-headers",
        "--no-server-header",
    )
    assert table["cases-relay"].command == ("python", "-m", "cases.entrypoints.relay")
    assert table["cases-consumer"].command == ("python", "-m", "cases.entrypoints.consumer")
    assert table["gateway"].module == "gateway.app:create_app"
    assert table["cases-relay"].argv("/venv/bin/python")[0] == "/venv/bin/python"


def test_no_http_process_trusts_x_forwarded_for_from_uvicorn_or_names_its_server() -> None:
    """uvicorn's defaults trust X-Forwarded-For from loopback (a local client would choose
    its rate-limit identity) and send ``Server: uvicorn``; every HTTP process turns both
    off, and the local gateway trusts no proxy."""
    table = process_table(config(), Secrets.generate(SERVICES))
    http = [p for p in table if "uvicorn" in p.command]
    assert len(http) == len(SERVICES) + 1
    for spec in http:
        assert "--no-proxy-headers" in spec.command, spec.name
        assert "--no-server-header" in spec.command, spec.name
        assert "--forwarded-allow-ips" not in " ".join(spec.command), spec.name
    gateway = next(p for p in table if p.name == GATEWAY)
    assert gateway.env["GATEWAY_FORWARDED_ALLOW_IPS"] == ""


def test_every_process_proves_who_it_is_to_the_identity_service() -> None:
    secrets = Secrets.generate(SERVICES)
    table = {p.name: p for p in process_table(config(port_base=9000), secrets)}
    callers = dict(
        item.split(":", 1) for item in table["auth-api"].env["AUTH_INTERNAL_CALLERS"].split(",")
    )
    assert set(callers) == {GATEWAY, *SERVICES}
    assert callers[GATEWAY] == table[GATEWAY].env["GATEWAY_INTERNAL_SECRET"]
    for service in SERVICES:
        env = table[f"{service}-api"].env
        prefix = env_prefix(service)
        assert env[f"{prefix}INTERNAL_SECRET"] == callers[service]
        assert env[f"{prefix}AUTH_URL"] == "http://127.0.0.1:9001"
        assert len(env[f"{prefix}METRICS_TOKEN"]) >= 32
    assert len(set(callers.values())) == len(callers)  # one secret per process


def test_every_service_finds_the_signing_keys_of_its_own_stacks_auth() -> None:
    for spec in process_table(config(port_base=9000), SECRETS):
        if spec.service in SERVICES:
            jwks = spec.env[f"{env_prefix(spec.service)}JWKS_URL"]
            assert jwks == "http://127.0.0.1:9001/api/v1/auth/.well-known/jwks.json"


def test_auth_gets_its_own_secrets_and_the_stacks_mail_sink() -> None:
    secrets = Secrets.generate(SERVICES)
    table = {p.name: p for p in process_table(config(port_base=9000), secrets)}
    auth = table["auth-api"].env
    assert auth["AUTH_DATA_KEYS"].startswith("v1:")
    assert len(auth["AUTH_LOOKUP_KEY"]) == 64
    assert auth["AUTH_SMTP_PORT"] == "9025"
    assert auth["AUTH_PORTAL_BASE_URL"] == "http://127.0.0.1:9000"
    assert "--smtp-port" in table[MAIL_SINK].command
    assert table[MAIL_SINK].extra_ports == (9025,)
    assert not any(k.startswith("AUTH_") for k in table["cases-api"].env)
    assert "AUTH_INTERNAL_CALLERS" not in table["cases-api"].env


def test_credit_finds_the_stacks_bureau_which_accepts_credits_client_secret() -> None:
    secrets = Secrets.generate(SERVICES)
    table = {p.name: p for p in process_table(config(port_base=9000), secrets)}
    credit = table["credit-api"].env
    assert credit["CREDIT_BUREAU_URL"] == "http://127.0.0.1:9027"
    assert credit["CREDIT_BUREAU_CLIENT_SECRET"] == table[BUREAU].env["BUREAU_CLIENT_SECRET"]
    assert credit["CREDIT_DATA_KEYS"].startswith("v1:")
    assert table[BUREAU].port == 9027
    assert table[BUREAU].command[2] == "simulators.bureau"


def test_a_service_gets_only_its_own_prefixed_settings() -> None:
    cfg = config(bus_namespace="ns.", otlp_endpoint="http://127.0.0.1:4318/v1/traces")
    for spec in process_table(cfg, SECRETS):
        settings = {k for k in spec.env if k not in {"PYTHONUNBUFFERED", "INFOCENTER_STACK"}}
        prefix = "GATEWAY_" if spec.service == GATEWAY else env_prefix(spec.service)
        assert all(k.startswith(prefix) for k in settings), (spec.name, settings)
    cases = next(p for p in process_table(cfg, SECRETS) if p.name == "cases-relay").env
    assert cases["CASES_DATABASE_URL"] == (
        "postgresql+asyncpg://infocenter_cases:pw-cases@127.0.0.1:5432/infocenter_cases"
    )
    assert cases["CASES_BUS_NAMESPACE"] == "ns."
    assert cases["CASES_HTTP_PORT"] == "8002"
    assert cases["CASES_OTLP_ENDPOINT"] == "http://127.0.0.1:4318/v1/traces"
    assert cases["CASES_ENVIRONMENT"] == "development"


def test_the_gateway_finds_every_service_on_its_port() -> None:
    gateway = next(p for p in process_table(config(port_base=9000), SECRETS) if p.name == GATEWAY)
    assert gateway.env["GATEWAY_HTTP_PORT"] == "9000"
    for service in SERVICES:
        port = 9000 + PORT_OFFSETS[service]
        assert gateway.env[f"GATEWAY_{service.upper()}_URL"] == f"http://127.0.0.1:{port}"


def test_extra_env_reaches_every_process_over_the_tables_values() -> None:
    extra = {"GATEWAY_AUTH_RATE_LIMIT_PER_MINUTE": "600", "CASES_HTTP_PORT": "1"}
    for spec in process_table(config(extra_env=extra), SECRETS):
        assert spec.env["GATEWAY_AUTH_RATE_LIMIT_PER_MINUTE"] == "600"
        assert spec.env["CASES_HTTP_PORT"] == "1"


def test_no_otlp_endpoint_means_no_otlp_setting() -> None:
    env = next(iter(process_table(config(), SECRETS))).env
    assert not any(k.endswith("OTLP_ENDPOINT") for k in env)


def test_test_stacks_are_isolated_from_each_other_and_from_the_local_stack() -> None:
    a, b = StackConfig.for_tests(), StackConfig.for_tests()
    local = StackConfig()
    assert len({a.db_prefix, b.db_prefix, local.db_prefix}) == 3
    assert len({a.bus_namespace, b.bus_namespace, local.bus_namespace}) == 3
    assert a.bus_namespace.endswith(".")
    assert a.env_file is None
    assert a.environment == "test"
    assert a.log_dir != local.log_dir
    assert a.port_base != local.port_base


def test_a_test_stack_keeps_its_secrets_in_memory(tmp_path: Path) -> None:
    stack = Stack(StackConfig.for_tests(log_dir=tmp_path))
    assert stack.database_url("ledger").startswith(
        f"postgresql+asyncpg://{stack.config.db_prefix}_ledger:"
    )
    assert not (tmp_path / "local.env").exists()
    with pytest.raises(KeyError):
        stack.process("nope-api")


def test_the_local_stack_refuses_to_drop_its_databases(tmp_path: Path) -> None:
    stack = Stack(replace(StackConfig(), env_file=tmp_path / "local.env", log_dir=tmp_path))
    with pytest.raises(RuntimeError, match="force"):
        stack.teardown()
