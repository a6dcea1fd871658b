"""API clients: managed by the organisation's creditor admins; the OAuth token endpoint.

A creditor admin sees and changes only its own organisation's clients (another's answers
404, like an id that does not exist). An API client itself can use none of these: no
route here names a scope (``servicekit.scopes``).
"""

from __future__ import annotations

import base64
import binascii
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Annotated, Any
from urllib.parse import parse_qsl, unquote

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from servicekit.auth import require_roles
from servicekit.idempotency import IdempotencyKeyHeader, answer_once, fingerprint, post_once
from servicekit.openapi import problem_responses
from servicekit.roles import Roles, Scopes
from servicekit.tokens import Principal
from servicekit.types import Text

from auth.adapters.orm import idempotency_keys
from auth.bootstrap import AuthService
from auth.domain.clients import MAX_NETWORKS, ApiClient
from auth.domain.errors import OAuthError
from auth.entrypoints.deps import ClientDep, ServiceDep, key_scope
from auth.service_layer import assertions, clients
from auth.service_layer.unit_of_work import AuthUnitOfWork

router = APIRouter(prefix="/api/v1/auth", tags=["api-clients"])

CreditorAdmin = Annotated[Principal, Depends(require_roles(Roles.CREDITOR_ADMIN))]
ScopeName = Annotated[Text, Field(max_length=40, examples=[Scopes.CASES_READ])]
MAX_TOKEN_REQUEST_BYTES = 4096
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


IDEMPOTENT = (
    " Send an `Idempotency-Key` to make a retry safe: the same key with the same body "
    "replays the first answer, the secret included (kept sealed meanwhile); with another "
    "body it is 422 `idempotency-key-reused`."
)


def _secret_aad(client_id: str) -> bytes:
    return f"api_clients:{client_id}:answered_secret".encode()


async def _answer_once(
    service: AuthService,
    principal: Principal,
    request: Request,
    key: str | None,
    body: Any,
    status_code: int,
    work: Callable[[AuthUnitOfWork], Awaitable[ApiClientWithSecret]],
) -> JSONResponse:
    """A client's secret-bearing answer, once per admin and ``Idempotency-Key``.

    servicekit's mechanism: the handler's unit of work joins this answer's transaction, so
    the client and the stored answer commit together. The stored answer holds the secret
    sealed with the service's data key (bound to the client's id), opened for a replay.
    """
    keyring = service.identity.keyring

    async def sealed_work() -> tuple[int, Any]:
        answer = (await work(uow)).model_dump(mode="json")
        sealed = keyring.encrypt(answer["client_secret"].encode(), aad=_secret_aad(answer["id"]))
        return status_code, {**answer, "client_secret": sealed}

    async with service.unit_of_work() as uow:
        stored = await answer_once(
            uow.session,
            idempotency_keys,
            scope=key_scope(principal),
            key=key,
            request_fingerprint=fingerprint("POST", request.url.path, body),
            work=sealed_work,
        )
        await uow.commit()
    answer = dict(stored.body)
    answer["client_secret"] = keyring.decrypt(
        answer["client_secret"], aad=_secret_aad(answer["id"])
    ).decode()
    return JSONResponse(answer, status_code=stored.status_code, headers=NO_STORE)


def _admin(principal: Principal) -> clients.Admin:
    return clients.Admin(principal.user_id, principal.organisation_id)


class ApiClientIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Annotated[Text, Field(min_length=1, max_length=100, examples=["Tripletex-synk"])]
    scopes: Annotated[
        list[ScopeName],
        Field(min_length=1, max_length=6, description=", ".join(sorted(Scopes.ALL))),
    ]
    allowed_networks: Annotated[
        list[Annotated[Text, Field(max_length=50)]],
        Field(
            max_length=MAX_NETWORKS,
            description="CIDR blocks a token may be asked from (empty: from anywhere)",
            examples=[["192.0.2.0/24"]],
        ),
    ] = []


class RotateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    overlap_seconds: Annotated[
        int | None,
        Field(
            ge=0, le=604_800, description="How long the old secret stays good (24 h if not given)"
        ),
    ] = None


