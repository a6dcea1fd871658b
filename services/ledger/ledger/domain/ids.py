"""Ids for what the ledger creates: time-ordered UUIDs (version 7, RFC 9562).

Journal entries, payments and settlements are looked up by id and indexed by it. A random
(version 4) id lands anywhere in those indexes, so every insert touches a different page
once they outgrow memory; a version 7 id starts with the time in milliseconds, so new ids
are near each other and the index pages they touch stay warm. They are still unique and
unguessable enough (74 random bits), and sort by creation time.
"""

from __future__ import annotations

import secrets
import time
import uuid


def new_id() -> uuid.UUID:
    """A version 7 UUID: 48 bits of Unix time in ms, then random bits."""
    millis = time.time_ns() // 1_000_000
    value = (millis & ((1 << 48) - 1)) << 80 | secrets.randbits(80)
    value = (value & ~(0xF << 76)) | (0x7 << 76)  # version 7
    value = (value & ~(0x3 << 62)) | (0x2 << 62)  # RFC 9562 variant
    return uuid.UUID(int=value)
