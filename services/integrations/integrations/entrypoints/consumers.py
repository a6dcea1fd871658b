"""Event handlers of the integrations service: the cases service's answers to handovers.

``cases.case.registered`` is high-volume (every import's cases): a batch handler, one
statement for the events that arrived together.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from contracts import Envelope
from contracts.cases import BatchRegistered, CaseRegistered
from contracts.reports import PostingProposalIssued
from servicekit.bus.consumer import BatchHandler
from sqlalchemy.ext.asyncio import AsyncSession

from integrations.service_layer import answers, vouchers


async def _cases_registered(session: AsyncSession, envelopes: Sequence[Envelope]) -> None:
    await answers.cases_registered(session, [e.payload(CaseRegistered) for e in envelopes])


cases_registered = BatchHandler(_cases_registered)
"""``cases.case.registered.v1``: an invoice handed over is a case now."""


async def batch_registered(session: AsyncSession, envelope: Envelope) -> None:
    """``cases.batch.registered.v1``: a handover's refused rows."""
    await answers.batch_registered(session, envelope.payload(BatchRegistered))


def posting_proposal_issued(
    context: Callable[[], vouchers.VoucherContext],
) -> Callable[[AsyncSession, Envelope], Awaitable[None]]:
    """``reports.posting_proposal.issued.v1``: the settlement posted as a voucher in the ERP."""

    async def handle(session: AsyncSession, envelope: Envelope) -> None:
        await vouchers.post_proposal(session, context(), envelope.payload(PostingProposalIssued))

    return handle
