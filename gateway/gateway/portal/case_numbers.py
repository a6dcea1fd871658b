"""Case numbers for pages whose rows name a case by id only (a settlement's lines).

The ledger knows a case by id; the cases service numbers them. One call per 200 ids (the
list's ``case_id`` parameter), narrowed to what the visitor may see like every case list.
"""

from __future__ import annotations

from collections.abc import Iterable

from gateway.portal.visitor import Visitor

CASES = "/api/v1/cases"
MAX_IDS = 200
"""As many ids as the cases list takes in one call."""


async def case_numbers(visitor: Visitor, ids: Iterable[object]) -> dict[str, str]:
    """``{case id: case number}`` for the cases among ``ids`` the visitor may see."""
    wanted = list(dict.fromkeys(str(i) for i in ids if i))
    numbers: dict[str, str] = {}
    for start in range(0, len(wanted), MAX_IDS):
        chunk = wanted[start : start + MAX_IDS]
        found = await visitor.backend.get(
            CASES, [("case_id", i) for i in chunk] + [("limit", str(MAX_IDS))]
        )
        numbers.update({str(c["case_id"]): str(c["case_number"]) for c in found["items"]})
    return numbers
