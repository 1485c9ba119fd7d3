"""Webhook tool header values are secrets (the agency's booking-system API key): stored encrypted
(services/security, Fernet), shown as a mask, decrypted only to deploy to the platform.

A spec sent back with the mask in a header keeps the value stored for that tool and header, so a form
that never saw the secret cannot erase it by saving."""

from __future__ import annotations

import copy
from typing import Any

from voiceconsole.services.security import decrypt, encrypt

MASK = "********"
_SEALED = "enc:"


def _headers(spec: dict[str, Any]) -> list[tuple[str, dict[str, str]]]:
    return [
        (str(tool.get("name")), tool["headers"])
        for tool in spec.get("tools", [])
        if tool.get("kind") == "webhook" and isinstance(tool.get("headers"), dict)
    ]


def seal(spec: dict[str, Any], previous: dict[str, Any] | None) -> dict[str, Any]:
    """The spec to store: header values encrypted; a masked value takes the previous version's."""
    sealed = copy.deepcopy(spec)
    before = {name: headers for name, headers in _headers(previous or {})}
    for name, headers in _headers(sealed):
        for key, value in list(headers.items()):
            if value == MASK:
                kept = before.get(name, {}).get(key)
                if kept is None:
                    del headers[key]  # nothing to keep: a mask is not a value
                else:
                    headers[key] = kept
            elif not value.startswith(_SEALED):
                headers[key] = _SEALED + encrypt(value)
    return sealed


def masked(stored: dict[str, Any]) -> dict[str, Any]:
    """What the API and the UI show."""
    shown = copy.deepcopy(stored)
    for _, headers in _headers(shown):
        for key in headers:
            headers[key] = MASK
    return shown


def opened(stored: dict[str, Any]) -> dict[str, Any]:
    """What the platform gets."""
    plain = copy.deepcopy(stored)
    for _, headers in _headers(plain):
        for key, value in headers.items():
            if value.startswith(_SEALED):
                headers[key] = decrypt(value[len(_SEALED) :])
    return plain
