"""The settlement statement's lines as a fixed-width listing (monospace columns).

A table cell is WeasyPrint's dearest box: a 10,000-line statement as a 12-column table
took minutes and gigabytes (ADR 0039). As text in a monospace font, padded here to aligned
columns and handed to the template in page-sized chunks (a ``<pre>`` each, under its own
copy of the column headings, kept on one page), it renders in seconds: no table at all.
A creditor reference longer than its column wraps onto continuation lines; nothing is cut.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

from reports.domain.money import kroner
from reports.domain.statement import Statement, StatementLine

FIRST_CHUNK_LINES = 20
"""Lines under the statement's header on its first page."""
CHUNK_LINES = 44
"""Lines of a full A4 landscape page at 7 pt, with the headings and the sum line."""
REFERENCE_WIDTH = 20
"""A creditor reference (up to 60 characters) wraps at this width."""
GAP = "  "
FONT_PT = 7.0
PAGE_CHARACTERS = 180
"""Characters of DejaVu Sans Mono at :data:`FONT_PT` across A4 landscape between the
margins (273 mm; a character is 0.602 em); a wider listing is set smaller to fit."""

HEADINGS: tuple[tuple[str, str], ...] = (
    ("", "Sak"),
    ("", "Deres ref."),
    ("", "Dato"),
    ("", "Innbetalt"),
    ("", "Hovedstol"),
    ("", "Renter"),
    ("Deres", "gebyrer"),
    ("Inkasso-", "salær"),
    ("Retts-", "gebyr"),
    ("", "Provisjon"),
    ("", "MVA"),
    ("Netto til", "dere"),
)
TEXT_COLUMNS = 3
"""Case number, reference and date are left-aligned; the amounts right-aligned."""


@dataclass(frozen=True, slots=True)
class Listing:
    heading: str
    chunks: tuple[str, ...]
    total: str
    width: int
    """Characters in the longest line."""

    @property
    def font_pt(self) -> float:
        """The font size that fits the listing across the page (at most :data:`FONT_PT`)."""
        fitting = FONT_PT * PAGE_CHARACTERS / max(self.width, 1)
        return min(FONT_PT, math.floor(fitting * 100) / 100)  # down: never over the edge


def _amounts(line: StatementLine | None, statement: Statement) -> list[str]:
    x = line or statement.totals
    return [
        kroner(v)
        for v in (
            x.paid_ore,
            x.principal_ore,
            x.interest_ore,
            x.reminder_fees_ore,
            x.collection_fees_ore,
            x.court_fees_ore,
            x.commission_ore,
            x.vat_ore,
            x.net_ore,
        )
    ]


def _row(cells: Sequence[str], widths: Sequence[int], left: int = TEXT_COLUMNS) -> str:
    parts = [
        cell.ljust(width) if i < left else cell.rjust(width)
        for i, (cell, width) in enumerate(zip(cells, widths, strict=True))
    ]
    return GAP.join(parts).rstrip()


def statement_listing(statement: Statement) -> Listing:
    """The statement's lines, headings and sum line as aligned monospace text."""
    rows: list[list[str]] = []
    for line in statement.lines:
        reference = (
            [line.creditor_reference]
            if len(line.creditor_reference) <= REFERENCE_WIDTH
            else textwrap.wrap(line.creditor_reference, REFERENCE_WIDTH, break_on_hyphens=False)
        )
        date = line.value_date.strftime("%d.%m.%Y")
        rows.append([line.case_number, reference[0], date, *_amounts(line, statement)])
        rows.extend(["", more, "", *[""] * 9] for more in reference[1:])
    total_cells = ["", "", "", *_amounts(None, statement)]
    widths = [max(len(top), len(bottom)) for top, bottom in HEADINGS]
    for cells in [*rows, total_cells]:
        widths = [max(w, len(c)) for w, c in zip(widths, cells, strict=True)]
    label = f"Sum ({len(statement.lines)} linjer)"
    lead = sum(widths[:TEXT_COLUMNS]) + len(GAP) * (TEXT_COLUMNS - 1)
    if len(label) > lead:
        widths[TEXT_COLUMNS - 1] += len(label) - lead
        lead = len(label)
    heading = "\n".join(_row([h[i] for h in HEADINGS], widths) for i in (0, 1))
    text = [_row(cells, widths) for cells in rows]
    total = label.ljust(lead) + GAP + _row(total_cells[TEXT_COLUMNS:], widths[TEXT_COLUMNS:], 0)
    chunks: list[list[str]] = [[]]
    for printed in text:  # a continuation line stays with its line
        room = FIRST_CHUNK_LINES if len(chunks) == 1 else CHUNK_LINES
        if len(chunks[-1]) >= room and printed[: len(GAP) + 1].strip():
            chunks.append([])
        chunks[-1].append(printed)
    width = max(len(printed) for printed in [*heading.split("\n"), *text, total])
    return Listing(
        heading=heading, chunks=tuple("\n".join(c) for c in chunks), total=total, width=width
    )
