"""Weights and thresholds per organization, client and agent; rescoring on a real RQ worker;
`call.completed` / `call.low_score` events recorded once per call."""

from __future__ import annotations

import pytest
from sqlmodel import select

from tests.support.calls import ANGRY, BOOKING, timed_turns
from tests.support.llm_server import drain
from voiceconsole import enqueue
from voiceconsole.enqueue import get_queue, scoped
from voiceconsole.jobs.scoring import rescore_organization_job
from voiceconsole.models import AgentScoring, Call, ClientScoring, Event
from voiceconsole.scoring import DEFAULT_WEIGHTS, ScoringInput, score_call
from voiceconsole.services import scoring as score_settings
from voiceconsole.services.access.actor import SYSTEM, Actor
from voiceconsole.services.errors import Forbidden, NotFound, ValidationFailed
from voiceconsole.services.scoring import score_stored_calls

OUTCOME_HEAVY = {"duration": 5, "sentiment": 5, "outcome": 85, "engagement": 5}
DURATION_HEAVY = {"duration": 85, "sentiment": 5, "outcome": 5, "engagement": 5}


def scripted_call(factory, org, agent, script=BOOKING, **kw):
    turns = timed_turns(script)
    kw.setdefault("score", None)
    return factory.call(
        org,
        agent,
        transcript_turns=turns,
        transcript=None,
        duration_ms=int((turns[-1]["end"] + 1) * 1000),
        successful=None,
        sentiment=None,
        **kw,
    )


def weights_of(call: Call) -> dict:
    return {k: call.score_breakdown[k]["weight"] for k in DEFAULT_WEIGHTS}


def events(db, org, type_: str) -> list[Event]:
    return db.exec(select(Event).where(Event.organization_id == org.id, Event.type == type_).order_by(Event.id)).all()


# --- Validation --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "weights, field",
    [
        ({"duration": 30, "sentiment": 25, "outcome": 35, "engagement": 20}, "weights"),  # adds up to 110
        ({"duration": -5, "sentiment": 50, "outcome": 35, "engagement": 20}, "weights.duration"),
        ({"duration": "20", "sentiment": 25, "outcome": 35, "engagement": 20}, "weights.duration"),
        ({"duration": 20.5, "sentiment": 24.5, "outcome": 35, "engagement": 20}, "weights.duration"),
        ({"sentiment": 45, "outcome": 35, "engagement": 20}, "weights.duration"),
        ({"duration": 20, "sentiment": 25, "outcome": 35, "engagement": 20, "tone": 0}, "weights.tone"),
        ([20, 25, 35, 20], "weights"),
    ],
)
def test_bad_weights_name_the_field(weights, field):
    with pytest.raises(ValidationFailed) as exc:
        score_settings.check_weights(weights)
    assert exc.value.status_code == 422 and exc.value.details[0]["field"] == field


def test_only_owners_and_admins_change_settings(db, factory):
    org = factory.org()
    member = Actor(kind="user", id="1", display="m", role="member")
    viewer = Actor(kind="user", id="2", display="v", role="client_viewer", client_id=1)
    with pytest.raises(Forbidden):
        score_settings.update_org_scoring(db, org=org, actor=member, alert_threshold=50)
    with pytest.raises(Forbidden):
        score_settings.scoring_settings(db, org=org, actor=viewer)
    assert score_settings.scoring_settings(db, org=org, actor=member).alert_threshold == 60


def test_other_organizations_clients_and_agents_are_not_found(db, factory):
    org, other = factory.org(), factory.org()
    client = factory.client(other)
    agent = factory.agent(other)
    with pytest.raises(NotFound):
        score_settings.update_client_scoring(db, org=org, client_id=client.public_id, actor=SYSTEM, alert_threshold=5)
    with pytest.raises(NotFound):
        score_settings.update_agent_scoring(
            db, org=org, agent_id=agent.platform_agent_id, actor=SYSTEM, alert_threshold=5
        )


# --- Which weights and threshold apply -------------------------------------------------------------------


