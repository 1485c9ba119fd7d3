"""API keys: creating, listing and revoking them (`keys`), the per-process memory of verified keys with
the auth epoch that makes revocation immediate everywhere (`cache`), and the per-key rate limits by
plan (`rate_limits`)."""

from voiceconsole.services.api_keys.keys import (
    KEY_PREFIX,
    actor_for_key,
    authenticate_api_key,
    create_api_key,
    key_out,
    list_api_keys,
    looks_like_key,
    revoke_api_key,
    touch_last_used,
)

__all__ = [
    "KEY_PREFIX",
    "actor_for_key",
    "authenticate_api_key",
    "create_api_key",
    "key_out",
    "list_api_keys",
    "looks_like_key",
    "revoke_api_key",
    "touch_last_used",
]
