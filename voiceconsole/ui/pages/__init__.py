"""Routes. Each page module exposes one page function; protected pages run AuthState.require_login first."""

import reflex as rx

from voiceconsole.ui.pages import (
    agent_builder,
    agent_detail,
    agents,
    api_keys,
    audit_log,
    branding,
    call_detail,
    calls,
    client_detail,
    clients,
    dashboard,
    index,
    integrations,
    login,
    report,
    scoring_settings,
    security,
    team,
)
from voiceconsole.ui.state.agent_detail import AgentDetailState
from voiceconsole.ui.state.agent_thresholds import AgentThresholdState
from voiceconsole.ui.state.agents import AgentsState
from voiceconsole.ui.state.api_keys import ApiKeysState
from voiceconsole.ui.state.audit_log import AuditLogState
from voiceconsole.ui.state.auth import AuthState
from voiceconsole.ui.state.branding import BrandingState
from voiceconsole.ui.state.builder import BuilderState
from voiceconsole.ui.state.call_detail import CallDetailState
from voiceconsole.ui.state.call_neighbours import CallNeighboursState
from voiceconsole.ui.state.calls import CallsState
from voiceconsole.ui.state.client_detail import ClientDetailState
from voiceconsole.ui.state.client_portal import ClientPortalState
from voiceconsole.ui.state.clients import ClientsState
from voiceconsole.ui.state.dashboard import DashboardState
from voiceconsole.ui.state.integrations import IntegrationsState
from voiceconsole.ui.state.login import LoginState
from voiceconsole.ui.state.notification_channels import NotificationChannelsState
from voiceconsole.ui.state.report import ReportState
from voiceconsole.ui.state.scoring_settings import ScoringSettingsState
from voiceconsole.ui.state.security import SecurityState
from voiceconsole.ui.state.team import TeamState

TITLE = "{} · VoiceConsole"


def register_pages(app: rx.App) -> None:
    app.add_page(index.index_page, route="/", title="VoiceConsole", on_load=AuthState.go_home)
    app.add_page(login.login_page, route="/login", title=TITLE.format("Sign in"), on_load=LoginState.on_load)
    app.add_page(
        dashboard.dashboard_page,
        route="/dashboard",
        title=TITLE.format("Dashboard"),
        on_load=[AuthState.require_login, DashboardState.load],
    )
    app.add_page(
        clients.clients_page,
        route="/clients",
        title=TITLE.format("Clients"),
        on_load=[AuthState.require_staff, ClientsState.load],
    )
    app.add_page(
        client_detail.client_detail_page,
        route="/clients/[client_id]",
        title=ClientDetailState.doc_title,
        on_load=[AuthState.require_staff, ClientDetailState.load, ClientPortalState.load],
    )
    app.add_page(
        calls.calls_page,
        route="/calls",
        title=TITLE.format("Calls"),
        on_load=[AuthState.require_login, CallsState.load],
    )
    app.add_page(
        call_detail.call_detail_page,
        route="/calls/[call_id]",
        title=TITLE.format("Call"),
        on_load=[AuthState.require_login, CallDetailState.load, CallNeighboursState.load],
    )
    app.add_page(
        agents.agents_page,
        route="/agents",
        title=TITLE.format("Agents"),
        on_load=[AuthState.require_login, AgentsState.load],
    )
    app.add_page(
        agent_detail.agent_detail_page,
        route="/agents/[agent_id]",
        title=AgentDetailState.doc_title,
        on_load=[AuthState.require_login, AgentDetailState.load, AgentDetailState.load_versions],
    )
    # The Agent Builder (issue 19): members read, owners and admins edit, deploy and roll back.
    app.add_page(
        agent_builder.agent_builder_page,
        route="/agents/[agent_id]/builder",
        title=BuilderState.doc_title,
        on_load=[AuthState.require_staff, BuilderState.load],
    )
    app.add_page(
        api_keys.api_keys_page,
        route="/settings/api-keys",
        title=TITLE.format("API keys"),
        on_load=[AuthState.require_staff, ApiKeysState.load],
    )
    app.add_page(
        integrations.integrations_page,
        route="/settings/integrations",
        title=TITLE.format("Integrations"),
        on_load=[AuthState.require_staff, IntegrationsState.load, NotificationChannelsState.load_channels],
    )

    app.add_page(
        scoring_settings.scoring_settings_page,
        route="/settings/scoring",
        title=TITLE.format("Scoring"),
        on_load=[AuthState.require_staff, ScoringSettingsState.load, AgentThresholdState.load],
    )
    app.add_page(
        report.report_page,
        route="/report",
        title=TITLE.format("Weekly report"),
        on_load=[AuthState.require_login, ReportState.load],
    )
    app.add_page(
        branding.branding_page,
        route="/settings/branding",
        title=TITLE.format("Branding"),
        on_load=[AuthState.require_staff, BrandingState.load],
    )
    # Sign-in (issue 17): your own sessions (everyone, client viewers too) and the audit log (owners, admins).
    app.add_page(
        security.security_page,
        route="/settings/security",
        title=TITLE.format("Security"),
        on_load=[AuthState.require_login, SecurityState.load],
    )
    app.add_page(
        audit_log.audit_log_page,
        route="/settings/audit-log",
        title=TITLE.format("Audit log"),
        on_load=[AuthState.require_staff, AuditLogState.load],
    )
    # Team (issue 17): members, roles, invitations; members read-only, client viewers never.
    app.add_page(
        team.team_page,
        route="/settings/team",
        title=TITLE.format("Team"),
        on_load=[AuthState.require_staff, TeamState.load],
    )
