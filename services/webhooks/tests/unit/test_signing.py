"""Signatures as Standard Webhooks 1.0 defines them (the spec's library's test vector)."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError
from webhooks.adapters.sender import sanitise, signature_header
from webhooks.domain.endpoints import SECRET_PREFIX, new_secret

pytestmark = pytest.mark.unit

# The vector of the standard-webhooks reference libraries' tests
VECTOR_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
VECTOR_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
VECTOR_TIME = datetime.fromtimestamp(1614265330, tz=UTC)
VECTOR_BODY = b'{"test": 2432232314}'
VECTOR_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_the_signature_of_the_spec_vector() -> None:
    assert signature_header(VECTOR_ID, VECTOR_TIME, VECTOR_BODY, [VECTOR_SECRET]) == (
        VECTOR_SIGNATURE
    )


def test_the_signature_is_hmac_sha256_over_id_timestamp_body_with_the_decoded_key() -> None:
    key = base64.b64decode(VECTOR_SECRET.removeprefix("whsec_"))
    mac = hmac.new(key, f"{VECTOR_ID}.1614265330.".encode() + VECTOR_BODY, hashlib.sha256)
    assert "v1," + base64.b64encode(mac.digest()).decode() == VECTOR_SIGNATURE


def test_during_a_rotation_both_secrets_sign_space_separated_and_each_verifies() -> None:
    old, new = new_secret(), new_secret()
    now = datetime.now(UTC)
    header = signature_header("wh-1", now, b"{}", [new, old])
    assert len(header.split(" ")) == 2
    headers = {
        "webhook-id": "wh-1",
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": header,
    }
    for secret in (old, new):
        Webhook(secret).verify(b"{}", headers, json_parse=False)
    with pytest.raises(WebhookVerificationError):
        Webhook(new_secret()).verify(b"{}", headers, json_parse=False)
    tampered = {**headers, "webhook-id": "wh-2"}
    with pytest.raises(WebhookVerificationError):
        Webhook(new).verify(b"{}", tampered, json_parse=False)


def test_a_new_secret_has_the_prefix_and_32_random_bytes() -> None:
    secret = new_secret()
    assert secret.startswith(SECRET_PREFIX)
    assert len(base64.b64decode(secret.removeprefix(SECRET_PREFIX))) == 32
    assert secret != new_secret()


def test_the_response_excerpt_is_bounded_and_has_no_control_characters() -> None:
    excerpt = sanitise(b"ok\x1b[31m\r\n" + b"x" * 2000)
    assert len(excerpt) <= 500
    assert all(c.isprintable() for c in excerpt)
    assert excerpt.startswith("ok")
