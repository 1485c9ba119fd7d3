"""When the database or Redis is away: every request is a 503 with Retry-After naming the part (not a 500
with a traceback per request), `/api/ready` says which part is not ready, and a worker refuses to start.

Real processes: uvicorn serving the API, and the `voiceconsole worker` command, pointed at a database or a
Redis nothing listens on."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.support.http import bearer
from tests.support.live_api import live_api, server_log

NOWHERE_DB = "postgresql://postgres@127.0.0.1:9/nowhere"  # the discard port: nothing answers there
NOWHERE_REDIS = "redis://127.0.0.1:9/0"
VOICECONSOLE = Path(sys.executable).with_name("voiceconsole")


def test_with_the_database_away_requests_are_503_and_ready_names_it(tmp_path, factory):
    key = factory.api_key(factory.org())
    with live_api(tmp_path, DATABASE_URL=NOWHERE_DB) as base:
        for path in ("/api/v1/calls", "/api/v1/agents", "/api/v1/clients"):
            r = httpx.get(base + path, headers=bearer(key), timeout=30)
            assert r.status_code == 503, r.text
            assert r.headers["Retry-After"] == "5"
            assert r.json()["details"] == [{"field": "database", "message": "Unreachable; try again shortly"}]
        ready = httpx.get(base + "/api/ready", timeout=30)
        assert ready.status_code == 503 and [d["field"] for d in ready.json()["details"]] == ["database"]
        assert httpx.get(base + "/api/health", timeout=30).status_code == 200  # alive all the same
    log = server_log(tmp_path)
    assert "Traceback" not in log
    assert len(log.splitlines()) <= 10, log  # one line per failed request, not a page of traceback


def test_with_redis_away_requests_are_503_and_ready_names_it(tmp_path, factory):
    key = factory.api_key(factory.org())
    with live_api(tmp_path, REDIS_URL=NOWHERE_REDIS) as base:
        r = httpx.get(base + "/api/v1/calls", headers=bearer(key), timeout=30)
        assert r.status_code == 503 and r.headers["Retry-After"] == "5", r.text
        assert r.json()["details"][0]["field"] == "redis"
        ready = httpx.get(base + "/api/ready", timeout=30)
        assert ready.status_code == 503 and "redis" in [d["field"] for d in ready.json()["details"]]
    assert "Traceback" not in server_log(tmp_path)


def test_ready_when_everything_answers(tmp_path):
    with live_api(tmp_path) as base:
        r = httpx.get(base + "/api/ready", timeout=30)
    assert r.status_code == 200 and r.json()["data"] == {"status": "ready"}


@pytest.mark.parametrize(
    ("setting", "value", "part"), [("DATABASE_URL", NOWHERE_DB, "database"), ("REDIS_URL", NOWHERE_REDIS, "redis")]
)
def test_a_worker_that_cannot_reach_its_dependencies_refuses_to_start(setting, value, part):
    env = {**os.environ, setting: value}
    done = subprocess.run([str(VOICECONSOLE), "worker", "--burst"], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1, done.stdout + done.stderr
    assert f"The worker cannot start: {part}: unreachable" in done.stderr
