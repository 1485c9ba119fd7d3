"""Plan limits on the team: seats (issue 18, item 2).

A plan includes so many seats (`Plan.seats`, None: unlimited). A seat is a member who is not a client viewer,
or a pending invitation (unexpired, not accepted, not revoked) for such a role: client viewers never take
one. Inviting, accepting an invitation and promoting a client viewer check the limit of the organization's
`effective_plan` (Free's after a failed payment's grace period); nobody is removed when a plan shrinks.

Over the limit: `PlanLimitReached` on the field `role` ("Free includes 1 team seat. Upgrade to Pro for 5."):
the role is what the person asking can change (a client viewer still fits), besides upgrading.
"""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, col, select

from voiceconsole.models import Invitation, Membership, Organization
from voiceconsole.models.types import utcnow
from voiceconsole.services.billing.plans import effective_plan, upgrade_hint
from voiceconsole.services.errors import PlanLimitReached

SEATLESS_ROLES = frozenset({"client_viewer"})


def seats_used(
    session: Session, *, org: Organization, pending: bool = True, except_invitation: int | None = None
) -> int:
    """Members other than client viewers, plus (`pending`) the live invitations for such roles (all but
    `except_invitation`, an invitation's id)."""
    members = session.exec(
        select(func.count())
        .select_from(Membership)
        .where(Membership.organization_id == org.id, col(Membership.role).not_in(SEATLESS_ROLES))
    ).one()
    if not pending:
        return int(members)
    query = (
        select(func.count())
        .select_from(Invitation)
        .where(
            Invitation.organization_id == org.id,
            col(Invitation.role).not_in(SEATLESS_ROLES),
            col(Invitation.accepted_at).is_(None),
            col(Invitation.revoked_at).is_(None),
            col(Invitation.expires_at) > utcnow(),
        )
    )
    if except_invitation is not None:
        query = query.where(col(Invitation.id) != except_invitation)
    return int(members) + int(session.exec(query).one())


def require_seat(
    session: Session, *, org: Organization, role: str, pending: bool = True, except_invitation: int | None = None
) -> None:
    """PlanLimitReached unless one more person with `role` fits the plan's seats (client viewers always fit).
    `pending=False` when a pending invitation turns into a member (accepting it): its seat was counted."""
    if role in SEATLESS_ROLES:
        return
    plan = effective_plan(org)
    if plan.seats is None:
        return
    if seats_used(session, org=org, pending=pending, except_invitation=except_invitation) >= plan.seats:
        raise PlanLimitReached("role", upgrade_hint(plan, "seats"))
