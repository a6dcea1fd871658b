"""National id numbers at rest: sealed with AES-GCM, found by a keyed blind index."""

from __future__ import annotations

import uuid

from servicekit.crypto import Keyring, blind_index


class NationalIdVault:
    """Seals and opens debtors' fødselsnummer/D-nummer; never logs them."""

    def __init__(self, keyring: Keyring, lookup_key: bytes) -> None:
        self._keyring = keyring
        self._lookup_key = lookup_key

    @staticmethod
    def _aad(party_id: uuid.UUID) -> bytes:
        return b"parties.national_id:" + party_id.bytes

    def seal(self, party_id: uuid.UUID, national_id: str) -> str:
        """The ciphertext, bound to its party row."""
        return self._keyring.encrypt(national_id.encode(), aad=self._aad(party_id))

    def open(self, party_id: uuid.UUID, sealed: str) -> str:
        return self._keyring.decrypt(sealed, aad=self._aad(party_id)).decode()

    def index(self, national_id: str) -> str:
        """The blind index of a (validated, compact) national id number."""
        return blind_index(self._lookup_key, national_id)