def test_calls_of_a_clients_agents_use_the_clients_weights(db, factory):
    org = factory.org()
    acme, other = factory.client(org), factory.client(org)
    acme_agent, plain_agent = factory.agent(org, client=acme), factory.agent(org)
    other_agent = factory.agent(org, client=other)
    score_settings.update_org_scoring(db, org=org, actor=SYSTEM, weights=DURATION_HEAVY)
    score_settings.update_client_scoring(db, org=org, client_id=acme.public_id, actor=SYSTEM, weights=OUTCOME_HEAVY)
    db.commit()
    acme_call, plain_call, other_call = (scripted_call(factory, org, a) for a in (acme_agent, plain_agent, other_agent))
    score_stored_calls(db, call_ids=[acme_call.id, plain_call.id, other_call.id])
    db.commit()
    assert weights_of(acme_call) == OUTCOME_HEAVY
    assert weights_of(plain_call) == DURATION_HEAVY == weights_of(other_call)
    assert acme_call.score == score_call(ScoringInput.from_call(acme_call), OUTCOME_HEAVY).score


def test_the_weights_follow_the_agents_current_client(db, factory):
    org = factory.org()
    acme = factory.client(org)
    agent = factory.agent(org)  # stored calls say "no client"
    call = scripted_call(factory, org, agent)
    score_settings.update_client_scoring(db, org=org, client_id=acme.public_id, actor=SYSTEM, weights=OUTCOME_HEAVY)
    agent.client_id = acme.id  # assigned to Acme since
    db.add(agent)
    db.commit()
    score_stored_calls(db, call_ids=[call.id])
    assert weights_of(call) == OUTCOME_HEAVY


def test_the_most_specific_threshold_decides_what_is_low(db, factory):
    org = factory.org()
    org.alert_threshold = 0  # nothing is low for the organization
    db.add(org)
    acme = factory.client(org)
    strict_agent, lenient_agent = factory.agent(org, client=acme), factory.agent(org, client=acme)
    plain_agent = factory.agent(org)
    score_settings.update_client_scoring(db, org=org, client_id=acme.public_id, actor=SYSTEM, alert_threshold=100)
    score_settings.update_agent_scoring(
        db, org=org, agent_id=lenient_agent.platform_agent_id, actor=SYSTEM, alert_threshold=0
    )
    db.commit()
    strict, lenient, plain = (scripted_call(factory, org, a, ANGRY) for a in (strict_agent, lenient_agent, plain_agent))
    out = score_stored_calls(db, call_ids=[strict.id, lenient.id, plain.id])
    assert out.low_score_call_ids == [strict.id]
    assert (
        score_settings.agent_scoring(
            db, org=org, agent_id=strict_agent.platform_agent_id, actor=SYSTEM
        ).effective_alert_threshold
        == 100
    )
    assert (
        score_settings.agent_scoring(
            db, org=org, agent_id=lenient_agent.platform_agent_id, actor=SYSTEM
        ).effective_alert_threshold
        == 0
    )


def test_clearing_overrides_with_null(db, factory):
    org = factory.org()
    acme = factory.client(org)
    agent = factory.agent(org, client=acme)
    score_settings.update_client_scoring(
        db, org=org, client_id=acme.public_id, actor=SYSTEM, weights=OUTCOME_HEAVY, alert_threshold=75
    )
    score_settings.update_agent_scoring(db, org=org, agent_id=agent.platform_agent_id, actor=SYSTEM, alert_threshold=30)
    data, changed = score_settings.update_client_scoring(
        db, org=org, client_id=acme.public_id, actor=SYSTEM, weights=None, alert_threshold=None
    )
    agent_data = score_settings.update_agent_scoring(
        db, org=org, agent_id=agent.platform_agent_id, actor=SYSTEM, alert_threshold=None
    )
    db.commit()
    assert changed and data.weights is None and data.effective_weights == DEFAULT_WEIGHTS
    assert data.effective_alert_threshold == 60 and agent_data.effective_alert_threshold == 60
    assert db.get(ClientScoring, acme.id).weights is None and db.get(AgentScoring, agent.id).alert_threshold is None


# --- Rescoring in the background ---------------------------------------------------------------------


