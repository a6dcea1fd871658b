"""Fees a case's workflow steps cost the debtor, by the rules in force on each step's date.

The cases service publishes each step (``cases.case.status_changed``); the ledger keeps
every step it has seen and assesses the fees of the whole set. The assessment is a pure
function of the steps (not of the order they arrived in), and each fee has a natural key,
so a duplicate or late event charges nothing twice.

Which version of a figure applies is chosen by the date the dated configuration names for
it (:class:`ledger.domain.rates.VersionSelection`): the purregebyr fraction and the salær
tables by the claims' (latest) due date (the 1 Oct 2020 change applies to claims due on or
after it), the inkassosats, the business factor, MVA and the court fees by the step's date.

- ``inkassovarsel_sent``: the inkassovarsel fee: the purregebyr fraction (1/10 of the
  inkassosats for claims due before 1 Oct 2020, 1/20 since) of the inkassosats in force
  when the letter is sent (forskrift § 1-2), never rounded up; once per letter, when at
  least one claim qualifies: sent at least ``inkassovarsel_fee_min_days`` after that
  claim's due date, and the claim not already carrying two reminder fees (forskrift § 1-3:
  two purringer, or one purring and an inkassovarsel). The fraction is the case's (its
  latest due date, ADR 0036); the eligibility is per claim (ADR 0051).
- ``betalingsoppfordring_sent``: lett salær, once per case (the claims of a case are
  merged): the bracket multiple for the case's principal * the inkassosats, * the business
  factor for a debtor outside a consumer relationship, + MVA when the creditor cannot
  deduct VAT.
- ``payment_plan_agreed``: the avdragsgebyr (forskrift § 2-4) once per case, for the first
  avdragsordning of more than ``avdragsgebyr_min_instalments`` (4) instalments: the
  multiple (1.5) x the inkassosats of the day it is agreed, + MVA when the creditor cannot
  deduct VAT.
- ``standardkompensasjon`` (forsinkelsesrenteloven § 3a, ADR 0056): on a business-to-
  business case whose creditor claims it, once per claim, charged with the case's first
  step: the NOK figure of the half-year in which interest on the claim starts (never a
  carried-forward figure), less the creditor's own reminder fees on the claim. It comes off
  the agency's § 17 costs (the inkassovarsel fee, salær, avdragsgebyr) charged with or after
  it, so the debtor pays the larger of the two, never both.
- ``legal_step_*``: the court fee (the step's multiple of the rettsgebyr, rounded down to
  whole kroner), and tungt salær (as an upgrade over the lett salær charged) once the step
  is more than ``salaer_tungt_min_days`` after the betalingsoppfordring.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Literal

from ledger.domain.components import Component
from ledger.domain.money import ORE_PER_KRONE, floor_krone, floor_ore, kroner_to_ore, round_ore
from ledger.domain.rates import (
    OVER,
    MissingRate,
    Occasion,
    RateBook,
    RateKind,
    RateRow,
    half_year_start,
)

DebtorKind = Literal["person", "business"]

INKASSOVARSEL_SENT = "inkassovarsel_sent"
PAYMENT_PLAN_AGREED = "payment_plan_agreed"
BETALINGSOPPFORDRING_SENT = "betalingsoppfordring_sent"
LEGAL_STEP_PREFIX = "legal_step_"
CLOSED_STEP_PREFIX = "case_closed:"


class FeeKind:
    INKASSOVARSEL = "inkassovarsel_fee"
    SALAER_LETT = "salaer_lett"
    SALAER_TUNGT = "salaer_tungt"
    COURT_FEE = "court_fee"
    AVDRAGSGEBYR = "avdragsgebyr"
    STANDARDKOMPENSASJON = "standardkompensasjon"


COLLECTION_COST_KINDS = frozenset(
    {FeeKind.INKASSOVARSEL, FeeKind.SALAER_LETT, FeeKind.SALAER_TUNGT, FeeKind.AVDRAGSGEBYR}
)
"""Costs of extrajudicial collection (inkassoloven § 17) the standardkompensasjon comes off
(forsinkelsesrenteloven § 3a; court fees are not among them)."""


@dataclass(frozen=True, slots=True)
class Reminder:
    """A purring or varsel the creditor sent on a claim, and the fee it carried (0: none)."""

    sent_on: date
    fee_ore: int


@dataclass(frozen=True, slots=True)
class CaseTerms:
    """What a case's fees depend on."""

    debtor_kind: DebtorKind
    principal_ore: int
    """The principal the salær bracket is chosen by (all claims of the case)."""
    latest_due_date: date
    reminder_fees_ore: tuple[int, ...]
    """Reminder fees the creditor already charged, per claim."""
    claim_due_dates: tuple[date, ...] = ()
    """Each claim's due date, in the order of ``reminder_fees_ore`` (empty: the latest)."""
    vat_deductible: bool = True
    """Whether the creditor deducts input VAT (if not, MVA is added to the salær)."""
    claim_principals_ore: tuple[int, ...] = ()
    """Each claim's principal, in the order of ``reminder_fees_ore`` (empty: not known)."""
    claim_time_barred_on: tuple[date | None, ...] = ()
    """Each claim's first time-barred day (None: not barred), in the same order."""
    claim_ids: tuple[str, ...] = ()
    """Each claim's id, in the same order (empty: numbered by position)."""
    claim_interest_from: tuple[date, ...] = ()
    """Each claim's date interest runs after (its due date, or 30 days after a påkrav), in
    the same order (empty: the due dates)."""
    claim_reminders: tuple[tuple[Reminder, ...] | None, ...] = ()
    """Each claim's reminders as events (None: not given; only the total is known), in
    the same order (empty: none given for any claim)."""
    claims_standardkompensasjon: bool = False
    """The creditor claims standardkompensasjon on business-to-business claims (ADR 0056)."""
    currency: str = "NOK"

    def live_on(self, day: date) -> CaseTerms | None:
        """The terms of the claims not time-barred on ``day`` (a step on a barred claim
        costs nothing: the claim is lost, foreldelsesloven § 24; ADR 0050), or ``None``
        when every claim is barred then."""
        barred = [b is not None and day >= b for b in self.claim_time_barred_on]
        if not any(barred):
            return self
        if all(barred):
            return None
        live = [i for i, b in enumerate(barred) if not b]
        dues = [self.claim_due_dates[i] for i in live]
        return replace(
            self,
            claim_ids=tuple(self.claim_ids[i] for i in live) if self.claim_ids else (),
            claim_reminders=(
                tuple(self.claim_reminders[i] for i in live) if self.claim_reminders else ()
            ),
            claim_interest_from=(
                tuple(self.claim_interest_from[i] for i in live) if self.claim_interest_from else ()
            ),
            principal_ore=sum(self.claim_principals_ore[i] for i in live),
            latest_due_date=max(dues),
            reminder_fees_ore=tuple(self.reminder_fees_ore[i] for i in live),
            claim_due_dates=tuple(dues),
            claim_principals_ore=tuple(self.claim_principals_ore[i] for i in live),
            claim_time_barred_on=tuple(self.claim_time_barred_on[i] for i in live),
        )


