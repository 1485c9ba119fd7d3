"""The Agent Builder's versions: the drift callout, the list (deploy and roll back, confirmed first) and the
diff between any two versions."""

import reflex as rx

from voiceconsole.ui import styles
from voiceconsole.ui.components.feedback import empty_state, inline_error
from voiceconsole.ui.state.builder import BuilderState as B

MONO = "var(--code-font-family, ui-monospace, SFMono-Regular, Menlo, monospace)"


def _change(change: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.code(change.field, size="1", variant="ghost"), white_space="nowrap"),
        rx.table.cell(
            rx.text(change.before, size="2", color=rx.color("red", 11), style={"word_break": "break-word"}),
            data_testid="change-before",
        ),
        rx.table.cell(rx.icon("arrow-right", size=14, aria_label="becomes"), width="24px"),
        rx.table.cell(
            rx.text(change.after, size="2", color=rx.color("green", 11), style={"word_break": "break-word"}),
            data_testid="change-after",
        ),
        custom_attrs={"data-testid": "field-change"},
    )


def _changes_table(rows: rx.Var, testid: str) -> rx.Component:
    return rx.table.root(
        rx.table.header(
            rx.table.row(
                rx.table.column_header_cell("Field"),
                rx.table.column_header_cell("Before"),
                rx.table.column_header_cell(rx.text("Becomes", class_name="vc-sr-only")),
                rx.table.column_header_cell("After"),
            )
        ),
        rx.table.body(rx.foreach(rows, _change)),
        size="1",
        variant="ghost",
        width="100%",
        data_testid=testid,
    )


def drift_callout() -> rx.Component:
    """Someone changed the agent in the platform's console: what changed, and importing it as a version."""
    return rx.cond(
        B.has_drift,
        rx.callout.root(
            rx.callout.icon(rx.icon("git-compare-arrows", size=16)),
            rx.vstack(
                rx.text("Changed on the platform", weight="bold", size="3"),
                rx.text(
                    "The agent was edited in the platform's console since version ",
                    B.deployed_version,
                    " was deployed (noticed ",
                    B.drift_at,
                    "). Import the change as a new version before deploying: nothing is overwritten silently.",
                    size="2",
                ),
                rx.box(_changes_table(B.drift_changes, "drift-changes"), width="100%", overflow_x="auto"),
                inline_error(B.drift_error, data_testid="drift-error"),
                rx.cond(
                    B.can_manage,
                    rx.button(
                        rx.icon("download", size=14),
                        "Import as a new version",
                        on_click=B.import_drift,
                        data_testid="drift-import",
                    ),
                ),
                spacing="2",
                width="100%",
            ),
            color_scheme="amber",
            variant="surface",
            width="100%",
            margin_bottom="16px",
            data_testid="drift-callout",
        ),
    )


def _version_action(v: rx.Var) -> rx.Component:
    rollback = (B.deployed_version > 0) & (v.number < B.deployed_version)
    return rx.cond(
        v.live,
        rx.badge(rx.icon("radio", size=12), "Live", color_scheme="green", variant="soft", data_testid="live-badge"),
        rx.cond(
            B.can_manage,
            rx.button(
                rx.cond(rollback, "Roll back", "Deploy"),
                size="1",
                variant=rx.cond(rollback, "outline", "soft"),
                on_click=B.ask_deploy(v.number),
                aria_label=rx.cond(rollback, "Roll back to version ", "Deploy version ") + v.number.to_string(),
                data_testid="version-deploy",
            ),
        ),
    )


def _version(v: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text("v", v.number, weight="bold", class_name="vc-num"), data_testid="version-number"),
        rx.table.cell(
            rx.vstack(
                rx.text(rx.cond(v.note != "", v.note, "—"), size="2", data_testid="version-note"),
                rx.text(v.source, " · ", v.author, " · ", v.created, size="1", color=styles.MUTED_TEXT),
                spacing="0",
                min_width="0",
            ),
            style={"word_break": "break-word"},
        ),
        rx.table.cell(_version_action(v), text_align="right", white_space="nowrap"),
        align="center",
        custom_attrs={"data-testid": "version-row", "data-version": v.number, "data-live": v.live},
    )


def versions_card() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.heading("Versions", size="3", as_="h2"),
            rx.cond(
                B.deployed_version > 0,
                rx.text("Live: v", B.deployed_version, size="2", color=styles.MUTED_TEXT, data_testid="live-version"),
                rx.text("None deployed from here", size="2", color=styles.MUTED_TEXT),
            ),
            justify="between",
            align="center",
            width="100%",
        ),
        inline_error(B.deploy_error, data_testid="deploy-error"),
        rx.cond(
            B.versions.length() > 0,
            rx.box(
                rx.table.root(
                    rx.table.header(
                        rx.table.row(
                            rx.table.column_header_cell("Version"),
                            rx.table.column_header_cell("Note"),
                            rx.table.column_header_cell(rx.text("Status", class_name="vc-sr-only")),
                        )
                    ),
                    rx.table.body(rx.foreach(B.versions, _version)),
                    size="1",
                    variant="ghost",
                    width="100%",
                ),
                max_height="420px",
                overflow_y="auto",
                width="100%",
            ),
            empty_state("history", "No versions yet"),
        ),
        rx.text("Rolling back is deploying an older version.", size="1", color=styles.MUTED_TEXT),
        spacing="3",
        width="100%",
        padding="18px 20px",
        style=styles.card,
        data_testid="versions-card",
    )


