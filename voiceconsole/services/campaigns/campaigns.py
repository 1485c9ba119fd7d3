"""Campaigns: create, change and delete them while drafts; start, pause, resume and cancel them.

Lifecycle: `draft → scheduled → running ⇄ paused → completed | cancelled`. Starting freezes the leads the
campaign selects (a tag, a filter or an explicit list) into `campaign_lead` rows: leads added to the tag later are
not called, and a lead whose number is on the do-not-call list at that moment is recorded `skipped_dnc` (the list
is checked again at every dial, services/campaigns/dispatcher.py). A campaign with a start time in the future is
`scheduled` until the dispatcher finds it due. Any other transition is a 409.

The dispatcher pauses a campaign itself, with the reason shown, when the platform refuses the key or the caller
number, or when billing says the organization may not spend (`pause_for`).
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, insert, or_, update
from sqlmodel import Session, col, select

from voiceconsole.models import (
    Agent,
    CallAttempt,
    Campaign,
    CampaignLead,
    Client,
    Integration,
    Lead,
    LeadTag,
    Organization,
)
from voiceconsole.models.campaign_runs import CAMPAIGN_STATUSES, RETRYABLE_OUTCOMES
from voiceconsole.models.types import id_column, pk, table_of, utcnow
from voiceconsole.schemas.campaigns import (
    AttemptOut,
    CallingWindow,
    CampaignDeleted,
    CampaignOut,
    CampaignProgress,
)
from voiceconsole.services.access import audit
from voiceconsole.services.access.actor import SYSTEM, Actor
from voiceconsole.services.access.permissions import require
from voiceconsole.services.campaigns import dnc, windows
from voiceconsole.services.campaigns.events import record_campaign_event
from voiceconsole.services.errors import Conflict, NotFound, ValidationFailed

DIAL_PLATFORMS = ("retell", "vapi")
MAX_NAME = 200
MAX_CONCURRENT = 100
MAX_ATTEMPTS = 10
MAX_DELAY_MINUTES = 7 * 24 * 60
MAX_EXPLICIT_LEADS = 10_000
MAX_VARIABLES = 50
LEAD_FIELDS = ("first_name", "last_name", "phone", "email", "company", "timezone")
EXCLUDED_LEAD_STATUSES = ("invalid", "not_interested")  # never selected by a campaign
_E164 = re.compile(r"^\+[1-9]\d{6,14}$")
_VAPI_NUMBER_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
_VARIABLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
_CUSTOM = re.compile(r"^custom\.[A-Za-z_][A-Za-z0-9_]{0,63}$")
_FIELD_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]{0,99}$")

# Transitions: action → (from statuses). The target is fixed but for start/resume (scheduled or running).
TRANSITIONS = {
    "start": ("draft",),
    "pause": ("scheduled", "running"),
    "resume": ("paused",),
    "cancel": ("draft", "scheduled", "running", "paused"),
}
EDITABLE = ("draft",)

# Service field names → wire names (errors name these).
WIRE = {
    "name": "name",
    "client_id": "clientId",
    "agent_id": "agentId",
    "caller_number": "callerNumber",
    "audience": "audience",
    "starts_at": "startsAt",
    "ends_at": "endsAt",
    "window": "window",
    "max_concurrent": "maxConcurrent",
    "max_attempts": "maxAttempts",
    "retry_delay_minutes": "retryDelayMinutes",
    "retry_outcomes": "retryOutcomes",
    "leave_voicemail": "leaveVoicemail",
    "voicemail_message": "voicemailMessage",
    "variables": "variables",
    "success_rule": "successRule",
}


# --------------------------------------------------------------------------------------------------
# Checking what is given
# --------------------------------------------------------------------------------------------------


class _Errors:
    def __init__(self) -> None:
        self.items: list[dict[str, str]] = []

    def add(self, name: str, message: str) -> None:
        self.items.append({"field": WIRE.get(name, name), "message": message})


def _aware(value: Any) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if not isinstance(value, datetime):
        raise ValueError("Must be an ISO 8601 date-time")
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _clean_audience(session: Session, org: Organization, raw: Any, errors: _Errors) -> dict[str, Any] | None:
    if not isinstance(raw, dict) or raw.get("kind") not in ("tag", "filter", "leads"):
        errors.add("audience", 'Give {"kind": "tag", "tag": …}, {"kind": "filter", …} or {"kind": "leads", …}')
        return None
    kind = raw["kind"]
    if kind == "tag":
        tag = " ".join(str(raw.get("tag") or "").split()).lower()
        if not tag or len(tag) > 50:
            errors.add("audience", "A tag of 1 to 50 characters")
            return None
        return {"kind": "tag", "tag": tag}
    if kind == "filter":
        out: dict[str, Any] = {"kind": "filter"}
        status = raw.get("status")
        if status is not None:
            if status not in ("new", "queued", "contacted", "in_progress"):
                errors.add("audience", "status: one of new, queued, in_progress, contacted")
                return None
            out["status"] = status
        if raw.get("tag"):
            out["tag"] = str(raw["tag"]).strip().lower()[:50]
        if raw.get("clientId"):
            found = session.exec(
                select(Client.id).where(Client.organization_id == org.id, Client.public_id == raw["clientId"])
            ).first()
            if found is None:
                errors.add("audience", "clientId: no such client")
                return None
            out["clientId"] = raw["clientId"]
        return out
    ids = raw.get("leadIds")
    if not isinstance(ids, list) or not ids or not all(isinstance(i, str) for i in ids):
        errors.add("audience", "leadIds: a non-empty list of lead ids")
        return None
    if len(ids) > MAX_EXPLICIT_LEADS:
        errors.add("audience", f"leadIds: at most {MAX_EXPLICIT_LEADS}")
        return None
    unique = list(dict.fromkeys(ids))
    known: set[str] = set()
    for i in range(0, len(unique), 1000):
        chunk = unique[i : i + 1000]
        known |= set(
            session.exec(select(Lead.public_id).where(Lead.organization_id == org.id, col(Lead.public_id).in_(chunk)))
        )
    missing = [i for i in unique if i not in known]
    if missing:
        errors.add("audience", f"leadIds: no such lead {missing[0]}")
        return None
    return {"kind": "leads", "leadIds": unique}


def _clean(
    session: Session, org: Organization, given: dict[str, Any], current: Campaign | None
) -> tuple[dict[str, Any], Agent | None]:
    """The columns to set from the fields given (every problem collected: 422 naming each field)."""
    errors = _Errors()
    values: dict[str, Any] = {}
    agent: Agent | None = None
    if "name" in given:
        name = " ".join(str(given["name"] or "").split())
        if not name or len(name) > MAX_NAME:
            errors.add("name", f"A name of 1 to {MAX_NAME} characters")
        else:
            values["name"] = name
    elif current is None:
        errors.add("name", "Name is required")
    if "client_id" in given:
        if given["client_id"] is None:
            values["client_id"] = None
        else:
            found = session.exec(
                select(Client.id).where(Client.organization_id == org.id, Client.public_id == given["client_id"])
            ).first()
            if found is None:
                errors.add("client_id", "No such client")
            else:
                values["client_id"] = found
    if "agent_id" in given:
        agent = session.exec(
            select(Agent).where(
                Agent.organization_id == org.id, Agent.platform_agent_id == str(given["agent_id"] or "")
            )
        ).first()
        if agent is None:
            errors.add("agent_id", "No such agent")
        elif agent.platform not in DIAL_PLATFORMS:
            errors.add("agent_id", f"Outbound campaigns run on Retell or Vapi agents, not {agent.platform}")
            agent = None
        elif agent.integration_id is None or session.get(Integration, agent.integration_id) is None:
            errors.add("agent_id", "The agent belongs to no connected integration")
            agent = None
        else:
            values["agent_id"] = pk(agent)
            values["integration_id"] = agent.integration_id
    elif current is None:
        errors.add("agent_id", "Agent is required")
    if agent is None and current is not None:
        agent = session.get(Agent, current.agent_id)
    if "caller_number" in given or "agent_id" in given:
        number = str(given.get("caller_number", current.caller_number if current else "") or "").strip()
        if not number:
            errors.add("caller_number", "Caller number is required")
        elif agent is not None and agent.platform == "retell" and not _E164.match(number):
            errors.add("caller_number", "Retell calls come from an E.164 number of the account, e.g. +14155550100")
        elif agent is not None and agent.platform == "vapi" and not _VAPI_NUMBER_ID.match(number):
            errors.add("caller_number", "Vapi calls come from a phone number id of the account (phoneNumberId)")
        else:
            values["caller_number"] = number
    elif current is None:
        errors.add("caller_number", "Caller number is required")
    if "audience" in given:
        audience = _clean_audience(session, org, given["audience"], errors)
        if audience is not None:
            values["audience"] = audience
    elif current is None:
        errors.add("audience", "Say which leads to call: a tag, a filter or a list")
    for name in ("starts_at", "ends_at"):
        if name in given:
            try:
                values[name] = _aware(given[name])
            except ValueError:
                errors.add(name, "Must be an ISO 8601 date-time")
    starts = values.get("starts_at", current.starts_at if current else None)
    ends = values.get("ends_at", current.ends_at if current else None)
    if starts is not None and ends is not None and ends <= starts:
        errors.add("ends_at", "The end must come after the start")
    if "window" in given:
        raw = given["window"] or {}
        try:
            if not isinstance(raw, dict):
                raise windows.InvalidWindow("Give days, start and end")
            days = raw.get("days", list(windows.DEFAULT_DAYS))
            start = raw.get("start", windows.DEFAULT_START)
            end = raw.get("end", windows.DEFAULT_END)
            windows.Window.of(days, start, end)
            values.update(window_days=sorted(set(days)), window_start=start, window_end=end)
        except windows.InvalidWindow as exc:
            errors.add("window", str(exc))
    for name, low, high in (
        ("max_concurrent", 1, MAX_CONCURRENT),
        ("max_attempts", 1, MAX_ATTEMPTS),
        ("retry_delay_minutes", 0, MAX_DELAY_MINUTES),
    ):
        if name in given:
            value = given[name]
            if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
                errors.add(name, f"A whole number from {low} to {high}")
            else:
                values[name] = value
    if "retry_outcomes" in given:
        outcomes = given["retry_outcomes"]
        if not isinstance(outcomes, list) or any(o not in RETRYABLE_OUTCOMES for o in outcomes):
            errors.add("retry_outcomes", f"A list of: {', '.join(RETRYABLE_OUTCOMES)}")
        else:
            values["retry_outcomes"] = [o for o in RETRYABLE_OUTCOMES if o in outcomes]
    if "leave_voicemail" in given:
        values["leave_voicemail"] = bool(given["leave_voicemail"])
    if "voicemail_message" in given:
        message = " ".join(str(given["voicemail_message"] or "").split()) or None
        if message is not None and len(message) > 1000:
            errors.add("voicemail_message", "At most 1000 characters")
        else:
            values["voicemail_message"] = message
    if "variables" in given:
        mapping = given["variables"] or {}
        if not isinstance(mapping, dict) or len(mapping) > MAX_VARIABLES:
            errors.add("variables", f"An object of at most {MAX_VARIABLES} variable names and lead fields")
        else:
            bad = [
                k
                for k, v in mapping.items()
                if not _VARIABLE.match(str(k)) or not (v in LEAD_FIELDS or (isinstance(v, str) and _CUSTOM.match(v)))
            ]
            if bad:
                errors.add(
                    "variables",
                    f"{bad[0]!r}: variable names are letters, digits and underscores; values a lead field "
                    f"({', '.join(LEAD_FIELDS)}) or custom.<name>",
                )
            else:
                values["variables"] = {str(k): str(v) for k, v in mapping.items()}
    if "success_rule" in given:
        rule = given["success_rule"] or {}
        kind = rule.get("kind") if isinstance(rule, dict) else None
        minimum = rule.get("min", 70) if isinstance(rule, dict) else None
        if kind in ("successful", "transferred"):
            values["success_rule"] = {"kind": kind}
        elif kind == "scorer" and isinstance(minimum, int) and not isinstance(minimum, bool) and 1 <= minimum <= 100:
            values["success_rule"] = {"kind": "scorer", "min": minimum}
        elif kind == "field" and isinstance(rule.get("field"), str) and _FIELD_NAME.match(rule["field"]):
            values["success_rule"] = {"kind": "field", "field": rule["field"]}
        else:
            errors.add(
                "success_rule",
                'Give {"kind": "successful"}, {"kind": "transferred"}, {"kind": "scorer", "min": 1-100} '
                'or {"kind": "field", "field": "<name>"}',
            )
    if errors.items:
        raise ValidationFailed("Validation failed", errors.items)
    return values, agent


# --------------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------------


def window_of(campaign: Campaign) -> windows.Window:
    return windows.Window.of(campaign.window_days, campaign.window_start, campaign.window_end)


def progress_of(session: Session, campaign_ids: list[int]) -> dict[int, CampaignProgress]:
    counts: dict[int, Counter[str]] = {i: Counter() for i in campaign_ids}
    converted: Counter[int] = Counter()
    if campaign_ids:
        rows = session.exec(
            select(CampaignLead.campaign_id, CampaignLead.state, func.count())
            .where(col(CampaignLead.campaign_id).in_(campaign_ids))
            .group_by(col(CampaignLead.campaign_id), col(CampaignLead.state))
        )
        for cid, state, n in rows:
            counts[cid][state] = n
        for cid, n in session.exec(
            select(CampaignLead.campaign_id, func.count())
            .where(col(CampaignLead.campaign_id).in_(campaign_ids), col(CampaignLead.converted).is_(True))
            .group_by(col(CampaignLead.campaign_id))
        ):
            converted[cid] = n
    return {
        cid: CampaignProgress(
            leads=sum(c.values()),
            pending=c["pending"],
            in_flight=c["in_flight"],
            done=c["done"],
            skipped_dnc=c["skipped_dnc"],
            exhausted=c["exhausted"],
            converted=converted[cid],
        )
        for cid, c in counts.items()
    }


def _outs(session: Session, campaigns: list[Campaign]) -> list[CampaignOut]:
    agents = {
        a.id: a
        for a in session.exec(select(Agent).where(col(Agent.id).in_({c.agent_id for c in campaigns})))
        if campaigns
    }
    client_ids = {c.client_id for c in campaigns if c.client_id is not None}
    clients = (
        dict(session.exec(select(Client.id, Client.public_id).where(col(Client.id).in_(client_ids))).all())
        if client_ids
        else {}
    )
    started = [pk(c) for c in campaigns if c.status != "draft"]
    progress = progress_of(session, started)
    out = []
    for c in campaigns:
        agent = agents.get(c.agent_id)
        window = window_of(c)
        out.append(
            CampaignOut(
                id=c.public_id,
                name=c.name,
                client_id=clients.get(c.client_id) if c.client_id is not None else None,
                agent_id=agent.platform_agent_id if agent else "",
                agent_name=agent.name if agent else None,
                platform=agent.platform if agent else "",
                caller_number=c.caller_number,
                audience=c.audience,
                starts_at=c.starts_at,
                ends_at=c.ends_at,
                window=CallingWindow(
                    days=c.window_days, start=c.window_start, end=c.window_end, description=window.describe()
                ),
                max_concurrent=c.max_concurrent,
                max_attempts=c.max_attempts,
                retry_delay_minutes=c.retry_delay_minutes,
                retry_outcomes=c.retry_outcomes,
                leave_voicemail=c.leave_voicemail,
                voicemail_message=c.voicemail_message,
                variables=c.variables,
                success_rule=c.success_rule,
                status=c.status,
                paused_reason=c.paused_reason,
                progress=progress.get(pk(c)),
                created_by=c.created_by,
                created_at=c.created_at,
                updated_at=c.updated_at,
                started_at=c.started_at,
                paused_at=c.paused_at,
                finished_at=c.finished_at,
            )
        )
    return out


def find_campaign(session: Session, org: Organization, campaign_id: str) -> Campaign:
    campaign = session.exec(
        select(Campaign).where(Campaign.organization_id == org.id, Campaign.public_id == campaign_id)
    ).first()
    if campaign is None:
        raise NotFound("Campaign not found")
    return campaign


def list_campaigns(
    session: Session, *, org: Organization, actor: Actor, status: str | None, page: int, per_page: int
) -> tuple[list[CampaignOut], int]:
    require(actor, "campaigns.read")
    conditions: list[Any] = [col(Campaign.organization_id) == org.id]
    if status is not None:
        if status not in CAMPAIGN_STATUSES:
            raise ValidationFailed.field("status", f"One of {', '.join(CAMPAIGN_STATUSES)}")
        conditions.append(col(Campaign.status) == status)
    total = session.exec(select(func.count()).select_from(Campaign).where(*conditions)).one()
    rows = list(
        session.exec(
            select(Campaign)
            .where(*conditions)
            .order_by(col(Campaign.created_at).desc(), col(Campaign.id).desc())
            .offset((page - 1) * per_page)
            .limit(per_page)
        )
    )
    return _outs(session, rows), total


def get_campaign(session: Session, *, org: Organization, actor: Actor, campaign_id: str) -> CampaignOut:
    require(actor, "campaigns.read")
    return _outs(session, [find_campaign(session, org, campaign_id)])[0]


def list_attempts(
    session: Session, *, org: Organization, actor: Actor, campaign_id: str, page: int, per_page: int
) -> tuple[list[AttemptOut], int]:
    """A campaign's dial attempts, newest first."""
    from voiceconsole.models import Call

    require(actor, "campaigns.read")
    campaign = find_campaign(session, org, campaign_id)
    where = col(CallAttempt.campaign_id) == campaign.id
    total = session.exec(select(func.count()).select_from(CallAttempt).where(where)).one()
    rows = list(
        session.exec(
            select(CallAttempt, Lead.public_id, Call.public_id)
            .join(Lead, col(Lead.id) == col(CallAttempt.lead_id))
            .outerjoin(Call, col(Call.id) == col(CallAttempt.call_id))
            .where(where)
            .order_by(col(CallAttempt.created_at).desc(), col(CallAttempt.id).desc())
            .offset((page - 1) * per_page)
            .limit(per_page)
        )
    )
    return [AttemptOut.of(a, lead_id=lead_id, call_id=call_id) for a, lead_id, call_id in rows], total


