"""Real HTTP servers for the gateway's tests: uvicorn in-process, and service stand-ins.

Every stand-in is a FastAPI app with the same request-id middleware as a real service,
served by uvicorn on a free localhost port (no mocks of HTTP); the gateway under test is
served the same way and called over TCP, so streaming, headers and timeouts are real.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import secrets
import socket
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import uvicorn
from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, create_model
from servicekit import context
from servicekit.http import RequestContextMiddleware
from servicekit.internal import InternalCallers
from servicekit.problems import problem
from servicekit.roles import Roles
from servicekit.testing.tokens import TestSigner
from servicekit.testing.wait import wait_for
from servicekit.tokens import InvalidToken

SERVICES = ("auth", "cases", "ledger", "reports", "credit", "integrations", "webhooks")
CHUNK = 1 << 20


class _InProcessServer(uvicorn.Server):
    """uvicorn without signal handling: it runs as one task of the test's event loop."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


class RunningServer:
    """An ASGI app served by uvicorn on a free port of 127.0.0.1."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.socket.bind(("127.0.0.1", 0))
        self.port: int = self.socket.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(
            app,
            lifespan="on",
            log_level="warning",
            access_log=False,
            proxy_headers=False,
            timeout_graceful_shutdown=2,
        )
        self.server = _InProcessServer(config)
        self.task: asyncio.Task[None] | None = None

    def _alive(self) -> None:
        if self.task is not None and self.task.done():
            raise AssertionError(f"server on {self.url} stopped: {self.task!r}")

    async def start(self) -> RunningServer:
        self.task = asyncio.create_task(self.server.serve(sockets=[self.socket]))

        async def started() -> bool:
            return self.server.started

        await wait_for(started, what=f"uvicorn on {self.url}", seconds=60, every=0.01)
        return self

    async def stop(self) -> None:
        self.server.should_exit = True
        if self.task is not None:
            await asyncio.wait_for(self.task, timeout=15)
        self.socket.close()


UPLOAD_PATHS = {"cases": "/imports", "ledger": "/bank-files"}
"""Where the real services take files: the gateway lets large bodies through only there."""


class Item(BaseModel):
    id: int


def upstream_app(name: str, *, ready: bool = True, health_hangs: bool = False) -> FastAPI:
    """A stand-in for one service: echo, streaming upload/download, slow, health, OpenAPI.

    ``ready`` decides ``/health/ready``, which with ``health_hangs`` never answers;
    ``app.state.release`` lets ``/slow`` (and a hanging health check) end. Its ``ItemOut``
    schema differs per service, so the merged OpenAPI has a name collision to resolve.
    """
    app = FastAPI(title=f"InfoCenter {name}", description=f"The {name} stand-in.")
    app.add_middleware(RequestContextMiddleware, service=f"fake-{name}")
    app.state.release = asyncio.Event()
    app.state.echoed = []  # (method, path) of every echo served
    prefix = f"/api/v1/{name}"
    fields: dict[str, Any] = {"amount_ore": (int, ...)} if name == "cases" else {"name": (str, ...)}
    item_out = create_model("ItemOut", __base__=Item, **fields)

    async def read_body(request: Request) -> tuple[int, str]:
        digest, size = hashlib.sha256(), 0
        async for chunk in request.stream():
            digest.update(chunk)
            size += len(chunk)
        return size, digest.hexdigest()

    @app.api_route(
        prefix + "/echo/{rest:path}",
        methods=["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
        include_in_schema=False,
    )
    async def echo(request: Request, rest: str) -> JSONResponse:
        size, digest = await read_body(request)
        app.state.echoed.append((request.method, request.scope["path"]))
        body = {
            "service": name,
            "method": request.method,
            "path": request.scope["path"],
            "raw_path": request.scope["raw_path"].decode("latin-1"),
            "query": request.scope["query_string"].decode("latin-1"),
            "headers": [
                [k.decode("latin-1"), v.decode("latin-1")] for k, v in request.scope["headers"]
            ],
            "correlation_id": str(context.correlation_id.get()),
            "body_bytes": size,
            "body_sha256": digest,
        }
        response = JSONResponse(body, status_code=int(request.query_params.get("status", 200)))
        response.headers["x-upstream"] = name
        if "cache" in request.query_params:  # a service's own cache policy
            response.headers["cache-control"] = request.query_params["cache"]
        response.headers.append("set-cookie", "a=1; Path=/; HttpOnly")
        response.headers.append("set-cookie", "b=2; Path=/; HttpOnly")
        return response

    @app.head(prefix + "/echo/{rest:path}", include_in_schema=False)
    async def echo_head(rest: str) -> Response:
        return Response(headers={"x-upstream": name, "content-length": "42"})

    @app.post(prefix + "/upload", summary="Count an upload without keeping it", tags=["files"])
    @app.post(prefix + UPLOAD_PATHS.get(name, "/upload"), include_in_schema=False)
    async def upload(request: Request) -> dict[str, Any]:
        size, digest = await read_body(request)
        return {
            "bytes": size,
            "sha256": digest,
            "transfer_encoding": request.headers.get("transfer-encoding"),
            "content_length": request.headers.get("content-length"),
        }

    @app.get(prefix + "/download", summary="Stream generated bytes", tags=["files"])
    async def download(size: int) -> StreamingResponse:
        async def chunks() -> AsyncIterator[bytes]:
            sent = 0
            while sent < size:
                chunk = pattern_chunk(sent // CHUNK)[: size - sent]
                sent += len(chunk)
                yield chunk

        return StreamingResponse(chunks(), media_type="application/octet-stream")

    @app.get(prefix + "/slow", summary="Answers when released", tags=["echo"])
    async def slow() -> dict[str, str]:
        await app.state.release.wait()
        return {"status": "late"}

    @app.get(prefix + "/items/{item_id}", response_model=item_out, summary="One item")
    async def get_item(item_id: int) -> Any:
        return {"id": item_id, "amount_ore": 100, "name": "x"}

    @app.get("/internal/only", summary="Not for the public API")
    async def internal() -> dict[str, str]:
        return {}

    @app.get("/health/ready")
    async def health_ready() -> JSONResponse:
        if health_hangs:
            await app.state.release.wait()
        up = ready
        return JSONResponse(
            {
                "status": "ready" if up else "not_ready",
                "checks": {
                    "database": {"status": "up", "ms": 0.4},
                    "broker": {"status": "up" if up else "down", "ms": 0.2},
                },
            },
            status_code=200 if up else 503,
        )

    return app


def pattern_chunk(index: int) -> bytes:
    """1 MiB of bytes that differ per index (so a lost or repeated chunk is noticed)."""
    seed = hashlib.sha256(index.to_bytes(8, "big")).digest()
    return (seed * (CHUNK // len(seed) + 1))[:CHUNK]


class Upstreams:
    """The running stand-ins, by service name."""

    def __init__(self) -> None:
        self.apps: dict[str, FastAPI] = {}
        self.servers: dict[str, RunningServer] = {}

    def urls(self) -> dict[str, str]:
        return {f"{name}_url": server.url for name, server in self.servers.items()}


GatewayFactory = Callable[..., Awaitable[httpx.AsyncClient]]


GATEWAY_SECRET = secrets.token_urlsafe(32)
"""The gateways' service credential, which the identity stand-in's internal endpoint wants."""
METRICS_TOKEN = secrets.token_urlsafe(24)
"""What the tests' Prometheus presents at the gateways' /metrics."""

ORGANISATION = uuid.UUID("0b9e6c55-5d8e-4a51-9c0e-2f0d6b1c1a01")
ACCESS_TTL = 3600
REFRESH_TTL = timedelta(days=14)


def mint(signer: TestSigner, session_id: uuid.UUID | None = None, **claims: Any) -> str:
    """An access token like the identity service's, for a new session unless one is given."""
    return signer.mint(
        organisation_id=ORGANISATION,
        roles=[Roles.CREDITOR],
        session_id=session_id or uuid.uuid4(),
        **{"ttl": ACCESS_TTL, **claims},
    )


