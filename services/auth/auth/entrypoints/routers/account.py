"""A person's own account: joining by invitation, password reset, and (signed in) their
password, authenticator and recovery codes.

Every secret (link tokens, passwords, codes) travels in the request body, never in a URL;
answers that carry a secret are marked ``Cache-Control: no-store``.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Response, status
from pydantic import BaseModel, ConfigDict, EmailStr, Field, model_validator
from servicekit.auth import CurrentPrincipal
from servicekit.openapi import problem_responses
from servicekit.types import Text

from auth.domain.users import UserStatus
from auth.entrypoints.deps import ClientDep, ServiceDep
from auth.service_layer import invitations, notifications, users
from auth.service_layer.invitations import Enrolment

router = APIRouter(prefix="/api/v1/auth", tags=["account"])

LinkToken = Annotated[
    Text, Field(min_length=20, max_length=200, description="The token from the link's #token=")
]
EnrolmentToken = Annotated[Text, Field(min_length=20, max_length=1024)]
Password = Annotated[Text, Field(min_length=1, max_length=1024)]
TotpCode = Annotated[Text, Field(min_length=6, max_length=10, description="6-digit TOTP code")]
RecoveryCode = Annotated[Text, Field(min_length=16, max_length=40)]

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def _no_store(response: Response) -> None:
    response.headers.update(NO_STORE)


class CurrentCode(BaseModel):
    """A current authenticator code, or one of the recovery codes."""

    model_config = ConfigDict(extra="forbid")

    code: TotpCode | None = None
    recovery_code: RecoveryCode | None = None

    @model_validator(mode="after")
    def one_factor(self) -> CurrentCode:
        if not self.code and not self.recovery_code:
            raise ValueError("give the code from the authenticator app, or a recovery code")
        return self


class AcceptInvitation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    token: LinkToken
    password: Password


class EnrolmentOut(BaseModel):
    """Set up the authenticator app with the QR code (or the secret), then confirm it with
    the first code it shows."""

    enrolment_token: str = Field(description="Send it back with the first code")
    secret: str = Field(description="Base32 TOTP secret, for typing in by hand")
    otpauth_uri: str
    qr_svg: str = Field(description="The otpauth URI as an SVG QR code")
    expires_at: datetime

    @classmethod
    def of(cls, enrolment: Enrolment) -> EnrolmentOut:
        return cls(
            enrolment_token=enrolment.token,
            secret=enrolment.secret,
            otpauth_uri=enrolment.otpauth_uri,
            qr_svg=enrolment.qr_svg,
            expires_at=enrolment.expires_at,
        )


class ConfirmEnrolment(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enrolment_token: EnrolmentToken
    code: TotpCode


class RecoveryCodesOut(BaseModel):
    recovery_codes: list[str] = Field(
        description="Shown this once: each signs in once when the authenticator is lost"
    )


class PasswordResetRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: EmailStr


class Accepted(BaseModel):
    detail: str


class PasswordResetConfirm(CurrentCode):
    token: LinkToken
    password: Password


class SessionsEnded(BaseModel):
    sessions_ended: int = Field(description="How many of your sessions were signed out")


class MeOut(BaseModel):
    id: uuid.UUID
    organisation_id: uuid.UUID
    email: str
    full_name: str
    roles: list[str]
    status: UserStatus
    recovery_codes_left: int


class Notifications(BaseModel):
    """My e-mail notices. ``documents``: «Varsle meg på e-post når nye dokumenter er klare»
    (a mail that says only that, with a link to the portal; at most one an hour)."""

    model_config = ConfigDict(extra="forbid", strict=True)

    documents: bool


class ChangePassword(BaseModel):
    model_config = ConfigDict(extra="forbid")

    current_password: Password
    new_password: Password


class ReenrolTotp(CurrentCode):
    password: Password


# -- joining -------------------------------------------------------------------------------


@router.post(
    "/invitations/accept",
    response_model=EnrolmentOut,
    responses=problem_responses(410),
    summary="Invitation, step 1: choose a password; get the authenticator to set up",
)
async def accept_invitation(
    body: AcceptInvitation, service: ServiceDep, client: ClientDep, response: Response
) -> EnrolmentOut:
    _no_store(response)
    enrolment = await invitations.accept_invitation(
        service.unit_of_work(),
        service.identity,
        token=body.token,
        password=body.password,
        client=client,
    )
    return EnrolmentOut.of(enrolment)


@router.post(
    "/invitations/confirm",
    response_model=RecoveryCodesOut,
    responses=problem_responses(410, 429),
    summary="Invitation, step 2: the first authenticator code; activates the account",
)
async def confirm_enrolment(
    body: ConfirmEnrolment, service: ServiceDep, client: ClientDep, response: Response
) -> RecoveryCodesOut:
    _no_store(response)
    codes = await invitations.confirm_enrolment(
        service.unit_of_work(),
        service.identity,
        enrolment_token=body.enrolment_token,
        code=body.code,
        client=client,
    )
    return RecoveryCodesOut(recovery_codes=codes)


# -- password reset --------------------------------------------------------------------------


@router.post(
    "/password-reset",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=Accepted,
    summary="Ask for a password-reset link (the same answer whether or not the address is known)",
)
async def request_password_reset(
    body: PasswordResetRequest,
    service: ServiceDep,
    client: ClientDep,
    background: BackgroundTasks,
) -> Accepted:
    mail = await invitations.request_password_reset(
        service.unit_of_work(), service.identity, email=str(body.email), client=client
    )
    if mail is not None:  # sent after answering: the answer's timing tells nothing either
        background.add_task(invitations.send_quietly, service.identity, mail)
    return Accepted(
        detail="If the address belongs to an active user, a link to choose a new password "
        "is on its way."
    )


@router.post(
    "/password-reset/confirm",
    response_model=SessionsEnded,
    responses=problem_responses(410, 429),
    summary="Choose a new password through the link, with an authenticator or recovery code",
)
async def reset_password(
    body: PasswordResetConfirm, service: ServiceDep, client: ClientDep
) -> SessionsEnded:
    ended = await invitations.reset_password(
        service.unit_of_work(),
        service.identity,
        token=body.token,
        new_password=body.password,
        code=body.code,
        recovery_code=body.recovery_code,
        client=client,
    )
    return SessionsEnded(sessions_ended=ended)


# -- signed in -------------------------------------------------------------------------------


@router.get("/me", response_model=MeOut, summary="Who I am")
async def get_me(principal: CurrentPrincipal, service: ServiceDep) -> MeOut:
    me = await users.my_account(service.read_unit_of_work(), service.identity, principal=principal)
    return MeOut(
        id=me.user.id,
        organisation_id=me.user.organisation_id,
        email=me.user.email,
        full_name=me.user.full_name,
        roles=sorted(me.user.roles),
        status=me.user.status,
        recovery_codes_left=me.recovery_codes_left,
    )


@router.get("/me/notifications", response_model=Notifications, summary="My e-mail notices")
async def get_notifications(principal: CurrentPrincipal, service: ServiceDep) -> Notifications:
    documents = await notifications.document_preference(
        service.unit_of_work(), service.identity, principal=principal
    )
    return Notifications(documents=documents)


@router.put(
    "/me/notifications",
    response_model=Notifications,
    responses=problem_responses(422),
    summary="Set my e-mail notices",
)
async def set_notifications(
    body: Notifications, principal: CurrentPrincipal, service: ServiceDep
) -> Notifications:
    documents = await notifications.set_document_preference(
        service.unit_of_work(), service.identity, principal=principal, documents=body.documents
    )
    return Notifications(documents=documents)


@router.post(
    "/me/password",
    response_model=SessionsEnded,
    responses=problem_responses(403, 429),
    summary="Change my password (my other sessions end)",
)
async def change_password(
    body: ChangePassword, principal: CurrentPrincipal, service: ServiceDep, client: ClientDep
) -> SessionsEnded:
    ended = await invitations.change_password(
        service.unit_of_work(),
        service.identity,
        principal=principal,
        current_password=body.current_password,
        new_password=body.new_password,
        client=client,
    )
    return SessionsEnded(sessions_ended=ended)


@router.post(
    "/me/totp",
    response_model=EnrolmentOut,
    responses=problem_responses(403, 429),
    summary="Replace my authenticator, step 1: password and a current (or recovery) code",
)
async def reenrol_totp(
    body: ReenrolTotp,
    principal: CurrentPrincipal,
    service: ServiceDep,
    client: ClientDep,
    response: Response,
) -> EnrolmentOut:
    _no_store(response)
    enrolment = await invitations.reenrol_totp(
        service.unit_of_work(),
        service.identity,
        principal=principal,
        password=body.password,
        code=body.code,
        recovery_code=body.recovery_code,
        client=client,
    )
    return EnrolmentOut.of(enrolment)


@router.post(
    "/me/totp/confirm",
    response_model=SessionsEnded,
    responses=problem_responses(410, 429),
    summary="Replace my authenticator, step 2: the new one's first code (my other sessions end)",
)
async def confirm_totp_change(
    body: ConfirmEnrolment, principal: CurrentPrincipal, service: ServiceDep, client: ClientDep
) -> SessionsEnded:
    ended = await invitations.confirm_totp_change(
        service.unit_of_work(),
        service.identity,
        principal=principal,
        enrolment_token=body.enrolment_token,
        code=body.code,
        client=client,
    )
    return SessionsEnded(sessions_ended=ended)


@router.post(
    "/me/recovery-codes",
    response_model=RecoveryCodesOut,
    responses=problem_responses(403, 429),
    summary="New recovery codes after a current code (old ones stop; my other sessions end)",
)
async def regenerate_recovery_codes(
    body: CurrentCode,
    principal: CurrentPrincipal,
    service: ServiceDep,
    client: ClientDep,
    response: Response,
) -> RecoveryCodesOut:
    _no_store(response)
    codes = await invitations.regenerate_recovery_codes(
        service.unit_of_work(),
        service.identity,
        principal=principal,
        code=body.code,
        recovery_code=body.recovery_code,
        client=client,
    )
    return RecoveryCodesOut(recovery_codes=codes)
