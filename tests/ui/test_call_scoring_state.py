"""The call page's score breakdown, voice metrics and coaching, and Settings → Scoring, as UI states
under pytest (no browser): what is loaded, tenant isolation, validation that keeps the user's input,
and who may change the settings."""

from __future__ import annotations

import asyncio
import threading
from types import SimpleNamespace

import pytest
from sqlmodel import select

from tests.support.calls import ANGRY, BOOKING, timed_turns
from tests.support.ui import make_state, redirect_path
from voiceconsole.models import ClientScoring, Organization
from voiceconsole.services.scoring import score_stored_calls
from voiceconsole.ui.state import call_detail as call_detail_module
from voiceconsole.ui.state.call_detail import (
    CallCoachingState,
    CallDetailState,
    locate_turn,
    score_info,
    score_parts,
    voice_metric_tiles,
)
from voiceconsole.ui.state.scoring_settings import ClientScoringState, ScoringSettingsState, parse_number, total_message


def event_name(spec) -> str:
    """`CallCoachingState.load_coaching` → "load_coaching" (for the event a handler returns)."""
    handler = getattr(spec, "handler", spec)  # an EventSpec, or the EventHandler itself
    return getattr(getattr(handler, "fn", None), "__name__", "")


def toast_text(spec) -> str:
    """The message of an `rx.toast.*(...)` event spec (a call of the toast function, with the message)."""
    call = dict((k._js_expr, v) for k, v in spec.args)["function"]._return_expr
    return str(call._args[0])


def run_async(coro):
    """Run a coroutine to the end on its own loop (a Playwright session may hold this thread's loop)."""
    result: dict = {}

    def target():
        result["value"] = asyncio.run(coro)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    return result.get("value")


def scored_call(factory, db, org, agent, script=BOOKING, **fields):
    turns = timed_turns(script)
    call = factory.call(
        org,
        agent,
        transcript_turns=turns,
        transcript=None,
        duration_ms=int((turns[-1]["end"] + 1) * 1000),
        score=None,
        **fields,
    )
    score_stored_calls(db, call_ids=[call.id])
    db.commit()
    db.refresh(call)
    return call


@pytest.fixture
def tenant(factory, db):
    org, other = factory.org(name="Scoring A"), factory.org(name="Scoring B")
    agent, other_agent = factory.agent(org, name="Desk A"), factory.agent(other, name="Desk B")
    call = scored_call(factory, db, org, agent, script=ANGRY, sentiment=None, successful=None)
    other_call = scored_call(factory, db, other, other_agent)
    _, token = factory.user_session(org)
    return {"org": org, "agent": agent, "call": call, "other_call": other_call, "token": token}


def open_call(token: str, call_id: str) -> CallDetailState:
    detail = make_state(CallDetailState, token=token, path=f"/calls/{call_id}")
    return detail


def coaching_of(detail: CallDetailState) -> CallCoachingState:
    return detail.get_substate([CallCoachingState.get_name()])


# --- call page: breakdown, metrics, coaching ---------------------------------------------------


def test_call_page_loads_breakdown_metrics_and_coaching(tenant):
    call = tenant["call"]
    detail = open_call(tenant["token"], call.public_id)
    follow_up = detail.load()
    assert detail.not_found is False and detail.no_transcript is False
    assert event_name(follow_up) == "load_coaching"  # the coaching panel loads right after the call

    parts = {p.key: p for p in detail.score_breakdown}
    assert list(parts) == ["duration", "sentiment", "outcome", "engagement"]
    for key, part in parts.items():
        stored = call.score_breakdown[key]
        assert part.score == str(stored["score"]) and part.value == stored["score"]
        assert part.weight == f"× {stored['weight']}%"
        assert part.reasons + part.more_reasons == stored["reasons"]
        assert len(part.reasons) <= 3 and part.reasons
    assert parts["outcome"].weight == "× 35%"
    assert detail.score_meta == {"mode": "Local", "version": call.score_version, "note": ""}
    assert detail.call["score"] == str(call.score)

    metrics = {m["key"]: m for m in detail.voice_metrics}
    assert list(metrics) == ["latency-p50", "latency-p90", "interruptions", "talk-share", "longest-silence"]
    assert metrics["latency-p50"]["value"] == f"{call.latency_p50_ms / 1000:.1f} s"
    assert metrics["talk-share"]["value"] == f"{round(call.talk_ratio * 100)}%"
    assert metrics["interruptions"]["value"] == str(call.interruptions)
    assert all("Good:" in m["hint"] for m in metrics.values())

    coaching = coaching_of(detail)
    assert coaching.load_coaching() is None  # local coaching: ready at once, nothing to poll
    assert coaching.coaching_status == "ready" and coaching.coaching_for == call.public_id
    assert coaching.coaching_mode == "Local" and coaching.coaching_summary
    assert coaching.went_wrong, "an angry caller leaves something to coach"
    turn_ids = {t["id"] for t in detail.turns}
    for insight in coaching.went_well + coaching.went_wrong:
        assert insight["title"]
        assert insight["turn_id"] == "" or insight["turn_id"] in turn_ids
    quoted = [i for i in coaching.went_well + coaching.went_wrong if i["quote"] and i["turn_id"]]
    assert quoted, "quoted moments link to their transcript turn"
    by_id = {t["id"]: t for t in detail.turns}
    for insight in quoted:
        assert insight["quote"].rstrip("…")[:20].lower() in by_id[insight["turn_id"]]["text"].lower()
        assert insight["at"] == by_id[insight["turn_id"]]["at"] or insight["at"]


