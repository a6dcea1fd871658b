"""The JWK Sets an API client may register for private_key_jwt: public RSA (2048 bits or
more) and P-256 keys only, each refusal with its code."""

from __future__ import annotations

from typing import Any

import pytest
from auth.service_layer.assertions import KeysInvalid, checked_jwks
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm


def rsa_jwk(bits: int = 2048) -> dict[str, Any]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    return {**RSAAlgorithm.to_jwk(key.public_key(), as_dict=True), "kid": "r"}


def test_public_rsa_and_p256_keys_are_kept() -> None:
    ec_key = ec.generate_private_key(ec.SECP256R1())
    ec_jwk = {**ECAlgorithm.to_jwk(ec_key.public_key(), as_dict=True), "kid": "e"}
    kept = checked_jwks({"keys": [rsa_jwk(), ec_jwk]})
    assert [k["kid"] for k in kept["keys"]] == ["r", "e"]


@pytest.mark.parametrize(
    ("keys", "code"),
    [
        ([], "keys-count"),
        ([{"kty": "oct", "k": "c2VjcmV0"}], "key-type"),
        ([{**rsa_jwk(), "d": "private"}], "private-key"),
        ([rsa_jwk(1024)], "key-too-weak"),
        ([{"kty": "RSA"}], "key-invalid"),
        ([{**rsa_jwk(), "alg": "RS512"}], "key-type"),
        (
            [
                ECAlgorithm.to_jwk(
                    ec.generate_private_key(ec.SECP384R1()).public_key(), as_dict=True
                )
            ],
            "key-type",
        ),
    ],
)
def test_unusable_keys_are_refused_with_a_code(keys: list[dict[str, Any]], code: str) -> None:
    with pytest.raises(KeysInvalid) as refused:
        checked_jwks({"keys": keys})
    assert refused.value.code == code
