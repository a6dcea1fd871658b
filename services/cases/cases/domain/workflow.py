"""The collection workflow of a case: a state machine under Norwegian collection law.

::

    registered ──inkassovarsel──▶ notice_sent ──betalingsoppfordring──▶ demand_sent
         │                                                                  │
         │            (a case handler decides: forliksklage / utlegg)       ▼
         └──────────────── any open state ──▶ closed ◀──────────────────── legal

- The inkassovarsel (notice of collection, inkassoloven § 9) gives the debtor at least
  14 days from the day it is sent; the betalingsoppfordring (demand for payment, § 10)
  is sent after that deadline and gives another 14 days to pay or object. When it has run
  out, a case handler decides on legal steps (forliksklage to forliksrådet, or
  utleggsbegjæring to the namsmann), which must come within 6 months of the
  betalingsoppfordring, otherwise a new one is needed.
- An objection (innsigelse) pauses the case from any open state (``disputed``): no timer
  runs until a case handler resolves it, to *resumed* (the paused step with a new
  deadline), *closed*, or *legal* (forliksklage).
- An avdragsordning (payment plan) pauses the case too (``payment_plan``); on a breach
  the case resumes where it was.
- ``closed`` (paid, withdrawn, uncollectible) is terminal.

Everything here is pure: :func:`apply` takes a state, an action, the business date and
the rule set in force, and returns a :class:`Transition` (the new state, the step's name,
effective date, deadline and what happens next) or raises :class:`IllegalTransition`.
:func:`advance` is what the scheduler does with a case whose ``next_step_on`` has come.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any, Literal

from servicekit.errors import Conflict, DomainError

from cases.domain.calendar import add_months
from cases.domain.limitation import EXPIRED, Interruption, warning_level
from cases.domain.rules import DebtorKind, LetterStep, RuleSet

Status = Literal[
    "registered", "notice_sent", "demand_sent", "legal", "disputed", "payment_plan", "closed"
]
STATUSES: tuple[Status, ...] = (
    "registered",
    "notice_sent",
    "demand_sent",
    "legal",
    "disputed",
    "payment_plan",
    "closed",
)
OPEN_STATUSES: frozenset[Status] = frozenset(STATUSES) - {"closed"}
ClosedReason = Literal["paid", "withdrawn", "uncollectible"]
LegalStep = Literal["forliksklage", "utlegg"]
"""forliksklage: a claim to forliksrådet (the conciliation board); utlegg: an
utleggsbegjæring to the namsmann (enforcement officer)."""
ObjectionOutcome = Literal["resumed", "closed", "legal"]
WorkflowAttention = Literal[
    "objection", "legal_decision", "new_demand_needed", "payment_plan_ended"
]
"""Why the workflow needs a case handler (limitation warnings come on top)."""
TransitionKind = Literal["step", "attention", "timer"]

STATUS_LABELS: dict[str, str] = {
    "registered": "registered (no letter sent yet)",
    "notice_sent": "inkassovarsel sent",
    "demand_sent": "betalingsoppfordring sent",
    "legal": "in legal collection",
    "disputed": "disputed (an objection is open)",
    "payment_plan": "on an avdragsordning (payment plan)",
    "closed": "closed",
}

MAX_PLAN_LENGTH = timedelta(days=3653)
"""An avdragsordning's last instalment is due within ten years."""

MAX_PAUSES = 2
"""A payment plan, and an objection on top of it: the deepest a case is ever paused."""


class IllegalTransition(Conflict):
    """The action is not allowed in the case's current state (HTTP 409).

    ``code`` says why in a word a page translates (``varsel-deadline-running``, with the
    dates it names as further members of the problem: ``until``, ``from``); the detail
    is the same in English for API clients and logs.
    """

    type, title = "illegal-transition", "Not allowed in the case's current state"

    def __init__(self, detail: str, *, code: str = "not-in-this-state", **params: str) -> None:
        super().__init__(detail)
        self.code = code
        self.params = params
        self.extensions = {"code": code, **params}


class TimeBarred(IllegalTransition):
    type, title = "time-barred", "A claim of the case is time-barred"


class InvalidAction(DomainError):
    """The action's own data is wrong (HTTP 422, with ``errors`` naming each field)."""

    status, type, title = 422, "invalid-action", "Invalid action"


