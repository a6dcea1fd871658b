"""What an ops user sees of a dead letter: personal fields masked at any depth, the rest
scrubbed of what has a shape (national ids, e-mail addresses)."""

from __future__ import annotations

import json

import pytest
from servicekit import promql
from servicekit.ops import MASK, masked, masked_body

pytestmark = pytest.mark.unit


def test_personal_fields_are_masked_at_any_depth() -> None:
    event = {
        "event_id": "e1",
        "data": {
            "debtor_name": "Ola Nordmann",
            "amount_ore": 12_500,
            "parties": [{"name": "Kari", "address": {"street": "Gata 1"}, "kind": "person"}],
            "comment": "fnr 01017012345, ola@example.no",
        },
    }
    shown = masked(event)
    assert shown["data"]["debtor_name"] == MASK
    assert shown["data"]["amount_ore"] == 12_500
    assert shown["data"]["parties"] == [{"name": MASK, "address": MASK, "kind": "person"}]
    assert "01017012345" not in shown["data"]["comment"]
    assert "ola@" not in shown["data"]["comment"]


def test_a_body_that_is_not_json_is_scrubbed_and_cut() -> None:
    shown = masked_body("not json 01017012345 " + "x" * 5000)
    assert isinstance(shown, str)
    assert "01017012345" not in shown
    assert len(shown) <= 2000
    assert masked_body(json.dumps({"name": ""})) == {"name": ""}  # nothing to hide


def test_the_queries_name_only_known_services() -> None:
    with pytest.raises(ValueError, match="unknown service"):
        promql.request_rate('cases"} or vector(1) or {x="')
    for service in promql.SERVICES:
        keys = [p.key for p in promql.service_panels(service)]
        assert keys[:3] == ["requests", "errors", "latency"]
        assert ("queues" in keys) == (service != "gateway")
