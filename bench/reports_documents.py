"""Settlement statement of N lines as PDF and XLSX: seconds and peak memory, each beside the
same library writing an equivalent plain table in the same script (the ratio).

    uv run --no-sync python bench/reports_documents.py --lines 10 1000 10000

- ``pdf``: ``PdfDocuments.settlement_statement`` (PDF/A-3b, both CSVs attached); baseline
  ``pdf-plain``: WeasyPrint rendering a bare ``<table>`` of the same cells (no CSS).
- ``xlsx``: the statement's lines through the reports' streamed XLSX writer
  (``reports.adapters.exports.xlsx_stream``, XlsxWriter ``constant_memory``, the
  ``innbetalinger`` report's columns and formats), in chunks of 2,000; baseline
  ``xlsx-plain``: XlsxWriter (``constant_memory``) ``write_row`` of the same values, no
  formats, no temporary-file streaming.

Each measurement runs in a fresh process (WeasyPrint keeps memory it once took), and its
peak resident set (``ru_maxrss``) is what the process reached, interpreter and imports
included; imports are done before the clock starts (a consumer has them loaded), the
first render's font loading is timed. ``--skip-plain-pdf-over N`` leaves out the plain
PDF table above N lines (it takes minutes and gigabytes at 10,000). Writes
``results/reports_documents-<time>.json`` and a section of ``RESULTS.md`` unless
``--no-save``; the load average is recorded beside them.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import resource
import subprocess
import time
import uuid
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
AIMS = {"pdf": (10.0, 500.0), "xlsx": (3.0, 100.0)}
"""The issue's aims for 10,000 lines: seconds, peak MB."""


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


def _xlsx_rows(statement: Any, number: str) -> list[tuple[Any, ...]]:
    return [
        (x.value_date, x.case_number, x.creditor_reference, x.principal_ore, x.interest_ore,
         x.reminder_fees_ore, x.collection_fees_ore, x.court_fees_ore, x.commission_ore,
         x.net_ore, number)
        for x in statement.lines
    ]  # fmt: skip


def _xlsx(statement: Any, number: str) -> int:
    from reports.adapters.exports import xlsx_stream
    from reports.domain.catalogue import CATALOGUE

    rows = _xlsx_rows(statement, number)

    async def chunks() -> Any:
        for i in range(0, len(rows), 2000):
            yield rows[i : i + 2000]

    async def write() -> int:
        size = 0
        async for data in xlsx_stream(CATALOGUE["innbetalinger"].columns, chunks()):
            size += len(data)
        return size

    return asyncio.run(write())


def _xlsx_plain(statement: Any, number: str) -> int:
    import tempfile

    import xlsxwriter

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "plain.xlsx"
        workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True, "tmpdir": folder})
        sheet = workbook.add_worksheet()
        for row, values in enumerate(_xlsx_rows(statement, number)):
            sheet.write_row(row, 0, [str(values[0]), *values[1:]])
        workbook.close()
        return path.stat().st_size


def _pdf(header: Any, statement: Any, lines_csv: bytes, proposal: bytes) -> int:
    from reports.adapters.rendering import PdfDocuments

    return len(
        PdfDocuments().settlement_statement(
            header, statement, issued_at=datetime.now(UTC), lines_csv=lines_csv,
            postings_csv=proposal,
        )
    )  # fmt: skip


def _pdf_plain(statement: Any) -> int:
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
    assert pdf is not None
    return len(pdf)


def _run(kind: str, lines: int, out: Any) -> None:
    header, statement, lines_csv, proposal = _statement(lines)
    if kind.startswith("pdf"):  # imports untimed: a rendering process has them loaded
        import weasyprint  # noqa: F401
        from reports.adapters import rendering  # noqa: F401
    else:
        import xlsxwriter  # noqa: F401
        from reports.adapters import exports  # noqa: F401

    started = time.perf_counter()
    if kind == "pdf":
        size = _pdf(header, statement, lines_csv, proposal)
    elif kind == "pdf-plain":
        size = _pdf_plain(statement)
    elif kind == "xlsx":
        size = _xlsx(statement, header.number)
    else:
        size = _xlsx_plain(statement, header.number)
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out.put({"kind": kind, "lines": lines, "seconds": seconds, "peak_mb": peak_mb,
             "bytes": size})  # fmt: skip


