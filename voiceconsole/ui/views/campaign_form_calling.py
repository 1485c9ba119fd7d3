"""The campaign form, part two: the calling window (with what it means in plain words), pacing and retries,
voicemail, the lead fields passed to the agent as dynamic variables, and what counts as a conversion."""

import reflex as rx

from voiceconsole.ui import styles
from voiceconsole.ui.state.campaign_fields import (
    DAY_NAMES,
    LEAD_FIELD_LABELS,
    OUTCOME_LABELS,
    SUCCESS_CHOICES,
    TIMES,
)
from voiceconsole.ui.state.campaign_form import CampaignFormState as F
from voiceconsole.ui.views.campaign_form_controls import field_error, labelled, section, select, text_input

TIME_OPTIONS = [(t, t) for t in TIMES]


def _days() -> rx.Component:
    return rx.flex(
        *[
            rx.el.label(
                rx.checkbox(
                    checked=F.window_days.contains(i + 1),
                    on_change=lambda on, day=i + 1: F.toggle_day(day, on),
                    data_testid=f"window-day-{i + 1}",
                    aria_label=name,  # a Radix checkbox is a button: the label around it does not name it
                ),
                rx.text(name[:3], size="2", title=name),
                style={"display": "flex", "gap": "6px", "align_items": "center", "cursor": "pointer"},
            )
            for i, name in enumerate(DAY_NAMES)
        ],
        spacing="4",
        wrap="wrap",
        role="group",
        aria_label="Days of the week",
    )


def _window() -> rx.Component:
    return rx.vstack(
        rx.text("Calling window", size="2", weight="medium"),
        _days(),
        rx.hstack(
            rx.box(
                select("windowStart", F.window_start, lambda v: F.set_field("window_start", v), TIME_OPTIONS, "From"),
                width="120px",
            ),
            rx.text("to", size="2", color=styles.MUTED_TEXT),
            rx.box(
                select("windowEnd", F.window_end, lambda v: F.set_field("window_end", v), TIME_OPTIONS, "Until"),
                width="120px",
            ),
            align="center",
            spacing="2",
        ),
        rx.callout(
            F.window_text,
            icon=rx.cond(F.window_valid, "clock", "triangle-alert"),
            color_scheme=rx.cond(F.window_valid, "gray", "amber"),  # blue on its surface fails AA contrast
            variant="soft",
            size="1",
            width="100%",
            data_testid="window-words",
        ),
        field_error("window"),
        spacing="2",
        width="100%",
    )


def _number(text: str, key: str, field: str, value: rx.Var, hint: str) -> rx.Component:
    return labelled(text, key, text_input(key, field, value, inputmode="numeric"), hint)


def _retried() -> rx.Component:
    return rx.vstack(
        rx.text("Call again after", size="2", weight="medium"),
        rx.flex(
            *[
                rx.el.label(
                    rx.checkbox(
                        checked=F.retry_outcomes.contains(key),
                        on_change=lambda on, o=key: F.toggle_outcome(o, on),
                        data_testid=f"retry-{key}",
                        aria_label=f"Retry {label.lower()}",
                    ),
                    rx.text(label, size="2"),
                    style={"display": "flex", "gap": "6px", "align_items": "center", "cursor": "pointer"},
                )
                for key, label in OUTCOME_LABELS.items()
            ],
            spacing="4",
            wrap="wrap",
            role="group",
            aria_label="Outcomes that are called again",
        ),
        field_error("retryOutcomes"),
        spacing="2",
        width="100%",
    )


def calling_section() -> rx.Component:
    return section(
        "How it calls",
        None,
        _window(),
        rx.grid(
            _number("At most at once", "maxConcurrent", "max_concurrent", F.max_concurrent, "Calls in progress, 1–100"),
            _number("Attempts per lead", "maxAttempts", "max_attempts", F.max_attempts, "1–10"),
            _number(
                "Minutes between attempts",
                "retryDelayMinutes",
                "retry_delay_minutes",
                F.retry_delay_minutes,
                "Waited after a retried outcome",
            ),
            columns=rx.breakpoints(initial="1", sm="3"),
            spacing="4",
            width="100%",
        ),
        _retried(),
        rx.hstack(
            rx.switch(
                checked=F.leave_voicemail,
                on_change=F.set_leave_voicemail,
                data_testid="campaign-leaveVoicemail",
                aria_label="Leave a voicemail when one answers",
            ),
            rx.text("Leave a voicemail when one answers", size="2"),
            align="center",
            spacing="2",
        ),
        rx.cond(
            F.leave_voicemail,
            labelled(
                "Voicemail message (optional)",
                "voicemailMessage",
                rx.text_area(
                    id="campaign-voicemailMessage",
                    value=F.voicemail_message,
                    on_change=lambda v: F.set_field("voicemail_message", v),
                    placeholder="Empty: the agent's own voicemail message",
                    rows="2",
                    width="100%",
                    data_testid="campaign-voicemailMessage",
                ),
            ),
        ),
        testid="campaign-section-calling",
    )


def _variable(row: rx.Var, i: rx.Var) -> rx.Component:
    return rx.hstack(
        rx.input(
            value=row.name,
            on_change=lambda v: F.set_variable(i, "name", v),
            placeholder="variable, e.g. first_name",
            aria_label="Dynamic variable name",
            width="200px",
            data_testid="variable-name",
        ),
        rx.icon("arrow-left", size=14, color=styles.MUTED_TEXT, aria_hidden="true"),
        rx.select.root(
            rx.select.trigger(aria_label="Lead field", width="160px", data_testid="variable-source"),
            rx.select.content(*[rx.select.item(t, value=k) for k, t in LEAD_FIELD_LABELS.items()], position="popper"),
            value=row.source,
            on_change=lambda v: F.set_variable(i, "source", v),
            size="2",
        ),
        rx.cond(
            row.source == "custom",
            rx.input(
                value=row.custom,
                on_change=lambda v: F.set_variable(i, "custom", v),
                placeholder="custom field name",
                aria_label="Custom field name",
                width="160px",
                data_testid="variable-custom",
            ),
        ),
        rx.icon_button(
            rx.icon("x", size=14),
            type="button",
            variant="ghost",
            color_scheme="gray",
            on_click=F.remove_variable(i),
            aria_label="Remove variable",
        ),
        align="center",
        spacing="2",
        wrap="wrap",
        data_testid="variable-row",
    )


def results_section() -> rx.Component:
    return section(
        "What the agent knows, and what counts",
        "Lead fields become the agent's {{variables}} on each call.",
        rx.vstack(rx.foreach(F.variables, _variable), spacing="2", width="100%"),
        rx.button(
            rx.icon("plus", size=14),
            "Add variable",
            type="button",
            variant="soft",
            size="1",
            on_click=F.add_variable,
            data_testid="add-variable",
        ),
        field_error("variables"),
        labelled(
            "A lead converts when",
            "successRule",
            select(
                "successRule",
                F.success,
                lambda v: F.set_field("success", v),
                list(SUCCESS_CHOICES.items()),
                "Conversion",
            ),
        ),
        rx.cond(
            F.success == "field",
            labelled(
                "Post-call field",
                "successField",
                text_input("successField", "success_field", F.success_field, placeholder="e.g. appointment_booked"),
                "A field of the platform's post-call analysis being true.",
                error="",
            ),
        ),
        testid="campaign-section-results",
    )
