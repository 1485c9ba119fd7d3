"""AI mode on stored calls, against the local OpenAI-compatible server: the judge is used when
configured, every failure falls back to local scoring, and credits are spent once per call."""

from __future__ import annotations

import pytest
from sqlalchemy import func
from sqlmodel import select

from tests.support.calls import BOOKING, timed_turns
from tests.support.llm_server import client_for, drain
from voiceconsole import enqueue
from voiceconsole.models import Call, CreditLedger
from voiceconsole.scoring import ScoringInput, score_call
from voiceconsole.scoring.llm_judge import LlmJudge
from voiceconsole.services.billing import credits
from voiceconsole.services.scoring import score_stored_calls


def booked_call(factory, org, agent, **kw):
    turns = timed_turns(BOOKING)
    return factory.call(
        org,
        agent,
        score=None,
        transcript_turns=turns,
        transcript=None,
        duration_ms=int((turns[-1]["end"] + 1) * 1000),
        **kw,
    )


def spends(db, org) -> int:
    return db.exec(
        select(func.count())
        .select_from(CreditLedger)
        .where(CreditLedger.organization_id == org.id, CreditLedger.entry == "spend")
    ).one()


@pytest.fixture
def judge(llm):
    client = client_for(llm)
    yield LlmJudge(client)
    client.close()


def test_ai_mode_judges_outcome_and_sentiment_and_spends_one_credit(db, factory, llm, judge):
    org = factory.org(plan="pro")
    agent = factory.agent(org)
    call = booked_call(factory, org, agent)
    out = score_stored_calls(db, call_ids=[call.id], judge=judge)
    db.commit()
    db.refresh(call)
    b = call.score_breakdown
    assert out.ai_call_ids == [call.id] and out.fallbacks == {}
    assert b["mode"] == "ai" and call.score_version == "ai-1+local-2" == b["version"]
    assert b["outcome"]["score"] == 95 and b["sentiment"]["score"] == 90
    assert b["outcome"]["reasons"] == ["The agent booked the appointment the caller wanted."]
    assert llm.count("call_judgement") == 1
    assert spends(db, org) == 1 and credits.balance(db, org=org).remaining == 999
    row = db.exec(
        select(CreditLedger).where(CreditLedger.organization_id == org.id, CreditLedger.entry == "spend")
    ).one()
    assert (row.reason, row.call_id, row.amount) == ("ai_scoring", call.id, -1)


def test_scoring_again_reuses_the_judgement_without_asking_or_paying(db, factory, llm, judge):
    org = factory.org()
    agent = factory.agent(org)
    call = booked_call(factory, org, agent)
    score_stored_calls(db, call_ids=[call.id], judge=judge)
    db.commit()
    first = (call.score, dict(call.score_breakdown))
    again = score_stored_calls(db, call_ids=[call.id], judge=judge)
    local_run = score_stored_calls(db, call_ids=[call.id])  # a rescoring job: no judge
    forced = score_stored_calls(db, call_ids=[call.id], judge=judge, force=True)
    db.commit()
    db.refresh(call)
    assert again.scored_call_ids == [] and local_run.scored_call_ids == []
    assert forced.scored_call_ids == [call.id]  # rewritten, but from the stored judgement
    assert (call.score, call.score_breakdown) == first
    assert llm.count() == 1 and spends(db, org) == 1


@pytest.mark.parametrize(
    "setup, reason",
    [
        (lambda llm: setattr(llm, "mode", "malformed"), "invalid_json"),
        (lambda llm: setattr(llm, "mode", "error"), "http_500"),
        (lambda llm: setattr(llm, "mode", "slow"), "timeout"),
        (lambda llm: llm.judgement["outcome"].update(score=101), "invalid_answer"),
        (lambda llm: setattr(llm, "judgement", "not json at all"), "invalid_json"),
    ],
)
def test_failures_fall_back_to_local_scoring_for_free(db, factory, llm, judge, setup, reason):
    org = factory.org()
    agent = factory.agent(org)
    call = booked_call(factory, org, agent)
    setup(llm)
    out = score_stored_calls(db, call_ids=[call.id], judge=judge)
    db.commit()
    db.refresh(call)
    local = score_call(ScoringInput.from_call(call))
    assert out.scored_call_ids == [call.id] and out.fallbacks == {call.id: reason}
    assert call.score == local.score and call.score_version == "local-2"
    assert call.score_breakdown["mode"] == "local" and call.score_breakdown["fallback"] == reason
    assert spends(db, org) == 0
    # The next run (the endpoint is back) upgrades the call to AI mode.
    llm.reset()
    score_stored_calls(db, call_ids=[call.id], judge=judge)
    db.commit()
    db.refresh(call)
    assert call.score_breakdown["mode"] == "ai" and spends(db, org) == 1


