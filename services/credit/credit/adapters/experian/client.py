"""The bureau port over Experian's JSON API (httpx), as its simulator speaks it.

- **Auth**: OAuth2 client credentials; the token is cached and fetched again at 80 % of
  its lifetime (or at once after a 401, once per call). Secrets come from settings.
- **Timeouts** on connect, read, write and the pool; answers are read up to a bound.
- **Retries only where safe**: a connection that never opened, and 429/503 (the bureau
  says it did not take the order; ``Retry-After`` honoured up to a cap). Never after the
  order may have reached the bureau: a timeout, a reset or a broken body is
  :class:`BureauInDoubt`, and the order is reconciled by its reference (our order id, the
  bureau's ``clientReference``) instead of ordered again, which for a person would charge
  twice and send a second copy letter.
- **Circuit breaker** per bureau: a run of failures makes calls fail fast for a while.
- Nothing of a subject or a report is logged.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx

from credit.adapters.breaker import CircuitBreaker, CircuitOpen
from credit.adapters.experian.normalise import MalformedReport, normalise
from credit.domain.subjects import SubjectKind
from credit.service_layer.ports import (
    BureauFailed,
    BureauInDoubt,
    BureauOrder,
    BureauRefused,
    BureauReport,
    BureauUnavailable,
    CompanyCandidate,
)

log = logging.getLogger(__name__)

MAX_ANSWER_BYTES = 1024 * 1024
TOKEN_REFRESH_AT = 0.8
"""Share of a token's lifetime after which a new one is fetched."""
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
"""Transport errors before the request left: safe to try again."""


MAX_CONNECTIONS = 50
"""Connections to the bureau at most (orders in flight at once without waiting)."""
CONNECTIONS_PER_CLIENT = 5
"""httpcore's pool works out its state over all its connections at every request and
response (quadratic in them, with a ``poll`` of each idle socket): at 50 in flight one
client of 50 connections cost 3.4-4.3 ms of CPU a request, five of 10 1.0-2.1, ten of 5
1.1-1.35 (``bench/README.md``, credit_orders)."""


