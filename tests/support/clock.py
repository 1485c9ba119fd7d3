"""Compare two responses of a period endpoint whose window ends at "now".

`meta.to` (and `previousFrom`, which is derived from it) may tick a second between two requests; everything else must
match exactly.
"""

from __future__ import annotations

import copy
from datetime import datetime

CLOCK_FIELDS = ("to", "previousFrom")


def _clock(meta: dict) -> dict[str, datetime]:
    return {k: datetime.fromisoformat(meta.pop(k).replace("Z", "+00:00")) for k in CLOCK_FIELDS if k in meta}


def assert_same_apart_from_clock(first: dict, second: dict, *, slack_s: float = 5) -> None:
    first, second = copy.deepcopy(first), copy.deepcopy(second)
    clock_a, clock_b = _clock(first.get("meta", {})), _clock(second.get("meta", {}))
    assert clock_a.keys() == clock_b.keys()
    for field in clock_a:
        assert abs((clock_a[field] - clock_b[field]).total_seconds()) <= slack_s, field
    assert first == second
