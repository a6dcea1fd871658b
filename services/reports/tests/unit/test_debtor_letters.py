"""Debtor letters: the golden text (pdftotext) of the hand-worked inkassovarsel and
betalingsoppfordring (``letters_example``), and the content check that refuses a letter
the law would not accept.

Rewrite the golden files after an intended template change with ``REPORTS_WRITE_GOLDEN=1``.
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest
from reports.adapters.rendering import PdfDocuments
from reports.domain.letters import Amounts, LetterIncomplete, check_required_content
from reports.domain.order_confirmation import Party

from .letters_example import (
    BETALINGSOPPFORDRING_ISSUED_AT,
    INKASSOVARSEL_ISSUED_AT,
    example_letter,
)
from .test_golden_documents import _check, _text


def test_the_inkassovarsels_text_is_the_golden_one() -> None:
    letter = example_letter("inkassovarsel")
    check_required_content(letter)
    text = _text(PdfDocuments().debtor_letter(letter, issued_at=INKASSOVARSEL_ISSUED_AT))
    _check("inkassovarsel-100017.txt", text)
    flat = " ".join(text.replace("\u202f", " ").split())
    # inkassoloven § 9: after the due date, at least 14 days, that inkasso will follow
    assert "ikke er betalt innen 07.04.2025, vil inkasso bli satt i verk" in flat
    assert "Forfall 03.03.2025" not in flat
    assert "03.03.2025" in flat
    assert "Å betale 10 106,92" in flat
    assert "Forsinkelsesrente: 12,50 % p.a. (forsinkelsesrenteloven § 3)" in flat


def test_the_betalingsoppfordrings_text_is_the_golden_one() -> None:
    letter = example_letter("betalingsoppfordring")
    check_required_content(letter)
    text = _text(PdfDocuments().debtor_letter(letter, issued_at=BETALINGSOPPFORDRING_ISSUED_AT))
    _check("betalingsoppfordring-100017.txt", text)
    flat = " ".join(text.replace("\u202f", " ").split())
    # inkassoloven § 10 second paragraph (a)-(f)
    for required in (
        "Nordlys Elektro AS",  # (a) the creditor
        "2025-0042",  # (b) what the claim is for
        "Hovedkrav 10 000,00",  # (c) principal and additional claims apart
        "Forsinkelsesrente til og med 14.04.2025 143,84",
        "Gebyrer og inndrivingskostnader 595,00",
        "regnet fra 03.03.2025",  # (d) the date interest is counted from
        "Forsinkelsesrente: 12,50 % p.a. (forsinkelsesrenteloven § 3)",  # (d) the rate
        "rettslig inndriving",  # (e) consequences
        "Inkassoklagenemnda",  # (f) the nemnd
        "betale kravet eller komme med innsigelser",
        "28.04.2025",
        "10 738,84",
    ):
        assert required in flat, required


def test_a_batch_of_letters_renders_each_letter_as_its_own_golden_pdf() -> None:
    """The renderer's batch (one thread, one font configuration for all): each letter
    its own PDF, in order, with the text it has alone (its own «Side 1 av 1»)."""
    kinds = ("inkassovarsel", "betalingsoppfordring", "inkassovarsel")
    letters = [example_letter(kind) for kind in kinds]  # type: ignore[arg-type]
    pdfs = PdfDocuments().debtor_letters(letters, issued_at=INKASSOVARSEL_ISSUED_AT)
    assert len(pdfs) == 3
    alone = _text(PdfDocuments().debtor_letter(letters[1], issued_at=INKASSOVARSEL_ISSUED_AT))
    assert _text(pdfs[1]) == alone
    assert _text(pdfs[0]) == _text(pdfs[2])
    assert "Inkassovarsel 100017" in _text(pdfs[0])
    assert "Betalingsoppfordring 100017" in alone
    assert "Side 1 av 1" in _text(pdfs[0])  # not «av 3»: the pages are the letter's own


def test_the_letter_number_names_the_case_kind_and_day() -> None:
    assert example_letter("inkassovarsel").number == "100017-IV-20250324"
    assert example_letter("betalingsoppfordring").number == "100017-BO-20250414"
    assert example_letter("inkassovarsel").amounts.total_ore == 1_010_692


@pytest.mark.parametrize(
    ("change", "rule"),
    [
        ({"deadline_days": 13}, "14 days"),
        ({"creditor": Party("", "974760673")}, "creditor name"),
        ({"claims": ()}, "what the claim is for"),
        ({"amounts": Amounts(0, 0, 0)}, "the amount"),
        ({"kid": ""}, "KID"),
        ({"interest_rate_percent": None}, "the interest rate"),
    ],
)
def test_a_letter_lacking_required_content_is_refused(change: dict[str, object], rule: str) -> None:
    letter = example_letter("betalingsoppfordring")
    days = change.pop("deadline_days", None)
    if isinstance(days, int):
        change["deadline"] = letter.sent_on + timedelta(days=days)
    with pytest.raises(LetterIncomplete, match=rule):
        check_required_content(dataclasses.replace(letter, **change))  # type: ignore[arg-type]


def test_fourteen_days_exactly_is_enough() -> None:
    letter = example_letter("inkassovarsel")
    check_required_content(dataclasses.replace(letter, deadline=letter.sent_on + timedelta(14)))