def test_no_credits_left_scores_locally_without_asking(db, factory, llm, judge):
    org = factory.org(plan="free")
    agent = factory.agent(org)
    for _ in range(20):
        assert credits.spend(db, org=org, call_id=factory.call(org, agent).id, reason=credits.AI_SCORING)
    db.commit()
    call = booked_call(factory, org, agent)
    out = score_stored_calls(db, call_ids=[call.id], judge=judge)
    db.commit()
    db.refresh(call)
    assert out.fallbacks == {call.id: "no_credits"} and call.score is not None
    assert call.score_breakdown["mode"] == "local" and call.score_breakdown["fallback"] == "no_credits"
    assert llm.count() == 0 and spends(db, org) == 20


def test_credits_running_out_mid_batch(db, factory, llm, judge):
    org = factory.org(plan="free")
    agent = factory.agent(org)
    for _ in range(18):
        credits.spend(db, org=org, call_id=factory.call(org, agent).id, reason=credits.AI_SCORING)
    db.commit()
    calls = [booked_call(factory, org, agent) for _ in range(3)]
    out = score_stored_calls(db, call_ids=[c.id for c in calls], judge=judge)
    db.commit()
    assert len(out.ai_call_ids) == 2 and list(out.fallbacks.values()) == ["no_credits"]
    assert llm.count() == 2 and spends(db, org) == 20 and credits.balance(db, org=org).remaining == 0


def test_a_retried_run_never_spends_twice(db, factory, llm, judge):
    org = factory.org(plan="free")
    agent = factory.agent(org)
    call = booked_call(factory, org, agent)
    # An earlier run paid and then died before its scores were committed.
    assert credits.spend(db, org=org, call_id=call.id, reason=credits.AI_SCORING)
    db.commit()
    score_stored_calls(db, call_ids=[call.id], judge=judge)
    db.commit()
    db.refresh(call)
    assert call.score_breakdown["mode"] == "ai" and spends(db, org) == 1


def test_voicemail_and_empty_calls_are_scored_locally_without_a_credit(db, factory, llm, judge):
    org = factory.org()
    agent = factory.agent(org)
    voicemail = booked_call(factory, org, agent, end_reason="voicemail_reached")
    empty = factory.call(org, agent, score=None, transcript_turns=[], transcript=None, duration_ms=3000)
    out = score_stored_calls(db, call_ids=[voicemail.id, empty.id], judge=judge)
    db.commit()
    assert sorted(out.scored_call_ids) == sorted([voicemail.id, empty.id]) and out.ai_call_ids == []
    assert out.fallbacks == {} and llm.count() == 0 and spends(db, org) == 0


def test_the_scoring_job_uses_ai_mode_when_configured(db, factory, ai_mode):
    org = factory.org()
    agent = factory.agent(org)
    calls = [booked_call(factory, org, agent) for _ in range(3)]
    enqueue.scoring([c.id for c in calls])
    drain("scoring")
    db.expire_all()
    for c in calls:
        stored = db.get(Call, c.id)
        assert stored.score_breakdown["mode"] == "ai" and stored.score_version == "ai-1+local-2"
    assert ai_mode.count("call_judgement") == 3 and spends(db, org) == 3
    # The web never calls the LLM; the worker sent the configured key and model.
    assert {r["authorization"] for r in ai_mode.requests} == {"Bearer sk-test-123"}
    assert {r["body"]["model"] for r in ai_mode.requests} == {"judge-test"}
    # Run again (a duplicate delivery): nothing asked, nothing spent.
    enqueue.scoring([c.id for c in calls])
    drain("scoring")
    assert ai_mode.count() == 3 and spends(db, org) == 3


def test_the_scoring_job_without_an_llm_is_local(db, factory, llm):
    org = factory.org()
    agent = factory.agent(org)
    call = booked_call(factory, org, agent)
    enqueue.scoring([call.id])
    drain("scoring")
    db.expire_all()
    stored = db.get(Call, call.id)
    assert stored.score_breakdown["mode"] == "local" and "fallback" not in stored.score_breakdown
    assert llm.count() == 0