# -- state -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Paused:
    """Where a case was when it was paused (by an objection or a payment plan)."""

    status: Status
    deadline: date | None
    next_step_on: date | None
    attention: WorkflowAttention | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "deadline": self.deadline.isoformat() if self.deadline else None,
            "next_step_on": self.next_step_on.isoformat() if self.next_step_on else None,
            "attention": self.attention,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Paused:
        def day(value: Any) -> date | None:
            return date.fromisoformat(value) if value else None

        return cls(
            status=data["status"],
            deadline=day(data.get("deadline")),
            next_step_on=day(data.get("next_step_on")),
            attention=data.get("attention"),
        )


@dataclass(frozen=True)
class CaseState:
    """What the workflow knows of a case."""

    status: Status
    debtor_kind: DebtorKind
    limitation_date: date
    """The earliest limitation date of the case's claims."""
    deadline: date | None = None
    """The deadline the debtor was last given."""
    next_step_on: date | None = None
    """When the scheduler acts next (``None``: it does not; a person must)."""
    attention: WorkflowAttention | None = None
    demand_sent_on: date | None = None
    """When the (last) betalingsoppfordring was sent: the legal steps' window counts from it."""
    legal_step_on: date | None = None
    paused: tuple[Paused, ...] = ()
    """Where to resume, innermost last."""
    closed_reason: ClosedReason | None = None


@dataclass(frozen=True)
class Instalment:
    """One instalment of an avdragsordning."""

    due_date: date
    amount_ore: int


@dataclass(frozen=True)
class NextStep:
    """What happens next to a case, by whom and when."""

    action: str
    by: Literal["scheduler", "case_handler", "debtor", "nobody"]
    on: date | None
    description: str


@dataclass(frozen=True)
class Transition:
    """The outcome of an action: the new state and what to record about it.

    ``kind`` is ``step`` for a workflow step (timeline row and event), ``attention`` for a
    flag raised for a case handler (timeline row only) and ``timer`` for a correction of
    when the scheduler looks next (nothing recorded).
    """

    kind: TransitionKind
    step: str
    before: CaseState
    after: CaseState
    effective_date: date
    deadline: date | None
    next: NextStep
    interrupts_limitation: Interruption | None = None
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def from_status(self) -> Status:
        return self.before.status

    @property
    def to_status(self) -> Status:
        return self.after.status

    @property
    def closed(self) -> bool:
        return self.after.status == "closed" and self.before.status != "closed"


# -- actions ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SendInkassovarsel:
    """Send the inkassovarsel (notice of collection)."""


@dataclass(frozen=True)
class SendBetalingsoppfordring:
    """Send the betalingsoppfordring (demand for payment)."""


@dataclass(frozen=True)
class RegisterObjection:
    """The debtor objects to the claim (innsigelse): pause the case."""


@dataclass(frozen=True)
class ResolveObjection:
    outcome: ObjectionOutcome


@dataclass(frozen=True)
class AgreePaymentPlan:
    """An avdragsordning: the debtor pays by instalments (an acknowledgement of the debt)."""

    instalments: tuple[Instalment, ...]


@dataclass(frozen=True)
class BreachPaymentPlan:
    """The debtor broke the avdragsordning: collection resumes where it was."""


@dataclass(frozen=True)
class TakeLegalStep:
    step: LegalStep


@dataclass(frozen=True)
class Close:
    reason: ClosedReason


Action = (
    SendInkassovarsel
    | SendBetalingsoppfordring
    | RegisterObjection
    | ResolveObjection
    | AgreePaymentPlan
    | BreachPaymentPlan
    | TakeLegalStep
    | Close
)


# -- rules of the state machine --------------------------------------------------------


def legal_window_ends(state: CaseState, rules: RuleSet) -> date | None:
    """The last day a legal step may be taken on the current betalingsoppfordring."""
    if state.demand_sent_on is None:
        return None
    return add_months(state.demand_sent_on, rules.legal_step_within_months)


def payment_remark_from(state: CaseState, rules: RuleSet) -> date | None:
    """From when a betalingsanmerkning (payment remark) may be reported; never while the
    claim is disputed."""
    if state.status in ("disputed", "closed"):
        return None
    debtor = rules.for_debtor(state.debtor_kind)
    anchor = (
        state.demand_sent_on
        if debtor.payment_remark_after == "betalingsoppfordring"
        else (state.legal_step_on)
    )
    return anchor + timedelta(days=debtor.payment_remark_days) if anchor else None


