"""Coaching: local insights at concrete moments, AI coaching from the local server (grounded in
the transcript), the cache per call and version, and credits."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func
from sqlmodel import select

from tests.support.calls import BOOKING, make_call, timed_turns
from tests.support.llm_server import client_for
from voiceconsole.models import Coaching, CreditLedger
from voiceconsole.scoring.coaching import AI_VERSION, LOCAL_VERSION, AiCoach, local_coaching
from voiceconsole.scoring.llm_judge import LlmError
from voiceconsole.scoring.scorer import ScoringInput
from voiceconsole.services.billing import credits
from voiceconsole.services.scoring.coaching import generate_coaching, get_coaching

MONOLOGUE = (
    "Let me explain how our scheduling works. " + "Appointments are handled by the front desk team, "
    "who look at the calendar each morning and assign open slots to patients on the waiting list. " * 5
)
# (role, text, start, end): a call with most of what a coach should catch.
ROUGH = [
    ("agent", "Yeah, what do you need?", 0.5, 2.0),
    ("user", "I need to move my appointment to Friday because I have a conflict at work that day.", 2.6, 8.0),
    ("agent", "Sorry, I cannot reschedule appointments.", 7.0, 9.0),  # talks over the caller
    ("user", "This is ridiculous. I want to speak to a manager.", 9.5, 12.0),
    ("agent", MONOLOGUE, 18.0, 55.0),  # after 6 s of silence, then 37 s without a break
    ("user", "Okay.", 55.6, 56.0),
    ("agent", "The office opens at nine.", 56.8, 58.0),
]


def rough_call(**kw) -> ScoringInput:
    turns = [{"role": r, "text": t, "start": s, "end": e} for r, t, s, e in ROUGH]
    return ScoringInput(turns=turns, duration_ms=59_000, **kw)


def _norm(s: str) -> str:
    return " ".join(re.sub(r"[^\w\s']", " ", s.lower()).split())


def assert_quotes_are_from(result, inp: ScoringInput):
    lines = [_norm(t["text"]) for t in inp.turns]
    for i in result.went_well + result.went_wrong:
        if i.quote is None:
            continue
        q = _norm(i.quote.replace("\u2026", ""))
        assert any(q in ln for ln in lines), f"{i.kind}: {i.quote!r} is not in the transcript"


def test_local_coaching_finds_the_moments_that_went_wrong():
    inp = rough_call()
    r = local_coaching(inp)
    wrong = {i.kind: i for i in r.went_wrong}
    assert r.mode == "local" and r.version == LOCAL_VERSION
    assert {
        "no_greeting",
        "interruption",
        "missed_objective",
        "negative_turn",
        "slow_response",
        "dead_air",
        "long_monologue",
        "no_closing",
    } <= set(wrong)
    assert wrong["no_greeting"].at == 0.5 and wrong["no_greeting"].quote == "Yeah, what do you need?"
    assert wrong["interruption"].at == 7.0 and wrong["interruption"].quote.startswith("I need to move")
    assert wrong["missed_objective"].at == 7.0 and "cannot reschedule" in wrong["missed_objective"].quote
    assert wrong["negative_turn"].at == 9.5 and wrong["negative_turn"].speaker == "caller"
    assert wrong["slow_response"].at == 18.0 and "6.0 s" in wrong["slow_response"].detail
    assert wrong["dead_air"].at == 18.0 and "6 s" in wrong["dead_air"].detail
    assert wrong["long_monologue"].at == 18.0 and "37 s" in wrong["long_monologue"].detail
    assert wrong["no_closing"].at == 56.8
    for i in r.went_wrong:
        assert i.suggestion and "\u201c" in i.suggestion, i.kind  # what to say instead, quoted
    assert [i.at for i in r.went_wrong] == sorted(i.at for i in r.went_wrong)
    assert r.went_wrong[0].title.lower() in r.summary
    assert_quotes_are_from(r, inp)


def test_local_coaching_praises_a_good_call():
    inp = make_call(BOOKING, successful=True)
    r = local_coaching(inp)
    well = {i.kind for i in r.went_well}
    assert {"greeting", "objective_done", "caller_satisfied", "closing", "positive_end", "prompt_answers"} <= well
    assert r.went_wrong == [] and r.summary.startswith("A clean call")
    assert all(i.at is not None and i.suggestion is None for i in r.went_well)
    assert_quotes_are_from(r, inp)


def test_local_coaching_without_timing_still_quotes_moments():
    inp = ScoringInput(
        transcript="Agent: what?\nUser: I want to book a cleaning.\n"
        "Agent: Sorry, we are fully booked.\nUser: Forget it, this is useless."
    )
    r = local_coaching(inp)
    kinds = {i.kind for i in r.went_wrong}
    assert {"no_greeting", "missed_objective", "negative_turn"} <= kinds
    assert all(i.at is None for i in r.went_wrong + r.went_well)


def test_local_coaching_of_voicemail_and_empty_calls():
    assert local_coaching(ScoringInput(turns=[])).went_wrong == []
    vm = local_coaching(make_call(BOOKING, end_reason="voicemail_reached"))
    assert vm.went_well == vm.went_wrong == [] and "voicemail" in vm.summary


# --- AI coaching ----------------------------------------------------------------------------------


@pytest.fixture
def coach(llm):
    client = client_for(llm)
    yield AiCoach(client)
    client.close()


def test_ai_coaching_is_grounded_in_the_transcript(llm, coach):
    llm.coaching["wentWrong"][0]["at"] = 20.0  # the model's time is off; the quote is right
    r = coach.coach(make_call(BOOKING))
    assert r.mode == "ai" and r.version == AI_VERSION and r.model == "judge-test"
    assert r.summary.startswith("A smooth booking")
    assert [(i.at, i.speaker) for i in r.went_well] == [(0.5, "agent")]
    (problem,) = r.went_wrong
    assert problem.at == 16.2 and problem.speaker == "caller"  # the line quoted, not the model's 20.0
    assert problem.suggestion.startswith("\u201cThanks, Maria")
    assert llm.requests[-1]["body"]["response_format"]["json_schema"]["name"] == "call_coaching"


def test_ai_coaching_drops_invented_quotes(llm, coach):
    llm.coaching["wentWell"].append(
        {"title": "Upsell", "at": 30.0, "quote": "Would you like whitening too?", "detail": "Nice upsell."}
    )
    r = coach.coach(make_call(BOOKING))
    assert [i.title for i in r.went_well] == ["Friendly opening"]


@pytest.mark.parametrize(
    "change",
    [
        lambda c: c["wentWrong"][0].update(at=9999.0),  # after the end of the call
        lambda c: c["wentWrong"][0].update(at=-3),
        lambda c: c["wentWrong"][0].pop("suggestion"),
        lambda c: c.update(
            wentWell=[dict(c["wentWell"][0], quote="Not said by anyone in this call at all")],
            wentWrong=[dict(c["wentWrong"][0], quote="Neither was this line said by anyone")],
        ),
    ],
)
def test_unusable_ai_coaching_raises(llm, coach, change):
    change(llm.coaching)
    with pytest.raises(LlmError) as exc:
        coach.coach(make_call(BOOKING))
    assert exc.value.kind == "invalid_answer"


# --- The service: cache, credits, fallback -----------------------------------------------------------


def booked_call(factory, org, agent):
    turns = timed_turns(BOOKING)
    return factory.call(org, agent, transcript_turns=turns, transcript=None, duration_ms=48_000)


def coaching_spends(db, org) -> int:
    return db.exec(
        select(func.count())
        .select_from(CreditLedger)
        .where(CreditLedger.organization_id == org.id, CreditLedger.reason == "ai_coaching")
    ).one()


def test_local_coaching_is_cached_per_call_and_transcript(db, factory):
    org = factory.org()
    agent = factory.agent(org)
    call = booked_call(factory, org, agent)
    first = get_coaching(db, org=org, call_id=call.public_id, ai_mode=False)
    db.commit()
    again = get_coaching(db, org=org, call_id=call.public_id, ai_mode=False)
    assert first.status == again.status == "ready" and first.content["mode"] == "local"
    assert again.generated_at == first.generated_at
    assert db.exec(select(func.count()).select_from(Coaching).where(Coaching.call_id == call.id)).one() == 1
    # A changed transcript is coached again (same row, new content).
    call.transcript_turns = [dict(t) for t in call.transcript_turns[:4]]
    db.add(call)
    db.commit()
    changed = get_coaching(db, org=org, call_id=call.public_id, ai_mode=False)
    db.commit()
    assert changed.content != first.content
    assert db.exec(select(func.count()).select_from(Coaching).where(Coaching.call_id == call.id)).one() == 1


def test_generated_ai_coaching_spends_one_credit_and_is_cached(db, factory, llm, coach):
    org = factory.org(plan="pro")
    agent = factory.agent(org)
    call = booked_call(factory, org, agent)
    row = generate_coaching(db, call_id=call.id, coach=coach)
    db.commit()
    again = generate_coaching(db, call_id=call.id, coach=coach)
    db.commit()
    assert row.mode == again.mode == "ai" and row.id == again.id
    assert llm.count("call_coaching") == 1 and coaching_spends(db, org) == 1
    view = get_coaching(db, org=org, call_id=call.public_id, ai_mode=True)
    assert view.status == "ready" and view.content["mode"] == "ai" and view.content["wentWrong"][0]["at"] == 16.2


def test_failed_ai_coaching_falls_back_to_local_for_free(db, factory, llm, coach):
    org = factory.org()
    agent = factory.agent(org)
    call = booked_call(factory, org, agent)
    llm.mode = "error"
    row = generate_coaching(db, call_id=call.id, coach=coach)
    db.commit()
    assert row.mode == "local" and row.content["fallback"] == "http_500" and coaching_spends(db, org) == 0
    # Shown at once, and not retried straight away (the endpoint just failed).
    view = get_coaching(db, org=org, call_id=call.public_id, ai_mode=True)
    assert view.status == "ready" and view.content["fallback"] == "http_500"


def test_no_credits_means_local_coaching_without_asking(db, factory, llm, coach):
    org = factory.org(plan="free")
    agent = factory.agent(org)
    for _ in range(20):
        credits.spend(db, org=org, call_id=factory.call(org, agent).id, reason=credits.AI_SCORING)
    call = booked_call(factory, org, agent)
    db.commit()
    row = generate_coaching(db, call_id=call.id, coach=coach)
    db.commit()
    assert row.mode == "local" and row.content["fallback"] == "no_credits"
    assert llm.count() == 0 and coaching_spends(db, org) == 0
