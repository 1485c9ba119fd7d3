"""Events written for people: Slack Block Kit, Discord embeds, email (plain text and HTML).

Signed webhooks carry the event as is (services/webhook_signing.py); these formats are for the
humans reading a channel. Every event type is rendered from whatever keys its payload has, so a
payload missing a field renders without that line rather than failing the delivery.
"""

from __future__ import annotations

import html
from typing import Any

EVENT_TITLES = {
    "call.completed": "Call completed",
    "call.low_score": "Low-scoring call",
    "call.new": "New call",
    "agent.status_change": "Agent status changed",
    "daily_summary": "Daily summary",
    "campaign.started": "Campaign started",
    "campaign.paused": "Campaign paused",
    "campaign.completed": "Campaign completed",
    "lead.converted": "Lead converted",
    "lead.do_not_call": "Do not call",
}
_CAMPAIGN_VERBS = {"campaign.started": "started", "campaign.paused": "paused", "campaign.completed": "completed"}
_SLACK_HEADER_MAX = 150
_SLACK_TEXT_MAX = 2900
_DISCORD_TITLE_MAX = 256
_DISCORD_DESCRIPTION_MAX = 4000
_DISCORD_FIELD_MAX = 1024
GREEN, AMBER, RED, GREY, BLUE = 0x2ECC71, 0xF1C40F, 0xE74C3C, 0x95A5A6, 0x3498DB


# --------------------------------------------------------------------------------------------------
# What to say (shared by every format)
# --------------------------------------------------------------------------------------------------


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _score(value: Any) -> str | None:
    return f"{value}/100" if isinstance(value, (int, float)) else None


def _duration(seconds: Any) -> str | None:
    if not isinstance(seconds, (int, float)):
        return None
    seconds = round(seconds)
    return f"{seconds // 60}m {seconds % 60:02d}s" if seconds >= 60 else f"{seconds}s"


def _money(value: Any) -> str | None:
    return f"${value:,.2f}" if isinstance(value, (int, float)) else None


def _percent(rate: Any) -> str | None:
    """A 0–1 rate as people read it: 0.818 → 81.8%."""
    return f"{round(rate * 100, 1):g}%" if isinstance(rate, (int, float)) else None


def _signed(value: Any, suffix: str = "") -> str | None:
    if not isinstance(value, (int, float)):
        return None
    return f"{'+' if value > 0 else ''}{value:g}{suffix}"


def score_color(score: Any) -> int:
    if not isinstance(score, (int, float)):
        return GREY
    return GREEN if score >= 80 else AMBER if score >= 60 else RED


def call_url(base_url: str, call_id: str | None) -> str | None:
    return f"{base_url}/calls/{call_id}" if call_id else None


def _count(value: Any) -> str:
    return f"{value:,}" if isinstance(value, int) else "?"


def campaign_update(event_type: str, data: dict[str, Any]) -> str:
    """The one line a campaign event says: "Spring reactivation paused: Retell refused the caller number ·
    412/1,000 leads dialed, 38 conversions"."""
    name = data.get("campaignName") or data.get("campaignId") or "A campaign"
    reason = data.get("reason") if event_type == "campaign.paused" else None
    converted = data.get("converted")
    plural = "" if converted == 1 else "s"
    progress = (
        f"{_count(data.get('dialed'))}/{_count(data.get('leads'))} leads dialed, {_count(converted)} conversion{plural}"
    )
    return f"{name} {_CAMPAIGN_VERBS.get(event_type, 'updated')}{f': {reason}' if reason else ''} · {progress}"


def _lead_line(event_type: str, data: dict[str, Any]) -> str:
    who = data.get("leadName") or data.get("phone") or "A lead"
    campaign = data.get("campaignName")
    if event_type == "lead.converted":
        return f"{who} converted{f' on a {campaign} call' if campaign else ''}."
    number = data.get("phone") or "The number"
    if data.get("source") == "call":
        where = f" on a {campaign} call" if campaign else ""
        return f"{who} asked not to be called again{where}: {number} is on the do-not-call list."
    whose = f" ({data['leadName']})" if data.get("leadName") else ""
    how = "by a do-not-call import" if data.get("source") == "import" else "to the do-not-call list"
    return f"{number}{whose} was added {how}; it will not be called."


