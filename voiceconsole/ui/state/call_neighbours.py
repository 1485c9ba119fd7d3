"""Previous/next on a call page, and the way back to the list it belongs to.

The list is the one in the call's URL query (the calls list's own encoding: `/calls/cl_…?agentId=…&sortBy=…`,
which the agent and client pages' links and previous/next carry). A call opened from this tab's calls list
(whose rows link to the bare call) walks that list: the tab's list state says which, and survives a reload.
Otherwise: every call of the organization by start time, newest first.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from voiceconsole.services.calls import SORT_COLUMNS, call_neighbours
from voiceconsole.services.errors import DomainError
from voiceconsole.ui import format as fmt
from voiceconsole.ui import links
from voiceconsole.ui.state.auth import AuthState, OrgScope
from voiceconsole.ui.state.calls import (
    DEFAULT_FILTERS,
    URL_FILTERS,
    CallsState,
    filters_from,
    filters_from_url,
    view_query,
)

LIST_PARAMS = (*URL_FILTERS, "sortBy", "sortOrder")


def neighbour_hint(neighbour: dict[str, Any] | None, tz: str) -> str:
    if not neighbour:
        return ""
    when = fmt.datetime_label(neighbour.get("startedAt"), tz, short=True)
    return f"{when} · {neighbour['agentName']}" if neighbour.get("agentName") else when


class CallNeighboursState(AuthState):
    previous_href: str = ""
    next_href: str = ""
    previous_hint: str = ""
    next_hint: str = ""
    list_href: str = "/calls"
    in_list: bool = False  # stepping through a filtered or sorted list, not the organization's calls by time

    async def _list_of(self, call_id: str) -> tuple[dict[str, str], str, str]:
        """(filters, sort_by, sort_order): the list this call is stepped through."""
        query = self.router.url.query_parameters
        if any(query.get(p) for p in LIST_PARAMS):
            sort_by = query.get("sortBy") or "startedAt"
            return (
                filters_from_url(dict(query)),
                sort_by if sort_by in SORT_COLUMNS else "startedAt",
                "asc" if query.get("sortOrder") == "asc" else "desc",
            )
        calls = await self.get_state(CallsState)
        if any(row.get("id") == call_id for row in calls.rows):
            return dict(calls.filters), calls.sort_by, calls.sort_order
        return dict(DEFAULT_FILTERS), "startedAt", "desc"

    @rx.event
    async def load(self):
        """on_load of the call page (after the call itself)."""
        self.previous_href = self.next_href = self.previous_hint = self.next_hint = ""
        call_id = links.last_segment(self.router.url.path)
        filters, sort_by, sort_order = await self._list_of(call_id)
        list_query = view_query(filters, sort_by, sort_order, 1)
        self.list_href = "/calls" + (f"?{list_query}" if list_query else "")
        self.in_list = list_query != ""

        def read(scope: OrgScope) -> dict[str, Any]:
            return call_neighbours(
                scope.session,
                org=scope.org,
                call_id=call_id,
                filters=filters_from(filters, self.timezone),
                sort_by=sort_by,
                sort_order=sort_order,
                actor=scope.actor,
            ).wire()

        def show(found: dict[str, Any]) -> None:
            before, after = found.get("previous"), found.get("next")
            self.previous_href = links.call_href(before["id"], list_query) if before else ""
            self.next_href = links.call_href(after["id"], list_query) if after else ""
            self.previous_hint = neighbour_hint(before, self.timezone)
            self.next_hint = neighbour_hint(after, self.timezone)

        # An unknown or foreign call: the call page shows its not-found state, with nothing to step to.
        return self._org_action(read, failed=lambda _: None, catch=DomainError, done=show)
