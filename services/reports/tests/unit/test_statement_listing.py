"""The settlement statement's lines as a fixed-width listing: aligned, chunked, nothing cut."""

from __future__ import annotations

import dataclasses

from reports.adapters.listing import (
    CHUNK_LINES,
    FIRST_CHUNK_LINES,
    FONT_PT,
    PAGE_CHARACTERS,
    REFERENCE_WIDTH,
    statement_listing,
)
from reports.domain.statement import statement_of

from .worked_example import worked_example

LONG_REFERENCE = "Faktura 2026-000123 / ordre 77881 / prosjekt Nordlys"  # 52 characters


def _statement(lines: int, reference: str = "F-2026-0042") -> object:
    _, example, _ = worked_example()
    line = dataclasses.replace(example.lines[0], creditor_reference=reference)
    many = [dataclasses.replace(line, line_id=i, case_number=f"{100017 + i}") for i in range(lines)]
    return statement_of(many, credit_report_charges_ore=0, vat_deductible=True)


def test_the_amounts_end_under_their_headings_and_the_sum_line_too() -> None:
    listing = statement_listing(_statement(3))  # type: ignore[arg-type]
    first, second = listing.heading.split("\n")
    rows = listing.chunks[0].split("\n")
    assert second.split()[:3] == ["Sak", "Deres", "ref."]
    assert {len(second), len(listing.total), *(len(r) for r in rows)} == {len(second)}
    assert second.endswith("dere")
    assert first.endswith("Netto til")
    # reports.md §1.4's line; each column as wide as its widest cell (heading, line or sum:
    # the VAT column takes the sum's 1 035,00), two spaces between columns
    assert rows[0] == (
        "100017  F-2026-0042  02.03.2026  11\u202f400,00  10\u202f000,00  100,00     0,00"
        "  1\u202f300,00    0,00      80,00    345,00  10\u202f020,00"
    )
    # the first three columns are 6 + 2 + 11 + 2 + 10 = 31 wide; three times the line:
    # paid 34 200,00, commission 240,00, VAT 1 035,00, net 30 060,00
    assert listing.total == (
        "Sum (3 linjer)" + " " * 19 + "34\u202f200,00  30\u202f000,00  300,00     0,00"
        "  3\u202f900,00    0,00     240,00  1\u202f035,00  30\u202f060,00"
    )


def test_a_long_reference_wraps_onto_continuation_lines_and_nothing_is_cut() -> None:
    listing = statement_listing(_statement(1, LONG_REFERENCE))  # type: ignore[arg-type]
    rows = listing.chunks[0].split("\n")
    assert len(rows) == 3  # 52 characters in columns of 20
    start = rows[0].index("Faktura")
    pieces = [r[start : start + REFERENCE_WIDTH].strip() for r in rows]
    assert " ".join(pieces) == LONG_REFERENCE
    assert all(r[:start].strip() == "" for r in rows[1:])  # no case number, no amounts
    assert all(r[start + REFERENCE_WIDTH :].strip() == "" for r in rows[1:])


def test_the_lines_come_in_page_sized_chunks_in_their_order() -> None:
    n = FIRST_CHUNK_LINES + CHUNK_LINES + 1
    listing = statement_listing(_statement(n))  # type: ignore[arg-type]
    assert [len(c.split("\n")) for c in listing.chunks] == [FIRST_CHUNK_LINES, CHUNK_LINES, 1]
    numbers = [r.split()[0] for c in listing.chunks for r in c.split("\n")]
    assert numbers == [f"{100017 + i}" for i in range(n)]


def test_a_wrapped_reference_is_not_split_from_its_line_by_a_chunk() -> None:
    listing = statement_listing(_statement(30, LONG_REFERENCE))  # type: ignore[arg-type]
    chunks = [c.split("\n") for c in listing.chunks]
    # 3 lines a case: 7 cases fill the first 20 lines, 15 the next 44, 8 are left
    assert [len(c) for c in chunks] == [21, 45, 24]
    for chunk in chunks:
        assert chunk[0].startswith("1000")  # a case number, not a continuation
        assert chunk[-1].strip() == "prosjekt Nordlys"


def test_a_listing_wider_than_the_page_is_set_smaller_to_fit() -> None:
    assert statement_listing(_statement(1)).font_pt == FONT_PT  # type: ignore[arg-type]
    _, example, _ = worked_example()
    big = 10**13  # 100 billion kroner in every column: 18-character amounts, 21 in the sum
    huge = dataclasses.replace(
        example.lines[0], principal_ore=big, interest_ore=big, reminder_fees_ore=big,
        collection_fees_ore=big, court_fees_ore=big, commission_ore=big, vat_ore=big,
        net_ore=2 * big,
    )  # fmt: skip
    listing = statement_listing(
        statement_of([huge] * 3, credit_report_charges_ore=0, vat_deductible=True)
    )
    assert listing.width > PAGE_CHARACTERS
    assert listing.font_pt < FONT_PT
    assert listing.width * listing.font_pt <= PAGE_CHARACTERS * FONT_PT
