"""The call page's coaching panel: what went well and what went wrong, at the moments it happened; owners and
admins turn a suggestion into a draft of the agent's prompt ("Add to prompt")."""

import reflex as rx

from voiceconsole.ui import styles
from voiceconsole.ui.components.feedback import inline_error
from voiceconsole.ui.state.call_detail import CallCoachingState, CallDetailState


def _time_chip(insight: rx.Var) -> rx.Component:
    """The moment's time; a button that scrolls to the transcript turn when we know which one it is."""
    label = rx.hstack(
        rx.icon("play", size=10), rx.text(insight["at"], size="1", class_name="vc-num"), spacing="1", align="center"
    )
    return rx.cond(
        insight["turn_id"] != "",
        rx.button(
            label,
            size="1",
            variant="soft",
            radius="full",
            on_click=CallCoachingState.focus_turn(insight["turn_id"]),
            title="Show this moment in the transcript",
            aria_label="Show " + insight["at"] + " in transcript",
            data_testid="insight-time",
            flex_shrink="0",
        ),
        rx.cond(
            insight["at"] != "",
            rx.badge(
                insight["at"],
                size="1",
                variant="outline",
                color_scheme="gray",
                radius="full",
                class_name="vc-num",
                data_testid="insight-time",
                flex_shrink="0",
            ),
            rx.fragment(),
        ),
    )


def _quote(insight: rx.Var) -> rx.Component:
    return rx.cond(
        insight["quote"] != "",
        rx.hstack(
            _time_chip(insight),
            rx.vstack(
                rx.cond(
                    insight["speaker"] != "",
                    rx.text(insight["speaker"], size="1", weight="medium", color=styles.MUTED_TEXT),
                    rx.fragment(),
                ),
                rx.text(
                    "“",
                    insight["quote"],
                    "”",
                    size="2",
                    font_style="italic",
                    line_height="1.5",
                    data_testid="insight-quote",
                ),
                spacing="0",
            ),
            spacing="2",
            align="start",
            padding="8px 10px",
            border_radius="8px",
            width="100%",
            background=rx.color("gray", 2),
            border_left=f"3px solid {rx.color('gray', 6)}",
        ),
        rx.cond(insight["at"] != "", rx.hstack(_time_chip(insight), spacing="2"), rx.fragment()),
    )


def _add_to_prompt(suggestion: rx.Var) -> rx.Component:
    """Owners and admins: the suggestion as a new draft of the agent's prompt, then a link to its diff."""
    C = CallCoachingState
    added = C.prompt_added == suggestion
    return rx.cond(
        C.can_manage & (CallDetailState.call["agent_href"] != ""),
        rx.vstack(
            rx.cond(
                added,
                rx.link(
                    rx.icon("git-compare", size=13, style={"display": "inline", "vertical_align": "-2px"}),
                    " Draft v",
                    C.prompt_draft_version,
                    " saved: review the diff in the builder",
                    href=C.prompt_draft_href,
                    size="2",
                    data_testid="prompt-draft-link",
                ),
                rx.button(
                    rx.icon("file-plus-2", size=13),
                    "Add to prompt",
                    size="1",
                    variant="soft",
                    on_click=C.add_to_prompt(suggestion),
                    title="Add this suggestion to the agent's prompt as a new draft version",
                    data_testid="add-to-prompt",
                ),
            ),
            rx.cond(
                C.prompt_failed == suggestion,
                inline_error(C.prompt_error, data_testid="add-to-prompt-error"),
                rx.fragment(),
            ),
            spacing="1",
            margin_left="24px",
            align="start",
        ),
        rx.fragment(),
    )


def _insight(insight: rx.Var, *, good: bool) -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.icon(
                "circle-check" if good else "circle-alert",
                size=16,
                flex_shrink="0",
                margin_top="2px",
                color=rx.color("green", 10) if good else rx.color("amber", 10),
            ),
            rx.vstack(
                rx.text(insight["title"], size="2", weight="bold", data_testid="insight-title"),
                rx.cond(
                    insight["detail"] != "",
                    rx.text(insight["detail"], size="2", color=styles.MUTED_TEXT, line_height="1.5"),
                    rx.fragment(),
                ),
                spacing="1",
                min_width="0",
            ),
            spacing="2",
            align="start",
            width="100%",
        ),
        rx.box(_quote(insight), padding_left="24px", width="100%"),
        rx.cond(
            insight["suggestion"] != "",
            rx.box(
                rx.text(
                    rx.icon("message-square-quote", size=13, style={"display": "inline", "vertical_align": "-2px"}),
                    " Try saying: ",
                    as_="span",
                    weight="bold",
                    color=rx.color("accent", 11),
                ),
                rx.text(insight["suggestion"], as_="span"),
                font_size="var(--font-size-2)",
                line_height="1.5",
                padding="8px 10px",
                border_radius="8px",
                background=rx.color("accent", 2),
                border=f"1px solid {rx.color('accent', 4)}",
                margin_left="24px",
                data_testid="insight-suggestion",
            ),
            rx.fragment(),
        ),
        rx.cond(insight["suggestion"] != "", _add_to_prompt(insight["suggestion"]), rx.fragment()),
        spacing="2",
        width="100%",
        padding="12px 0",
        border_top=styles.SUBTLE_BORDER,
        custom_attrs={"data-testid": "insight", "data-kind": "well" if good else "wrong"},
    )


