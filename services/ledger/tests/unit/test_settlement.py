"""Settlement drafts: lines, commission per line, charges deducted as far as they go."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

import pytest
from ledger.domain.components import Component
from ledger.domain.settlement import Collected, CreditReportCharge, draft_settlement

pytestmark = pytest.mark.unit

CREDITOR = uuid.uuid4()


def collected(n: int, **amounts: int) -> Collected:
    return Collected(
        allocation_id=n,
        payment_id=uuid.uuid4(),
        case_id=uuid.uuid4(),
        value_date=date(2025, 3, n),
        amounts={Component(k): v for k, v in amounts.items()},
    )


def test_lines_commission_and_payout() -> None:
    draft = draft_settlement(
        CREDITOR,
        date(2025, 3, 31),
        [
            collected(1, principal=100_000, interest=2_001, collection_fees=56_000),
            collected(2, principal=50_000, reminder_fees=3_500),
        ],
        [CreditReportCharge(uuid.uuid4(), 4_900, date(2025, 3, 5))],
        Decimal("10"),
    )
    assert draft is not None
    # commission 10 % of principal + interest, per line, half up: 10 200.1 → 10 200; 5 000
    assert [line.commission_ore for line in draft.lines] == [10_200, 5_000]
    assert draft.collected_ore == 155_501
    assert draft.agency_fees_ore == 56_000
    assert draft.payout_ore == 155_501 - 15_200 - 4_900
    reserve = draft.reserve_entry(on=date(2025, 4, 1), settlement_id=uuid.uuid4())
    assert reserve is not None
    assert sum(p.amount_ore for p in reserve.postings) == 0


def test_charges_beyond_what_was_collected_wait_for_the_next_settlement() -> None:
    draft = draft_settlement(
        CREDITOR,
        date(2025, 3, 31),
        [collected(1, principal=5_000)],
        [
            CreditReportCharge(uuid.uuid4(), 4_000, date(2025, 3, 1)),
            CreditReportCharge(uuid.uuid4(), 4_000, date(2025, 3, 2)),
        ],
        Decimal(0),
    )
    assert draft is not None
    assert draft.credit_report_charges_ore == 4_000
    assert draft.payout_ore == 1_000


def test_nothing_to_settle() -> None:
    assert draft_settlement(CREDITOR, date(2025, 3, 31), [], [], Decimal(0)) is None
    reversed_only = [collected(1, principal=-5_000)]
    assert draft_settlement(CREDITOR, date(2025, 3, 31), reversed_only, [], Decimal(0)) is None