def needs_attention(state: CaseState, today: date, rules: RuleSet) -> str | None:
    """Why a case handler must look at the case now, most urgent reason first.

    A time-barred claim and the last limitation warning come before the workflow's own
    reasons; earlier limitation warnings after them.
    """
    if state.status == "closed":
        return None
    level = warning_level(state.limitation_date, today, rules)
    days = rules.limitation_warning_days
    final_warning = f"{min(days)}d" if days else None
    if level == EXPIRED:
        return "time_barred"
    if level is not None and level == final_warning:
        return f"limitation_{level}"
    if state.attention is not None:
        return state.attention
    return f"limitation_{level}" if level else None


def _illegal(
    state: CaseState, what: str, hint: str = "", *, code: str | None = None, **params: str
) -> IllegalTransition:
    where = STATUS_LABELS[state.status]
    if state.status == "closed" and state.closed_reason:
        where = f"closed ({state.closed_reason})"
    message = f"{what} is not possible: the case is {where}."
    return IllegalTransition(
        f"{message} {hint}".strip(),
        code=code or f"not-when-{state.status.replace('_', '-')}",
        case_status=state.status,
        **params,
    )


def _closed_check(state: CaseState, what: str) -> None:
    if state.status == "closed":
        raise _illegal(state, what, "A closed case is final.", code="case-closed")


def _not_time_barred(state: CaseState, today: date, what: str) -> None:
    if today >= state.limitation_date:
        raise TimeBarred(
            f"{what} is not possible: a claim of the case became time-barred (foreldet) on "
            f"{state.limitation_date.isoformat()}. No collection letter may be sent on it.",
            code="time-barred",
            limitation_date=state.limitation_date.isoformat(),
        )


def _check_instalments(instalments: Sequence[Instalment], today: date, rules: RuleSet) -> None:
    errors: list[dict[str, str]] = []
    if not instalments:
        errors.append({"field": "instalments", "reason": "at least one instalment is needed"})
    if len(instalments) > rules.max_instalments:
        errors.append(
            {"field": "instalments", "reason": f"at most {rules.max_instalments} instalments"}
        )
    previous: date | None = None
    for i, instalment in enumerate(instalments):
        if instalment.amount_ore <= 0:
            errors.append({"field": f"instalments[{i}].amount_ore", "reason": "must be positive"})
        if i == 0 and instalment.due_date < today:
            errors.append(
                {"field": f"instalments[{i}].due_date", "reason": "must not be in the past"}
            )
        if instalment.due_date > today + MAX_PLAN_LENGTH:
            errors.append(
                {"field": f"instalments[{i}].due_date", "reason": "must be within ten years"}
            )
        if previous is not None and instalment.due_date <= previous:
            errors.append(
                {
                    "field": f"instalments[{i}].due_date",
                    "reason": "must be after the previous instalment's due date",
                }
            )
        previous = instalment.due_date
    if errors:
        raise InvalidAction("The avdragsordning (payment plan) is not valid.", errors=errors)


def _resume(frame: Paused, state: CaseState, today: date, rules: RuleSet) -> CaseState:
    """Back where the case was paused, each timer restarted from ``today``: a letter step
    gets a new deadline."""
    base = replace(state, status=frame.status, paused=state.paused[:-1], attention=None)
    if frame.status == "registered":
        return replace(base, deadline=None, next_step_on=today)
    if frame.status in ("notice_sent", "demand_sent"):
        letter: LetterStep = (
            "inkassovarsel" if frame.status == "notice_sent" else "betalingsoppfordring"
        )
        deadline = rules.letter_deadline(letter, today, state.debtor_kind)
        return replace(base, deadline=deadline, next_step_on=deadline + timedelta(days=1))
    if frame.status == "payment_plan":
        return replace(base, deadline=frame.deadline, next_step_on=frame.next_step_on)
    return replace(base, deadline=frame.deadline, next_step_on=None, attention=frame.attention)


def _after_breach(frame: Paused, state: CaseState, today: date) -> CaseState:
    """Back where the case was before the payment plan; a deadline already run out
    makes the next step due today."""
    base = replace(state, status=frame.status, paused=state.paused[:-1], deadline=frame.deadline)
    if frame.status == "registered":
        return replace(base, next_step_on=today, attention=None)
    if frame.status in ("notice_sent", "demand_sent") and frame.deadline is not None:
        due = max(frame.deadline + timedelta(days=1), today)
        return replace(base, next_step_on=due, attention=None)
    return replace(base, next_step_on=None, attention="legal_decision")


