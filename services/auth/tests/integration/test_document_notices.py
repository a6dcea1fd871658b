"""«Nye dokumenter er klare»: on ``reports.document.issued.v1`` (over the real broker) the
organisation's active users who keep the preference on get one mail through the real SMTP
adapter into the mail sink, saying only that, at most one an hour, once under redelivery;
the preference is read and set on ``/me/notifications``."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from auth.service_layer.notifications import NOTICE_INTERVAL
from contracts import Envelope
from contracts.reports import DocumentIssued
from servicekit.roles import Roles
from servicekit.testing.bus import running_consumers
from servicekit.testing.http import assert_problem

from .conftest import Account, Identity

pytestmark = pytest.mark.integration

ME = "/api/v1/auth/me/notifications"
LINK = "https://portal.infocenter.test/dokumenter"


def issued(organisation_id: uuid.UUID, identity: Identity) -> Envelope:
    return Envelope.wrap(
        DocumentIssued(
            document_id=uuid.uuid4(),
            organisation_id=organisation_id,
            kind="settlement_statement",
            issued_at=identity.clock(),
        )
    )


async def creditor_user(identity: Identity, organisation_id: uuid.UUID) -> Account:
    return await identity.provision(organisation_id, [Roles.CREDITOR])


async def test_one_mail_an_hour_to_the_organisations_active_users_who_want_it(
    identity: Identity,
) -> None:
    creditor = await identity.organisation()
    wants, declines, leaves = [await creditor_user(identity, creditor) for _ in range(3)]
    other = await creditor_user(identity, await identity.organisation())
    client = identity.client

    assert (await client.get(ME, headers=wants.headers)).json() == {"documents": True}
    declined = await client.put(ME, json={"documents": False}, headers=declines.headers)
    assert (declined.status_code, declined.json()) == (200, {"documents": False})
    assert (await client.get(ME, headers=declines.headers)).json() == {"documents": False}
    admin = await identity.agency_admin()
    gone = await client.post(
        f"/api/v1/auth/users/{leaves.user_id}/deactivate", headers=admin.headers
    )
    assert gone.status_code == 200, gone.text

    first = issued(creditor, identity)
    burst = [issued(creditor, identity) for _ in range(99)]
    async with running_consumers(identity.service) as run:
        await run.publish(first, times=2)  # redelivered
        for envelope in burst:
            await run.publish(envelope)
        await run.publish(issued(other.organisation_id, identity))
        await run.settled(handled=1 + 99 + 1, duplicate=1, seconds=60)
        assert run.outcomes()["dead_lettered"] == 0

        (mail,) = await identity.mails_to(wants.email)
        assert mail["subject"].strip().startswith("Nye dokumenter er klare i InfoCenter")
        assert "Nye dokumenter er klare i InfoCenter." in mail["text"]
        assert LINK in mail["text"]
        assert str(first.payload(DocumentIssued).document_id) not in mail["text"]
        assert "settlement" not in mail["text"]
        assert "Test Testesen" not in mail["text"]
        assert await identity.mails_to(declines.email) == []
        assert await identity.mails_to(leaves.email) == []
        assert len(await identity.mails_to(other.email)) == 1  # its own organisation's only

        # within the hour: nothing more; after it, the next document mails again
        identity.clock.advance(NOTICE_INTERVAL - timedelta(seconds=1))
        await run.publish(issued(creditor, identity))
        await run.settled(handled=1 + 99 + 1 + 1)
        assert len(await identity.mails_to(wants.email)) == 1
        identity.clock.advance(timedelta(seconds=1))
        await run.publish(issued(creditor, identity))
        await run.settled(handled=1 + 99 + 1 + 2)
        assert len(await identity.mails_to(wants.email)) == 2
        assert await identity.mails_to(declines.email) == []


async def test_the_preference_takes_a_boolean_and_nothing_else(identity: Identity) -> None:
    user = await creditor_user(identity, await identity.organisation())
    for body in ({"documents": "ja"}, {"documents": 1}, {"documents": True, "sms": True}, {}):
        assert_problem(
            await identity.client.put(ME, json=body, headers=user.headers),
            422,
            "validation-error",
        )
    assert (await identity.client.get(ME, headers=user.headers)).json() == {"documents": True}
    assert (await identity.client.get(ME)).status_code == 401


async def test_a_relay_that_takes_no_mail_retries_the_event_and_mails_once_it_does(
    identity_recording: Identity,
) -> None:
    identity = identity_recording
    recorder = identity.recorder
    assert recorder is not None
    creditor = await identity.organisation()
    user = await identity.provision(creditor, [Roles.CREDITOR], sign_in=False)
    recorder.fail = True
    async with running_consumers(identity.service) as run:
        await run.publish(issued(creditor, identity))
        await run.settled(retried=1)
        assert recorder.to(user.email) == []
        recorder.fail = False
        await run.settled(handled=1, seconds=60)
    assert len(recorder.to(user.email)) == 1