# --------------------------------------------------------------------------------------------------
# Writing drafts
# --------------------------------------------------------------------------------------------------


def create_campaign(session: Session, *, org: Organization, actor: Actor, given: dict[str, Any]) -> CampaignOut:
    """A new draft (422 naming every field at fault)."""
    require(actor, "campaigns.manage")
    values, _agent = _clean(session, org, given, None)
    campaign = Campaign(organization_id=pk(org), created_by=actor.display[:320], **values)
    session.add(campaign)
    session.flush()
    audit.record(
        session,
        organization_id=pk(org),
        actor=actor,
        action="campaign.created",
        target_type="campaign",
        target_id=campaign.public_id,
    )
    return _outs(session, [campaign])[0]


def _draft(session: Session, org: Organization, campaign_id: str, what: str) -> Campaign:
    campaign = find_campaign(session, org, campaign_id)
    if campaign.status not in EDITABLE:
        raise Conflict(
            f"Only a draft campaign can be {what}",
            [{"field": "status", "message": f"The campaign is {campaign.status}"}],
        )
    return campaign


def update_campaign(
    session: Session, *, org: Organization, actor: Actor, campaign_id: str, given: dict[str, Any]
) -> CampaignOut:
    """Change a draft (409 once started)."""
    require(actor, "campaigns.manage")
    campaign = _draft(session, org, campaign_id, "changed")
    values, _agent = _clean(session, org, given, campaign)
    for key, value in values.items():
        setattr(campaign, key, value)
    campaign.updated_at = utcnow()
    session.add(campaign)
    session.flush()
    audit.record(
        session,
        organization_id=pk(org),
        actor=actor,
        action="campaign.updated",
        target_type="campaign",
        target_id=campaign.public_id,
        details={"fields": sorted(WIRE.get(k, k) for k in given)},
    )
    return _outs(session, [campaign])[0]


