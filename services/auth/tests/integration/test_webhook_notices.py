"""«Et webhook-endepunkt er slått av»: on ``webhooks.endpoint.disabled.v1`` the
organisation's active creditor admins get a mail with a link to «Webhooks» and nothing
else; other users and other organisations get none. The handler runs in a session as the
consumer runs it (the bus itself is tested with the other notices)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from auth.service_layer.notifications import endpoint_disabled_handler
from contracts import Envelope
from contracts.webhooks import EndpointDisabled
from servicekit.roles import Roles

from .conftest import Identity

pytestmark = pytest.mark.integration

LINK = "https://portal.infocenter.test/webhooks"


async def test_the_organisations_admins_get_a_link_and_nothing_else(identity: Identity) -> None:
    creditor = await identity.organisation()
    admin = await identity.provision(creditor, [Roles.CREDITOR_ADMIN, Roles.CREDITOR])
    user = await identity.provision(creditor, [Roles.CREDITOR])
    other = await identity.provision(await identity.organisation(), [Roles.CREDITOR_ADMIN])
    endpoint_id = uuid.uuid4()
    envelope = Envelope.wrap(
        EndpointDisabled(
            endpoint_id=endpoint_id,
            organisation_id=creditor,
            reason="gone",
            disabled_at=datetime.now(UTC),
        )
    )
    handler = endpoint_disabled_handler(identity.service.identity)
    async with identity.service.session_factory() as session:
        await handler(session, envelope)
        await session.commit()

    (mail,) = await identity.mails_to(admin.email)
    assert mail["subject"].strip().startswith("Et webhook-endepunkt er slått av i InfoCenter")
    assert LINK in mail["text"]
    assert str(endpoint_id) not in mail["text"]
    assert "gone" not in mail["text"]
    assert await identity.mails_to(user.email) == []
    assert await identity.mails_to(other.email) == []
