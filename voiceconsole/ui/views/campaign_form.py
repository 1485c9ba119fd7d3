"""The campaign form, part one: who calls (name, client, agent, caller number), whom (the audience) and when
(start and end); part two (the calling window, retries, voicemail, variables, success) is in
campaign_form_calling.py. Save sits at the bottom, with the form's own error above it."""

import reflex as rx

from voiceconsole.ui import styles
from voiceconsole.ui.components.feedback import error_callout
from voiceconsole.ui.state.campaign_fields import AUDIENCE_FILTER_STATUSES, NONE
from voiceconsole.ui.state.campaign_form import CampaignFormState as F
from voiceconsole.ui.views.campaign_form_calling import calling_section, results_section
from voiceconsole.ui.views.campaign_form_controls import labelled, section, select, text_input, two_columns


def _basics() -> rx.Component:
    return section(
        "Who calls",
        "An outbound agent on Retell or Vapi places the calls, from a number of that account.",
        two_columns(
            labelled("Name", "name", text_input("name", "name", F.name, placeholder="Spring renewals")),
            labelled(
                "Client",
                "clientId",
                select(
                    "clientId",
                    F.client_id,
                    lambda v: F.set_field("client_id", v),
                    [(NONE, "No client")],
                    "Client",
                    dynamic=(F.client_options, "id", "name"),
                ),
            ),
            labelled(
                "Outbound agent",
                "agentId",
                select(
                    "agentId",
                    F.agent_id,
                    lambda v: F.set_field("agent_id", v),
                    [],
                    "Outbound agent",
                    dynamic=(F.agent_options, "id", "name"),
                    placeholder="Choose a Retell or Vapi agent",
                ),
                rx.cond(F.agent_options.length() == 0, "No Retell or Vapi agent yet: connect an account first.", ""),
            ),
            labelled(
                "Caller number",
                "callerNumber",
                text_input("callerNumber", "caller_number", F.caller_number, placeholder="+14155550100"),
                F.caller_hint,
            ),
        ),
        testid="campaign-section-basics",
    )


def _audience() -> rx.Component:
    kind = F.audience_kind
    return section(
        "Whom it calls",
        "The leads are fixed when the campaign starts; leads added later are not called. Numbers on the "
        "do-not-call list are skipped, and checked again before every call.",
        rx.radio_group.root(
            rx.hstack(
                rx.radio_group.item("By tag", value="tag", data_testid="audience-tag"),
                rx.radio_group.item("By filter", value="filter", data_testid="audience-filter"),
                rx.radio_group.item("Chosen leads", value="leads", data_testid="audience-leads"),
                spacing="4",
                wrap="wrap",
            ),
            value=kind,
            on_change=lambda v: F.set_field("audience_kind", v),
            aria_label="Audience",
        ),
        rx.match(
            kind,
            (
                "leads",
                labelled(
                    "Lead ids",
                    "leadIds",
                    rx.text_area(
                        id="campaign-leadIds",
                        value=F.lead_ids,
                        on_change=lambda v: F.set_field("lead_ids", v),
                        placeholder="lead_…, one per line or separated by commas",
                        rows="4",
                        width="100%",
                        data_testid="campaign-leadIds",
                    ),
                    error="audience",
                ),
            ),
            (
                "filter",
                rx.vstack(
                    two_columns(
                        labelled(
                            "Lead status",
                            "filterStatus",
                            select(
                                "filterStatus",
                                F.filter_status,
                                lambda v: F.set_field("filter_status", v),
                                [
                                    (NONE, "Any status"),
                                    *[(s, s.replace("_", " ").capitalize()) for s in AUDIENCE_FILTER_STATUSES],
                                ],
                                "Lead status",
                            ),
                            error="",
                        ),
                        labelled(
                            "Lead's client",
                            "filterClient",
                            select(
                                "filterClient",
                                F.filter_client,
                                lambda v: F.set_field("filter_client", v),
                                [(NONE, "Any client")],
                                "Lead's client",
                                dynamic=(F.client_options, "id", "name"),
                            ),
                            error="",
                        ),
                    ),
                    labelled(
                        "Tag (optional)", "tag", text_input("tag", "audience_tag", F.audience_tag), error="audience"
                    ),
                    width="100%",
                ),
            ),
            labelled(
                "Tag",
                "tag",
                text_input("tag", "audience_tag", F.audience_tag, placeholder="spring-2026"),
                "Every lead with this tag, whatever its client.",
                error="audience",
            ),
        ),
        testid="campaign-section-audience",
    )


def _dates() -> rx.Component:
    return section(
        "When",
        rx.text("Times are in your organization's time zone (", F.timezone, ")."),
        two_columns(
            labelled(
                "Start",
                "startsAt",
                text_input("startsAt", "starts_at", F.starts_at, type="datetime-local"),
                "Empty: as soon as it is started.",
            ),
            labelled(
                "End (optional)",
                "endsAt",
                text_input("endsAt", "ends_at", F.ends_at, type="datetime-local"),
                "Nothing is dialed after it; the campaign completes.",
            ),
        ),
        testid="campaign-section-dates",
    )


def campaign_form() -> rx.Component:
    # Not an rx.form: every control is bound to the state, which is what is saved (nothing is read from the DOM).
    return rx.vstack(
        _basics(),
        _audience(),
        _dates(),
        calling_section(),
        results_section(),
        error_callout(F.form_error, data_testid="campaign-form-error"),
        rx.hstack(
            rx.button(
                rx.cond(F.saving, rx.spinner(size="2"), rx.icon("save", size=15)),
                "Save draft",
                type="button",
                on_click=F.save,
                disabled=F.saving,
                data_testid="campaign-save",
            ),
            rx.link(
                rx.button("Cancel", variant="soft", color_scheme="gray", type="button"),
                href="/campaigns",
            ),
            rx.text("A draft dials nobody until it is started.", size="2", color=styles.MUTED_TEXT),
            spacing="3",
            align="center",
            wrap="wrap",
        ),
        spacing="4",
        width="100%",
    )
