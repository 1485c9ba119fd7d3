"""The organization's audit log: who changed what, when and from where (owners and admins)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from voiceconsole.api.deps import PrincipalDep, SessionDep
from voiceconsole.api.envelope import ok_response
from voiceconsole.api.params import IsoDateTime, Paging, as_utc, check_range, page_only
from voiceconsole.services.access import audit

router = APIRouter(prefix="/audit-log", tags=["audit log"])


@router.get("", summary="The audit log, newest first, filterable by actor and action (owners and admins)")
def list_audit_log(
    principal: PrincipalDep,
    session: SessionDep,
    pg: Annotated[Paging, Depends(page_only)],
    actor: Annotated[
        str | None,
        Query(max_length=320, description="Who acted: an email address, an API key id (key_…) or system"),
    ] = None,
    action: Annotated[
        str | None,
        Query(
            max_length=81,
            description="An action (resource.verb, e.g. integration.created) or every action on a resource "
            "(integration or integration.*)",
        ),
    ] = None,
    date_from: Annotated[IsoDateTime | None, Query(alias="dateFrom")] = None,
    date_to: Annotated[IsoDateTime | None, Query(alias="dateTo")] = None,
):
    """Entries give the action, the actor (`type`, `id`: an email, a key id or `system`; `name`), the target,
    details, and where the change came from (`ip`, `userAgent`, and `source` in words). 403 for members and
    client viewers; 422 for a filter that names no actor or action."""
    start, end = as_utc(date_from, "dateFrom"), as_utc(date_to, "dateTo")
    check_range(start, end)
    filters = audit.AuditFilters(actor=actor, action=action, date_from=start, date_to=end)
    entries, total = audit.list_audit_log(
        session, org=principal.org, actor=principal.actor, filters=filters, page=pg.page, per_page=pg.per_page
    )
    return ok_response([e.wire() for e in entries], page=pg.page, perPage=pg.per_page, total=total)
