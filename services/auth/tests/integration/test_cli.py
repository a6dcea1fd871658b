"""The identity command line, run as a real process against this run's database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path

import pyotp
import pytest
from servicekit.testing.data import organisation_number

from .conftest import DATA_KEYS, LOOKUP_KEY

pytestmark = pytest.mark.integration

ALEMBIC_INI = Path(__file__).resolve().parents[2] / "alembic.ini"


def cli(url: str, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "AUTH_DATABASE_URL": url,
        "AUTH_DATA_KEYS": DATA_KEYS,
        "AUTH_LOOKUP_KEY": LOOKUP_KEY,
        "AUTH_ENVIRONMENT": "test",
    }
    return subprocess.run(
        [sys.executable, "-m", "auth.entrypoints.cli", *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


async def test_seed_demo_is_idempotent_and_gives_working_codes(
    service_database: Callable[[str, Path], Awaitable[str]],
) -> None:
    url = await service_database("auth", ALEMBIC_INI)
    first = cli(url, "seed-demo", "--json")
    assert first.returncode == 0, first.stderr
    again = cli(url, "seed-demo", "--json")
    assert again.returncode == 0, again.stderr
    logins, logins_again = json.loads(first.stdout), json.loads(again.stdout)
    assert [entry["email"] for entry in logins] == [entry["email"] for entry in logins_again]
    assert {r for entry in logins for r in entry["roles"]} == {
        "agency_admin",
        "case_handler",
        "creditor_admin",
        "creditor",
        "credit_orderer",  # Kari buys the demo's credit report
        "ops",  # the agency's operator (drift@) reads the ops pages
    }
    kari = next(entry for entry in logins if entry["email"] == "kari@nordlys.example")
    code = cli(url, "totp-code", "--email", "kari@nordlys.example")
    assert code.returncode == 0, code.stderr
    assert pyotp.TOTP(kari["totp_secret"]).verify(code.stdout.strip(), valid_window=1)


async def test_first_agency_admin_and_key_rotation(
    service_database: Callable[[str, Path], Awaitable[str]],
) -> None:
    url = await service_database("auth", ALEMBIC_INI)
    email = f"first.admin.{uuid.uuid4().hex[:6]}@agency.test"
    created = cli(
        url,
        "create-agency-admin",
        "--email",
        email,
        "--name",
        "First Admin",
        "--agency-name",
        "Test Inkasso AS",
        "--agency-number",
        organisation_number(),
        "--password-stdin",
        stdin="a long enough pass phrase\n",
    )
    assert created.returncode == 0, created.stderr
    assert "otpauth://totp/" in created.stdout
    assert created.stdout.count("-") >= 30  # ten recovery codes XXXX-XXXX-XXXX-XXXX
    weak = cli(
        url,
        "create-agency-admin",
        "--email",
        f"x{email}",
        "--name",
        "Weak",
        "--agency-name",
        "Test Inkasso AS",
        "--agency-number",
        organisation_number(),
        "--password-stdin",
        stdin="password1234\n",
    )
    assert weak.returncode == 1
    assert "too common" in weak.stderr
    rotated = cli(url, "rotate-signing-key")
    assert rotated.returncode == 0, rotated.stderr
    assert rotated.stdout.startswith("now signing with ")
