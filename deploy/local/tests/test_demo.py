"""The login note printed by `make up`."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from devstack.demo import login_note
from devstack.stack import Stack, StackConfig

pytestmark = pytest.mark.unit


def stack_without_database(tmp_path: Path) -> Stack:
    config = replace(
        StackConfig.for_tests(log_dir=tmp_path),
        pg_admin_url="postgresql://postgres@127.0.0.1:1/postgres",
        root=tmp_path,
    )
    return Stack(config)


def test_without_users_the_note_says_how_to_create_the_first_admin(tmp_path: Path) -> None:
    note = "\n".join(login_note(stack_without_database(tmp_path)))
    assert "No users yet" in note
    assert "create-agency-admin" in note


def test_demo_logins_are_listed_with_the_second_factor_hint(tmp_path: Path) -> None:
    logins = [
        {
            "email": "kari@nordlys.example",
            "password": "pw",
            "roles": ["creditor"],
            "organisation": "Nordlys Energi AS (demo)",
            "totp_secret": "S",
        }
    ]
    note = "\n".join(login_note(stack_without_database(tmp_path), logins))
    assert "kari@nordlys.example" in note
    assert "Nordlys Energi AS (demo)" in note
    assert "make totp EMAIL=" in note
    assert "No users yet" not in note


def test_no_seed_command_means_no_demo_logins(tmp_path: Path) -> None:
    assert stack_without_database(tmp_path).seed_demo() is None
