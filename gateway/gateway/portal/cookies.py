"""Cookies the portal's pages set, collected during a request and added to its answer.

Any step of a request (the signed-in check that refreshed the tokens, the CSRF cookie
of a first visit, signing out) queues ``Set-Cookie`` values on the request's state;
:class:`QueuedCookies` adds them to whatever response goes out, a page, a redirect or
an error page alike.
"""

from __future__ import annotations

from fastapi import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

STATE_KEY = "portal_set_cookies"


def queue(request: Request, *cookies: str) -> None:
    state = request.scope.setdefault("state", {})
    queued: list[str] = state.setdefault(STATE_KEY, [])
    queued.extend(cookies)


class QueuedCookies:
    """ASGI middleware: adds the queued ``Set-Cookie`` values to the response's headers."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})  # shared by reference with inner scopes

        async def send_with_cookies(message: Message) -> None:
            if message["type"] == "http.response.start":
                queued = state.get(STATE_KEY, [])
                if queued:
                    headers = list(message.get("headers", []))
                    headers.extend((b"set-cookie", c.encode("latin-1")) for c in queued)
                    message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_cookies)