def delete_campaign(session: Session, *, org: Organization, actor: Actor, campaign_id: str) -> CampaignDeleted:
    """Delete a draft (409 once started: cancel it instead, its attempts stay)."""
    require(actor, "campaigns.manage")
    campaign = _draft(session, org, campaign_id, "deleted")
    session.delete(campaign)
    session.flush()
    audit.record(
        session,
        organization_id=pk(org),
        actor=actor,
        action="campaign.deleted",
        target_type="campaign",
        target_id=campaign_id,
    )
    return CampaignDeleted(id=campaign_id)


# --------------------------------------------------------------------------------------------------
# Transitions
# --------------------------------------------------------------------------------------------------


def _invalid(campaign: Campaign, action: str) -> Conflict:
    allowed = ", ".join(TRANSITIONS[action])
    return Conflict(
        f"Cannot {action} a {campaign.status} campaign",
        [{"field": "status", "message": f"The campaign is {campaign.status}; {action} needs: {allowed}"}],
    )


def _selected_lead_ids(session: Session, org: Organization, audience: dict[str, Any]) -> list[int]:
    conditions: list[Any] = [
        col(Lead.organization_id) == org.id,
        col(Lead.status).not_in(EXCLUDED_LEAD_STATUSES),
    ]
    kind = audience.get("kind")
    if kind == "tag" or (kind == "filter" and audience.get("tag")):
        tagged = select(LeadTag.lead_id).where(LeadTag.organization_id == org.id, LeadTag.tag == audience["tag"])
        conditions.append(col(Lead.id).in_(tagged))
    if kind == "filter":
        if audience.get("status"):
            conditions.append(col(Lead.status) == audience["status"])
        if audience.get("clientId"):
            client = session.exec(
                select(Client.id).where(Client.organization_id == org.id, Client.public_id == audience["clientId"])
            ).first()
            conditions.append(col(Lead.client_id) == client)
    if kind == "leads":
        ids: list[int] = []
        wanted = list(audience.get("leadIds") or [])
        for i in range(0, len(wanted), 1000):
            ids += list(
                session.exec(select(id_column(Lead)).where(*conditions, col(Lead.public_id).in_(wanted[i : i + 1000])))
            )
        return sorted(ids)
    return list(session.exec(select(id_column(Lead)).where(*conditions).order_by(id_column(Lead))))


