"""Case actions and the scheduler's steps: the workflow's service layer.

Every change to a case's workflow goes through :func:`record_transition`, in the caller's
transaction and under the case's row lock: the case row is updated (``version`` bumped),
the timeline gets a row saying who or what did it, and a workflow step is published as
``cases.case.status_changed`` (plus ``cases.case.closed`` when the case closes) through
the transactional outbox. Objections (innsigelser), payment plans (avdragsordninger) and
the claims' limitation dates are kept in step with the state machine here too.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any, Literal, Protocol

from contracts import Envelope, EventData
from contracts.cases import CaseClosed, ClaimTimeBarred, LetterKind
from servicekit.errors import NotFound
from servicekit.outbox import SerialisedEvent, add_to_outbox, envelope_for, json_time
from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncSession

from cases.adapters import workflow_store as store
from cases.adapters.workflow_store import CaseRecord
from cases.domain import limitation as lim
from cases.domain import workflow as wf
from cases.domain.rules import RuleBook, RuleSet
from cases.service_layer import workflow_events as step_events
from cases.service_layer.clock import Clock
from cases.service_layer.unit_of_work import CasesUnitOfWork

ActorKind = Literal["user", "scheduler", "system", "ledger"]


class Transaction(Protocol):
    """What the workflow needs of a transaction: a session and a way to publish events
    (the unit of work, or :class:`ConsumerTransaction` inside an event handler)."""

    @property
    def session(self) -> AsyncSession: ...

    def emit(self, payload: EventData) -> Envelope: ...

    def emit_serialised(self, events: list[SerialisedEvent]) -> None: ...


class ConsumerTransaction:
    """The consumer's transaction as a :class:`Transaction`: call :meth:`flush` before the
    handler returns, so the events join the consumer's commit."""

    def __init__(self, session: AsyncSession, outbox: Table) -> None:
        self._session = session
        self._outbox = outbox
        self._pending: list[Envelope | SerialisedEvent] = []

    @property
    def session(self) -> AsyncSession:
        return self._session

    def emit(self, payload: EventData) -> Envelope:
        envelope = envelope_for(payload)
        self._pending.append(envelope)
        return envelope

    def emit_serialised(self, events: list[SerialisedEvent]) -> None:
        """Events already serialised (``servicekit.outbox.serialised_event``)."""
        self._pending.extend(events)

    async def flush(self) -> None:
        await add_to_outbox(self._session, self._outbox, self._pending)
        self._pending = []


@dataclass(frozen=True)
class Actor:
    """Who or what acts on a case."""

    kind: ActorKind
    user_id: uuid.UUID | None = None

    @property
    def label(self) -> str:
        """As events name it: the user's id, or ``scheduler`` / ``system``."""
        if self.user_id is not None:
            return str(self.user_id)
        return "scheduler" if self.kind == "scheduler" else "system"


SCHEDULER = Actor("scheduler")


@dataclass(frozen=True)
class WorkflowContext:
    rule_book: RuleBook
    clock: Clock


@dataclass(frozen=True)
class Outcome:
    """What an action did: the case afterwards and what happens next."""

    case_id: uuid.UUID
    case_number: str
    status: str
    step: str
    effective_date: date
    deadline: date | None
    needs_attention: str | None
    next: wf.NextStep
    changed: bool = True
    """``False`` when there was nothing to do (an event for a case already closed)."""
    limitation_date: date | None = None


class CaseNotFound(NotFound):
    type, title = "not-found", "Not found"


# -- recording a transition ----------------------------------------------------------------


def _attention_since(record: CaseRecord, attention: str | None, now: datetime) -> datetime | None:
    """Since when the case has needed attention: kept while the reason stays the same."""
    if attention is None:
        return None
    return record.attention_since if attention == record.needs_attention else now


def _limitation_check(
    claims: Sequence[store.ClaimLimitation], today: date, rules: RuleSet
) -> date | None:
    """When the scheduler must next look at these claims' limitation (today if a warning
    is due now)."""
    rows = [(c.position, c.limitation_date, c.warned) for c in claims]
    if lim.new_warnings(rows, today, rules):
        return today
    return lim.earliest_check((c.limitation_date for c in claims), today, rules)


def action_key() -> str:
    """The key of an interruption a case action or step records (each is its own fact)."""
    return f"action:{uuid.uuid4()}"


def payment_key(payment_id: uuid.UUID) -> str:
    """The key of a payment's interruption: its receipt and its reversal meet there."""
    return f"payment:{payment_id}"


