"""A bought credit report as PDF: the report page's content through Jinja2 and WeasyPrint.

The same libraries as the reports service's documents (ADR 0031), but the credit service
owns its reports and renders them itself. Rendering is CPU work: :func:`render` is called
in a worker thread (``asyncio.to_thread``), never on the event loop. The document is in
Norwegian (bokmål), like the agency's other documents; codes are named in
:data:`WORDS`, and an unknown code is shown as it is.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Final
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

OSLO = ZoneInfo("Europe/Oslo")
DASH: Final = "\u2013"
TEMPLATES = Path(__file__).resolve().parents[1] / "templates"

WORDS: Final[dict[str, str]] = {
    "product.COMPANY_STANDARD": "Kredittopplysning på foretak",
    "product.PERSON_STANDARD": "Kredittopplysning på privatperson",
    "purpose.CASE_ASSESSMENT": "Vurdering og inndriving av krav i en sak",
    "purpose.LEGAL_STEP_ASSESSMENT": "Vurdering før rettslige skritt",
    "purpose.PAYMENT_PLAN_ASSESSMENT": "Vurdering av betalingsavtale",
    "purpose.CREDITOR_CREDIT_DECISION": "Kredittvurdering av egen kunde",
    "kind.company": "Foretak",
    "kind.person": "Person",
    "rating.AAA": "Høyeste kredittverdighet",
    "rating.AA": "Svært kredittverdig",
    "rating.A": "Kredittverdig",
    "rating.B": "Kreditt mot sikkerhet",
    "rating.C": "Kreditt frarådes",
    "rating.AN": "Nyetablert \u2013 for lite grunnlag for rating",
    "band.very-low": "svært lav risiko",
    "band.low": "lav risiko",
    "band.moderate": "moderat risiko",
    "band.high": "høy risiko",
    "band.very-high": "svært høy risiko",
    "remark.inkasso": "Inkasso",
    "remark.utlegg": "Utlegg",
    "remark.lonnstrekk": "Lønnstrekk",
    "remark.konkurs": "Konkurs",
    "remark.forlik": "Forliksrådsdom",
    "status.active": "Aktivt",
    "status.bankrupt": "Konkurs",
    "status.dissolved": "Oppløst",
    "status.alive": "Registrert bosatt",
    "status.deceased": "Død",
    "role.ceo": "Daglig leder",
    "role.board-chair": "Styreleder",
    "role.board-member": "Styremedlem",
    "role.owner": "Innehaver",
    "role.estate-administrator": "Bostyrer",
    "role.branch-manager": "Daglig leder i Norge (NUF)",
}


def kroner(ore: int | None) -> str:
    """``123456`` øre → ``kr 1 234,56`` (a narrow no-break space between thousands)."""
    if ore is None:
        return DASH
    sign = "-" if ore < 0 else ""
    whole, cents = divmod(abs(ore), 100)
    grouped = f"{whole:,}".replace(",", "\u202f")
    return f"{sign}kr {grouped},{cents:02d}"


def _date(value: Any) -> str:
    if not value:
        return ""
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    formatted: str = value.strftime("%d.%m.%Y")
    return formatted


def _word(prefix: str, code: Any) -> str:
    return WORDS.get(f"{prefix}.{code}", str(code or DASH))


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
    env.globals["word"] = _word
    return env


_ENV = _environment()


def html(order: dict[str, Any], *, printed_at: datetime) -> str:
    """The report's HTML (``order`` as the API shows it, with its ``report``)."""
    printed = printed_at.astimezone(OSLO).strftime("%d.%m.%Y kl. %H:%M")
    return _ENV.get_template("credit_report.html").render(order=order, printed=printed)


def render(order: dict[str, Any], *, printed_at: datetime) -> bytes:
    """The PDF (PDF/A-3b, DejaVu fonts embedded); CPU work, call it in a worker thread."""
    from weasyprint import HTML  # heavy: only where a PDF is made

    document = HTML(string=html(order, printed_at=printed_at), base_url=str(TEMPLATES)).render()
    document.metadata.title = "Kredittopplysning"
    document.metadata.created = printed_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    document.metadata.modified = document.metadata.created
    result = document.write_pdf(pdf_variant="pdf/a-3b")
    assert isinstance(result, bytes)
    return result
