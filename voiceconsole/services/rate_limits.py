"""Per-key rate limits by plan, counted in Redis with the `limits` library (moving windows)."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from functools import lru_cache

from limits import RateLimitItem, parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from voiceconsole.settings import get_settings

# plan → (per-minute, per-second burst)
PLAN_LIMITS: dict[str, tuple[RateLimitItem, RateLimitItem]] = {
    "free": (parse("60/minute"), parse("10/second")),
    "pro": (parse("300/minute"), parse("30/second")),
    "agency": (parse("1000/minute"), parse("100/second")),
}


def _storage_uri(redis_url: str) -> str:
    if redis_url.startswith("unix://"):
        return "redis+unix://" + redis_url[len("unix://"):]
    return redis_url


@lru_cache(maxsize=1)
def get_limiter() -> MovingWindowRateLimiter:
    return MovingWindowRateLimiter(storage_from_string(_storage_uri(get_settings().redis_url)))


@dataclass
class RateDecision:
    allowed: bool
    headers: dict[str, str]


def check(identity: str, plan: str) -> RateDecision:
    """Count one request for `identity`; the burst limit is checked first, then the minute."""
    per_minute, per_second = PLAN_LIMITS.get(plan, PLAN_LIMITS["free"])
    limiter = get_limiter()
    second_ok = limiter.hit(per_second, "api", identity)
    minute_ok = second_ok and limiter.hit(per_minute, "api", identity)
    stats = limiter.get_window_stats(per_minute, "api", identity)
    headers = {
        "X-RateLimit-Limit": str(per_minute.amount),
        "X-RateLimit-Remaining": str(max(0, stats.remaining)),
        "X-RateLimit-Reset": str(math.ceil(stats.reset_time)),
    }
    if not minute_ok:
        blocking = per_second if not second_ok else per_minute
        reset = limiter.get_window_stats(blocking, "api", identity).reset_time
        headers["Retry-After"] = str(max(1, math.ceil(reset - time.time())))
    return RateDecision(allowed=minute_ok, headers=headers)
