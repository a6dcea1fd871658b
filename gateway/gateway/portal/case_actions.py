"""Case actions from the case page's forms, as calls to the workflow API (pure).

One form per action the API says the caller may take now (``next-steps``' ``actions``);
each posts ``action`` and its fields. :func:`request_for` turns the form into the API
path and body, or field errors when something cannot be read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from starlette.datastructures import FormData

from gateway.portal import form_errors
from gateway.portal.form_errors import FormErrors
from gateway.portal.formatting import form_text
from gateway.portal.i18n import Translator

HANDLER_ACTIONS = (
    "send_inkassovarsel",
    "send_betalingsoppfordring",
    "register_objection",
    "resolve_objection",
    "payment_plan",
    "breach_payment_plan",
    "legal_step_forliksklage",
    "legal_step_utlegg",
    "close",
)
CREDITOR_ACTIONS = ("withdraw",)
MAX_INSTALMENTS = 120
FIELD_LABELS = {
    "note": "actions.note",
    "received_on": "actions.received_on",
    "grounds": "actions.grounds",
    "outcome": "actions.outcome",
    "count": "actions.count",
    "amount": "actions.amount",
    "first_due": "actions.first_due",
    "reason": "actions.close_reason",
}


@dataclass
class ActionRequest:
    action: str
    path: str = ""
    body: dict[str, Any] | None = None
    errors: FormErrors = field(default_factory=FormErrors)


def _add_months(start: date, months: int) -> date:
    month = start.month - 1 + months
    year, month = start.year + month // 12, month % 12 + 1
    for day_ in (start.day, 30, 29, 28):
        try:
            return date(year, month, day_)
        except ValueError:
            continue
    return date(year, month, 28)


def instalments(first: date, count: int, amount_ore: int) -> list[dict[str, Any]]:
    """``count`` monthly instalments of ``amount_ore`` from ``first`` (same day each month)."""
    return [
        {"due_date": _add_months(first, n).isoformat(), "amount_ore": amount_ore}
        for n in range(count)
    ]


def request_for(case_id: str, form: FormData, t: Translator, *, agency: bool) -> ActionRequest:
    action = form_text(form, "action")
    allowed = HANDLER_ACTIONS if agency else CREDITOR_ACTIONS
    result = ActionRequest(action, errors=FormErrors(labels(t)))
    if action not in allowed:
        result.errors["_"] = t("actions.unknown")
        return result
    base = f"/api/v1/cases/{case_id}"
    note = form_text(form, "note") or None
    with_note: dict[str, Any] = {"note": note} if note else {}
    if action == "send_inkassovarsel":
        result.path, result.body = f"{base}/inkassovarsel", with_note
    elif action == "send_betalingsoppfordring":
        result.path, result.body = f"{base}/betalingsoppfordring", with_note
    elif action == "breach_payment_plan":
        result.path, result.body = f"{base}/payment-plan/breach", with_note
    elif action in ("legal_step_forliksklage", "legal_step_utlegg"):
        step = action.removeprefix("legal_step_")
        result.path, result.body = f"{base}/legal-steps", {"step": step, **with_note}
    elif action == "withdraw":
        if not note:
            result.errors.add("note", t("withdraw.reason_required"))
        result.path, result.body = f"{base}/withdraw", with_note
    elif action == "close":
        reason = form_text(form, "reason")
        if reason not in ("withdrawn", "uncollectible"):
            result.errors["reason"] = t("actions.error.choose")
        result.path, result.body = f"{base}/close", {"reason": reason, **with_note}
    elif action == "resolve_objection":
        outcome = form_text(form, "outcome")
        if outcome not in ("resumed", "closed", "legal"):
            result.errors["outcome"] = t("actions.error.choose")
        result.path = f"{base}/objections/resolve"
        result.body = {"outcome": outcome, **with_note}
    elif action == "register_objection":
        grounds = form_text(form, "grounds")
        if not grounds:
            result.errors["grounds"] = t("reason.is_required")
        received = _day(form, "received_on", t, result.errors)
        result.path = f"{base}/objections"
        result.body = {"received_on": received, "grounds": grounds}
    elif action == "payment_plan":
        first = _day(form, "first_due", t, result.errors)
        count_text = form_text(form, "count")
        count = int(count_text) if count_text.isdigit() else 0
        if not 1 <= count <= MAX_INSTALMENTS:
            result.errors["count"] = t("actions.error.count", max=MAX_INSTALMENTS)
        amount = form_errors.amount(result.errors, "amount", form_text(form, "amount"), t) or 0
        result.path = f"{base}/payment-plan"
        if not result.errors and first is not None:
            result.body = {"instalments": instalments(date.fromisoformat(first), count, amount)}
    if result.errors:
        result.body = None
    return result


def _day(form: FormData, name: str, t: Translator, errors: FormErrors) -> str | None:
    chosen = form_errors.day(errors, name, form_text(form, name), t)
    return chosen.isoformat() if chosen else None


def labels(t: Translator) -> dict[str, str]:
    """The action forms' fields as the error summary names them."""
    return {name: t(key) for name, key in FIELD_LABELS.items()}


def default_first_due(today: date) -> date:
    return today + timedelta(days=14)


AGENCY_COMPONENTS = ("collection_fees", "court_fees")
CREDITOR_COMPONENTS = ("principal", "interest", "reminder_fees")


def withdrawal_cost(economy: dict[str, Any] | None) -> dict[str, int] | None:
    """What withdrawing costs the creditor, from the case's economy today: the agency's
    salær and fees the debtor has not paid (charged to the creditor when the case is
    withdrawn) and the creditor's own claim that is given up; ``None`` when unknown."""
    if not economy:
        return None
    outstanding = {c["component"]: int(c["outstanding_ore"]) for c in economy["components"]}
    return {
        "fees_ore": sum(outstanding.get(c, 0) for c in AGENCY_COMPONENTS),
        "given_up_ore": sum(outstanding.get(c, 0) for c in CREDITOR_COMPONENTS),
    }
