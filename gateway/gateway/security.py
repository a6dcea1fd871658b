"""Security headers on every response the gateway sends (pages, API, errors)."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'; object-src 'none'"
)
PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), "
    "accelerometer=(), gyroscope=(), magnetometer=()"
)


def security_headers(*, hsts_max_age: int | None) -> list[tuple[bytes, bytes]]:
    """The headers; ``hsts_max_age=None`` leaves HSTS out (plain HTTP in development)."""
    headers = [
        ("content-security-policy", CONTENT_SECURITY_POLICY),
        ("x-content-type-options", "nosniff"),
        ("referrer-policy", "no-referrer"),
        ("x-frame-options", "DENY"),
        ("permissions-policy", PERMISSIONS_POLICY),
        ("cross-origin-opener-policy", "same-origin"),
    ]
    if hsts_max_age is not None:
        headers.append(("strict-transport-security", f"max-age={hsts_max_age}; includeSubDomains"))
    return [(name.encode(), value.encode()) for name, value in headers]


class SecurityHeadersMiddleware:
    """Adds :func:`security_headers`; a header the response already has is left as it is."""

    def __init__(self, app: ASGIApp, *, hsts_max_age: int | None) -> None:
        self.app = app
        self.headers = security_headers(hsts_max_age=hsts_max_age)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers.extend(h for h in self.headers if h[0] not in present)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)