class ApiClientOut(BaseModel):
    id: uuid.UUID = Field(description="The OAuth `client_id`")
    organisation_id: uuid.UUID
    name: str
    scopes: list[str]
    allowed_networks: list[str]
    created_at: datetime
    rotated_at: datetime | None
    previous_secret_valid_until: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None = Field(description="When it last got a token")
    last_used_ip: str | None
    status: str = Field(description="`active` or `revoked`")

    @classmethod
    def of(cls, found: ApiClient) -> ApiClientOut:
        return cls(
            id=found.id,
            organisation_id=found.organisation_id,
            name=found.name,
            scopes=sorted(found.scopes),
            allowed_networks=list(found.allowed_networks),
            created_at=found.created_at,
            rotated_at=found.rotated_at,
            previous_secret_valid_until=found.previous_secret_valid_until,
            revoked_at=found.revoked_at,
            last_used_at=found.last_used_at,
            last_used_ip=found.last_used_ip,
            status="revoked" if found.revoked else "active",
        )


class ApiClientWithSecret(ApiClientOut):
    client_secret: str = Field(description="Shown this once: only its hash is kept")


def _with_secret(issued: clients.IssuedSecret) -> ApiClientWithSecret:
    return ApiClientWithSecret(
        **ApiClientOut.of(issued.client).model_dump(), client_secret=issued.secret
    )


@router.get("/clients", response_model=list[ApiClientOut], summary="My organisation's API clients")
async def list_api_clients(principal: CreditorAdmin, service: ServiceDep) -> list[ApiClientOut]:
    found = await clients.list_clients(service.unit_of_work(), _admin(principal))
    return [ApiClientOut.of(c) for c in found]


@router.post(
    "/clients",
    status_code=201,
    response_model=ApiClientWithSecret,
    responses=problem_responses(422),
    summary="Create an API client (its secret is shown once)",
    description=(
        "Creditor admins. The answer holds `client_secret` this once, with `Cache-Control: "
        "no-store`; keep it in the integration's secret store." + IDEMPOTENT
    ),
)
async def create_api_client(
    body: ApiClientIn,
    principal: CreditorAdmin,
    service: ServiceDep,
    client: ClientDep,
    request: Request,
    idempotency_key: IdempotencyKeyHeader = None,
) -> JSONResponse:
    async def work(uow: AuthUnitOfWork) -> ApiClientWithSecret:
        issued = await clients.create_client(
            uow,
            service.identity,
            _admin(principal),
            name=body.name,
            scopes=body.scopes,
            allowed_networks=body.allowed_networks,
            client=client,
        )
        return _with_secret(issued)

    return await _answer_once(
        service, principal, request, idempotency_key, body.model_dump(mode="json"), 201, work
    )


@router.get(
    "/clients/{client_id}",
    response_model=ApiClientOut,
    responses=problem_responses(404),
    summary="One API client",
)
async def get_api_client(
    client_id: uuid.UUID, principal: CreditorAdmin, service: ServiceDep
) -> ApiClientOut:
    return ApiClientOut.of(
        await clients.get_client(service.unit_of_work(), _admin(principal), client_id)
    )


@router.post(
    "/clients/{client_id}/rotate-secret",
    response_model=ApiClientWithSecret,
    responses=problem_responses(404, 409, 422),
    summary="A new secret; the old one stays good for the overlap",
    description="The answer holds the new `client_secret` this once." + IDEMPOTENT,
)
async def rotate_api_client_secret(
    client_id: uuid.UUID,
    principal: CreditorAdmin,
    service: ServiceDep,
    client: ClientDep,
    request: Request,
    body: RotateIn | None = None,
    idempotency_key: IdempotencyKeyHeader = None,
) -> JSONResponse:
    overlap = body.overlap_seconds if body is not None else None

    async def work(uow: AuthUnitOfWork) -> ApiClientWithSecret:
        issued = await clients.rotate_secret(
            uow,
            service.identity,
            _admin(principal),
            client_id,
            overlap=timedelta(seconds=overlap) if overlap is not None else None,
            client=client,
        )
        return _with_secret(issued)

    request_body = body.model_dump(mode="json") if body is not None else None
    return await _answer_once(service, principal, request, idempotency_key, request_body, 200, work)


