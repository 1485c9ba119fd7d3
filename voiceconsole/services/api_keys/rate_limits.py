"""Per-key rate limits by plan, counted in Redis in the `limits` library's moving windows."""

from __future__ import annotations

import asyncio
import math
import time
import weakref
from dataclasses import dataclass
from functools import lru_cache

import redis.asyncio as aioredis
from limits import RateLimitItem, parse
from limits.storage import RedisStorage, storage_from_string
from limits.strategies import MovingWindowRateLimiter

from voiceconsole.redis_client import CONNECT_TIMEOUT_S
from voiceconsole.services.billing.plans import catalogue
from voiceconsole.settings import get_settings

# plan → (per-minute, per-second burst), from the plan catalogue
PLAN_LIMITS: dict[str, tuple[RateLimitItem, RateLimitItem]] = {
    slug: (parse(f"{plan.requests_per_minute}/minute"), parse(f"{plan.requests_per_second}/second"))
    for slug, plan in catalogue().items()
}


def _storage_uri(redis_url: str) -> str:
    if redis_url.startswith("unix://"):
        return "redis+unix://" + redis_url[len("unix://") :]
    return redis_url


@lru_cache(maxsize=1)
def get_limiter() -> MovingWindowRateLimiter:
    storage = storage_from_string(_storage_uri(get_settings().redis_url), socket_connect_timeout=CONNECT_TIMEOUT_S)
    return MovingWindowRateLimiter(storage)


@dataclass
class RateDecision:
    allowed: bool
    headers: dict[str, str]
    epoch: bytes | None = None  # the auth epoch (see api_key_cache), when asked for


# Both windows of one request in one Redis round trip (the `limits` calls below take three: hit, hit,
# window stats). Same keys, list layout and rules as `limits`' moving window (acquire_moving_window.lua and
# moving_window.lua): a list per window, newest timestamp first, at most `limit` entries, and an entry
# counts while it is younger than the window; the burst window is tried first and the minute window only
# counts requests the burst window let through. A third key, when given, is read and returned as it is
# (the auth epoch of api_key_cache: a remembered API key is still valid, in the same round trip).
_CHECK_LUA = """
local now = tonumber(ARGV[1])
local function acquire(key, limit, expiry)
  local entry = redis.call('lindex', key, limit - 1)
  if entry and tonumber(entry) >= now - expiry then
    return 0
  end
  redis.call('lpush', key, now)
  redis.call('ltrim', key, 0, limit - 1)
  redis.call('expire', key, expiry)
  return 1
end
local function window(key, limit, expiry)  -- oldest timestamp still in the window, and the count
  local target = now - expiry
  local low, high, found = 0, limit - 1, nil
  while low <= high do
    local mid = math.floor((low + high) / 2)
    local val = tonumber(redis.call('lindex', key, mid))
    if val and val >= target then
      found = mid
      low = mid + 1
    else
      high = mid - 1
    end
  end
  if found then
    return tostring(tonumber(redis.call('lindex', key, found))), found + 1
  end
  return '', 0
end
local s_limit, s_expiry = tonumber(ARGV[2]), tonumber(ARGV[3])
local m_limit, m_expiry = tonumber(ARGV[4]), tonumber(ARGV[5])
local second_ok = acquire(KEYS[1], s_limit, s_expiry)
local minute_ok = 0
if second_ok == 1 then
  minute_ok = acquire(KEYS[2], m_limit, m_expiry)
end
local m_oldest, m_count = window(KEYS[2], m_limit, m_expiry)
local s_oldest = ''
if second_ok == 0 then
  s_oldest = window(KEYS[1], s_limit, s_expiry)
end
local epoch = false
if KEYS[3] then
  epoch = redis.call('get', KEYS[3])
end
return {second_ok, minute_ok, m_oldest, m_count, s_oldest, epoch}
"""


