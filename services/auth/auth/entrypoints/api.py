"""HTTP API of the identity service (``uvicorn auth.entrypoints.api:create_app --factory``)."""

from __future__ import annotations

from fastapi import FastAPI

from auth.bootstrap import AuthService, bootstrap
from auth.entrypoints.routers import account, clients, organisations, signin, users


def create_app(service: AuthService | None = None) -> FastAPI:
    service = service or bootstrap()
    app = service.create_app(
        title="InfoCenter identity",
        description=(
            "Organisations, users, credentials, second factors, sessions and tokens. "
            "Sign in with e-mail and password, then the authenticator code; use the access "
            "token as `Authorization: Bearer …` and rotate it with the refresh token. Systems use "
            "an API client and the OAuth 2.0 client-credentials grant (`/oauth/token`)."
        ),
        routers=[
            signin.router,
            account.router,
            users.router,
            organisations.router,
            clients.router,
            signin.internal,
        ],
    )
    app.state.service = service
    return app
