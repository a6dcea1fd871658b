"""Identifiers: the 2032 fødselsnummer rule, D-numbers, orgnr, KID and case numbers."""

from __future__ import annotations

import pytest
from cases.domain.identifiers import (
    InvalidIdentifier,
    batch_number_for,
    case_number_for,
    kid_for,
    luhn_check_digit,
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


def _stdnum_national_identity_number(value: str) -> str:
    """The check as it was, through python-stdnum's own steps: the reference."""
    import re

    from cases.domain.identifiers import _valid_day_and_month, _valid_under_2032_rule
    from stdnum.exceptions import ValidationError

    number = re.sub(r"[\s.\-]", "", value)
    if not (len(number) == 11 and re.fullmatch(r"[0-9]+", number)):
        raise InvalidIdentifier("a national identity number has 11 digits")
    if len(set(number)) == 1:
        raise InvalidIdentifier("not a valid national identity number")
    digits = [int(c) for c in number]
    new_rule = _valid_under_2032_rule(digits) and _valid_day_and_month(digits)
    if number[9] == fodselsnummer.calc_check_digit1(number) and number[
        10
    ] == fodselsnummer.calc_check_digit2(number):
        try:
            fodselsnummer.get_birth_date(number)
        except ValidationError as exc:
            if new_rule:
                return number
            raise InvalidIdentifier(f"not a valid national identity number ({exc})") from exc
        return number
    if new_rule:
        return number
    raise InvalidIdentifier("the check digits of the national identity number are wrong")


def _outcome(check: object, number: str) -> str:
    try:
        return "ok:" + check(number)  # type: ignore[operator]
    except InvalidIdentifier as exc:
        return "refused:" + str(exc)


_ELEVEN_DIGITS = st.text(alphabet="0123456789", min_size=11, max_size=11)


@given(
    st.one_of(
        _ELEVEN_DIGITS,
        # numbers with right check digits, to reach the birth-date and century rules
        st.tuples(
            st.integers(0, 99), st.integers(0, 99), st.integers(0, 99), st.integers(0, 999)
        ).map(lambda p: _with_check_digits(f"{p[0]:02d}{p[1]:02d}{p[2]:02d}{p[3]:03d}")),
        st.builds(random_fnr, d_number=st.booleans()),
    )
)
def test_the_national_id_check_gives_python_stdnums_answers(number: str) -> None:
    assert _outcome(national_identity_number, number) == _outcome(
        _stdnum_national_identity_number, number
    )


def _with_check_digits(nine: str) -> str:
    k1 = fodselsnummer.calc_check_digit1(nine)
    k2 = fodselsnummer.calc_check_digit2(nine + k1[-1])
    return nine + k1[-1] + k2[-1]


def test_the_national_id_check_over_every_day_month_and_century() -> None:
    """Every day and month field (D- and H-numbers, FH-numbers) with individual numbers
    from each of stdnum's century ranges, and leap years."""
    centuries = ((0, 100), (0, 600), (60, 600), (39, 800), (40, 950), (96, 999), (96, 100))
    for day in range(100):
        for month in (0, 1, 2, 12, 13, 41, 42, 52, 53, 81, 99):
            for year, individual in centuries:
                number = _with_check_digits(f"{day:02d}{month:02d}{year:02d}{individual:03d}")
                assert _outcome(national_identity_number, number) == _outcome(
                    _stdnum_national_identity_number, number
                ), number


@given(st.text(alphabet="0123456789", min_size=1, max_size=24))
def test_the_luhn_check_digit_is_stdnums(digits: str) -> None:
    assert luhn_check_digit(digits) == luhn.calc_check_digit(digits)
