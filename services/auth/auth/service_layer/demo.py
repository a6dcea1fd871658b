"""Demo data for development: the agency, one creditor and a user for every role.

Idempotent: what exists is left alone, and the logins are read back for printing (the
TOTP secrets too — which is why this refuses to run in production).
"""

from __future__ import annotations

from dataclasses import dataclass

from servicekit.roles import Roles

from auth.domain import totp
from auth.domain.model import Organisation, OrganisationKind
from auth.service_layer.accounts import provision_user
from auth.service_layer.context import IdentityContext
from auth.service_layer.handlers import RegisterOrganisation, register_organisation
from auth.service_layer.unit_of_work import AuthUnitOfWork

DEMO_PASSWORD = "demo-Polarlys-2026"
AGENCY = ("InfoCenter Inkasso AS (demo)", "910000004")
CREDITOR = ("Nordlys Energi AS (demo)", "920000002")
USERS = (
    # email, name, roles, organisation
    ("admin@infocenter.example", "Agnes Admin", [Roles.AGENCY_ADMIN], AGENCY),
    ("saksbehandler@infocenter.example", "Sander Saksbehandler", [Roles.CASE_HANDLER], AGENCY),
    ("drift@infocenter.example", "Dina Drift", [Roles.CASE_HANDLER, Roles.OPS], AGENCY),
    ("admin@nordlys.example", "Nora Nordlys", [Roles.CREDITOR_ADMIN, Roles.CREDITOR], CREDITOR),
    ("kari@nordlys.example", "Kari Kreditor", [Roles.CREDITOR, Roles.CREDIT_ORDERER], CREDITOR),
)


@dataclass(frozen=True)
class DemoLogin:
    email: str
    password: str
    roles: list[str]
    organisation: str
    totp_secret: str

    def current_code(self, ctx: IdentityContext) -> str:
        return totp.code_for(self.totp_secret, totp.step_at(ctx.clock()))


async def ensure_organisation(
    uow: AuthUnitOfWork, name: str, number: str, kind: OrganisationKind
) -> Organisation:
    """The organisation with this number, registered first if it is missing."""
    async with uow:
        existing = await uow.organisations.by_number(number)
    if existing is not None:
        return existing
    return await register_organisation(RegisterOrganisation(name, number, kind), uow)


async def seed_demo(uow: AuthUnitOfWork, ctx: IdentityContext) -> list[DemoLogin]:
    organisations = {
        AGENCY: await ensure_organisation(uow, *AGENCY, OrganisationKind.AGENCY),
        CREDITOR: await ensure_organisation(uow, *CREDITOR, OrganisationKind.CREDITOR),
    }
    logins = []
    for email, name, roles, org_key in USERS:
        organisation = organisations[org_key]
        async with uow:
            user = await uow.users.by_email(email)
        if user is None:
            await provision_user(
                uow,
                ctx,
                organisation_id=organisation.id,
                organisation_kind=organisation.kind,
                email=email,
                full_name=name,
                roles=roles,
                password=DEMO_PASSWORD,
            )
            async with uow:
                user = await uow.users.by_email(email)
        assert user is not None
        assert user.totp_secret is not None
        logins.append(
            DemoLogin(
                email,
                DEMO_PASSWORD,
                sorted(user.roles),
                organisation.name,
                ctx.open_totp(user.id, user.totp_secret),
            )
        )
    return logins
