"""Settlement statement rendering: seconds and peak memory for N lines, beside the same
library rendering an equivalent plain table (the ratio says what the statement's layout
costs over WeasyPrint's own table work).

    uv run --no-sync python bench/reports_documents.py --lines 10 1000 5000
    uv run --no-sync python bench/reports_documents.py --lines 10000   # about two minutes

Each measurement runs in a fresh process (WeasyPrint keeps memory it once took), and its
peak resident set (``ru_maxrss``) is what the process reached. Writes ``results/
reports_documents-<time>.json`` unless ``--no-save``.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import resource
import time
import uuid
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any


def _statement(lines: int) -> tuple[Any, Any, bytes, bytes]:
    from reports.domain.layouts import postings_csv, statement_csv
    from reports.domain.postings import posting_proposal
    from reports.domain.statement import StatementHeader, StatementLine, line_vat, statement_of

    items = []
    for i in range(lines):
        principal, interest, salaer = 100_000 + i, 1_000 + i % 97, 35_000
        commission = (principal + interest) // 20
        items.append(
            StatementLine(
                line_id=i,
                case_id=uuid.UUID(int=i),
                case_number=f"{100000 + i:06d}",
                creditor_reference=f"F-2026-{i:05d}",
                payment_id=uuid.UUID(int=10**9 + i),
                value_date=date(2026, 3, 1 + i % 28),
                principal_ore=principal,
                interest_ore=interest,
                reminder_fees_ore=0,
                collection_fees_ore=salaer,
                court_fees_ore=0,
                commission_ore=commission,
                net_ore=principal + interest - commission,
                vat_ore=line_vat(
                    collection_fees_ore=salaer, commission_ore=commission, vat_deductible=True
                ),
            )
        )
    statement = statement_of(items, credit_report_charges_ore=0, vat_deductible=True)
    header = StatementHeader(
        "InfoCenter Inkasso AS", "923609016", "Nordlys Elektro AS", "974760673",
        "AVR-2026-000001", date(2026, 3, 31), date(2026, 3, 1), date(2026, 3, 31),
        "AV-0000001", date(2026, 3, 31), "15032080119", "12345678903",
    )  # fmt: skip
    proposal = postings_csv(posting_proposal(statement), voucher=header.number, on=header.issued_on)
    return header, statement, statement_csv(statement), proposal


def _run(kind: str, lines: int, out: Any) -> None:
    header, statement, lines_csv, proposal = _statement(lines)
    started = time.perf_counter()
    if kind == "statement":
        from reports.adapters.rendering import PdfDocuments

        pdf = PdfDocuments().settlement_statement(
            header,
            statement,
            issued_at=datetime.now(UTC),
            lines_csv=lines_csv,
            postings_csv=proposal,
        )
    else:
        from weasyprint import HTML

        rows = "".join(
            f"<tr><td>{x.case_number}</td><td>{x.creditor_reference}</td><td>{x.value_date}</td>"
            + "".join(f"<td>{v}</td>" for v in (x.paid_ore, x.principal_ore, x.interest_ore,
                      x.reminder_fees_ore, x.collection_fees_ore, x.court_fees_ore,
                      x.commission_ore, x.vat_ore, x.net_ore))
            + "</tr>"
            for x in statement.lines
        )  # fmt: skip
        pdf = HTML(string=f"<table>{rows}</table>").write_pdf()
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out.put({"kind": kind, "lines": lines, "seconds": seconds, "peak_mb": peak_mb,
             "bytes": len(pdf)})  # fmt: skip


def measure(kind: str, lines: int) -> dict[str, Any]:
    context = multiprocessing.get_context("spawn")
    out = context.Queue()
    process = context.Process(target=_run, args=(kind, lines, out))
    process.start()
    result: dict[str, Any] = out.get()
    process.join()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lines", type=int, nargs="+", default=[10, 1000])
    parser.add_argument("--no-save", action="store_true")
    args = parser.parse_args()
    results = []
    for lines in args.lines:
        statement = measure("statement", lines)
        plain = measure("plain", lines)
        ratio = statement["seconds"] / plain["seconds"]
        s, p = statement, plain
        print(
            f"{lines:>6} lines: statement {s['seconds']:6.1f} s {s['peak_mb']:5.0f} MB"
            f" {s['bytes'] / 1e6:5.2f} MB PDF | plain table {p['seconds']:6.1f} s"
            f" {p['peak_mb']:5.0f} MB | ratio {ratio:.2f}"
        )
        results.append({"statement": statement, "plain": plain, "ratio": ratio})
    if not args.no_save:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        path = Path(__file__).parent / "results" / f"reports_documents-{stamp}.json"
        path.write_text(json.dumps(results, indent=2) + "\n")
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
