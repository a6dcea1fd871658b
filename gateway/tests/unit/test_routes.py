from __future__ import annotations

import pytest
from gateway.routes import ROUTES, SERVICES, has_dot_segment, resolve, route_for_service
from gateway.settings import GatewaySettings

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("path", "service"),
    [
        ("/api/v1/auth/organisations", "auth"),
        ("/api/v1/auth", "auth"),
        ("/api/v1/auth/", "auth"),
        ("/api/v1/cases/creditors/1/cases", "cases"),
        ("/api/v1/ledger/creditor-accounts/9", "ledger"),
        ("/api/v1/reports/organisations/9", "reports"),
        ("/api/v1/credit/creditors/9", "credit"),
        ("/api/v1/webhooks/endpoints/9", "webhooks"),
        ("/api/v1/cases/a%2Fb", "cases"),
    ],
)
def test_a_listed_prefix_routes_to_its_service(path: str, service: str) -> None:
    route = resolve(path)

    assert route is not None
    assert route.service == service


@pytest.mark.parametrize(
    "path",
    [
        "/api",
        "/api/",
        "/api/v1",
        "/api/v1/",
        "/api/v2/cases/1",
        "/api/v1/casesx/1",
        "/api/v1/Cases/1",
        "/api/v1/nowhere",
        "/health/ready",
        "/api/v1/auth/../cases/1",
        "/api/v1/cases/./1",
        "/api/v1/cases/..",
    ],
)
def test_anything_else_is_not_routed(path: str) -> None:
    assert resolve(path) is None


def test_dot_segments_in_the_raw_path_are_refused_too() -> None:
    assert resolve("/api/v1/auth/x/cases", "/api/v1/auth/x/../cases") is None
    assert resolve("/api/v1/auth/x", "/api/v1/auth/x") is not None


def test_dot_segments_are_whole_segments_only() -> None:
    assert has_dot_segment("/a/../b")
    assert has_dot_segment("/a/.")
    assert not has_dot_segment("/a/..b/c.d/.e")


def test_every_service_has_exactly_one_prefix_and_a_base_url() -> None:
    assert SERVICES == ("auth", "cases", "ledger", "reports", "credit", "integrations", "webhooks")
    assert len({r.prefix for r in ROUTES}) == len(ROUTES)
    assert set(GatewaySettings().service_urls()) == set(SERVICES)
    assert route_for_service("ledger").prefix == "/api/v1/ledger"
    with pytest.raises(KeyError):
        route_for_service("gateway")
