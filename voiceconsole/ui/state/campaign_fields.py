"""The campaign form as plain data: its fields, the calling window in words, and the payload the campaign service
takes (services/campaigns/campaigns.py `_clean`). No Reflex here, so all of it is unit-tested directly.

The payload passes what was typed through as it is when it does not parse (a "3x" attempts count, an unknown
date): the service then names every field at fault in one answer, and the form shows each next to its field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from voiceconsole.models.campaign_runs import RETRYABLE_OUTCOMES
from voiceconsole.services.campaigns import windows
from voiceconsole.ui import format as fmt

NONE = "none"  # Radix selects cannot hold an empty value: "no client", "any status"
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
# Every half hour of the day; "24:00" ends a window at midnight.
TIMES = [f"{h:02d}:{m:02d}" for h in range(24) for m in (0, 30)] + ["24:00"]
OUTCOME_LABELS = {"no_answer": "No answer", "busy": "Busy", "voicemail": "Voicemail", "failed": "Failed"}
LEAD_FIELD_LABELS = {
    "first_name": "First name",
    "last_name": "Last name",
    "phone": "Phone",
    "email": "Email",
    "company": "Company",
    "timezone": "Time zone",
    "custom": "Custom field…",
}
# What counts as a conversion → the service's success rule. "successful" is the platform's own evaluation of the
# call (Retell `call_successful`, Vapi `successEvaluation`); "booked" and "field" a post-call data field being true;
# "transferred" the call's end reason; "scorer" VoiceConsole's own outcome score.
SUCCESS_CHOICES = {
    "successful": "The call's success evaluation",
    "booked": "An appointment was booked (booked)",
    "transferred": "The call was transferred",
    "scorer": "The scorer's outcome is 70 or more",
    "field": "Another post-call field…",
}
AUDIENCE_FILTER_STATUSES = ("new", "queued", "in_progress", "contacted")


@dataclass
class VariableRow:
    name: str = ""  # the agent's {{variable}}
    source: str = "first_name"  # a LEAD_FIELD_LABELS key
    custom: str = ""  # the custom field's name when source is "custom"


@dataclass
class CampaignForm:
    name: str = ""
    client_id: str = NONE
    agent_id: str = ""
    caller_number: str = ""
    audience_kind: str = "tag"  # tag | filter | leads
    audience_tag: str = ""
    filter_status: str = NONE
    filter_client: str = NONE
    lead_ids: str = ""  # lead_… ids, separated by commas, spaces or lines
    starts_at: str = ""  # <input type=datetime-local>: the organization's wall clock
    ends_at: str = ""
    window_days: list[int] = field(default_factory=lambda: list(windows.DEFAULT_DAYS))
    window_start: str = windows.DEFAULT_START
    window_end: str = windows.DEFAULT_END
    max_concurrent: str = "5"
    max_attempts: str = "3"
    retry_delay_minutes: str = "60"
    retry_outcomes: list[str] = field(default_factory=lambda: ["no_answer", "busy"])
    leave_voicemail: bool = True
    voicemail_message: str = ""
    variables: list[VariableRow] = field(default_factory=list)
    success: str = "successful"  # a SUCCESS_CHOICES key
    success_field: str = ""


def _day_runs(days: list[int]) -> list[str]:
    """[1, 2, 3, 4, 5, 7] → ["Monday to Friday", "Sunday"]: three or more days in a row read as a range."""
    runs: list[list[int]] = []
    for d in sorted(set(days)):
        if runs and d == runs[-1][-1] + 1:
            runs[-1].append(d)
        else:
            runs.append([d])
    out: list[str] = []
    for run in runs:
        if len(run) >= 3:
            out.append(f"{DAY_NAMES[run[0] - 1]} to {DAY_NAMES[run[-1] - 1]}")
        else:
            out.extend(DAY_NAMES[d - 1] for d in run)
    return out


def _and(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"


def window_words(days: list[int], start: str, end: str) -> tuple[bool, str]:
    """(valid, sentence): the calling window in plain words, or what is wrong with it."""
    try:
        windows.Window.of(days, start, end)
    except windows.InvalidWindow as exc:
        return False, str(exc)
    when = "every day" if len(set(days)) == 7 else _and(_day_runs(days))
    hours = "at any hour" if (start, end) == ("00:00", "24:00") else f"between {start} and {end}"
    return True, (
        f"Calls {when} {hours} in each lead's own time zone; a lead in Tokyo is called on Tokyo time, "
        "one in New York on New York time."
    )


def _number(text: str) -> int | str:
    text = text.strip()
    return int(text) if text.isdigit() else text  # the service names a field that is not a whole number


def _moment(text: str, tz: str | None) -> str | None:
    """A datetime-local value on the organization's clock → ISO 8601 with its offset ("" → none)."""
    text = text.strip()
    if not text:
        return None
    try:
        return datetime.fromisoformat(text).replace(tzinfo=fmt.zone(tz)).isoformat()
    except ValueError:
        return text