class Message:
    """One event, said for people: a title, a line of context, labelled fields, a text, links."""

    def __init__(self, event_type: str, data: dict[str, Any], base_url: str):
        self.type, self.data, self.base_url = event_type, data or {}, base_url.rstrip("/")
        self.test = bool(self.data.get("test"))
        self.title = ("[Test] " if self.test else "") + self._title()
        self.intro = self._intro()
        self.fields = [(k, v) for k, v in self._fields() if v not in (None, "")]
        self.text = self._text()
        self.link = self._link()
        self.rows = self._rows()  # daily summary: the worst calls

    @property
    def is_campaign(self) -> bool:
        return self.type.startswith("campaign.")

    @property
    def is_lead(self) -> bool:
        return self.type.startswith("lead.")

    # call events ----------------------------------------------------------------------------------
    def _who(self) -> str:
        d = self.data
        return d.get("agentName") or d.get("agentId") or "an agent"

    def _title(self) -> str:
        d, t = self.data, self.type
        if t == "call.low_score":
            return f"Low score {_score(d.get('callScore')) or ''}: {self._who()}".replace("  ", " ")
        if t == "call.completed":
            score = _score(d.get("callScore"))
            return f"Call completed{f' ({score})' if score else ''}: {self._who()}"
        if t == "call.new":
            return f"New call: {self._who()}"
        if t == "agent.status_change":
            return f"{self._who()} is now {d.get('status') or 'changed'}"
        if t == "daily_summary":
            scope = d.get("clientName") or ("All clients" if d.get("clientId") is None else d.get("clientId"))
            date = f" ({d['date']})" if d.get("date") else ""
            return f"Daily summary, {scope}{date}"
        if self.is_campaign:
            return f"{EVENT_TITLES.get(t, t)}: {d.get('campaignName') or d.get('campaignId') or 'campaign'}"
        if self.is_lead:
            return f"{EVENT_TITLES.get(t, t)}: {d.get('leadName') or d.get('phone') or 'lead'}"
        return EVENT_TITLES.get(t, t)

    def _intro(self) -> str | None:
        d, t = self.data, self.type
        if t == "call.low_score":
            threshold = d.get("threshold")
            if isinstance(threshold, (int, float)):
                return f"This call scored {_score(d.get('callScore'))}, below the alert threshold of {threshold}."
            return "This call scored below the alert threshold."
        if t == "agent.status_change" and d.get("previousStatus"):
            return f"Was {d['previousStatus']}, now {d.get('status')}."
        if t == "daily_summary":
            tz = f" ({d['timezone']})" if d.get("timezone") else ""
            return f"Your calls on {d.get('date', 'the day')}{tz}."
        if self.is_campaign:
            return campaign_update(t, d)
        if self.is_lead:
            return _lead_line(t, d)
        return None

    def _fields(self) -> list[tuple[str, Any]]:
        d, t = self.data, self.type
        if t == "daily_summary":
            avg = d.get("avgScore")
            change = _signed(d.get("avgScoreChange"))
            avg_text = (
                f"{avg:g}{f' ({change} vs previous day)' if change else ''}" if isinstance(avg, (int, float)) else None
            )
            return [
                ("Calls", f"{d['calls']:,}" if isinstance(d.get("calls"), int) else d.get("calls")),
                ("Average score", avg_text),
                ("Success rate", _percent(d.get("successRate"))),
                ("Cost", _money(d.get("cost"))),
            ]
        if self.is_campaign:
            return [
                ("Leads dialed", f"{_count(d.get('dialed'))}/{_count(d.get('leads'))}"),
                ("Conversions", _count(d.get("converted"))),
                ("Agent", d.get("agentName")),
                ("Client", d.get("clientName")),
            ]
        if self.is_lead:
            return [
                ("Phone", d.get("phone")),
                ("Campaign", d.get("campaignName")),
                ("Client", d.get("clientName")),
                ("Reason", d.get("reason") if t == "lead.do_not_call" else None),
            ]
        if t == "agent.status_change":
            return [
                ("Agent", self._who()),
                ("Status", d.get("status")),
                ("Platform", d.get("platform")),
                ("Client", d.get("clientName")),
            ]
        return [
            ("Score", _score(d.get("callScore"))),
            ("Agent", d.get("agentName") or d.get("agentId")),
            ("Client", d.get("clientName") or d.get("clientId")),
            ("Duration", _duration(d.get("duration"))),
            ("Sentiment", d.get("sentiment")),
            ("Cost", _money(d.get("cost"))),
            ("Direction", d.get("direction")),
            ("Platform", d.get("platform")),
        ]

    def _text(self) -> str | None:
        if self.type.startswith("call."):
            return self.data.get("summary") or None
        return None

    def _link(self) -> tuple[str, str] | None:
        url = call_url(self.base_url, self.data.get("callId")) if self.type.startswith(("call.", "lead.")) else None
        if url:
            return "View call", url
        if self.is_campaign and self.data.get("campaignId"):
            return "View campaign", f"{self.base_url}/campaigns/{self.data['campaignId']}"
        if self.type == "daily_summary":
            return "Open dashboard", f"{self.base_url}/"
        return None

    def _rows(self) -> list[tuple[str, str | None]]:
        worst = self.data.get("worstCalls") if self.type == "daily_summary" else None
        rows = []
        for call in worst if isinstance(worst, list) else []:
            if not isinstance(call, dict):
                continue
            parts = [p for p in (_score(call.get("callScore")), call.get("agentName"), call.get("summary")) if p]
            rows.append(
                (
                    " · ".join(str(p) for p in parts) or str(call.get("callId", "call")),
                    call_url(self.base_url, call.get("callId")),
                )
            )
        return rows

    @property
    def color(self) -> int:
        if self.type == "daily_summary":
            return score_color(self.data.get("avgScore"))
        if self.type == "agent.status_change":
            return GREEN if self.data.get("status") == "online" else GREY
        if self.is_campaign or self.is_lead:
            colors = {"campaign.paused": AMBER, "campaign.completed": GREEN, "lead.converted": GREEN}
            return colors.get(self.type, BLUE if self.is_campaign else GREY)
        return score_color(self.data.get("callScore"))

    def plain(self) -> str:
        lines = [self.title]
        if self.intro:
            lines.append(self.intro)
        lines += [f"{k}: {v}" for k, v in self.fields]
        if self.text:
            lines += ["", self.text]
        if self.rows:
            lines += ["", "Worst calls:"] + [f"- {text}{f' ({url})' if url else ''}" for text, url in self.rows]
        if self.link:
            lines += ["", f"{self.link[0]}: {self.link[1]}"]
        return "\n".join(lines)


