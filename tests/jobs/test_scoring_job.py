"""Calls are scored by the scoring job on a real RQ worker, and the agent's averages follow."""

from rq import SimpleWorker

from voiceconsole import enqueue
from voiceconsole.enqueue import get_queue
from voiceconsole.models import Agent, Call
from voiceconsole.redis_client import get_redis
from voiceconsole.services.agents import recompute_agent_stats
from voiceconsole.services.scoring import score_stored_calls

BOOKED = [
    {"role": "agent", "text": "Thanks for calling Bright Smile Dental, how can I help?", "start": 0.4, "end": 3.0},
    {"role": "user", "text": "Hi, I'd like to book a cleaning next week.", "start": 3.8, "end": 6.0},
    {"role": "agent", "text": "Sure, I have Tuesday at 10 am. Does that work?", "start": 6.9, "end": 9.5},
    {"role": "user", "text": "Yes, that's perfect, thank you so much.", "start": 10.2, "end": 12.0},
    {
        "role": "agent",
        "text": "You're booked for Tuesday at 10 am. Anything else I can help with?",
        "start": 12.8,
        "end": 16.0,
    },
    {"role": "user", "text": "No, that's all. Thanks!", "start": 16.6, "end": 17.8},
]


def _drain():
    SimpleWorker([get_queue("scoring"), get_queue("default")], connection=get_redis()).work(burst=True)


def test_scoring_job_scores_calls_and_updates_agent_average(db, factory):
    org = factory.org()
    agent = factory.agent(org)
    good = factory.call(
        org,
        agent,
        score=None,
        transcript_turns=BOOKED,
        transcript="x",
        duration_ms=90_000,
        successful=True,
        sentiment="Positive",
    )
    hangup = factory.call(
        org,
        agent,
        score=None,
        transcript_turns=[],
        transcript=None,
        duration_ms=4_000,
        successful=None,
        sentiment=None,
        summary=None,
    )
    live = factory.call(org, agent, score=None, status="in_progress", duration_ms=None)
    get_queue("scoring").empty()
    enqueue.scoring([good.id, hangup.id, live.id])
    _drain()
    db.expire_all()
    good, hangup, live = db.get(Call, good.id), db.get(Call, hangup.id), db.get(Call, live.id)
    assert (
        good.score >= 80
        and good.score_version
        and set(good.score_breakdown) >= {"duration", "sentiment", "outcome", "engagement"}
    )
    assert good.latency_p50_ms is not None and good.talk_ratio is not None
    assert hangup.score == 0 and hangup.score_excluded is True
    assert live.score is None  # live calls wait until they end
    agent = db.get(Agent, agent.id)
    assert agent.avg_score == good.score  # the no-transcript call is left out of the average


def test_scoring_is_idempotent(db, factory):
    org = factory.org()
    agent = factory.agent(org)
    call = factory.call(org, agent, score=None, transcript_turns=BOOKED, duration_ms=90_000)
    first = score_stored_calls(db, call_ids=[call.id])
    db.commit()
    again = score_stored_calls(db, call_ids=[call.id])
    assert first.scored_call_ids == [call.id] and again.scored_call_ids == []
    recompute_agent_stats(db, agent_id=agent.id)


def test_low_scores_are_reported_against_the_org_threshold(db, factory):
    org = factory.org()
    org.alert_threshold = 101  # everything is "low"
    db.add(org)
    db.commit()
    agent = factory.agent(org)
    call = factory.call(org, agent, score=None, transcript_turns=BOOKED, duration_ms=90_000)
    outcome = score_stored_calls(db, call_ids=[call.id])
    assert outcome.low_score_call_ids == [call.id]
