"""``private_key_jwt`` (RFC 7523) at the token endpoint: a client registers its public key
(RSA or P-256), signs an assertion, and gets a token; a replayed ``jti``, the wrong
audience, an expired or too long-lived assertion, another key, and ``alg`` other than
RS256/ES256 are refused; a private key is never accepted for registration."""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import urlencode

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm
from servicekit.roles import Roles

from .conftest import Account, Identity

pytestmark = pytest.mark.integration

CLIENTS = "/api/v1/auth/clients"
TOKEN = "/api/v1/auth/oauth/token"
AUDIENCE = "https://portal.infocenter.test/api/v1/auth/oauth/token"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


async def _client(identity: Identity) -> tuple[Account, str]:
    admin = await identity.provision(await identity.organisation(), [Roles.CREDITOR_ADMIN])
    created = await identity.client.post(
        CLIENTS, json={"name": "ERP", "scopes": ["cases:read"]}, headers=admin.headers
    )
    assert created.status_code == 201, created.text
    return admin, created.json()["id"]


def _assertion(
    client_id: str, key: Any, algorithm: str, *, kid: str, now: int, **claims: Any
) -> str:
    body = {
        "iss": client_id,
        "sub": client_id,
        "aud": AUDIENCE,
        "iat": now,
        "exp": now + 120,
        "jti": uuid.uuid4().hex,
        **claims,
    }
    return jwt.encode(body, key, algorithm=algorithm, headers={"kid": kid})


async def _token(identity: Identity, assertion: str, **extra: str) -> Any:
    form = {
        "grant_type": "client_credentials",
        "client_assertion_type": ASSERTION_TYPE,
        "client_assertion": assertion,
        **extra,
    }
    return await identity.client.post(TOKEN, content=urlencode(form), headers=FORM)


async def test_an_rsa_key_signs_in_once_per_jti(identity: Identity) -> None:
    admin, client_id = await _client(identity)
    now = int(identity.clock.now.timestamp())  # the service's clock
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public_jwk = {**RSAAlgorithm.to_jwk(private.public_key(), as_dict=True), "kid": "k1"}
    registered = await identity.client.put(
        f"{CLIENTS}/{client_id}/jwks", json={"keys": [public_jwk]}, headers=admin.headers
    )
    assert registered.status_code == 200, registered.text
    assert registered.json()["key_ids"] == ["k1"]

    assertion = _assertion(client_id, private, "RS256", kid="k1", now=now)
    granted = await _token(identity, assertion, client_id=client_id)
    assert granted.status_code == 200, granted.text
    assert granted.json()["scope"] == "cases:read"
    claims = jwt.decode(granted.json()["access_token"], options={"verify_signature": False})
    assert claims["client_id"] == client_id

    replayed = await _token(identity, assertion)
    assert replayed.status_code == 401
    assert replayed.json()["error"] == "invalid_client"

    for bad in (
        _assertion(
            client_id, private, "RS256", kid="k1", now=now, aud="https://elsewhere.example/token"
        ),
        _assertion(client_id, private, "RS256", kid="k1", now=now, exp=now - 120),
        _assertion(client_id, private, "RS256", kid="k1", now=now, exp=now + 3600),
        _assertion(
            client_id,
            rsa.generate_private_key(public_exponent=65537, key_size=2048),
            "RS256",
            kid="k1",
            now=now,
        ),
        jwt.encode(
            {
                "iss": client_id,
                "sub": client_id,
                "aud": AUDIENCE,
                "exp": now + 60,
                "jti": "x",
            },
            "a-shared-secret-is-not-a-key-32b!",
            algorithm="HS256",
        ),
    ):
        refused = await _token(identity, bad)
        assert refused.status_code == 401, refused.text
        assert refused.json()["error"] == "invalid_client"

    mismatch = await _token(
        identity,
        _assertion(client_id, private, "RS256", kid="k1", now=now),
        client_id=str(uuid.uuid4()),
    )
    assert mismatch.status_code == 400


async def test_an_ec_key_signs_in_and_private_keys_are_refused(identity: Identity) -> None:
    admin, client_id = await _client(identity)
    now = int(identity.clock.now.timestamp())
    private = ec.generate_private_key(ec.SECP256R1())
    public_jwk = {**ECAlgorithm.to_jwk(private.public_key(), as_dict=True), "kid": "ec1"}
    private_jwk = {**ECAlgorithm.to_jwk(private, as_dict=True), "kid": "ec1"}

    leaked = await identity.client.put(
        f"{CLIENTS}/{client_id}/jwks", json={"keys": [private_jwk]}, headers=admin.headers
    )
    assert leaked.status_code == 422
    no_keys = await _token(identity, _assertion(client_id, private, "ES256", kid="ec1", now=now))
    assert no_keys.status_code == 401

    other = await identity.provision(await identity.organisation(), [Roles.CREDITOR_ADMIN])
    theirs = await identity.client.put(
        f"{CLIENTS}/{client_id}/jwks", json={"keys": [public_jwk]}, headers=other.headers
    )
    assert theirs.status_code == 404

    registered = await identity.client.put(
        f"{CLIENTS}/{client_id}/jwks", json={"keys": [public_jwk]}, headers=admin.headers
    )
    assert registered.status_code == 200, registered.text
    granted = await _token(identity, _assertion(client_id, private, "ES256", kid="ec1", now=now))
    assert granted.status_code == 200, granted.text