def test_changing_org_weights_rescores_on_a_worker_after_commit(db, factory):
    org = factory.org()
    agent = factory.agent(org)
    calls = [scripted_call(factory, org, agent, script) for script in (BOOKING, ANGRY, BOOKING)]
    score_stored_calls(db, call_ids=[c.id for c in calls])
    db.commit()
    before = {c.id: c.score for c in calls}
    assert score_settings.update_org_scoring(db, org=org, actor=SYSTEM, weights=DURATION_HEAVY) is True
    assert scoped(f"rescore-{org.id}-all") not in get_queue("default").job_ids  # not before the change is committed
    db.commit()
    assert scoped(f"rescore-{org.id}-all") in get_queue("default").job_ids
    assert enqueue.rescoring(org.id) is False  # one waiting run is enough: it reads the latest weights
    drain("default")
    db.expire_all()
    after = {c.id: db.get(Call, c.id) for c in calls}
    assert all(weights_of(c) == DURATION_HEAVY for c in after.values())
    assert any(after[i].score != before[i] for i in before)
    # Idempotent: a second run finds nothing to change.
    assert rescore_organization_job(org.id)["rescored"] == 0
    # Saving the same weights again does not rescore.
    assert score_settings.update_org_scoring(db, org=org, actor=SYSTEM, weights=DURATION_HEAVY) is False


def test_changing_a_clients_weights_rescores_only_its_calls(db, factory):
    org = factory.org()
    acme = factory.client(org)
    acme_call = scripted_call(factory, org, factory.agent(org, client=acme))
    other_call = scripted_call(factory, org, factory.agent(org))
    score_stored_calls(db, call_ids=[acme_call.id, other_call.id])
    db.commit()
    other_scored_at = other_call.scored_at
    _, changed = score_settings.update_client_scoring(
        db, org=org, client_id=acme.public_id, actor=SYSTEM, weights=OUTCOME_HEAVY
    )
    db.commit()
    assert changed and scoped(f"rescore-{org.id}-client-{acme.id}") in get_queue("default").job_ids
    drain("default")
    db.expire_all()
    assert weights_of(db.get(Call, acme_call.id)) == OUTCOME_HEAVY
    other = db.get(Call, other_call.id)
    assert weights_of(other) == DEFAULT_WEIGHTS and other.scored_at == other_scored_at


def test_rescoring_works_in_batches(db, factory, monkeypatch):
    from voiceconsole.services.scoring import rescoring

    monkeypatch.setattr(rescoring, "RESCORE_CHUNK", 2)
    org = factory.org()
    agent = factory.agent(org)
    calls = [scripted_call(factory, org, agent) for _ in range(5)]
    score_settings.update_org_scoring(db, org=org, actor=SYSTEM, weights=OUTCOME_HEAVY)
    db.commit()
    result = rescore_organization_job(org.id)
    assert result == {"org_id": org.id, "client_id": None, "rescored": 5, "batches": 3}
    db.expire_all()
    assert all(weights_of(db.get(Call, c.id)) == OUTCOME_HEAVY for c in calls)


# --- Events ---------------------------------------------------------------------------------------------


def test_scoring_records_completed_and_low_score_events_once(db, factory):
    org = factory.org()
    acme = factory.client(org)
    agent = factory.agent(org, client=acme, name="Front desk")
    score_settings.update_client_scoring(db, org=org, client_id=acme.public_id, actor=SYSTEM, alert_threshold=100)
    db.commit()
    low = scripted_call(factory, org, agent, ANGRY, summary="Angry customer.")
    errored = scripted_call(factory, org, agent, status="error")
    live = factory.call(org, agent, score=None, status="in_progress", duration_ms=None)
    score_stored_calls(db, call_ids=[low.id, errored.id, live.id])
    db.commit()
    completed, lows = events(db, org, "call.completed"), events(db, org, "call.low_score")
    assert [e.payload["callId"] for e in completed] == [low.public_id]  # ended calls only
    assert [e.payload["callId"] for e in lows] == [low.public_id]
    data = lows[0].payload
    assert data["agentId"] == agent.platform_agent_id and data["agentName"] == "Front desk"
    assert data["clientId"] == acme.public_id and data["callScore"] == low.score
    assert data["duration"] == round(low.duration_ms / 1000, 1) and data["cost"] == 0.12
    assert data["summary"] == "Angry customer." and "sentiment" in data
    assert data["threshold"] == 100 and "threshold" not in completed[0].payload  # the client's override
    assert completed[0].public_id.startswith("evt_")
    # Scoring again, forced, or rescoring with new weights: no new events.
    score_stored_calls(db, call_ids=[low.id], force=True)
    score_settings.update_org_scoring(db, org=org, actor=SYSTEM, weights=OUTCOME_HEAVY)
    db.commit()
    rescore_organization_job(org.id)
    db.expire_all()
    assert len(events(db, org, "call.completed")) == 1 and len(events(db, org, "call.low_score")) == 1