def _legal(state: CaseState, step: LegalStep, today: date, rules: RuleSet) -> CaseState:
    what = f"A legal step ({step})"
    if state.status == "legal":
        pass  # a further step in legal collection (utlegg after forliksrådet's decision …)
    elif state.status in ("demand_sent", "disputed"):
        if state.status == "disputed" and step != "forliksklage":
            raise _illegal(
                state,
                what,
                "A disputed claim goes to forliksrådet (forliksklage), or the objection "
                "is resolved first.",
            )
        if state.status == "disputed" and state.paused and state.paused[-1].status == "legal":
            return _into_legal(state, today)  # an objection raised in legal collection
        window = legal_window_ends(state, rules)
        if window is None:
            raise _illegal(state, what, "Legal steps come after a betalingsoppfordring.")
        if state.status == "demand_sent" and state.deadline and today <= state.deadline:
            raise _illegal(
                state,
                what,
                f"The betalingsoppfordring's deadline runs until {state.deadline.isoformat()}; "
                f"legal steps may be taken from {_day(state.deadline + timedelta(days=1))}.",
            )
        if today > window:
            raise _illegal(
                state,
                what,
                f"More than {rules.legal_step_within_months} months have passed since the "
                f"betalingsoppfordring of {state.demand_sent_on}: send a new "
                "betalingsoppfordring first.",
            )
    elif state.status == "payment_plan":
        raise _illegal(state, what, "Register the breach of the avdragsordning first.")
    else:
        raise _illegal(
            state, what, "Legal steps come after a betalingsoppfordring and its deadline."
        )
    return _into_legal(state, today)


def _into_legal(state: CaseState, today: date) -> CaseState:
    return replace(
        state,
        status="legal",
        deadline=None,
        next_step_on=None,
        attention=None,
        paused=(),
        legal_step_on=today,
    )


def _close(state: CaseState, reason: ClosedReason) -> CaseState:
    return replace(
        state,
        status="closed",
        next_step_on=None,
        attention=None,
        paused=(),
        closed_reason=reason,
    )


def _transition(
    kind: TransitionKind,
    step: str,
    before: CaseState,
    after: CaseState,
    today: date,
    rules: RuleSet,
    *,
    interrupts: Interruption | None = None,
    deadline: date | None = None,
    detail: dict[str, Any] | None = None,
) -> Transition:
    return Transition(
        kind=kind,
        step=step,
        before=before,
        after=after,
        effective_date=today,
        deadline=deadline,
        next=next_step(after, today, rules),
        interrupts_limitation=interrupts,
        detail=detail or {},
    )


