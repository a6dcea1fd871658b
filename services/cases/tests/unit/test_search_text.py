"""Reading a case search: case numbers in any form, a name's words, the search box."""

from __future__ import annotations

import pytest
from cases.views import TooManyWords, name_words, normal_case_number, search_text


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("IC-0000007", "IC-0000007"),
        ("ic-0000007", "IC-0000007"),
        ("7", "IC-0000007"),
        ("0000007", "IC-0000007"),
        (" IC 7 ", "IC-0000007"),
        ("ic12345678", "IC-12345678"),
        ("IC-0", None),
        ("0", None),
        ("IC--7", None),
        ("AB-0000007", None),
        ("7a", None),
        ("1" * 13, None),
        ("", None),
    ],
)
def test_a_case_number_in_any_form_is_the_stored_one(text: str, number: str | None) -> None:
    assert normal_case_number(text) == number


def test_name_words_are_lower_case_distinct_and_bounded() -> None:
    assert name_words(" Bjørn  HAGEN, bjørn ") == ("bjørn", "hagen")
    assert name_words("ÆRLIGE Øyvind Åse") == ("ærlige", "øyvind", "åse")
    assert name_words("100% per_") == ("100%", "per_")
    assert name_words("a b c d e f") == ("a", "b", "c", "d", "e", "f")
    with pytest.raises(TooManyWords):
        name_words("a b c d e f g")


def test_the_search_box_reads_a_case_number_as_no_name() -> None:
    box = search_text(" ic-0000007 ")
    assert (box.case_number, box.reference, box.words) == ("IC-0000007", "ic-0000007", ())
    named = search_text("Kystfisk Ålesund")
    assert (named.case_number, named.reference, named.words) == (
        None,
        "kystfisk ålesund",
        ("kystfisk", "ålesund"),
    )
