"""Identifiers for rows that are inserted in time order: UUIDv7 (RFC 9562), as 32 hex characters.

Why: session and message ids are primary keys (and the messages' session index leads with the
session id). Random UUIDv4 keys land on a random index page each, so every answer dirtied ≈ 4 pages
of a growing database (each one a WAL frame to write, sync and checkpoint); keys that grow with
time append to the rightmost pages, which the answers of one commit share. The 74 random bits keep
an id unguessable (sessions are also checked against their owner).
"""

from __future__ import annotations

import os
import time


def time_ordered_id() -> str:
    """A UUIDv7 in hex: 48 bits of Unix milliseconds, the version, 74 random bits (with the variant)."""
    random = int.from_bytes(os.urandom(10), "big")  # 80 bits: 12 for rand_a, 62 for rand_b, 6 spare
    rand_a, rand_b = (random >> 68) & 0xFFF, random & ((1 << 62) - 1)
    value = (time.time_ns() // 1_000_000) << 80 | 0x7 << 76 | rand_a << 64 | 0b10 << 62 | rand_b
    return f"{value:032x}"
