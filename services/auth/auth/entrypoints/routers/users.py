"""Users of an organisation, managed by its creditor admins or by agency admins.

A creditor admin asking about another organisation, or about a user of one, gets 404 —
the same as for an id that does not exist — so ids of other tenants do not leak.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Request, Response, status
from pydantic import AfterValidator, BaseModel, ConfigDict, EmailStr, Field, model_validator
from servicekit.auth import require_roles
from servicekit.idempotency import IdempotencyKeyHeader, post_once
from servicekit.openapi import problem_responses
from servicekit.roles import Roles
from servicekit.tokens import Principal

from auth.adapters.orm import idempotency_keys
from auth.domain.errors import MailNotDelivered
from auth.domain.users import User, UserStatus
from auth.entrypoints.deps import IDEMPOTENT, ClientDep, ServiceDep, key_scope
from auth.service_layer import invitations, users
from auth.service_layer.unit_of_work import AuthUnitOfWork

router = APIRouter(prefix="/api/v1/auth", tags=["users"])

Admin = Annotated[Principal, Depends(require_roles(Roles.CREDITOR_ADMIN, Roles.AGENCY_ADMIN))]
RoleName = Literal[
    "creditor", "creditor_admin", "credit_orderer", "case_handler", "agency_admin", "ops"
]
"""The roles an administrator may give (`credit_orderer`: a creditor user's right to buy
credit reports; `ops`: agency staff who may see the ops pages and handle dead letters;
neither implied by another role; the organisation's kind decides)."""


def _not_blank(value: str) -> str:
    """Blank as the service layer sees it (it normalises names with ``str.split``, which
    also takes U+001C to U+001F for space, unlike a regular expression's ``\\s``; the
    pattern names them for the documentation)."""
    if not value.split():
        raise ValueError("must not be blank")
    return value


FullName = Annotated[
    str,
    Field(
        min_length=1,
        max_length=200,
        pattern=r"^[^\x00]*[^\s\x00\x1c-\x1f][^\x00]*$",
        examples=["Kari Nordmann"],
    ),
    AfterValidator(_not_blank),
]
"""A person's name: not blank, no NUL (``servicekit.types.Text``'s rule, in its own pattern)."""


class UserOut(BaseModel):
    id: uuid.UUID
    organisation_id: uuid.UUID
    email: str
    full_name: str
    roles: list[str]
    status: UserStatus
    second_factor_enrolled: bool
    created_at: datetime

    @classmethod
    def of(cls, user: User) -> UserOut:
        return cls(
            id=user.id,
            organisation_id=user.organisation_id,
            email=user.email,
            full_name=user.full_name,
            roles=sorted(user.roles),
            status=user.status,
            second_factor_enrolled=user.totp_secret is not None,
            created_at=user.created_at,
        )


class InviteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: EmailStr = Field(examples=["kari.nordmann@nordlys.no"])
    full_name: FullName
    roles: list[RoleName] = Field(
        min_length=1,
        max_length=4,
        description="creditor / creditor_admin in a creditor organisation; case_handler / "
        "agency_admin in the agency",
        examples=[["creditor"]],
    )


class UserPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    full_name: FullName | None = None
    roles: list[RoleName] | None = Field(default=None, min_length=1, max_length=4)

    @model_validator(mode="after")
    def something(self) -> UserPatch:
        if self.full_name is None and self.roles is None:
            raise ValueError("give full_name, roles or both")
        return self


class _MailNotDeliveredNothingSaved(MailNotDelivered):
    """An invitation's mail failed inside an ``Idempotency-Key``'s transaction: the user
    was rolled back with it (same code as :class:`MailNotDelivered`)."""


async def _post_once(
    uow: AuthUnitOfWork,
    actor: Principal,
    request: Request,
    key: str | None,
    body: object,
    work: Callable[[], Awaitable[tuple[int, object]]],
) -> Response:
    """servicekit's ``Idempotency-Key`` mechanism over the identity service's keys."""
    try:
        return await post_once(
            uow,
            idempotency_keys,
            scope=key_scope(actor),
            key=key,
            request=request,
            body=body,
            work=work,
        )
    except MailNotDelivered as exc:
        if key is None:
            raise
        raise _MailNotDeliveredNothingSaved(
            "The invitation e-mail could not be sent and nothing was saved; "
            "try again with the same Idempotency-Key."
        ) from exc


@router.get(
    "/organisations/{organisation_id}/users",
    response_model=list[UserOut],
    responses=problem_responses(404),
    summary="The users of an organisation",
)
async def list_users(
    organisation_id: uuid.UUID, actor: Admin, service: ServiceDep
) -> list[UserOut]:
    found = await users.list_users(
        service.unit_of_work(), service.identity, actor=actor, organisation_id=organisation_id
    )
    return [UserOut.of(u) for u in found]


@router.post(
    "/organisations/{organisation_id}/users",
    status_code=status.HTTP_201_CREATED,
    response_model=UserOut,
    responses=problem_responses(404, 409, 502),
    summary="Invite a user: an invitation link goes to the address given",
    description="502 `mail-not-sent`: without an `Idempotency-Key` the user is saved (send the "
    "invitation again later); with one nothing is saved (retry with the same key)." + IDEMPOTENT,
)
async def invite_user(
    organisation_id: uuid.UUID,
    body: InviteIn,
    actor: Admin,
    service: ServiceDep,
    client: ClientDep,
    request: Request,
    idempotency_key: IdempotencyKeyHeader = None,
) -> Response:
    uow = service.unit_of_work()

    async def work() -> tuple[int, object]:
        user = await invitations.invite_user(
            uow,
            service.identity,
            actor=actor,
            organisation_id=organisation_id,
            email=str(body.email),
            full_name=body.full_name,
            roles=list(body.roles),
            client=client,
        )
        return 201, UserOut.of(user).model_dump(mode="json")

    return await _post_once(
        uow, actor, request, idempotency_key, body.model_dump(mode="json"), work
    )


@router.get(
    "/users/{user_id}",
    response_model=UserOut,
    responses=problem_responses(404),
    summary="One user",
)
async def get_user(user_id: uuid.UUID, actor: Admin, service: ServiceDep) -> UserOut:
    user = await users.get_user(
        service.unit_of_work(), service.identity, actor=actor, user_id=user_id
    )
    return UserOut.of(user)


@router.patch(
    "/users/{user_id}",
    response_model=UserOut,
    responses=problem_responses(404, 409),
    summary="Change a user's roles or name (taking a role away ends their sessions)",
)
async def patch_user(
    user_id: uuid.UUID, body: UserPatch, actor: Admin, service: ServiceDep, client: ClientDep
) -> UserOut:
    user = await users.update_user(
        service.unit_of_work(),
        service.identity,
        actor=actor,
        user_id=user_id,
        roles=list(body.roles) if body.roles is not None else None,
        full_name=body.full_name,
        client=client,
    )
    return UserOut.of(user)


@router.post(
    "/users/{user_id}/deactivate",
    response_model=UserOut,
    responses=problem_responses(404, 409),
    summary="Deactivate a user: every session ends and they can no longer sign in",
    description=IDEMPOTENT.strip(),
)
async def deactivate_user(
    user_id: uuid.UUID,
    actor: Admin,
    service: ServiceDep,
    client: ClientDep,
    request: Request,
    idempotency_key: IdempotencyKeyHeader = None,
) -> Response:
    uow = service.unit_of_work()

    async def work() -> tuple[int, object]:
        user = await users.deactivate_user(
            uow, service.identity, actor=actor, user_id=user_id, client=client
        )
        return 200, UserOut.of(user).model_dump(mode="json")

    return await _post_once(uow, actor, request, idempotency_key, None, work)


@router.post(
    "/users/{user_id}/reactivate",
    response_model=UserOut,
    responses=problem_responses(404, 409),
    summary="Reactivate a deactivated user",
    description=IDEMPOTENT.strip(),
)
async def reactivate_user(
    user_id: uuid.UUID,
    actor: Admin,
    service: ServiceDep,
    client: ClientDep,
    request: Request,
    idempotency_key: IdempotencyKeyHeader = None,
) -> Response:
    uow = service.unit_of_work()

    async def work() -> tuple[int, object]:
        user = await users.reactivate_user(
            uow, service.identity, actor=actor, user_id=user_id, client=client
        )
        return 200, UserOut.of(user).model_dump(mode="json")

    return await _post_once(uow, actor, request, idempotency_key, None, work)


@router.post(
    "/users/{user_id}/invitation",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=UserOut,
    responses=problem_responses(404, 409, 502),
    summary="Send the invitation again (earlier links stop working)",
    description=IDEMPOTENT.strip(),
)
async def resend_invitation(
    user_id: uuid.UUID,
    actor: Admin,
    service: ServiceDep,
    client: ClientDep,
    request: Request,
    idempotency_key: IdempotencyKeyHeader = None,
) -> Response:
    uow = service.unit_of_work()

    async def work() -> tuple[int, object]:
        user = await invitations.resend_invitation(
            uow, service.identity, actor=actor, user_id=user_id, client=client
        )
        return 202, UserOut.of(user).model_dump(mode="json")

    return await _post_once(uow, actor, request, idempotency_key, None, work)
