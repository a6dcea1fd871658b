"""Each service's dead letters, for agency staff with the ``ops`` role (ADR 0047).

``/api/v1/<service>/ops/dead-letters``: list the service's queues with their dead letters,
list one queue's dead letters, inspect one (headers, error, attempts; the payload with
personal fields masked), replay one or all, purge with a reason. The service works on its
own queues with its own broker connection (in production a broker user with rights on
its own queues only), checks the caller's token itself like every other operation, and
writes every inspection, replay and purge to its append-only ``ops_audit`` table.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Annotated, Any

from aio_pika.abc import AbstractRobustConnection
from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from servicekit.auth import require_roles
from servicekit.bus import deadletters
from servicekit.bus.topology import QueueSpec, Topology
from servicekit.errors import Forbidden, NotFound, ServiceUnavailable
from servicekit.openapi import raises
from servicekit.roles import Roles
from servicekit.scrub import scrub_value
from servicekit.tokens import Principal
from servicekit.types import Text

MASK = "[skjult]"
PERSONAL_FIELDS = frozenset(
    {
        "address",
        "birth_date",
        "city",
        "date_of_birth",
        "debtor_name",
        "email",
        "full_name",
        "name",
        "national_id",
        "note",
        "payout_account",
        "phone",
        "postal_code",
        "street",
        "text",
    }
)
"""Keys whose values are personal data wherever they appear in an event (names and
addresses have no pattern :func:`servicekit.scrub.scrub` could find)."""

MAX_SCAN = 1000
"""Dead letters looked through at most to find one by its event id."""

AUDIT_TABLE_DDL: tuple[str, ...] = (
    """
    CREATE TABLE ops_audit (
        id bigserial PRIMARY KEY,
        at timestamptz NOT NULL DEFAULT now(),
        actor_id uuid NOT NULL,
        action varchar(60) NOT NULL,
        queue varchar(200) NOT NULL,
        event_ids jsonb NOT NULL,
        count integer NOT NULL,
        reason text
    )
    """,
    "COMMENT ON TABLE ops_audit IS 'dead-letter inspections, replays and purges; "
    "append-only: UPDATE and DELETE are refused by a trigger'",
    """
    CREATE FUNCTION ops_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'ops_audit is append-only';
    END $$
    """,
    "CREATE TRIGGER ops_audit_append_only BEFORE UPDATE OR DELETE OR TRUNCATE "
    "ON ops_audit FOR EACH STATEMENT EXECUTE FUNCTION ops_audit_append_only()",
)
"""The audit table every service's migration creates (``op.execute`` each statement)."""

AUDIT_TABLE_DROP: tuple[str, ...] = (
    "DROP TABLE IF EXISTS ops_audit",
    "DROP FUNCTION IF EXISTS ops_audit_append_only()",
)

_AUDIT = text(
    "INSERT INTO ops_audit (actor_id, action, queue, event_ids, count, reason) "
    "VALUES (:actor, :action, :queue, CAST(:ids AS jsonb), :count, :reason)"
)