class _Clients:
    """httpx clients of at most ``per_client`` connections each; a call takes the one
    with the fewest calls in flight, so all ``connections`` are used before any waits."""

    def __init__(
        self,
        make: Callable[[int], httpx.AsyncClient],
        *,
        connections: int,
        per_client: int,
    ) -> None:
        count = max(1, -(-connections // per_client))
        self._clients = [make(-(-connections // count)) for _ in range(count)]
        self._busy = [0] * count

    @contextmanager
    def lease(self) -> Iterator[httpx.AsyncClient]:
        index = min(range(len(self._busy)), key=self._busy.__getitem__)
        self._busy[index] += 1
        try:
            yield self._clients[index]
        finally:
            self._busy[index] -= 1

    async def aclose(self) -> None:
        for client in self._clients:
            await client.aclose()


class ExperianBureau:
    name = "experian"

    def __init__(
        self,
        base_url: str,
        client_id: str,
        client_secret: str,
        *,
        timeout: httpx.Timeout | None = None,
        max_retries: int = 2,
        max_retry_wait: float = 5.0,
        breaker: CircuitBreaker | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._clients = _Clients(
            lambda size: httpx.AsyncClient(
                base_url=base_url,
                timeout=timeout or httpx.Timeout(15.0, connect=3.0, pool=5.0),
                transport=transport,
                # every connection kept alive: with fewer kept than allowed, a busy minute
                # opens (and the bureau accepts) a new connection for most orders
                limits=httpx.Limits(max_connections=size, max_keepalive_connections=size),
                follow_redirects=False,
            ),
            connections=MAX_CONNECTIONS,
            per_client=CONNECTIONS_PER_CLIENT,
        )
        self._auth = (client_id, client_secret)
        self._max_retries = max_retries
        self._max_retry_wait = max_retry_wait
        self.breaker = breaker or CircuitBreaker()
        self._clock = clock
        self._sleep = sleep
        self._token: str | None = None
        self._refresh_at = 0.0
        self._token_lock = asyncio.Lock()
        self.tokens_fetched = 0

    async def aclose(self) -> None:
        await self._clients.aclose()

    # -- the port --------------------------------------------------------------------------

    async def order_report(self, order: BureauOrder) -> BureauReport:
        try:
            self.breaker.before_call()
        except CircuitOpen as exc:
            raise BureauUnavailable("circuit open", retry_after=int(exc.retry_after) + 1) from exc
        try:
            report = await self._order(order)
        except (BureauUnavailable, BureauFailed, BureauInDoubt):
            self.breaker.failure()
            raise
        except BureauRefused:
            self.breaker.success()  # the bureau answered, and said no
            raise
        self.breaker.success()
        return report

    async def find_report(self, reference: uuid.UUID, product_code: str) -> BureauReport | None:
        listed = await self._get("/v1/reports", params={"clientReference": str(reference)})
        reports = listed.get("reports") if isinstance(listed, dict) else None
        if not isinstance(reports, list):
            raise BureauFailed("malformed list of reports")
        if not reports:
            return None
        first = reports[0]
        if not isinstance(first, dict) or not isinstance(first.get("reportId"), str):
            raise BureauFailed("malformed list of reports")
        report_id = first["reportId"]
        if not report_id.replace("-", "").isalnum() or len(report_id) > 100:
            raise BureauFailed("malformed report id")
        raw = await self._get_raw(f"/v1/reports/{report_id}")
        kind = SubjectKind.COMPANY if product_code.startswith("COMPANY") else SubjectKind.PERSON
        try:
            return _report(raw, kind)
        except MalformedReport as exc:
            raise BureauFailed("malformed report") from exc

    async def search_companies(self, name: str) -> list[CompanyCandidate]:
        try:
            self.breaker.before_call()
        except CircuitOpen as exc:
            raise BureauUnavailable("circuit open", retry_after=int(exc.retry_after) + 1) from exc
        try:
            answer = await self._get("/v1/companies/search", params={"name": name})
        except (BureauUnavailable, BureauFailed):
            self.breaker.failure()
            raise
        self.breaker.success()
        return _candidates(answer)

    # -- token -----------------------------------------------------------------------------

    async def _bearer(self, *, renew: bool = False) -> str:
        async with self._token_lock:
            if self._token is not None and not renew and self._clock() < self._refresh_at:
                return self._token
            try:
                with self._clients.lease() as client:
                    response = await client.post(
                        "/oauth/token", data={"grant_type": "client_credentials"}, auth=self._auth
                    )
            except httpx.TransportError as exc:  # no order was sent: nothing is in doubt
                raise BureauUnavailable("token endpoint unreachable") from exc
            if response.status_code in (429, 503):
                raise BureauUnavailable("token endpoint busy", _retry_after(response))
            if response.status_code != 200:
                raise BureauFailed(f"token refused ({response.status_code})")
            try:
                data = response.json()
                token, lifetime = str(data["access_token"]), int(data["expires_in"])
            except (ValueError, KeyError, TypeError) as exc:
                raise BureauFailed("malformed token answer") from exc
            self._token = token
            self._refresh_at = self._clock() + max(1, lifetime) * TOKEN_REFRESH_AT
            self.tokens_fetched += 1
            return token

    # -- calls -----------------------------------------------------------------------------

    async def _order(self, order: BureauOrder) -> BureauReport:
        kind = order.subject.kind
        path = "/v1/reports/company" if kind is SubjectKind.COMPANY else "/v1/reports/person"
        subject_field = "organisationNumber" if kind is SubjectKind.COMPANY else "nationalId"
        body = {
            subject_field: order.subject.identifier,
            "product": order.product_code,
            "clientReference": str(order.reference),
            "purpose": order.purpose_code,
            "endUser": {
                "name": order.end_user_name,
                "organisationNumber": order.end_user_organisation_number,
            },
        }
        attempts, renewed = 0, False
        while True:
            token = await self._bearer()
            try:
                status, headers, raw = await self._send("POST", path, json_body=body, token=token)
            except _NOT_SENT as exc:
                if attempts < self._max_retries:
                    attempts += 1
                    await self._sleep(min(0.2 * 2**attempts, self._max_retry_wait))
                    continue
                raise BureauUnavailable("bureau unreachable") from exc
            except (httpx.TransportError, _TooLarge) as exc:
                # the order may have reached the bureau: in doubt, never sent again
                log.warning(
                    "credit report order in doubt",
                    extra={"order_id": str(order.reference), "error": type(exc).__name__},
                )
                raise BureauInDoubt(type(exc).__name__) from exc
            if status == 200:
                try:
                    return _report(raw, kind)
                except MalformedReport as exc:
                    log.warning(
                        "malformed credit report answer", extra={"order_id": str(order.reference)}
                    )
                    raise BureauInDoubt("malformed answer") from exc
            if status == 401 and not renewed:
                renewed = True
                await self._bearer(renew=True)
                continue
            if status in (429, 503):
                wait = _retry_after_value(headers.get("retry-after"))
                if attempts < self._max_retries and wait <= self._max_retry_wait:
                    attempts += 1
                    await self._sleep(wait)
                    continue
                raise BureauUnavailable(f"bureau answered {status}", int(wait))
            error = _error(raw)
            code = str(error.get("code", ""))
            if status in (403, 404) and code in (
                "NO_MATCH",
                "CREDIT_BLOCKED",
                "PRODUCT_NOT_IN_CONTRACT",
            ):
                allowed = error.get("allowedPurposes")
                raise BureauRefused(
                    code,
                    tuple(str(p) for p in allowed) if isinstance(allowed, list) else (),
                )
            raise BureauFailed(f"bureau answered {status} {code}".strip())

    async def _send(
        self,
        method: str,
        path: str,
        *,
        token: str,
        json_body: Any = None,
        params: dict[str, str] | None = None,
    ) -> tuple[int, httpx.Headers, bytes]:
        with self._clients.lease() as client:
            request = client.build_request(
                method,
                path,
                json=json_body,
                params=params,
                headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
            )
            response = await client.send(request, stream=True)
            try:
                chunks: list[bytes] = []
                size = 0
                async for chunk in response.aiter_raw():
                    size += len(chunk)
                    if size > MAX_ANSWER_BYTES:
                        raise _TooLarge
                    chunks.append(chunk)
                return response.status_code, response.headers, b"".join(chunks)
            finally:
                await response.aclose()

    async def _get_raw(self, path: str, params: dict[str, str] | None = None) -> bytes:
        renewed = False
        while True:
            token = await self._bearer()
            try:
                status, _, raw = await self._send("GET", path, token=token, params=params)
            except (httpx.TransportError, _TooLarge) as exc:
                raise BureauUnavailable("bureau unreachable") from exc
            if status == 401 and not renewed:
                renewed = True
                await self._bearer(renew=True)
                continue
            if status in (429, 502, 503, 504):
                raise BureauUnavailable(f"bureau answered {status}")
            if status != 200:
                raise BureauFailed(f"bureau answered {status}")
            return raw

    async def _get(self, path: str, params: dict[str, str] | None = None) -> Any:
        raw = await self._get_raw(path, params)
        try:
            return json.loads(raw)
        except ValueError as exc:
            raise BureauFailed("malformed answer") from exc


MAX_CANDIDATES = 50


def _candidates(answer: Any) -> list[CompanyCandidate]:
    """The search's candidates, checked (bounded; a broken answer is the bureau's failure)."""
    listed = answer.get("candidates") if isinstance(answer, dict) else None
    if not isinstance(listed, list):
        raise BureauFailed("malformed search answer")
    found: list[CompanyCandidate] = []
    for item in listed[:MAX_CANDIDATES]:
        if not isinstance(item, dict):
            raise BureauFailed("malformed search answer")
        values = [item.get(k) for k in ("organisationNumber", "name", "organisationForm", "status")]
        number = values[0]
        if not all(isinstance(v, str) and 0 < len(v) <= 200 for v in values) or not (
            isinstance(number, str) and len(number) == 9 and number.isdigit()
        ):
            raise BureauFailed("malformed search candidate")
        city = item.get("city")
        found.append(
            CompanyCandidate(
                organisation_number=str(values[0]),
                name=str(values[1]),
                organisation_form=str(values[2]),
                status=str(values[3]),
                city=city[:100] if isinstance(city, str) else "",
            )
        )
    return found


class _TooLarge(Exception):
    pass


def _report(raw: bytes, kind: SubjectKind) -> BureauReport:
    try:
        data = json.loads(raw)
    except ValueError as exc:
        raise MalformedReport("not JSON") from exc
    if not isinstance(data, dict) or not isinstance(data.get("reportId"), str):
        raise MalformedReport("no reportId")
    return BureauReport(
        bureau_reference=data["reportId"][:100], report=normalise(data, kind), payload=raw
    )


def _error(raw: bytes) -> dict[str, Any]:
    try:
        data = json.loads(raw)
    except ValueError:
        return {}
    error = data.get("error") if isinstance(data, dict) else None
    return error if isinstance(error, dict) else {}


def _retry_after_value(value: str | None) -> float:
    try:
        return max(0.0, float(value)) if value else 1.0
    except ValueError:
        return 1.0


def _retry_after(response: httpx.Response) -> int:
    return int(_retry_after_value(response.headers.get("retry-after")))
