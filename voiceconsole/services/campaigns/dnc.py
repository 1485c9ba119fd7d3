"""The do-not-call list: numbers the organization never dials, whatever a campaign says.

Adding a number marks every lead with it `do_not_call`, announced by one `lead.do_not_call` event per lead
(a lead created or imported later with it is stored so, without an event: it was never callable); removing
it gives those leads back their `new` status. Dialing checks the list again at the moment of the call
(campaigns), so a number added while a campaign runs is never dialed after. A person who asks on a campaign
call not to be called again is added here too (source "call": services/campaigns/outcomes.py).
Anyone on the staff may add numbers (adding only ever stops calls: a person asking not to be called
must be honoured by whoever takes the request); only owners and admins may remove one, which lets calls
resume to someone who once asked not to be called.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from typing import IO, Any

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from voiceconsole.db import get_engine
from voiceconsole.models import CallAttempt, DoNotCall, Lead, Organization
from voiceconsole.models.types import id_column, pk, utcnow
from voiceconsole.schemas.leads import DoNotCallAdded, DoNotCallImported, DoNotCallOut, DoNotCallRemoved, RowError
from voiceconsole.services.access import audit
from voiceconsole.services.access.actor import Actor
from voiceconsole.services.access.permissions import require
from voiceconsole.services.campaigns import phones
from voiceconsole.services.campaigns.events import record_leads_do_not_call
from voiceconsole.services.errors import NotFound, ValidationFailed

MAX_REASON = 500
MAX_DNC_IMPORT_BYTES = 5 * 1024 * 1024
_PHONE_HEADERS = ("phone", "phone number", "phone_number", "number", "telephone", "mobile")


def is_listed(session: Session, *, org_id: int, phone: str) -> bool:
    """Is `phone` (E.164) on the organization's list? The check dialing makes, at the moment of dialing."""
    q = select(DoNotCall.id).where(DoNotCall.organization_id == org_id, DoNotCall.phone == phone)
    return session.exec(q).first() is not None


def listed_among(session: Session, *, org_id: int, numbers: list[str]) -> set[str]:
    """Which of `numbers` are on the list (one query)."""
    if not numbers:
        return set()
    q = select(DoNotCall.phone).where(DoNotCall.organization_id == org_id, col(DoNotCall.phone).in_(numbers))
    return set(session.exec(q))


def _out(entry: DoNotCall) -> DoNotCallOut:
    return DoNotCallOut(
        phone=entry.phone,
        reason=entry.reason,
        source=entry.source,
        added_by=entry.added_by,
        created_at=entry.created_at,
    )


def _mark_leads(
    session: Session,
    org_id: int,
    numbers: list[str],
    *,
    source: str,
    reason: str | None = None,
    attempt: CallAttempt | None = None,
) -> int:
    """Mark the leads with these numbers `do_not_call`: one `lead.do_not_call` event for each lead that was not
    yet (the UPDATE returns only the rows it changed, so two concurrent adds never announce a lead twice)."""
    if not numbers:
        return 0
    marked = list(
        session.exec(
            update(Lead)
            .where(col(Lead.organization_id) == org_id, col(Lead.phone).in_(numbers), col(Lead.status) != "do_not_call")
            .values(status="do_not_call", updated_at=utcnow())
            .returning(id_column(Lead))
        ).scalars()
    )
    if marked:
        record_leads_do_not_call(session, lead_ids=marked, source=source, reason=reason, attempt=attempt)
    return len(marked)


