"""Sealing what the credit service must keep but not show: national ids and bureau answers.

AES-GCM with versioned keys (``servicekit.crypto.Keyring``), each ciphertext bound to its
order and column; subjects are found by a keyed HMAC blind index, never by the number.
"""

from __future__ import annotations

import uuid

from servicekit.crypto import Keyring, blind_index


class Vault:
    def __init__(self, keyring: Keyring, lookup_key: bytes) -> None:
        self._keyring = keyring
        self._lookup_key = lookup_key

    def seal_national_id(self, order_id: uuid.UUID, national_id: str) -> str:
        return self._keyring.encrypt(national_id.encode(), aad=b"orders.subject:" + order_id.bytes)

    def open_national_id(self, order_id: uuid.UUID, sealed: str) -> str:
        return self._keyring.decrypt(sealed, aad=b"orders.subject:" + order_id.bytes).decode()

    def seal_payload(self, order_id: uuid.UUID, payload: bytes) -> str:
        return self._keyring.encrypt(payload, aad=b"reports.payload:" + order_id.bytes)

    def open_payload(self, order_id: uuid.UUID, sealed: str) -> bytes:
        return self._keyring.decrypt(sealed, aad=b"reports.payload:" + order_id.bytes)

    def subject_index(self, kind: str, identifier: str) -> str:
        return blind_index(self._lookup_key, f"{kind}:{identifier}")

    @property
    def fingerprint_secret(self) -> bytes:
        return self._lookup_key
