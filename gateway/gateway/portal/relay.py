"""A service's answer passed on to the browser as it comes: downloads and event streams.

The browser never calls ``/api/v1`` from the portal's pages (ADR 0020): a file to
download (an import's error report, a payout file) is fetched by the portal with the
signed-in person's token and streamed on with its content type and file name.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from fastapi.responses import Response, StreamingResponse

from gateway.portal.api import Params
from gateway.portal.visitor import Visitor


async def relay(
    visitor: Visitor, path: str, *, params: Params = None, keep: tuple[str, ...] = ()
) -> Response:
    """The service's answer to ``GET path``, streamed; raises ``ApiProblem`` on a refusal."""
    stream = visitor.backend.stream("GET", path, params=params)
    upstream = await stream.__aenter__()
    headers = {
        name: upstream.headers[name]
        for name in ("content-type", "content-disposition", *keep)
        if name in upstream.headers
    }
    headers["cache-control"] = "no-store"

    async def body() -> AsyncIterator[bytes]:
        try:
            async for chunk in upstream.aiter_raw():
                yield chunk
        finally:
            await stream.__aexit__(None, None, None)

    return StreamingResponse(body(), status_code=upstream.status_code, headers=headers)
