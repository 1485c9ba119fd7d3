"""The portfolio board: clients and agents ranked by health (average score this week), worst first."""

import reflex as rx

from voiceconsole.ui import styles
from voiceconsole.ui.components.badges import score_badge
from voiceconsole.ui.components.trend import trend_badge
from voiceconsole.ui.state.dashboard import DashboardState


def _head(label: str, align: str = "left") -> rx.Component:
    return rx.table.column_header_cell(label, white_space="nowrap", text_align=align)


def _row(row: rx.Var, kind: str) -> rx.Component:
    name = rx.vstack(
        rx.link(
            row["name"],
            href=row["href"],
            class_name="vc-row-link vc-ellipsis",
            underline="none",
            color=rx.color("gray", 12),
            weight="medium",
            size="2",
            title=row["name"],
            data_testid=f"portfolio-{kind}-link",
        ),
        rx.text(row["client"], size="1", color=styles.MUTED_TEXT, class_name="vc-ellipsis")
        if kind == "agent"
        else rx.fragment(),
        spacing="0",
        max_width="240px",
        min_width="0",
    )
    return rx.table.row(
        rx.table.cell(name),
        rx.table.cell(score_badge(row["health"], row["band"], show_label=False)),
        rx.table.cell(trend_badge(row["change"], row["direction"], row["tone"])),
        rx.table.cell(row["calls"], class_name="vc-num", text_align="right"),
        rx.table.cell(row["success"], class_name="vc-num", text_align="right"),
        rx.table.cell(row["cost"], class_name="vc-num", text_align="right"),
        class_name="vc-row",
        align="center",
        custom_attrs={"data-testid": f"portfolio-{kind}-row", "data-id": row["id"]},
    )


def _board(title: str, rows: rx.Var, kind: str, noun: str) -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.text(title, size="3", weight="bold"),
            rx.text("Health = average score, last 7 days vs the 7 before", size="1", color=styles.MUTED_TEXT),
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
                            _head("Week over week"),
                            _head("Calls", "right"),
                            _head("Success", "right"),
                            _head("Cost", "right"),
                        )
                    ),
                    rx.table.body(rx.foreach(rows, lambda r: _row(r, kind))),
                    variant="ghost",
                    size="1",
                    width="100%",
                ),
                overflow_x="auto",
                width="100%",
            ),
            rx.text(f"No {noun.lower()}s yet.", size="2", color=styles.MUTED_TEXT),
        ),
        spacing="3",
        padding="16px 18px",
        style=styles.card,
        width="100%",
        min_width="0",
        custom_attrs={"data-testid": f"portfolio-{kind}s"},
    )


def portfolio_board() -> rx.Component:
    return rx.grid(
        _board("Clients", DashboardState.client_rows, "client", "Client"),
        _board("Agents", DashboardState.agent_rows, "agent", "Agent"),
        columns=rx.breakpoints(initial="1", lg="2"),
        spacing="4",
        width="100%",
    )
