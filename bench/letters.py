"""Letters to debtors rendered to PDF/A: the renderer's batch beside one render per letter
as the consumer did it before ADR 0066, in the same script.

    uv run --no-sync python bench/letters.py --letters 200
    uv run --no-sync python bench/letters.py --letters 200 --no-save

- ``before``: each letter rendered on its own, as the consumer did: the template rendered,
  WeasyPrint's ``HTML(...).render()`` with a font configuration of its own (fontconfig's
  configuration and Pango's font map loaded again for every letter), ``write_pdf`` PDF/A-3b;
- ``after``: ``PdfDocuments.debtor_letters`` (what the renderer calls for a batch of
  letters), in batches of ``--batch`` (the renderer's ``REPORTS_RENDERER_LETTERS_PER_JOB``).

Both run in this process, one after the other, imports and the first letter's font
loading done before the clock starts; CPU seconds (``time.process_time``) are the figure
to compare on a loaded machine, wall seconds swing with the load. Letters differ (case
number, name, amounts) as an import's do; each PDF's text is checked to be the same in
both. Writes
``results/letters-<time>.json`` and a section of ``RESULTS.md`` unless ``--no-save``; the
load average is recorded beside the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import time
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
ISSUED_AT = datetime(2026, 3, 24, 6, 0, tzinfo=UTC)


def letters(n: int) -> list[Any]:
    from reports.domain.case_statement import StatementClaim
    from reports.domain.letters import Amounts, DebtorLetter, Recipient
    from reports.domain.order_confirmation import Party

    made = []
    for i in range(n):
        claim = StatementClaim(f"2026-{i:05d}", date(2026, 2, 17), date(2026, 3, 3), 100_000 + i)
        made.append(
            DebtorLetter(
                letter_id=uuid.UUID(int=i),
                kind="inkassovarsel",
                agency=Party("InfoCenter Inkasso AS", "923609016"),
                creditor=Party("Nordlys Elektro AS", "974760673"),
                case_number=f"{100000 + i:06d}",
                creditor_reference=f"F-2026-{i:05d}",
                kid=f"{100000 + i:06d}0",
                pay_to_account="15032080119",
                recipient=Recipient(
                    f"Skyldner Nummer {i}", (f"Storgata {i}",), "0155", "OSLO", "NO"
                ),
                sent_on=date(2026, 3, 24),
                deadline=date(2026, 4, 7),
                claims=(claim,),
                amounts=Amounts(100_000 + i, 719 + i % 50, 3_500),
                amounts_as_of=date(2026, 3, 24),
                interest_from=claim.due_date,
                interest_rate_percent=Decimal("12.5000"),
            )
        )
    return made


def before(batch: Sequence[Any]) -> list[bytes]:
    """One letter at a time, as the consumer rendered it (a font configuration per letter)."""
    from reports.adapters.rendering import PDF_VARIANT, TEMPLATES, PdfRenderer
    from weasyprint import HTML

    renderer = PdfRenderer()
    out = []
    for letter in batch:
        title = f"{letter.title} {letter.case_number}"
        source = renderer.html("debtor_letter.html", {"l": letter, "title": title})
        document = HTML(string=source, base_url=str(TEMPLATES)).render()
        document.metadata.title = title
        document.metadata.created = ISSUED_AT.strftime("%Y-%m-%dT%H:%M:%SZ")
        document.metadata.modified = document.metadata.created
        pdf = document.write_pdf(pdf_variant=PDF_VARIANT)
        assert isinstance(pdf, bytes)
        out.append(pdf)
    return out


def after_with(size: int) -> Callable[[Sequence[Any]], list[bytes]]:
    from reports.adapters.rendering import PdfDocuments

    documents = PdfDocuments()

    def after(batch: Sequence[Any]) -> list[bytes]:
        out: list[bytes] = []
        for start in range(0, len(batch), size):
            out += documents.debtor_letters(batch[start : start + size], issued_at=ISSUED_AT)
        return out

    return after


def text_of(pdf: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()


def timed(render: Callable[[Sequence[Any]], list[bytes]], batch: Sequence[Any]) -> dict[str, Any]:
    render(batch[:1])  # imports, fonts: what a running renderer has loaded
    cpu, wall = time.process_time(), time.perf_counter()
    pdfs = render(batch)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return {
        "seconds": round(wall, 3),
        "cpu_seconds": round(cpu, 3),
        "ms_per_letter": round(1000 * wall / len(batch), 1),
        "letters_per_second": round(len(batch) / wall, 1),
        "bytes": sum(len(p) for p in pdfs),
        "pdfs": pdfs,
    }


def _load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--letters", type=int, default=200)
    parser.add_argument("--batch", type=int, default=20)
    parser.add_argument("--no-save", action="store_true")
    args = parser.parse_args()
    load_start = _load()
    print(f"load average {load_start} on {os.cpu_count()} CPUs")
    batch = letters(args.letters)
    results = {"before": timed(before, batch), "after": timed(after_with(args.batch), batch)}
    for a, b in zip(results["before"].pop("pdfs"), results["after"].pop("pdfs"), strict=True):
        assert text_of(a) == text_of(b), "the letters' text differs"
    ratio = results["after"]["seconds"] / results["before"]["seconds"]
    cpu_ratio = results["after"]["cpu_seconds"] / results["before"]["cpu_seconds"]
    for name, r in results.items():
        print(
            f"{name:>6}: {r['seconds']:7.2f} s ({r['cpu_seconds']:.2f} s CPU, "
            f"{1000 * r['cpu_seconds'] / args.letters:.0f} ms CPU/letter) "
            f"{r['ms_per_letter']:6.1f} ms/letter {r['letters_per_second']:6.1f} letters/s"
        )
    print(
        f"after / before: wall {ratio:.2f}, CPU {cpu_ratio:.2f}; load average at the end {_load()}"
    )
    if not args.no_save:
        _save(args, load_start, results, ratio, cpu_ratio)


def _save(
    args: argparse.Namespace,
    load_start: list[float],
    results: dict[str, Any],
    ratio: float,
    cpu_ratio: float,
) -> None:
    now = datetime.now(UTC)
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
    ).stdout.strip()
    run = {
        "command": f"uv run --no-sync python bench/letters.py --letters {args.letters} "
        f"--batch {args.batch}",
        "at": now.isoformat(timespec="seconds"),
        "commit": commit,
        "nproc": os.cpu_count(),
        "load_at_start": load_start,
        "load_at_end": _load(),
        "results": results,
        "ratio_after_to_before": round(ratio, 3),
        "cpu_ratio_after_to_before": round(cpu_ratio, 3),
    }
    path = BENCH_DIR / "results" / f"letters-{now:%Y%m%dT%H%M%SZ}.json"
    path.write_text(json.dumps(run, indent=2) + "\n")
    md = [
        f"\n## letters to debtors rendered (inkassovarsel PDF/A), {now:%Y-%m-%d %H:%M} UTC\n",
        f"`{run['command']}` — commit {commit}, nproc {run['nproc']}, load average "
        f"{' / '.join(map(str, load_start))} at the start and "
        f"{' / '.join(map(str, run['load_at_end']))} at the end. One process; "
        "before = one WeasyPrint render per letter with its own font configuration (the "
        "consumer before ADR 0066), after = the renderer's `PdfDocuments.debtor_letters` in "
        f"batches of {args.batch}; the same text checked letter by letter.\n",
        "| letters | path | seconds | CPU seconds | CPU ms/letter | ms/letter | letters/s |",
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, r in results.items():
        md.append(
            f"| {args.letters:,} | {name} | {r['seconds']:.2f} | {r['cpu_seconds']:.2f} | "
            f"{1000 * r['cpu_seconds'] / args.letters:.0f} | "
            f"{r['ms_per_letter']:.1f} | {r['letters_per_second']:.1f} |"
        )
    md.append(f"\nafter / before: CPU **{cpu_ratio:.2f}**, wall {ratio:.2f}.")
    with (BENCH_DIR / "RESULTS.md").open("a", encoding="utf-8") as f:
        f.write("\n".join(md) + "\n")
    print(f"wrote {path.relative_to(BENCH_DIR.parent)} and a section of bench/RESULTS.md")


if __name__ == "__main__":
    main()
