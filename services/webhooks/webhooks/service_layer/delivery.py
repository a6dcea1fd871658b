"""The delivery worker: claim due deliveries, send them concurrently, record the outcomes.

Several workers may run: claiming leases rows with ``FOR UPDATE SKIP LOCKED``, so each
delivery is attempted by one worker at a time; a worker that dies mid-attempt leaves its
lease to run out, and another attempts the delivery again (at least once).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from contracts.webhooks import EndpointDisabled
from servicekit.uow import UnitOfWork

from webhooks.adapters import store
from webhooks.adapters.sender import AttemptResult, WebhookSender
from webhooks.adapters.vault import SecretVault
from webhooks.domain.schedule import RetrySchedule, parse_retry_after

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DeliveryPolicy:
    schedule: RetrySchedule
    disable_after: timedelta
    batch_size: int = 100
    poll_seconds: float = 0.2
    lease: timedelta = timedelta(seconds=60)


class DeliveryWorker:
    def __init__(
        self,
        *,
        uow: Callable[[], UnitOfWork],
        sender: WebhookSender,
        vault: SecretVault,
        policy: DeliveryPolicy,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.uow = uow
        self.sender = sender
        self.vault = vault
        self.policy = policy
        self.clock = clock

    async def run(self, stop: asyncio.Event) -> None:
        """Deliver until ``stop``: straight on while there is a full batch, else poll."""
        while not stop.is_set():
            done = await self.run_once()
            if done < self.policy.batch_size:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=self.policy.poll_seconds)

    async def run_once(self) -> int:
        """One round: claim, send, record, disable the long-failing. How many were sent."""
        async with self.uow() as uow:
            claimed = await store.claim(uow.session, self.policy.batch_size, self.policy.lease)
            await uow.commit()
        if claimed:
            results = await asyncio.gather(*(self._attempt(d) for d in claimed))
            outcomes = [
                self._outcome(d, at, r) for d, (at, r) in zip(claimed, results, strict=True)
            ]
        else:
            outcomes = []
        async with self.uow() as uow:
            disabled = await store.record(uow.session, outcomes)
            since = self.clock() - self.policy.disable_after
            failing = await store.long_failing(uow.session, since)
            if failing:
                disabled += await store.disable(uow.session, failing, "failing")
            for endpoint_id, organisation_id, when in disabled:
                reason = "failing" if endpoint_id in failing else "gone"
                uow.emit(
                    EndpointDisabled(
                        endpoint_id=endpoint_id,
                        organisation_id=organisation_id,
                        reason=reason,
                        disabled_at=when,
                    )
                )
                log.warning("webhook endpoint %s disabled (%s)", endpoint_id, reason)
            await uow.commit()
        return len(claimed)

    def _secrets(self, d: store.ClaimedDelivery, now: datetime) -> list[str]:
        secrets = [self.vault.open(d.endpoint_id, d.secret)]
        if d.previous_secret and d.previous_secret_until and d.previous_secret_until > now:
            secrets.append(self.vault.open(d.endpoint_id, d.previous_secret))
        return secrets

    async def _attempt(self, d: store.ClaimedDelivery) -> tuple[datetime, AttemptResult]:
        now = self.clock()
        try:
            secrets = self._secrets(d, now)
        except Exception as exc:  # a secret sealed with a key no longer configured
            log.error("endpoint %s: secret unreadable (%s)", d.endpoint_id, type(exc).__name__)
            return now, AttemptResult("secret-unreadable", None, 0)
        result = await self.sender.send(d.url, str(d.message_id), d.body.encode(), secrets, now)
        return now, result

    def _outcome(
        self, d: store.ClaimedDelivery, at: datetime, result: AttemptResult
    ) -> store.Outcome:
        next_at: datetime | None = None
        if not result.delivered and not result.gone:
            retry_after = parse_retry_after(result.retry_after, at)
            next_at = self.policy.schedule.next_attempt(d.attempt, at, retry_after=retry_after)
        return store.Outcome(
            delivery=d,
            attempted_at=at,
            outcome=result.outcome,
            status_code=result.status_code,
            latency_ms=result.latency_ms,
            excerpt=result.excerpt,
            next_attempt_at=next_at,
        )
