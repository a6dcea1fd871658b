"""The case list's words for its money columns, its total and its export (key, bokmål,
English), joined into :data:`gateway.portal.messages.MESSAGES`.

Kept apart so that the lead can move them into the gettext catalogues at merge.
"""

from __future__ import annotations

ENTRIES: list[tuple[str, str, str]] = [
    ("cases.sort.balance", "Saldo", "Balance"),
    ("cases.col.paid", "Innbetalt", "Paid"),
    ("cases.col.balance", "Saldo", "Balance"),
    ("cases.total.one", "1 sak passer søket.", "1 case matches the search."),
    ("cases.total.other", "{n} saker passer søket.", "{n} cases match the search."),
    (
        "cases.total.more",
        "Mer enn {n} saker passer søket.",
        "More than {n} cases match the search.",
    ),
    ("cases.export", "Last ned listen", "Download the list"),
    ("cases.export.csv", "CSV (Excel)", "CSV (Excel)"),
    ("cases.export.xlsx", "Excel-arbeidsbok (XLSX)", "Excel workbook (XLSX)"),
    (
        "cases.export.hint",
        "Alle sakene som passer søket, ikke bare denne siden, med saldo og innbetalt i kroner.",
        "Every case that matches the search, not only this page, with balance and paid in kroner.",
    ),
    (
        "cases.balance_hint",
        "Saldo er det skyldneren skylder slik regnskapet sist bokførte det; renter løper daglig.",
        "The balance is what the debtor owes as the ledger last booked it; interest accrues daily.",
    ),
]
