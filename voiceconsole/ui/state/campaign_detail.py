"""/campaigns/<id>: one campaign live: its progress, results (services/campaigns/stats.py), the lifecycle buttons
and its dial attempts. While it runs the page reads it again every few seconds (a hidden `rx.moment`), as the
integrations page does; an invalid transition (409) shows the service's message."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import reflex as rx

from voiceconsole.schemas.campaigns import CampaignOut, CampaignStats
from voiceconsole.services.campaigns import campaigns, stats
from voiceconsole.services.clients.manage import list_clients
from voiceconsole.services.errors import DomainError, NotFound
from voiceconsole.ui import format as fmt
from voiceconsole.ui import links
from voiceconsole.ui.state.auth import AuthState, OrgScope
from voiceconsole.ui.state.campaign_fields import window_words
from voiceconsole.ui.state.campaigns import settled_of
from voiceconsole.ui.state.confirmation import ConfirmationMixin

PER_PAGE = 25
LIVE = ("scheduled", "running", "paused")  # calls may still end while paused: keep reading
PERSON_PAUSE = "Paused by "  # services/campaigns/campaigns.py pause_campaign's reason; anything else is the system's
ACTIONS: dict[str, Callable[..., CampaignOut]] = {
    "start": campaigns.start_campaign,
    "pause": campaigns.pause_campaign,
    "resume": campaigns.resume_campaign,
    "cancel": campaigns.cancel_campaign,
}
DONE_TOASTS = {"start": "Campaign started", "pause": "Campaign paused", "resume": "Campaign resumed"}


@dataclass
class AttemptRow:
    id: str = ""
    lead: str = ""
    lead_href: str = ""
    n: int = 1
    state: str = ""  # the outcome once known, else the attempt's status
    state_label: str = ""
    converted: bool = False
    started: str = ""
    duration: str = ""
    score: str = ""
    band: str = "none"
    call_href: str = ""


def _pct(value: float | None) -> str:
    return fmt.DASH if value is None else f"{value:.1f}%"


def kpi_tiles(s: CampaignStats) -> list[dict[str, str]]:
    tiles = [
        ("leads", "Leads", fmt.count(s.leads), ""),
        ("dialed", "Dialed", fmt.count(s.dialed), "calls placed"),
        ("connected", "Connected", _pct(s.connected_pct), f"{fmt.count(s.connected)} answered"),
        ("voicemail", "Voicemail", _pct(s.voicemail_pct), "of known outcomes"),
        ("no_answer", "No answer", _pct(s.no_answer_pct), "of known outcomes"),
        ("conversions", "Conversions", fmt.count(s.conversions), f"{_pct(s.conversion_pct)} of leads"),
        ("score", "Average score", fmt.avg_score(s.average_score), "of scored calls"),
        ("cost", "Cost", fmt.usd(s.cost_usd), "platform cost"),
        ("cost_per_conversion", "Cost per conversion", fmt.usd(s.cost_per_conversion_usd), ""),
    ]
    return [{"key": k, "label": label, "value": v, "note": note} for k, label, v, note in tiles]


def funnel_points(s: CampaignStats) -> list[dict[str, str | int]]:
    names = (("leads", "Leads"), ("dialed", "Dialed"), ("connected", "Connected"), ("converted", "Converted"))
    return [{"stage": label, "value": int(s.funnel.get(key, 0))} for key, label in names]


def hour_points(s: CampaignStats, tz: str) -> list[dict[str, str | int]]:
    return [{"hour": fmt.datetime_label(h.hour, tz, short=True), "calls": h.calls} for h in s.calls_per_hour]


def attempt_row(a: stats.AttemptDetail, tz: str) -> AttemptRow:
    state = a.outcome or a.status
    return AttemptRow(
        id=a.id,
        lead=a.lead_name,
        lead_href=f"/leads/{a.lead_id}",
        n=a.n,
        state=state,
        state_label=fmt.label(state),
        converted=a.converted,
        started=fmt.datetime_label(a.started_at, tz, short=True),
        duration=fmt.mmss(a.duration_ms / 1000) if a.duration_ms is not None else fmt.DASH,
        score=fmt.score_text(a.score),
        band=fmt.score_band(a.score),
        call_href=links.call_href(a.call_id) if a.call_id else "",
    )


class CampaignDetailState(ConfirmationMixin, AuthState):
    campaign: dict[str, str] = {}  # id, name, status, client, agent, window, audience, created, started, reason
    not_found: bool = False
    error: str = ""
    action_error: str = ""  # the last button's refusal (409)
    settled: int = 0
    leads: int = 0
    progress_pct: int = 0
    kpis: list[dict[str, str]] = []
    funnel: list[dict[str, str | int]] = []
    per_hour: list[dict[str, str | int]] = []
    attempts: list[AttemptRow] = []
    attempts_total: int = 0
    page: int = 1
    busy: str = ""  # the action being sent

    @rx.var
    def status(self) -> str:
        return self.campaign.get("status", "")

    @rx.var
    def is_live(self) -> bool:
        return self.campaign.get("status", "") in LIVE

    @rx.var
    def paused_by_system(self) -> bool:
        reason = self.campaign.get("reason", "")
        return self.campaign.get("status") == "paused" and bool(reason) and not reason.startswith(PERSON_PAUSE)

    @rx.var
    def has_next_page(self) -> bool:
        return self.page * PER_PAGE < self.attempts_total

    @rx.var
    def doc_title(self) -> str:
        return f"{self.campaign.get('name') or 'Campaign'} · VoiceConsole"

    def _id(self) -> str:
        return links.last_segment(self.router.url.path)

    def _show(self, out: CampaignOut, clients: dict[str, str]) -> None:
        tz = self.timezone
        audience = out.audience or {}
        who = {
            "tag": f"Leads tagged “{audience.get('tag', '')}”",
            "filter": "Leads matching a filter",
            "leads": f"{len(audience.get('leadIds') or [])} chosen leads",
        }.get(str(audience.get("kind")), fmt.DASH)
        self.campaign = {
            "id": out.id,
            "name": out.name,
            "status": out.status,
            "client": clients.get(out.client_id or "", ""),
            "agent": f"{out.agent_name or out.agent_id} · {fmt.PLATFORM_LABELS.get(out.platform, out.platform)}",
            "caller": out.caller_number,
            "window": window_words(out.window.days, out.window.start, out.window.end)[1],
            "audience": who,
            "created": fmt.datetime_label(out.created_at, tz),
            "started": fmt.datetime_label(out.started_at, tz) if out.started_at else "",
            "reason": out.paused_reason or "",
            "edit_href": f"/campaigns/{out.id}/edit",
        }
        self.settled, self.leads = settled_of(out)
        self.progress_pct = round(100 * self.settled / self.leads) if self.leads else 0

    def _read(self, scope: OrgScope) -> None:
        cid = self._id()
        out = campaigns.get_campaign(scope.session, org=scope.org, actor=scope.actor, campaign_id=cid)
        clients = {c.id: c.name for c in list_clients(scope.session, org=scope.org, actor=scope.actor)}
        self._show(out, clients)
        figures = stats.campaign_stats(scope.session, org=scope.org, actor=scope.actor, campaign_id=cid)
        self.kpis, self.funnel = kpi_tiles(figures), funnel_points(figures)
        self.per_hour = hour_points(figures, self.timezone)
        rows, self.attempts_total = stats.attempt_details(
            scope.session, org=scope.org, actor=scope.actor, campaign_id=cid, page=self.page, per_page=PER_PAGE
        )
        self.attempts = [attempt_row(a, self.timezone) for a in rows]

    def _failed(self, exc: DomainError) -> None:
        if isinstance(exc, NotFound):
            self.not_found = True
        else:
            self.error = fmt.error_text(exc)

    @rx.event
    def load(self):
        self.campaign, self.not_found, self.error, self.action_error, self.busy = {}, False, "", "", ""
        self.kpis, self.funnel, self.per_hour, self.attempts, self.page = [], [], [], [], 1
        self._clear_confirmation()
        return self._org_action(self._read, failed=self._failed)

    @rx.event
    def refresh(self):
        """The live poll: read again while the campaign may still change; quiet otherwise."""
        if not self.is_live or self.busy:
            return None
        return self._org_action(self._read, failed=self._failed)

    @rx.event
    def next_page(self):
        if self.has_next_page:
            self.page += 1
            return self._org_action(self._read, failed=self._failed)
        return None

    @rx.event
    def prev_page(self):
        if self.page > 1:
            self.page -= 1
            return self._org_action(self._read, failed=self._failed)
        return None

    def _act(self, action: str):
        cid = self.campaign.get("id", "")
        self.action_error, self.busy = "", action

        def work(scope: OrgScope) -> None:
            ACTIONS[action](scope.session, org=scope.org, actor=scope.actor, campaign_id=cid)
            self._read(scope)

        def failed(exc: DomainError):
            self.busy, self.action_error = "", fmt.error_text(exc)
            return rx.toast.error(self.action_error)

        def done(_: None):
            self.busy = ""
            return rx.toast.success(DONE_TOASTS.get(action, "Campaign cancelled"))

        return self._org_action(work, failed=failed, done=done)

    @rx.event
    def start(self):
        return self._act("start")

    @rx.event
    def pause(self):
        return self._act("pause")

    @rx.event
    def resume(self):
        return self._act("resume")

    @rx.event
    def ask_cancel(self):
        self._ask_confirmation("cancel", self.campaign.get("id", ""), self.campaign.get("name", ""))

    @rx.event
    def cancel(self):
        if self._take_confirmation("cancel") is None:
            return None
        return self._act("cancel")