@router.post(
    "/clients/{client_id}/revoke",
    response_model=ApiClientOut,
    responses=problem_responses(404),
    summary="Revoke an API client: its tokens stop working within seconds",
    description="Idempotent: revoking a revoked client answers the same; an `Idempotency-Key` "
    "replays the first answer (with another request it is 422 `idempotency-key-reused`).",
)
async def revoke_api_client(
    client_id: uuid.UUID,
    principal: CreditorAdmin,
    service: ServiceDep,
    client: ClientDep,
    request: Request,
    idempotency_key: IdempotencyKeyHeader = None,
) -> Response:
    uow = service.unit_of_work()

    async def work() -> tuple[int, Any]:
        revoked = await clients.revoke_client(
            uow, service.identity, _admin(principal), client_id, client=client
        )
        return 200, ApiClientOut.of(revoked).model_dump(mode="json")

    return await post_once(
        uow,
        idempotency_keys,
        scope=key_scope(principal),
        key=idempotency_key,
        request=request,
        body=None,
        work=work,
    )


class JwksIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    keys: Annotated[
        list[
            dict[
                Annotated[Text, Field(max_length=20)],
                Annotated[Text, Field(max_length=2048)]
                | Annotated[list[Annotated[Text, Field(max_length=40)]], Field(max_length=10)],
            ]
        ],
        Field(
            min_length=1,
            max_length=5,
            description="Public JWKs: RSA (2048 bits or more, RS256) or EC P-256 (ES256); "
            "give each a `kid`",
        ),
    ]


class JwksOut(BaseModel):
    client_id: uuid.UUID
    key_ids: list[str]


@router.put(
    "/clients/{client_id}/jwks",
    response_model=JwksOut,
    responses=problem_responses(404, 409, 422),
    summary="Register the client's public keys for private_key_jwt (replaces any before)",
    description="A JWK Set of public keys only (a private key is refused). The client then "
    "authenticates at the token endpoint with a JWT it signs (RFC 7523); its secret stays "
    "good too until the client is revoked.",
)
async def register_jwks(
    client_id: uuid.UUID,
    body: JwksIn,
    principal: CreditorAdmin,
    service: ServiceDep,
    client: ClientDep,
) -> JwksOut:
    key_ids = await clients.register_public_keys(
        service.unit_of_work(), _admin(principal), client_id, {"keys": body.keys}, client=client
    )
    return JwksOut(client_id=client_id, key_ids=key_ids)


class OAuthToken(BaseModel):
    access_token: str
    token_type: str = "Bearer"
    expires_in: int
    scope: str


def _oauth_error(exc: OAuthError, *, basic: bool) -> JSONResponse:
    headers = dict(NO_STORE)
    if exc.status == 401 and basic:
        headers["WWW-Authenticate"] = 'Basic realm="infocenter"'
    return JSONResponse(
        {"error": exc.error, "error_description": exc.description},
        status_code=exc.status,
        headers=headers,
    )


def _client_assertion(form: dict[str, str]) -> str | None:
    """The ``client_assertion`` of a ``private_key_jwt`` request, if the form has one."""
    kind, assertion = form.get("client_assertion_type"), form.get("client_assertion")
    if kind is None and assertion is None:
        return None
    if kind != assertions.ASSERTION_TYPE or not assertion:
        raise OAuthError(
            "invalid_request",
            f"client_assertion_type must be {assertions.ASSERTION_TYPE}, with client_assertion.",
        )
    return assertion


def _basic(authorization: str | None) -> tuple[str, str] | None:
    """``client_id`` and secret from HTTP Basic (RFC 6749 §2.3.1: form-urlencoded first)."""
    if authorization is None:
        return None
    scheme, _, encoded = authorization.strip().partition(" ")
    if scheme.lower() != "basic":
        raise OAuthError("invalid_client", "Use HTTP Basic client authentication.", status=401)
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise OAuthError("invalid_request", "Malformed Basic credentials.") from exc
    client_id, colon, secret = decoded.partition(":")
    if not colon:
        raise OAuthError("invalid_request", "Malformed Basic credentials.")
    return unquote(client_id), unquote(secret)


async def _form(request: Request) -> dict[str, str]:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/x-www-form-urlencoded":
        raise OAuthError("invalid_request", "Send application/x-www-form-urlencoded.")
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > MAX_TOKEN_REQUEST_BYTES:
            raise OAuthError("invalid_request", "The request is too large.")
    try:
        pairs = parse_qsl(body.decode(), keep_blank_values=True, max_num_fields=10)
    except (UnicodeDecodeError, ValueError) as exc:
        raise OAuthError("invalid_request", "The form cannot be read.") from exc
    form: dict[str, str] = {}
    for name, value in pairs:
        if name in form:
            raise OAuthError("invalid_request", f"{name} is given more than once.")
        form[name] = value
    return form


