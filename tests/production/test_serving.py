"""A short version of bench/serving's overload run: 10× the sustainable rate against a real server process.

What must hold: no failures (no 5xx other than 503, no 504 timeouts, no transport errors), every
503 carries Retry-After, the admitted requests keep a bounded p99 and real throughput, and the
load level returns to NORMAL once the burst is over.
"""

from __future__ import annotations

import pytest
from bench.serving.run import overload

pytestmark = pytest.mark.slow


def test_ten_times_overload_sheds_cleanly_and_recovers() -> None:
    delay_s, max_in_flight, seconds, timeout_s = 0.5, 2, 8.0, 10.0
    result = overload(delay_s=delay_s, max_in_flight=max_in_flight, factor=10, seconds=seconds, timeout_s=timeout_s)
    statuses = result["statuses"]
    assert result["failures"] == 0, statuses
    assert set(statuses) <= {200, 503}, statuses
    assert result["shed_503"] > 0 and result["shed_with_retry_after"] == result["shed_503"]
    # Admitted work still flows: at least half of what the slots can do in quality mode.
    assert statuses.get(200, 0) >= 0.5 * seconds * max_in_flight / delay_s
    # The queue is bounded by extreme_queue_depth, so waits are too; the margin is for a busy 2-core CI box.
    assert result["max_ms"] < 0.8 * timeout_s * 1000
    assert result["recovered_to_normal_s"] is not None
    assert (result["level_after"], result["mode_after"]) == ("normal", "quality")