@dataclass(frozen=True, slots=True)
class Step:
    step: str
    effective_date: date
    instalments: int | None = None
    """An avdragsordning's number of instalments (step ``payment_plan_agreed``)."""


@dataclass(frozen=True, slots=True)
class FeeCharge:
    """A fee to book: its natural key (within the case), amount and the rates it used."""

    key: str
    kind: str
    component: Component
    amount_ore: int
    effective_date: date
    step: str
    rate_ids: tuple[int, ...]
    basis: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class FeeAssessment:
    charges: tuple[FeeCharge, ...]
    notes: tuple[str, ...]
    """Why a step cost nothing (for the record and the logs)."""


@dataclass(frozen=True, slots=True)
class FeeDifference:
    """A fee as booked and as the rules in force now assess it (None: not charged)."""

    key: str
    booked_ore: int | None
    now_ore: int | None

    @property
    def delta_ore(self) -> int:
        return (self.now_ore or 0) - (self.booked_ore or 0)


def fee_differences(
    assessment: FeeAssessment, booked: Mapping[str, int]
) -> tuple[FeeDifference, ...]:
    """Every fee whose booked amount differs from a fresh assessment (made without
    ``charged``, so a tungt upgrade is over the lett salær the rules give now)."""
    now = {c.key: c.amount_ore for c in assessment.charges}
    return tuple(
        FeeDifference(key, booked.get(key), now.get(key))
        for key in sorted(set(now) | set(booked))
        if booked.get(key) != now.get(key)
    )


