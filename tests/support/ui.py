"""Reflex states under pytest, without a browser: one state tree per "tab", and reading redirects."""

from __future__ import annotations

import reflex as rx
from reflex.istate.data import RouterData


def make_state(cls, *, token: str | None = None, path: str = "/calls", query: dict | None = None):
    """A fresh state tree (one browser tab) with the given cookie and URL; returns the `cls` substate."""
    root = rx.State()
    state = root.get_substate(cls.get_full_name().split(".")[1:])
    cookie = f"theme=dark; cp_session={token}" if token else ""
    state.router = RouterData.from_router_data(
        {
            "headers": {"cookie": cookie, "origin": "http://testserver"},
            "pathname": path,
            "asPath": path,
            "query": query or {},
        }
    )
    return state


def redirect_path(spec) -> str | None:
    """The target of an `rx.redirect(...)` event spec, or None if `spec` is not a redirect."""
    if spec is None or getattr(getattr(spec, "handler", None), "fn", None) is None:
        return None
    if spec.handler.fn.__qualname__ != "_redirect":
        return None
    return {k._js_expr: v._var_value for k, v in spec.args}["path"]
