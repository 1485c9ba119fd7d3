"""The one Redis connection of a process: RQ queues, locks, replay guards and small markers."""

from __future__ import annotations

from functools import lru_cache

import redis

from voiceconsole.settings import get_settings


@lru_cache(maxsize=1)
def get_redis() -> redis.Redis:
    # RQ pickles payloads: this connection must NOT decode responses (values come back as bytes).
    return redis.Redis.from_url(get_settings().redis_url)