def masked(value: Any) -> Any:
    """``value`` with every personal field's content replaced and every string scrubbed."""
    if isinstance(value, Mapping):
        return {
            str(k): (MASK if str(k).lower() in PERSONAL_FIELDS and v else masked(v))
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [masked(v) for v in value]
    return scrub_value(value)


def masked_body(body: str) -> Any:
    """The event as JSON with personal fields masked; text that is not JSON, scrubbed."""
    try:
        return masked(json.loads(body))
    except ValueError:
        return str(scrub_value(body))[:2000]  # scrubbed whole, then cut: no half an id


def _header_value(value: Any) -> Any:
    if isinstance(value, bytes):
        return value.decode(errors="replace")
    if isinstance(value, Mapping):
        return {str(k): _header_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_header_value(v) for v in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


class QueueOut(BaseModel):
    queue: str = Field(description="The consumer queue (without the bus namespace)")
    dead_letters: int
    waiting: int = Field(description="Messages ready in the consumer queue itself")


class QueuesOut(BaseModel):
    service: str
    queues: list[QueueOut]


class DeadLetterOut(BaseModel):
    event_id: str
    event_type: str
    error: str = Field(description="The consumer's last error (scrubbed) or the broker's reason")
    dead_lettered_by: str = Field(description="The consuming service, or `broker`")
    attempts: int = Field(description="Retries before the dead letter, or broker deliveries")


class DeadLettersOut(BaseModel):
    queue: str
    count: int = Field(description="Dead letters in the queue")
    items: list[DeadLetterOut]


class DeadLetterDetail(DeadLetterOut):
    headers: dict[str, Any]
    payload: Any = Field(description="The event with personal fields masked")


class Selection(BaseModel):
    """Which dead letters: the given event ids, or all of them (never neither)."""

    model_config = ConfigDict(extra="forbid")
    event_ids: list[uuid.UUID] | None = Field(default=None, min_length=1, max_length=1000)
    all: bool = False

    @model_validator(mode="after")
    def _one_of(self) -> Selection:
        if (self.event_ids is None) == (not self.all):
            raise ValueError("give event_ids or all=true, not both")
        return self

    def ids(self) -> list[str] | None:
        return None if self.all else [str(i) for i in self.event_ids or ()]


class PurgeRequest(Selection):
    reason: Annotated[Text, Field(min_length=3, max_length=500)]


QueueName = Annotated[str, Path(max_length=200, pattern=r"^[a-z0-9_.-]+$")]


class Done(BaseModel):
    count: int = Field(description="Dead letters replayed or purged")


@raises(403)
async def _ops_staff(
    principal: Annotated[Principal, Depends(require_roles(Roles.OPS))],
) -> Principal:
    if not principal.is_agency_staff:
        raise Forbidden("Your role does not allow this.")
    return principal


OpsStaff = Annotated[Principal, Depends(_ops_staff)]


def dead_letter_router(
    *,
    service: str,
    topology: Topology,
    engine: AsyncEngine,
    connection: Callable[[], Awaitable[AbstractRobustConnection]],
) -> APIRouter:
    """The service's dead-letter endpoints (under ``/api/v1/<service>/ops``)."""
    specs: dict[str, QueueSpec] = {spec.name: spec for spec in topology.queues}
    router = APIRouter(
        prefix=f"/api/v1/{service}/ops/dead-letters",
        tags=["ops"],
        responses={404: {"description": "No such queue (or dead letter) in this service"}},
    )

    def spec_of(queue: str) -> QueueSpec:
        spec = specs.get(queue)
        if spec is None:
            raise NotFound("No such queue.")
        return spec

    async def broker() -> AbstractRobustConnection:
        try:
            return await connection()
        except Exception as exc:
            raise ServiceUnavailable("The broker cannot be reached now.") from exc

    @asynccontextmanager
    async def audited(
        actor: Principal, action: str, queue: str, ids: Sequence[str] | None, reason: str | None
    ) -> AsyncIterator[_Count]:
        """Act inside an open audit transaction: no database, no action (503); the line,
        with the count the action reports, is committed once the action is done."""
        count = _Count()
        try:
            conn = await engine.connect()
        except Exception as exc:
            raise ServiceUnavailable("The audit log cannot be written now.") from exc
        try:
            async with conn.begin():
                yield count
                await conn.execute(
                    _AUDIT,
                    {
                        "actor": actor.user_id,
                        "action": action,
                        "queue": queue,
                        "ids": json.dumps(list(ids) if ids is not None else "all"),
                        "count": count.count,
                        "reason": reason,
                    },
                )
        finally:
            await conn.close()

    @router.get("", summary="The service's queues and their dead letters")
    async def queues(_: OpsStaff) -> QueuesOut:
        conn = await broker()
        out = []
        async with conn.channel() as channel:
            for spec in topology.queues:
                queue = await channel.declare_queue(topology.queue_name(spec), passive=True)
                dlq = await channel.declare_queue(topology.dlq_name(spec), passive=True)
                out.append(
                    QueueOut(
                        queue=spec.name,
                        dead_letters=dlq.declaration_result.message_count or 0,
                        waiting=queue.declaration_result.message_count or 0,
                    )
                )
        return QueuesOut(service=service, queues=out)

    @router.get("/{queue}", summary="One queue's dead letters (the first `limit`)")
    async def listing(
        queue: QueueName,
        _: OpsStaff,
        limit: Annotated[int, Query(ge=1, le=200)] = 50,
    ) -> DeadLettersOut:
        spec = spec_of(queue)
        conn = await broker()
        async with conn.channel() as channel:
            dlq = await channel.declare_queue(topology.dlq_name(spec), passive=True)
            count = dlq.declaration_result.message_count or 0
        letters = await deadletters.peek(
            conn, namespace=topology.namespace, queue=spec.name, limit=limit
        )
        return DeadLettersOut(queue=spec.name, count=count, items=[_summary(d) for d in letters])

    @router.get("/{queue}/{event_id}", summary="One dead letter, personal fields masked")
    async def inspect(queue: QueueName, event_id: uuid.UUID, actor: OpsStaff) -> DeadLetterDetail:
        spec = spec_of(queue)
        conn = await broker()
        letters = await deadletters.peek(
            conn, namespace=topology.namespace, queue=spec.name, limit=MAX_SCAN
        )
        letter = next((d for d in letters if d.event_id == str(event_id)), None)
        if letter is None:
            raise NotFound("No such dead letter.")
        async with audited(actor, "dead_letter.inspected", spec.name, [letter.event_id], None) as n:
            n(1)
        return DeadLetterDetail(
            **_summary(letter).model_dump(),
            headers={k: scrub_value(_header_value(v)) for k, v in letter.headers.items()},
            payload=masked_body(letter.body),
        )

    @router.post("/{queue}/replay", summary="Send dead letters back to their queue")
    async def replay(queue: QueueName, selection: Selection, actor: OpsStaff) -> Done:
        spec = spec_of(queue)
        conn = await broker()
        ids = selection.ids()
        async with audited(actor, "dead_letter.replayed", spec.name, ids, None) as record:
            record(
                await deadletters.replay(
                    conn, namespace=topology.namespace, queue=spec.name, event_ids=ids
                )
            )
        return Done(count=record.count)

    @router.post("/{queue}/purge", summary="Drop dead letters for good, with a reason")
    async def purge(queue: QueueName, request: PurgeRequest, actor: OpsStaff) -> Done:
        spec = spec_of(queue)
        conn = await broker()
        ids = request.ids()
        async with audited(actor, "dead_letter.purged", spec.name, ids, request.reason) as record:
            record(
                await deadletters.purge(
                    conn, namespace=topology.namespace, queue=spec.name, event_ids=ids
                )
            )
        return Done(count=record.count)

    return router


class _Count:
    """What an audited action reports it did (called once with the number)."""

    count = 0

    def __call__(self, count: int) -> None:
        self.count = count


def _summary(letter: deadletters.DeadLetter) -> DeadLetterOut:
    return DeadLetterOut(
        event_id=letter.event_id,
        event_type=letter.event_type,
        error=str(scrub_value(letter.error))[:1000],
        dead_lettered_by=letter.dead_lettered_by,
        attempts=max(letter.attempts, letter.deaths),
    )