def _freeze_leads(session: Session, org: Organization, campaign: Campaign) -> int:
    """The campaign's leads, fixed now: one pending row per lead (skipped_dnc for a listed number)."""
    lead_ids = _selected_lead_ids(session, org, campaign.audience)
    if not lead_ids:
        raise ValidationFailed.field("audience", "The campaign selects no lead that can be called")
    now = utcnow()
    table = table_of(CampaignLead)
    for i in range(0, len(lead_ids), 1000):
        chunk = lead_ids[i : i + 1000]
        phones = dict(session.exec(select(Lead.id, Lead.phone).where(col(Lead.id).in_(chunk))).all())
        listed = dnc.listed_among(session, org_id=pk(org), numbers=list(phones.values()))
        session.exec(
            insert(table).values(
                [
                    {
                        "campaign_id": pk(campaign),
                        "lead_id": lead_id,
                        "organization_id": pk(org),
                        "state": "skipped_dnc" if phones[lead_id] in listed else "pending",
                        "attempts": 0,
                        "next_attempt_at": None,
                        "last_outcome": None,
                        "converted": False,
                        "updated_at": now,
                    }
                    for lead_id in chunk
                ]
            )
        )
        session.exec(
            update(Lead)
            .where(col(Lead.id).in_(chunk), col(Lead.status) == "new", col(Lead.phone).not_in(listed))
            .values(status="queued", updated_at=now)
        )
    return len(lead_ids)


