"""Outbound notifications through a real `voiceconsole worker` process (RQ, its scheduler and ticker).

Nothing is pumped by the test: events are recorded and committed the way the services do it, and the
commit hook, the notify queue, the worker and RQ's scheduler do the rest. The worker runs with a
short retry schedule ("1,2"), SMTP at the test's aiosmtpd, and private targets allowed.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlmodel import select
from standardwebhooks.webhooks import Webhook

from tests.support.http import bearer
from tests.support.receivers import (
    body_of,
    parts,
    record,
    verify_hex,
)
from voiceconsole.models import Delivery, Event, NotificationChannel

VOICECONSOLE = Path(sys.executable).with_name("voiceconsole")
pytestmark = pytest.mark.usefixtures("notify_settings")


@pytest.fixture(scope="module")
def worker(mailbox, tmp_path_factory):
    from rq import Worker

    from voiceconsole.enqueue import get_queue

    env = dict(os.environ)  # DATABASE_URL (the throwaway DB), VOICECONSOLE_DATA_DIR, REDIS_URL
    env.update(
        {
            "VOICECONSOLE_ALLOW_PRIVATE_TARGETS": "1",
            "VOICECONSOLE_SMTP_HOST": "127.0.0.1",
            "VOICECONSOLE_SMTP_PORT": str(mailbox.port),
            "VOICECONSOLE_NOTIFY_RETRY_SCHEDULE": "1,2",
            "VOICECONSOLE_LOG_LEVEL": "WARNING",
            # Integrations other tests left behind must not keep this worker busy with syncs.
            "VOICECONSOLE_SYNC_INTERVAL_S": str(10**9),
            "VOICECONSOLE_PLATFORM_RETRIES": "0",
            "VOICECONSOLE_PLATFORM_TIMEOUT_S": "1",
        }
    )
    log_path = tmp_path_factory.mktemp("worker") / "worker.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [str(VOICECONSOLE), "worker"], env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )
    deadline = time.monotonic() + 30
    while not any(w.pid == proc.pid for w in Worker.all(queue=get_queue("notify"))):
        assert proc.poll() is None and time.monotonic() < deadline, log_path.read_text()[-3000:]
        time.sleep(0.1)
    yield proc
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _path(name: str) -> str:
    import secrets

    return f"/{name}-{secrets.token_hex(4)}"


def _wait(predicate, timeout: float = 10.0, every: float = 0.1):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(every)


def _deliveries(db, channel_public_id: str) -> list[Delivery]:
    db.expire_all()
    channel = db.exec(select(NotificationChannel).where(NotificationChannel.public_id == channel_public_id)).one()
    return list(db.exec(select(Delivery).where(Delivery.channel_id == channel.id).order_by(Delivery.id)))


def test_retries_follow_the_backoff_schedule_with_the_same_event_id(worker, db, factory, receiver, channels):
    org = factory.org()
    path = _path("retry")
    receiver.respond(path, 500, 503, 200)
    made = channels.make(org, "webhook", url=receiver.url(path), events=["call.new"])
    event = record(db, org, "call.new", {"callId": "cl_retry", "agentName": "Desk"})
    requests = receiver.wait_for(path, 3, timeout=20)
    assert len(requests) == 3, [r.path for r in requests]
    bodies = [body_of(r) for r in requests]
    assert {b["id"] for b in bodies} == {event.public_id}  # the same event id on every attempt
    assert {r.headers["webhook-id"] for r in requests} == {event.public_id}
    for r, b in zip(requests, bodies, strict=True):  # each attempt signed afresh, with its own timestamp
        assert verify_hex(made.secret, r) and Webhook(made.secret).verify(r.body, r.headers)
        assert r.headers["x-voiceconsole-timestamp"] == b["timestamp"]
    assert len({b["timestamp"] for b in bodies}) == 3
    gaps = [requests[1].at - requests[0].at, requests[2].at - requests[1].at]
    assert gaps[0] >= 1.0 and gaps[1] >= 2.0, gaps  # never earlier than the schedule
    assert gaps[0] < 4.5 and gaps[1] < 5.5, gaps  # and not much later (the scheduler polls every second)
    delivered = _wait(lambda: [d for d in _deliveries(db, made.id) if d.status == "succeeded"])
    assert delivered and delivered[0].attempts == 3
    time.sleep(0.5)
    assert len(receiver.at(path)) == 3


def test_a_low_scoring_call_reaches_webhook_slack_discord_and_email_within_5_seconds(
    worker, db, factory, receiver, mailbox, channels, notify_settings
):
    from voiceconsole.platforms.base import CallRecord, Turn
    from voiceconsole.services.intake.store import store_calls

    org = factory.org()
    org.alert_threshold = 101  # every scored call is "low" for this organization
    db.add(org)
    db.commit()
    events = ["call.low_score"]
    hook, slack_path, discord_path = _path("e2e-hook"), _path("e2e-slack"), _path("e2e-discord")
    webhook = channels.make(org, "webhook", url=receiver.url(hook), events=events)
    channels.make(org, "slack", url=receiver.url(slack_path), events=events)
    channels.make(org, "discord", url=receiver.url(discord_path), events=events)
    inbox = f"e2e-{org.slug}@example.com"
    channels.make(org, "email", email=inbox, events=events)
    turns = [
        Turn("agent", "Thanks for calling Bright Smile Dental, how can I help?", 0.4, 3.0),
        Turn("user", "I want to cancel my appointment and get a refund.", 3.8, 6.0),
        Turn("agent", "I'm sorry, I can't help with refunds.", 6.9, 9.5),
        Turn("user", "This is useless. Let me speak to a manager.", 10.2, 12.0),
    ]
    started = datetime.now(UTC) - timedelta(minutes=2)
    call = CallRecord(
        platform="vapi",
        platform_call_id=f"call_e2e_{org.slug}",
        platform_agent_id="asst_e2e",
        agent_name="Front desk",
        status="ended",
        started_at=started,
        ended_at=started + timedelta(seconds=12),
        duration_ms=12_000,
        cost_usd=Decimal("0.05"),
        turns=turns,
        transcript="".join(f"{t.role}: {t.text}\n" for t in turns),
        summary="Caller wanted a refund and a manager.",
    )
    t0 = time.monotonic()
    store_calls(db, org=org, records=[call], integration_id=None)
    db.commit()  # scoring is queued once committed; the worker scores, which records call.low_score

    arrived = {}
    for name, path in (("webhook", hook), ("slack", slack_path), ("discord", discord_path)):
        got = receiver.wait_for(path, 1, timeout=5 - (time.monotonic() - t0) + 0.5)
        assert got, f"no {name} delivery"
        arrived[name] = got[0]
    mail = mailbox.wait_for(inbox, 1, timeout=max(0.1, 5.5 - (time.monotonic() - t0)))
    assert mail, "no email"
    elapsed = {name: r.at - t0 for name, r in arrived.items()}
    assert max(elapsed.values()) < 5, elapsed
    assert time.monotonic() - t0 < 5.5

    low = db.exec(select(Event).where(Event.organization_id == org.id, Event.type == "call.low_score")).one()
    req = arrived["webhook"]
    assert verify_hex(webhook.secret, req) and Webhook(webhook.secret).verify(req.body, req.headers)
    body = body_of(req)
    assert body["id"] == low.public_id and body["event"] == "call.low_score"
    assert body["data"]["agentName"] == "Front desk" and isinstance(body["data"]["callScore"], int)
    assert body_of(arrived["slack"])["blocks"] and low.payload["callId"] in body_of(arrived["slack"])["text"]
    assert body_of(arrived["discord"])["embeds"][0]["url"].endswith(f"/calls/{low.payload['callId']}")
    assert set(parts(mail[0])) == {"text/plain", "text/html"}


def test_a_receiver_down_for_a_while_gets_the_event_once_it_is_back(worker, db, factory, receiver, channels):
    org = factory.org()
    path = _path("down")
    made = channels.make(org, "webhook", url=receiver.url(path), events=["agent.status_change"])
    receiver.stop()
    try:
        record(db, org, "agent.status_change", {"agentId": "a1", "agentName": "Desk", "status": "offline"})
        assert _wait(lambda: any(d.attempts >= 1 for d in _deliveries(db, made.id)), timeout=5)
    finally:
        receiver.start()
    (_req,) = receiver.wait_for(path, 1, timeout=10)
    delivered = _wait(lambda: [d for d in _deliveries(db, made.id) if d.status == "succeeded"])
    assert delivered and delivered[0].attempts >= 2
    time.sleep(1)
    assert len(receiver.at(path)) == 1


def test_pause_alert_and_resume_through_the_worker(worker, db, factory, receiver, mailbox, channels, api_client):
    org = factory.org()
    owner, _ = factory.user_session(org, role="owner", email=f"owner-{org.slug}@example.com")
    path = _path("pause")
    receiver.respond(path, 500)
    made = channels.make(org, "webhook", url=receiver.url(path), events=["call.new"], name="Ops webhook")
    from voiceconsole.services.notifications.events import record_event

    for i in range(5):
        record_event(db, organization_id=org.id, type="call.new", payload={"callId": f"cl_p{i}"})
    db.commit()
    (alert,) = mailbox.wait_for(owner.email, 1, timeout=10, subject="paused")
    assert "Ops webhook" in parts(alert)["text/plain"]
    db.expire_all()
    channel = db.exec(select(NotificationChannel).where(NotificationChannel.public_id == made.id)).one()
    assert channel.status == "paused"
    assert {d.status for d in _deliveries(db, made.id)} == {"held"}
    failed_attempts = len(receiver.at(path))
    assert failed_attempts == 5

    record(db, org, "call.new", {"callId": "cl_while_paused"})
    time.sleep(1.5)
    assert len(receiver.at(path)) == failed_attempts  # paused: nothing is sent

    receiver.respond(path, 200)
    key = bearer(factory.api_key(org))
    assert api_client.post(f"/api/v1/notification-channels/{made.id}/resume", headers=key).status_code == 200
    got = receiver.wait_for(path, failed_attempts + 6, timeout=10)[failed_attempts:]
    assert sorted(body_of(r)["data"]["callId"] for r in got) == sorted(
        [f"cl_p{i}" for i in range(5)] + ["cl_while_paused"]
    )
    assert _wait(lambda: {d.status for d in _deliveries(db, made.id)} == {"succeeded"})
    time.sleep(1.5)
    assert len(receiver.at(path)) == failed_attempts + 6  # each held event exactly once
