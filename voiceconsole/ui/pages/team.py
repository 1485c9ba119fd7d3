"""/settings/team: members, roles and invitations."""

import reflex as rx

from voiceconsole.ui.components.feedback import error_callout
from voiceconsole.ui.components.layout import app_shell
from voiceconsole.ui.components.page_header import page_header
from voiceconsole.ui.state.team import TeamState
from voiceconsole.ui.views.team import dialogs, invitations_table, invite_form, members_table


def team_page() -> rx.Component:
    return app_shell(
        "team",
        page_header("Team", "Who can sign in to this organization, and what each of them may do"),
        error_callout(TeamState.error, margin_bottom="16px", data_testid="team-error"),
        rx.cond(
            TeamState.can_edit,  # client viewers never see the team
            rx.fragment(
                rx.cond(TeamState.can_manage_team, invite_form()),
                members_table(),
                invitations_table(),
                dialogs(),
            ),
        ),
    )