@router.post(
    "/oauth/token",
    response_model=OAuthToken,
    summary="OAuth 2.0 token endpoint: client credentials grant",
    tags=["oauth"],
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/x-www-form-urlencoded": {
                    "schema": {
                        "type": "object",
                        "required": ["grant_type"],
                        "properties": {
                            "grant_type": {"type": "string", "enum": ["client_credentials"]},
                            "scope": {"type": "string", "description": "Space-separated"},
                            "client_id": {"type": "string"},
                            "client_secret": {"type": "string"},
                            "client_assertion_type": {
                                "type": "string",
                                "enum": ["urn:ietf:params:oauth:client-assertion-type:jwt-bearer"],
                            },
                            "client_assertion": {
                                "type": "string",
                                "description": "private_key_jwt: a JWT signed with a key "
                                "registered for the client (RS256 or ES256)",
                            },
                        },
                    }
                }
            },
        },
        "responses": {
            "400": {
                "description": "RFC 6749 §5.2 error: `invalid_request`, `invalid_scope`, "
                "`unsupported_grant_type`"
            },
            "401": {"description": "`invalid_client`"},
        },
    },
    description=(
        "RFC 6749 §4.4. Authenticate the client with HTTP Basic (`client_id:client_secret`, "
        "preferred) or `client_id` and `client_secret` in the form. The token lives 5 "
        "minutes; ask for a new one when it expires (there is no refresh token). Errors "
        "are RFC 6749 §5.2 JSON (`error`, `error_description`), not problem+json. "
        "Or `private_key_jwt` (RFC 7523 §2.2): register a public key "
        "(`PUT /api/v1/auth/clients/{id}/jwks`) and send `client_assertion_type="
        "urn:ietf:params:oauth:client-assertion-type:jwt-bearer` with `client_assertion`, a "
        "JWT signed RS256 or ES256 whose `iss` and `sub` are the client_id, `aud` this "
        "endpoint's URL, `exp` at most 5 minutes ahead and `jti` unique (a replay is refused)."
    ),
)
async def oauth_token(request: Request, service: ServiceDep, client: ClientDep) -> JSONResponse:
    authorization = request.headers.get("authorization")
    try:
        basic = _basic(authorization)
        form = await _form(request)
        grant = form.get("grant_type")
        if not grant:
            raise OAuthError("invalid_request", "grant_type is required.")
        if grant != "client_credentials":
            raise OAuthError("unsupported_grant_type", "Only client_credentials is supported.")
        in_form = form.get("client_id"), form.get("client_secret")
        assertion = _client_assertion(form)
        if assertion is not None:  # private_key_jwt (RFC 7523 §2.2)
            if basic is not None or in_form[1] is not None:
                raise OAuthError("invalid_request", "Use one client authentication method.")
            claimed = assertions.claimed_client(assertion)
            if in_form[0] is not None and in_form[0] != claimed:
                raise OAuthError("invalid_request", "client_id differs from the assertion.")
            basic = (claimed, "")
        elif basic is not None and in_form[1] is not None:
            raise OAuthError("invalid_request", "Use one client authentication method.")
        elif basic is None:
            if not in_form[0] or in_form[1] is None:
                raise OAuthError("invalid_client", "Client authentication is required.", status=401)
            basic = (in_form[0], in_form[1])
        elif in_form[0] is not None and in_form[0] != basic[0]:
            raise OAuthError("invalid_request", "client_id differs from the credentials.")
        issued = await clients.grant_token(
            service.unit_of_work(),
            service.identity,
            client_id=basic[0][:100],
            secret=None if assertion is not None else basic[1][:200],
            assertion=assertion,
            scope=form.get("scope"),
            client=client,
        )
    except OAuthError as exc:
        return _oauth_error(exc, basic=authorization is not None)
    return JSONResponse(
        OAuthToken(
            access_token=issued.access_token, expires_in=issued.expires_in, scope=issued.scope
        ).model_dump(),
        headers=NO_STORE,
    )
