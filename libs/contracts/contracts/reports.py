"""Events produced by the `services/reports` service.

Payload models are added here, with their JSON Schema snapshot, when the service first
publishes them.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import BaseModel, Field

from contracts.envelope import EventData
from contracts.registry import event_model


@event_model
class ReplayRequested(EventData):
    """A consumer rebuilding a projection asks the producers to replay what they published.

    Each producer that published one of ``routing_keys`` re-publishes those events, as
    they were (same ``event_id`` and payload), to the routing key
    ``replay.<reply_to>.<routing key>``, which only the rebuilding consumer's replay queue
    binds (see ``servicekit.replay``).
    """

    event_type = "reports.replay.requested"

    replay_id: uuid.UUID
    reply_to: str = Field(pattern=r"^[a-z][a-z0-9_]{0,39}$", description="the consumer's name")
    routing_keys: list[str] = Field(
        min_length=1,
        max_length=50,
        description="the events to replay, e.g. cases.case.registered.v1",
    )

    @classmethod
    def replay_key(cls, reply_to: str, routing_key: str) -> str:
        """The routing key a replayed event travels under."""
        return f"replay.{reply_to}.{routing_key}"


@event_model
class DocumentIssued(EventData):
    """A document a creditor's users fetch in the portal was issued: an order confirmation,
    a settlement statement (also a replacement) or a credit note.

    Ids only: no number, amount or name (the identity service mails the organisation's
    users that something is ready, with a link to the portal). Not published for case
    statements (downloaded at once), debtor letters or report runs.
    """

    event_type = "reports.document.issued"

    document_id: uuid.UUID
    organisation_id: uuid.UUID = Field(description="the creditor the document belongs to")
    kind: str = Field(
        max_length=40,
        description=(
            "order_confirmation, settlement_statement, credit_note. New kinds may appear: "
            "treat an unknown one like the others."
        ),
    )
    issued_at: datetime


class ProposedPosting(BaseModel):
    """One row of a posting proposal: an NS 4102 account, debit or credit in øre."""

    account: str = Field(pattern=r"^[0-9]{4}$", description="NS 4102 standard account")
    vat_code: str = Field(max_length=4)
    debit_ore: int = Field(ge=0)
    credit_ore: int = Field(ge=0)
    text: str = Field(max_length=120, description="the row's text (no personal data)")
    case_number: str = Field(default="", max_length=40)
    creditor_reference: str = Field(default="", max_length=60)


@event_model
class PostingProposalIssued(EventData):
    """A settlement's posting proposal (bokføringsforslag) was issued beside its statement:
    the voucher a creditor's books take, balanced (debits = credits).

    For the creditor's accounting system (the integrations service posts it as a voucher
    where the creditor has connected its ERP). Accounts, amounts, case numbers and the
    creditor's own references: no debtor's name.
    """

    event_type = "reports.posting_proposal.issued"

    document_id: uuid.UUID = Field(description="the posting proposal's document")
    statement_document_id: uuid.UUID = Field(description="the settlement statement beside it")
    organisation_id: uuid.UUID = Field(description="the creditor")
    settlement_id: uuid.UUID
    voucher_number: str = Field(max_length=40, description="the statement's number")
    issued_on: date
    postings: list[ProposedPosting] = Field(min_length=1, max_length=5000)
