"""Helpers for tests/platforms/test_vendor_payloads*.py: load a hand-written platform payload with the
platform's official SDK model (so a misspelt or misplaced field fails the test), and check that a
record re-derives from its raw payload.

The SDK models accept unknown keys (extra="allow"), so loading alone would let a typo through;
`unknown_keys` walks the loaded model and lists every key that no model field claimed.
"""

from __future__ import annotations

import json
from typing import Any

import pydantic
from elevenlabs.core.pydantic_utilities import parse_obj_as as elevenlabs_parse
from vapi.core.pydantic_utilities import parse_obj_as as vapi_parse

from voiceconsole.platforms.base import CallRecord
from voiceconsole.platforms.connector import Connector


def unknown_keys(value: Any, path: str = "$") -> list[str]:
    """Paths of every key, at any depth, that the SDK model did not know."""
    if isinstance(value, pydantic.BaseModel):
        found = [f"{path}.{key}" for key in (value.model_extra or {})]
        for name in type(value).model_fields:
            found += unknown_keys(getattr(value, name), f"{path}.{name}")
        return found
    if isinstance(value, list | tuple):
        return [key for i, item in enumerate(value) for key in unknown_keys(item, f"{path}[{i}]")]
    if isinstance(value, dict):
        return [key for k, item in value.items() for key in unknown_keys(item, f"{path}.{k}")]
    return []


def _checked(model: Any, allowed: tuple[str, ...]) -> Any:
    unknown = [key for key in unknown_keys(model) if key not in allowed]
    assert not unknown, f"fields the SDK model does not know: {unknown}"
    return model


def retell_shape(model: type[pydantic.BaseModel], payload: dict[str, Any], allowed: tuple[str, ...] = ()) -> Any:
    """Validate with a retell-sdk (Stainless) model: JSON names are the field names. `allowed`: paths
    of keys known to be sent that the model does not (yet) list."""
    return _checked(model.model_validate(payload), allowed)


def vapi_shape(type_: Any, payload: dict[str, Any], allowed: tuple[str, ...] = ()) -> Any:
    """Validate with a vapi-server-sdk (Fern) type: camelCase JSON names are read through its aliases."""
    return _checked(vapi_parse(type_, payload), allowed)


def elevenlabs_shape(type_: Any, payload: dict[str, Any], allowed: tuple[str, ...] = ()) -> Any:
    """Validate with an elevenlabs (Fern) type."""
    return _checked(elevenlabs_parse(type_, payload), allowed)


def assert_remaps(connector: type[Connector], record: CallRecord) -> None:
    """`remap(raw_source, raw)` gives the record back, field for field, also from the stored JSON."""
    assert record.raw is not None
    assert connector.remap(record.raw_source, record.raw) == record
    stored = json.loads(json.dumps(record.raw, separators=(",", ":")))
    assert connector.remap(record.raw_source, stored) == record
