"""Price rules, purpose rules, subjects, order states and the circuit breaker (no I/O)."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from credit.adapters.breaker import CircuitBreaker, CircuitOpen
from credit.domain import purposes, subjects
from credit.domain.orders import IllegalTransition, OrderStatus, is_settled, transition
from credit.domain.pricing import (
    InvalidPriceList,
    PriceItem,
    PriceList,
    check_list,
    price_for,
    vat_of,
)
from credit.domain.purposes import PurposeCode, StatedPurpose
from stdnum.no import fodselsnummer

pytestmark = pytest.mark.unit

CREDITOR = uuid.uuid4()


def plist(
    creditor: uuid.UUID | None,
    start: date,
    price: int,
    end: date | None = None,
    product: str = "COMPANY_STANDARD",
) -> PriceList:
    return PriceList(uuid.uuid4(), creditor, start, end, (PriceItem(product, price, "3"),))


def test_vat_is_25_percent_rounded_half_up_or_none() -> None:
    assert vat_of(4_900, "3") == 1_225
    assert vat_of(2, "3") == 1  # 0.5 øre up
    assert vat_of(1, "3") == 0
    assert vat_of(4_900, "6") == 0


def test_the_creditors_own_list_in_force_wins_over_the_default() -> None:
    default = plist(None, date(2026, 1, 1), 5_000)
    own = plist(CREDITOR, date(2026, 6, 1), 4_000, end=date(2026, 12, 1))
    lists = [default, own]
    assert price_for("COMPANY_STANDARD", CREDITOR, date(2026, 5, 31), lists).unit_price_ore == 5_000  # type: ignore[union-attr]
    chosen = price_for("COMPANY_STANDARD", CREDITOR, date(2026, 6, 1), lists)
    assert chosen is not None
    assert (chosen.unit_price_ore, chosen.creditor_list, chosen.vat_ore) == (4_000, True, 1_000)
    assert price_for("COMPANY_STANDARD", CREDITOR, date(2026, 12, 1), lists).unit_price_ore == 5_000  # type: ignore[union-attr]
    assert (
        price_for("COMPANY_STANDARD", uuid.uuid4(), date(2026, 6, 1), lists).unit_price_ore == 5_000
    )  # type: ignore[union-attr]


def test_the_latest_list_in_force_counts_and_a_product_without_a_price_is_not_offered() -> None:
    lists = [plist(None, date(2026, 1, 1), 5_000), plist(None, date(2026, 3, 1), 5_500)]
    assert price_for("COMPANY_STANDARD", CREDITOR, date(2026, 4, 1), lists).unit_price_ore == 5_500  # type: ignore[union-attr]
    assert price_for("PERSON_STANDARD", CREDITOR, date(2026, 4, 1), lists) is None
    assert price_for("COMPANY_STANDARD", CREDITOR, date(2025, 12, 31), lists) is None


@pytest.mark.parametrize(
    ("end", "items", "code"),
    [
        (date(2026, 1, 1), [PriceItem("COMPANY_STANDARD", 1, "3")], "valid-to-before-valid-from"),
        (None, [], "price-list-empty"),
        (None, [PriceItem("X", 1, "3")], "unknown-product"),
        (None, [PriceItem("COMPANY_STANDARD", 1, "3")] * 2, "product-listed-twice"),
        (None, [PriceItem("COMPANY_STANDARD", -5, "3")], "price-not-positive"),
        (None, [PriceItem("COMPANY_STANDARD", 5, "25")], "unknown-vat-code"),
    ],
)
def test_a_price_list_that_cannot_be_used(
    end: date | None, items: list[PriceItem], code: str
) -> None:
    with pytest.raises(InvalidPriceList) as raised:
        check_list(date(2026, 1, 1), end, items, ["COMPANY_STANDARD"])
    assert raised.value.code == code


def purpose(
    code: PurposeCode,
    text: str = "Vurdering av krav",
    case: str | None = "C-1",
    declared: bool = False,
) -> StatedPurpose:
    return StatedPurpose(code, text, case, declared)


@pytest.mark.parametrize(
    ("stated", "field", "code"),
    [
        (
            purpose(PurposeCode.CASE_ASSESSMENT, text="  kort  "),
            "purpose.text",
            "purpose-text-required",
        ),
        (
            purpose(PurposeCode.CASE_ASSESSMENT, text="x" * 501),
            "purpose.text",
            "purpose-text-too-long",
        ),
        (purpose(PurposeCode.LEGAL_STEP_ASSESSMENT, case=None), "purpose.case_id", "case-required"),
        (purpose(PurposeCode.PAYMENT_PLAN_ASSESSMENT, case=""), "purpose.case_id", "case-required"),
        (
            purpose(PurposeCode.CREDITOR_CREDIT_DECISION, case=None),
            "purpose.relationship_declared",
            "relationship-not-declared",
        ),
    ],
)
def test_purposes_that_do_not_allow_an_order(stated: StatedPurpose, field: str, code: str) -> None:
    with pytest.raises(purposes.PurposeRefused) as raised:
        purposes.check(stated)
    assert (raised.value.field, raised.value.code) == (field, code)


def test_purposes_that_allow_an_order_and_what_a_credit_block_lets_through() -> None:
    assert (
        purposes.check(purpose(PurposeCode.CASE_ASSESSMENT, text="  Vurdering av krav ")).text
        == "Vurdering av krav"
    )
    assert purposes.check(purpose(PurposeCode.CREDITOR_CREDIT_DECISION, case=None, declared=True))
    assert purposes.allowed_under_credit_block(PurposeCode.LEGAL_STEP_ASSESSMENT)
    assert not purposes.allowed_under_credit_block(PurposeCode.CREDITOR_CREDIT_DECISION)


def test_subjects_are_validated_compacted_and_masked() -> None:
    firm = subjects.company("999 100 007")
    assert (firm.identifier, firm.masked) == ("999100007", "999100007")
    someone = subjects.person("010175 40072")
    assert (someone.identifier, someone.masked) == ("01017540072", "010175*****")
    assert subjects.person("41018530021").is_d_number
    new_rule = subjects.person("05063351212")
    assert not fodselsnummer.is_valid(new_rule.identifier)  # only the 2032 rule takes it
    for bad, code in [
        ("999100008", "organisation-number-invalid"),
        ("99910000", "organisation-number-format"),
    ]:
        with pytest.raises(subjects.InvalidSubject) as raised:
            subjects.company(bad)
        assert raised.value.code == code
    for bad in ("01017540073", "00000000000", "32137540072"):
        with pytest.raises(subjects.InvalidSubject):
            subjects.person(bad)


def test_order_states() -> None:
    assert transition(OrderStatus.PENDING, OrderStatus.UNKNOWN) is OrderStatus.UNKNOWN
    assert transition(OrderStatus.UNKNOWN, OrderStatus.COMPLETED) is OrderStatus.COMPLETED
    for settled in (OrderStatus.COMPLETED, OrderStatus.FAILED):
        assert is_settled(settled)
        with pytest.raises(IllegalTransition):
            transition(settled, OrderStatus.COMPLETED)
    with pytest.raises(IllegalTransition):
        transition(OrderStatus.UNKNOWN, OrderStatus.PENDING)


def test_the_circuit_breaker_opens_after_a_run_of_failures_and_tries_once_after_cooldown() -> None:
    now = [0.0]
    breaker = CircuitBreaker(threshold=3, cooldown_seconds=10, clock=lambda: now[0])
    for _ in range(2):
        breaker.before_call()
        breaker.failure()
    breaker.before_call()
    breaker.success()  # a success resets the run
    for _ in range(3):
        breaker.before_call()
        breaker.failure()
    assert breaker.state == "open"
    with pytest.raises(CircuitOpen):
        breaker.before_call()
    now[0] = 10.0
    breaker.before_call()  # the one trial
    with pytest.raises(CircuitOpen):
        breaker.before_call()
    breaker.failure()
    assert breaker.state == "open"
    now[0] = 20.0
    breaker.before_call()
    breaker.success()
    assert breaker.state == "closed"
