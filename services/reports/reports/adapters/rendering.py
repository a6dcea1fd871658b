"""Documents rendered to PDF/A-3b: Jinja2 HTML/CSS templates through WeasyPrint.

Fonts are DejaVu (Debian's fonts-dejavu-core, found through fontconfig), embedded in the
PDF; the data files a document is made from (CSV) are attached to it (PDF/A-3), so the
archived copy holds the machine-readable version too. Rendering is CPU work: callers run
it in a worker thread (``asyncio.to_thread``), never on an event loop.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from reports.adapters.listing import Listing, statement_listing
from reports.domain.case_statement import CaseStatement
from reports.domain.corrections import CorrectedDocument
from reports.domain.layouts import order_csv
from reports.domain.letters import DebtorLetter
from reports.domain.money import kroner, percent
from reports.domain.order_confirmation import OrderConfirmation
from reports.domain.statement import Statement, StatementHeader

OSLO = ZoneInfo("Europe/Oslo")
TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
PDF_VARIANT = "pdf/a-3b"
TABLE_MAX_LINES = 100
"""A statement of up to this many lines prints them as a ruled table (one column per part);
a longer one as a fixed-width listing in page-sized blocks, which WeasyPrint lays out many
times faster (ADR 0039: a 1,000-line table took 26 s, the listing 1-2 s)."""


@dataclass(frozen=True, slots=True)
class AttachedFile:
    name: str
    content: bytes
    description: str


def _date(value: Any) -> str:
    return value.strftime("%d.%m.%Y") if value else ""


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["kr"] = kroner
    env.filters["dato"] = _date
    env.filters["prosent"] = percent
    return env


class PdfRenderer:
    """Renders a named template with its context to PDF/A-3b bytes.

    Each thread that renders keeps one WeasyPrint font configuration (fontconfig's
    configuration and Pango's font map, with the fonts it loaded and their caches) for
    every document it renders, instead of loading them again per document: about 15 % of
    a letter's CPU (``bench/letters.py``). Pango's font map is not shared across threads.
    """

    def __init__(self) -> None:
        self.env = _environment()
        self._local = threading.local()

    def _fonts(self) -> Any:
        fonts = getattr(self._local, "fonts", None)
        if fonts is None:
            from weasyprint.text.fonts import FontConfiguration

            fonts = self._local.fonts = FontConfiguration()
        return fonts

    def html(self, template: str, context: Mapping[str, Any]) -> str:
        return self.env.get_template(template).render(**context)

    def pdf(
        self,
        template: str,
        context: Mapping[str, Any],
        *,
        title: str,
        created: datetime,
        attachments: Sequence[AttachedFile] = (),
    ) -> bytes:
        """The PDF of ``template``; ``created`` is written as its creation date, so the same
        input gives the same text (the bytes also hold random ids)."""
        from weasyprint import HTML, Attachment  # heavy: only the processes that render

        source = self.html(template, {**context, "title": title})
        html = HTML(string=source, base_url=str(TEMPLATES))
        document = html.render(font_config=self._fonts())
        document.metadata.title = title
        document.metadata.created = created.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        document.metadata.modified = document.metadata.created
        result = document.write_pdf(
            pdf_variant=PDF_VARIANT,
            attachments=[
                Attachment(
                    string=a.content,
                    name=a.name,
                    description=a.description,
                    created=created,
                    modified=created,
                    relationship="Data",
                )
                for a in attachments
            ],
        )
        assert isinstance(result, bytes)
        return result


def _listing(statement: Statement) -> Listing | None:
    """The fixed-width listing for a statement too long for a table (ADR 0039)."""
    return statement_listing(statement) if len(statement.lines) > TABLE_MAX_LINES else None


def _voucher_files(
    stem: str, number: str, lines_csv: bytes, postings_csv: bytes
) -> list[AttachedFile]:
    return [
        AttachedFile(
            name=f"{stem}-{number}.csv",
            content=lines_csv,
            description="Linjene (CSV)" if stem == "kreditnota" else "Avregningens linjer (CSV)",
        ),
        AttachedFile(
            name=f"bokforingsforslag-{number}.csv",
            content=postings_csv,
            description="Bokføringsforslag (CSV)",
        ),
    ]


CHANNELS = {"api": "API", "form": "Skjema i portalen", "import": "Filimport"}


class PdfDocuments:
    """The documents' PDFs (:class:`reports.service_layer.issuing.DocumentRenderer`)."""

    def __init__(self, renderer: PdfRenderer | None = None) -> None:
        self.renderer = renderer or PdfRenderer()

    def order_confirmation(self, confirmation: OrderConfirmation, *, issued_at: datetime) -> bytes:
        received = confirmation.registered_at.astimezone(OSLO).strftime("%d.%m.%Y kl. %H:%M")
        return self.renderer.pdf(
            "order_confirmation.html",
            {
                "c": confirmation,
                "received": received,
                "channel": CHANNELS.get(confirmation.channel, confirmation.channel),
            },
            title=f"Ordrebekreftelse {confirmation.batch_number}",
            created=issued_at,
            attachments=[
                AttachedFile(
                    name=f"ordrebekreftelse-{confirmation.batch_number}.csv",
                    content=order_csv(confirmation),
                    description="Registrerte saker (CSV)",
                )
            ],
        )

    def settlement_statement(
        self,
        header: StatementHeader,
        statement: Statement,
        *,
        issued_at: datetime,
        lines_csv: bytes,
        postings_csv: bytes,
        corrects: CorrectedDocument | None = None,
    ) -> bytes:
        """A statement; ``corrects`` on a replacement (the statement it replaces)."""
        return self.renderer.pdf(
            "settlement_statement.html",
            {
                "h": header,
                "s": statement,
                "t": statement.totals,
                "listing": _listing(statement),
                "corrects": corrects,
            },
            title=f"Avregning {header.number}",
            created=issued_at,
            attachments=_voucher_files("avregning", header.number, lines_csv, postings_csv),
        )

    def credit_note(
        self,
        header: StatementHeader,
        credit: Statement,
        *,
        corrects: CorrectedDocument,
        issued_at: datetime,
        lines_csv: bytes,
        postings_csv: bytes,
    ) -> bytes:
        """A statement's credit note (kreditnota): ``credit`` holds its negated lines."""
        return self.renderer.pdf(
            "credit_note.html",
            {
                "h": header,
                "s": credit,
                "t": credit.totals,
                "listing": _listing(credit),
                "c": corrects,
            },
            title=f"Kreditnota {header.number}",
            created=issued_at,
            attachments=_voucher_files("kreditnota", header.number, lines_csv, postings_csv),
        )

    def case_statement(self, statement: CaseStatement, *, issued_at: datetime) -> bytes:
        return self.renderer.pdf(
            "case_statement.html",
            {"c": statement},
            title=f"Saksoppstilling {statement.case_number}",
            created=issued_at,
        )

    def debtor_letter(self, letter: DebtorLetter, *, issued_at: datetime) -> bytes:
        return self.renderer.pdf(
            "debtor_letter.html",
            {"l": letter},
            title=f"{letter.title} {letter.case_number}",
            created=issued_at,
        )

    def debtor_letters(
        self, letters: Sequence[DebtorLetter], *, issued_at: datetime
    ) -> list[bytes]:
        """Each letter's own PDF, in order: one thread (one font configuration) renders the
        renderer's batch, each letter on its own (every letter numbers its own pages)."""
        return [self.debtor_letter(letter, issued_at=issued_at) for letter in letters]
