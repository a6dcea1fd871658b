"""What a machine client (an organisation's API client) may do: OAuth scopes per route.

A client's access token (the client-credentials grant, ADR 0040) carries ``scope`` and
``client_id``; a user's token carries neither. Routes a client may reach say so with
:func:`client_scope` — ``dependencies=[client_scope(Scopes.CASES_READ)]`` — and
:func:`servicekit.auth.current_principal` refuses a client on every other route (default
deny: agency-only, portal-only and account routes never name a scope), and on a route
whose scope its token lacks. Users are unaffected: their roles decide, as before.

Pure apart from FastAPI's route objects; the check runs once per request.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from weakref import WeakKeyDictionary

from fastapi import Depends
from fastapi.dependencies.models import Dependant

from servicekit.roles import Scopes

__all__ = ["Scopes", "client_scope", "dependant_scopes", "route_scopes"]


_SCOPE_OF: WeakKeyDictionary[Callable[..., Any], str] = WeakKeyDictionary()


def client_scope(scope: str) -> Any:
    """A route dependency naming the scope a client needs for it (checked by
    :func:`servicekit.auth.current_principal`; users pass untouched)."""
    if scope not in Scopes.ALL:
        raise ValueError(f"unknown scope {scope!r}")

    async def needs_scope() -> None:
        return None

    _SCOPE_OF[needs_scope] = scope
    return Depends(needs_scope)


def dependant_scopes(dependant: Dependant) -> frozenset[str]:
    """The scopes the dependencies of ``dependant`` name (any one of them admits)."""
    found: set[str] = set()
    if dependant.call is not None and dependant.call in _SCOPE_OF:
        found.add(_SCOPE_OF[dependant.call])
    for sub in dependant.dependencies:
        found |= dependant_scopes(sub)
    return frozenset(found)


_CACHED = "_servicekit_client_scopes"


def route_scopes(route: Any) -> frozenset[str]:
    """The scopes the matched route names (empty: no client may use it)."""
    if route is None:
        return frozenset()
    cached: frozenset[str] | None = getattr(route, _CACHED, None)
    if cached is None:
        dependant = getattr(route, "dependant", None)
        cached = dependant_scopes(dependant) if isinstance(dependant, Dependant) else frozenset()
        setattr(route, _CACHED, cached)  # routes are not hashable: kept on the route itself
    return cached
