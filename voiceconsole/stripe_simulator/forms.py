"""Stripe's form encoding, decoded: `a[b][0][c]=v` pairs into nested dicts and lists.

The SDK form-encodes every request (POST bodies and GET query strings alike): nested objects as
`metadata[org_id]=7`, arrays with explicit indexes `line_items[0][price]=price_x` (`expand[]=x` from
other clients too). Every value stays a string, as on the wire; handlers convert what they need.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qsl

_KEY_PART = re.compile(r"\[([^\]]*)\]")


def decode(body: bytes | str) -> dict[str, Any]:
    """The nested parameters of a form-encoded body or query string."""
    text = body.decode() if isinstance(body, bytes) else body
    return decode_pairs(parse_qsl(text, keep_blank_values=True))


def decode_pairs(pairs: Iterable[tuple[str, str]]) -> dict[str, Any]:
    root: dict[str, Any] = {}
    for key, value in pairs:
        head, _, rest = key.partition("[")
        path = [head, *_KEY_PART.findall("[" + rest)] if rest else [head]
        node = root
        for i, part in enumerate(path):
            last = i == len(path) - 1
            if part == "":  # `x[]`: append (with no index, each pair is a new element)
                part = str(sum(1 for k in node if k.isdigit()))
            if last:
                node[part] = value
            else:
                node = node.setdefault(part, {})
    return _listify(root)


def _listify(node: Any) -> Any:
    """Dicts keyed 0..n-1 become lists: the SDK's indexed arrays."""
    if not isinstance(node, dict):
        return node
    items = {k: _listify(v) for k, v in node.items()}
    if items and all(k.isdigit() for k in items):
        return [items[k] for k in sorted(items, key=int)]
    return items


def as_bool(value: Any) -> bool | None:
    if value is None or value == "":
        return None
    return str(value).lower() == "true"


def as_list(value: Any) -> list[Any]:
    """A list parameter, whether sent as `x[0]=a` (a list) or a single `x=a`."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]