def test_another_orgs_call_is_not_found_and_gets_no_coaching(tenant):
    detail = open_call(tenant["token"], tenant["other_call"].public_id)
    assert detail.load() is None
    assert detail.not_found is True
    assert detail.score_breakdown == [] and detail.voice_metrics == [] and detail.score_meta == {}
    coaching = coaching_of(detail)
    assert coaching.load_coaching() is None
    assert coaching.coaching_status == "" and coaching.went_well == [] and coaching.went_wrong == []
    # Even asked directly (a stale page), the other organization's coaching is refused.
    coaching._fetch(tenant["other_call"].public_id)
    assert coaching.coaching_status == "error" and coaching.went_wrong == []


def test_anonymous_coaching_load_shows_nothing():
    detail = make_state(CallDetailState, path="/calls/cl_x")
    assert redirect_path(detail.load()) == "/login"
    assert coaching_of(detail).load_coaching() is None


def test_no_transcript_call_explains_instead_of_bars(factory, db):
    org = factory.org()
    agent = factory.agent(org)
    call = factory.call(org, agent, transcript=None, transcript_turns=[], score=None)
    score_stored_calls(db, call_ids=[call.id])
    db.commit()
    _, token = factory.user_session(org)
    detail = open_call(token, call.public_id)
    detail.load()
    assert detail.no_transcript is True
    assert detail.score_breakdown == []
    assert detail.call["band"] == "none"  # the header says "No transcript", not "0 Poor"
    assert {m["value"] for m in detail.voice_metrics} == {"—"}
    assert {m["tone"] for m in detail.voice_metrics} == {"unknown"}


def test_pending_ai_coaching_is_polled_until_ready(tenant, monkeypatch, db):
    from voiceconsole.services.scoring import coaching as coaching_service

    queued = []
    monkeypatch.setattr(coaching_service, "get_settings", lambda: type("S", (), {"llm_configured": True})())
    monkeypatch.setattr("voiceconsole.enqueue.coaching", lambda call_id: queued.append(call_id))
    monkeypatch.setattr(call_detail_module, "COACHING_POLL_S", 0)
    call = tenant["call"]
    detail = open_call(tenant["token"], call.public_id)
    detail.load()
    coaching = coaching_of(detail)
    assert event_name(coaching.load_coaching()) == "poll_coaching"
    assert coaching.coaching_status == "pending" and queued == [call.id]

    # The job finishes (here: the local coach, as a worker without an AI model would).
    coaching_service.generate_coaching(db, call_id=call.id, coach=None)
    db.commit()
    run_async(CallCoachingState.event_handlers["poll_coaching"].fn(coaching))
    assert coaching.coaching_status == "ready" and coaching.went_wrong


def test_polling_stops_when_the_page_moves_on(tenant, monkeypatch):
    from voiceconsole.services.scoring import coaching as coaching_service

    monkeypatch.setattr(coaching_service, "get_settings", lambda: type("S", (), {"llm_configured": True})())
    monkeypatch.setattr("voiceconsole.enqueue.coaching", lambda call_id: None)
    monkeypatch.setattr(call_detail_module, "COACHING_POLL_S", 0)
    monkeypatch.setattr(call_detail_module, "COACHING_POLL_LIMIT", 3)
    detail = open_call(tenant["token"], tenant["call"].public_id)
    detail.load()
    coaching = coaching_of(detail)
    coaching.load_coaching()
    assert coaching.coaching_status == "pending"
    run_async(CallCoachingState.event_handlers["poll_coaching"].fn(coaching))
    assert coaching.coaching_status == "slow"  # gave up after the limit; the panel offers a retry

    # Another call is opened while a poll waits: the poll stops without asking the service again.
    coaching.load_coaching()
    asked = []
    monkeypatch.setattr(CallCoachingState, "_fetch", lambda self, call_id: asked.append(call_id))

    async def meanwhile_another_call(_seconds):
        coaching._reset()

    monkeypatch.setattr(call_detail_module, "asyncio", SimpleNamespace(sleep=meanwhile_another_call))
    run_async(CallCoachingState.event_handlers["poll_coaching"].fn(coaching))
    assert asked == [] and coaching.coaching_status == ""


