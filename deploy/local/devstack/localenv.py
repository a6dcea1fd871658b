"""Per-installation secrets (database passwords, service keys), generated once.

The local stack keeps them in ``var/local.env`` (git-ignored, mode 0600) and reuses them
on every start; test stacks generate fresh ones in memory. The same file also carries,
below the secrets, every process's environment for this installation, so that one
process can be run by hand (``set -a; . var/local.env; set +a``).
"""

from __future__ import annotations

import base64
import os
import secrets
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

_DERIVED_MARK = "# --- derived from the secrets above; rewritten on every start ---"


def keyring_spec(version: str = "v1") -> str:
    """An AES-GCM keyring with one fresh 256-bit key (``servicekit.crypto.Keyring``)."""
    return f"{version}:{base64.b64encode(os.urandom(32)).decode()}"


SERVICE_SECRETS: Mapping[str, Mapping[str, Callable[[], str]]] = {
    "auth": {
        "AUTH_DATA_KEYS": keyring_spec,  # seals TOTP secrets and token signing keys
        "AUTH_LOOKUP_KEY": lambda: secrets.token_hex(32),  # HMAC of unknown login names
    },
    "cases": {
        "CASES_DATA_KEYS": keyring_spec,  # seals debtors' national id numbers
        "CASES_LOOKUP_KEY": lambda: secrets.token_hex(32),  # their blind index
    },
    "credit": {
        "CREDIT_DATA_KEYS": keyring_spec,  # seals national ids and bureau payloads
        "CREDIT_LOOKUP_KEY": lambda: secrets.token_hex(32),  # their blind index
        # shared with the local bureau simulator, which accepts only this client
        "CREDIT_BUREAU_CLIENT_SECRET": lambda: secrets.token_urlsafe(24),
    },
    "integrations": {
        "INTEGRATIONS_DATA_KEYS": keyring_spec,  # seals the creditors' ERP keys
    },
    "webhooks": {
        "WEBHOOKS_DATA_KEYS": keyring_spec,  # seals the endpoints' signing secrets
    },
}
"""Secrets only one service has, by the exact setting name it reads."""

GATEWAY = "gateway"
"""Not a service with a database, but a process with secrets of its own all the same."""


def process_secrets(process: str) -> Mapping[str, Callable[[], str]]:
    """Every secret one process (a service or the gateway) reads, by setting name.

    Besides its own (:data:`SERVICE_SECRETS`), each has an internal secret (how it proves
    who it is at another service's internal endpoint, ``servicekit.internal``) and the
    bearer token Prometheus presents at its ``/metrics``.
    """
    prefix = f"{process.upper()}_"
    return {
        **SERVICE_SECRETS.get(process, {}),
        f"{prefix}INTERNAL_SECRET": lambda: secrets.token_urlsafe(32),
        f"{prefix}METRICS_TOKEN": lambda: secrets.token_urlsafe(24),
    }


def db_password_key(service: str) -> str:
    return f"INFOCENTER_DB_PASSWORD_{service.upper()}"


@dataclass(frozen=True)
class Secrets:
    db_passwords: Mapping[str, str] = field(default_factory=dict)
    extra: Mapping[str, str] = field(default_factory=dict)
    """Service-specific secrets by setting name (``AUTH_DATA_KEYS`` …)."""

    def db_password(self, service: str) -> str:
        return self.db_passwords[service]

    def service_secrets(self, service: str) -> dict[str, str]:
        """The secrets of one process (a service or the gateway), by setting name."""
        return {k: self.extra[k] for k in process_secrets(service) if k in self.extra}

    def internal_callers(self, services: Iterable[str]) -> str:
        """``AUTH_INTERNAL_CALLERS``: every process's internal secret, ``name:secret,…``."""
        callers = []
        for process in (GATEWAY, *services):
            secret = self.extra.get(f"{process.upper()}_INTERNAL_SECRET")
            if secret:
                callers.append(f"{process}:{secret}")
        return ",".join(callers)

    @classmethod
    def generate(cls, services: Iterable[str]) -> Secrets:
        services = list(services)
        return cls(
            db_passwords={s: secrets.token_urlsafe(24) for s in services},
            extra={
                key: make()
                for s in (*services, GATEWAY)
                for key, make in process_secrets(s).items()
            },
        )

    def as_env(self) -> dict[str, str]:
        env: dict[str, str] = {}
        env.update({db_password_key(s): p for s, p in sorted(self.db_passwords.items())})
        env.update(self.extra)
        return env


def read_env_file(path: Path) -> dict[str, str]:
    """``KEY=VALUE`` lines; comments and blank lines are skipped."""
    values: dict[str, str] = {}
    if not path.exists():
        return values
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, value = line.split("=", 1)
        values[key.strip()] = value.strip().strip("'\"")
    return values


def load_or_create(path: Path, services: Iterable[str]) -> Secrets:
    """The secrets in ``path``; any that are missing are generated and written back."""
    existing = read_env_file(path)
    fresh = Secrets.generate(services)
    passwords = {s: existing.get(db_password_key(s)) or p for s, p in fresh.db_passwords.items()}
    extra = {k: existing.get(k) or v for k, v in fresh.extra.items()}
    loaded = Secrets(db_passwords=passwords, extra=extra)
    if loaded.as_env().items() - existing.items():
        write_env_file(path, loaded, derived={}, keep_derived=True)
    return loaded


def write_env_file(
    path: Path,
    secrets_: Secrets,
    *,
    derived: Mapping[str, str],
    keep_derived: bool = False,
) -> None:
    """Write the secrets and (below a marker) the derived environment, mode 0600."""
    old_derived = ""
    if keep_derived and path.exists():
        text = path.read_text(encoding="utf-8")
        if _DERIVED_MARK in text:
            old_derived = text.split(_DERIVED_MARK, 1)[1].lstrip("\n")
    lines = [
        "# InfoCenter local installation: generated once by devstack, reused on every start.",
        "# Secrets: never commit this file (var/ is git-ignored).",
    ]
    lines += [f"{k}={v}" for k, v in secrets_.as_env().items()]
    lines.append(_DERIVED_MARK)
    body = "\n".join(lines) + "\n"
    if derived:
        body += "\n".join(f"{k}={v}" for k, v in derived.items()) + "\n"
    elif old_derived:
        body += old_derived
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(body)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)