def _bracket(rows: Sequence[RateRow], principal_ore: int) -> RateRow:
    def upper(row: RateRow) -> Decimal:
        return Decimal("Infinity") if row.parameter == OVER else Decimal(row.parameter)

    for row in sorted(rows, key=upper):
        if row.parameter == OVER or principal_ore <= Decimal(row.parameter) * ORE_PER_KRONE:
            return row
    raise MissingRate(rows[0].kind if rows else "salaer", date.min, "bracket")


def salaer(kind: str, terms: CaseTerms, rates: RateBook, on: date) -> FeeCharge:
    """Lett or tungt salær for the case on ``on`` (the key and step are the caller's): the
    table of the claims' due date, the inkassosats of ``on``."""
    when = Occasion(step_date=on, due_date=terms.latest_due_date)
    bracket = _bracket(rates.table_for_occasion(kind, when), terms.principal_ore)
    sats = rates.for_occasion(RateKind.INKASSOSATS, when)
    exact = Fraction(bracket.value) * kroner_to_ore(sats.value)
    used = [bracket.id, sats.id]
    basis = {
        "bracket": bracket.parameter,
        "multiple": str(bracket.value),
        "inkassosats": str(sats.value),
    }
    if terms.debtor_kind == "business":
        factor = rates.for_occasion(RateKind.SALAER_BUSINESS_FACTOR, when)
        exact *= Fraction(factor.value)
        used.append(factor.id)
        basis["business_factor"] = str(factor.value)
    if not terms.vat_deductible:
        mva = rates.for_occasion(RateKind.MVA, when)
        exact *= 1 + Fraction(mva.value) / 100
        used.append(mva.id)
        basis["mva_percent"] = str(mva.value)
    return FeeCharge(
        key=kind,
        kind=kind,
        component=Component.COLLECTION_FEES,
        amount_ore=round_ore(exact),
        effective_date=on,
        step="",
        rate_ids=tuple(used),
        basis=basis,
    )


def reminder_fee(rates: RateBook, when: Occasion) -> tuple[int, tuple[int, ...], dict[str, str]]:
    """The purregebyr (reminder and inkassovarsel fee, forskrift § 1-2): the fraction of the
    claim's due date x the inkassosats of the letter's date, in øre, never rounded up (the
    regulation says "et beløp lik", a cap; a whole-krone sats gives whole øre anyway)."""
    fraction = rates.for_occasion(RateKind.PURREGEBYR_FRACTION, when)
    sats = rates.for_occasion(RateKind.INKASSOSATS, when)
    amount = floor_ore(Fraction(fraction.value) * kroner_to_ore(sats.value))
    basis = {"fraction": str(fraction.value), "inkassosats": str(sats.value)}
    return amount, (fraction.id, sats.id), basis


def _claim_dues(terms: CaseTerms) -> tuple[date, ...]:
    """Each claim's due date, in the order of ``reminder_fees_ore`` (the latest for all when
    the terms do not say)."""
    if len(terms.claim_due_dates) == len(terms.reminder_fees_ore) and terms.claim_due_dates:
        return terms.claim_due_dates
    return tuple(terms.latest_due_date for _ in terms.reminder_fees_ore) or (terms.latest_due_date,)


MAX_REMINDER_FEES = 2
"""Inkassoforskriften § 1-3: fees for at most two reminders (two purringer, or a purring
and an inkassovarsel) per claim."""


def _two_reminder_fees(
    sent: tuple[Reminder, ...] | None, charged_ore: int, on: date, rates: RateBook, when: Occasion
) -> bool:
    """Whether a claim already carries the two reminder fees § 1-3 allows before a letter
    of ``on``: counted as events (each reminder sent on or before ``on`` that carried a fee),
    when the creditor gave them; otherwise inferred from the total (twice the claim's own
    fee, the fraction of its due date x the inkassosats of ``on``)."""
    if sent is not None:
        return sum(1 for r in sent if r.fee_ore > 0 and r.sent_on <= on) >= MAX_REMINDER_FEES
    return charged_ore >= MAX_REMINDER_FEES * reminder_fee(rates, when)[0]


