"""Creditors' names for agency pages that list rows by creditor id (settlements, runs).

The ledger knows creditors by id only (no personal or business data there); the identity
service names them, for agency administrators, in one call for a page's ids. Anyone else
(a case handler, a creditor reading their own) gets no names, and the page shows none.
"""

from __future__ import annotations

from collections.abc import Iterable

from gateway.portal.api import ApiProblem
from gateway.portal.visitor import Visitor

ORGANISATIONS = "/api/v1/auth/organisations"
MAX_IDS = 200
"""As many ids as the identity service takes in one call (its ``id`` parameter)."""


async def organisation_names(visitor: Visitor, ids: Iterable[object]) -> dict[str, str]:
    """``{id: name}`` for as many of ``ids`` (the first ``MAX_IDS`` distinct) as the
    identity service knows; empty unless the visitor is an agency administrator."""
    wanted = list(dict.fromkeys(str(i) for i in ids if i))[:MAX_IDS]
    if not wanted or not visitor.is_agency_admin:
        return {}
    try:
        found = await visitor.backend.get(
            ORGANISATIONS, [("id", i) for i in wanted] + [("limit", str(MAX_IDS))]
        )
    except ApiProblem as problem:
        if problem.status not in (403, 404, 422):
            raise
        return {}
    return {str(o["id"]): str(o["name"]) for o in found}
