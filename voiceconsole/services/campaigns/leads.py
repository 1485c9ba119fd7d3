"""Leads: the people a campaign calls. One lead per phone number per organization.

What a lead may hold is checked once, here (`clean_lead`), for the API, the UI and imports alike: the
phone in E.164 (national formats in the organization's default region), the email's syntax, an IANA time
zone (derived from the number when not given), tags, string custom fields (the agent's dynamic variables)
and the consent given. A lead whose number is on the do-not-call list is `do_not_call`, however it got here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, func, or_
from sqlmodel import Session, col, select

from voiceconsole.models import LEAD_STATUSES, Call, CallAttempt, Campaign, Client, Lead, LeadTag, Organization
from voiceconsole.models.types import pk, utcnow
from voiceconsole.schemas.campaigns import AttemptOut
from voiceconsole.schemas.leads import Consent, LeadDeleted, LeadOut
from voiceconsole.services.access import audit
from voiceconsole.services.access.actor import Actor
from voiceconsole.services.access.permissions import require
from voiceconsole.services.campaigns import dnc, phones
from voiceconsole.services.errors import Conflict, NotFound, ValidationFailed

MAX_NAME = 100
MAX_COMPANY = 200
MAX_TAG = 50
MAX_TAGS = 20
MAX_CUSTOM_FIELDS = 50
MAX_CUSTOM_KEY = 64
MAX_CUSTOM_VALUE = 1000
MAX_CONSENT_TEXT = 200
_CUSTOM_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
DUPLICATE_PHONE = "A lead with this phone number already exists"

# The wire name of each field (errors name these).
WIRE = {
    "first_name": "firstName",
    "last_name": "lastName",
    "phone": "phone",
    "email": "email",
    "company": "company",
    "timezone": "timezone",
    "tags": "tags",
    "custom_fields": "customFields",
    "consent": "consent",
}


@dataclass
class CleanLead:
    """A lead's values once checked: only the fields that were given (None: given empty, cleared)."""

    values: dict[str, Any] = field(default_factory=dict)
    tags: list[str] | None = None
    errors: list[dict[str, str]] = field(default_factory=list)

    def fail(self, name: str, message: str) -> None:
        self.errors.append({"field": WIRE.get(name, name), "message": message})


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = " ".join(str(value).split())
    return text or None


def clean_tags(raw: Any) -> list[str]:
    """Tags trimmed, lower-cased, without duplicates, in the order given (InvalidValue otherwise)."""
    items = raw.replace(";", ",").split(",") if isinstance(raw, str) else list(raw or [])
    tags: list[str] = []
    for item in items:
        tag = _text(item)
        if tag is None:
            continue
        tag = tag.lower()
        if len(tag) > MAX_TAG:
            raise phones.InvalidValue(f"A tag has at most {MAX_TAG} characters")
        if tag not in tags:
            tags.append(tag)
    if len(tags) > MAX_TAGS:
        raise phones.InvalidValue(f"At most {MAX_TAGS} tags")
    return tags


def _clean_custom(raw: Any) -> dict[str, str]:
    if not isinstance(raw, dict):
        raise phones.InvalidValue("Must be an object of names and text values")
    if len(raw) > MAX_CUSTOM_FIELDS:
        raise phones.InvalidValue(f"At most {MAX_CUSTOM_FIELDS} custom fields")
    out: dict[str, str] = {}
    for key, value in raw.items():
        if not isinstance(key, str) or not _CUSTOM_KEY.match(key):
            raise phones.InvalidValue(
                "Names are letters, digits and underscores (at most 64, not starting with a digit)"
            )
        text = "" if value is None else str(value).strip()
        if len(text) > MAX_CUSTOM_VALUE:
            raise phones.InvalidValue(f"A value has at most {MAX_CUSTOM_VALUE} characters")
        out[key] = text
    return out


def _clean_consent(raw: Any) -> dict[str, Any] | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise phones.InvalidValue("Must be an object with at, method and source")
    at = raw.get("at")
    if isinstance(at, str) and at.strip():
        try:
            at = datetime.fromisoformat(at.strip().replace("Z", "+00:00"))
        except ValueError:
            raise phones.InvalidValue("at must be an ISO 8601 date-time") from None
    if isinstance(at, datetime):
        at = (at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)).isoformat().replace("+00:00", "Z")
    elif at not in (None, ""):
        raise phones.InvalidValue("at must be an ISO 8601 date-time")
    method, source = _text(raw.get("method")), _text(raw.get("source"))
    for key, text in (("method", method), ("source", source)):
        if text is not None and len(text) > MAX_CONSENT_TEXT:
            raise phones.InvalidValue(f"{key} has at most {MAX_CONSENT_TEXT} characters")
    consent = {"at": at or None, "method": method, "source": source}
    return consent if any(consent.values()) else None


