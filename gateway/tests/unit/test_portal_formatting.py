"""Amounts and dates as Norwegians read them, and back from what they type."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from gateway.portal.formatting import (
    NBSP,
    InvalidInput,
    amount,
    amount_input,
    day,
    moment,
    parse_amount,
    parse_day,
    percent,
)


@pytest.mark.parametrize(
    ("ore", "text"),
    [
        (0, "kr 0,00"),
        (5, "kr 0,05"),
        (123450, "kr 1 234,50"),
        (100_000_000, "kr 1 000 000,00"),
        (99, "kr 0,99"),
        (-123450, "kr \u22121 234,50"),
    ],
)
def test_amounts_in_kroner_with_non_breaking_spaces(ore: int, text: str) -> None:
    assert amount(ore) == text.replace(" ", NBSP)


def test_amounts_in_english() -> None:
    assert amount(123450, "en") == f"NOK{NBSP}1,234.50"


def test_an_amount_shown_again_in_a_field() -> None:
    assert amount_input(123450) == "1234,50"
    assert amount_input(None) == ""


@pytest.mark.parametrize(
    ("typed", "ore"),
    [
        ("1 234,50", 123450),
        (f"1{NBSP}234,50", 123450),
        ("1234,5", 123450),
        ("1234.50", 123450),
        ("1.234", 123400),
        ("1.234,50", 123450),
        ("kr 1 234", 123400),
        ("1234 kr", 123400),
        ("4 990,-", 499000),
        ("0,01", 1),
        ("12", 1200),
    ],
)
def test_what_people_type_as_an_amount(typed: str, ore: int) -> None:
    assert parse_amount(typed) == ore


@pytest.mark.parametrize(
    "typed",
    ["", "tolv", "-5", "\u22125", "1,234", "1 23,00", "12,345", "1e5", "10 000 000 000 000"],
)
def test_what_is_not_an_amount(typed: str) -> None:
    with pytest.raises(InvalidInput):
        parse_amount(typed)


def test_dates_are_norwegian_dates() -> None:
    assert day(date(2026, 1, 5)) == "05.01.2026"
    assert day("2026-12-31") == "31.12.2026"
    assert day(None) == ""
    assert day(date(2026, 1, 5), "en") == "5 Jan 2026"


def test_moments_are_shown_in_oslo_time() -> None:
    winter = datetime(2026, 1, 5, 23, 30, tzinfo=UTC)
    assert moment(winter) == f"06.01.2026 kl.{NBSP}00:30"
    assert moment("2026-07-01T10:00:00+00:00") == f"01.07.2026 kl.{NBSP}12:00"
    assert moment(winter, "en") == "6 Jan 2026 00:30"


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("31.12.2026", date(2026, 12, 31)),
        ("1.2.2026", date(2026, 2, 1)),
        ("2026-02-01", date(2026, 2, 1)),
        (" 05.01.2026 ", date(2026, 1, 5)),
    ],
)
def test_what_people_type_as_a_date(typed: str, value: date) -> None:
    assert parse_day(typed) == value


@pytest.mark.parametrize("typed", ["31.02.2026", "2026/01/01", "5.1.26", "", "i morgen"])
def test_what_is_not_a_date(typed: str) -> None:
    with pytest.raises(InvalidInput):
        parse_day(typed)


def test_an_organisation_number_is_written_in_groups_of_three() -> None:
    from gateway.portal.formatting import organisation_number

    assert organisation_number("920000002") == "920\u00a0000\u00a0002"
    assert organisation_number("920 000 002") == "920\u00a0000\u00a0002"
    assert organisation_number("SE5560000001") == "SE5560000001"
    assert organisation_number(None) == ""


def test_a_percent_has_one_decimal_and_the_language_s_comma() -> None:
    assert percent(24.24) == "24,2\u00a0%"
    assert percent(100.0, "en") == "100.0\u00a0%"
    assert percent(None) == "\u2013"
