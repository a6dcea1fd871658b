"""The mail sink: real SMTP in (smtplib, aiosmtplib), the JSON read API out, over loopback."""

from __future__ import annotations

import asyncio
import json
import smtplib
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import aiosmtplib
import httpx
import pytest
from servicekit.testing.wait import wait_for
from simulators.mail import MailSink, extract_link

# Real sockets on loopback, no PostgreSQL or RabbitMQ: not a unit test.
pytestmark = pytest.mark.integration

LOGIN_DATA_DEPRECATION = "ignore:Session.login_data is deprecated"


def unique_address(name: str = "mottaker") -> str:
    return f"{name}.{uuid.uuid4().hex[:10]}@example.no"


def message(to: str, subject: str = "Hei på deg", text: str = "Blåbærsyltetøy\n") -> EmailMessage:
    email = EmailMessage()
    email["From"] = "InfoCenter <no-reply@infocenter.local>"
    email["To"] = to
    email["Subject"] = subject
    email.set_content(text)
    email.add_alternative(f"<p>{text.strip()}</p>", subtype="html")
    return email


def send_with_smtplib(sink: MailSink, email: EmailMessage) -> None:
    with smtplib.SMTP("127.0.0.1", sink.smtp_port, timeout=10) as client:
        client.send_message(email)


@pytest.fixture
def sink(tmp_path: Path) -> Iterator[MailSink]:
    with MailSink(smtp_port=0, http_port=0, directory=tmp_path / "mail") as sink:
        yield sink


@pytest.fixture
async def api(sink: MailSink) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=sink.http_url, timeout=10) as client:
        yield client


async def listed(api: httpx.AsyncClient, to: str | None = None) -> list[dict[str, Any]]:
    response = await api.get("/messages", params={"to": to} if to else None)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    result: list[dict[str, Any]] = response.json()
    return result


async def test_a_message_sent_with_smtplib_is_kept_and_listed(
    sink: MailSink, api: httpx.AsyncClient
) -> None:
    to = unique_address()

    await asyncio.to_thread(send_with_smtplib, sink, message(to))

    # The sink stores a message before it answers 250, so it is there at once.
    [mail] = await listed(api, to)
    assert mail["from"] == "no-reply@infocenter.local"
    assert mail["to"] == [to]
    assert mail["subject"] == "Hei på deg"
    assert mail["text"] == "Blåbærsyltetøy\n"
    assert mail["html"].strip() == "<p>Blåbærsyltetøy</p>"
    assert mail["tls"] is False
    assert mail["received_at"].endswith("+00:00")
    eml = sink.directory / f"{mail['id']}.eml"
    assert eml.is_file()
    index = json.loads((sink.directory / "index.json").read_text(encoding="utf-8"))
    assert [entry["id"] for entry in index] == [mail["id"]]


async def test_a_message_sent_with_aiosmtplib_is_kept_and_listed(
    sink: MailSink, api: httpx.AsyncClient
) -> None:
    to = unique_address()

    await aiosmtplib.send(
        message(to, subject="Nytt passord"), hostname="127.0.0.1", port=sink.smtp_port
    )

    mail = await wait_for(lambda: _first(api, to), what="the message in the sink", seconds=60)
    assert mail["subject"] == "Nytt passord"
    assert mail["to"] == [to]


async def _first(api: httpx.AsyncClient, to: str) -> dict[str, Any] | None:
    messages = await listed(api, to)
    return messages[0] if messages else None


async def test_listing_is_newest_first_and_filtered_by_recipient_ignoring_case(
    sink: MailSink, api: httpx.AsyncClient
) -> None:
    to, other = unique_address(), unique_address()
    for subject in ("første", "andre"):
        await aiosmtplib.send(message(to, subject), hostname="127.0.0.1", port=sink.smtp_port)
    await aiosmtplib.send(message(other, "annen"), hostname="127.0.0.1", port=sink.smtp_port)

    assert [m["subject"] for m in await listed(api, to.upper())] == ["andre", "første"]
    assert [m["subject"] for m in await listed(api, other)] == ["annen"]
    assert [m["subject"] for m in await listed(api)] == ["annen", "andre", "første"]
    assert await listed(api, unique_address()) == []


async def test_one_message_shows_its_headers_and_its_raw_form(
    sink: MailSink, api: httpx.AsyncClient
) -> None:
    to = unique_address()
    email = message(to)
    await aiosmtplib.send(email, hostname="127.0.0.1", port=sink.smtp_port)
    [summary] = await listed(api, to)

    response = await api.get(f"/messages/{summary['id']}")
    assert response.status_code == 200
    detail = response.json()
    assert {k: v for k, v in detail.items() if k != "headers"} == summary
    assert ["To", to] in detail["headers"]
    assert ["Subject", "Hei på deg"] in detail["headers"]

    raw = await api.get(f"/messages/{summary['id']}/raw")
    assert raw.status_code == 200
    assert raw.headers["content-type"] == "message/rfc822"
    assert raw.content == (sink.directory / f"{summary['id']}.eml").read_bytes()
    assert f"To: {to}".encode() in raw.content