async def _limitation_facts(
    tx: Transaction,
    record: CaseRecord,
    state: wf.CaseState,
    recorded: Sequence[store.Interruption],
    *,
    step: str,
    today: date,
    now: datetime,
    rules: RuleSet,
    actor: Actor,
) -> tuple[wf.CaseState, date | None]:
    """Record interruptions (or withdraw them) as facts, then compute every claim's
    limitation date again from all the case's facts (ADR 0068): the same dates whatever
    order the facts arrived in. An interruption dated when a claim was already time-barred
    does nothing for that claim (noted on the timeline, ``limitation_not_revived``); a
    claim the scheduler had found time-barred that the facts now keep running runs again,
    and one whose barred day moved is announced again (``cases.claim.time_barred``)."""
    await store.record_interruptions(tx.session, record.case_id, recorded, now)
    facts = await store.interruptions(tx.session, record.case_id)
    claims = await store.claim_limitations(tx.session, record.case_id)
    arrived = {r.recorded.on for r in recorded if not r.recorded.withdrawn}
    computed = []
    not_revived = []
    for claim in claims:
        assert claim.due_date is not None
        found = lim.limitation_of(claim.due_date, lim.claim_type_of(claim), facts, rules)
        if found.limitation_date != claim.limitation_date:
            claim = await _restate_claim(tx, record, claim, found.limitation_date, today, now)
        if arrived.intersection(found.not_revived):
            not_revived.append(claim)
        computed.append(claim)
    kind = recorded[0].recorded.interruption if recorded else step
    on = max((r.recorded.on for r in recorded), default=today)
    if not_revived:
        await store.append_timeline(
            tx.session,
            record.case_id,
            occurred_at=now,
            kind="limitation_not_revived",
            step=kind,
            effective_date=on,
            actor_kind=actor.kind,
            actor_id=actor.user_id,
            detail={
                "interruption": kind,
                "invoice_numbers": [c.invoice_number for c in not_revived],
                "limitation_dates": [c.limitation_date.isoformat() for c in not_revived],
            },
        )
    earliest = min(c.limitation_date for c in computed)
    if earliest != state.limitation_date:
        await store.append_timeline(
            tx.session,
            record.case_id,
            occurred_at=now,
            kind="limitation_interrupted" if arrived else "limitation_recomputed",
            step=step,
            effective_date=on,
            actor_kind=actor.kind,
            actor_id=actor.user_id,
            detail={
                "interruption": step,
                "limitation_date_before": state.limitation_date.isoformat(),
                "limitation_date": earliest.isoformat(),
            },
        )
    return replace(state, limitation_date=earliest), _limitation_check(computed, today, rules)


async def _restate_claim(
    tx: Transaction,
    record: CaseRecord,
    claim: store.ClaimLimitation,
    new_date: date,
    today: date,
    now: datetime,
) -> store.ClaimLimitation:
    """Set a claim's limitation date the facts give. A claim found time-barred before
    that runs again is announced without a date; one still barred, from its new first
    barred day. A later date clears the warnings given (they are given again as due); an
    earlier one (a payment taken back) keeps them, and the scheduler warns on."""
    warned = claim.warned
    if warned == lim.EXPIRED:
        barred = lim.is_time_barred(new_date, today)
        tx.emit(
            ClaimTimeBarred(
                case_id=record.case_id,
                creditor_id=record.creditor_id,
                claim_id=claim.claim_id,
                limitation_date=new_date,
                time_barred_on=new_date if barred else None,
                changed_at=now,
            )
        )
        warned = lim.EXPIRED if barred else None
    elif new_date > claim.limitation_date:
        warned = None
    await store.set_claim_limitation(
        tx.session, claim.claim_id, limitation_date=new_date, warned=warned
    )
    return replace(claim, limitation_date=new_date, warned=warned)


