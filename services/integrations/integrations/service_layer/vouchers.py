"""A settlement's posting proposal posted back into the creditor's ERP as a voucher.

The reports service announces each proposal (``reports.posting_proposal.issued.v1``); where
the creditor has an active Tripletex connection, its rows become one voucher (bilag) by
Tripletex's voucher import (``POST /ledger/voucher``): one posting per row, debit positive
and credit negative, balanced. Posted once per proposal (``erp_vouchers`` on its document
id; a redelivered event finds the row). A paused connection or none: nothing is posted (the
proposal stays in the portal as a CSV). The ERP refusing the voucher is recorded with its
code and not retried (the creditor's chart may lack an account); the ERP unreachable raises,
so the consumer retries with its delays.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from contracts.reports import PostingProposalIssued, ProposedPosting
from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from integrations.adapters import connection_store
from integrations.adapters.orm import erp_vouchers
from integrations.adapters.vault import CredentialVault
from integrations.service_layer.ports import ErpError, ErpFactory, VoucherPosting

log = logging.getLogger(__name__)

ERP = "tripletex"
RETRIED = frozenset({"erp_unavailable", "erp_rate_limited"})
"""Codes the consumer retries (the ERP was not reached or asked us to wait)."""


@dataclass(frozen=True)
class VoucherContext:
    vault: CredentialVault
    erp_for: ErpFactory


def voucher_postings(rows: Sequence[ProposedPosting]) -> list[VoucherPosting]:
    """The proposal's rows as the ERP's postings: debit positive, credit negative."""
    postings = []
    for row in rows:
        amount = row.debit_ore - row.credit_ore
        if amount == 0:
            continue
        text = row.text if not row.case_number else f"{row.text} (sak {row.case_number})"
        postings.append(VoucherPosting(int(row.account), amount, text[:255]))
    return postings


async def post_proposal(
    session: AsyncSession, ctx: VoucherContext, event: PostingProposalIssued
) -> str | None:
    """Post ``event``'s proposal as a voucher, once; the outcome, or None if not for us."""
    connection = await connection_store.of_creditor(session, event.organisation_id, ERP)
    if connection is None or connection.status != "active":
        return None
    # one proposal at a time (two deliveries of it at once would both find no row)
    await session.execute(select(func.pg_advisory_xact_lock(func.hashtext(str(event.document_id)))))
    done = await session.scalar(
        select(erp_vouchers.c.outcome).where(erp_vouchers.c.document_id == event.document_id)
    )
    if done is not None:
        return str(done)
    erp = ctx.erp_for(
        connection.base_url,
        connection.company_id,
        ctx.vault.open(connection.connection_id, connection.credentials),
    )
    voucher_id: int | None = None
    try:
        voucher_id = await erp.post_voucher(
            event.issued_on,
            f"Avregning {event.voucher_number} fra inkassobyrå",
            voucher_postings(event.postings),
        )
        outcome = "posted"
    except ErpError as exc:
        if exc.code in RETRIED:
            raise
        outcome = exc.code
        log.warning("voucher %s refused by the ERP: %s", event.voucher_number, exc.code)
    finally:
        await erp.aclose()
    await session.execute(
        insert(erp_vouchers)
        .values(
            document_id=event.document_id,
            connection_id=connection.connection_id,
            settlement_id=event.settlement_id,
            voucher_number=event.voucher_number,
            erp_voucher_id=voucher_id,
            outcome=outcome,
        )
        .on_conflict_do_nothing()
    )
    return outcome
