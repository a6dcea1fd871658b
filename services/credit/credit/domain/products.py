"""The credit reports the agency sells (pure).

A product is one kind of bureau report; its price is on the price lists. Person reports
(and reports on a sole proprietorship, enkeltpersonforetak, a physical person since 2022)
make the bureau send the subject a copy letter (gjenpartsbrev) naming the orderer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from credit.domain.subjects import SubjectKind


@dataclass(frozen=True, slots=True)
class Product:
    code: str
    subject_kind: SubjectKind
    name_nb: str
    name_en: str
    sections: tuple[str, ...]
    copy_letter: bool
    """Whether the subject always gets a copy letter (a company report's only for an ENK)."""


COMPANY_STANDARD: Final = Product(
    code="COMPANY_STANDARD",
    subject_kind=SubjectKind.COMPANY,
    name_nb="Kredittopplysning på foretak",
    name_en="Company credit report",
    sections=("registry", "roles", "accounts", "rating", "credit_limit", "remarks"),
    copy_letter=False,
)
PERSON_STANDARD: Final = Product(
    code="PERSON_STANDARD",
    subject_kind=SubjectKind.PERSON,
    name_nb="Kredittopplysning på privatperson",
    name_en="Person credit report",
    sections=("score", "remarks", "address"),
    copy_letter=True,
)
CATALOGUE: Final[dict[str, Product]] = {p.code: p for p in (COMPANY_STANDARD, PERSON_STANDARD)}


def product(code: str) -> Product | None:
    return CATALOGUE.get(code)