async def _keep_objections_and_plans(
    tx: Transaction, record: CaseRecord, t: wf.Transition, now: datetime, actor: Actor
) -> dict[str, Any]:
    """Close the open objection or the active payment plan the transition ended."""
    detail: dict[str, Any] = {}
    before, after = t.before, t.after
    if before.status == "disputed" and after.status != "disputed":
        resolution = {"closed": "closed", "legal": "legal"}.get(after.status, "resumed")
        objection_id = await store.resolve_open_objection(
            tx.session,
            record.case_id,
            resolution=resolution,
            note=None,
            at=now,
            by=actor.user_id,
        )
        if objection_id is not None:
            detail["objection_id"] = str(objection_id)

    def on_plan(state: wf.CaseState) -> bool:
        return state.status == "payment_plan" or any(
            p.status == "payment_plan" for p in state.paused
        )

    if on_plan(before) and not on_plan(after):
        breached = t.step == "payment_plan_breached"
        plan_id = await store.end_active_payment_plan(
            tx.session,
            record.case_id,
            status="breached" if breached else "ended",
            reason="breached" if breached else t.step,
            on=t.effective_date,
            by=actor.user_id,
        )
        if plan_id is not None:
            detail["payment_plan_id"] = str(plan_id)
    return detail


LETTER_STEPS: dict[str, LetterKind] = {
    "inkassovarsel_sent": "inkassovarsel",
    "betalingsoppfordring_sent": "betalingsoppfordring",
}
"""The workflow steps that send a letter to the debtor, and which letter."""


async def _request_letter(
    tx: Transaction,
    record: CaseRecord,
    t: wf.Transition,
    kind: LetterKind,
    *,
    rules: RuleSet,
    at: str,
) -> SerialisedEvent:
    """The request for the step's letter (rendered and posted by the reports service); the
    id is derived from the case and step, so a replayed step asks for the same letter."""
    recipient = await store.letter_recipient(tx.session, record.case_id)
    if recipient is None:
        raise CaseNotFound("No debtor on the case.")
    assert t.deadline is not None
    return step_events.letter_requested(
        letter_id=uuid.uuid5(LETTERS, f"{record.case_id}:{t.step}:{t.effective_date.isoformat()}"),
        case_id=record.case_id,
        creditor_id=record.creditor_id,
        kind=kind,
        step=t.step,
        sent_on=t.effective_date,
        deadline=t.deadline,
        rule_set=rules.name,
        debtor_kind=t.after.debtor_kind,
        recipient=recipient,
        requested_at=at,
    )


LETTERS = uuid.UUID("7d3c2a4e-1f0b-4c5e-9a8d-2b6e4f1c3a90")
"""Namespace of the letters' ids."""


async def record_transition(
    tx: Transaction,
    ctx: WorkflowContext,
    record: CaseRecord,
    t: wf.Transition,
    actor: Actor,
    *,
    rules: RuleSet,
    now: datetime,
    detail: dict[str, Any] | None = None,
) -> Outcome:
    """Store ``t`` on the locked case ``record``: row, timeline, events, side records."""
    today = t.effective_date
    state = t.after
    check_on = record.limitation_check_on
    if t.interrupts_limitation is not None:
        found = lim.Recorded(today, t.interrupts_limitation)
        state, check_on = await _limitation_facts(
            tx,
            record,
            state,
            [store.Interruption(action_key(), found)],
            step=t.interrupts_limitation,
            today=today,
            now=now,
            rules=rules,
            actor=actor,
        )
    elif check_on is None and state.status != "closed":
        check_on = _limitation_check(
            await store.claim_limitations(tx.session, record.case_id), today, rules
        )
    if state.status == "closed":
        check_on = None
    attention = wf.needs_attention(state, today, rules)
    status_changed = t.from_status != state.status
    await store.save(
        tx.session,
        record,
        state,
        rule_set=rules.name if t.kind == "step" else record.rule_set,
        needs_attention=attention,
        attention_since=_attention_since(record, attention, now),
        limitation_check_on=check_on,
        status_since=now if status_changed else None,
    )
    extra = {**t.detail, **(detail or {})}
    if t.kind == "step":
        extra |= await _keep_objections_and_plans(tx, record, t, now, actor)
    if t.kind != "timer":
        await store.append_timeline(
            tx.session,
            record.case_id,
            occurred_at=now,
            kind="status_changed" if t.kind == "step" else "attention",
            step=t.step,
            from_status=t.from_status,
            to_status=state.status,
            effective_date=today,
            deadline=t.deadline,
            actor_kind=actor.kind,
            actor_id=actor.user_id,
            detail={**extra, "next": t.next.action},
        )
    if t.kind == "step":
        at = json_time(now)
        events = [
            step_events.status_changed(
                case_id=record.case_id,
                creditor_id=record.creditor_id,
                from_status=t.from_status,
                to_status=state.status,
                step=t.step,
                effective_date=today,
                deadline=t.deadline,
                rule_set=rules.name,
                debtor_kind=state.debtor_kind,
                actor=actor.label,
                changed_at=at,
                instalments=extra.get("instalment_count"),
            )
        ]
        letter = LETTER_STEPS.get(t.step)
        if letter is not None and t.deadline is not None:
            events.append(await _request_letter(tx, record, t, letter, rules=rules, at=at))
        tx.emit_serialised(events)
    if t.closed:
        assert state.closed_reason is not None
        tx.emit(
            CaseClosed(
                case_id=record.case_id,
                creditor_id=record.creditor_id,
                reason=state.closed_reason,
                closed_on=today,
                actor=actor.label,
                closed_at=now,
            )
        )
    return Outcome(
        case_id=record.case_id,
        case_number=record.case_number,
        status=state.status,
        step=t.step,
        effective_date=today,
        deadline=t.deadline,
        needs_attention=attention,
        # the transition worked it out for its state; again only if the facts changed it
        next=t.next if state is t.after else wf.next_step(state, today, rules),
        limitation_date=state.limitation_date,
    )