def apply(state: CaseState, action: Action, today: date, rules: RuleSet) -> Transition:
    """Take ``action`` on a case in ``state`` on the business date ``today``."""
    match action:
        case SendInkassovarsel():
            return _send_inkassovarsel(state, today, rules)
        case SendBetalingsoppfordring():
            return _send_betalingsoppfordring(state, today, rules)
        case RegisterObjection():
            what = "Registering an objection (innsigelse)"
            _closed_check(state, what)
            if state.status == "disputed":
                raise _illegal(state, what, "Resolve the open objection first.")
            frame = Paused(state.status, state.deadline, state.next_step_on, state.attention)
            after = replace(
                state,
                status="disputed",
                next_step_on=None,
                attention="objection",
                paused=(*state.paused, frame),
            )
            return _transition("step", "objection_registered", state, after, today, rules)
        case ResolveObjection(outcome=outcome):
            what = f"Resolving an objection ({outcome})"
            _closed_check(state, what)
            if state.status != "disputed" or not state.paused:
                raise _illegal(state, what, "There is no open objection.")
            if outcome == "resumed":
                frame = state.paused[-1]
                after = _resume(frame, state, today, rules)
                restarted = frame.status in ("notice_sent", "demand_sent")
                return _transition(
                    "step",
                    "collection_resumed",
                    state,
                    after,
                    today,
                    rules,
                    deadline=after.deadline if restarted else None,
                )
            if outcome == "closed":
                return _transition(
                    "step",
                    "closed_withdrawn",
                    state,
                    _close(state, "withdrawn"),
                    today,
                    rules,
                    detail={"objection": "upheld"},
                )
            after = _legal(state, "forliksklage", today, rules)
            return _transition(
                "step",
                "legal_step_forliksklage",
                state,
                after,
                today,
                rules,
                interrupts="forliksklage",
                detail={"objection": "to_forliksraadet"},
            )
        case AgreePaymentPlan(instalments=instalments):
            what = "An avdragsordning (payment plan)"
            _closed_check(state, what)
            if state.status == "disputed":
                raise _illegal(state, what, "Resolve the objection first.")
            if state.status == "payment_plan":
                raise _illegal(state, what, "Register the breach of the running one first.")
            _check_instalments(instalments, today, rules)
            frame = Paused(state.status, state.deadline, state.next_step_on, state.attention)
            first, last = instalments[0].due_date, instalments[-1].due_date
            after = replace(
                state,
                status="payment_plan",
                deadline=first,
                next_step_on=last + timedelta(days=rules.payment_plan_review_days),
                attention=None,
                paused=(*state.paused, frame),
            )
            return _transition(
                "step",
                "payment_plan_agreed",
                state,
                after,
                today,
                rules,
                interrupts="acknowledgement",
                deadline=first,
                detail={"instalments": len(instalments)},
            )
        case BreachPaymentPlan():
            what = "Registering a breach of the avdragsordning"
            _closed_check(state, what)
            if state.status != "payment_plan" or not state.paused:
                raise _illegal(state, what, "There is no avdragsordning running.")
            after = _after_breach(state.paused[-1], state, today)
            return _transition("step", "payment_plan_breached", state, after, today, rules)
        case TakeLegalStep(step=step):
            _closed_check(state, f"A legal step ({step})")
            after = _legal(state, step, today, rules)
            return _transition(
                "step", f"legal_step_{step}", state, after, today, rules, interrupts=step
            )
        case Close(reason=reason):
            _closed_check(state, f"Closing the case ({reason})")
            after = _close(state, reason)
            return _transition("step", f"closed_{reason}", state, after, today, rules)
    raise TypeError(f"unknown action {action!r}")  # pragma: no cover


def _send_inkassovarsel(state: CaseState, today: date, rules: RuleSet) -> Transition:
    what = "Sending the inkassovarsel"
    _closed_check(state, what)
    if state.status != "registered":
        raise _illegal(
            state, what, "It is sent once, to a registered case.", code="varsel-already-sent"
        )
    _not_time_barred(state, today, what)
    deadline = rules.letter_deadline("inkassovarsel", today, state.debtor_kind)
    after = replace(
        state,
        status="notice_sent",
        deadline=deadline,
        next_step_on=deadline + timedelta(days=1),
        attention=None,
    )
    return _transition("step", "inkassovarsel_sent", state, after, today, rules, deadline=deadline)


def _send_betalingsoppfordring(state: CaseState, today: date, rules: RuleSet) -> Transition:
    what = "Sending a betalingsoppfordring"
    _closed_check(state, what)
    if state.status == "notice_sent":
        if state.deadline is not None and today <= state.deadline:
            raise _illegal(
                state,
                what,
                f"The inkassovarsel's deadline runs until {state.deadline.isoformat()}; the "
                "betalingsoppfordring may be sent from "
                f"{(state.deadline + timedelta(days=1)).isoformat()}.",
                code="varsel-deadline-running",
                until=state.deadline.isoformat(),
                **{"from": (state.deadline + timedelta(days=1)).isoformat()},
            )
    elif state.status == "demand_sent":
        window = legal_window_ends(state, rules)
        if window is not None and today <= window:
            raise _illegal(
                state,
                what,
                f"The betalingsoppfordring of {state.demand_sent_on} is still good for legal "
                f"steps until {window.isoformat()}; a new one is needed only after that.",
                code="demand-still-valid",
                until=window.isoformat(),
            )
    elif state.status == "registered":
        raise _illegal(
            state, what, "It follows the inkassovarsel's deadline.", code="varsel-not-sent"
        )
    else:
        raise _illegal(state, what, "It follows the inkassovarsel's deadline.")
    _not_time_barred(state, today, what)
    deadline = rules.letter_deadline("betalingsoppfordring", today, state.debtor_kind)
    after = replace(
        state,
        status="demand_sent",
        deadline=deadline,
        next_step_on=deadline + timedelta(days=1),
        attention=None,
        demand_sent_on=today,
    )
    return _transition(
        "step", "betalingsoppfordring_sent", state, after, today, rules, deadline=deadline
    )


# -- the scheduler's part --------------------------------------------------------------


