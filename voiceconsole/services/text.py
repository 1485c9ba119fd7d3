"""Storable text: what the databases accept in text and JSON columns. PostgreSQL refuses the NUL
character (in text and in jsonb) and no database can store an unpaired surrogate (it has no UTF-8
encoding). Requests with such text are refused (a 422 naming the field); text a platform sends is cleaned
before it is stored, so one odd character never fails a whole sync page or webhook."""

from __future__ import annotations

from typing import Any

NUL = "\x00"


def text_problem(value: str) -> str | None:
    """Why `value` cannot be stored as text, or None."""
    if NUL in value:
        return "Must not contain NUL characters"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "Must be valid Unicode text (it holds an unpaired surrogate)"
    return None


def is_storable(value: Any) -> bool:
    """Whether every string in `value` (at any depth of lists and dicts) is storable as it is. Cheap for
    the usual case: ASCII text needs no encoding check."""
    if isinstance(value, str):
        if NUL in value:
            return False
        if value.isascii():
            return True
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return False
        return True
    if isinstance(value, list):
        return all(map(is_storable, value))
    if isinstance(value, dict):
        return all(map(is_storable, value)) and all(map(is_storable, value.values()))
    return True


def storable(value: Any) -> Any:
    """`value` with every string in it (at any depth of lists and dicts) made storable: NUL characters
    dropped, unpaired surrogates replaced by U+FFFD. Anything else is returned as it is."""
    if isinstance(value, str):
        if NUL in value:
            value = value.replace(NUL, "")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:  # through UTF-16, where a lone surrogate is one undecodable unit
            value = value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
        return value
    if isinstance(value, list):
        return [storable(item) for item in value]
    if isinstance(value, dict):
        return {storable(k): storable(v) for k, v in value.items()}
    return value