# --------------------------------------------------------------------------------------------------
# Slack (incoming webhook, Block Kit)
# --------------------------------------------------------------------------------------------------


def _slack_escape(text: str) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_message(event_type: str, data: dict[str, Any], base_url: str) -> dict[str, Any]:
    m = Message(event_type, data, base_url)
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": _clip(m.title, _SLACK_HEADER_MAX), "emoji": True}}
    ]
    if m.intro:
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": _slack_escape(m.intro)}]})
    if m.fields:
        blocks.append(
            {
                "type": "section",
                "fields": [
                    {"type": "mrkdwn", "text": _clip(f"*{k}*\n{_slack_escape(v)}", 2000)} for k, v in m.fields[:10]
                ],
            }
        )
    if m.text:
        blocks.append(
            {
                "type": "section",
                "text": {"type": "mrkdwn", "text": _clip(f"*Summary*\n{_slack_escape(m.text)}", _SLACK_TEXT_MAX)},
            }
        )
    if m.rows:
        lines = [f"• <{url}|{_slack_escape(text)}>" if url else f"• {_slack_escape(text)}" for text, url in m.rows]
        blocks.append(
            {
                "type": "section",
                "text": {"type": "mrkdwn", "text": _clip("*Worst calls*\n" + "\n".join(lines), _SLACK_TEXT_MAX)},
            }
        )
    if m.link:
        blocks.append(
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "text": {"type": "plain_text", "text": m.link[0]},
                        "url": m.link[1],
                        **({"style": "danger"} if event_type == "call.low_score" else {}),
                    }
                ],
            }
        )
    said = m.intro if m.is_campaign or m.is_lead else m.text
    # A campaign update says it all in one line.
    fallback = said if m.is_campaign and said else m.title + (f": {said}" if said else "")
    fallback += f" {m.link[1]}" if m.link else ""
    return {"text": _clip(fallback, _SLACK_TEXT_MAX), "blocks": blocks}


