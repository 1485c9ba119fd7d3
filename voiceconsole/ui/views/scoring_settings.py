"""Settings → Scoring: the weights form, AI mode and credits, and the per-client overrides."""

import reflex as rx

from voiceconsole.scoring.scorer import CATEGORIES
from voiceconsole.ui import styles
from voiceconsole.ui.components.feedback import empty_state, inline_error
from voiceconsole.ui.state.scoring_settings import ClientScoringState, ScoringSettingsState

# What each category judges, in the words of the scorer (DESIGN.md §7).
CATEGORY_TEXT = {
    "duration": ("Duration", "Long enough to be productive, without dragging on"),
    "sentiment": ("Sentiment", "How the caller felt, and how the call ended"),
    "outcome": ("Outcome", "Did the caller get what they called for?"),
    "engagement": ("Engagement", "Turn-taking, response times, interruptions, dead air"),
}
S = ScoringSettingsState
C = ClientScoringState


def _card_title(icon: str, title: str, *extra: rx.Component) -> rx.Component:
    return rx.hstack(
        rx.icon(icon, size=17, color=styles.MUTED_TEXT),
        rx.heading(title, size="3"),
        rx.spacer(),
        *extra,
        align="center",
        spacing="2",
        width="100%",
    )


def _number_input(
    value: rx.Var,
    on_change,
    label: str,
    testid: str,
    *,
    disabled=False,
    invalid=None,
    placeholder: str = "",
    width: str = "84px",
) -> rx.Component:
    return rx.input(
        value=value,
        on_change=on_change,
        type="number",
        min="0",
        max="100",
        step="1",
        input_mode="numeric",
        aria_label=label,
        placeholder=placeholder,
        disabled=disabled,
        size="2",
        width=width,
        color_scheme=rx.cond(invalid, "red", "gray") if invalid is not None else None,
        text_align="right",
        class_name="vc-num",
        data_testid=testid,
    )


def _weight_row(key: str) -> rx.Component:
    name, description = CATEGORY_TEXT[key]
    return rx.vstack(
        rx.hstack(
            rx.vstack(
                rx.text(name, size="2", weight="medium", as_="label"),
                rx.text(description, size="1", color=styles.MUTED_TEXT),
                spacing="0",
                min_width="0",
            ),
            rx.spacer(),
            _number_input(
                S.weights[key],
                lambda v: S.set_weight(key, v),
                f"{name} weight",
                f"weight-{key}",
                disabled=~S.can_manage,
                invalid=S.errors[f"weights.{key}"] != "",
            ),
            rx.text("%", size="2", color=styles.MUTED_TEXT),
            align="center",
            spacing="2",
            width="100%",
        ),
        inline_error(S.errors[f"weights.{key}"], data_testid=f"weight-{key}-error"),
        spacing="1",
        width="100%",
        padding_y="8px",
        border_bottom=styles.SUBTLE_BORDER,
    )


def _total(total: rx.Var, message: rx.Var, testid: str) -> rx.Component:
    ok = message == ""
    return rx.vstack(
        rx.hstack(
            rx.text("Total", size="2", weight="bold"),
            rx.spacer(),
            rx.hstack(
                rx.icon(rx.cond(ok, "circle-check", "circle-alert"), size=15),
                rx.text(total, " / 100", size="2", weight="bold", class_name="vc-num", data_testid=f"{testid}-total"),
                spacing="1",
                align="center",
                color=rx.cond(ok, rx.color("green", 11), rx.color("red", 11)),
            ),
            align="center",
            width="100%",
        ),
        inline_error(message, data_testid=f"{testid}-error"),
        spacing="1",
        width="100%",
        padding_top="10px",
    )


def weights_card() -> rx.Component:
    return rx.box(
        _card_title(
            "sliders-horizontal",
            "Score weights",
            rx.badge(
                rx.cond(S.custom_weights, "Custom", "Defaults"),
                variant="soft",
                color_scheme=rx.cond(S.custom_weights, "violet", "gray"),
                data_testid="weights-kind",
            ),
        ),
        rx.text(
            "Each category's share of a call's 0–100 score. Saving new weights rescores past calls in the background.",
            size="2",
            color=styles.MUTED_TEXT,
            margin="4px 0 8px",
        ),
        *[_weight_row(key) for key in CATEGORIES],
        _total(S.weights_total, S.weights_message, "weights"),
        rx.separator(size="4", margin_y="16px"),
        rx.hstack(
            rx.vstack(
                rx.text("Alert threshold", size="2", weight="medium", as_="label"),
                rx.text(
                    "Alert when a call scores below this. Clients and agents can have their own (below).",
                    size="1",
                    color=styles.MUTED_TEXT,
                ),
                spacing="0",
                min_width="0",
            ),
            rx.spacer(),
            _number_input(
                S.threshold,
                S.set_threshold,
                "Alert threshold",
                "alert-threshold",
                disabled=~S.can_manage,
                invalid=S.errors["alertThreshold"] != "",
            ),
            rx.box(width="14px"),
            align="center",
            spacing="2",
            width="100%",
        ),
        inline_error(S.errors["alertThreshold"], margin_top="4px", data_testid="threshold-error"),
        inline_error(S.errors["form"], margin_top="12px", data_testid="scoring-form-error"),
        rx.cond(
            S.can_manage,
            rx.flex(
                rx.button(
                    rx.icon("rotate-ccw", size=14),
                    "Restore defaults",
                    variant="soft",
                    color_scheme="gray",
                    on_click=S.restore_defaults,
                    data_testid="restore-defaults",
                ),
                rx.button(rx.icon("save", size=14), "Save changes", on_click=S.save, data_testid="save-scoring"),
                justify="end",
                spacing="2",
                margin_top="18px",
                wrap="wrap",
            ),
            rx.fragment(),
        ),
        style=styles.card,
        padding="20px",
        data_testid="weights-card",
    )


