"""Identifiers: the 2032 fødselsnummer rule, D-numbers, orgnr, KID and case numbers."""

from __future__ import annotations

import pytest
from cases.domain.identifiers import (
    InvalidIdentifier,
    batch_number_for,
    case_number_for,
    kid_for,
    national_identity_number,
    organisation_number,
)
from hypothesis import given
from hypothesis import strategies as st
from servicekit.testing.data import national_identity_number as random_fnr
from stdnum import luhn
from stdnum.no import fodselsnummer

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    "number",
    [
        "31129956715",  # the classic worked example (old rule)
        "02013299997",  # Skatteetaten's 2032 examples: first check remainder 0-3
        "30108299920",
        "30108299939",
        "311299 567 15",  # spaces are tolerated and removed
    ],
)
def test_valid_national_identity_numbers(number: str) -> None:
    assert national_identity_number(number) == number.replace(" ", "")


@pytest.mark.parametrize(
    ("number", "why"),
    [
        ("31129956716", "check digits"),
        ("1234567890", "11 digits"),
        ("11111111111", "not a valid"),
        ("3112995671a", "11 digits"),
        ("31139956715", "check digits"),  # month 13
    ],
)
def test_invalid_national_identity_numbers(number: str, why: str) -> None:
    with pytest.raises(InvalidIdentifier, match=why):
        national_identity_number(number)


def test_the_2032_numbers_are_ones_stdnum_alone_refuses() -> None:
    assert not fodselsnummer.is_valid("02013299997")  # why the extra rule exists


@given(st.booleans())
def test_generated_numbers_and_d_numbers_validate(d_number: bool) -> None:
    number = random_fnr(d_number=d_number)
    assert national_identity_number(number) == number


def test_organisation_numbers() -> None:
    assert organisation_number("923 609 016") == "923609016"
    with pytest.raises(InvalidIdentifier):
        organisation_number("923609017")


@given(st.integers(min_value=1, max_value=9_999_999_999))
def test_kid_has_a_luhn_check_digit_and_fixed_length(sequence: int) -> None:
    kid = kid_for(sequence)
    assert len(kid) == 11
    assert luhn.is_valid(kid)
    assert int(kid[:-1]) == sequence


def test_readable_numbers() -> None:
    assert case_number_for(42) == "IC-0000042"
    assert batch_number_for(7) == "B-0000007"
    with pytest.raises(ValueError, match="does not fit"):
        kid_for(10_000_000_000)