def _inkassovarsel(terms: CaseTerms, rates: RateBook, step: Step) -> FeeCharge | str:
    """The inkassovarsel fee, assessed claim by claim (ADR 0051): a claim qualifies when the
    letter is sent at least ``inkassovarsel_fee_min_days`` after **its** due date and it
    does not already carry two reminder fees (forskrift §§ 1-2, 1-3, each measured by its
    own due date). One letter carries one fee, charged when any claim qualifies, by the
    latest due date of the claims that do: a fresh claim merged into the case does not
    block the fee for the older ones."""
    on = step.effective_date
    dues = _claim_dues(terms)
    reminders = terms.reminder_fees_ore or tuple(0 for _ in dues)
    events = (
        terms.claim_reminders
        if len(terms.claim_reminders) == len(dues)
        else tuple(None for _ in dues)
    )
    too_early: list[date] = []
    full = 0
    qualifying: list[date] = []
    min_days_id = 0
    for due, charged, sent in zip(dues, reminders, events, strict=True):
        when = Occasion(step_date=on, due_date=due)
        min_days = rates.for_occasion(RateKind.INKASSOVARSEL_FEE_MIN_DAYS, when)
        min_days_id = min_days.id
        if on < due + timedelta(days=int(min_days.value)):
            too_early.append(due)
        elif _two_reminder_fees(sent, charged, on, rates, when):
            full += 1
        else:
            qualifying.append(due)
    if not qualifying:
        if full and not too_early:
            return "every claim already carries two reminder fees (forskrift § 1-3)"
        if not full:
            return f"inkassovarsel on {on} sent less than the minimum days after the due date"
        return (
            f"inkassovarsel on {on}: no claim qualifies (sent less than the minimum days after "
            "the due date, or two reminder fees already; forskrift §§ 1-2, 1-3)"
        )
    when = Occasion(step_date=on, due_date=terms.latest_due_date)
    fee, rate_ids, basis = reminder_fee(rates, when)
    basis = {**basis, "claims_qualifying": str(len(qualifying)), "claims": str(len(dues))}
    return FeeCharge(
        key=FeeKind.INKASSOVARSEL,
        kind=FeeKind.INKASSOVARSEL,
        component=Component.COLLECTION_FEES,
        amount_ore=fee,
        effective_date=on,
        step=step.step,
        rate_ids=(min_days_id, *rate_ids),
        basis=basis,
    )


def _avdragsgebyr(terms: CaseTerms, rates: RateBook, step: Step) -> FeeCharge | str:
    """Inkassoforskriften § 2-4: an avdragsordning of more than
    ``avdragsgebyr_min_instalments`` instalments raises the salær cap by the multiple
    (1.5) x the inkassosats of the day it is agreed; + MVA when the creditor cannot deduct
    VAT (it is salær). No business factor (§ 2-4 names the inkassosats, not the table)."""
    on = step.effective_date
    when = Occasion(step_date=on, due_date=terms.latest_due_date)
    least = rates.for_occasion(RateKind.AVDRAGSGEBYR_MIN_INSTALMENTS, when)
    if step.instalments is None or step.instalments <= int(least.value):
        return f"avdragsordning on {on} of {step.instalments} instalments: no avdragsgebyr"
    multiple = rates.for_occasion(RateKind.AVDRAGSGEBYR_MULTIPLE, when)
    sats = rates.for_occasion(RateKind.INKASSOSATS, when)
    exact = Fraction(multiple.value) * kroner_to_ore(sats.value)
    used = [least.id, multiple.id, sats.id]
    basis = {
        "instalments": str(step.instalments),
        "multiple": str(multiple.value),
        "inkassosats": str(sats.value),
    }
    if not terms.vat_deductible:
        mva = rates.for_occasion(RateKind.MVA, when)
        exact *= 1 + Fraction(mva.value) / 100
        used.append(mva.id)
        basis["mva_percent"] = str(mva.value)
    return FeeCharge(
        key=FeeKind.AVDRAGSGEBYR,
        kind=FeeKind.AVDRAGSGEBYR,
        component=Component.COLLECTION_FEES,
        amount_ore=round_ore(exact),
        effective_date=on,
        step=step.step,
        rate_ids=tuple(used),
        basis=basis,
    )


