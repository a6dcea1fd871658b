"""The post (print-and-post or the debtor's digital mailbox) over HTTP: the adapter behind
the sending port :class:`reports.service_layer.letters.Post`.

One request per letter, with the letter's id: the post keeps the first and answers a
repeat with the same reference, so a letter handed over twice (a crash between the post's
answer and our commit) is posted once. Every call has a timeout; any failure is raised as
:class:`PostUnavailable` and the letter is tried again later.
"""

from __future__ import annotations

import base64
from typing import Any

import httpx

from reports.service_layer.letters import LetterToPost, PostUnavailable


class HttpPost:
    """The post's ``POST /v1/letters`` (see ``simulators.post``)."""

    def __init__(self, base_url: str, *, timeout_seconds: float = 10.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = httpx.Timeout(timeout_seconds)

    async def send(self, letter: LetterToPost) -> str:
        body: dict[str, Any] = {
            "letter_id": str(letter.letter_id),
            "kind": letter.kind,
            "recipient": letter.recipient,
            "pdf_base64": base64.b64encode(letter.pdf).decode("ascii"),
        }
        try:
            async with httpx.AsyncClient(timeout=self.timeout) as client:
                response = await client.post(f"{self.base_url}/v1/letters", json=body)
        except httpx.HTTPError as exc:
            raise PostUnavailable(type(exc).__name__) from exc
        if response.status_code not in (200, 201):
            raise PostUnavailable(f"HTTP {response.status_code}")
        reference = response.json().get("reference")
        if not isinstance(reference, str) or not reference:
            raise PostUnavailable("no reference in the answer")
        return reference[:80]