# -- actions ------------------------------------------------------------------------------


async def _locked(tx: Transaction, case_id: uuid.UUID, creditor_id: uuid.UUID | None) -> CaseRecord:
    record = await store.lock_case(tx.session, case_id, creditor_id=creditor_id)
    if record is None:
        raise CaseNotFound("No such case.")
    return record


async def act(
    tx: Transaction,
    ctx: WorkflowContext,
    case_id: uuid.UUID,
    action: wf.Action,
    actor: Actor,
    *,
    creditor_id: uuid.UUID | None = None,
    detail: dict[str, Any] | None = None,
) -> Outcome:
    """Take ``action`` on a case (only one of ``creditor_id``'s, when given)."""
    record = await _locked(tx, case_id, creditor_id)
    now, today = ctx.clock.now(), ctx.clock.today()
    rules = ctx.rule_book.in_force(today)
    transition = wf.apply(record.state, action, today, rules)
    return await record_transition(
        tx, ctx, record, transition, actor, rules=rules, now=now, detail=detail
    )


async def register_objection(
    tx: Transaction,
    ctx: WorkflowContext,
    case_id: uuid.UUID,
    actor: Actor,
    *,
    received_on: date,
    grounds: str,
) -> Outcome:
    """The debtor's objection (innsigelse): the case pauses until a case handler resolves it."""
    record = await _locked(tx, case_id, None)
    now, today = ctx.clock.now(), ctx.clock.today()
    if received_on > today:
        raise wf.InvalidAction(
            "The objection cannot be received in the future.",
            errors=[{"field": "received_on", "reason": "must not be in the future"}],
        )
    rules = ctx.rule_book.in_force(today)
    transition = wf.apply(record.state, wf.RegisterObjection(), today, rules)
    assert actor.user_id is not None
    objection_id = await store.add_objection(
        tx.session, case_id, received_on=received_on, grounds=grounds, at=now, by=actor.user_id
    )
    detail = {"objection_id": str(objection_id), "received_on": received_on.isoformat()}
    return await record_transition(
        tx, ctx, record, transition, actor, rules=rules, now=now, detail=detail
    )


async def resolve_objection(
    tx: Transaction,
    ctx: WorkflowContext,
    case_id: uuid.UUID,
    actor: Actor,
    *,
    outcome: wf.ObjectionOutcome,
    note: str | None,
) -> Outcome:
    """Resolve the open objection: resume (new deadline), close, or forliksklage."""
    record = await _locked(tx, case_id, None)
    now, today = ctx.clock.now(), ctx.clock.today()
    rules = ctx.rule_book.in_force(today)
    transition = wf.apply(record.state, wf.ResolveObjection(outcome), today, rules)
    objection_id = await store.resolve_open_objection(
        tx.session, case_id, resolution=outcome, note=note, at=now, by=actor.user_id
    )
    detail = {"objection_id": str(objection_id), "resolution": outcome}
    return await record_transition(
        tx, ctx, record, transition, actor, rules=rules, now=now, detail=detail
    )


async def agree_payment_plan(
    tx: Transaction,
    ctx: WorkflowContext,
    case_id: uuid.UUID,
    actor: Actor,
    *,
    instalments: Sequence[wf.Instalment],
) -> Outcome:
    """An avdragsordning: the case pauses while the debtor pays by instalments."""
    record = await _locked(tx, case_id, None)
    now, today = ctx.clock.now(), ctx.clock.today()
    rules = ctx.rule_book.in_force(today)
    transition = wf.apply(record.state, wf.AgreePaymentPlan(tuple(instalments)), today, rules)
    assert actor.user_id is not None
    plan_id = await store.add_payment_plan(
        tx.session, case_id, instalments, agreed_on=today, at=now, by=actor.user_id
    )
    detail = {
        "payment_plan_id": str(plan_id),
        "instalment_count": len(instalments),
        "total_ore": sum(i.amount_ore for i in instalments),
        "last_due_date": instalments[-1].due_date.isoformat(),
    }
    return await record_transition(
        tx, ctx, record, transition, actor, rules=rules, now=now, detail=detail
    )


