from __future__ import annotations

import dataclasses
import secrets
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pyotp
import pytest
from auth.adapters.credentials import Argon2PasswordHasher
from auth.adapters.mail import RecordingMailer
from auth.bootstrap import AuthService, bootstrap
from auth.domain.model import OrganisationKind
from auth.entrypoints.api import create_app
from auth.service_layer.accounts import provision_user
from auth.service_layer.handlers import RegisterOrganisation, register_organisation
from auth.settings import AuthSettings
from servicekit.crypto import Keyring
from servicekit.roles import Roles
from servicekit.sessions import SessionStates
from servicekit.testing.data import organisation_number, unique_name
from servicekit.testing.http import asgi_client
from servicekit.testing.tokens import TestSigner
from servicekit.testing.wait import wait_for
from simulators.mail import MailSink, extract_link

ALEMBIC_INI = Path(__file__).resolve().parents[2] / "alembic.ini"
DATA_KEYS = Keyring.generate_spec()
"""One keyring for the whole run: the run's database keeps what it sealed."""
LOOKUP_KEY = uuid.uuid4().hex


@pytest.fixture
async def service(
    service_database: Callable[[str, Path], Awaitable[str]],
    bus_namespace: str,
    signer: TestSigner,
) -> AsyncIterator[AuthService]:
    """The identity service on this run's migrated database and a bus namespace of its own."""
    url = await service_database("auth", ALEMBIC_INI)
    service = bootstrap(
        AuthSettings(
            environment="test",
            database_url=url,
            bus_namespace=f"{bus_namespace}auth{uuid.uuid4().hex[:6]}.",
            data_keys=DATA_KEYS,
            lookup_key=LOOKUP_KEY,
        ),
        hasher=Argon2PasswordHasher(time_cost=1, memory_kib=8 * 1024),
    )
    # trust the test signer's tokens besides the service's own; their sessions (which the
    # database does not know) count as active, every other one is checked as in production
    own_sessions = service.token_verifier.sessions
    assert own_sessions is not None

    async def active(session_id: uuid.UUID) -> bool:
        return session_id in signer.minted_sessions or await own_sessions.ask(session_id)

    service.token_verifier = dataclasses.replace(
        service.token_verifier,
        static_jwks=signer.jwks,
        sessions=SessionStates(active, active_ttl=0.0, ended_ttl=0.0),
    )
    yield service
    await service.close()


# -- the identity service as a portal user meets it ------------------------------------------
#
# ``identity`` is the service over HTTP with a movable clock and its real SMTP adapter
# delivering into a mail sink; ``identity_recording`` the same with an in-memory mailer
# (for handler-level tests). Helpers register organisations, provision users and sign in.

PASSWORD = "lang og hemmelig frase 42"
"""A password the policy accepts, for users the tests create directly."""


@dataclass
class Clock:
    """The service's clock, moved by the test (TOTP steps, link expiry) instead of sleeping.

    It starts four minutes in the past: every authenticator code a test uses needs a later
    30-second step (each code works once), and access tokens stamped with this clock must
    still verify against the wall clock (not before ``iat`` minus 30 s, not after ``exp``). That
    leaves room for about eight codes per test; tests that travel further in time do so
    after their last use of an access token.
    """

    now: datetime = field(default_factory=lambda: datetime.now(UTC) - timedelta(minutes=4))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


@dataclass
class Account:
    """A user the test can act as: credentials, and tokens once signed in."""

    user_id: uuid.UUID
    organisation_id: uuid.UUID
    email: str
    password: str
    totp_secret: str
    recovery_codes: list[str] = field(default_factory=list)
    tokens: dict[str, Any] = field(default_factory=dict)

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens['access_token']}"}


