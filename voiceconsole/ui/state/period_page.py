"""What the agent and client pages share: the period (in the URL as `?range=7d`), the KPI cards and
volume chart of the dashboard, the score by category, and call rows that open within their list."""

from __future__ import annotations

import json
from typing import Any

import reflex as rx

from voiceconsole.services import analytics
from voiceconsole.ui import format as fmt
from voiceconsole.ui import links
from voiceconsole.ui.state.calls import DEFAULT_FILTERS, call_row, view_query
from voiceconsole.ui.state.dashboard import DEFAULT_RANGE, chart_points, kpi_cards, trend_direction, trend_tone

# What each category of the score asks (DESIGN.md §7), under its bar.
CATEGORY_QUESTIONS = {
    "duration": "Long enough to be productive?",
    "sentiment": "How did the caller feel?",
    "outcome": "Was the objective achieved?",
    "engagement": "Natural back-and-forth?",
}


def category_rows(categories: list[dict[str, Any]]) -> list[dict[str, str]]:
    """The score-by-category card: each category's average as a bar, and its change in points."""
    rows = []
    for c in categories:
        avg, change = c["avgScore"], c["change"]
        rows.append(
            {
                "key": c["key"],
                "name": fmt.label(c["key"]),
                "question": CATEGORY_QUESTIONS.get(c["key"], ""),
                "score": fmt.avg_score(avg),
                "width": f"{max(0, min(100, round(avg)))}%" if avg is not None else "0%",
                "band": fmt.score_band(avg),
                "change": fmt.points_label(change),
                "direction": trend_direction(change),
                "tone": trend_tone(change, 1),
            }
        )
    return rows


def linked_call_rows(calls: list[dict[str, Any]], tz: str, list_query: str) -> list[dict[str, str]]:
    """Call rows whose links carry the list they belong to, so previous/next on the call walks that list."""
    rows = []
    for wire in calls:
        row = call_row(wire, tz)
        row["href"] = links.call_href(wire["id"], list_query)
        rows.append(row)
    return rows


def calls_query(filters: dict[str, str], *, worst: bool = False) -> str:
    """The calls list's URL query for these filters (DEFAULT_FILTERS keys): newest first, or worst first."""
    return view_query(
        {**DEFAULT_FILTERS, **filters}, "callScore" if worst else "startedAt", "asc" if worst else "desc", 1
    )


class PeriodPageMixin(rx.State, mixin=True):
    range_key: str = DEFAULT_RANGE
    period_label: str = ""
    kpis: list[dict[str, str]] = []
    points: list[dict[str, Any]] = []
    categories: list[dict[str, str]] = []
    total_calls: int = 0
    not_found: bool = False
    loading: bool = True

    def _route_id(self) -> str:
        return links.last_segment(self.router.url.path)

    def _range_from_url(self) -> str:
        wanted = self.router.url.query_parameters.get("range", DEFAULT_RANGE)
        return wanted if wanted in analytics.PRESET_DAYS else DEFAULT_RANGE

    def _clear_period(self) -> None:
        self.period_label = ""
        self.kpis, self.points, self.categories = [], [], []
        self.total_calls = 0
        self.not_found = False
        self.loading = True

    def _show_period(self, figures: dict[str, Any], categories: list[dict[str, Any]], period: dict[str, Any]) -> None:
        self.total_calls = figures["totalCalls"]
        self.kpis = kpi_cards(figures)
        self.points = chart_points(figures["series"])
        self.categories = category_rows(categories)
        start, end = fmt.parse_iso(period["from"]), fmt.parse_iso(period["to"])
        self.period_label = fmt.period_label(start, end) if start and end else ""

    def _missing(self, _exc: Exception) -> None:
        self.not_found = True
        self.loading = False

    def _fetch(self):
        raise NotImplementedError

    @rx.event
    def set_range(self, value: str | list[str]):
        if isinstance(value, list):  # the segmented control may report a list
            value = value[0] if value else ""
        if value not in analytics.PRESET_DAYS:
            return None
        self.range_key = value
        redirect = self._fetch()
        if redirect is not None:
            return redirect
        path = self.router.url.path + ("" if value == DEFAULT_RANGE else f"?range={value}")
        return rx.call_script(f"window.history.replaceState(window.history.state, '', {json.dumps(path)})")