def mark_running(session: Session, campaign: Campaign, now: datetime) -> None:
    """The campaign starts calling now (from draft, scheduled or paused): `campaign.started` the first time."""
    first = campaign.started_at is None
    campaign.status = "running"
    campaign.paused_reason = None
    campaign.paused_at = None
    campaign.started_at = campaign.started_at or now
    campaign.updated_at = now
    session.add(campaign)
    if first:
        record_campaign_event(session, campaign, "campaign.started", startedAt=now)


def start_campaign(session: Session, *, org: Organization, actor: Actor, campaign_id: str) -> CampaignOut:
    """draft → running (or scheduled, with a start time to come): the leads are frozen now."""
    require(actor, "campaigns.manage")
    campaign = find_campaign(session, org, campaign_id)
    if campaign.status not in TRANSITIONS["start"]:
        raise _invalid(campaign, "start")
    now = utcnow()
    if campaign.ends_at is not None and campaign.ends_at <= now:
        raise ValidationFailed.field("endsAt", "The campaign's end has passed")
    frozen = _freeze_leads(session, org, campaign)
    session.flush()
    if campaign.starts_at is not None and campaign.starts_at > now:
        campaign.status = "scheduled"
        campaign.updated_at = now
        session.add(campaign)
    else:
        mark_running(session, campaign, now)
    session.flush()
    audit.record(
        session,
        organization_id=pk(org),
        actor=actor,
        action="campaign.started",
        target_type="campaign",
        target_id=campaign.public_id,
        details={"leads": frozen, "status": campaign.status},
    )
    return _outs(session, [campaign])[0]


