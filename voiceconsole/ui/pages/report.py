"""/report: the week's figures of a client against the week before, its most frequent issues and its best
and worst calls, laid out to print (assets/styles.css `@media print`)."""

import reflex as rx

from voiceconsole.ui import styles
from voiceconsole.ui.components.layout import app_shell
from voiceconsole.ui.components.page_header import page_header
from voiceconsole.ui.state.report import ReportState as S
from voiceconsole.ui.views.call_list_card import call_list_card
from voiceconsole.ui.views.category_scores import category_scores_card
from voiceconsole.ui.views.dashboard_kpis import kpi_cards


def _issue(row: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(row["reason"], size="2", weight="medium")),
        rx.table.cell(rx.badge(row["category"], variant="soft", color_scheme="gray")),
        rx.table.cell(rx.text(row["calls"], size="2", class_name="vc-num"), text_align="right"),
        custom_attrs={"data-testid": "issue-row"},
    )


def _issues() -> rx.Component:
    return rx.vstack(
        rx.text("Top issues", size="3", weight="bold"),
        rx.text(
            "What the scorer found most often on calls with a weak category score", size="1", color=styles.MUTED_TEXT
        ),
        rx.cond(
            S.issues.length() > 0,
            rx.table.root(rx.table.body(rx.foreach(S.issues, _issue)), variant="ghost", size="1", width="100%"),
            rx.text("No weak spots this week.", size="2", color=styles.MUTED_TEXT, data_testid="no-issues"),
        ),
        spacing="2",
        width="100%",
        padding="16px 18px",
        style=styles.card,
        data_testid="report-issues",
    )


def _report() -> rx.Component:
    return rx.vstack(
        kpi_cards(S.kpis),
        rx.grid(
            category_scores_card(S.categories),
            _issues(),
            columns=rx.breakpoints(initial="1", md="2"),
            spacing="4",
            width="100%",
        ),
        call_list_card(
            "Best calls",
            "The week's highest scores",
            S.best,
            S.calls_href,
            "report-best",
            empty="No scored calls this week.",
            show_agent=True,
        ),
        call_list_card(
            "Calls to review",
            "The week's lowest scores",
            S.worst,
            S.calls_href,
            "report-worst",
            empty="No scored calls this week.",
            show_agent=True,
        ),
        spacing="4",
        width="100%",
        class_name="vc-report",
        data_testid="weekly-report",
    )


def report_page() -> rx.Component:
    return app_shell(
        "report",
        page_header(
            S.title,
            rx.cond(S.period_label != "", "The last 7 days against the 7 before · " + S.period_label, ""),
            rx.button(
                rx.icon("printer", size=15),
                "Print",
                variant="soft",
                on_click=S.print_page,
                class_name="vc-no-print",
                data_testid="print-report",
            ),
        ),
        rx.cond(
            S.not_found,
            rx.callout("This report does not exist.", icon="circle-alert", color_scheme="gray"),
            rx.cond(S.loading, rx.spinner(size="3"), _report()),
        ),
    )