def advance(state: CaseState, today: date, rules: RuleSet) -> Transition | None:
    """What the scheduler does with a case whose ``next_step_on`` has come (``None``: its
    time has not come, or nothing is due). Each outcome moves ``next_step_on`` past
    ``today`` or clears it, so running again on the same day does nothing."""
    due = state.next_step_on
    if due is None or due > today:
        return None
    if state.status in ("registered", "notice_sent"):
        letter_step = state.status == "registered"
        if not letter_step and state.deadline is not None and today <= state.deadline:
            fixed = replace(state, next_step_on=state.deadline + timedelta(days=1))
            return _transition("timer", "timer", state, fixed, today, rules)
        if today >= state.limitation_date:
            stopped = replace(state, next_step_on=None)
            return _transition(
                "attention",
                "letters_stopped_time_barred",
                state,
                stopped,
                today,
                rules,
                detail={"limitation_date": state.limitation_date.isoformat()},
            )
        if letter_step:
            return _send_inkassovarsel(state, today, rules)
        return _send_betalingsoppfordring(state, today, rules)
    if state.status == "demand_sent":
        window = legal_window_ends(state, rules)
        if window is not None and today > window:
            flagged = replace(state, next_step_on=None, attention="new_demand_needed")
            return _transition("attention", "legal_window_expired", state, flagged, today, rules)
        if state.deadline is not None and today <= state.deadline:
            fixed = replace(state, next_step_on=state.deadline + timedelta(days=1))
            return _transition("timer", "timer", state, fixed, today, rules)
        later = window + timedelta(days=1) if window is not None else None
        flagged = replace(state, next_step_on=later, attention="legal_decision")
        return _transition("attention", "legal_decision_due", state, flagged, today, rules)
    if state.status == "payment_plan":
        flagged = replace(state, next_step_on=None, attention="payment_plan_ended")
        return _transition("attention", "payment_plan_review_due", state, flagged, today, rules)
    cleared = replace(state, next_step_on=None)  # no timer runs in this state
    return _transition("timer", "timer", state, cleared, today, rules)


def unchanged(state: CaseState, today: date, rules: RuleSet) -> Transition:
    """A transition that changes nothing (the scheduler came only for limitation)."""
    return _transition("timer", "timer", state, state, today, rules)


def letters_may_resume(state: CaseState, today: date) -> CaseState:
    """After a renewed limitation period, letters stopped for a time-barred claim go on."""
    stopped = state.status in ("registered", "notice_sent") and state.next_step_on is None
    if stopped and not state.paused and today < state.limitation_date:
        return replace(state, next_step_on=today)
    return state


# -- what happens next -----------------------------------------------------------------


def next_step(state: CaseState, today: date, rules: RuleSet) -> NextStep:
    """What happens next to a case in ``state``, for people."""
    on = state.next_step_on
    deadline = state.deadline.isoformat() if state.deadline else "?"
    if state.status == "closed":
        reason = f" ({state.closed_reason})" if state.closed_reason else ""
        return NextStep("none", "nobody", None, f"The case is closed{reason}; nothing happens.")
    if state.status == "disputed":
        return NextStep(
            "resolve_objection",
            "case_handler",
            None,
            "Collection is paused by the debtor's objection (innsigelse). A case handler "
            "resolves it: resume with a new deadline, close the case, or take it to "
            "forliksrådet (forliksklage).",
        )
    if state.status in ("registered", "notice_sent") and on is None:
        return NextStep(
            "review_time_barred",
            "case_handler",
            None,
            "No letter is sent: a claim is time-barred (foreldet) on "
            f"{state.limitation_date.isoformat()}. A case handler decides (close the case as "
            "uncollectible, or record the debtor's acknowledgement).",
        )
    if state.status == "registered":
        return NextStep(
            "send_inkassovarsel",
            "scheduler",
            on,
            f"The inkassovarsel is sent on {_day(on)}; the debtor then has at least "
            f"{rules.for_debtor(state.debtor_kind).inkassovarsel_deadline_days} days to pay.",
        )
    if state.status == "notice_sent":
        return NextStep(
            "send_betalingsoppfordring",
            "scheduler",
            on,
            f"If the debtor has not paid by {deadline}, the betalingsoppfordring is sent on "
            f"{_day(on)}.",
        )
    if state.status == "demand_sent":
        window = legal_window_ends(state, rules)
        if state.attention == "new_demand_needed":
            return NextStep(
                "send_betalingsoppfordring",
                "case_handler",
                None,
                f"The {rules.legal_step_within_months} months for legal steps after the "
                f"betalingsoppfordring ran out on {_day(window)}: a case handler sends a new "
                "betalingsoppfordring or closes the case.",
            )
        if state.attention == "legal_decision":
            return NextStep(
                "decide_legal_step",
                "case_handler",
                None,
                f"The betalingsoppfordring's deadline ran out on {deadline}: a case handler "
                "decides on legal steps (forliksklage or utleggsbegjæring) by "
                f"{_day(window)}, or closes the case.",
            )
        return NextStep(
            "decide_legal_step",
            "scheduler",
            on,
            f"If the debtor has neither paid nor objected by {deadline}, the case goes to a "
            f"case handler on {_day(on)} for a decision on legal steps.",
        )
    if state.status == "payment_plan":
        if state.attention == "payment_plan_ended":
            return NextStep(
                "review_payment_plan",
                "case_handler",
                None,
                "The avdragsordning's last instalment is past and the case is not settled: "
                "a case handler registers a breach, or closes the case.",
            )
        return NextStep(
            "pay_instalments",
            "debtor",
            on,
            f"The debtor pays by the avdragsordning (next instalment from {deadline}); it is "
            f"reviewed on {_day(on)}, or earlier if a case handler registers a breach.",
        )
    return NextStep(
        "follow_legal_step",
        "case_handler",
        None,
        "The case is in legal collection (forliksrådet or the namsmann); a case handler "
        "records the next legal step or closes the case.",
    )