def clean_lead(given: dict[str, Any], *, region: str, derive_timezone: bool = True) -> CleanLead:
    """Check the fields given (snake_case names of `WIRE`); every problem is collected, each naming its field.
    A phone given without a time zone gets the number's zone (when `derive_timezone`)."""
    out = CleanLead()
    for name in ("first_name", "last_name", "company"):
        if name in given:
            value = _text(given[name])
            limit = MAX_COMPANY if name == "company" else MAX_NAME
            if value is not None and len(value) > limit:
                out.fail(name, f"At most {limit} characters")
            else:
                out.values[name] = value
    checks = {"phone": None, "email": phones.check_email, "timezone": phones.check_timezone}
    for name, check in checks.items():
        if name not in given:
            continue
        value = _text(given[name])
        if value is None:
            if name == "phone":
                out.fail(name, "Phone number is required")
            else:
                out.values[name] = None
            continue
        try:
            if name == "phone":
                out.values["phone"], derived = phones.parse_phone_and_zone(value, region)
                if derive_timezone and "timezone" not in given:
                    out.values["timezone"] = derived
            elif check is not None:
                out.values[name] = check(value)
        except phones.InvalidValue as exc:
            out.fail(name, str(exc))
    for name, clean in (("custom_fields", _clean_custom), ("consent", _clean_consent)):
        if name in given:
            try:
                out.values[name] = clean(given[name])
            except phones.InvalidValue as exc:
                out.fail(name, str(exc))
    if "tags" in given:
        try:
            out.tags = clean_tags(given["tags"])
        except phones.InvalidValue as exc:
            out.fail("tags", str(exc))
    return out


# --------------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------------


@dataclass
class LeadFilters:
    status: str | None = None
    tag: str | None = None
    client_id: str | None = None  # cli_…
    search: str | None = None


def _tags_of(session: Session, lead_ids: list[int]) -> dict[int, list[str]]:
    tags: dict[int, list[str]] = {i: [] for i in lead_ids}
    if lead_ids:
        q = select(LeadTag.lead_id, LeadTag.tag).where(col(LeadTag.lead_id).in_(lead_ids)).order_by(col(LeadTag.tag))
        for lead_id, tag in session.exec(q):
            tags[lead_id].append(tag)
    return tags