@pytest.mark.parametrize(
    "path", ["/messages/" + "0" * 32, "/messages/../index.json", "/messages/abc", "/nothing"]
)
async def test_unknown_paths_and_ids_are_404(api: httpx.AsyncClient, path: str) -> None:
    response = await api.get(path)

    assert response.status_code == 404
    assert response.json() == {"error": "not found"}


async def test_delete_forgets_messages_and_their_files(
    sink: MailSink, api: httpx.AsyncClient
) -> None:
    to, other = unique_address(), unique_address()
    for recipient in (to, to, other):
        await aiosmtplib.send(message(recipient), hostname="127.0.0.1", port=sink.smtp_port)

    response = await api.delete("/messages", params={"to": to})
    assert response.json() == {"deleted": 2}
    assert await listed(api, to) == []
    [kept] = await listed(api, other)

    response = await api.delete("/messages")
    assert response.status_code == 200
    assert response.json() == {"deleted": 1}
    assert await listed(api) == []
    assert not (sink.directory / f"{kept['id']}.eml").exists()
    assert json.loads((sink.directory / "index.json").read_text(encoding="utf-8")) == []


async def test_messages_survive_a_restart_on_the_same_directory(tmp_path: Path) -> None:
    to = unique_address()
    with MailSink(directory=tmp_path) as first:
        await aiosmtplib.send(message(to), hostname="127.0.0.1", port=first.smtp_port)

    with MailSink(directory=tmp_path) as second:
        async with httpx.AsyncClient(base_url=second.http_url, timeout=10) as api:
            [mail] = await listed(api, to)
    assert mail["subject"] == "Hei på deg"


def test_a_sink_without_a_directory_cleans_up_after_itself() -> None:
    sink = MailSink().start()
    directory = sink.directory
    assert directory.is_dir()

    sink.stop()

    assert not directory.exists()


async def test_health(api: httpx.AsyncClient) -> None:
    response = await api.get("/health")

    assert response.json() == {"status": "ok"}


@pytest.mark.filterwarnings(LOGIN_DATA_DEPRECATION)
async def test_a_relay_with_credentials_demands_starttls_and_auth(tmp_path: Path) -> None:
    to = unique_address()
    with MailSink(directory=tmp_path, starttls=True, credentials={"portal": "hemmelig"}) as sink:
        send = {"hostname": "127.0.0.1", "port": sink.smtp_port}

        with pytest.raises(aiosmtplib.SMTPSenderRefused) as refused:
            await aiosmtplib.send(message(to), **send, start_tls=False)
        assert refused.value.code == 530  # authentication required
        with pytest.raises(aiosmtplib.SMTPAuthenticationError):
            await aiosmtplib.send(
                message(to),
                **send,
                start_tls=True,
                tls_context=sink.client_tls_context(),
                username="portal",
                password="feil",
            )
        await aiosmtplib.send(
            message(to),
            **send,
            start_tls=True,
            tls_context=sink.client_tls_context(),
            username="portal",
            password="hemmelig",
        )

        async with httpx.AsyncClient(base_url=sink.http_url, timeout=10) as api:
            [mail] = await listed(api, to)
    assert mail["tls"] is True


def test_credentials_without_starttls_are_refused() -> None:
    with pytest.raises(ValueError, match="STARTTLS"):
        MailSink(credentials={"portal": "hemmelig"})


def test_extract_link_finds_the_one_link_under_a_path() -> None:
    link = "http://127.0.0.1:8000/invitasjon/abc_DEF-123"
    text = f"Hei,\n\n{link}\n\nSe https://example.no/om.\n\n-- English --\n\n{link}.\n"

    assert extract_link(text, "/invitasjon/") == link
    assert extract_link(text, "http://127.0.0.1:8000/") == link
    assert extract_link(text, "/om") == "https://example.no/om"
    with pytest.raises(LookupError):
        extract_link(text, "/passord/")
    with pytest.raises(LookupError):
        extract_link(f"{link}\n{link}x", "/invitasjon/")


async def test_the_command_line_runs_the_sink_until_terminated(tmp_path: Path) -> None:
    directory = tmp_path / "var" / "mail"
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "simulators.mail",
        "--smtp-port",
        "0",
        "--http-port",
        "0",
        "--dir",
        str(directory),
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        ready = (await asyncio.wait_for(process.stdout.readline(), 30)).decode()
        assert ready.startswith("mail sink ready: "), ready
        smtp_port = int(ready.split("smtp 127.0.0.1:")[1].split(",")[0])
        http_url = ready.split("read api ")[1].split(",")[0]
        to = unique_address()

        await aiosmtplib.send(message(to), hostname="127.0.0.1", port=smtp_port)

        async with httpx.AsyncClient(base_url=http_url, timeout=10) as api:
            [mail] = await listed(api, to)
        assert (directory / f"{mail['id']}.eml").is_file()
    finally:
        if process.returncode is None:
            process.terminate()
        code = await asyncio.wait_for(process.wait(), 30)
    assert code == 0
