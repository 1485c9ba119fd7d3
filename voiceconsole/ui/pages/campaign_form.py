"""/campaigns/new and /campaigns/<id>/edit: a campaign draft as a form (owners and admins)."""

import reflex as rx

from voiceconsole.ui.components.feedback import loading_block
from voiceconsole.ui.components.layout import app_shell
from voiceconsole.ui.components.page_header import page_header
from voiceconsole.ui.state.campaign_form import CampaignFormState as F
from voiceconsole.ui.views.campaign_form import campaign_form


def campaign_form_page() -> rx.Component:
    return app_shell(
        "campaigns",
        page_header(F.page_title, crumbs=[("Campaigns", "/campaigns"), (F.page_title, None)]),
        rx.cond(
            F.loading,
            loading_block(),
            rx.cond(
                F.blocked != "",
                rx.callout(
                    F.blocked, icon="info", color_scheme="amber", variant="soft", data_testid="campaign-form-blocked"
                ),
                campaign_form(),
            ),
        ),
    )