def add_number(
    session: Session,
    *,
    org: Organization,
    actor: Actor,
    phone: str,
    reason: str | None = None,
    source: str = "manual",
    attempt: CallAttempt | None = None,
) -> DoNotCallAdded:
    """Put a number on the list (any format the organization's region reads; 422 naming `phone` otherwise)
    and mark its leads `do_not_call` (`lead.do_not_call`, with the campaign call's `attempt` when one asked).
    Adding a listed number again changes nothing (`added` is False)."""
    require(actor, "dnc.add")
    try:
        e164 = phones.parse_phone(phone, phones.default_region(org))
    except phones.InvalidValue as exc:
        raise ValidationFailed.field("phone", str(exc)) from None
    reason = " ".join((reason or "").split()) or None
    if reason is not None and len(reason) > MAX_REASON:
        raise ValidationFailed.field("reason", f"At most {MAX_REASON} characters")
    entry = session.exec(select(DoNotCall).where(DoNotCall.organization_id == org.id, DoNotCall.phone == e164)).first()
    added = entry is None
    if entry is None:
        entry = DoNotCall(
            organization_id=pk(org), phone=e164, reason=reason, source=source, added_by=actor.display[:320]
        )
        session.add(entry)
        session.flush()
        audit.record(
            session,
            organization_id=pk(org),
            actor=actor,
            action="do_not_call.added",
            target_type="phone",
            target_id=e164,
            details={"source": source},
        )
    marked = _mark_leads(session, pk(org), [e164], source=source, reason=reason, attempt=attempt)
    return DoNotCallAdded(**_out(entry).model_dump(), added=added, leads_marked=marked)


def remove_number(session: Session, *, org: Organization, actor: Actor, phone: str) -> DoNotCallRemoved:
    """Take a number off the list (404 when it is not on it); its `do_not_call` leads become `new` again."""
    require(actor, "dnc.manage")
    try:
        e164 = phones.parse_phone(phone, phones.default_region(org))
    except phones.InvalidValue:
        raise NotFound("Number not on the do-not-call list") from None
    entry = session.exec(select(DoNotCall).where(DoNotCall.organization_id == org.id, DoNotCall.phone == e164)).first()
    if entry is None:
        raise NotFound("Number not on the do-not-call list")
    session.delete(entry)
    result = session.exec(
        update(Lead)
        .where(col(Lead.organization_id) == org.id, col(Lead.phone) == e164, col(Lead.status) == "do_not_call")
        .values(status="new", updated_at=utcnow())
    )
    session.flush()
    audit.record(
        session, organization_id=pk(org), actor=actor, action="do_not_call.removed", target_type="phone", target_id=e164
    )
    return DoNotCallRemoved(phone=e164, leads_restored=int(result.rowcount or 0))


