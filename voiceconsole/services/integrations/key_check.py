"""Asking a platform whether it accepts an API key, before the key is stored: when an account is connected
(`connections.create_integration`) and when its key is re-entered (`key_change.change_api_key`).

This is the one platform request the web process makes inside a request (DESIGN.md §2 otherwise queues
such work): a person waits to learn whether the key they pasted works, and a key the platform refuses must
never be stored as if it did. The whole check, name resolution and one retry included, ends within
`KEY_CHECK_DEADLINE_S`; callers make it with no database transaction or connection held. Nothing here
touches the database.
"""

from __future__ import annotations

import logging
import threading
from typing import Literal

from voiceconsole.platforms.base import PLATFORM_NAMES
from voiceconsole.platforms.connector import PlatformAuthError, PlatformError, RetryPolicy
from voiceconsole.platforms.registry import make_connector
from voiceconsole.services.errors import DomainError, ValidationFailed
from voiceconsole.services.net_guard import UnsafeTarget, check_base_url

log = logging.getLogger(__name__)

# Someone is waiting: the answer (or "could not be asked") comes within this many seconds, whatever the
# platform does (resolving its name, accepting the connection, answering slowly, dripping its answer).
KEY_CHECK_DEADLINE_S = 5.0
# One retry of a 429/5xx or a dropped connection, with short waits; the deadline caps the total.
KEY_CHECK_RETRY = RetryPolicy(
    retries=1, backoff_s=0.25, max_backoff_s=1.0, max_total_wait_s=1.0, timeout_s=4.0, connect_timeout_s=3.0
)
KEY_REFUSED_MESSAGE = (
    "{name} rejected this API key (HTTP {status}). Check that you copied all of it, or create a new key "
    "in the {name} dashboard."
)
Purpose = Literal["change", "connect"]
# The error's message, by what the key was for: nothing was stored either way.
_REFUSED = {
    "change": "{name} rejected the new API key; nothing was changed",
    "connect": "{name} rejected this API key; the integration was not added",
}
_UNREACHABLE = {
    "change": "{name} could not be reached to check the new API key; nothing was changed. Try again shortly.",
    "connect": ("{name} could not be reached to check the API key; the integration was not added. Try again shortly."),
}


class PlatformUnreachable(DomainError):
    """The platform could not be asked whether it accepts the key (unreachable, failing, too slow,
    answering something unexpected, or behind a base URL we refuse to call): nothing was stored. 503, as the
    API answers when anything it depends on is unavailable (with Retry-After, api/routes/integrations.py)."""

    status_code = 503


def _ask(platform: str, base_url: str | None, api_key: str, outcome: list[Exception | None]) -> None:
    """The check itself, run in a thread of its own so the caller can stop waiting at the deadline."""
    try:
        url = check_base_url(base_url) if base_url else None
        with make_connector(platform, api_key, url, retry=KEY_CHECK_RETRY) as connector:
            connector.check_key()
    except Exception as exc:  # noqa: BLE001 -- handed to the caller, which decides what it means
        outcome.append(exc)
    else:
        outcome.append(None)


def check_key_with_platform(platform: str, base_url: str | None, api_key: str, *, purpose: Purpose = "change") -> None:
    """Ask the platform whether it accepts `api_key` (no database involved), for at most
    `KEY_CHECK_DEADLINE_S` seconds. ValidationFailed naming `apiKey` when it refuses the key;
    PlatformUnreachable, with a `platform` or `baseUrl` detail saying why, when it cannot be asked.
    `purpose` words the error: a new key for a connected account, or the key of an account being connected."""
    name = PLATFORM_NAMES.get(platform, platform)
    unreachable = _UNREACHABLE[purpose].format(name=name)
    outcome: list[Exception | None] = []
    asking = threading.Thread(
        target=_ask, args=(platform, base_url, api_key, outcome), name=f"key-check-{platform}", daemon=True
    )
    asking.start()
    asking.join(KEY_CHECK_DEADLINE_S)
    if not outcome:
        # Left to end on its own (its timeouts are short); whatever it learns is not used.
        log.info("%s key check: no answer within %.0f s", name, KEY_CHECK_DEADLINE_S)
        raise PlatformUnreachable(
            unreachable,
            [{"field": "platform", "message": f"{name} did not answer within {KEY_CHECK_DEADLINE_S:.0f} seconds"}],
        )
    error = outcome[0]
    if error is None:
        return
    if isinstance(error, UnsafeTarget):
        raise PlatformUnreachable(
            unreachable, [{"field": "baseUrl", "message": f"The base URL is not allowed: {error}"}]
        ) from None
    if isinstance(error, PlatformAuthError):
        raise ValidationFailed(
            _REFUSED[purpose].format(name=name),
            [{"field": "apiKey", "message": KEY_REFUSED_MESSAGE.format(name=name, status=error.status_code or 401)}],
        ) from None
    if isinstance(error, PlatformError):  # messages never hold the key (platforms/connector.py)
        raise PlatformUnreachable(unreachable, [{"field": "platform", "message": error.message}]) from None
    raise error