def test_focus_turn_only_accepts_our_turn_ids(tenant):
    coaching = make_state(CallCoachingState, token=tenant["token"], path=f"/calls/{tenant['call'].public_id}")
    assert coaching.focus_turn("turn-3") is not None
    assert coaching.focus_turn('turn-3");alert(1);//') is None
    assert coaching.focus_turn("") is None and coaching.focus_turn("turn-3\n") is None


def test_pure_builders():
    turns = [
        {"id": "turn-0", "text": "Hello, how can I help?", "start": "0.5", "at": "00:00"},
        {"id": "turn-1", "text": "I want to book. I want to book.", "start": "2.8", "at": "00:03"},
        {"id": "turn-2", "text": "I want to book a cleaning.", "start": "9.0", "at": "00:09"},
    ]
    assert locate_turn(turns, 9.0, "I want to book") == "turn-2"  # quoted twice: the nearer one
    assert locate_turn(turns, None, "how can I help…") == "turn-0"
    assert locate_turn(turns, 4.0, None) == "turn-1"
    assert locate_turn(turns, 0.0, None) == "turn-0"
    assert locate_turn([], 1.0, "x") == ""
    ai = {
        "outcome": {"score": 90, "weight": 35, "reasons": ["Booked", "a", "b", "c", "d"], "source": "ai"},
        "version": "ai-1",
        "mode": "ai",
        "ai": {"model": "gpt-4o-mini"},
    }
    (part,) = score_parts(ai)
    assert (part.source, part.weight, part.band, len(part.reasons), part.more_reasons) == (
        "AI",
        "× 35%",
        "excellent",
        3,
        ["c", "d"],
    )
    assert score_info(ai, None)["mode"] == "AI · gpt-4o-mini"
    fallback = {"version": "local-1", "mode": "local", "fallback": "no_credits"}
    assert "no AI credits" in score_info(fallback, None)["note"]
    tiles = {t["key"]: t for t in voice_metric_tiles({"latencyP50Ms": 2400, "talkRatio": 0.45, "interruptions": 0})}
    assert (tiles["latency-p50"]["value"], tiles["latency-p50"]["tone"]) == ("2.4 s", "warn")
    assert (tiles["talk-share"]["value"], tiles["talk-share"]["tone"]) == ("45%", "good")
    assert tiles["longest-silence"]["value"] == "—"
    assert parse_number(" 35 ") == 35 and parse_number("abc") == "abc" and parse_number("20.0") == 20
    assert total_message({"duration": "20", "sentiment": "25", "outcome": "35", "engagement": "20"}) == ""
    assert "add up to 95" in total_message({"duration": "20", "sentiment": "20", "outcome": "35", "engagement": "20"})


# --- Settings → Scoring ----------------------------------------------------------------------


def settings_for(factory, org, role="owner") -> ScoringSettingsState:
    _, token = factory.user_session(org, role=role)
    state = make_state(ScoringSettingsState, token=token, path="/settings/scoring")
    assert state.load() is None
    return state


def stored_org(db, org) -> Organization:
    db.expire_all()
    return db.exec(select(Organization).where(Organization.id == org.id)).one()


def test_settings_load_shows_weights_ai_mode_and_credits(factory):
    org = factory.org(plan="pro")
    state = settings_for(factory, org)
    assert state.weights == {"duration": "20", "sentiment": "25", "outcome": "35", "engagement": "20"}
    assert state.threshold == "60" and state.custom_weights is False
    assert state.weights_total == "100" and state.weights_message == ""
    assert state.can_manage is True and state.error == ""
    assert state.ai["on"] == "" and state.credits["granted"] == "1,000" and state.credits["remaining"] == "1,000"


