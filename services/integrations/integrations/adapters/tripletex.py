"""Tripletex API v2 adapter: session token, paging, invoices, customers, vouchers.

Authentication as Tripletex documents it: ``PUT /token/session/:create`` with the
application's consumer token and the creditor's employee token gives a session token,
sent as the password of HTTP Basic with user ``0`` (the employee's own company). Lists
come in pages (``from``/``count``, ``fullResultSize``). A ``429`` is honoured: the
connector waits ``Retry-After`` (or ``X-Rate-Limit-Reset``) and tries again, at most
``max_retries`` times and never longer than ``max_retry_wait`` at once; an expired
session (``401``) is renewed once. Errors become :class:`ErpError` with a stable code;
Tripletex's ``requestId`` is logged (it names no person), its messages are not.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Collection, Mapping, Sequence
from datetime import date, timedelta
from typing import Any

import httpx

from integrations.domain.invoices import ErpAddress, ErpCustomer, ErpInvoice, ore
from integrations.service_layer.ports import Credentials, ErpError, VoucherPosting

log = logging.getLogger(__name__)

SESSION_DAYS = 1
INVOICE_FIELDS = (
    "id,version,invoiceNumber,invoiceDate,invoiceDueDate,customer(id),amount,"
    "amountOutstanding,currency(code),isCreditNote,creditedInvoice"
)
CUSTOMER_FIELDS = (
    "id,name,organizationNumber,isPrivateIndividual,email,"
    "postalAddress(addressLine1,addressLine2,postalCode,city,country(isoAlpha2Code))"
)


class TripletexErp:
    """One connection's Tripletex: its session, paging and retries."""

    def __init__(
        self,
        base_url: str,
        company_id: str,
        credentials: Credentials,
        *,
        timeout: float = 20.0,
        page_size: int = 500,
        max_retries: int = 4,
        max_retry_wait: float = 60.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._http = httpx.AsyncClient(
            base_url=base_url.rstrip("/"),
            timeout=httpx.Timeout(timeout, connect=min(timeout, 5.0)),
            follow_redirects=False,
            transport=transport,
        )
        self._company = company_id
        self._credentials = credentials
        self._page_size = page_size
        self._max_retries = max_retries
        self._max_retry_wait = max_retry_wait
        self._session: str | None = None
        self.waited_for_rate_limit = 0
        """How many times a 429 was waited out (for the tests and the sync's record)."""

    async def aclose(self) -> None:
        await self._http.aclose()

    # -- the port --------------------------------------------------------------------------

    async def company_id(self) -> str:
        answer = await self._call("GET", "/token/session/>whoAmI")
        company = (answer.get("value") or {}).get("companyId")
        if company is None:
            raise ErpError("erp_bad_answer", "no company")
        return str(company)

    async def invoices(self, date_from: date, date_to: date) -> Sequence[ErpInvoice]:
        rows = await self._all(
            "/invoice",
            {
                "invoiceDateFrom": date_from.isoformat(),
                "invoiceDateTo": date_to.isoformat(),
                "fields": INVOICE_FIELDS,
            },
        )
        return [_invoice(row) for row in rows]

    async def customers(self, ids: Collection[int]) -> Mapping[int, ErpCustomer]:
        found: dict[int, ErpCustomer] = {}
        wanted = sorted(set(ids))
        for start in range(0, len(wanted), 100):
            chunk = ",".join(str(i) for i in wanted[start : start + 100])
            for row in await self._all("/customer", {"id": chunk, "fields": CUSTOMER_FIELDS}):
                customer = _customer(row)
                found[customer.customer_id] = customer
        return found

    async def post_voucher(
        self, on: date, description: str, postings: Sequence[VoucherPosting]
    ) -> int:
        """Import a voucher; the postings name accounts by number, Tripletex by id (looked
        up with ``GET /ledger/account?number=``; a number the chart lacks is refused)."""
        ids: dict[int, int] = {}
        for number in sorted({p.account for p in postings}):
            found = await self._all("/ledger/account", {"number": str(number), "fields": "id"})
            if not found:
                raise ErpError("erp_rejected", f"no account {number} in the chart")
            ids[number] = int(found[0]["id"])
        body = {
            "date": on.isoformat(),
            "description": description[:255],
            "postings": [
                {
                    "row": n,
                    "date": on.isoformat(),
                    "description": p.description[:255],
                    "account": {"id": ids[p.account]},
                    "amountGross": p.amount_ore / 100,
                    "amountGrossCurrency": p.amount_ore / 100,
                }
                for n, p in enumerate(postings, start=1)
            ],
        }
        answer = await self._call("POST", "/ledger/voucher", json=body)
        return int(answer["value"]["id"])

    # -- plumbing --------------------------------------------------------------------------

    async def _all(self, path: str, params: dict[str, str]) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        start = 0
        while True:
            page = await self._call(
                "GET", path, params={**params, "from": str(start), "count": str(self._page_size)}
            )
            values = page.get("values")
            if not isinstance(values, list):
                raise ErpError("erp_bad_answer", "a list without values")
            rows.extend(values)
            start += len(values)
            total = int(page.get("fullResultSize") or 0)
            if not values or start >= total:
                return rows

    async def _open_session(self) -> str:
        expires = date.today() + timedelta(days=SESSION_DAYS)
        response = await self._http.put(
            "/token/session/:create",
            params={
                "consumerToken": self._credentials.consumer_token,
                "employeeToken": self._credentials.employee_token,
                "expirationDate": expires.isoformat(),
            },
        )
        if response.status_code in (401, 403, 404, 422):
            raise ErpError("erp_unauthorised", _request_id(response))
        if response.status_code != 200:
            raise ErpError("erp_unavailable", f"session: {response.status_code}")
        token = str(_json(response).get("value", {}).get("token") or "")
        if not token:
            raise ErpError("erp_bad_answer", "no session token")
        self._session = token
        return token

    async def _call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        renewed = False
        attempt = 0
        while True:
            token = self._session or await self._open_session()
            try:
                response = await self._http.request(
                    method, path, auth=httpx.BasicAuth("0", token), **kwargs
                )
            except httpx.TransportError as exc:
                response = None
                failure = type(exc).__name__
            if response is not None and response.status_code < 300:
                return _json(response)
            if response is not None and response.status_code == 401 and not renewed:
                self._session, renewed = None, True
                continue
            if response is not None and response.status_code == 401:
                raise ErpError("erp_unauthorised", _request_id(response))
            retryable = response is None or response.status_code in (429, 502, 503, 504)
            if not retryable or attempt >= self._max_retries:
                code = (
                    "erp_rate_limited"
                    if response is not None and response.status_code == 429
                    else "erp_rejected"
                    if response is not None and response.status_code in (400, 404, 422)
                    else "erp_unavailable"
                )
                detail = _request_id(response) if response is not None else failure
                raise ErpError(code, detail)
            wait = _wait(response, attempt)
            if wait > self._max_retry_wait:
                raise ErpError("erp_rate_limited", f"asked to wait {wait:.0f} s")
            if response is not None and response.status_code == 429:
                self.waited_for_rate_limit += 1
                log.info("tripletex rate limit: waiting %.1f s", wait)
            attempt += 1
            await asyncio.sleep(wait)


def _wait(response: httpx.Response | None, attempt: int) -> float:
    """``Retry-After`` (or the window's reset), else exponential back-off with jitter."""
    if response is not None:
        for header in ("Retry-After", "X-Rate-Limit-Reset"):
            value = response.headers.get(header)
            if value and value.strip().isdigit():
                return float(value)
    return min(0.5 * 2.0**attempt, 30.0) * (0.5 + random.random() / 2)


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError:
        raise ErpError("erp_bad_answer", "not JSON") from None
    if not isinstance(data, dict):
        raise ErpError("erp_bad_answer", "not an object")
    return data


def _request_id(response: httpx.Response) -> str:
    """Tripletex's ``requestId`` of an error (for its support), never its message."""
    try:
        data = response.json()
    except ValueError:
        return f"http {response.status_code}"
    request_id = data.get("requestId") if isinstance(data, dict) else None
    return f"http {response.status_code} requestId={str(request_id)[:64]}"


def _invoice(row: dict[str, Any]) -> ErpInvoice:
    try:
        return ErpInvoice(
            invoice_id=int(row["id"]),
            version=int(row.get("version") or 0),
            invoice_number=str(row.get("invoiceNumber") or row["id"])[:40],
            invoice_date=date.fromisoformat(str(row["invoiceDate"])),
            due_date=date.fromisoformat(str(row["invoiceDueDate"])),
            customer_id=int((row.get("customer") or {})["id"]),
            amount_ore=ore(row.get("amount") or 0),
            outstanding_ore=ore(row.get("amountOutstanding") or 0),
            credit_note=bool(row.get("isCreditNote")),
            credited_invoice=(int(row["creditedInvoice"]) if row.get("creditedInvoice") else None),
            currency=str((row.get("currency") or {}).get("code") or "NOK"),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ErpError("erp_bad_answer", f"invoice: {type(exc).__name__}") from None


def _customer(row: dict[str, Any]) -> ErpCustomer:
    address = row.get("postalAddress") or {}
    country = address.get("country") or {}
    return ErpCustomer(
        customer_id=int(row["id"]),
        name=str(row.get("name") or ""),
        organisation_number=str(row.get("organizationNumber") or "").replace(" ", ""),
        private_individual=bool(row.get("isPrivateIndividual")),
        address=ErpAddress(
            line1=str(address.get("addressLine1") or ""),
            line2=str(address.get("addressLine2") or ""),
            postal_code=str(address.get("postalCode") or ""),
            city=str(address.get("city") or ""),
            country=str(country.get("isoAlpha2Code") or "NO").upper()[:2],
        ),
        email=str(row.get("email") or ""),
    )