# --------------------------------------------------------------------------------------------------
# Discord (webhook embeds)
# --------------------------------------------------------------------------------------------------


def discord_message(event_type: str, data: dict[str, Any], base_url: str) -> dict[str, Any]:
    m = Message(event_type, data, base_url)
    description = "\n\n".join(p for p in (m.intro, m.text) if p)
    if m.rows:
        description += (
            ("\n\n" if description else "")
            + "**Worst calls**\n"
            + "\n".join(f"• [{text}]({url})" if url else f"• {text}" for text, url in m.rows)
        )
    embed: dict[str, Any] = {
        "title": _clip(m.title, _DISCORD_TITLE_MAX),
        "color": m.color,
        "fields": [{"name": k, "value": _clip(str(v), _DISCORD_FIELD_MAX), "inline": True} for k, v in m.fields[:25]],
        "footer": {"text": f"VoiceConsole · {event_type}"},
    }
    if description:
        embed["description"] = _clip(description, _DISCORD_DESCRIPTION_MAX)
    if m.link:
        embed["url"] = m.link[1]
    if isinstance(data, dict) and isinstance(data.get("startedAt"), str):
        embed["timestamp"] = data["startedAt"]
    return {"username": "VoiceConsole", "embeds": [embed], "allowed_mentions": {"parse": []}}


# --------------------------------------------------------------------------------------------------
# Email
# --------------------------------------------------------------------------------------------------


def email_message(event_type: str, data: dict[str, Any], base_url: str) -> tuple[str, str, str]:
    """(subject, plain text, HTML)."""
    m = Message(event_type, data, base_url)
    text = m.plain() + "\n\n--\nSent by VoiceConsole. Manage notifications: " + f"{m.base_url}/settings/integrations\n"
    e = html.escape
    color = f"#{m.color:06x}"
    rows = "".join(
        f'<tr><td style="padding:4px 12px 4px 0;color:#666">{e(k)}</td>'
        f'<td style="padding:4px 0"><strong>{e(str(v))}</strong></td></tr>'
        for k, v in m.fields
    )
    parts = [f'<h2 style="margin:0 0 8px;border-left:4px solid {color};padding-left:8px">{e(m.title)}</h2>']
    if m.intro:
        parts.append(f'<p style="color:#444">{e(m.intro)}</p>')
    if rows:
        parts.append(f'<table style="border-collapse:collapse">{rows}</table>')
    if m.text:
        parts.append(f"<p>{e(m.text)}</p>")
    if m.rows:
        items = "".join(f'<li><a href="{e(url)}">{e(t)}</a></li>' if url else f"<li>{e(t)}</li>" for t, url in m.rows)
        parts.append(f"<h3>Worst calls</h3><ul>{items}</ul>")
    if m.link:
        parts.append(
            f'<p><a href="{e(m.link[1])}" style="display:inline-block;padding:8px 14px;background:#111;'
            f'color:#fff;text-decoration:none;border-radius:6px">{e(m.link[0])}</a></p>'
        )
    parts.append(
        f'<p style="color:#888;font-size:12px">Sent by VoiceConsole. '
        f'<a href="{e(m.base_url)}/settings/integrations">Manage notifications</a></p>'
    )
    body = '<!doctype html><html><body style="font-family:sans-serif">' + "".join(parts) + "</body></html>"
    return f"[VoiceConsole] {m.title}", text, body


