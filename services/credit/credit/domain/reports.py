"""A credit report in our own words: what the portal shows, whatever bureau sent it (pure).

Amounts are øre; ``as_of`` is the date the bureau's data is from. A company report has
registry data, roles, key figures, a rating and a recommended credit limit; a person
report a score, an address and status. Both have payment remarks (betalingsanmerkninger).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from credit.domain.subjects import SubjectKind

PERSON_RISK_BANDS = (
    (71, "very-low"),
    (51, "low"),
    (30, "moderate"),
    (21, "high"),
    (0, "very-high"),
)
"""The generic 0-100 person scale Norwegian lenders use (credit.md §2.3)."""


@dataclass(frozen=True, slots=True)
class Remark:
    """A payment remark: inkasso, utlegg, lønnstrekk, konkurs …"""

    kind: str
    amount_ore: int
    creditor: str | None
    registered_on: date | None
    reference: str | None
    source: str | None


@dataclass(frozen=True, slots=True)
class Address:
    street: str
    postal_code: str
    city: str
    country: str = "NO"


@dataclass(frozen=True, slots=True)
class Role:
    role: str
    name: str
    birth_year: int | None = None


@dataclass(frozen=True, slots=True)
class KeyFigures:
    year: int
    revenue_ore: int | None
    operating_result_ore: int | None
    equity_ore: int | None
    total_assets_ore: int | None


@dataclass(frozen=True, slots=True)
class CompanyDetails:
    organisation_number: str
    organisation_form: str
    registered_on: date | None
    nace_code: str | None
    share_capital_ore: int | None
    roles: tuple[Role, ...] = ()
    key_figures: tuple[KeyFigures, ...] = ()
    owner_name: str | None = None
    foreign_parent: str | None = None


@dataclass(frozen=True, slots=True)
class CreditReport:
    kind: SubjectKind
    as_of: date
    subject_name: str
    subject_status: str
    """``active``, ``bankrupt``, ``dissolved`` (companies); ``alive``, ``deceased`` (persons)."""
    score: int | None
    score_scale: str | None
    risk_class: str | None
    rating_meaning: str | None
    credit_limit_ore: int | None
    credit_block: bool
    remarks: tuple[Remark, ...]
    address: Address | None = None
    company: CompanyDetails | None = None
    birth_date: date | None = None
    deceased_on: date | None = None
    flags: tuple[str, ...] = field(default=())

    @property
    def remarks_count(self) -> int:
        return len(self.remarks)

    @property
    def remarks_total_ore(self) -> int:
        return sum(r.amount_ore for r in self.remarks)

    @property
    def copy_letter_expected(self) -> bool:
        """A person, or a sole proprietorship (ENK: a physical person since 2022)."""
        if self.kind is SubjectKind.PERSON:
            return True
        return self.company is not None and self.company.organisation_form == "ENK"


def summary_document(document: dict[str, Any]) -> dict[str, Any]:
    """What is kept of a person's (or ENK's) report after its retention: score, the remarks'
    count and sum, the date; no address, birth date, remark lines or roles (credit.md §7)."""
    kept = dict(document)
    kept.update(address=None, birth_date=None, remarks=[])
    if kept.get("company"):
        kept["company"] = {**kept["company"], "roles": [], "owner_name": None}
    kept["flags"] = [*document.get("flags", []), "redacted"]
    return kept


def person_risk_band(score: int | None) -> str | None:
    if score is None:
        return None
    return next(band for floor, band in PERSON_RISK_BANDS if score >= floor)


def to_document(report: CreditReport) -> dict[str, Any]:
    """The report as JSON-ready data (dates as ISO strings), for storage and the API."""

    def convert(value: Any) -> Any:
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, dict):
            return {k: convert(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [convert(v) for v in value]
        return value

    document: dict[str, Any] = convert(asdict(report))
    document["remarks_count"] = report.remarks_count
    document["remarks_total_ore"] = report.remarks_total_ore
    document["copy_letter_expected"] = report.copy_letter_expected
    return document
