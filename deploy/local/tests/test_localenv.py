"""Secrets are generated once into var/local.env and reused."""

from __future__ import annotations

import stat
from pathlib import Path

from devstack.localenv import (
    Secrets,
    db_password_key,
    load_or_create,
    read_env_file,
    write_env_file,
)

SERVICES = ("auth", "cases")


def test_secrets_are_generated_once_and_then_reused(tmp_path: Path) -> None:
    path = tmp_path / "var" / "local.env"
    first = load_or_create(path, SERVICES)
    second = load_or_create(path, SERVICES)
    assert first == second
    assert len(first.db_password("auth")) >= 24
    assert first.db_password("auth") != first.db_password("cases")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_new_service_gets_a_password_and_the_others_keep_theirs(tmp_path: Path) -> None:
    path = tmp_path / "local.env"
    before = load_or_create(path, SERVICES)
    after = load_or_create(path, (*SERVICES, "ledger"))
    assert after.extra.items() >= before.extra.items()
    assert set(after.extra) - set(before.extra) == {
        "LEDGER_INTERNAL_SECRET",
        "LEDGER_METRICS_TOKEN",
    }
    assert after.db_password("auth") == before.db_password("auth")
    assert read_env_file(path)[db_password_key("ledger")] == after.db_password("ledger")


def test_the_derived_environment_is_rewritten_and_the_secrets_kept(tmp_path: Path) -> None:
    path = tmp_path / "local.env"
    secrets = Secrets(db_passwords={"ledger": "p"})
    write_env_file(path, secrets, derived={"LEDGER_HTTP_PORT": "8003"})
    write_env_file(path, secrets, derived={"LEDGER_HTTP_PORT": "9003"})
    values = read_env_file(path)
    assert values["INFOCENTER_DB_PASSWORD_LEDGER"] == "p"
    assert values["LEDGER_HTTP_PORT"] == "9003"
    reloaded = load_or_create(path, ("ledger",))  # adds what an older file lacks
    assert reloaded.db_passwords == secrets.db_passwords
    assert "LEDGER_INTERNAL_SECRET" in read_env_file(path)
    assert read_env_file(path)["LEDGER_HTTP_PORT"] == "9003"


def test_service_specific_secrets_are_generated_once(tmp_path: Path) -> None:
    path = tmp_path / "local.env"
    first = load_or_create(path, ("auth", "cases"))
    every = {"INTERNAL_SECRET", "METRICS_TOKEN"}
    assert set(first.service_secrets("auth")) == {
        f"AUTH_{k}" for k in {"DATA_KEYS", "LOOKUP_KEY", *every}
    }
    assert set(first.service_secrets("cases")) == {
        f"CASES_{k}" for k in {"DATA_KEYS", "LOOKUP_KEY", *every}
    }
    assert set(first.service_secrets("gateway")) == {f"GATEWAY_{k}" for k in every}
    assert first.service_secrets("ledger") == {}  # not part of this installation
    assert load_or_create(path, ("auth", "cases")) == first
    assert read_env_file(path)["AUTH_LOOKUP_KEY"] == first.extra["AUTH_LOOKUP_KEY"]


def test_comments_blank_lines_and_quotes_are_understood(tmp_path: Path) -> None:
    path = tmp_path / "local.env"
    path.write_text("# hello\n\nAUTH_LOOKUP_KEY='quoted'\nnot a line\n")
    assert read_env_file(path) == {"AUTH_LOOKUP_KEY": "quoted"}
