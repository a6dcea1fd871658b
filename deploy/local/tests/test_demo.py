"""The login note printed by `make up`."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from devstack.demo import login_note
from devstack.stack import Stack, StackConfig

pytestmark = pytest.mark.unit


def test_without_a_readable_auth_database_the_note_names_the_admin_key(tmp_path: Path) -> None:
    config = replace(
        StackConfig.for_tests(log_dir=tmp_path),
        pg_admin_url="postgresql://postgres@127.0.0.1:1/postgres",
        root=tmp_path,
    )
    note = "\n".join(login_note(Stack(config), "var/local.env"))
    assert "X-Admin-Key" in note
    assert "grep ^INFOCENTER_ADMIN_API_KEY= var/local.env" in note
    assert "No users yet" in note


def test_demo_credentials_left_by_a_seed_are_shown(tmp_path: Path) -> None:
    (tmp_path / "var").mkdir()
    (tmp_path / "var" / "demo-users.txt").write_text("admin@demo.no / s3cret\n")
    config = replace(
        StackConfig.for_tests(log_dir=tmp_path),
        pg_admin_url="postgresql://postgres@127.0.0.1:1/postgres",
        root=tmp_path,
    )
    note = "\n".join(login_note(Stack(config), "var/local.env"))
    assert "admin@demo.no / s3cret" in note
    assert "No users yet" not in note
