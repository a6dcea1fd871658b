"""SmtpMailer against the mail sink: real SMTP (and STARTTLS + AUTH) over loopback."""

from __future__ import annotations

import re
import socket
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from auth.adapters.mail import SmtpMailer
from auth.domain.messages import invitation_mail, password_reset_mail
from auth.domain.ports import MailNotSent
from auth.settings import AuthSettings
from servicekit.testing.wait import wait_for
from simulators.mail import MailSink, extract_link

# Needs neither PostgreSQL nor RabbitMQ, but real sockets: an integration test.
pytestmark = pytest.mark.integration

SENDER = "InfoCenter <no-reply@infocenter.local>"
PORTAL = "http://127.0.0.1:8000"
LOGIN_DATA_DEPRECATION = "ignore:Session.login_data is deprecated"


def recipient() -> tuple[str, str, str]:
    """A recipient as the user table would know them: first name, last name, address."""
    first, last = f"Ingrid{uuid.uuid4().hex[:6]}", f"Haugland{uuid.uuid4().hex[:6]}"
    return first, last, f"{first}.{last}@nordlys-energi.no".lower()


def token_link(path: str) -> str:
    return f"{PORTAL}{path}{uuid.uuid4().hex}{uuid.uuid4().hex}"


@pytest.fixture
def sink(tmp_path: Path) -> Iterator[MailSink]:
    with MailSink(smtp_port=0, http_port=0, directory=tmp_path / "mail") as sink:
        yield sink


@pytest.fixture
async def read_api(sink: MailSink) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=sink.http_url, timeout=10) as client:
        yield client


async def delivered(api: httpx.AsyncClient, to: str) -> dict[str, Any]:
    """The one message the sink holds for ``to``, waited for with a deadline."""

    async def one() -> dict[str, Any] | None:
        response = await api.get("/messages", params={"to": to})
        response.raise_for_status()
        messages: list[dict[str, Any]] = response.json()
        assert len(messages) <= 1, "more than one message for a fresh address"
        if not messages:
            return None
        detail = await api.get(f"/messages/{messages[0]['id']}")
        detail.raise_for_status()
        found: dict[str, Any] = detail.json()
        return found

    return await wait_for(one, what=f"a message to {to} in the mail sink", seconds=60)


def mailer_for(sink: MailSink, **overrides: Any) -> SmtpMailer:
    settings = AuthSettings(
        environment="test",
        database_url="postgresql+asyncpg://unused@127.0.0.1:1/unused",
        smtp_host="127.0.0.1",
        smtp_port=sink.smtp_port,
        mail_from=SENDER,
        portal_base_url=PORTAL,
        **overrides,
    )
    tls = sink.client_tls_context() if settings.smtp_starttls else None
    return SmtpMailer.from_settings(settings, tls_context=tls)


async def test_the_invitation_arrives_with_its_link_and_nothing_personal(
    sink: MailSink, read_api: httpx.AsyncClient
) -> None:
    first, last, to = recipient()
    link = token_link("/invitasjon/")
    expires = datetime.now(UTC) + timedelta(hours=72)

    await mailer_for(sink).send(invitation_mail(to, link, expires))

    mail = await delivered(read_api, to)
    assert mail["subject"] == "Invitasjon til InfoCenter / Invitation to InfoCenter"
    assert mail["from"] == "no-reply@infocenter.local"
    assert mail["to"] == [to]
    headers = dict(mail["headers"])
    assert headers["From"] == SENDER
    assert headers["To"] == to
    assert headers["Auto-Submitted"] == "auto-generated"
    assert headers["Message-ID"].endswith("@infocenter.local>")
    assert extract_link(mail["text"], "/invitasjon/") == link
    assert extract_link(mail["text"], PORTAL) == link
    for body in (mail["text"], mail["html"]):
        lowered = body.lower()
        for personal in (first, last, to, "nordlys", "energi", "@"):
            assert personal.lower() not in lowered
        urls = {u.replace("&amp;", "&") for u in re.findall(r"https?://[^\s<>\"]+", body)}
        assert urls == {link}
    assert "Hei,\n" in mail["text"]
    assert "Hello,\n" in mail["text"]


async def test_norwegian_letters_and_the_expiry_survive_the_wire(
    sink: MailSink, read_api: httpx.AsyncClient
) -> None:
    _, _, to = recipient()
    link = token_link("/passord/ny/")
    expires = datetime(2026, 11, 25, 13, 30, tzinfo=UTC)
    sent = password_reset_mail(to, link, expires)

    await mailer_for(sink).send(sent)

    mail = await delivered(read_api, to)
    assert mail["subject"] == sent.subject
    assert mail["text"] == sent.text
    assert "gyldig til 25.11.2026 kl. 14:30" in mail["text"]
    assert "Åpne lenken" in mail["html"]
    assert extract_link(mail["text"], "/passord/ny/") == link


@pytest.mark.filterwarnings(LOGIN_DATA_DEPRECATION)
async def test_a_relay_with_credentials_gets_them_only_after_starttls(
    tmp_path: Path,
) -> None:
    _, _, to = recipient()
    link = token_link("/invitasjon/")
    credentials = {"infocenter": "relay-passord"}
    with MailSink(directory=tmp_path, starttls=True, credentials=credentials) as sink:
        mailer = mailer_for(
            sink, smtp_starttls=True, smtp_username="infocenter", smtp_password="relay-passord"
        )
        await mailer.send(invitation_mail(to, link, datetime.now(UTC) + timedelta(days=3)))

        wrong = mailer_for(
            sink, smtp_starttls=True, smtp_username="infocenter", smtp_password="feil"
        )
        with pytest.raises(MailNotSent, match="SMTPAuthenticationError") as refused:
            await wrong.send(invitation_mail(to, link, datetime.now(UTC) + timedelta(days=3)))
        assert to not in str(refused.value)
        assert link not in str(refused.value)

        async with httpx.AsyncClient(base_url=sink.http_url, timeout=10) as api:
            mail = await delivered(api, to)
    assert mail["tls"] is True
    assert extract_link(mail["text"], "/invitasjon/") == link


def test_credentials_without_starttls_are_refused_before_anything_is_sent() -> None:
    with pytest.raises(ValueError, match="STARTTLS"):
        SmtpMailer(host="127.0.0.1", port=25, sender=SENDER, username="infocenter", password="x")


async def test_an_unreachable_relay_is_mail_not_sent_naming_no_one() -> None:
    with socket.socket() as probe:  # a port that was free a moment ago: nobody listens
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    _, _, to = recipient()
    mailer = SmtpMailer(host="127.0.0.1", port=port, sender=SENDER, timeout=5)

    with pytest.raises(MailNotSent) as refused:
        await mailer.send(invitation_mail(to, token_link("/x/"), datetime.now(UTC)))

    assert f"127.0.0.1:{port}" in str(refused.value)
    assert to not in str(refused.value)
