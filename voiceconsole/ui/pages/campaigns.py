"""/campaigns: the organization's outbound campaigns, with a "New campaign" button for owners and admins."""

import reflex as rx

from voiceconsole.ui.components.feedback import error_callout
from voiceconsole.ui.components.layout import app_shell
from voiceconsole.ui.components.page_header import page_header
from voiceconsole.ui.state.campaigns import CampaignsState
from voiceconsole.ui.views.campaigns_table import campaigns_table, status_filter


def campaigns_page() -> rx.Component:
    return app_shell(
        "campaigns",
        page_header(
            "Campaigns",
            "Agents calling your leads, within each lead's own calling hours.",
            rx.cond(
                CampaignsState.can_manage,
                rx.link(
                    rx.button(rx.icon("plus", size=15), "New campaign", size="2"),
                    href="/campaigns/new",
                    data_testid="new-campaign",
                ),
            ),
        ),
        error_callout(CampaignsState.error, margin_bottom="16px"),
        status_filter(),
        campaigns_table(),
    )
