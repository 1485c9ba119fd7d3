"""The Reflex app: UI pages, with the REST API mounted under /api."""

import reflex as rx
from starlette.types import ASGIApp

from voiceconsole.api.main import api
from voiceconsole.api.security_headers import SecurityHeaders
from voiceconsole.ui.pages import TITLE, register_pages
from voiceconsole.ui.pages.billing import billing_page
from voiceconsole.ui.pages.campaign_detail import campaign_detail_page
from voiceconsole.ui.pages.campaign_form import campaign_form_page
from voiceconsole.ui.pages.campaigns import campaigns_page
from voiceconsole.ui.pages.dnc import dnc_page
from voiceconsole.ui.pages.lead_detail import lead_detail_page
from voiceconsole.ui.pages.lead_import import lead_import_page
from voiceconsole.ui.pages.leads import leads_page
from voiceconsole.ui.state.auth import AuthState
from voiceconsole.ui.state.billing import BillingState
from voiceconsole.ui.state.campaign_detail import CampaignDetailState
from voiceconsole.ui.state.campaign_form import CampaignFormState
from voiceconsole.ui.state.campaigns import CampaignsState
from voiceconsole.ui.state.dnc import DncState
from voiceconsole.ui.state.lead_detail import LeadDetailState
from voiceconsole.ui.state.lead_import import LeadImportState
from voiceconsole.ui.state.leads import LeadsState


def _mount_api(reflex_app: ASGIApp) -> ASGIApp:
    """The API first, Reflex's routes (pages, /_event, /ping) as the fallback: what `api_transformer=api`
    does, minus the extra CORS middleware Reflex adds to an app passed that way."""
    api.mount("", reflex_app)
    return api


class _App(rx.App):
    def __call__(self) -> ASGIApp:
        # Outside Reflex's own CORS middleware, so CORS and `Vary` are settled once, for pages and API alike
        # (api/security_headers.py); an api_transformer only ever runs inside it.
        return SecurityHeaders(super().__call__())


app = _App(
    api_transformer=_mount_api,
    stylesheets=["/styles.css"],
    # assets/favicon.svg for browsers that take SVG icons, assets/favicon.ico (what others ask for) otherwise.
    head_components=[
        rx.el.link(rel="icon", href="/favicon.svg", type="image/svg+xml"),
        rx.el.link(rel="icon", href="/favicon.ico", sizes="32x32"),
    ],
)
register_pages(app)
# Billing (issue 18): owners manage, admins read; members and client viewers are told they cannot see it.
app.add_page(
    billing_page,
    route="/billing",
    title=TITLE.format("Billing"),
    on_load=[AuthState.require_login, BillingState.load],
)
# Leads, their imports and the do-not-call list (issue 20).
# The staff's (client viewers are sent to their portal; the services refuse them anyway).
app.add_page(
    leads_page, route="/leads", title=TITLE.format("Leads"), on_load=[AuthState.require_staff, LeadsState.load]
)
# Before the lead's own route, so /leads/import is never read as a lead id.
app.add_page(
    lead_import_page,
    route="/leads/import",
    title=TITLE.format("Import leads"),
    on_load=[AuthState.require_staff, LeadImportState.load],
)
app.add_page(
    lead_detail_page,
    route="/leads/[lead_id]",
    title=LeadDetailState.doc_title,
    on_load=[AuthState.require_staff, LeadDetailState.load],
)
app.add_page(
    dnc_page, route="/dnc", title=TITLE.format("Do-not-call"), on_load=[AuthState.require_staff, DncState.load]
)

# Campaigns (issue 20).
# The staff follows campaigns (client viewers are sent to their portal); owners and admins run them.
app.add_page(
    campaigns_page,
    route="/campaigns",
    title=TITLE.format("Campaigns"),
    on_load=[AuthState.require_staff, CampaignsState.load],
)
app.add_page(
    campaign_form_page,
    route="/campaigns/new",
    title=TITLE.format("New campaign"),
    on_load=[AuthState.require_staff, CampaignFormState.load],
)
app.add_page(
    campaign_form_page,
    route="/campaigns/[campaign_id]/edit",
    title=TITLE.format("Edit campaign"),
    on_load=[AuthState.require_staff, CampaignFormState.load],
)
app.add_page(
    campaign_detail_page,
    route="/campaigns/[campaign_id]",
    title=CampaignDetailState.doc_title,
    on_load=[AuthState.require_staff, CampaignDetailState.load],
)
