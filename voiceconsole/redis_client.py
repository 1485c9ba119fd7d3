"""The one Redis connection of a process: RQ queues, locks, replay guards and small markers."""

from __future__ import annotations

from functools import lru_cache

import redis

from voiceconsole.settings import get_settings

CONNECT_TIMEOUT_S = 5


@lru_cache(maxsize=1)
def get_redis() -> redis.Redis:
    # RQ pickles payloads: this connection must NOT decode responses (values come back as bytes).
    # A Redis that does not answer fails after a few seconds (RQ's blocking reads need no read timeout).
    return redis.Redis.from_url(get_settings().redis_url, socket_connect_timeout=CONNECT_TIMEOUT_S)
