"""/agents/[agent_id]/builder: the agent's spec as a form, its versions, the diff between two, deploy and
roll back, and the platform's own changes (drift)."""

import reflex as rx

from voiceconsole.ui import styles
from voiceconsole.ui.components.badges import platform_badge
from voiceconsole.ui.components.feedback import empty_state, loading_block
from voiceconsole.ui.components.layout import app_shell
from voiceconsole.ui.components.page_header import page_header
from voiceconsole.ui.state.builder import BuilderState as B
from voiceconsole.ui.views.builder_form import builder_form
from voiceconsole.ui.views.builder_versions import deploy_dialog, diff_card, drift_callout, versions_card


def _subtitle() -> rx.Component:
    return rx.hstack(
        platform_badge(B.agent["platform"]),
        rx.text("Draft: v", B.version, size="2", color=styles.MUTED_TEXT, data_testid="builder-version"),
        rx.text("·", color=styles.MUTED_TEXT),
        rx.cond(
            B.deployed_version > 0,
            rx.text("Live: v", B.deployed_version, size="2", color=styles.MUTED_TEXT),
            rx.text("Not deployed from here", size="2", color=styles.MUTED_TEXT),
        ),
        spacing="2",
        align="center",
        wrap="wrap",
    )


def _unavailable() -> rx.Component:
    return rx.box(
        empty_state(
            "plug-zap",
            "The builder cannot read this agent",
            B.load_error,
            rx.link(rx.button("Back to the agent", variant="soft"), href=B.agent["href"]),
        ),
        style=styles.card,
        data_testid="builder-unavailable",
    )


def _not_found() -> rx.Component:
    return rx.box(
        empty_state(
            "search-x",
            "Agent not found",
            "This agent does not exist or belongs to another organization.",
            rx.link(rx.button("Back to agents", variant="soft"), href="/agents"),
        ),
        style=styles.card,
        data_testid="agent-not-found",
    )


def _builder() -> rx.Component:
    return rx.fragment(
        drift_callout(),
        rx.grid(
            builder_form(),
            rx.vstack(versions_card(), diff_card(), spacing="4", width="100%", min_width="0"),
            columns=rx.breakpoints(initial="1", lg="minmax(0, 3fr) minmax(0, 2fr)"),
            spacing="4",
            width="100%",
            align_items="start",
        ),
        deploy_dialog(),
    )


def agent_builder_page() -> rx.Component:
    name = rx.cond(B.not_found, "Not found", B.agent["name"])
    return app_shell(
        "agents",
        page_header(
            "Builder",
            rx.cond(B.not_found | B.loading | (B.load_error != ""), rx.fragment(), _subtitle()),
            crumbs=[("Agents", "/agents"), (name, B.agent["href"]), ("Builder", None)],
        ),
        rx.cond(
            B.loading,
            loading_block("Loading the agent's configuration…"),
            rx.cond(B.not_found, _not_found(), rx.cond(B.load_error != "", _unavailable(), _builder())),
        ),
    )
