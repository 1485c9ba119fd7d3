"""/campaigns/<id>: one campaign live; read again every few seconds while it may still change."""

import reflex as rx

from voiceconsole.ui.components.feedback import empty_state, error_callout
from voiceconsole.ui.components.layout import app_shell
from voiceconsole.ui.components.page_header import page_header
from voiceconsole.ui.state.campaign_detail import CampaignDetailState as D
from voiceconsole.ui.views.campaign_attempts import attempts_table
from voiceconsole.ui.views.campaign_charts import campaign_charts
from voiceconsole.ui.views.campaign_detail import actions, cancel_dialog, kpi_tiles, summary

POLL_MS = 3000


def campaign_detail_page() -> rx.Component:
    return app_shell(
        "campaigns",
        rx.cond(
            D.not_found,
            empty_state(
                "megaphone", "Campaign not found", "It may have been deleted, or belong to another organization."
            ),
            rx.fragment(
                page_header(
                    D.campaign["name"],
                    None,
                    actions(),
                    crumbs=[("Campaigns", "/campaigns"), (D.campaign["name"], None)],
                ),
                error_callout(D.error, margin_bottom="16px"),
                rx.cond(
                    D.campaign.contains("id"),
                    rx.fragment(summary(), kpi_tiles(), campaign_charts(), attempts_table()),
                ),
                cancel_dialog(),
                rx.cond(D.is_live, rx.moment(interval=POLL_MS, on_change=D.refresh, display="none")),
            ),
        ),
    )
