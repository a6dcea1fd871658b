"""The creditors' ERP credentials, sealed at rest (AES-256-GCM, versioned keys).

Each ciphertext is bound to its connection (associated data), so it cannot be copied to
another row.
"""

from __future__ import annotations

import json
import uuid

from servicekit.crypto import Keyring

from integrations.service_layer.ports import Credentials


class CredentialVault:
    def __init__(self, keyring: Keyring) -> None:
        self._keyring = keyring

    def seal(self, connection_id: uuid.UUID, credentials: Credentials) -> str:
        plain = json.dumps(
            {"consumer": credentials.consumer_token, "employee": credentials.employee_token}
        ).encode()
        return self._keyring.encrypt(plain, aad=_aad(connection_id))

    def open(self, connection_id: uuid.UUID, sealed: str) -> Credentials:
        data = json.loads(self._keyring.decrypt(sealed, aad=_aad(connection_id)))
        return Credentials(consumer_token=data["consumer"], employee_token=data["employee"])


def _aad(connection_id: uuid.UUID) -> bytes:
    return f"integrations.connections.credentials:{connection_id}".encode()