def _reloaded(session: Session, campaign: Campaign) -> Campaign:
    """The campaign as this session sees it now (the object given may belong to another session)."""
    fresh = session.get(Campaign, campaign.id)
    if fresh is None:
        raise NotFound("Campaign not found")
    session.refresh(fresh)
    return fresh


def pause_for(session: Session, campaign: Campaign, reason: str, *, actor: Actor = SYSTEM) -> bool:
    """Pause a scheduled or running campaign with the reason shown (the dispatcher's own pauses too). False if
    it was neither (nothing changed). Calls in flight run to their end; their outcomes are still recorded."""
    now = utcnow()
    done = session.exec(
        update(Campaign)
        .where(col(Campaign.id) == campaign.id, col(Campaign.status).in_(TRANSITIONS["pause"]))
        .values(status="paused", paused_reason=reason[:500], paused_at=now, updated_at=now)
    ).rowcount
    if not done:
        return False
    campaign = _reloaded(session, campaign)
    record_campaign_event(
        session,
        campaign,
        "campaign.paused",
        pausedAt=now,
        reason=campaign.paused_reason,
        pausedBy="system" if actor.kind == "system" else "user",
    )
    audit.record(
        session,
        organization_id=campaign.organization_id,
        actor=actor,
        action="campaign.paused",
        target_type="campaign",
        target_id=campaign.public_id,
        details={"reason": campaign.paused_reason},
    )
    return True


