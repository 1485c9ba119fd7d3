"""Routes. Each page module exposes one page function; protected pages run AuthState.require_login first."""

import reflex as rx

from voiceconsole.ui.pages import (
    agents,
    api_keys,
    call_detail,
    calls,
    clients,
    dashboard,
    index,
    integrations,
    login,
    scoring_settings,
)
from voiceconsole.ui.state.agents import AgentsState
from voiceconsole.ui.state.api_keys import ApiKeysState
from voiceconsole.ui.state.auth import AuthState
from voiceconsole.ui.state.call_detail import CallDetailState
from voiceconsole.ui.state.calls import CallsState
from voiceconsole.ui.state.clients import ClientsState
from voiceconsole.ui.state.dashboard import DashboardState
from voiceconsole.ui.state.integrations import IntegrationsState
from voiceconsole.ui.state.login import LoginState
from voiceconsole.ui.state.notification_channels import NotificationChannelsState
from voiceconsole.ui.state.scoring_settings import ScoringSettingsState

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
        on_load=[AuthState.require_login, ClientsState.load],
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
        on_load=[AuthState.require_login, CallDetailState.load],
    )
    app.add_page(
        agents.agents_page,
        route="/agents",
        title=TITLE.format("Agents"),
        on_load=[AuthState.require_login, AgentsState.load],
    )
    app.add_page(
        api_keys.api_keys_page,
        route="/settings/api-keys",
        title=TITLE.format("API keys"),
        on_load=[AuthState.require_login, ApiKeysState.load],
    )
    app.add_page(
        integrations.integrations_page,
        route="/settings/integrations",
        title=TITLE.format("Integrations"),
        on_load=[AuthState.require_login, IntegrationsState.load, NotificationChannelsState.load_channels],
    )

    app.add_page(
        scoring_settings.scoring_settings_page,
        route="/settings/scoring",
        title=TITLE.format("Scoring"),
        on_load=[AuthState.require_login, ScoringSettingsState.load],
    )