def local_input(value: datetime | None, tz: str | None) -> str:
    """The inverse of `_moment`, to fill a datetime-local input."""
    return value.astimezone(fmt.zone(tz)).strftime("%Y-%m-%dT%H:%M") if value is not None else ""


def _audience(form: CampaignForm) -> dict[str, Any]:
    if form.audience_kind == "filter":
        out: dict[str, Any] = {"kind": "filter"}
        if form.filter_status != NONE:
            out["status"] = form.filter_status
        if form.filter_client != NONE:
            out["clientId"] = form.filter_client
        if form.audience_tag.strip():
            out["tag"] = form.audience_tag.strip()
        return out
    if form.audience_kind == "leads":
        ids = [i for i in form.lead_ids.replace(",", " ").split() if i]
        return {"kind": "leads", "leadIds": list(dict.fromkeys(ids))}
    return {"kind": "tag", "tag": form.audience_tag}


def _success_rule(form: CampaignForm) -> dict[str, Any]:
    if form.success in ("successful", "transferred"):
        return {"kind": form.success}
    if form.success == "scorer":
        return {"kind": "scorer", "min": 70}
    name = form.success_field.strip() if form.success == "field" else form.success
    return {"kind": "field", "field": name}


def payload(form: CampaignForm, tz: str | None) -> dict[str, Any]:
    """Every field of the form as the campaign service's `given` (snake_case names, wire-shaped values)."""
    return {
        "name": form.name,
        "client_id": None if form.client_id == NONE else form.client_id,
        "agent_id": form.agent_id,
        "caller_number": form.caller_number.strip(),
        "audience": _audience(form),
        "starts_at": _moment(form.starts_at, tz),
        "ends_at": _moment(form.ends_at, tz),
        "window": {"days": sorted(set(form.window_days)), "start": form.window_start, "end": form.window_end},
        "max_concurrent": _number(form.max_concurrent),
        "max_attempts": _number(form.max_attempts),
        "retry_delay_minutes": _number(form.retry_delay_minutes),
        "retry_outcomes": [o for o in RETRYABLE_OUTCOMES if o in form.retry_outcomes],
        "leave_voicemail": form.leave_voicemail,
        "voicemail_message": form.voicemail_message if form.leave_voicemail else None,
        "variables": {
            v.name.strip(): f"custom.{v.custom.strip()}" if v.source == "custom" else v.source
            for v in form.variables
            if v.name.strip()
        },
        "success_rule": _success_rule(form),
    }


def form_of(campaign: Any, tz: str | None) -> CampaignForm:
    """A saved draft (schemas.campaigns.CampaignOut) back into the form."""
    audience = campaign.audience or {}
    kind = audience.get("kind", "tag")
    rule = campaign.success_rule or {}
    named = rule.get("field", "") if rule.get("kind") == "field" else ""
    success = rule.get("kind") or "successful"
    if success == "field":
        success = named if named in SUCCESS_CHOICES else "field"
    elif success not in SUCCESS_CHOICES:
        success = "successful"
    return CampaignForm(
        name=campaign.name,
        client_id=campaign.client_id or NONE,
        agent_id=campaign.agent_id,
        caller_number=campaign.caller_number,
        audience_kind=kind,
        audience_tag=str(audience.get("tag") or ""),
        filter_status=str(audience.get("status") or NONE),
        filter_client=str(audience.get("clientId") or NONE),
        lead_ids="\n".join(audience.get("leadIds") or []),
        starts_at=local_input(campaign.starts_at, tz),
        ends_at=local_input(campaign.ends_at, tz),
        window_days=list(campaign.window.days),
        window_start=campaign.window.start,
        window_end=campaign.window.end,
        max_concurrent=str(campaign.max_concurrent),
        max_attempts=str(campaign.max_attempts),
        retry_delay_minutes=str(campaign.retry_delay_minutes),
        retry_outcomes=list(campaign.retry_outcomes),
        leave_voicemail=campaign.leave_voicemail,
        voicemail_message=campaign.voicemail_message or "",
        variables=[
            VariableRow(name, "custom", source.removeprefix("custom."))
            if source.startswith("custom.")
            else VariableRow(name, source)
            for name, source in campaign.variables.items()
        ],
        success=success,
        success_field=named if success == "field" else "",
    )
