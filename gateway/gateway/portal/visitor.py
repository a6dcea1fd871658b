"""Who is looking at a portal page: the signed-in person from the HttpOnly cookies.

Every page that needs a person asks :func:`signed_in`. It verifies the access token from
``__Host-ic_at`` with the gateway's own gatekeeper (signature, claims, live session).
When the token has expired (the browser dropped the cookie, or it is past ``exp``), it
refreshes with ``__Host-ic_rt`` through the :class:`~gateway.portal.tokens.RefreshGate`
and queues the new cookies on the answer. When that fails too, the person is sent to
the sign-in page with a message and the page they were on.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import urlencode

from fastapi import Depends, Request
from servicekit.roles import Roles
from servicekit.tokens import Principal

from gateway.access import CookieNames
from gateway.cookies import TokenResponseError, cleared_cookies, new_csrf_token, token_cookies
from gateway.gatekeeper import AuthUnavailable, Gatekeeper, Unauthenticated
from gateway.portal import cookies
from gateway.portal.api import ApiProblem, Backend
from gateway.portal.tokens import RefreshGate, TokenSet
from gateway.upstream import Upstreams

log = logging.getLogger(__name__)

SIGN_IN_PATH = "/logg-inn"


class SignInRequired(Exception):
    """Send the person to the sign-in page; ``reason`` names the message shown there."""

    def __init__(self, next_path: str, reason: str | None) -> None:
        super().__init__(reason)
        self.next_path = next_path
        self.reason = reason

    def location(self) -> str:
        query = {"neste": self.next_path}
        if self.reason:
            query["melding"] = self.reason
        return f"{SIGN_IN_PATH}?{urlencode(query)}"


class NotAllowed(Exception):
    """Signed in, but this page is for other roles."""


class Unavailable(Exception):
    """The identity service cannot say who is signed in right now."""


@dataclass(frozen=True)
class Visitor:
    """The signed-in person: what the token says, and a backend that calls as them."""

    principal: Principal
    token: str
    backend: Backend

    @property
    def roles(self) -> frozenset[str]:
        return self.principal.roles

    @property
    def is_creditor(self) -> bool:
        return self.principal.has_any(Roles.CREDITOR, Roles.CREDITOR_ADMIN)

    @property
    def is_creditor_admin(self) -> bool:
        return Roles.CREDITOR_ADMIN in self.roles

    @property
    def is_case_handler(self) -> bool:
        return Roles.CASE_HANDLER in self.roles

    @property
    def is_agency(self) -> bool:
        return self.principal.is_agency_staff

    @property
    def is_agency_admin(self) -> bool:
        return Roles.AGENCY_ADMIN in self.roles

    @property
    def is_ops(self) -> bool:
        """Agency staff who run the system (the ops pages and the dead letters)."""
        return self.is_agency and Roles.OPS in self.roles

    @property
    def manages_api_clients(self) -> bool:
        """A creditor organisation's admin (its systems' API clients; not the agency's)."""
        return self.is_creditor_admin and self.principal.tenant is not None

    @property
    def manages_users(self) -> bool:
        return self.principal.has_any(Roles.CREDITOR_ADMIN, Roles.AGENCY_ADMIN)

    @property
    def orders_credit_reports(self) -> bool:
        """A creditor's user with the right to buy credit reports (never implied)."""
        return Roles.CREDIT_ORDERER in self.roles and self.principal.tenant is not None

    @property
    def reads_credit_reports(self) -> bool:
        """A creditor's orderers and administrators read its reports, history and spend."""
        return self.orders_credit_reports or self.is_creditor_admin


def cookie_names(request: Request) -> CookieNames:
    upstreams: Upstreams = request.app.state.upstreams
    return CookieNames.for_(secure=upstreams.settings.cookie_secure)


def current_path(request: Request) -> str:
    """The page to come back to after signing in.

    For a form sent after the session ran out, the page the form is on: the form's action
    is that page's path, or the page's path plus one segment naming the action
    (``/saker/{id}/notater`` → ``/saker/{id}``). What was typed is lost.
    """
    path = request.url.path
    if request.method != "GET":
        segments = path.strip("/").split("/")
        return "/" + "/".join(segments[:-1] if len(segments) > 1 else segments)
    return f"{path}?{request.url.query}" if request.url.query else path


def is_own_path(path: str) -> bool:
    """A path on this site that is safe to redirect to (no other host, no scheme)."""
    return (
        path.startswith("/")
        and not path.startswith("//")
        and "\\" not in path
        and not any(ord(c) < 0x20 for c in path)
        and not path.startswith(SIGN_IN_PATH)
    )


