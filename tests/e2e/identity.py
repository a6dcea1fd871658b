"""Signing in through the gateway as a person would: password, then the TOTP code."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import httpx
import pyotp
from servicekit.testing.wait import wait_for


@dataclass(frozen=True)
class Login:
    email: str
    password: str
    totp_secret: str
    roles: tuple[str, ...] = ()


@dataclass
class SignedIn:
    """One session: bearer headers that refresh themselves before the token expires."""

    client: httpx.AsyncClient
    login: Login
    access_token: str
    refresh_token: str
    session_id: str
    expires_at: float = field(default=0.0)

    async def headers(self) -> dict[str, str]:
        if time.monotonic() > self.expires_at - 30:
            response = await self.client.post(
                "/api/v1/auth/token", json={"refresh_token": self.refresh_token}
            )
            assert response.status_code == 200, response.text
            self._take(response.json())
        return {"authorization": f"Bearer {self.access_token}"}

    def _take(self, tokens: dict[str, object]) -> None:
        self.access_token = str(tokens["access_token"])
        self.refresh_token = str(tokens["refresh_token"])
        self.expires_at = time.monotonic() + float(str(tokens["expires_in"]))


_last_step: dict[str, int] = {}


async def _fresh_code(login: Login) -> str:
    """A code of a time step this login has not used yet (each code works once)."""
    totp = pyotp.TOTP(login.totp_secret)

    async def unused_step() -> int | None:
        step = int(time.time()) // 30
        return step if step > _last_step.get(login.email, -1) else None

    step = await wait_for(unused_step, what="a fresh TOTP time step", seconds=35, every=0.5)
    _last_step[login.email] = step
    return totp.at(step * 30)


async def sign_in(client: httpx.AsyncClient, login: Login) -> SignedIn:
    async def past_the_rate_limit() -> httpx.Response | None:
        # the shared stack's sign-in limit is per address: other tests' sign-ins can take
        # it for a second (429 with Retry-After), which is not this test's concern
        answer = await client.post(
            "/api/v1/auth/sign-in", json={"email": login.email, "password": login.password}
        )
        return None if answer.status_code == 429 else answer

    first = await wait_for(past_the_rate_limit, what="the sign-in's rate limit", every=0.5)
    assert first.status_code == 200, first.text
    second = await client.post(
        "/api/v1/auth/sign-in/second-factor",
        json={"challenge": first.json()["challenge"], "code": await _fresh_code(login)},
    )
    assert second.status_code == 200, second.text
    tokens = second.json()
    session = SignedIn(client, login, "", "", str(tokens["session_id"]))
    session._take(tokens)
    return session
