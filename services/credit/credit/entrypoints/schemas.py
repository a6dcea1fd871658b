"""Request and response bodies of the credit API (money in øre, dates ISO)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from servicekit.text import Storable
from servicekit.types import Ore, StrictDate, Text

from credit.domain.purposes import PurposeCode


class CreditorOut(BaseModel):
    organisation_id: uuid.UUID
    name: str
    active: bool = Field(description="Whether the creditor may buy credit reports")
    organisation_number: str | None = None


class PriceOut(BaseModel):
    unit_price_ore: int = Field(description="øre ex. VAT: send this as accepted_price_ore")
    vat_ore: int
    total_ore: int = Field(description="øre incl. VAT")
    vat_code: str
    price_list_id: uuid.UUID
    creditor_list: bool = Field(description="From the creditor's own list (else the default)")


class ProductOut(BaseModel):
    code: str
    subject_kind: Literal["company", "person"]
    name_nb: str
    name_en: str
    sections: list[str]
    copy_letter: bool = Field(
        description="The subject gets a copy letter naming the orderer (person; a company "
        "report on a sole proprietorship too)"
    )
    price: PriceOut | None = Field(description="The caller's price today; none: not offered")
    charge_no_match: bool = Field(
        default=False, description="A «no match» answer is charged like a report"
    )
    in_agreement: bool = Field(
        default=True, description="The creditor's agreement allows the product"
    )
    allowed_purposes: list[str] | None = Field(
        default=None, description="The purposes the creditor's agreement allows; none: all"
    )


class ProductTermsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    charge_no_match: bool = Field(description="Charge a «no match» answer like a report")


class AgreementIn(BaseModel):
    """What a creditor may order: product and purpose codes; ``null``: all of them."""

    model_config = ConfigDict(extra="forbid")

    products: list[Annotated[Text, Field(max_length=40)]] | None = Field(
        default=None, max_length=20
    )
    purposes: list[PurposeCode] | None = Field(default=None, max_length=20)


class AgreementOut(BaseModel):
    creditor_id: uuid.UUID
    products: list[str] | None = Field(description="Allowed products; null: every product")
    purposes: list[str] | None = Field(description="Allowed purposes; null: every purpose")
    updated_at: datetime | None = Field(description="null: none stored, the defaults apply")


class CompanySearchIn(BaseModel):
    """A business searched by name (in the body: an ENK's name is a person's name)."""

    model_config = ConfigDict(extra="forbid")

    name: Annotated[Text, Storable] = Field(min_length=2, max_length=100)


class CompanyCandidateOut(BaseModel):
    organisation_number: str
    name: str
    organisation_form: str
    status: str
    city: str


class CompanySearchOut(BaseModel):
    candidates: list[CompanyCandidateOut]


ProductCode = Annotated[Text, Field(max_length=40)]


class SubjectIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["company", "person"]
    organisation_number: Text | None = Field(default=None, max_length=20)
    national_id: Text | None = Field(
        default=None, max_length=20, description="fødselsnummer or D-nummer (persons)"
    )


class PurposeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: PurposeCode
    text: Annotated[Text, Storable] = Field(
        max_length=500, description="Why, in the orderer's words (saklig behov)"
    )
    case_id: Annotated[Text, Storable] | None = Field(
        default=None, max_length=64, description="The case (id or case number) it is for"
    )
    relationship_declared: bool = Field(
        default=False,
        description="CREDITOR_CREDIT_DECISION: the subject is (about to be) the creditor's "
        "customer on credit",
    )


class OrderIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    product_code: Text = Field(max_length=40)
    subject: SubjectIn
    purpose: PurposeIn
    accepted_price_ore: Ore = Field(
        le=10**9, description="The unit price ex. VAT the user was shown and accepted"
    )


class OrderPriceOut(BaseModel):
    unit_price_ore: int
    vat_ore: int
    total_ore: int
    vat_code: str


class OrderSubjectOut(BaseModel):
    kind: Literal["company", "person"]
    display: str = Field(description="The organisation number, or a person's masked number")


class OrderPurposeOut(BaseModel):
    code: str
    text: str
    case_id: str | None
    relationship_declared: bool


class OrderOut(BaseModel):
    id: uuid.UUID
    status: Literal["pending", "completed", "failed", "unknown"]
    failure_code: str | None = Field(description="Why it failed or is in doubt")
    product_code: str
    subject: OrderSubjectOut
    purpose: OrderPurposeOut
    price: OrderPriceOut = Field(description="What the order costs (zero when re-shown)")
    creditor_id: uuid.UUID
    ordered_by: uuid.UUID
    created_at: datetime
    settled_at: datetime | None
    purchased_on: date | None
    charged: bool = Field(
        default=False, description="Charged: a completed report, or a «no match» so agreed"
    )
    reused_from: uuid.UUID | None = Field(
        description="A company report bought earlier, shown again instead of a new call"
    )
    allowed_purposes: list[str] | None = Field(
        description="A kredittsperre: the purposes it allows"
    )
    report: dict[str, Any] | None = Field(
        default=None, description="The normalised report (reading an order logs the view)"
    )


class OrderListOut(BaseModel):
    orders: list[OrderOut]


class SpendOut(BaseModel):
    creditor_id: uuid.UUID
    month: str = Field(description="YYYY-MM (Europe/Oslo)")
    orders: int = Field(description="Charged orders")
    price_ore: int
    vat_ore: int
    total_ore: int


class SpecificationLineOut(BaseModel):
    order_id: uuid.UUID
    purchased_on: date
    subject: str = Field(description="The organisation number, or a person's masked number")
    product_code: str
    purpose_code: str
    case_id: str | None
    ordered_by: uuid.UUID
    price_ore: int
    vat_ore: int
    no_match: bool = Field(default=False, description="A charged «no match» answer")


class SpecificationOut(SpendOut):
    lines: list[SpecificationLineOut]


class CreditorSpendOut(BaseModel):
    creditor_id: uuid.UUID
    name: str
    orders: int
    price_ore: int
    vat_ore: int
    total_ore: int


class AllSpendOut(BaseModel):
    month: str = Field(description="YYYY-MM (Europe/Oslo)")
    creditors: list[CreditorSpendOut] = Field(
        description="Every known creditor, with what it was charged in the month (maybe 0)"
    )


class PriceItemIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    product_code: Text = Field(max_length=40)
    unit_price_ore: Ore = Field(le=10**9, description="øre ex. VAT")
    vat_code: Text = Field(max_length=4, description="SAF-T standard VAT code: 3 (25 %), 6 (0 %)")


class PriceListIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    creditor_id: uuid.UUID | None = Field(default=None, description="None: the agency default")
    name: Annotated[Text, Storable] = Field(default="", max_length=200)
    valid_from: StrictDate
    valid_to: StrictDate | None = Field(default=None, description="Exclusive")
    items: list[PriceItemIn] = Field(max_length=50)


class PriceListEndIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    valid_to: date


class PriceItemOut(BaseModel):
    product_code: str
    unit_price_ore: int
    vat_ore: int
    vat_code: str


class PriceListOut(BaseModel):
    id: uuid.UUID
    creditor_id: uuid.UUID | None
    name: str
    valid_from: date
    valid_to: date | None
    items: list[PriceItemOut]


class SubjectLookupIn(BaseModel):
    """«Why was I checked?»: a person's number, in the body (never in a URL)."""

    model_config = ConfigDict(extra="forbid")

    subject: SubjectIn


class ReconciliationOut(BaseModel):
    order_id: uuid.UUID
    status: str
