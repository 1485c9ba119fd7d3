"""The portfolio board: clients and agents ranked by health (average score this week), worst first."""

import reflex as rx

from voiceconsole.ui import styles
from voiceconsole.ui.components.badges import score_badge
from voiceconsole.ui.components.names import fitted_name
from voiceconsole.ui.components.trend import trend_badge
from voiceconsole.ui.state.dashboard import DashboardState

# Columns by priority: the name, health and its change always; the rest only when the card is wide enough
# (a `vc-min-N` class: shown from N px of card width, see assets/styles.css).
CALLS_MIN, SUCCESS_MIN, COST_MIN = "vc-min-400", "vc-min-500", "vc-min-600"


def _head(label: str, align: str = "left", class_name: str = "") -> rx.Component:
    return rx.table.column_header_cell(label, white_space="nowrap", text_align=align, class_name=class_name)


def _row(row: rx.Var, kind: str) -> rx.Component:
    # The name opens the client's or agent's page; the rest of the row its worst calls of the week.
    name = rx.vstack(
        rx.link(
            fitted_name(row["full_name"], row["short_name"], 480),
            href=row["page_href"],
            class_name="vc-name",
            underline="hover",
            color=rx.color("gray", 12),
            weight="medium",
            size="2",
            title=row["name"],
            position="relative",
            z_index="1",  # above the row's stretched calls link
            data_testid=f"portfolio-{kind}-name",
        ),
        rx.text(row["client"], size="1", color=styles.MUTED_TEXT, class_name="vc-ellipsis vc-fill", title=row["client"])
        if kind == "agent"
        else rx.fragment(),
        spacing="0",
        min_width="0",
    )
    return rx.table.row(
        rx.table.cell(name, width="100%", min_width="96px"),
        rx.table.cell(score_badge(row["health"], row["band"], show_label=False)),
        rx.table.cell(trend_badge(row["change"], row["direction"], row["tone"], title=row["change_title"])),
        rx.table.cell(row["calls"], class_name=f"vc-num {CALLS_MIN}", text_align="right"),
        rx.table.cell(row["success"], class_name=f"vc-num {SUCCESS_MIN}", text_align="right"),
        rx.cond(
            DashboardState.sees_costs, rx.table.cell(row["cost"], class_name=f"vc-num {COST_MIN}", text_align="right")
        ),
        rx.table.cell(
            rx.link(
                rx.icon("phone-call", size=14),
                href=row["href"],
                class_name="vc-row-link",
                color=styles.MUTED_TEXT,
                aria_label="Worst calls of the week",
                title="Worst calls of the week",
                data_testid=f"portfolio-{kind}-link",
            ),
            text_align="right",
        ),
        class_name="vc-row",
        align="center",
        custom_attrs={"data-testid": f"portfolio-{kind}-row", "data-id": row["id"]},
    )


def _board(title: str, rows: rx.Var, kind: str, noun: str) -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.text(title, size="3", weight="bold"),
            rx.text(
                "Health = average score, last 7 days; change in points vs the 7 before",
                size="1",
                color=styles.MUTED_TEXT,
            ),
            justify="between",
            align="baseline",
            width="100%",
            wrap="wrap",
        ),
        rx.cond(
            rows.length() > 0,
            rx.box(
                rx.table.root(
                    rx.table.header(
                        rx.table.row(
                            _head(noun),
                            _head("Health"),
                            _head("Change"),
                            _head("Calls", "right", CALLS_MIN),
                            _head("Success", "right", SUCCESS_MIN),
                            rx.cond(DashboardState.sees_costs, _head("Cost", "right", COST_MIN)),
                            rx.table.column_header_cell(rx.text("Worst calls", class_name="vc-sr-only")),
                        )
                    ),
                    rx.table.body(rx.foreach(rows, lambda r: _row(r, kind))),
                    variant="ghost",
                    size="1",
                    width="100%",
                ),
                width="100%",
            ),
            rx.text(f"No {noun.lower()}s yet.", size="2", color=styles.MUTED_TEXT),
        ),
        spacing="3",
        padding="16px 18px",
        style=styles.card,
        class_name="vc-table-card",
        width="100%",
        min_width="0",
        custom_attrs={"data-testid": f"portfolio-{kind}s", "data-table-card": kind},
    )


def portfolio_board() -> rx.Component:
    return rx.grid(
        _board("Clients", DashboardState.client_rows, "client", "Client"),
        _board("Agents", DashboardState.agent_rows, "agent", "Agent"),
        columns=rx.breakpoints(initial="1", lg="2"),
        spacing="4",
        width="100%",
    )