# --------------------------------------------------------------------------------------------------
# Samples (the "send test event" button)
# --------------------------------------------------------------------------------------------------


def sample_payload(
    event_type: str,
    *,
    client_id: str | None = None,
    client_name: str | None = None,
    summary_hour: int = 8,
    timezone: str = "UTC",
    date: str = "2026-02-12",
) -> dict[str, Any]:
    """A realistic payload of the type, marked `"test": true`."""
    if event_type.startswith(("campaign.", "lead.")):
        data: dict[str, Any] = _campaign_sample(event_type, client_id, client_name)
    elif event_type == "agent.status_change":
        data = {
            "agentId": "agent_sample_front_desk",
            "agentName": "Front desk (sample)",
            "platform": "retell",
            "status": "offline",
            "previousStatus": "online",
            "clientId": client_id,
            "clientName": client_name,
        }
    elif event_type == "daily_summary":
        data = {
            "date": date,
            "timezone": timezone,
            "hour": summary_hour,
            "clientId": client_id,
            "clientName": client_name,
            "calls": 148,
            "avgScore": 74.2,
            "avgScoreChange": -3.1,
            "successRate": 0.818,
            "cost": 36.45,
            "worstCalls": [
                {
                    "callId": "cl_sample_worst_1",
                    "agentName": "Front desk (sample)",
                    "callScore": 31,
                    "summary": "Caller asked for a refund twice and hung up.",
                },
                {
                    "callId": "cl_sample_worst_2",
                    "agentName": "After hours (sample)",
                    "callScore": 44,
                    "summary": "Agent could not find a free appointment slot.",
                },
            ],
        }
    else:
        low = event_type == "call.low_score"
        data = {
            "callId": "cl_sample_test_call",
            "platformCallId": "call_sample_0001",
            "platform": "retell",
            "agentId": "agent_sample_front_desk",
            "agentName": "Front desk (sample)",
            "clientId": client_id,
            "clientName": client_name,
            "status": "ended",
            "direction": "inbound",
            "startedAt": "2026-02-12T14:30:00Z",
            "duration": 184.0,
            "cost": 0.42,
            "callScore": 38 if low else 86,
            "sentiment": "Negative" if low else "Positive",
            "summary": (
                "Caller wanted to cancel and asked for a manager; the agent could not help."
                if low
                else "Caller booked a cleaning for Tuesday at 10 am."
            ),
        }
        if low:
            data["threshold"] = 60
        if event_type == "call.new":  # announced before it is scored
            data["callScore"] = None
    data["test"] = True
    return data


def _campaign_sample(event_type: str, client_id: str | None, client_name: str | None) -> dict[str, Any]:
    if event_type.startswith("lead."):
        data: dict[str, Any] = {
            "leadId": "lead_sample_0001",
            "leadName": "Jordan Sample",
            "phone": "+14155550123",
            "clientId": client_id,
            "clientName": client_name,
            "campaignId": "cmp_sample_spring",
            "campaignName": "Spring reactivation (sample)",
            "attemptId": "att_sample_0001",
            "callId": "cl_sample_test_call",
        }
        if event_type == "lead.do_not_call":
            data |= {"source": "call", "reason": 'Asked on a campaign call: "please don\'t call me again"'}
        return data
    data = {
        "campaignId": "cmp_sample_spring",
        "campaignName": "Spring reactivation (sample)",
        "clientId": client_id,
        "clientName": client_name,
        "agentId": "agent_sample_outbound",
        "agentName": "Outbound (sample)",
        "platform": "retell",
        "status": event_type.removeprefix("campaign."),
        "leads": 1000,
        "dialed": 412,
        "converted": 38,
    }
    if event_type == "campaign.started":
        data |= {"status": "running", "startedAt": "2026-02-12T14:00:00Z", "dialed": 0, "converted": 0}
    elif event_type == "campaign.paused":
        data |= {"pausedAt": "2026-02-12T16:10:00Z", "reason": "Retell refused the caller number", "pausedBy": "system"}
    else:
        data |= {"finishedAt": "2026-02-14T20:00:00Z", "dialed": 1000, "converted": 91}
    return data
