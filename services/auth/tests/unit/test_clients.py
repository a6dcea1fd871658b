"""API clients' rules: secrets within the overlap, allow-lists, requested scopes, roles."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from auth.adapters.credentials import secret_digest
from auth.domain.clients import (
    ApiClient,
    ScopeRejected,
    networks_of,
    requested_scopes,
    scopes_of,
    token_roles,
)
from servicekit.roles import Roles, Scopes

pytestmark = pytest.mark.unit

NOW = datetime(2026, 12, 6, 12, tzinfo=UTC)


def a_client(**changes: object) -> ApiClient:
    values: dict[str, object] = {
        "id": uuid.uuid4(),
        "organisation_id": uuid.uuid4(),
        "name": "Synk",
        "scopes": frozenset({Scopes.CASES_READ}),
        "allowed_networks": (),
        "secret_hash": secret_digest("new"),
        "previous_secret_hash": secret_digest("old"),
        "previous_secret_valid_until": NOW + timedelta(hours=1),
        "created_at": NOW,
        "created_by": uuid.uuid4(),
        "rotated_at": NOW,
        "revoked_at": None,
        "last_used_at": None,
        "last_used_ip": None,
    }
    values.update(changes)
    return ApiClient(**values)  # type: ignore[arg-type]


def test_the_previous_secret_works_until_its_time_only() -> None:
    client = a_client()
    assert client.secret_matches(secret_digest("new"), NOW)
    assert client.secret_matches(secret_digest("old"), NOW)
    assert not client.secret_matches(secret_digest("old"), NOW + timedelta(hours=1))
    assert not client.secret_matches(secret_digest("other"), NOW)
    assert not a_client(previous_secret_hash=None).secret_matches(secret_digest("old"), NOW)


def test_the_allow_list_admits_its_networks_only() -> None:
    open_client = a_client()
    assert open_client.admits_address(None)
    listed = a_client(allowed_networks=networks_of(["192.0.2.0/24", "2001:db8::/32"]))
    assert listed.admits_address("192.0.2.200")
    assert listed.admits_address("2001:db8::1")
    assert not listed.admits_address("198.51.100.1")
    assert not listed.admits_address(None)
    assert not listed.admits_address("not-an-address")


def test_networks_are_canonical_and_bounded() -> None:
    assert networks_of(["192.0.2.7", " 192.0.2.7/32 ", "10.1.2.3/8"]) == (
        "192.0.2.7/32",
        "10.0.0.0/8",
    )
    with pytest.raises(ValueError, match="does not appear to be"):
        networks_of(["999.0.0.0/8"])
    with pytest.raises(ValueError, match="at most 20"):
        networks_of([f"10.0.0.{i}" for i in range(21)])


def test_scopes_asked_for_must_be_granted() -> None:
    granted = frozenset({Scopes.CASES_READ, Scopes.CASES_WRITE})
    assert requested_scopes(None, granted) == granted
    assert requested_scopes("  ", granted) == granted
    assert requested_scopes("cases:read", granted) == {Scopes.CASES_READ}
    assert requested_scopes("cases:read credit:order", granted) is None
    with pytest.raises(ScopeRejected):
        scopes_of(["cases:delete"])
    with pytest.raises(ScopeRejected):
        scopes_of([])


def test_ordering_credit_reports_is_never_implied() -> None:
    assert token_roles(frozenset({Scopes.CASES_WRITE})) == {Roles.CREDITOR}
    assert token_roles(frozenset({Scopes.CREDIT_ORDER})) == {Roles.CREDITOR, Roles.CREDIT_ORDERER}