def ai_card() -> rx.Component:
    on = S.ai["on"] != ""
    return rx.box(
        _card_title(
            "sparkles",
            "AI mode",
            rx.badge(
                rx.cond(on, "On", "Off"),
                color_scheme=rx.cond(on, "green", "gray"),
                variant="soft",
                data_testid="ai-status",
            ),
        ),
        rx.cond(
            on,
            rx.text(
                "Outcome and sentiment are judged by ",
                rx.code(S.ai["model"], variant="ghost"),
                ", which also writes the coaching. Each AI-scored or coached call uses one credit; without "
                "credits, calls are scored locally.",
                size="2",
                color=styles.MUTED_TEXT,
                margin_top="8px",
            ),
            rx.text(
                "Calls are scored and coached by the built-in local scorer. Configure an AI model to judge "
                "outcome and sentiment and write coaching with AI.",
                size="2",
                color=styles.MUTED_TEXT,
                margin_top="8px",
            ),
        ),
        rx.separator(size="4", margin_y="16px"),
        rx.text("AI credits this month", size="1", weight="medium", color=styles.MUTED_TEXT),
        rx.hstack(
            rx.text(
                S.credits["remaining"],
                size="7",
                weight="bold",
                class_name="vc-num",
                letter_spacing="-0.02em",
                data_testid="credits-remaining",
            ),
            rx.text("left of ", S.credits["granted"], size="2", color=styles.MUTED_TEXT),
            align="baseline",
            spacing="2",
        ),
        rx.progress(
            value=S.credits_left_percent,
            max=100,
            size="2",
            margin_y="8px",
            color_scheme="violet",
            aria_label="AI credits left this month",
        ),
        rx.text(
            S.credits["used"],
            " used · ",
            S.credits["plan"],
            " plan · ",
            S.credits["period"],
            size="1",
            color=styles.MUTED_TEXT,
        ),
        style=styles.card,
        padding="20px",
        data_testid="ai-card",
    )


def _weight_cell(row: rx.Var, key: str) -> rx.Component:
    return rx.table.cell(
        rx.text(
            row[f"w_{key}"],
            class_name="vc-num",
            color=rx.cond(row["own_weights"] != "", rx.color("gray", 12), styles.MUTED_TEXT),
        ),
        text_align="right",
    )


def _override_row(row: rx.Var) -> rx.Component:
    inherited = rx.text("org", size="1", color=styles.MUTED_TEXT, margin_left="4px", as_="span")
    return rx.table.row(
        rx.table.row_header_cell(
            rx.vstack(
                rx.text(row["name"], weight="medium"),
                rx.text(
                    rx.cond(row["own_weights"] != "", "Own weights", "Organization's weights"),
                    size="1",
                    color=styles.MUTED_TEXT,
                ),
                spacing="0",
            ),
        ),
        *[_weight_cell(row, key) for key in CATEGORIES],
        rx.table.cell(
            rx.text(
                row["threshold"],
                class_name="vc-num",
                as_="span",
                color=rx.cond(row["own_threshold"] != "", rx.color("gray", 12), styles.MUTED_TEXT),
            ),
            rx.cond(row["own_threshold"] != "", rx.fragment(), inherited),
            text_align="right",
        ),
        rx.table.cell(
            rx.cond(
                S.can_manage,
                rx.hstack(
                    rx.button(
                        rx.icon("pencil", size=13),
                        "Edit",
                        size="1",
                        variant="soft",
                        on_click=C.open_editor(row["id"]),
                        data_testid="edit-override",
                    ),
                    rx.button(
                        rx.icon("eraser", size=13),
                        "Clear",
                        size="1",
                        variant="soft",
                        color_scheme="red",
                        on_click=C.clear_override(row["id"], row["name"]),
                        title="Use the organization's weights and threshold again",
                        data_testid="clear-override",
                    ),
                    spacing="2",
                    justify="end",
                ),
                rx.fragment(),
            ),
            text_align="right",
        ),
        align="center",
        custom_attrs={"data-testid": "override-row"},
    )


