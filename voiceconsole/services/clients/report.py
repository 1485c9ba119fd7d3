"""A client's weekly report (the client portal's printable page): the last 7 UTC days, today included,
against the 7 before: calls, success rate, average score, the score by category, the most frequent
reasons behind weak scores, and the best and worst calls."""

from __future__ import annotations

import re
from collections import Counter
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from voiceconsole.models import Call, Client, Organization
from voiceconsole.schemas.calls import CallSummary
from voiceconsole.schemas.report import ReportIssue, WeeklyReport
from voiceconsole.scoring.scorer import CATEGORIES
from voiceconsole.services import analytics
from voiceconsole.services.access.actor import Actor
from voiceconsole.services.access.visibility import redact, visibility
from voiceconsole.services.agents.profile import calls_of, worst_filters
from voiceconsole.services.analytics.categories import category_scores
from voiceconsole.services.calls import CallFilters, page_calls
from voiceconsole.services.clients.manage import get_client

REPORT_RANGE = "7d"
REPORT_CALLS = 3  # best and worst
TOP_ISSUES = 5
WEAK_CATEGORY = 60  # a category score below this ("Needs attention" or "Poor") counts its reasons
MAX_CALLS_READ = 5000  # breakdowns read for the issues: a week of one client's calls, bounded
_FIGURES = re.compile(r"\s*\([^)]*\)|\s*\d[\d.,:]*\s*(s|ms|seconds|minutes|%)?\b")


def issue_key(reason: str) -> str:
    """A reason without its figures, so that "Short call (12s)" and "Short call (9s)" count together."""
    return " ".join(_FIGURES.sub("", reason).split()).rstrip(" ,.;:") or reason


def top_issues(breakdowns: list[dict[str, Any]], limit: int = TOP_ISSUES) -> list[ReportIssue]:
    """The reasons given most often for category scores under WEAK_CATEGORY, each counted once per call."""
    counts: Counter[tuple[str, str]] = Counter()
    for breakdown in breakdowns:
        seen: set[tuple[str, str]] = set()
        for category in CATEGORIES:
            part = breakdown.get(category) if isinstance(breakdown, dict) else None
            if not isinstance(part, dict) or not isinstance(part.get("score"), int | float):
                continue
            if part["score"] >= WEAK_CATEGORY:
                continue
            for reason in part.get("reasons") or []:
                if isinstance(reason, str) and reason.strip():
                    seen.add((category, issue_key(reason)))
        counts.update(seen)
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return [ReportIssue(category=c, reason=r, calls=n) for (c, r), n in ranked[:limit]]


def weekly_report(
    session: Session,
    *,
    org: Organization,
    actor: Actor,
    client_id: str | None = None,
    now: datetime | None = None,
) -> WeeklyReport:
    """The report of `client_id` (public id), or of a client viewer's own client (their only choice), or of
    the whole agency for staff without a client. Another client, for a viewer, is NotFound."""
    if actor.client_id is not None and client_id is None:
        client_id = _viewer_client(session, org, actor)
    client = get_client(session, org=org, client_id=client_id, actor=actor) if client_id else None
    window = analytics.resolve_window(REPORT_RANGE, now=now)
    scope = analytics.resolve_scope(session, org=org, client_id=client_id, actor=actor)
    breakdowns = list(
        session.exec(
            select(col(Call.score_breakdown))
            .where(
                *scope.call_conds(),
                col(Call.started_at) >= window.start,
                col(Call.started_at) < window.end,
                col(Call.score).is_not(None),
                col(Call.score_excluded).is_(False),
            )
            .limit(MAX_CALLS_READ)
        )
    )
    report = WeeklyReport(
        client=client,
        figures=analytics.summary(session, org=org, window=window, scope=scope),
        categories=category_scores(session, scope=scope, window=window),
        top_issues=top_issues([b for b in breakdowns if b]),
        best_calls=_best(session, org, window, client_id, actor),
        worst_calls=calls_of(
            session,
            org=org,
            filters=worst_filters(window, client_id=client_id),
            worst=True,
            limit=REPORT_CALLS,
            actor=actor,
        ),
        period=analytics.window_meta(window),
    )
    return redact(report, visibility(session, actor))


def _viewer_client(session: Session, org: Organization, actor: Actor) -> str:
    public = session.exec(
        select(col(Client.public_id)).where(col(Client.organization_id) == org.id, col(Client.id) == actor.client_id)
    ).first()
    return public or "cli_none"  # a client that is gone: NotFound below


def _best(
    session: Session, org: Organization, window: analytics.Window, client_id: str | None, actor: Actor
) -> list[CallSummary]:
    filters: CallFilters = worst_filters(window, client_id=client_id)
    return page_calls(
        session,
        org=org,
        filters=filters,
        per_page=REPORT_CALLS,
        sort_by="callScore",
        sort_order="desc",
        actor=actor,
        exact_total_limit=REPORT_CALLS,
    ).rows