def pause_campaign(session: Session, *, org: Organization, actor: Actor, campaign_id: str) -> CampaignOut:
    require(actor, "campaigns.manage")
    campaign = find_campaign(session, org, campaign_id)
    if campaign.status not in TRANSITIONS["pause"] or not pause_for(
        session, campaign, f"Paused by {actor.display}", actor=actor
    ):
        raise _invalid(campaign, "pause")
    return _outs(session, [campaign])[0]


def resume_campaign(session: Session, *, org: Organization, actor: Actor, campaign_id: str) -> CampaignOut:
    """paused → running (or scheduled, before its start time). A cause that remains pauses it again."""
    require(actor, "campaigns.manage")
    campaign = find_campaign(session, org, campaign_id)
    if campaign.status not in TRANSITIONS["resume"]:
        raise _invalid(campaign, "resume")
    now = utcnow()
    if campaign.started_at is None and campaign.starts_at is not None and campaign.starts_at > now:
        campaign.status, campaign.paused_reason, campaign.paused_at = "scheduled", None, None
        session.add(campaign)
    else:
        mark_running(session, campaign, now)
    session.flush()
    audit.record(
        session,
        organization_id=pk(org),
        actor=actor,
        action="campaign.resumed",
        target_type="campaign",
        target_id=campaign.public_id,
    )
    return _outs(session, [campaign])[0]


def cancel_campaign(session: Session, *, org: Organization, actor: Actor, campaign_id: str) -> CampaignOut:
    """Stop for good: nothing more is dialed (calls in flight end on their own; their outcomes are kept)."""
    require(actor, "campaigns.manage")
    campaign = find_campaign(session, org, campaign_id)
    now = utcnow()
    done = session.exec(
        update(Campaign)
        .where(col(Campaign.id) == campaign.id, col(Campaign.status).in_(TRANSITIONS["cancel"]))
        .values(status="cancelled", finished_at=now, updated_at=now)
    ).rowcount
    if not done:
        raise _invalid(campaign, "cancel")
    session.refresh(campaign)
    audit.record(
        session,
        organization_id=pk(org),
        actor=actor,
        action="campaign.cancelled",
        target_type="campaign",
        target_id=campaign.public_id,
    )
    return _outs(session, [campaign])[0]


def complete_if_done(session: Session, campaign: Campaign, *, now: datetime | None = None, ended: bool = False) -> bool:
    """A running campaign whose every lead is settled (or whose end time passed: `ended`) is completed."""
    if not ended:
        open_leads = session.exec(
            select(func.count())
            .select_from(CampaignLead)
            .where(
                col(CampaignLead.campaign_id) == campaign.id,
                or_(col(CampaignLead.state) == "pending", col(CampaignLead.state) == "in_flight"),
            )
        ).one()
        if open_leads:
            return False
    now = now or utcnow()
    done = session.exec(
        update(Campaign)
        .where(col(Campaign.id) == campaign.id, col(Campaign.status) == "running")
        .values(status="completed", finished_at=now, updated_at=now)
    ).rowcount
    if not done:
        return False
    campaign = _reloaded(session, campaign)
    record_campaign_event(session, campaign, "campaign.completed", finishedAt=now)
    return True