def test_a_call_that_already_has_an_event_does_not_get_another(db, factory):
    from voiceconsole.services.notifications.events import record_call_events

    org = factory.org()
    agent = factory.agent(org)
    call = scripted_call(factory, org, agent)
    record_call_events(db, organization_id=org.id, type="call.completed", call_ids=[call.id])  # a concurrent run
    db.commit()
    out = score_stored_calls(db, call_ids=[call.id])
    db.commit()
    assert out.scored_call_ids == [call.id] and out.events == 0
    assert len(events(db, org, "call.completed")) == 1


def test_a_transcript_arriving_later_completes_the_call(db, factory):
    org = factory.org()
    agent = factory.agent(org)
    call = factory.call(org, agent, score=None, transcript_turns=[], transcript=None, summary=None)
    score_stored_calls(db, call_ids=[call.id])
    db.commit()
    assert call.score_excluded and len(events(db, org, "call.completed")) == 1
    call.transcript_turns = timed_turns(ANGRY)
    db.add(call)
    org.alert_threshold = 100
    db.add(org)
    db.commit()
    score_stored_calls(db, call_ids=[call.id])
    db.commit()
    # The real score can now be low: alerted once; completed was announced already.
    assert len(events(db, org, "call.low_score")) == 1 and len(events(db, org, "call.completed")) == 1


def test_old_calls_scored_for_the_first_time_raise_no_alerts(db, factory):
    """A 90-day backfill is history, not news: only calls that ended in the last 24 hours alert."""
    from datetime import timedelta

    from voiceconsole.models.types import utcnow

    org = factory.org()
    org.alert_threshold = 100  # every scored call is "low"
    db.add(org)
    agent = factory.agent(org)
    old = scripted_call(factory, org, agent, ANGRY)
    old.started_at = utcnow() - timedelta(days=3)
    old.ended_at = old.started_at + timedelta(minutes=2)
    recent = scripted_call(factory, org, agent, ANGRY)
    recent.ended_at = utcnow() - timedelta(hours=23)
    db.add_all([old, recent])
    db.commit()
    out = score_stored_calls(db, call_ids=[old.id, recent.id])
    db.commit()
    assert sorted(out.scored_call_ids) == sorted([old.id, recent.id])  # both scored
    assert [e.payload["callId"] for e in events(db, org, "call.completed")] == [recent.public_id]
    assert [e.payload["callId"] for e in events(db, org, "call.low_score")] == [recent.public_id]


def test_a_new_scorer_version_rescores_every_organization_once_in_the_background(db, factory):
    """Calls scored by an older scorer are brought to the current one by a worker, once per organization."""
    from voiceconsole.redis_client import get_redis
    from voiceconsole.scoring import SCORER_VERSION
    from voiceconsole.services.scoring import request_outdated_rescoring as enqueue_outdated_rescoring
    from voiceconsole.services.scoring import scorer_version_key

    get_queue("default").empty()
    org = factory.org()
    agent = factory.agent(org)
    call = scripted_call(factory, org, agent, ANGRY)
    score_stored_calls(db, call_ids=[call.id])
    call.score_version, call.score = "local-0", 99  # as an older release left it
    db.add(call)
    db.commit()
    get_redis().delete(scorer_version_key(org.id))

    assert enqueue_outdated_rescoring() >= 1
    assert scoped(f"rescore-{org.id}-all") in get_queue("default").job_ids
    drain("default")
    db.expire_all()
    fresh = db.get(Call, call.id)
    assert fresh.score_version == SCORER_VERSION and fresh.score != 99
    assert get_redis().get(scorer_version_key(org.id)) == SCORER_VERSION.encode()
    # Done: the next tick queues nothing more for this organization.
    enqueue_outdated_rescoring()
    assert scoped(f"rescore-{org.id}-all") not in get_queue("default").job_ids
