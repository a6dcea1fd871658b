"""Endpoint secrets sealed at rest (AES-GCM, versioned keys; bound to the endpoint's id)."""

from __future__ import annotations

import uuid

from servicekit.crypto import Keyring


class SecretVault:
    def __init__(self, keyring: Keyring) -> None:
        self.keyring = keyring

    def seal(self, endpoint_id: uuid.UUID, secret: str) -> str:
        return self.keyring.encrypt(secret.encode(), aad=endpoint_id.bytes)

    def open(self, endpoint_id: uuid.UUID, sealed: str) -> str:
        return self.keyring.decrypt(sealed, aad=endpoint_id.bytes).decode()