def measure(kind: str, lines: int) -> dict[str, Any]:
    context = multiprocessing.get_context("spawn")
    out = context.Queue()
    process = context.Process(target=_run, args=(kind, lines, out))
    process.start()
    result: dict[str, Any] = out.get()
    process.join()
    return result


def _load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def _line(r: dict[str, Any] | None) -> str:
    if r is None:
        return "(not run)"
    return f"{r['seconds']:7.2f} s {r['peak_mb']:6.0f} MB {r['bytes'] / 1e6:6.2f} MB"


def _aim(fmt: str, r: dict[str, Any]) -> str:
    seconds, mb = AIMS[fmt]
    met = r["seconds"] < seconds and r["peak_mb"] < mb
    return f"{'met' if met else 'missed'} (< {seconds:g} s, < {mb:g} MB)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lines", type=int, nargs="+", default=[10, 1000])
    parser.add_argument("--skip-plain-pdf-over", type=int, default=None)
    parser.add_argument("--no-save", action="store_true")
    args = parser.parse_args()
    load_start = _load()
    print(f"load average {load_start} on {os.cpu_count()} CPUs")
    results: list[dict[str, Any]] = []
    over = args.skip_plain_pdf_over
    for lines in args.lines:
        row: dict[str, Any] = {"lines": lines, "load_before": _load()}
        for fmt in ("pdf", "xlsx"):
            subject = measure(fmt, lines)
            skip = fmt == "pdf" and over is not None and lines > over
            plain = None if skip else measure(f"{fmt}-plain", lines)
            ratio = subject["seconds"] / plain["seconds"] if plain else None
            row[fmt] = {"subject": subject, "plain": plain, "ratio": ratio}
            shown = f"{ratio:5.2f}" if ratio is not None else "  -  "
            aim = f" | aim at 10,000: {_aim(fmt, subject)}" if lines == 10_000 else ""
            print(f"{lines:>6} lines {fmt:>4}: {_line(subject)} | plain {_line(plain)} | "
                  f"ratio {shown}{aim}")  # fmt: skip
        results.append(row)
    if not args.no_save:
        _save(args, load_start, results)


def _save(args: argparse.Namespace, load_start: list[float], results: list[dict[str, Any]]) -> None:
    now = datetime.now(UTC)
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
    ).stdout.strip()
    run = {
        "command": "uv run --no-sync python bench/reports_documents.py --lines "
        + " ".join(str(n) for n in args.lines)
        + (
            f" --skip-plain-pdf-over {args.skip_plain_pdf_over}" if args.skip_plain_pdf_over else ""
        ),
        "at": now.isoformat(timespec="seconds"),
        "commit": commit,
        "nproc": os.cpu_count(),
        "load_at_start": load_start,
        "load_at_end": _load(),
        "results": results,
    }
    path = BENCH_DIR / "results" / f"reports_documents-{now:%Y%m%dT%H%M%SZ}.json"
    path.write_text(json.dumps(run, indent=2) + "\n")
    md = [
        f"\n## reports documents: settlement statement PDF and XLSX, {now:%Y-%m-%d %H:%M} UTC\n",
        f"`{run['command']}` — commit {commit}, nproc {run['nproc']}, load average "
        f"{' / '.join(map(str, load_start))} at the start and "
        f"{' / '.join(map(str, run['load_at_end']))} at the end. Each figure a fresh process; "
        "peak RSS from `ru_maxrss`; the baseline is the same library writing a plain table "
        "of the same cells (ratio = statement seconds / plain seconds).\n",
        "| lines | format | seconds | peak RSS | file | plain: seconds | plain: peak RSS | ratio |",
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in results:
        for fmt in ("pdf", "xlsx"):
            s, p, ratio = row[fmt]["subject"], row[fmt]["plain"], row[fmt]["ratio"]
            md.append(
                f"| {row['lines']:,} | {fmt.upper()} | {s['seconds']:.2f} | "
                f"{s['peak_mb']:.0f} MB | "
                f"{s['bytes'] / 1e6:.2f} MB | "
                + (
                    f"{p['seconds']:.2f} | {p['peak_mb']:.0f} MB | {ratio:.2f} |"
                    if p
                    else "- | - | - |"
                )
            )
    with (BENCH_DIR / "RESULTS.md").open("a", encoding="utf-8") as f:
        f.write("\n".join(md) + "\n")
    print(f"wrote {path.relative_to(BENCH_DIR.parent)} and a section of bench/RESULTS.md")


if __name__ == "__main__":
    main()