def _standardkompensasjon(
    terms: CaseTerms, rates: RateBook, steps: Sequence[Step]
) -> tuple[list[FeeCharge], list[str]]:
    """Forsinkelsesrenteloven § 3a (ADR 0056): on a business-to-business claim the creditor
    may claim a standardkompensasjon of 40 euro, in NOK as set for each half-year, once per
    claim (C-585/20: per late commercial transaction), from the day interest on it starts.
    Charged with the first step on or after that day; the figure is the one of the half-year
    that day falls in (never a figure carried forward from an older half-year); the
    creditor's own reminder fees on the claim come off it."""
    if terms.debtor_kind != "business" or not terms.claims_standardkompensasjon or not steps:
        return [], []
    if terms.currency != "NOK":
        return [], [f"standardkompensasjon is set in NOK only, not charged in {terms.currency}"]
    dues = _claim_dues(terms)
    ids = terms.claim_ids if len(terms.claim_ids) == len(dues) else ()
    after = terms.claim_interest_from if len(terms.claim_interest_from) == len(dues) else dues
    reminders = terms.reminder_fees_ore or tuple(0 for _ in dues)
    charges: list[FeeCharge] = []
    notes: list[str] = []
    for number, (start_after, reminder) in enumerate(zip(after, reminders, strict=True), 1):
        claim = ids[number - 1] if ids else str(number)
        starts = start_after + timedelta(days=1)
        step = next((s for s in steps if s.effective_date >= starts), None)
        if step is None:
            continue  # interest has not started by any step yet
        try:
            row = rates.in_force(RateKind.STANDARDKOMPENSASJON, starts)
        except MissingRate as exc:
            notes.append(f"standardkompensasjon for claim {claim} not charged: {exc}")
            continue
        if row.effective_from < half_year_start(starts):
            notes.append(
                f"standardkompensasjon for claim {claim} not charged: no figure set for the "
                f"half-year of {starts.isoformat()} (the last, from "
                f"{row.effective_from.isoformat()}, is not carried forward)"
            )
            continue
        amount = round_ore(kroner_to_ore(row.value)) - reminder
        if amount <= 0:
            notes.append(
                f"standardkompensasjon for claim {claim}: the creditor's reminder fees cover it"
            )
            continue
        charges.append(
            FeeCharge(
                key=f"{FeeKind.STANDARDKOMPENSASJON}:{claim}",
                kind=FeeKind.STANDARDKOMPENSASJON,
                component=Component.REMINDER_FEES,
                amount_ore=amount,
                effective_date=step.effective_date,
                step=step.step,
                rate_ids=(row.id,),
                basis={
                    "standardkompensasjon": str(row.value),
                    "interest_from": starts.isoformat(),
                    "reminder_fees_ore": str(reminder),
                },
            )
        )
    return charges, notes


def _net_of_compensation(
    charges: Sequence[FeeCharge], compensation_ore: int
) -> tuple[list[FeeCharge], dict[str, int]]:
    """The § 17 costs less the standardkompensasjon (forsinkelsesrenteloven § 3a: it comes
    off the creditor's claim for collection costs), taken from them in date order; the
    amount taken off each."""
    left = compensation_ore
    taken: dict[str, int] = {}
    net: list[FeeCharge] = []
    for charge in sorted(charges, key=lambda c: (c.effective_date, c.key)):
        if charge.kind not in COLLECTION_COST_KINDS or left <= 0:
            net.append(charge)
            continue
        off = min(left, charge.amount_ore)
        left -= off
        taken[charge.key] = off
        net.append(
            replace(
                charge,
                amount_ore=charge.amount_ore - off,
                basis={**charge.basis, "standardkompensasjon_deducted_ore": str(off)},
            )
        )
    return net, taken


def _court_fee(terms: CaseTerms, rates: RateBook, step: Step) -> FeeCharge:
    on = step.effective_date
    when = Occasion(step_date=on, due_date=terms.latest_due_date)
    multiple = rates.for_occasion(RateKind.RETTSGEBYR_MULTIPLE, when, parameter=step.step)
    base = rates.for_occasion(RateKind.RETTSGEBYR, when)
    amount = floor_krone(Fraction(multiple.value) * kroner_to_ore(base.value))
    return FeeCharge(
        key=f"{FeeKind.COURT_FEE}:{step.step}:{on.isoformat()}",
        kind=FeeKind.COURT_FEE,
        component=Component.COURT_FEES,
        amount_ore=amount,
        effective_date=on,
        step=step.step,
        rate_ids=(multiple.id, base.id),
        basis={"multiple": str(multiple.value), "rettsgebyr": str(base.value)},
    )