def list_numbers(
    session: Session, *, org: Organization, actor: Actor, search: str | None, page: int, per_page: int
) -> tuple[list[DoNotCallOut], int]:
    """The list, newest first, optionally the numbers containing the digits searched for."""
    require(actor, "dnc.read")
    conditions: list[Any] = [col(DoNotCall.organization_id) == org.id]
    digits = "".join(ch for ch in (search or "") if ch.isdigit())
    if digits:
        conditions.append(col(DoNotCall.phone).like(f"%{digits}%"))
    total = session.exec(select(func.count()).select_from(DoNotCall).where(*conditions)).one()
    rows = session.exec(
        select(DoNotCall)
        .where(*conditions)
        .order_by(col(DoNotCall.created_at).desc(), col(DoNotCall.id).desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    )
    return [_out(r) for r in rows], total


def import_numbers(session: Session, *, org: Organization, actor: Actor, file: IO[bytes]) -> DoNotCallImported:
    """Add the numbers of a CSV file (a column named phone, number, …, or the first column; an optional
    reason column). Rows whose number cannot be read are reported, the others added."""
    require(actor, "dnc.add")
    data = file.read(MAX_DNC_IMPORT_BYTES + 1)
    if len(data) > MAX_DNC_IMPORT_BYTES:
        raise ValidationFailed.field(
            "file", f"The file is larger than the {MAX_DNC_IMPORT_BYTES // 1024 // 1024} MB limit"
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationFailed.field("file", "The file is not UTF-8 text: save it as CSV UTF-8") from None
    if "\x00" in text:
        raise ValidationFailed.field("file", "The file is not a CSV file (it holds binary data)")
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [h.strip().lower() for h in next(reader, [])]
    if not header:
        raise ValidationFailed.field("file", "The file is empty")
    phone_at = next((header.index(h) for h in _PHONE_HEADERS if h in header), None)
    reason_at = header.index("reason") if "reason" in header else None
    rows: list[tuple[int, str, str | None]] = []
    if phone_at is None:  # no header: the first column holds numbers, from line 1
        phone_at, rows = 0, [(1, header[0], None)]
    region = phones.default_region(org)
    errors: list[RowError] = []
    wanted: dict[str, str | None] = {}
    try:
        for values in reader:
            rows.append((reader.line_num, values[phone_at] if phone_at < len(values) else "", _at(values, reason_at)))
    except csv.Error as exc:
        raise ValidationFailed.field("file", f"The file is not a valid CSV file: {exc}") from None
    for line, raw, reason in rows:
        if not raw.strip():
            continue
        try:
            wanted.setdefault(phones.parse_phone(raw, region), reason)
        except phones.InvalidValue as exc:
            errors.append(RowError(row=line, field="phone", message=str(exc)))
    if not wanted and errors:  # not one number in it: not a list of numbers (no phone column, another format)
        raise ValidationFailed.field(
            "file", "No phone number could be read: give a CSV with a phone column (or numbers in the first column)"
        )
    numbers = list(wanted)
    already: set[str] = set()
    for i in range(0, len(numbers), 1000):
        already |= listed_among(session, org_id=pk(org), numbers=numbers[i : i + 1000])
    by = actor.display[:320]
    new = [n for n in numbers if n not in already]
    session.add_all(
        DoNotCall(
            organization_id=pk(org),
            phone=n,
            reason=(wanted[n] or "")[:MAX_REASON] or None,
            source="import",
            added_by=by,
        )
        for n in new
    )
    session.flush()
    marked = sum(
        _mark_leads(session, pk(org), numbers[i : i + 1000], source="import") for i in range(0, len(numbers), 1000)
    )
    audit.record(
        session,
        organization_id=pk(org),
        actor=actor,
        action="do_not_call.imported",
        target_type="phone",
        details={"added": len(new), "errors": len(errors)},
    )
    return DoNotCallImported(
        rows=len(rows), added=len(new), already_listed=len(already), leads_marked=marked, errors=errors
    )


def _at(values: list[str], index: int | None) -> str | None:
    return values[index].strip() or None if index is not None and index < len(values) else None


def export_csv(session: Session, *, org: Organization, actor: Actor) -> Iterator[str]:
    """The whole list as CSV (phone, reason, source, added_by, created_at), oldest first. Checked now; read
    in pages with sessions of its own while the response streams (the request's session is gone by then)."""
    require(actor, "dnc.read")
    org_id = pk(org)

    def rows() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(["phone", "reason", "source", "added_by", "created_at"])
        last_id = 0
        while True:
            with Session(get_engine()) as s:
                batch = list(
                    s.exec(
                        select(DoNotCall)
                        .where(DoNotCall.organization_id == org_id, id_column(DoNotCall) > last_id)
                        .order_by(id_column(DoNotCall))
                        .limit(1000)
                    )
                )
            for entry in batch:
                created = entry.created_at.isoformat().replace("+00:00", "Z")
                writer.writerow(
                    [entry.phone, csv_safe(entry.reason or ""), entry.source, csv_safe(entry.added_by), created]
                )
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
            if len(batch) < 1000:
                return
            last_id = pk(batch[-1])

    return rows()


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PHONE_LIKE = re.compile(r"^[+\-]?[\d\s().\-]*$")


def csv_safe(value: str) -> str:
    """A cell a spreadsheet will not run as a formula (CSV injection); phone numbers such as +1 415… stay
    as they are, so that a file exported or reported here can be imported again."""
    if value.startswith(_FORMULA_START) and not _PHONE_LIKE.match(value):
        return "'" + value
    return value
