"""Experian's report JSON → our :class:`credit.domain.reports.CreditReport` (pure).

The bureau sends whole kroner; we keep øre. Fields the bureau may add are ignored; a field
we need that is missing or of the wrong type is a malformed answer
(:class:`MalformedReport`). Strings are bounded.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from credit.domain.reports import (
    Address,
    CompanyDetails,
    CreditReport,
    KeyFigures,
    Remark,
    Role,
    person_risk_band,
)
from credit.domain.subjects import SubjectKind

MAX_TEXT = 300
MAX_ITEMS = 200


class MalformedReport(ValueError):
    pass


def _obj(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise MalformedReport(f"{what} is not an object")
    return value


def _list(value: Any, what: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list) or len(value) > MAX_ITEMS:
        raise MalformedReport(f"{what} is not a list (of at most {MAX_ITEMS})")
    return value


def _text(value: Any, what: str, *, required: bool = True) -> str | None:
    if value is None and not required:
        return None
    if not isinstance(value, str) or len(value) > MAX_TEXT:
        raise MalformedReport(f"{what} is not a short text")
    return value


def _int(value: Any, what: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise MalformedReport(f"{what} is not a whole number")
    return value


def _ore(value: Any, what: str) -> int | None:
    kroner = _int(value, what)
    return None if kroner is None else kroner * 100


def _date(value: Any, what: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError as exc:
        raise MalformedReport(f"{what} is not a date") from exc


def _address(value: Any) -> Address | None:
    if value is None:
        return None
    data = _obj(value, "address")
    return Address(
        street=str(_text(data.get("street"), "address.street")),
        postal_code=str(_text(data.get("postalCode"), "address.postalCode")),
        city=str(_text(data.get("city"), "address.city")),
        country=str(_text(data.get("country", "NO"), "address.country")),
    )


def _remarks(value: Any) -> tuple[Remark, ...]:
    data = _obj(value or {"items": []}, "paymentRemarks")
    return tuple(
        Remark(
            kind=str(_text(item.get("type"), "remark.type")).lower(),
            amount_ore=_ore(item.get("amount"), "remark.amount") or 0,
            creditor=_text(item.get("creditor"), "remark.creditor", required=False),
            registered_on=_date(item.get("registeredDate"), "remark.registeredDate"),
            reference=_text(item.get("reference"), "remark.reference", required=False),
            source=_text(item.get("source"), "remark.source", required=False),
        )
        for item in (_obj(i, "remark") for i in _list(data.get("items"), "remarks"))
    )


def normalise(payload: Any, expected: SubjectKind) -> CreditReport:
    """The report in our own words, or :class:`MalformedReport`."""
    data = _obj(payload, "report")
    as_of = _date(data.get("asOf"), "asOf")
    if as_of is None:
        raise MalformedReport("asOf is missing")
    if expected is SubjectKind.COMPANY:
        return _company(data, as_of)
    return _person(data, as_of)


def _company(data: dict[str, Any], as_of: date) -> CreditReport:
    company = _obj(data.get("company"), "company")
    rating = _obj(data.get("rating") or {}, "rating")
    limit = data.get("creditLimit")
    owner = company.get("owner")
    parent = company.get("foreignParent")
    details = CompanyDetails(
        organisation_number=str(_text(company.get("organisationNumber"), "organisationNumber")),
        organisation_form=str(_text(company.get("organisationForm"), "organisationForm")),
        registered_on=_date(company.get("registeredDate"), "registeredDate"),
        nace_code=_text(company.get("naceCode"), "naceCode", required=False),
        share_capital_ore=_ore(company.get("shareCapital"), "shareCapital"),
        roles=tuple(
            Role(
                role=str(_text(r.get("role"), "role.role")).lower().replace("_", "-"),
                name=str(_text(r.get("name"), "role.name")),
                birth_year=_int(r.get("birthYear"), "role.birthYear"),
            )
            for r in (_obj(r, "role") for r in _list(data.get("roles"), "roles"))
        ),
        key_figures=tuple(
            KeyFigures(
                year=_int(f.get("year"), "financials.year") or 0,
                revenue_ore=_ore(f.get("revenue"), "financials.revenue"),
                operating_result_ore=_ore(f.get("operatingResult"), "financials.operatingResult"),
                equity_ore=_ore(f.get("equity"), "financials.equity"),
                total_assets_ore=_ore(f.get("totalAssets"), "financials.totalAssets"),
            )
            for f in (_obj(f, "financials") for f in _list(data.get("financials"), "financials"))
        ),
        owner_name=_text(_obj(owner, "owner").get("name"), "owner.name") if owner else None,
        foreign_parent=(
            _text(_obj(parent, "foreignParent").get("name"), "foreignParent.name")
            if parent
            else None
        ),
    )
    status = str(_text(company.get("status"), "status")).lower()
    flags = ("bankrupt",) if status == "bankrupt" else ()
    return CreditReport(
        kind=SubjectKind.COMPANY,
        as_of=as_of,
        subject_name=str(_text(company.get("name"), "company.name")),
        subject_status=status,
        score=_int(rating.get("score"), "rating.score"),
        score_scale=_text(rating.get("scale"), "rating.scale", required=False),
        risk_class=_text(rating.get("class"), "rating.class", required=False),
        rating_meaning=_text(rating.get("description"), "rating.description", required=False),
        credit_limit_ore=(
            None if limit is None else _ore(_obj(limit, "creditLimit").get("amount"), "limit")
        ),
        credit_block=False,
        remarks=_remarks(data.get("paymentRemarks")),
        address=_address(company.get("address")),
        company=details,
        flags=flags,
    )


def _person(data: dict[str, Any], as_of: date) -> CreditReport:
    person = _obj(data.get("person"), "person")
    score = data.get("score")
    value = _int(_obj(score, "score").get("value"), "score.value") if score else None
    status = str(_text(person.get("status"), "status")).lower()
    credit_block = person.get("creditBlock", False)
    if not isinstance(credit_block, bool):
        raise MalformedReport("creditBlock is not true or false")
    flags = tuple(
        f for f, on in (("deceased", status == "deceased"), ("credit-block", credit_block)) if on
    )
    return CreditReport(
        kind=SubjectKind.PERSON,
        as_of=as_of,
        subject_name=str(_text(person.get("name"), "person.name")),
        subject_status=status,
        score=value,
        score_scale=_text(_obj(score, "score").get("scale"), "score.scale") if score else None,
        risk_class=person_risk_band(value),
        rating_meaning=None,
        credit_limit_ore=None,
        credit_block=credit_block,
        remarks=_remarks(data.get("paymentRemarks")),
        address=_address(person.get("address")),
        birth_date=_date(person.get("birthDate"), "birthDate"),
        deceased_on=_date(person.get("deceasedDate"), "deceasedDate"),
        flags=flags,
    )
