"""Signing in and out, refreshing tokens, the caller's sessions, and the public keys."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Response, status
from pydantic import BaseModel, ConfigDict, Field, model_validator
from servicekit.auth import CurrentPrincipal
from servicekit.errors import NotFound
from servicekit.internal import InternalCaller
from servicekit.openapi import problem_responses
from servicekit.types import Text

from auth.domain.sessions import MFA_CHALLENGE_TTL
from auth.entrypoints.deps import ClientDep, ServiceDep
from auth.service_layer import clients, signin
from auth.service_layer.signin import TokenPair

router = APIRouter(prefix="/api/v1/auth", tags=["sign-in"])
JWKS_CACHE_CONTROL = "public, max-age=30"


class SignIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: Annotated[Text, Field(min_length=3, max_length=320, examples=["kari@nordlys.no"])]
    password: Annotated[Text, Field(min_length=1, max_length=1024)]


class Challenge(BaseModel):
    challenge: str = Field(description="Send it back with the second factor")
    expires_in: int
    second_factor: str = "totp"


class SecondFactor(BaseModel):
    model_config = ConfigDict(extra="forbid")
    challenge: Annotated[Text, Field(min_length=10, max_length=4096)]
    code: Annotated[Text | None, Field(max_length=10, description="6-digit TOTP code")] = None
    recovery_code: Annotated[Text | None, Field(max_length=40)] = None

    @model_validator(mode="after")
    def one_factor(self) -> SecondFactor:
        if not self.code and not self.recovery_code:
            raise ValueError("give the code from the authenticator app, or a recovery code")
        return self


class Tokens(BaseModel):
    access_token: str
    token_type: str = "Bearer"
    expires_in: int
    refresh_token: str
    refresh_expires_at: datetime
    session_id: uuid.UUID

    @classmethod
    def of(cls, pair: TokenPair) -> Tokens:
        return cls(
            access_token=pair.access_token,
            expires_in=pair.expires_in,
            refresh_token=pair.refresh_token,
            refresh_expires_at=pair.refresh_expires_at,
            session_id=pair.session_id,
        )


class Refresh(BaseModel):
    model_config = ConfigDict(extra="forbid")
    refresh_token: Annotated[Text, Field(min_length=10, max_length=200)]


class SessionOut(BaseModel):
    id: uuid.UUID
    created_at: datetime
    last_seen_at: datetime
    absolute_expires_at: datetime
    client: str | None
    ip: str | None
    current: bool


@router.post(
    "/sign-in",
    response_model=Challenge,
    responses=problem_responses(401, 429),
    summary="Step 1: e-mail and password",
)
async def post_sign_in(body: SignIn, service: ServiceDep, client: ClientDep) -> Challenge:
    challenge = await signin.start_sign_in(
        service.unit_of_work(),
        service.identity,
        email=body.email,
        password=body.password,
        client=client,
    )
    return Challenge(challenge=challenge, expires_in=int(MFA_CHALLENGE_TTL.total_seconds()))


@router.post(
    "/sign-in/second-factor",
    response_model=Tokens,
    responses=problem_responses(401, 429),
    summary="Step 2: the authenticator code (or a recovery code); opens a session",
)
async def post_second_factor(body: SecondFactor, service: ServiceDep, client: ClientDep) -> Tokens:
    pair = await signin.complete_sign_in(
        service.unit_of_work(),
        service.identity,
        challenge=body.challenge,
        code=body.code,
        recovery_code=body.recovery_code,
        client=client,
    )
    return Tokens.of(pair)


@router.post(
    "/token",
    response_model=Tokens,
    responses=problem_responses(401),
    summary="Rotate the refresh token",
)
async def post_token(body: Refresh, service: ServiceDep, client: ClientDep) -> Tokens:
    pair = await signin.refresh(
        service.unit_of_work(), service.identity, refresh_token=body.refresh_token, client=client
    )
    return Tokens.of(pair)


@router.post("/sign-out", status_code=status.HTTP_204_NO_CONTENT, summary="End this session")
async def post_sign_out(
    principal: CurrentPrincipal, service: ServiceDep, client: ClientDep
) -> Response:
    await signin.sign_out(
        service.unit_of_work(),
        service.identity,
        user_id=principal.user_id,
        session_id=principal.session_id,
        everywhere=False,
        client=client,
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/sign-out-everywhere",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="End every session of the signed-in user",
)
async def post_sign_out_everywhere(
    principal: CurrentPrincipal, service: ServiceDep, client: ClientDep
) -> Response:
    await signin.sign_out(
        service.unit_of_work(),
        service.identity,
        user_id=principal.user_id,
        session_id=principal.session_id,
        everywhere=True,
        client=client,
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/sessions", response_model=list[SessionOut], summary="My active sessions")
async def get_sessions(principal: CurrentPrincipal, service: ServiceDep) -> list[SessionOut]:
    rows = await signin.active_sessions(
        service.unit_of_work(), service.identity, user_id=principal.user_id
    )
    return [
        SessionOut(
            id=r.id,
            created_at=r.created_at,
            last_seen_at=r.last_seen_at,
            absolute_expires_at=r.absolute_expires_at,
            client=r.client,
            ip=r.ip,
            current=r.id == principal.session_id,
        )
        for r in rows
    ]


@router.delete(
    "/sessions/{session_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(404),
    summary="End one of my sessions",
)
async def delete_session(
    session_id: uuid.UUID, principal: CurrentPrincipal, service: ServiceDep, client: ClientDep
) -> Response:
    ended = await signin.sign_out(
        service.unit_of_work(),
        service.identity,
        user_id=principal.user_id,
        session_id=session_id,
        everywhere=False,
        client=client,
    )
    if not ended:
        raise NotFound("No such active session.")
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/.well-known/jwks.json", summary="Public keys that verify access tokens", tags=["keys"]
)
async def get_jwks(service: ServiceDep, response: Response) -> dict[str, Any]:
    """Public, so cacheable: for 30 s, well inside the minute a new key is published ahead
    of its use (the one answer of this API that is not ``no-store``)."""
    response.headers["Cache-Control"] = JWKS_CACHE_CONTROL
    return await service.identity.issuer.keys.jwks()


internal = APIRouter(prefix="/internal/v1", tags=["internal"], include_in_schema=False)


@internal.get("/sessions/{session_id}")
async def get_session_state(
    session_id: uuid.UUID, service: ServiceDep, _caller: InternalCaller
) -> dict[str, bool]:
    """For the gateway and every service: is this session (or API client) still active?

    Not routed to the public, and answered only to an authenticated InfoCenter service
    (``servicekit.internal``).
    """
    return {
        "active": await clients.token_session_active(
            service.unit_of_work, service.identity, session_id
        )
    }
