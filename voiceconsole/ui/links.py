"""Where each thing's page lives: the one place the UI builds the URLs of agents, clients and calls."""

from __future__ import annotations

from urllib.parse import quote, unquote


def agent_href(agent_id: str | None) -> str:
    """The agent page of a platform agent id ('' without one). Platform ids are opaque: escape them."""
    return f"/agents/{quote(agent_id, safe='')}" if agent_id else ""


def client_href(client_id: str | None) -> str:
    return f"/clients/{quote(client_id, safe='')}" if client_id else ""


def call_href(call_id: str, list_query: str = "") -> str:
    """A call's page; `list_query` (the calls list's URL query) lets previous/next walk that list."""
    return f"/calls/{call_id}" + (f"?{list_query}" if list_query else "")


def last_segment(path: str) -> str:
    """The id at the end of a detail page's path (/agents/<id>), unescaped."""
    return unquote(path.rstrip("/").rsplit("/", 1)[-1])
