"""Creditors' names for agency pages that show rows by creditor id (cases, the work
queue, settlements, runs).

The cases and the ledger know a creditor by id only; the identity service names them, for
agency staff (case handlers and administrators), in one call for a page's ids. A creditor's
own users get no names (every row is their own), and their pages show none.
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
    identity service knows; empty unless the visitor is agency staff."""
    wanted = list(dict.fromkeys(str(i) for i in ids if i))[:MAX_IDS]
    if not wanted or not visitor.is_agency:
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