def _section(title: str, icon: str, colour: str, items: rx.Var, *, good: bool, empty: str, testid: str):
    return rx.vstack(
        rx.hstack(
            rx.icon(icon, size=15, color=rx.color(colour, 10)),
            rx.text(title, size="2", weight="bold"),
            rx.badge(items.length(), size="1", variant="soft", color_scheme=colour, radius="full"),
            align="center",
            spacing="2",
        ),
        rx.cond(
            items.length() > 0,
            rx.vstack(rx.foreach(items, lambda i: _insight(i, good=good)), spacing="0", width="100%"),
            rx.text(empty, size="2", color=styles.MUTED_TEXT, padding_top="4px"),
        ),
        spacing="2",
        width="100%",
        data_testid=testid,
    )


def _ready() -> rx.Component:
    nothing = (CallCoachingState.went_well.length() == 0) & (CallCoachingState.went_wrong.length() == 0)
    return rx.vstack(
        rx.cond(
            CallCoachingState.coaching_summary != "",
            rx.text(CallCoachingState.coaching_summary, size="2", line_height="1.6", data_testid="coaching-summary"),
            rx.fragment(),
        ),
        rx.cond(
            nothing,
            rx.text("Nothing in this call to coach on.", size="2", color=styles.MUTED_TEXT),
            rx.fragment(
                _section(
                    "What went well",
                    "thumbs-up",
                    "green",
                    CallCoachingState.went_well,
                    good=True,
                    empty="Nothing stood out as done especially well.",
                    testid="went-well",
                ),
                _section(
                    "What went wrong",
                    "triangle-alert",
                    "amber",
                    CallCoachingState.went_wrong,
                    good=False,
                    empty="Nothing stood out as a problem.",
                    testid="went-wrong",
                ),
            ),
        ),
        spacing="4",
        width="100%",
    )


def _waiting(text: str) -> rx.Component:
    return rx.vstack(
        rx.hstack(rx.spinner(size="2"), rx.text(text, size="2", color=styles.MUTED_TEXT), spacing="2", align="center"),
        rx.skeleton(rx.box(height="14px"), width="85%"),
        rx.skeleton(rx.box(height="14px"), width="60%"),
        rx.skeleton(rx.box(height="14px"), width="72%"),
        spacing="3",
        width="100%",
        data_testid="coaching-loading",
    )


def _retry(text: str) -> rx.Component:
    return rx.hstack(
        rx.text(text, size="2", color=styles.MUTED_TEXT),
        rx.button(
            rx.icon("refresh-cw", size=13),
            "Try again",
            size="1",
            variant="soft",
            on_click=CallCoachingState.load_coaching,
            data_testid="coaching-retry",
        ),
        spacing="3",
        align="center",
        wrap="wrap",
        data_testid="coaching-unavailable",
    )


def _after_the_call() -> rx.Component:
    return rx.hstack(
        rx.icon("radio", size=15, color=rx.color("blue", 10)),
        rx.text(
            "This call is still in progress. Coaching comes after the call ends.", size="2", color=styles.MUTED_TEXT
        ),
        spacing="2",
        align="center",
        data_testid="coaching-live",
    )


def coaching_panel() -> rx.Component:
    status = CallCoachingState.coaching_status
    current = CallCoachingState.coaching_for == CallDetailState.call["id"]
    return rx.box(
        rx.hstack(
            rx.icon("graduation-cap", size=17, color=styles.MUTED_TEXT),
            rx.heading("Coaching", size="3"),
            rx.spacer(),
            rx.cond(
                current & (status == "ready"),
                rx.badge(
                    CallCoachingState.coaching_mode,
                    size="1",
                    variant="soft",
                    color_scheme=rx.cond(CallCoachingState.coaching_mode == "AI", "violet", "gray"),
                    title="Who wrote this coaching: the AI model or the local coach",
                    data_testid="coaching-mode",
                ),
                rx.fragment(),
            ),
            align="center",
            spacing="2",
            margin_bottom="12px",
            width="100%",
        ),
        rx.cond(
            current,
            rx.match(
                status,
                ("ready", _ready()),
                ("pending", _waiting("The AI coach is reviewing this call…")),
                ("slow", _retry("AI coaching is taking longer than usual.")),
                ("error", _retry("Coaching is unavailable right now.")),
                ("live", _after_the_call()),
                _waiting("Loading coaching…"),
            ),
            _waiting("Loading coaching…"),
        ),
        style=styles.card,
        padding="20px",
        margin_bottom="16px",
        data_testid="coaching",
    )
