"""Time-ordered ids (UUID version 7)."""

from __future__ import annotations

import time

import pytest
from ledger.domain.ids import new_id

pytestmark = pytest.mark.unit


def test_ids_are_version_7_unique_and_carry_the_millisecond_they_were_made() -> None:
    before = time.time_ns() // 1_000_000
    ids = [new_id() for _ in range(1000)]
    after = time.time_ns() // 1_000_000
    assert {i.version for i in ids} == {7}
    assert {i.variant for i in ids} == {"specified in RFC 4122"}
    assert len(set(ids)) == 1000
    stamps = [i.int >> 80 for i in ids]
    assert stamps == sorted(stamps)  # sorted by time, whatever the random bits
    assert before <= stamps[0] <= stamps[-1] <= after