def assess_fees(
    terms: CaseTerms,
    steps: Sequence[Step],
    rates: RateBook,
    charged: Mapping[str, int] | None = None,
) -> FeeAssessment:
    """Every fee the steps justify. ``charged`` maps keys already booked to their amounts
    (a tungt salær is the upgrade over the lett salær actually charged)."""
    booked = dict(charged or {})
    charges: list[FeeCharge] = []
    notes: list[str] = []
    ordered = []
    for s in sorted(set(steps), key=lambda s: (s.effective_date, s.step)):
        if terms.live_on(s.effective_date) is None:
            notes.append(
                f"{s.step} on {s.effective_date}: every claim is time-barred, no fee "
                "(foreldelsesloven § 24)"
            )
        else:
            ordered.append(s)

    def on(day: date) -> CaseTerms:
        live = terms.live_on(day)
        assert live is not None  # barred steps were left out above
        return live

    open_steps = [s for s in ordered if not s.step.startswith(CLOSED_STEP_PREFIX)]
    compensation, compensation_notes = (
        _standardkompensasjon(on(open_steps[0].effective_date), rates, open_steps)
        if open_steps
        else ([], [])
    )
    notes.extend(compensation_notes)
    charges.extend(compensation)

    varsel = next((s for s in ordered if s.step == INKASSOVARSEL_SENT), None)
    if varsel is not None:
        try:
            outcome = _inkassovarsel(on(varsel.effective_date), rates, varsel)
        except MissingRate as exc:
            outcome = f"inkassovarsel fee not charged: {exc}"
        if isinstance(outcome, str):
            notes.append(outcome)
        else:
            charges.append(outcome)

    demand = next((s for s in ordered if s.step == BETALINGSOPPFORDRING_SENT), None)
    lett_amount: int | None = booked.get(FeeKind.SALAER_LETT)
    if demand is not None:
        try:
            lett = salaer(
                RateKind.SALAER_LETT, on(demand.effective_date), rates, demand.effective_date
            )
            charges.append(replace(lett, step=demand.step))
            lett_amount = lett_amount if lett_amount is not None else lett.amount_ore
        except MissingRate as exc:
            notes.append(f"lett salær not charged: {exc}")

    plans = [s for s in ordered if s.step == PAYMENT_PLAN_AGREED]
    for plan in plans:  # once per case: the first plan of more than four instalments
        try:
            surcharge = _avdragsgebyr(on(plan.effective_date), rates, plan)
        except MissingRate as exc:
            surcharge = f"avdragsgebyr not charged: {exc}"
        if isinstance(surcharge, str):
            notes.append(surcharge)
        else:
            charges.append(surcharge)
            break

    legal = [s for s in ordered if s.step.startswith(LEGAL_STEP_PREFIX)]
    for step in legal:
        try:
            charges.append(_court_fee(on(step.effective_date), rates, step))
        except MissingRate as exc:
            notes.append(f"court fee for {step.step} on {step.effective_date} not charged: {exc}")

    pool = sum(c.amount_ore for c in compensation)
    if pool:
        charges, taken = _net_of_compensation(charges, pool)
        pool -= sum(taken.values())
        if lett_amount is not None and FeeKind.SALAER_LETT in booked:
            lett_amount += taken.get(FeeKind.SALAER_LETT, 0)  # the upgrade is over the gross

    if demand is not None and lett_amount is not None:
        for step in legal:
            try:
                min_days = rates.for_occasion(
                    RateKind.SALAER_TUNGT_MIN_DAYS,
                    Occasion(step_date=step.effective_date, due_date=terms.latest_due_date),
                )
                if step.effective_date <= demand.effective_date + timedelta(
                    days=int(min_days.value)
                ):
                    continue
                tungt = salaer(
                    RateKind.SALAER_TUNGT, on(step.effective_date), rates, step.effective_date
                )
            except MissingRate as exc:
                notes.append(f"tungt salær not charged: {exc}")
                break
            upgrade = tungt.amount_ore - lett_amount
            deducted = min(pool, max(upgrade, 0))
            upgrade -= deducted
            if upgrade > 0:
                charges.append(
                    FeeCharge(
                        key=FeeKind.SALAER_TUNGT,
                        kind=FeeKind.SALAER_TUNGT,
                        component=Component.COLLECTION_FEES,
                        amount_ore=upgrade,
                        effective_date=step.effective_date,
                        step=step.step,
                        rate_ids=(min_days.id, *tungt.rate_ids),
                        basis={
                            **tungt.basis,
                            "tungt_ore": str(tungt.amount_ore),
                            "lett_charged_ore": str(lett_amount),
                            **(
                                {"standardkompensasjon_deducted_ore": str(deducted)}
                                if deducted
                                else {}
                            ),
                        },
                    )
                )
            break
    return FeeAssessment(tuple(c for c in charges if c.amount_ore > 0), tuple(notes))
