"""Calls in progress and system prompts on the page, as UI states under pytest (no browser): a live row
shows how long the call has been going on, the call page says the score and coaching come after the call
ends (and asks for no coaching), and a transcript opening with the agent's system prompt shows it folded
away, not as its first turn."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.support.ui import make_state
from voiceconsole.platforms import vapi
from voiceconsole.ui.state import call_detail as call_detail_module
from voiceconsole.ui.state.call_detail import (
    CallCoachingState,
    CallDetailState,
    call_header,
    system_prompt,
    transcript_turns,
)
from voiceconsole.ui.state.calls import call_row, live_label

NOW = datetime(2026, 11, 3, 15, 0, tzinfo=UTC)
PROMPT = "You are the front desk of Bright Smile Dental.\nBook cleanings; never give medical advice."


def _wire(**fields) -> dict:
    return {
        "id": "cl_live",
        "startedAt": (NOW - timedelta(minutes=3, seconds=12)).isoformat(),
        "agentName": "Front desk",
        "status": "in_progress",
        "duration": None,
        "cost": None,
        "callScore": None,
        **fields,
    }


def test_a_live_row_shows_the_time_since_it_started_instead_of_dashes():
    row = call_row(_wire(), "UTC", now=NOW)
    assert row["duration"] == "Live · 03:12" and row["cost"] == "" and row["status"] == "in_progress"
    assert call_row(_wire(startedAt=(NOW - timedelta(hours=1, seconds=5)).isoformat()), "UTC", now=NOW)["duration"] == (
        "Live · 1:00:05"
    )
    ended = call_row(_wire(status="ended", duration=75, cost=0.12, callScore=81), "UTC", now=NOW)
    assert (ended["duration"], ended["cost"], ended["score"]) == ("01:15", "$0.12", "81")
    assert live_label(None) == "Live"
    assert live_label((NOW + timedelta(seconds=3)).isoformat(), NOW) == "Live · 00:00"  # clocks disagree a little
    assert call_header(_wire(), "UTC")["cost"] == "—"  # the call page's fact: not known yet


def _vapi_turns() -> list[dict]:
    record = vapi.map_call(
        {
            "id": "call-1",
            "orgId": "org-1",
            "status": "ended",
            "artifact": {
                "messages": [
                    {"role": "system", "message": PROMPT, "time": 1_000, "secondsFromStart": 0},
                    {
                        "role": "bot",
                        "message": "Hi, Bright Smile.",
                        "time": 1_600,
                        "endTime": 2_500,
                        "secondsFromStart": 0.6,
                    },
                    {
                        "role": "user",
                        "message": "I need a cleaning.",
                        "time": 3_000,
                        "endTime": 4_200,
                        "secondsFromStart": 2,
                    },
                    {"role": "system", "message": "Transferring to the office.", "time": 5_000, "secondsFromStart": 4},
                ]
            },
        }
    )
    return [t.to_dict() for t in record.turns]


def test_a_transcript_opening_with_the_system_prompt_folds_it_away():
    turns = _vapi_turns()
    assert turns[0]["role"] == "system"  # kept, as the platform sent it
    assert system_prompt(turns) == PROMPT
    bubbles = transcript_turns(turns)
    assert [(b["id"], b["side"]) for b in bubbles] == [("turn-0", "agent"), ("turn-1", "caller"), ("turn-2", "system")]
    assert PROMPT not in [b["text"] for b in bubbles]  # a later system message is still a line in the conversation
    plain = [t for t in turns if t["role"] != "system"]
    assert system_prompt(plain) == "" and len(transcript_turns(plain)) == 2


def test_the_call_page_of_a_live_call_waits_for_its_end(factory, db, monkeypatch):
    org = factory.org()
    agent = factory.agent(org, platform="vapi")
    turns = _vapi_turns()[:3]
    call = factory.call(
        org,
        agent,
        status="in_progress",
        ended_at=None,
        duration_ms=None,
        cost_usd=None,
        score=None,
        summary=None,
        transcript_turns=turns,
        started_at=datetime.now(UTC) - timedelta(seconds=95),
    )
    _, token = factory.user_session(org)
    detail = make_state(CallDetailState, token=token, path=f"/calls/{call.public_id}")
    detail.load()
    assert detail.live is True and detail.call["duration"].startswith("Live · 01:3")
    assert detail.system_prompt == PROMPT and [t["side"] for t in detail.turns] == ["agent", "caller"]
    assert detail.score_breakdown == []

    asked = []
    monkeypatch.setattr(call_detail_module, "get_coaching", lambda *a, **k: asked.append(k))
    coaching = detail.get_substate([CallCoachingState.get_name()])
    assert coaching.load_coaching() is None
    assert coaching.coaching_status == "live" and coaching.coaching_for == call.public_id
    assert asked == []  # nothing to coach on yet: the coach is not asked

    call.status, call.ended_at, call.duration_ms = "ended", datetime.now(UTC), 95_000
    db.add(call)
    db.commit()
    again = make_state(CallDetailState, token=token, path=f"/calls/{call.public_id}")
    again.load()
    assert again.live is False and again.call["duration"] == "01:35"