def deliver_tokens(request: Request, tokens: TokenSet, *, csrf: str) -> None:
    """Queue the cookies of a fresh token pair on the answer."""
    upstreams: Upstreams = request.app.state.upstreams
    secure = upstreams.settings.cookie_secure
    try:
        values = token_cookies(tokens.as_mapping(), cookie_names(request), csrf=csrf, secure=secure)
    except TokenResponseError as exc:
        raise ApiProblem.unreachable(502) from exc
    cookies.queue(request, *values)


def forget_tokens(request: Request) -> None:
    upstreams: Upstreams = request.app.state.upstreams
    secure = upstreams.settings.cookie_secure
    cookies.queue(request, *cleared_cookies(cookie_names(request), secure=secure))


async def _exchange(request: Request, refresh_token: str) -> TokenSet:
    upstreams: Upstreams = request.app.state.upstreams
    body = await Backend(upstreams, request, None).post(
        "/api/v1/auth/token", {"refresh_token": refresh_token}
    )
    try:
        return TokenSet.of(body)
    except ValueError as exc:
        raise ApiProblem.unreachable(502) from exc


async def _refreshed(request: Request, names: CookieNames) -> TokenSet | None:
    """New tokens from the refresh cookie, or ``None`` when it is missing or refused."""
    refresh_token = request.cookies.get(names.refresh, "").strip()
    if not refresh_token:
        return None
    gate: RefreshGate = request.app.state.refresh_gate
    try:
        tokens = await gate.refresh(refresh_token, lambda rt: _exchange(request, rt))
    except ApiProblem as exc:
        if exc.status in (400, 401, 403, 422):
            return None
        raise Unavailable() from exc
    # A refresh keeps the CSRF token the page already has.
    csrf = getattr(request.state, "csrf", None) or request.cookies.get(names.csrf, "")
    csrf = csrf or new_csrf_token()
    deliver_tokens(request, tokens, csrf=csrf)
    return tokens


async def signed_in(request: Request) -> Visitor:
    """The signed-in person; raises :class:`SignInRequired` or :class:`Unavailable`."""
    upstreams: Upstreams = request.app.state.upstreams
    gatekeeper: Gatekeeper = request.app.state.gatekeeper
    if "authorization" in request.headers:
        # The pages are for people signed in by cookie; a bearer token (an API client's,
        # or anybody's) never opens one.
        raise NotAllowed()
    names = cookie_names(request)
    token = request.cookies.get(names.access, "").strip()
    had_session = bool(token or request.cookies.get(names.refresh))
    principal: Principal | None = None
    if token:
        try:
            principal = await gatekeeper.admit(token)
        except Unauthenticated as exc:
            if exc.reason == "session ended":
                forget_tokens(request)
                raise SignInRequired(current_path(request), "avsluttet") from exc
        except AuthUnavailable as exc:
            raise Unavailable() from exc
    if principal is None:
        try:
            tokens = await _refreshed(request, names)
        except Unavailable:
            raise
        if tokens is None:
            if had_session:
                forget_tokens(request)
            raise SignInRequired(current_path(request), "utlopt" if had_session else None)
        token = tokens.access_token
        try:
            principal = await gatekeeper.admit(token)
        except Unauthenticated as exc:
            forget_tokens(request)
            raise SignInRequired(current_path(request), "utlopt") from exc
        except AuthUnavailable as exc:
            raise Unavailable() from exc
    if principal.is_client:  # an API client's token put in the cookie: not a person
        forget_tokens(request)
        raise SignInRequired(current_path(request), None)
    request.state.visitor_roles = principal.roles
    return Visitor(principal, token, Backend(upstreams, request, token))


VisitorDep = Annotated[Visitor, Depends(signed_in)]


def _requires(check: str) -> object:
    async def dependency(visitor: VisitorDep) -> Visitor:
        if not getattr(visitor, check):
            raise NotAllowed()
        return visitor

    return Depends(dependency)


CreditorDep = Annotated[Visitor, _requires("is_creditor")]
CreditorAdminDep = Annotated[Visitor, _requires("manages_users")]
CreditorOrgAdminDep = Annotated[Visitor, _requires("manages_api_clients")]
CaseHandlerDep = Annotated[Visitor, _requires("is_agency")]
AgencyAdminDep = Annotated[Visitor, _requires("is_agency_admin")]
OpsDep = Annotated[Visitor, _requires("is_ops")]
CreditOrdererDep = Annotated[Visitor, _requires("orders_credit_reports")]
CreditReaderDep = Annotated[Visitor, _requires("reads_credit_reports")]