class IdentityState:
    """What the identity stand-in knows, and its switches."""

    def __init__(self) -> None:
        self.revoked: set[uuid.UUID] = set()
        self.session_checks: list[uuid.UUID] = []
        self.session_state_status = 200
        """Anything but 200 makes the internal session endpoint answer that (broken)."""
        self.refresh_tokens: dict[str, uuid.UUID] = {}
        self.token_requests: list[dict[str, Any]] = []
        self.signed_out: list[uuid.UUID] = []


def identity_app(signer: TestSigner) -> FastAPI:
    """The ``auth`` stand-in: the usual routes plus the identity API the gateway relies on.

    Serves the signer's JWKS, the internal session state (``state.revoked`` switches a
    session off, ``state.session_state_status`` breaks the endpoint), and sign-in,
    second factor, token refresh and sign-out with tokens minted by ``signer``.
    """
    app = upstream_app("auth")
    state = IdentityState()
    app.state.identity = state
    verifier = signer.verifier()

    def tokens(session_id: uuid.UUID) -> dict[str, Any]:
        refresh = "rt-" + secrets.token_urlsafe(24)
        state.refresh_tokens[refresh] = session_id
        return {
            "access_token": mint(signer, session_id),
            "token_type": "Bearer",
            "expires_in": ACCESS_TTL,
            "refresh_token": refresh,
            "refresh_expires_at": (datetime.now(UTC) + REFRESH_TTL).isoformat(),
            "session_id": str(session_id),
        }

    @app.post("/api/v1/auth/sign-in")
    async def sign_in() -> dict[str, Any]:
        return {"challenge": "challenge-" + secrets.token_hex(8), "expires_in": 300}

    @app.post("/api/v1/auth/sign-in/second-factor")
    async def second_factor() -> dict[str, Any]:
        return tokens(uuid.uuid4())

    @app.post("/api/v1/auth/token")
    async def token(request: Request) -> Any:
        body = await request.json()
        state.token_requests.append(body)
        session_id = state.refresh_tokens.pop(body.get("refresh_token", ""), None)
        if session_id is None:
            return problem(401, "unauthorized", "Unauthorized", "Refresh token rejected.")
        return tokens(session_id)

    async def sign_out(request: Request) -> Response:
        bearer = request.headers.get("authorization", "").removeprefix("Bearer ")
        try:
            principal = await verifier.verify(bearer)
        except InvalidToken:
            return problem(401, "unauthorized", "Unauthorized")
        assert principal.session_id is not None
        state.revoked.add(principal.session_id)
        state.signed_out.append(principal.session_id)
        return Response(status_code=204)

    app.add_api_route("/api/v1/auth/sign-out", sign_out, methods=["POST"])
    app.add_api_route("/api/v1/auth/sign-out-everywhere", sign_out, methods=["POST"])

    @app.get("/api/v1/auth/.well-known/jwks.json")
    async def jwks() -> dict[str, Any]:
        return signer.jwks

    callers = InternalCallers({"gateway": GATEWAY_SECRET})

    @app.get("/internal/v1/sessions/{session_id}")
    async def session_state(session_id: uuid.UUID, request: Request) -> Response:
        if callers.caller(request.headers.get("authorization")) != "gateway":
            return problem(401, "unauthorized", "Service authentication required")
        state.session_checks.append(session_id)
        if state.session_state_status != 200:
            return Response(status_code=state.session_state_status)
        return JSONResponse({"active": session_id not in state.revoked})

    return app
