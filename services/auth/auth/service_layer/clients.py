"""API clients: a creditor admin manages them; a client trades its secret for a token.

Every change (created, rotated, revoked) and every token asked for, granted or refused, is
written to the audit log with the client's id (``detail.client_id``).
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from auth.adapters.credentials import secret_digest
from auth.domain.clients import (
    CLIENT_TOKEN_TTL,
    DEFAULT_OVERLAP,
    MAX_OVERLAP,
    SECRET_PREFIX,
    ApiClient,
    ScopeRejected,
    networks_of,
    requested_scopes,
    scopes_of,
    token_roles,
)
from auth.domain.errors import ApiClientInvalid, ApiClientNotFound, ApiClientRevoked, OAuthError
from auth.domain.sessions import SEEN_RESOLUTION
from auth.service_layer import assertions, signin
from auth.service_layer.context import ClientInfo, IdentityContext
from auth.service_layer.unit_of_work import AuthUnitOfWork


@dataclass(frozen=True)
class Admin:
    """The creditor admin acting, and their organisation."""

    user_id: uuid.UUID
    organisation_id: uuid.UUID


@dataclass(frozen=True)
class IssuedSecret:
    client: ApiClient
    secret: str
    """Shown once; only its digest is kept."""


@dataclass(frozen=True)
class ClientToken:
    access_token: str
    expires_in: int
    scope: str


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


async def create_client(
    uow: AuthUnitOfWork,
    ctx: IdentityContext,
    admin: Admin,
    *,
    name: str,
    scopes: list[str],
    allowed_networks: list[str],
    client: ClientInfo,
) -> IssuedSecret:
    try:
        granted = scopes_of(scopes)
    except ScopeRejected as exc:
        raise ApiClientInvalid("scopes", str(exc)) from exc
    try:
        networks = networks_of(allowed_networks)
    except ValueError as exc:
        raise ApiClientInvalid("allowed_networks", "not a CIDR block (e.g. 192.0.2.0/24)") from exc
    now = ctx.clock()
    secret = new_secret()
    created = ApiClient(
        id=uuid.uuid4(),
        organisation_id=admin.organisation_id,
        name=" ".join(name.split()),
        scopes=granted,
        allowed_networks=networks,
        secret_hash=secret_digest(secret),
        previous_secret_hash=None,
        previous_secret_valid_until=None,
        created_at=now,
        created_by=admin.user_id,
        rotated_at=None,
        revoked_at=None,
        last_used_at=None,
        last_used_ip=None,
    )
    async with uow:
        await uow.clients.add(created)
        await uow.audit.record(
            "api_client.created",
            "success",
            organisation_id=admin.organisation_id,
            actor_id=admin.user_id,
            ip=client.ip,
            client=client.user_agent,
            client_id=str(created.id),
            scopes=sorted(granted),
            networks=list(networks),
        )
        await uow.commit()
    return IssuedSecret(created, secret)


async def list_clients(uow: AuthUnitOfWork, admin: Admin) -> Sequence[ApiClient]:
    async with uow:
        return await uow.clients.of_organisation(admin.organisation_id)


async def get_client(uow: AuthUnitOfWork, admin: Admin, client_id: uuid.UUID) -> ApiClient:
    async with uow:
        found = await uow.clients.get(client_id, organisation_id=admin.organisation_id)
    if found is None:
        raise ApiClientNotFound()
    return found


async def rotate_secret(
    uow: AuthUnitOfWork,
    ctx: IdentityContext,
    admin: Admin,
    client_id: uuid.UUID,
    *,
    overlap: timedelta | None,
    client: ClientInfo,
) -> IssuedSecret:
    """A new secret; the old one stays good for ``overlap`` (24 h unless said, 7 days at
    most, 0: at once), so the integration can be switched without a gap."""
    window = DEFAULT_OVERLAP if overlap is None else overlap
    if not timedelta(0) <= window <= MAX_OVERLAP:
        raise ApiClientInvalid("overlap_seconds", "between 0 and 604800 (7 days)")
    now = ctx.clock()
    secret = new_secret()
    async with uow:
        found = await uow.clients.get(client_id, organisation_id=admin.organisation_id)
        if found is None:
            raise ApiClientNotFound()
        if found.revoked:
            raise ApiClientRevoked("A revoked API client cannot get a new secret.")
        await uow.clients.rotate(
            client_id, secret_hash=secret_digest(secret), previous_valid_until=now + window, now=now
        )
        await uow.audit.record(
            "api_client.secret_rotated",
            "success",
            organisation_id=admin.organisation_id,
            actor_id=admin.user_id,
            ip=client.ip,
            client=client.user_agent,
            client_id=str(client_id),
            previous_valid_until=(now + window).isoformat(),
        )
        rotated = await uow.clients.get(client_id)
        await uow.commit()
    assert rotated is not None
    return IssuedSecret(rotated, secret)


async def revoke_client(
    uow: AuthUnitOfWork,
    ctx: IdentityContext,
    admin: Admin,
    client_id: uuid.UUID,
    *,
    client: ClientInfo,
) -> ApiClient:
    """Revoke the client: no new tokens, and its tokens are refused everywhere within the
    session-cache time (its id is their ``sid``). Revoking twice changes nothing."""
    now = ctx.clock()
    async with uow:
        found = await uow.clients.get(client_id, organisation_id=admin.organisation_id)
        if found is None:
            raise ApiClientNotFound()
        if not found.revoked:
            await uow.clients.revoke(client_id, now)
            await uow.audit.record(
                "api_client.revoked",
                "success",
                organisation_id=admin.organisation_id,
                actor_id=admin.user_id,
                ip=client.ip,
                client=client.user_agent,
                client_id=str(client_id),
            )
        revoked = await uow.clients.get(client_id)
        await uow.commit()
    assert revoked is not None
    return revoked


async def grant_token(
    uow: AuthUnitOfWork,
    ctx: IdentityContext,
    *,
    client_id: str,
    secret: str | None,
    scope: str | None,
    client: ClientInfo,
    assertion: str | None = None,
) -> ClientToken:
    """The client-credentials grant (RFC 6749 §4.4): the client's id and secret for an
    access token; :class:`OAuthError` (``invalid_client``, ``invalid_scope``) otherwise.

    Unknown client, wrong secret, revoked client, inactive organisation and an address
    outside the allow-list all answer ``invalid_client`` alike; the audit log says which.
    """
    now = ctx.clock()
    try:
        wanted_id = uuid.UUID(client_id)
    except ValueError:
        wanted_id = None
    async with uow:
        found = await uow.clients.get(wanted_id) if wanted_id is not None else None
        reason = None
        if found is None:
            reason = "unknown_client"
        elif assertion is not None:  # private_key_jwt (RFC 7523)
            reason = await assertions.verify(
                uow.session,
                found.id,
                assertion,
                audience=ctx.portal_base_url.rstrip("/") + assertions.TOKEN_PATH,
                now=now,
            )
        elif secret is None or not found.secret_matches(secret_digest(secret), now):
            reason = "bad_secret"
        if reason is not None or found is None:
            pass
        elif found.revoked:
            reason = "revoked"
        elif not await uow.clients.active(found.id):
            reason = "organisation_inactive"
        elif not found.admits_address(client.ip):
            reason = "address_not_allowed"
        if reason is not None or found is None:
            await uow.audit.record(
                "api_client.token",
                "failure",
                organisation_id=found.organisation_id if found else None,
                ip=client.ip,
                client=client.user_agent,
                client_id=str(found.id) if found else None,
                reason=reason,
            )
            await uow.commit()
            raise OAuthError("invalid_client", "Client authentication failed.", status=401)
        granted = requested_scopes(scope, found.scopes)
        if granted is None:
            await uow.audit.record(
                "api_client.token",
                "failure",
                organisation_id=found.organisation_id,
                ip=client.ip,
                client=client.user_agent,
                client_id=str(found.id),
                reason="invalid_scope",
            )
            await uow.commit()
            raise OAuthError("invalid_scope", "A requested scope is not granted to this client.")
        await uow.clients.used(found.id, now=now, ip=client.ip)
        await uow.audit.record(
            "api_client.token",
            "success",
            organisation_id=found.organisation_id,
            ip=client.ip,
            client=client.user_agent,
            client_id=str(found.id),
            scopes=sorted(granted),
        )
        await uow.commit()
    ttl = int(CLIENT_TOKEN_TTL.total_seconds())
    token = await ctx.issuer.client_access_token(
        client_id=found.id,
        organisation_id=found.organisation_id,
        scopes=granted,
        roles=token_roles(granted),
        ttl_seconds=ttl,
        now=now,
    )
    return ClientToken(token, ttl, " ".join(sorted(granted)))


async def client_active(uow: AuthUnitOfWork, ctx: IdentityContext, client_id: uuid.UUID) -> bool:
    """Whether a client's tokens are still good (not revoked, organisation active). A «yes»
    is a sign of use: ``last_used_at`` moves (at most once a minute), so the portal's
    «Sist brukt» shows API calls, not only token requests."""
    now = ctx.clock()
    async with uow:
        active = await uow.clients.active(client_id)
        if active:
            await uow.clients.seen(client_id, now=now, seen_before=now - SEEN_RESOLUTION)
            await uow.commit()
    return active


async def token_session_active(
    unit_of_work: Callable[[], AuthUnitOfWork], ctx: IdentityContext, session_id: uuid.UUID
) -> bool:
    """The ``sid`` check of every access token: a user's session, or an API client (whose
    id is its tokens' ``sid``) that is not revoked."""
    if await signin.session_active(unit_of_work(), ctx, session_id=session_id):
        return True
    return await client_active(unit_of_work(), ctx, session_id)


async def register_public_keys(
    uow: AuthUnitOfWork,
    admin: Admin,
    client_id: uuid.UUID,
    jwks: dict[str, Any],
    *,
    client: ClientInfo,
) -> list[str]:
    """The client's JWK Set for ``private_key_jwt`` (replacing any before); its key ids.

    Another organisation's client is not found, whatever the keys (checked first)."""
    async with uow:
        found = await uow.clients.get(client_id, organisation_id=admin.organisation_id)
        if found is None:
            raise ApiClientNotFound()
        if found.revoked:
            raise ApiClientRevoked("A revoked API client cannot get keys.")
        try:
            checked = assertions.checked_jwks(jwks)
        except assertions.KeysInvalid as exc:
            raise ApiClientInvalid("keys", exc.code) from exc
        await assertions.register_keys(uow.session, client_id, checked)
        key_ids = [str(k.get("kid", "")) for k in checked["keys"]]
        await uow.audit.record(
            "api_client.keys_registered",
            "success",
            organisation_id=admin.organisation_id,
            actor_id=admin.user_id,
            ip=client.ip,
            client=client.user_agent,
            client_id=str(client_id),
            key_ids=key_ids,
        )
        await uow.commit()
    return key_ids