def deploy_dialog() -> rx.Component:
    """Deploy / roll back, confirmed: which version goes live, which one it replaces."""
    rollback = B.confirm_is_rollback
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title(rx.cond(rollback, "Roll back to ", "Deploy ") + B.confirm_label + "?"),
            rx.alert_dialog.description(
                rx.cond(
                    rollback,
                    rx.text(
                        "Roll back: ",
                        B.confirm_label,
                        " goes live again on the platform, replacing version ",
                        B.deployed_version,
                        ". Calls from now on use it; later versions stay in the history and can be deployed again.",
                    ),
                    rx.cond(
                        B.deployed_version > 0,
                        rx.text(
                            B.confirm_label,
                            " goes live on the platform, replacing version ",
                            B.deployed_version,
                            ". Calls from now on use it.",
                        ),
                        rx.text(B.confirm_label, " goes live on the platform. Calls from now on use it."),
                    ),
                ),
                size="2",
            ),
            rx.flex(
                rx.alert_dialog.cancel(rx.button("Cancel", variant="soft", color_scheme="gray")),
                rx.alert_dialog.action(
                    rx.button(
                        rx.cond(rollback, "Roll back", "Deploy"),
                        on_click=B.deploy,
                        data_testid="confirm-deploy",
                    )
                ),
                spacing="3",
                justify="end",
                margin_top="16px",
            ),
            max_width="460px",
            data_testid="deploy-dialog",
        ),
        open=B.confirm_action == "deploy",
        on_open_change=B.set_confirm_open,
    )


def _diff_line(line: rx.Var) -> rx.Component:
    colours = rx.match(
        line.kind,
        ("add", rx.color("green", 3)),
        ("remove", rx.color("red", 3)),
        "transparent",
    )
    text_colour = rx.match(  # step 12 on the soft backgrounds: step 11 is under 4.5:1 there
        line.kind,
        ("add", rx.color("green", 12)),
        ("remove", rx.color("red", 12)),
        ("hunk", rx.color("blue", 11)),
        ("head", styles.MUTED_TEXT),
        rx.color("gray", 12),
    )
    return rx.el.div(
        line.text,
        style={
            "background": colours,
            "color": text_colour,
            "white_space": "pre-wrap",
            "word_break": "break-word",
            "padding": "0 8px",
        },
        custom_attrs={"data-testid": "diff-line", "data-kind": line.kind},
    )


def _version_select(label: str, testid: str, value: rx.Var, on_change) -> rx.Component:
    return rx.hstack(
        rx.text(label, size="2", color=styles.MUTED_TEXT, as_="span"),
        rx.select.root(
            rx.select.trigger(aria_label=label + " version", data_testid=testid),
            rx.select.content(
                rx.foreach(B.version_numbers, lambda n: rx.select.item("v" + n, value=n)), position="popper"
            ),
            value=value,
            on_change=on_change,
            size="1",
        ),
        spacing="2",
        align="center",
    )


def diff_card() -> rx.Component:
    """Any two versions: the prompt as a line diff (+ green, − red), every other field before → after."""
    same = (B.diff_prompt.length() == 0) & (B.diff_changes.length() == 0)
    return rx.vstack(
        rx.flex(
            rx.heading("Diff", size="3", as_="h2"),
            rx.hstack(
                _version_select("From", "diff-a", B.diff_a, B.set_diff_a),
                _version_select("to", "diff-b", B.diff_b, B.set_diff_b),
                spacing="3",
                align="center",
            ),
            justify="between",
            align="center",
            wrap="wrap",
            spacing="2",
            width="100%",
        ),
        inline_error(B.diff_error, data_testid="diff-error"),
        rx.cond(
            same,
            rx.text(
                "No differences between these versions.", size="2", color=styles.MUTED_TEXT, data_testid="diff-same"
            ),
            rx.vstack(
                rx.cond(
                    B.diff_prompt.length() > 0,
                    rx.vstack(
                        rx.text("System prompt", size="2", weight="medium"),
                        rx.box(
                            rx.foreach(B.diff_prompt, _diff_line),
                            width="100%",
                            max_height="460px",
                            overflow_y="auto",
                            padding="6px 0",
                            border_radius="8px",
                            border=styles.SUBTLE_BORDER,
                            style={"font_family": MONO, "font_size": "12px", "line_height": "1.55"},
                            data_testid="diff-prompt",
                        ),
                        spacing="1",
                        width="100%",
                    ),
                ),
                rx.cond(
                    B.diff_changes.length() > 0,
                    rx.box(_changes_table(B.diff_changes, "diff-changes"), width="100%", overflow_x="auto"),
                ),
                spacing="3",
                width="100%",
            ),
        ),
        spacing="3",
        width="100%",
        padding="18px 20px",
        style=styles.card,
        data_testid="diff-card",
    )
