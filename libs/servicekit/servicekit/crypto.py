"""Field encryption with versioned keys (AES-256-GCM) and keyed blind indexes.

A ``Keyring`` is configured as ``"v1:<base64 32 bytes>,v2:<base64 32 bytes>"``; the last key
encrypts, every key decrypts, so keys rotate without rewriting data at once. Ciphertexts
carry their key version: ``<version>$<base64(nonce ‖ ciphertext ‖ tag)>``. The associated
data binds a ciphertext to its row and column, so it cannot be copied elsewhere.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

from cryptography.hazmat.primitives.ciphers.aead import AESGCM


class KeyringError(ValueError):
    pass


class Keyring:
    def __init__(self, spec: str) -> None:
        keys: dict[str, bytes] = {}
        for part in (p.strip() for p in spec.split(",") if p.strip()):
            version, _, encoded = part.partition(":")
            try:
                key = base64.b64decode(encoded, validate=True)
            except ValueError as exc:
                raise KeyringError(f"key {version!r} is not base64") from exc
            if len(key) != 32 or not version or "$" in version:
                raise KeyringError(f"key {version!r} must be 32 bytes with a plain version")
            keys[version] = key
        if not keys:
            raise KeyringError("no keys configured")
        self._keys = keys
        # one cipher per key, made once (an AESGCM per call was most of a seal's cost)
        self._ciphers = {version: AESGCM(key) for version, key in keys.items()}
        self.current = list(keys)[-1]

    @staticmethod
    def generate_spec(version: str = "v1") -> str:
        return f"{version}:{base64.b64encode(os.urandom(32)).decode()}"

    def encrypt(self, plaintext: bytes, *, aad: bytes) -> str:
        nonce = os.urandom(12)
        sealed = self._ciphers[self.current].encrypt(nonce, plaintext, aad)
        return f"{self.current}${base64.b64encode(nonce + sealed).decode()}"

    def decrypt(self, token: str, *, aad: bytes) -> bytes:
        version, _, encoded = token.partition("$")
        cipher = self._ciphers.get(version)
        if cipher is None:
            raise KeyringError(f"unknown key version {version!r}")
        raw = base64.b64decode(encoded)
        return cipher.decrypt(raw[:12], raw[12:], aad)

    def needs_rotation(self, token: str) -> bool:
        return token.partition("$")[0] != self.current


def blind_index(key: bytes, value: str) -> str:
    """A keyed HMAC-SHA256 of a normalised value, for equality lookup without the value."""
    return hmac.digest(key, value.encode(), hashlib.sha256).hex()