@dataclass
class Identity:
    service: AuthService
    client: httpx.AsyncClient
    clock: Clock
    sink: MailSink | None = None
    recorder: RecordingMailer | None = None

    # -- data --------------------------------------------------------------------------------

    async def organisation(self, kind: OrganisationKind = OrganisationKind.CREDITOR) -> uuid.UUID:
        registered = await register_organisation(
            RegisterOrganisation(unique_name(), organisation_number(), kind),
            self.service.unit_of_work(),
        )
        return registered.id

    async def provision(
        self,
        organisation_id: uuid.UUID,
        roles: list[str],
        *,
        kind: OrganisationKind = OrganisationKind.CREDITOR,
        sign_in: bool = True,
    ) -> Account:
        """An active user made directly (as the CLI does), signed in unless told not to."""
        made = await provision_user(
            self.service.unit_of_work(),
            self.service.identity,
            organisation_id=organisation_id,
            organisation_kind=kind,
            email=unique_email(),
            full_name="Test Testesen",
            roles=roles,
            password=PASSWORD,
        )
        account = Account(
            made.user_id,
            organisation_id,
            made.email,
            PASSWORD,
            made.totp_secret,
            made.recovery_codes,
        )
        if sign_in:
            account.tokens = await self.sign_in(account)
        return account

    async def agency_admin(self) -> Account:
        agency = await self.organisation(OrganisationKind.AGENCY)
        return await self.provision(agency, [Roles.AGENCY_ADMIN], kind=OrganisationKind.AGENCY)

    # -- codes and signing in ----------------------------------------------------------------

    def next_code(self, secret: str) -> str:
        """The authenticator code of the next 30-second step (each step works once)."""
        self.clock.advance(timedelta(seconds=30))
        return pyotp.TOTP(secret).at(self.clock.now)

    def wrong_code(self, secret: str) -> str:
        """Six digits that are certainly not a valid code of ``secret`` right now."""
        totp = pyotp.TOTP(secret)
        valid = {totp.at(self.clock.now + timedelta(seconds=30 * d)) for d in (-1, 0, 1)}
        return next(c for c in ("000000", "000001", "000002", "000003") if c not in valid)

    async def start_sign_in(self, email: str, password: str) -> httpx.Response:
        return await self.client.post(
            "/api/v1/auth/sign-in", json={"email": email, "password": password}
        )

    async def sign_in_response(
        self, account: Account, *, code: str | None = None, password: str | None = None
    ) -> httpx.Response:
        first = await self.start_sign_in(account.email, password or account.password)
        if first.status_code != 200:
            return first
        return await self.client.post(
            "/api/v1/auth/sign-in/second-factor",
            json={
                "challenge": first.json()["challenge"],
                "code": code or self.next_code(account.totp_secret),
            },
        )

    async def sign_in(self, account: Account) -> dict[str, Any]:
        """Password, then the next code: the token pair (asserting success)."""
        response = await self.sign_in_response(account)
        assert response.status_code == 200, response.text
        tokens: dict[str, Any] = response.json()
        return tokens

    async def refresh(self, tokens: dict[str, Any]) -> httpx.Response:
        return await self.client.post(
            "/api/v1/auth/token", json={"refresh_token": tokens["refresh_token"]}
        )

    # -- mail --------------------------------------------------------------------------------

    async def mails_to(self, address: str) -> list[dict[str, Any]]:
        """Messages for ``address``, newest first: ``subject``, ``text``, ``html``."""
        if self.recorder is not None:
            return [
                {"subject": m.subject, "text": m.text, "html": m.html}
                for m in reversed(self.recorder.to(address))
            ]
        assert self.sink is not None
        async with httpx.AsyncClient(base_url=self.sink.http_url, timeout=10) as api:
            response = await api.get("/messages", params={"to": address})
            response.raise_for_status()
            messages: list[dict[str, Any]] = response.json()
            return messages

    async def link_token(self, address: str, path: str, *, count: int = 1) -> str:
        """The token in the link of the newest mail to ``address`` (once ``count`` arrived)."""

        async def arrived() -> list[dict[str, Any]] | None:
            mails = await self.mails_to(address)
            return mails if len(mails) >= count else None

        mails = await wait_for(arrived, what=f"mail number {count} to a test address", seconds=60)
        link = extract_link(mails[0]["text"], path)
        prefix, _, token = link.partition("#token=")
        assert prefix.endswith(path), link
        assert token, link
        return token


def unique_email() -> str:
    return f"bruker.{uuid.uuid4().hex[:10]}@nordlys-energi.no"


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture(scope="session")
def mail_sink() -> Iterator[MailSink]:
    """A real SMTP server (with a read API) for this run; tests read their own addresses."""
    with MailSink(smtp_port=0, http_port=0) as sink:
        yield sink


async def _identity(url: str, bus_namespace: str, clock: Clock, **overrides: Any) -> AuthService:
    settings = AuthSettings(
        environment="test",
        database_url=url,
        bus_namespace=f"{bus_namespace}auth{uuid.uuid4().hex[:6]}.",
        data_keys=DATA_KEYS,
        lookup_key=LOOKUP_KEY,
        portal_base_url="https://portal.infocenter.test",
        **{k: v for k, v in overrides.items() if k != "mailer"},
    )
    return bootstrap(
        settings,
        mailer=overrides.get("mailer"),
        clock=clock,
        hasher=Argon2PasswordHasher(time_cost=1, memory_kib=8 * 1024),
    )


def _client(service: AuthService) -> httpx.AsyncClient:
    # Each test its own client address, so the per-address sign-in throttle of one test
    # never locks out another.
    address = f"10.{secrets.randbelow(250)}.{secrets.randbelow(250)}.{secrets.randbelow(250)}"
    return asgi_client(create_app(service), headers={"X-Forwarded-For": address})


@pytest.fixture
async def identity(
    service_database: Callable[[str, Path], Awaitable[str]],
    bus_namespace: str,
    clock: Clock,
    mail_sink: MailSink,
) -> AsyncIterator[Identity]:
    """The identity API; its real SMTP adapter delivers into :func:`mail_sink`."""
    url = await service_database("auth", ALEMBIC_INI)
    service = await _identity(
        url, bus_namespace, clock, smtp_host=mail_sink.host, smtp_port=mail_sink.smtp_port
    )
    async with _client(service) as client:
        yield Identity(service, client, clock, sink=mail_sink)
    await service.close()


@pytest.fixture
async def identity_recording(
    service_database: Callable[[str, Path], Awaitable[str]], bus_namespace: str, clock: Clock
) -> AsyncIterator[Identity]:
    """The identity API with an in-memory mailer (``recorder.fail = True`` refuses mail)."""
    url = await service_database("auth", ALEMBIC_INI)
    recorder = RecordingMailer()
    service = await _identity(url, bus_namespace, clock, mailer=recorder)
    async with _client(service) as client:
        yield Identity(service, client, clock, recorder=recorder)
    await service.close()


@pytest.fixture
async def agency_admin(identity: Identity) -> Account:
    """A signed-in agency administrator (of an agency organisation of their own)."""
    return await identity.agency_admin()