Acknowledgement = Literal["acknowledgement", "part_payment", "judgment"]


async def register_acknowledgement(
    tx: Transaction,
    ctx: WorkflowContext,
    case_id: uuid.UUID,
    actor: Actor,
    *,
    kind: Acknowledgement,
    on: date,
) -> Outcome:
    """The debtor acknowledged the debt (or paid part of it), or a judgment was given:
    a new limitation period runs from ``on`` (foreldelsesloven §§ 14, 21)."""
    record = await _locked(tx, case_id, None)
    today = ctx.clock.today()
    if on > today:
        raise wf.InvalidAction(
            "The date cannot be in the future.",
            errors=[{"field": "on", "reason": "must not be in the future"}],
        )
    if record.state.status == "closed":
        raise wf.IllegalTransition(
            "Registering an acknowledgement is not possible: the case is closed."
        )
    found = store.Interruption(action_key(), lim.Recorded(on, kind))
    return await _acknowledged(tx, ctx, record, [found], kind, actor)


@dataclass(frozen=True, slots=True)
class LedgerPayment:
    """A payment the ledger booked on a case, or took back (``reversed``)."""

    payment_id: uuid.UUID
    value_date: date
    reversed: bool = False


async def ledger_payments(
    tx: Transaction, ctx: WorkflowContext, case_id: uuid.UUID, payments: Sequence[LedgerPayment]
) -> Outcome | None:
    """The ledger booked payments on the case, or took some back. A part payment
    acknowledges the debt, so a new limitation period runs from its value date
    (foreldelsesloven § 14) for every claim not yet time-barred on that day; a payment
    taken back no longer does. Each is kept as a fact under its payment id and the dates
    are computed from all of them, so the order the ledger's events arrive in does not
    matter (ADR 0068). A closed case keeps the facts and nothing more (``None``)."""
    record = await _locked(tx, case_id, None)
    found = [
        store.Interruption(
            payment_key(p.payment_id), lim.Recorded(p.value_date, "part_payment", p.reversed)
        )
        for p in payments
    ]
    if record.state.status == "closed":
        await store.record_interruptions(tx.session, case_id, found, ctx.clock.now())
        return None
    step = "part_payment" if any(not p.reversed for p in payments) else "payment_reversed"
    return await _acknowledged(tx, ctx, record, found, step, Actor("ledger"))


async def _acknowledged(
    tx: Transaction,
    ctx: WorkflowContext,
    record: CaseRecord,
    recorded: Sequence[store.Interruption],
    step: str,
    actor: Actor,
) -> Outcome:
    now, today = ctx.clock.now(), ctx.clock.today()
    rules = ctx.rule_book.in_force(today)
    state, check_on = await _limitation_facts(
        tx,
        record,
        record.state,
        recorded,
        step=step,
        today=today,
        now=now,
        rules=rules,
        actor=actor,
    )
    state = wf.letters_may_resume(state, today)
    attention = wf.needs_attention(state, today, rules)
    await store.save(
        tx.session,
        record,
        state,
        rule_set=record.rule_set,
        needs_attention=attention,
        attention_since=_attention_since(record, attention, now),
        limitation_check_on=check_on,
        status_since=None,
    )
    return Outcome(
        case_id=record.case_id,
        case_number=record.case_number,
        status=state.status,
        step=step,
        effective_date=max((r.recorded.on for r in recorded), default=today),
        deadline=None,
        needs_attention=attention,
        next=wf.next_step(state, today, rules),
        changed=state != record.state,
        limitation_date=state.limitation_date,
    )


