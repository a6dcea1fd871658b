"""«Nye dokumenter er klare»: a user's e-mail preference and the mail itself.

The reports service announces each document a creditor's users fetch in the portal
(``reports.document.issued.v1``, ids only). The identity service owns the addresses, so
it mails the organisation's active users who keep the preference on (the default) that
something is ready, with a link to the portal's documents page, and nothing else: no
document, number, amount or name.

At most one such mail per user per hour (``documents_notified_at``): a run of a hundred
documents gives one mail. The stamp is taken in the consumer's transaction, with the
inbox row, so a redelivered event mails no one again. If no mail of a claim goes out
(the relay is down) the handler fails and the event is retried, with the stamps rolled
back; a mail refused for one user while others went out clears that user's stamp (the
next document mails them) and the event is done. No address is logged: user ids only.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from contracts import Envelope
from contracts.reports import DocumentIssued
from contracts.webhooks import EndpointDisabled
from servicekit.bus.consumer import EventHandler
from servicekit.tokens import Principal
from sqlalchemy.ext.asyncio import AsyncSession

from auth.adapters.identity_repository import UserRepository
from auth.domain.messages import documents_ready_mail, webhook_endpoint_disabled_mail
from auth.domain.ports import MailNotSent
from auth.service_layer.context import IdentityContext
from auth.service_layer.unit_of_work import AuthUnitOfWork
from auth.service_layer.users import signed_in_user

log = logging.getLogger(__name__)

NOTICE_INTERVAL = timedelta(hours=1)
"""At most one «documents are ready» mail per user in this long."""
DOCUMENTS_PATH = "/dokumenter"
WEBHOOKS_PATH = "/webhooks"


async def document_preference(
    uow: AuthUnitOfWork, ctx: IdentityContext, *, principal: Principal
) -> bool:
    """Whether the signed-in user wants the «documents are ready» mail."""
    async with uow:
        user = await signed_in_user(uow, ctx, principal)
        return bool(await uow.users.notification_preferences(user.id))


async def set_document_preference(
    uow: AuthUnitOfWork, ctx: IdentityContext, *, principal: Principal, documents: bool
) -> bool:
    """Turn the signed-in user's «documents are ready» mail on or off (audited)."""
    async with uow:
        user = await signed_in_user(uow, ctx, principal, for_update=True)
        await uow.users.update(user.id, notify_documents=documents)
        await uow.audit.record(
            "notifications_changed",
            "ok",
            user_id=user.id,
            organisation_id=user.organisation_id,
            documents=documents,
        )
        await uow.commit()
        return documents


def documents_ready_link(ctx: IdentityContext) -> str:
    return f"{ctx.portal_base_url.rstrip('/')}{DOCUMENTS_PATH}"


def document_issued_handler(ctx: IdentityContext) -> EventHandler:
    """The handler of ``reports.document.issued.v1`` (runs in the consumer's transaction)."""

    async def document_issued(session: AsyncSession, envelope: Envelope) -> None:
        event = envelope.payload(DocumentIssued)
        repository = UserRepository(session)
        now = ctx.clock()
        claimed = await repository.claim_document_notices(
            event.organisation_id, now, now - NOTICE_INTERVAL
        )
        link = documents_ready_link(ctx)
        failed = []
        for user_id, address in claimed:
            try:
                await ctx.mailer.send(documents_ready_mail(address, link))
            except MailNotSent:
                failed.append(user_id)
        if failed and len(failed) == len(claimed):
            raise MailNotSent(f"no «documents are ready» mail went out ({len(failed)} users)")
        if failed:
            await repository.unclaim_document_notices(failed)
            log.warning(
                "«documents are ready» mail not sent to %d users: %s",
                len(failed),
                ", ".join(map(str, failed)),
            )
        log.info(
            "documents ready: %d users mailed for document %s",
            len(claimed) - len(failed),
            event.document_id,
        )

    return document_issued


def endpoint_disabled_handler(ctx: IdentityContext) -> EventHandler:
    """``webhooks.endpoint.disabled.v1``: the organisation's active creditor admins get a
    mail with a link to «Webhooks», nothing else (the identity service owns the addresses).
    Fails (and is retried) only when no mail went out."""

    async def endpoint_disabled(session: AsyncSession, envelope: Envelope) -> None:
        event = envelope.payload(EndpointDisabled)
        admins = await UserRepository(session).active_admin_addresses(event.organisation_id)
        link = f"{ctx.portal_base_url.rstrip('/')}{WEBHOOKS_PATH}"
        failed = []
        for user_id, address in admins:
            try:
                await ctx.mailer.send(webhook_endpoint_disabled_mail(address, link))
            except MailNotSent:
                failed.append(user_id)
        if failed and len(failed) == len(admins):
            raise MailNotSent(f"no «endpoint disabled» mail went out ({len(failed)} admins)")
        log.info(
            "webhook endpoint %s disabled: %d admins mailed",
            event.endpoint_id,
            len(admins) - len(failed),
        )

    return endpoint_disabled