def _day(value: date | None) -> str:
    return value.isoformat() if value else "?"


def _probes(today: date) -> tuple[tuple[str, Action], ...]:
    plan = AgreePaymentPlan((Instalment(today + timedelta(days=30), 1),))
    return (
        ("send_inkassovarsel", SendInkassovarsel()),
        ("send_betalingsoppfordring", SendBetalingsoppfordring()),
        ("register_objection", RegisterObjection()),
        ("resolve_objection", ResolveObjection("resumed")),
        ("payment_plan", plan),
        ("breach_payment_plan", BreachPaymentPlan()),
        ("legal_step_forliksklage", TakeLegalStep("forliksklage")),
        ("legal_step_utlegg", TakeLegalStep("utlegg")),
        ("close", Close("withdrawn")),
    )


def available_actions(state: CaseState, today: date, rules: RuleSet) -> list[str]:
    """The actions a case handler may take on the case today."""
    found = []
    for name, action in _probes(today):
        try:
            apply(state, action, today, rules)
        except IllegalTransition:
            continue
        found.append(name)
    return found


LETTER_ACTIONS = ("send_inkassovarsel", "send_betalingsoppfordring")


def letter_refusals(state: CaseState, today: date, rules: RuleSet) -> dict[str, dict[str, str]]:
    """Why each collection letter may not be sent by hand today (``code`` and the dates it
    names), for a case page to say before anyone tries; a letter that may be sent is not
    listed. A closed case lists nothing (no letter is offered on it)."""
    if state.status == "closed":
        return {}
    refused: dict[str, dict[str, str]] = {}
    for name, action in _probes(today):
        if name not in LETTER_ACTIONS:
            continue
        try:
            apply(state, action, today, rules)
        except IllegalTransition as refusal:
            refused[name] = {"code": refusal.code, **refusal.params}
    return refused


def is_consistent(state: CaseState) -> bool:
    """The invariants every reachable state keeps (checked by the property tests)."""
    s = state
    if s.status not in STATUSES or len(s.paused) > MAX_PAUSES:
        return False
    if any(p.status in ("closed", "disputed") for p in s.paused):
        return False
    if s.status == "closed":
        return (
            s.closed_reason is not None
            and s.next_step_on is None
            and s.attention is None
            and not s.paused
        )
    if s.closed_reason is not None:
        return False
    if s.status == "disputed":
        return s.next_step_on is None and bool(s.paused) and s.attention == "objection"
    if s.status == "payment_plan":
        return bool(s.paused) and s.paused[-1].status != "payment_plan"
    if s.paused:
        return False
    if s.status == "demand_sent":
        return s.demand_sent_on is not None and s.deadline is not None
    if s.status == "notice_sent":
        return s.deadline is not None
    if s.status == "legal":
        return s.next_step_on is None and s.legal_step_on is not None
    return True
