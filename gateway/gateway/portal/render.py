"""Rendering the portal's pages: templates with the formatters and the message catalogue.

Every page gets ``t`` (messages in the page's language), ``lang``, ``csrf`` (the form
token), ``visitor`` (``None`` before signing in) and the filters ``kr`` (øre → ``kr 1 234,50``),
``dato`` (``31.12.2026``), ``tid`` (``31.12.2026 kl. 14:05``), ``status`` (a workflow
state's name), ``step`` and ``event`` (a case history row's codes), ``field`` (a field or
import column's name), ``reason`` (a field error's reason) and ``orgnr`` (``920 000 002``).
Pages are never cached: they show personal data.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import pass_context
from jinja2.runtime import Context
from starlette.templating import Jinja2Templates

from gateway.portal import formatting, problems
from gateway.portal.agreement_form import format_account
from gateway.portal.csrf import ensure_token
from gateway.portal.i18n import Translator, language_of
from gateway.portal.visitor import Visitor
from gateway.web import TEMPLATES_DIR

NO_STORE = {"Cache-Control": "no-store", "Referrer-Policy": "same-origin"}
"""Pages show personal data: never cached. ``same-origin`` instead of the gateway's
``no-referrer``: with ``no-referrer`` browsers send ``Origin: null`` with a form, and the
Origin check could not tell the portal's own forms from anyone's."""

templates = Jinja2Templates(directory=TEMPLATES_DIR)
_env = templates.env


@pass_context
def _kr(context: Context, ore: int | None) -> str:
    return "" if ore is None else formatting.amount(int(ore), context.get("lang", "nb"))


@pass_context
def _dato(context: Context, value: Any) -> str:
    return formatting.day(value, context.get("lang", "nb"))


@pass_context
def _tid(context: Context, value: Any) -> str:
    return formatting.moment(value, context.get("lang", "nb"))


@pass_context
def _status(context: Context, value: str | None) -> str:
    if not value:
        return ""
    t: Translator = context["t"]
    key = f"status.{value}"
    return t(key) if t.has(key) else value


_LIMITATION_DAYS = re.compile(r"limitation_(\d+)d")


@pass_context
def _step(context: Context, value: str | None) -> str:
    """A workflow step's code in words (``inkassovarsel_sent`` → «inkassovarsel sendt»);
    a code the catalogs do not know shows nothing, never the code."""
    if not value:
        return ""
    t: Translator = context["t"]
    days = _LIMITATION_DAYS.fullmatch(value)
    if days:
        return t("case.step.limitation_days", n=int(days[1]))
    key = f"case.step.{value}"
    return t(key) if t.has(key) else ""


@pass_context
def _event(context: Context, value: str | None) -> str:
    """A case event's kind in words; an unknown kind is «Hendelse i saken»."""
    t: Translator = context["t"]
    key = f"case.event.{value}"
    return t(key) if value and t.has(key) else t("case.event.other")


@pass_context
def _prosent(context: Context, value: float | None) -> str:
    return formatting.percent(value, context.get("lang", "nb"))


def field_id(name: str) -> str:
    """A form field's name as an element id: ``claims.0.due_date`` → ``f-claims-0-due_date``."""
    return "f-" + "".join(c if c.isalnum() or c in "_-" else "-" for c in name)


@pass_context
def _reason(context: Context, text: str) -> str:
    return problems.reason(text, context["t"])


@pass_context
def _import_reason(context: Context, row: dict[str, Any]) -> str:
    return problems.import_reason(row, context["t"])


@pass_context
def _field(context: Context, name: str | None) -> str:
    return problems.field_label(name, context["t"]) if name else ""


@pass_context
def _refusal(context: Context, refusal: dict[str, Any]) -> str:
    """A refusal ``{code, …dates}`` from a service, in the page's language."""
    t = context["t"]
    code = str(refusal.get("code", ""))
    return problems.coded(code, refusal, t) or t("problem.conflict")


_env.filters.update(
    refusal=_refusal,
    konto=format_account,
    kr=_kr,
    dato=_dato,
    prosent=_prosent,
    tid=_tid,
    status=_status,
    step=_step,
    event=_event,
    fid=field_id,
    reason=_reason,
    import_reason=_import_reason,
    field=_field,
    orgnr=formatting.organisation_number,
)


def page(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    visitor: Visitor | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    lang = language_of(request)
    values: dict[str, Any] = {
        "lang": lang,
        "t": Translator(lang),
        "csrf": ensure_token(request),
        "visitor": visitor,
        "path": request.url.path,
        "here": str(request.url.path) + (f"?{request.url.query}" if request.url.query else ""),
    }
    values.update(context or {})
    return templates.TemplateResponse(
        request, template, values, status_code=status_code, headers=NO_STORE
    )


def redirect(location: str) -> RedirectResponse:
    """After a form: 303 See Other, so reloading the next page does not send it again."""
    return RedirectResponse(location, status_code=303, headers=NO_STORE)
