"""/settings/audit-log: who changed what, when and from where (owners and admins)."""

import reflex as rx

from voiceconsole.ui.components.feedback import error_callout
from voiceconsole.ui.components.layout import app_shell
from voiceconsole.ui.components.page_header import page_header
from voiceconsole.ui.state.audit_log import AuditLogState
from voiceconsole.ui.views.audit_log import entries_table, filters


def audit_log_page() -> rx.Component:
    return app_shell(
        "audit-log",
        page_header("Audit log", "Changes to members, keys, integrations, channels, billing and clients."),
        error_callout(AuditLogState.error, margin_bottom="16px"),
        rx.cond(AuditLogState.can_manage, rx.fragment(filters(), entries_table()), rx.fragment()),
    )
