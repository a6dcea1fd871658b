"""Registering one case by form, with every error shown at once: in the summary and next
to its field."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from gateway.portal import csrf, registration_form
from gateway.portal.api import ApiProblem, new_idempotency_key
from gateway.portal.form_errors import FormErrors
from gateway.portal.i18n import Translator, language_of
from gateway.portal.registration_form import Registration
from gateway.portal.render import page, redirect
from gateway.portal.visitor import CreditorDep, Visitor

router = APIRouter()
RENAMES = {
    name: registration_form.api_field(name) for name in ("debtor.address", "debtor.address.lines")
}
"""The API's names of the address that the form shows at its first line."""


def _form_page(
    request: Request, visitor: Visitor, form: Registration, *, key: str, status_code: int = 200
) -> Response:
    t = Translator(language_of(request))
    return page(
        request,
        "portal/register.html",
        {
            "title": t("register.title"),
            "active": "register",
            "form": form,
            "values": form.values,
            "errors": form.errors,
            "idempotency_key": key,
        },
        visitor=visitor,
        status_code=status_code,
    )


@router.get("/registrer")
async def register_page(request: Request, visitor: CreditorDep) -> Response:
    return _form_page(request, visitor, registration_form.blank(), key=new_idempotency_key())


@router.post("/registrer")
async def register(request: Request, visitor: CreditorDep) -> Response:
    form = await csrf.checked_form(request)
    t = Translator(language_of(request))
    typed = registration_form.read(form, t)
    key = str(form.get("idempotency_key", "")) or new_idempotency_key()
    if "add_claim" in form or "remove_claim" in form:
        typed.errors.clear()
        change = 1 if "add_claim" in form else -1
        count = typed.claim_count + change
        typed.claim_count = max(1, min(registration_form.MAX_CLAIMS, count))
        return _form_page(request, visitor, typed, key=key)
    if typed.errors or typed.body is None:
        await _service_errors_too(visitor, typed, t)
        return _form_page(request, visitor, typed, key=key, status_code=400)
    try:
        registered = await visitor.backend.call(
            "POST",
            "/api/v1/cases",
            params={"channel": "form"},
            json_body=typed.body,
            headers={"idempotency-key": key},
        )
    except ApiProblem as problem:
        if problem.status not in (400, 409, 422):
            raise
        errors = FormErrors(registration_form.labels(typed.claim_count, t))
        errors.merge_problem(
            problem, t, fields=typed.field_names(), renames=RENAMES, whole=problem.status == 409
        )
        typed.errors = errors.ordered(typed.field_names())
        # a refused request may be corrected and sent again: a new key for the next try
        return _form_page(request, visitor, typed, key=new_idempotency_key(), status_code=400)
    return redirect(f"/saker/{registered['case_id']}?melding=registrert")


RENAMES = {
    name: registration_form.api_field(name) for name in ("debtor.address", "debtor.address.lines")
}


async def _service_errors_too(visitor: Visitor, typed: Registration, t: Translator) -> None:
    """The cases service's errors on the fields the form found nothing wrong with, so that
    one submission shows them all (its check stores nothing); without the service, the
    form's own errors are shown alone."""
    if typed.probe is None:
        return
    try:
        await visitor.backend.post("/api/v1/cases/validation", typed.probe)
    except ApiProblem as problem:
        if problem.status != 422:
            return
        found = FormErrors(typed.errors.labels)
        found.merge_problem(problem, t, fields=typed.field_names(), renames=RENAMES)
        for name, text in found.items():
            if not name.startswith("_"):
                typed.errors.add(name, text)
        typed.errors = typed.errors.ordered(typed.field_names())
