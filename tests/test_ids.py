"""Row ids are UUIDv7: valid UUIDs that sort by creation time, unique, and not guessable from each other."""

from __future__ import annotations

import time
import uuid

from visdesk.ids import time_ordered_id


def test_ids_are_version_7_uuids_in_hex() -> None:
    value = time_ordered_id()
    parsed = uuid.UUID(hex=value)
    assert len(value) == 32 and parsed.hex == value
    assert parsed.version == 7 and parsed.variant == uuid.RFC_4122
    assert abs((parsed.int >> 80) - time.time_ns() // 1_000_000) < 5_000  # its milliseconds are now


def test_ids_sort_by_the_millisecond_they_were_made_in_and_never_repeat() -> None:
    earlier = [time_ordered_id() for _ in range(1000)]
    time.sleep(0.002)
    later = [time_ordered_id() for _ in range(1000)]
    assert max(earlier) < min(later)
    assert len(set(earlier + later)) == 2000
    random_bits = {uuid.UUID(hex=v).int & ((1 << 62) - 1) for v in earlier}
    assert len(random_bits) == 1000  # ids of the same millisecond differ in their random part
