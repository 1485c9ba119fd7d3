"""/campaigns: every campaign of the organization, newest first, with its progress and results; filter by status.
The staff reads (services/campaigns: campaigns.read); owners and admins create them."""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx

from voiceconsole.models.campaign_runs import CAMPAIGN_STATUSES
from voiceconsole.schemas.campaigns import CampaignOut
from voiceconsole.services.campaigns import campaigns, stats
from voiceconsole.services.clients.manage import list_clients
from voiceconsole.services.errors import DomainError
from voiceconsole.ui import format as fmt
from voiceconsole.ui.state.auth import AuthState, OrgScope

ALL = "all"
PER_PAGE = 50
STATUS_LABELS = {s: fmt.label(s) for s in CAMPAIGN_STATUSES}


@dataclass
class CampaignRow:
    id: str = ""
    href: str = ""
    name: str = ""
    client: str = ""
    agent: str = ""
    status: str = ""
    settled: int = 0  # leads done (reached, exhausted or on the do-not-call list)
    leads: int = 0
    progress_pct: int = 0  # 0–100, for the bar
    progress_text: str = ""  # "12 / 40"
    connected: str = ""  # "62.5%"
    conversions: str = ""
    created: str = ""


def settled_of(out: CampaignOut) -> tuple[int, int]:
    """(leads settled, leads) of a started campaign; (0, 0) for a draft (its leads are not frozen yet)."""
    p = out.progress
    if p is None:
        return 0, 0
    return p.done + p.skipped_dnc + p.exhausted, p.leads


def campaign_row(out: CampaignOut, figures: stats.ListFigures | None, clients: dict[str, str], tz: str) -> CampaignRow:
    settled, leads = settled_of(out)
    connected = figures.connected_pct if figures is not None else None
    return CampaignRow(
        id=out.id,
        href=f"/campaigns/{out.id}",
        name=out.name,
        client=clients.get(out.client_id or "", fmt.DASH),
        agent=out.agent_name or out.agent_id,
        status=out.status,
        settled=settled,
        leads=leads,
        progress_pct=round(100 * settled / leads) if leads else 0,
        progress_text=f"{fmt.count(settled)} / {fmt.count(leads)}" if out.progress is not None else "Not started",
        connected=fmt.DASH if connected is None else f"{connected:.1f}%",
        conversions=fmt.count(out.progress.converted) if out.progress is not None else fmt.DASH,
        created=fmt.datetime_label(out.created_at, tz, short=True),
    )


class CampaignsState(AuthState):
    rows: list[CampaignRow] = []
    total: int = 0
    status_filter: str = ALL
    error: str = ""
    loaded: bool = False

    def _read(self, scope: OrgScope) -> None:
        status = None if self.status_filter == ALL else self.status_filter
        outs, self.total = campaigns.list_campaigns(
            scope.session, org=scope.org, actor=scope.actor, status=status, page=1, per_page=PER_PAGE
        )
        figures = stats.list_figures(
            scope.session, org=scope.org, actor=scope.actor, campaign_ids=[o.id for o in outs if o.progress]
        )
        clients = {c.id: c.name for c in list_clients(scope.session, org=scope.org, actor=scope.actor)}
        self.rows = [campaign_row(o, figures.get(o.id), clients, self.timezone) for o in outs]
        self.loaded = True

    def _failed(self, exc: DomainError) -> None:
        self.rows, self.total, self.error = [], 0, fmt.error_text(exc)

    @rx.event
    def load(self):
        self.error, self.loaded = "", False
        status = self.router.url.query_parameters.get("status", ALL)
        self.status_filter = status if status in CAMPAIGN_STATUSES else ALL
        return self._org_action(self._read, failed=self._failed)

    @rx.event
    def set_status_filter(self, value: str):
        self.status_filter = value if value in CAMPAIGN_STATUSES else ALL
        self.error = ""
        return self._org_action(self._read, failed=self._failed)