def test_invalid_weights_keep_the_input_and_show_the_error(factory, db):
    org = factory.org()
    state = settings_for(factory, org)
    state.set_weight("outcome", "30")
    assert state.weights_total == "95" and "add up to 100" in state.weights_message  # live, before saving
    assert state.save() is None
    assert "add up to 100 (they add up to 95)" in state.errors["weights"]
    assert state.weights["outcome"] == "30"  # what the user typed is still there
    assert not (stored_org(db, org).settings or {}).get("score_weights")

    # A field the service names gets its message next to that input.
    state.set_weight("outcome", "40")
    state.set_weight("duration", "-5")
    state.set_weight("engagement", "40")
    assert state.weights_total == "100"
    state.save()
    assert state.errors["weights.duration"] == "must be 0 or more" and state.errors["weights"] == ""
    assert state.weights["duration"] == "-5"
    state.set_threshold("150")
    state.set_weight("duration", "0")
    state.set_weight("engagement", "35")
    assert state.weights_message == ""
    state.save()
    assert "0 to 100" in state.errors["alertThreshold"]
    assert state.threshold == "150"
    fresh = stored_org(db, org)  # nothing of the refused save was stored
    assert fresh.alert_threshold == 60 and not (fresh.settings or {}).get("score_weights")


def test_valid_weights_are_saved_and_rescored(factory, db):
    org = factory.org()
    state = settings_for(factory, org)
    for key, value in {"duration": "10", "sentiment": "30", "outcome": "40", "engagement": "20"}.items():
        state.set_weight(key, value)
    state.set_threshold("55")
    assert toast_text(state.save()) == "Saved — rescoring in the background"
    assert state.custom_weights is True and state.errors["weights"] == ""
    fresh = stored_org(db, org)
    assert fresh.settings["score_weights"] == {"duration": 10, "sentiment": 30, "outcome": 40, "engagement": 20}
    assert fresh.alert_threshold == 55
    assert toast_text(state.save()) == "Nothing to save: no changes"

    state.restore_defaults()
    assert state.weights == {"duration": "20", "sentiment": "25", "outcome": "35", "engagement": "20"}
    assert toast_text(state.save()) == "Saved — rescoring in the background"
    assert state.custom_weights is False
    assert "score_weights" not in (stored_org(db, org).settings or {})


def test_member_sees_the_settings_but_cannot_save(factory, db):
    org = factory.org()
    state = settings_for(factory, org, role="member")
    assert state.can_manage is False and state.weights["outcome"] == "35"
    state.set_weight("outcome", "45")
    state.set_weight("duration", "10")
    assert state.save() is None
    assert "Only owners and admins" in state.errors["form"]
    assert "score_weights" not in (stored_org(db, org).settings or {})


def test_client_viewer_cannot_see_the_settings(factory):
    org = factory.org()
    client = factory.client(org)
    _, token = factory.user_session(org, role="client_viewer", client=client)
    state = make_state(ScoringSettingsState, token=token, path="/settings/scoring")
    state.load()
    assert "Client viewers" in state.error and state.overrides == []


def test_client_override_edit_validate_and_clear(factory, db):
    org = factory.org()
    client = factory.client(org, name="Bright Smile")
    _, token = factory.user_session(org, role="admin")
    state = make_state(ClientScoringState, token=token, path="/settings/scoring")
    state.load()
    assert state.overrides == []
    assert state.clients_without_override == [{"id": client.public_id, "name": "Bright Smile"}]

    state.open_editor(client.public_id)
    assert state.editor_open and state.edit_name == "Bright Smile" and state.edit_own_weights is False
    state.set_edit_own_weights(True)
    state.set_edit_weight("outcome", "50")
    assert state.edit_total == "115"
    state.save_override()
    assert "add up to 100" in state.edit_errors["weights"] and state.editor_open  # stays open with the input
    assert state.edit_weights["outcome"] == "50"
    state.set_edit_weight("duration", "5")
    state.set_edit_threshold("70")
    assert "rescoring in the background" in toast_text(state.save_override())
    assert not state.editor_open
    (row,) = state.overrides
    assert (row["name"], row["own_weights"], row["w_outcome"], row["w_duration"], row["threshold"]) == (
        "Bright Smile",
        "yes",
        "50%",
        "5%",
        "70",
    )
    assert state.clients_without_override == []
    stored = db.get(ClientScoring, client.id)
    db.refresh(stored)
    assert stored.weights["outcome"] == 50 and stored.alert_threshold == 70

    assert "organization's settings" in toast_text(state.clear_override(client.public_id, "Bright Smile"))
    assert state.overrides == [] and len(state.clients_without_override) == 1