@lru_cache(maxsize=1)
def _check_script():
    """The registered script (EVALSHA, loaded again by redis-py if Redis lost it), or None when the
    limiter's storage is not Redis (then `check` makes the library's three calls)."""
    storage = get_limiter().storage
    if not hasattr(storage, "prefixed_key") or not hasattr(storage, "get_connection"):
        return None
    return storage.get_connection().register_script(_CHECK_LUA)


def _reset(oldest: bytes | str, item: RateLimitItem, now: float) -> float:
    """When the window frees its next slot, as `limits`' get_window_stats computes it."""
    oldest = oldest.decode() if isinstance(oldest, bytes) else oldest
    return (float(oldest) if oldest else now) + item.get_expiry()


def _call(identity: str, plan: str, epoch_key: str | None) -> tuple[list, list, RateLimitItem, RateLimitItem, float]:
    per_minute, per_second = PLAN_LIMITS.get(plan, PLAN_LIMITS["free"])
    storage = get_limiter().storage
    if not isinstance(storage, RedisStorage):  # only called when _check_script found Redis storage
        raise TypeError("the rate limiter's storage is not Redis")
    now = time.time()
    keys = [
        storage.prefixed_key(per_second.key_for("api", identity)),
        storage.prefixed_key(per_minute.key_for("api", identity)),
    ]
    if epoch_key:
        keys.append(epoch_key)
    args = [now, per_second.amount, per_second.get_expiry(), per_minute.amount, per_minute.get_expiry()]
    return keys, args, per_minute, per_second, now


def _decide(result: list, per_minute: RateLimitItem, per_second: RateLimitItem, now: float) -> RateDecision:
    second_ok, minute_ok, m_oldest, m_count, s_oldest, *rest = result
    headers = {
        "X-RateLimit-Limit": str(per_minute.amount),
        "X-RateLimit-Remaining": str(max(0, per_minute.amount - int(m_count))),
        "X-RateLimit-Reset": str(math.ceil(_reset(m_oldest, per_minute, now))),
    }
    if not minute_ok:
        reset = _reset(s_oldest, per_second, now) if not second_ok else _reset(m_oldest, per_minute, now)
        headers["Retry-After"] = str(max(1, math.ceil(reset - time.time())))
    epoch = rest[0] if rest and rest[0] else None  # Lua false → None
    return RateDecision(allowed=bool(minute_ok), headers=headers, epoch=epoch)


def check(identity: str, plan: str, *, epoch_key: str | None = None) -> RateDecision:
    """Count one request for `identity`; the burst limit is checked first, then the minute.
    With `epoch_key`, also read that Redis key in the same round trip (`RateDecision.epoch`)."""
    script = _check_script()
    if script is None:
        per_minute, per_second = PLAN_LIMITS.get(plan, PLAN_LIMITS["free"])
        return _check_with_library(identity, per_minute, per_second)
    keys, args, per_minute, per_second, now = _call(identity, plan, epoch_key)
    return _decide(script(keys=keys, args=args), per_minute, per_second, now)


# redis.asyncio connections belong to the event loop that opened them: one client per loop.
_async_clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, object] = weakref.WeakKeyDictionary()


def _async_script():
    loop = asyncio.get_running_loop()
    script = _async_clients.get(loop)
    if script is None:
        url = get_settings().redis_url
        client = aioredis.Redis.from_url(url, socket_connect_timeout=CONNECT_TIMEOUT_S)
        script = client.register_script(_CHECK_LUA)
        _async_clients[loop] = script
    return script


async def check_async(identity: str, plan: str, *, epoch_key: str | None = None) -> RateDecision:
    """`check` without leaving the event loop (redis.asyncio): the same script, keys and answer."""
    if _check_script() is None:
        return await asyncio.to_thread(check, identity, plan, epoch_key=epoch_key)
    keys, args, per_minute, per_second, now = _call(identity, plan, epoch_key)
    return _decide(await _async_script()(keys=keys, args=args), per_minute, per_second, now)


def _check_with_library(identity: str, per_minute: RateLimitItem, per_second: RateLimitItem) -> RateDecision:
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