async def settle_in_full(
    tx: Transaction, ctx: WorkflowContext, case_id: uuid.UUID, settled_on: date
) -> Outcome:
    """The ledger says the case is paid in full: close it as paid (a closed case stays as
    it is, whatever closed it)."""
    record = await _locked(tx, case_id, None)
    now = ctx.clock.now()
    rules = ctx.rule_book.in_force(settled_on)
    if record.state.status == "closed":
        return Outcome(
            case_id=record.case_id,
            case_number=record.case_number,
            status="closed",
            step="closed_paid",
            effective_date=settled_on,
            deadline=None,
            needs_attention=None,
            next=wf.next_step(record.state, settled_on, rules),
            changed=False,
        )
    transition = wf.apply(record.state, wf.Close("paid"), settled_on, rules)
    return await record_transition(
        tx, ctx, record, transition, Actor("ledger"), rules=rules, now=now
    )


# -- the scheduler ------------------------------------------------------------------------


@dataclass
class SchedulerRun:
    """What one pass of the scheduler did."""

    cases: int = 0
    steps: int = 0
    attention: int = 0
    warnings: int = 0
    batches: int = 0


async def _warn_limitation(
    tx: Transaction, record: CaseRecord, today: date, now: datetime, rules: RuleSet
) -> tuple[int, date | None]:
    """Give the limitation warnings due on ``today``; the number given and the next check."""
    claims = await store.claim_limitations(tx.session, record.case_id)
    rows = [(c.position, c.limitation_date, c.warned) for c in claims]
    by_position = {c.position: c for c in claims}
    warnings = lim.new_warnings(rows, today, rules)
    for warning in warnings:
        claim = by_position[warning.position]
        await store.set_claim_limitation(
            tx.session, claim.claim_id, limitation_date=claim.limitation_date, warned=warning.level
        )
        if warning.level == lim.EXPIRED:
            tx.emit(
                ClaimTimeBarred(
                    case_id=record.case_id,
                    creditor_id=record.creditor_id,
                    claim_id=claim.claim_id,
                    limitation_date=claim.limitation_date,
                    time_barred_on=claim.limitation_date,
                    changed_at=now,
                )
            )
        await store.append_timeline(
            tx.session,
            record.case_id,
            occurred_at=now,
            kind="limitation_warning",
            step=f"limitation_{warning.level}",
            effective_date=today,
            actor_kind="scheduler",
            actor_id=None,
            detail={
                "claim_id": str(claim.claim_id),
                "invoice_number": claim.invoice_number,
                "limitation_date": claim.limitation_date.isoformat(),
                "level": warning.level,
            },
        )
    return len(warnings), lim.earliest_check((c.limitation_date for c in claims), today, rules)


async def advance_case(
    tx: Transaction, ctx: WorkflowContext, record: CaseRecord, today: date, now: datetime
) -> SchedulerRun:
    """The scheduler's visit to one locked case: limitation warnings due, then the due step.

    One save per visit; afterwards both of the case's dates lie after ``today`` (or are
    cleared), so a second visit on the same day finds nothing to do.
    """
    done = SchedulerRun(cases=1)
    rules = ctx.rule_book.in_force(today)
    if record.limitation_check_on is None or record.limitation_check_on <= today:
        given, check_on = await _warn_limitation(tx, record, today, now, rules)
        done.warnings += given
        record = replace(record, limitation_check_on=check_on)
    transition = wf.advance(record.state, today, rules)
    if transition is None:
        transition = wf.unchanged(record.state, today, rules)
    done.steps += transition.kind == "step"
    done.attention += transition.kind == "attention"
    await record_transition(tx, ctx, record, transition, SCHEDULER, rules=rules, now=now)
    return done


async def run_due(
    unit_of_work: Callable[[], CasesUnitOfWork], ctx: WorkflowContext, *, batch_size: int
) -> SchedulerRun:
    """Advance every case due today, ``batch_size`` at a time, one transaction per batch
    (the cases locked and read with their debtors, then their claims, one statement each;
    one statement saving the cases and appending their timeline rows; the events built
    without the models, ``workflow_events``).

    Safe with several instances: each batch is claimed with ``FOR UPDATE SKIP LOCKED`` and
    every visit moves the case's dates past today, so no case is taken twice.
    """
    total = SchedulerRun()
    while True:
        async with unit_of_work() as uow:
            today, now = ctx.clock.today(), ctx.clock.now()
            records, recipients = await store.lock_due(uow.session, today, batch_size)
            if not records:
                return total
            await store.prefetch_batch(uow.session, [r.case_id for r in records], recipients)
            for record in records:
                done = await advance_case(uow, ctx, record, today, now)
                total.cases += done.cases
                total.steps += done.steps
                total.attention += done.attention
                total.warnings += done.warnings
            await store.flush_batch(uow.session)
            await uow.commit()
            total.batches += 1