def _add_override() -> rx.Component:
    return rx.cond(
        S.can_manage & (S.clients_without_override.length() > 0),
        rx.select.root(
            rx.select.trigger(
                placeholder="Add override for a client…",
                aria_label="Add a scoring override for a client",
                data_testid="add-override",
            ),
            rx.select.content(
                rx.foreach(S.clients_without_override, lambda c: rx.select.item(c["name"], value=c["id"]))
            ),
            value="",
            on_change=C.open_editor,
            size="2",
        ),
        rx.fragment(),
    )


def overrides_card() -> rx.Component:
    return rx.box(
        rx.box(
            _card_title("building-2", "Client overrides", _add_override()),
            rx.text(
                "A client's own weights replace the organization's for its calls; its threshold applies to "
                "its agents unless an agent has its own.",
                size="2",
                color=styles.MUTED_TEXT,
                margin_top="4px",
            ),
            padding="20px 20px 8px",
        ),
        rx.cond(
            S.overrides.length() > 0,
            rx.box(
                rx.table.root(
                    rx.table.header(
                        rx.table.row(
                            rx.table.column_header_cell("Client"),
                            *[
                                rx.table.column_header_cell(CATEGORY_TEXT[key][0], text_align="right")
                                for key in CATEGORIES
                            ],
                            rx.table.column_header_cell("Alert below", text_align="right"),
                            rx.table.column_header_cell(rx.text("Actions", class_name="vc-sr-only")),
                        )
                    ),
                    rx.table.body(rx.foreach(S.overrides, _override_row)),
                    variant="ghost",
                    size="2",
                    width="100%",
                    data_testid="overrides-table",
                ),
                overflow_x="auto",
                padding="0 8px 8px",
            ),
            empty_state(
                "building-2", "No client overrides", "Every client uses the organization's weights and alert threshold."
            ),
        ),
        style=styles.card,
        margin_top="16px",
        data_testid="overrides-card",
    )


def _edit_weight(key: str) -> rx.Component:
    name = CATEGORY_TEXT[key][0]
    return rx.vstack(
        rx.hstack(
            rx.text(name, size="2", as_="label"),
            rx.spacer(),
            _number_input(
                C.edit_weights[key],
                lambda v: C.set_edit_weight(key, v),
                f"{name} weight",
                f"edit-weight-{key}",
                disabled=~C.edit_own_weights,
                invalid=C.edit_errors[f"weights.{key}"] != "",
            ),
            rx.text("%", size="2", color=styles.MUTED_TEXT),
            align="center",
            spacing="2",
            width="100%",
        ),
        inline_error(C.edit_errors[f"weights.{key}"]),
        spacing="1",
        width="100%",
    )


def override_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Scoring for ", C.edit_name),
            rx.dialog.description(
                "Leave a field on the organization's setting to inherit it.", size="2", color=styles.MUTED_TEXT
            ),
            rx.hstack(
                rx.switch(checked=C.edit_own_weights, on_change=C.set_edit_own_weights, data_testid="edit-own-weights"),
                rx.text("Own weights for this client", size="2", as_="label"),
                spacing="2",
                align="center",
                margin_top="16px",
            ),
            rx.grid(
                *[_edit_weight(key) for key in CATEGORIES],
                columns="2",
                spacing="4",
                margin_top="12px",
                opacity=rx.cond(C.edit_own_weights, "1", "0.55"),
            ),
            rx.cond(C.edit_own_weights, _total(C.edit_total, C.edit_weights_message, "edit-weights"), rx.fragment()),
            rx.separator(size="4", margin_y="14px"),
            rx.hstack(
                rx.text("Alert below", size="2", as_="label"),
                rx.spacer(),
                _number_input(
                    C.edit_threshold,
                    C.set_edit_threshold,
                    "Client alert threshold",
                    "edit-threshold",
                    placeholder="org",
                    invalid=C.edit_errors["alertThreshold"] != "",
                ),
                rx.box(width="14px"),
                align="center",
                spacing="2",
                width="100%",
            ),
            rx.text("Empty: the organization's threshold (", S.threshold, ").", size="1", color=styles.MUTED_TEXT),
            inline_error(C.edit_errors["alertThreshold"], margin_top="4px"),
            inline_error(C.edit_errors["form"], margin_top="8px"),
            rx.flex(
                rx.dialog.close(rx.button("Cancel", variant="soft", color_scheme="gray")),
                rx.button("Save override", on_click=C.save_override, data_testid="save-override"),
                spacing="2",
                justify="end",
                margin_top="18px",
            ),
            max_width="480px",
        ),
        open=C.editor_open,
        on_open_change=C.set_editor_open,
    )


def read_only_note() -> rx.Component:
    return rx.cond(
        S.can_manage,
        rx.fragment(),
        rx.callout(
            "You can see these settings; only owners and admins can change them.",
            icon="lock",
            color_scheme="gray",
            variant="surface",
            margin_bottom="16px",
            data_testid="read-only-note",
        ),
    )