def _client_ids(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(session.exec(select(Client.id, Client.public_id).where(col(Client.id).in_(ids))).all())  # type: ignore[arg-type]


def _outs(session: Session, leads: list[Lead]) -> list[LeadOut]:
    tags = _tags_of(session, [pk(lead) for lead in leads])
    clients = _client_ids(session, {lead.client_id for lead in leads if lead.client_id is not None})
    return [
        LeadOut(
            id=lead.public_id,
            first_name=lead.first_name,
            last_name=lead.last_name,
            phone=lead.phone,
            email=lead.email,
            company=lead.company,
            timezone=lead.timezone,
            client_id=clients.get(lead.client_id) if lead.client_id is not None else None,
            tags=tags[pk(lead)],
            custom_fields=lead.custom_fields or {},
            consent=Consent(**lead.consent) if lead.consent else None,
            status=lead.status,
            created_at=lead.created_at,
            updated_at=lead.updated_at,
        )
        for lead in leads
    ]


def _get(session: Session, org: Organization, lead_id: str) -> Lead:
    lead = session.exec(select(Lead).where(Lead.organization_id == org.id, Lead.public_id == lead_id)).first()
    if lead is None:
        raise NotFound("Lead not found")
    return lead


def client_pk(
    session: Session, org: Organization, client_id: str | None, *, field_name: str = "clientId"
) -> int | None:
    """The row id of the organization's client `cli_…` (None for None); 422 naming the field otherwise."""
    if client_id is None:
        return None
    found = session.exec(
        select(Client.id).where(Client.organization_id == org.id, Client.public_id == client_id)
    ).first()
    if found is None:
        raise ValidationFailed.field(field_name, "No such client")
    return found


def list_leads(
    session: Session,
    *,
    org: Organization,
    actor: Actor,
    filters: LeadFilters,
    page: int,
    per_page: int,
    newest_first: bool = True,
) -> tuple[list[LeadOut], int]:
    """One page of the organization's leads (newest first unless asked otherwise; ties by id) and the total."""
    require(actor, "leads.read")
    conditions: list[Any] = [col(Lead.organization_id) == org.id]
    if filters.status is not None:
        if filters.status not in LEAD_STATUSES:
            raise ValidationFailed.field("status", f"One of {', '.join(LEAD_STATUSES)}")
        conditions.append(col(Lead.status) == filters.status)
    if filters.tag:
        tagged = select(LeadTag.lead_id).where(LeadTag.organization_id == org.id, LeadTag.tag == filters.tag.lower())
        conditions.append(col(Lead.id).in_(tagged))
    if filters.client_id:
        client = session.exec(
            select(Client.id).where(Client.organization_id == org.id, Client.public_id == filters.client_id)
        ).first()
        if client is None:
            return [], 0
        conditions.append(col(Lead.client_id) == client)
    if filters.search and filters.search.strip():
        term = filters.search.strip().lower()
        like = f"%{_escape(term)}%"
        matches = [
            func.lower(col(column)).like(like, escape="\\")
            for column in (Lead.first_name, Lead.last_name, Lead.email, Lead.company)
        ]
        matches.append(
            func.lower(func.coalesce(Lead.first_name, "") + " " + func.coalesce(Lead.last_name, "")).like(
                like, escape="\\"
            )
        )
        digits = re.sub(r"\D", "", term)
        if digits:
            matches.append(col(Lead.phone).like(f"%{digits}%"))
        conditions.append(or_(*matches))
    total = session.exec(select(func.count()).select_from(Lead).where(*conditions)).one()
    order = (
        (col(Lead.created_at).desc(), col(Lead.id).desc())
        if newest_first
        else (
            col(Lead.created_at).asc(),
            col(Lead.id).asc(),
        )
    )
    rows = list(
        session.exec(select(Lead).where(*conditions).order_by(*order).offset((page - 1) * per_page).limit(per_page))
    )
    return _outs(session, rows), total


def _escape(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def get_lead(session: Session, *, org: Organization, actor: Actor, lead_id: str) -> LeadOut:
    require(actor, "leads.read")
    return _outs(session, [_get(session, org, lead_id)])[0]


class LeadAttempt(AttemptOut):
    """A dial of one lead, with the campaign that made it (a lead may be in several campaigns)."""

    campaign_id: str  # cmp_…
    campaign_name: str


MAX_LEAD_ATTEMPTS = 500  # a lead is dialed a few times per campaign: far more is not one person's history


def list_lead_attempts(session: Session, *, org: Organization, actor: Actor, lead_id: str) -> list[LeadAttempt]:
    """Every dial of the lead, newest first, each with its campaign and (once it arrived) its call."""
    require(actor, "leads.read")
    lead = _get(session, org, lead_id)
    rows = session.exec(
        select(CallAttempt, Campaign.public_id, Campaign.name, Call.public_id)
        .join(Campaign, col(Campaign.id) == col(CallAttempt.campaign_id))
        .outerjoin(Call, col(Call.id) == col(CallAttempt.call_id))
        .where(col(CallAttempt.organization_id) == org.id, col(CallAttempt.lead_id) == lead.id)
        .order_by(col(CallAttempt.created_at).desc(), col(CallAttempt.id).desc())
        .limit(MAX_LEAD_ATTEMPTS)
    )
    return [
        LeadAttempt.of(a, lead_id=lead_id, call_id=call_id, campaign_id=campaign_id, campaign_name=campaign_name)
        for a, campaign_id, campaign_name, call_id in rows
    ]


def attempt_summaries(
    session: Session, *, org: Organization, actor: Actor, lead_ids: list[str]
) -> dict[str, tuple[int, datetime | None]]:
    """For a page of leads (`lead_…`): how many times each was dialed and when last (leads never dialed are
    left out). One query, scoped to the organization."""
    require(actor, "leads.read")
    if not lead_ids:
        return {}
    q = (
        select(Lead.public_id, func.count(col(CallAttempt.id)), func.max(CallAttempt.created_at))
        .join(CallAttempt, col(CallAttempt.lead_id) == col(Lead.id))
        .where(col(Lead.organization_id) == org.id, col(Lead.public_id).in_(lead_ids))
        .group_by(col(Lead.public_id))
    )
    return {public: (count, last) for public, count, last in session.exec(q)}


# --------------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------------


def _duplicate() -> Conflict:
    return Conflict(DUPLICATE_PHONE, [{"field": "phone", "message": DUPLICATE_PHONE}])


def _phone_taken(session: Session, org: Organization, phone: str, except_id: int | None = None) -> bool:
    q = select(Lead.id).where(Lead.organization_id == org.id, Lead.phone == phone)
    if except_id is not None:
        q = q.where(Lead.id != except_id)
    return session.exec(q).first() is not None


def set_tags(session: Session, lead: Lead, tags: list[str]) -> None:
    session.exec(delete(LeadTag).where(col(LeadTag.lead_id) == lead.id))
    for tag in tags:
        session.add(LeadTag(lead_id=pk(lead), tag=tag, organization_id=lead.organization_id))


def create_lead(
    session: Session, *, org: Organization, actor: Actor, given: dict[str, Any], client_id: str | None = None
) -> LeadOut:
    """A new lead (422 naming every field at fault; 409 naming `phone` when the number has a lead already).
    Stored as `do_not_call` when the number is on the list."""
    require(actor, "leads.manage")
    cleaned = clean_lead({"phone": given.get("phone"), **given}, region=phones.default_region(org))
    client = None
    try:
        client = client_pk(session, org, client_id)
    except ValidationFailed as exc:
        cleaned.errors.extend(exc.details)
    if cleaned.errors:
        raise ValidationFailed("Validation failed", cleaned.errors)
    phone = cleaned.values["phone"]
    if _phone_taken(session, org, phone):
        raise _duplicate()
    status = given.get("status") or "new"
    if dnc.is_listed(session, org_id=pk(org), phone=phone):
        status = "do_not_call"
    elif status == "do_not_call":
        dnc.add_number(
            session, org=org, actor=actor, phone=phone, reason="Lead created as do-not-call", source="manual"
        )
    lead = Lead(organization_id=pk(org), client_id=client, status=status, **cleaned.values)
    session.add(lead)
    session.flush()
    set_tags(session, lead, cleaned.tags or [])
    session.flush()
    audit.record(
        session,
        organization_id=pk(org),
        actor=actor,
        action="lead.created",
        target_type="lead",
        target_id=lead.public_id,
    )
    return _outs(session, [lead])[0]


_UNSET: Any = object()


def update_lead(
    session: Session,
    *,
    org: Organization,
    actor: Actor,
    lead_id: str,
    given: dict[str, Any],
    client_id: str | None = _UNSET,
    status: str | None = None,
) -> LeadOut:
    """Change the fields given (None clears an optional one). A new phone is checked like a new lead's; a
    status may be set, except away from `do_not_call` while the number is on the list (409); setting
    `do_not_call` adds the number to the list."""
    require(actor, "leads.manage")
    lead = _get(session, org, lead_id)
    cleaned = clean_lead(given, region=phones.default_region(org), derive_timezone=False)
    client = lead.client_id
    if client_id is not _UNSET:
        try:
            client = client_pk(session, org, client_id)
        except ValidationFailed as exc:
            cleaned.errors.extend(exc.details)
    if status is not None and status not in LEAD_STATUSES:
        cleaned.fail("status", f"One of {', '.join(LEAD_STATUSES)}")
    if cleaned.errors:
        raise ValidationFailed("Validation failed", cleaned.errors)
    phone = cleaned.values.get("phone", lead.phone)
    if phone != lead.phone:
        if _phone_taken(session, org, phone, except_id=lead.id):
            raise _duplicate()
        if "timezone" not in given:
            cleaned.values["timezone"] = phones.timezone_of(phone)
    listed = dnc.is_listed(session, org_id=pk(org), phone=phone)
    new_status = status or lead.status
    if listed:
        if status is not None and status != "do_not_call":
            raise Conflict(
                "The number is on the do-not-call list",
                [{"field": "status", "message": "Remove the number from the do-not-call list first"}],
            )
        new_status = "do_not_call"
    elif status == "do_not_call":
        dnc.add_number(session, org=org, actor=actor, phone=phone, reason="Lead marked do-not-call", source="manual")
    elif phone != lead.phone and lead.status == "do_not_call" and status is None:
        new_status = "new"  # the old number was the one not to call
    changed = {k: v for k, v in cleaned.values.items() if getattr(lead, k) != v}
    for key, value in cleaned.values.items():
        setattr(lead, key, value)
    if new_status != lead.status:
        changed["status"] = new_status
    lead.status = new_status
    if client != lead.client_id:
        changed["client_id"] = client
    lead.client_id = client
    if cleaned.tags is not None:
        set_tags(session, lead, cleaned.tags)
        changed["tags"] = cleaned.tags
    lead.updated_at = utcnow()
    session.add(lead)
    session.flush()
    audit.record(
        session,
        organization_id=pk(org),
        actor=actor,
        action="lead.updated",
        target_type="lead",
        target_id=lead.public_id,
        details={"fields": sorted(WIRE.get(k, k) for k in changed)},
    )
    return _outs(session, [lead])[0]


def delete_lead(session: Session, *, org: Organization, actor: Actor, lead_id: str) -> LeadDeleted:
    """Delete a lead and its tags (the do-not-call list keeps its number, if it is on it)."""
    require(actor, "leads.manage")
    lead = _get(session, org, lead_id)
    session.exec(delete(LeadTag).where(col(LeadTag.lead_id) == lead.id))
    session.delete(lead)
    session.flush()
    audit.record(
        session, organization_id=pk(org), actor=actor, action="lead.deleted", target_type="lead", target_id=lead_id
    )
    return LeadDeleted(id=lead_id)
