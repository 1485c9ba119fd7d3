"""`GET /api/metrics` (api/metrics.py, services/metrics) and the request id (api/middleware.py)."""

from __future__ import annotations

import re
import secrets

import pytest
from rq import Queue

from tests.support.http import bearer

TOKEN = "metrics-token-" + "x" * 24


@pytest.fixture
def metrics_token(monkeypatch):
    from voiceconsole.settings import get_settings

    monkeypatch.setenv("VOICECONSOLE_METRICS_TOKEN", TOKEN)
    get_settings.cache_clear()
    yield TOKEN
    monkeypatch.undo()
    get_settings.cache_clear()


def _scrape(api_client) -> str:
    r = api_client.get("/api/metrics", headers=bearer(TOKEN))
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/plain")
    return r.text


def _value(text: str, name: str, **labels: str) -> float | None:
    for line in text.splitlines():
        if line.startswith(name + "{") or line.startswith(name + " "):
            found = dict(re.findall(r'(\w+)="([^"]*)"', line.rsplit("}", 1)[0])) if "{" in line else {}
            if all(found.get(k) == v for k, v in labels.items()):
                return float(line.rsplit(" ", 1)[1])
    return None


def test_without_a_configured_token_there_is_no_endpoint(api_client):
    r = api_client.get("/api/metrics", headers=bearer("anything"))
    assert r.status_code == 404 and r.json()["error"] == "Not found"


def test_a_missing_or_wrong_token_is_401(api_client, metrics_token):
    for headers in ({}, bearer("wrong"), bearer(TOKEN + "x"), {"Authorization": f"Basic {TOKEN}"}):
        r = api_client.get("/api/metrics", headers=headers)
        assert r.status_code == 401 and r.json() == {"error": "Unauthorized"}
        assert r.headers["WWW-Authenticate"].startswith("Bearer")


def test_the_endpoint_is_not_in_the_openapi_document(api_client):
    assert "/api/metrics" not in api_client.get("/api/openapi.json").text


def test_requests_are_counted_by_route_template_and_status(api_client, factory, metrics_token):
    org = factory.org()
    key = factory.api_key(org)
    missing = f"cl_{secrets.token_hex(6)}"
    before = _value(
        _scrape(api_client),
        "voiceconsole_http_request_duration_seconds_count",
        route="/api/v1/calls/{call_id}",
        status="404",
    )
    for _ in range(3):
        assert api_client.get(f"/api/v1/calls/{missing}", headers=bearer(key)).status_code == 404
    text = _scrape(api_client)
    after = _value(
        text, "voiceconsole_http_request_duration_seconds_count", route="/api/v1/calls/{call_id}", status="404"
    )
    assert after == (before or 0) + 3
    assert missing not in text  # the template, never the raw path
    assert _value(text, "voiceconsole_http_request_duration_seconds_bucket", route="/api/v1/calls/{call_id}", le="+Inf")


def test_rate_limit_refusals_are_counted(api_client, metrics_token):
    before = _value(_scrape(api_client), "voiceconsole_rate_limit_refusals_total") or 0
    statuses = [api_client.get("/api/metrics", headers=bearer("guess")).status_code for _ in range(15)]
    assert 429 in statuses  # wrong tokens count against the address like any anonymous request
    after = _value(_scrape(api_client), "voiceconsole_rate_limit_refusals_total")
    assert after is not None and after >= before + statuses.count(429)


def test_queue_depths_job_outcomes_sync_lag_and_deliveries(api_client, factory, metrics_token):
    from voiceconsole.jobs.worker import VoiceConsoleSimpleWorker
    from voiceconsole.redis_client import get_redis

    org = factory.org()
    integration = factory.integration(org, platform="vapi")
    before = _scrape(api_client)
    ok_before = _value(before, "voiceconsole_jobs_total", job="getpid", outcome="succeeded") or 0
    failed_before = _value(before, "voiceconsole_jobs_total", job="sqrt", outcome="failed") or 0

    queue = Queue(f"metrics-test-{secrets.token_hex(4)}", connection=get_redis())
    queue.enqueue("os.getpid")
    queue.enqueue("math.sqrt", -1)  # ValueError: a failed job
    VoiceConsoleSimpleWorker([queue], connection=get_redis()).work(burst=True)

    text = _scrape(api_client)
    assert _value(text, "voiceconsole_jobs_total", job="getpid", outcome="succeeded") == ok_before + 1
    assert _value(text, "voiceconsole_jobs_total", job="sqrt", outcome="failed") == failed_before + 1
    assert _value(text, "voiceconsole_job_duration_seconds_count", job="getpid") is not None
    for name in ("scoring", "notify", "default", "sync"):
        assert _value(text, "voiceconsole_queue_jobs", queue=name, state="queued") is not None
    lag = _value(text, "voiceconsole_integration_sync_lag_seconds", integration=integration.public_id, platform="vapi")
    assert lag is not None and 0 <= lag < 600  # just connected, never synced: lag since connecting
    assert "# TYPE voiceconsole_notification_deliveries gauge" in text
    for part in ("queues", "jobs", "sync_lag", "deliveries"):
        assert _value(text, "voiceconsole_metrics_unavailable", part=part) == 0
    queue.delete(delete_jobs=True)


def test_the_request_id_is_taken_from_the_request_or_made(api_client):
    r = api_client.get("/api/health", headers={"X-Request-ID": "lb-7f3a.42"})
    assert r.headers["X-Request-ID"] == "lb-7f3a.42"
    made = api_client.get("/api/health").headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", made)
    hostile = api_client.get("/api/health", headers={"X-Request-ID": "x" * 300}).headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", hostile)
    assert api_client.get("/api/nowhere").headers["X-Request-ID"]  # errors carry it too
