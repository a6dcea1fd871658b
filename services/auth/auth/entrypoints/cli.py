"""Identity administration from the command line (``python -m auth.entrypoints.cli``).

- ``create-agency-admin``: the first agency administrator of an installation;
- ``seed-demo``: demo organisations and a user for each role (development only);
- ``totp-code``: the current authenticator code of a user (development and tests only);
- ``rotate-signing-key``: start signing with a new key (the old one keeps verifying).
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import sys
from collections.abc import Awaitable, Callable

from servicekit.errors import DomainError
from servicekit.roles import Roles

from auth.bootstrap import AuthService, bootstrap
from auth.domain import totp
from auth.domain.model import OrganisationKind
from auth.domain.users import normalise_email
from auth.service_layer.accounts import provision_user
from auth.service_layer.demo import ensure_organisation, seed_demo


class _NoMail:
    async def send(self, message: object) -> None:
        raise RuntimeError("the command line sends no mail")


def _development_only(service: AuthService, what: str) -> None:
    if service.settings.environment == "production":
        raise SystemExit(f"{what} is for development and tests only")


async def _create_agency_admin(service: AuthService, args: argparse.Namespace) -> None:
    password = sys.stdin.readline().rstrip("\n") if args.password_stdin else getpass.getpass()
    agency = await ensure_organisation(
        service.unit_of_work(), args.agency_name, args.agency_number, OrganisationKind.AGENCY
    )
    created = await provision_user(
        service.unit_of_work(),
        service.identity,
        organisation_id=agency.id,
        organisation_kind=agency.kind,
        email=args.email,
        full_name=args.name,
        roles=[Roles.AGENCY_ADMIN],
        password=password,
    )
    print(f"agency administrator {created.email} created in {agency.name}")
    print(f"authenticator (scan or type): {created.totp_uri}")
    print("recovery codes (shown once):")
    for code in created.recovery_codes:
        print(f"  {code}")


async def _seed_demo(service: AuthService, args: argparse.Namespace) -> None:
    _development_only(service, "seed-demo")
    logins = await seed_demo(service.unit_of_work(), service.identity)
    if args.json:
        print(
            json.dumps(
                [
                    {
                        "email": login.email,
                        "password": login.password,
                        "roles": login.roles,
                        "organisation": login.organisation,
                        "totp_secret": login.totp_secret,
                    }
                    for login in logins
                ]
            )
        )
        return
    for login in logins:
        print(
            f"{login.email:34} {login.password}  roles={','.join(login.roles):28}"
            f" TOTP secret={login.totp_secret}"
        )


async def _totp_code(service: AuthService, args: argparse.Namespace) -> None:
    _development_only(service, "totp-code")
    uow = service.unit_of_work()
    async with uow:
        user = await uow.users.by_email(normalise_email(args.email))
    if user is None or user.totp_secret is None:
        raise SystemExit("no such user with an authenticator")
    secret = service.identity.open_totp(user.id, user.totp_secret)
    print(totp.code_for(secret, totp.step_at(service.identity.clock())))


async def _rotate(service: AuthService, args: argparse.Namespace) -> None:
    kid = await service.identity.issuer.keys.rotate()
    print(f"now signing with {kid}")


COMMANDS: dict[str, Callable[[AuthService, argparse.Namespace], Awaitable[None]]] = {
    "create-agency-admin": _create_agency_admin,
    "seed-demo": _seed_demo,
    "totp-code": _totp_code,
    "rotate-signing-key": _rotate,
}


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="auth-cli", description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="command", required=True)
    admin = sub.add_parser("create-agency-admin", help="the first agency administrator")
    admin.add_argument("--email", required=True)
    admin.add_argument("--name", required=True)
    admin.add_argument("--agency-name", required=True)
    admin.add_argument("--agency-number", required=True, help="organisasjonsnummer")
    admin.add_argument("--password-stdin", action="store_true")
    demo = sub.add_parser("seed-demo", help="demo organisations and users (development)")
    demo.add_argument("--json", action="store_true")
    code = sub.add_parser("totp-code", help="current authenticator code (development)")
    code.add_argument("--email", required=True)
    sub.add_parser("rotate-signing-key", help="sign with a new key from now on")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    service = bootstrap(mailer=_NoMail())

    async def run() -> None:
        try:
            await COMMANDS[args.command](service, args)
        finally:
            await service.close()

    try:
        asyncio.run(run())
    except DomainError as exc:
        print(f"error: {exc.detail}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
