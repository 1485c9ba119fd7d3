"""Remembered API keys (services/api_key_cache.py): no database query for a key this process verified,
and every change to a key or its organization, made in any process, applies from the next request."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlmodel import select

from tests.support.http import bearer
from tests.support.sql import recorded_statements
from voiceconsole.models import ApiKey
from voiceconsole.services.api_keys import cache as api_key_cache
from voiceconsole.services.security import sha256_hex

ROOT = Path(__file__).resolve().parents[2]


def _python_elsewhere(*args: str) -> subprocess.CompletedProcess:
    """Python in its own interpreter, on the same database and Redis: a process whose memory of keys is
    not ours (as another web worker or an operator's shell)."""
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=dict(os.environ), capture_output=True, text=True, timeout=60
    )


def _in_another_process(*args: str) -> subprocess.CompletedProcess:
    """The `voiceconsole` command line, in another process."""
    return _python_elsewhere("-m", "voiceconsole.cli", *args)


def test_a_remembered_key_needs_no_database_query(api_client, factory):
    org = factory.org()
    key = factory.api_key(org)
    with recorded_statements() as seen_first:
        first = api_client.get("/api/v1/agents", headers=bearer(key))
    assert first.status_code == 200
    assert any("FROM api_key" in s for s in seen_first), "the first request checks the key in the database"
    assert api_key_cache.get(sha256_hex(key)) is not None

    with recorded_statements() as seen_second:
        second = api_client.get("/api/v1/agents", headers=bearer(key))
    assert second.status_code == 200 and second.json() == first.json()
    assert not any("api_key" in s for s in seen_second), seen_second
    assert not any("FROM organization" in s for s in seen_second), "the organization row is remembered too"
    for name in ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"):
        assert name in second.headers
    assert int(second.headers["X-RateLimit-Remaining"]) == int(first.headers["X-RateLimit-Remaining"]) - 1


def test_key_revoked_in_another_process_is_refused_on_the_next_request(api_client, factory, db):
    org = factory.org()
    key = factory.api_key(org)
    assert api_client.get("/api/calls", headers=bearer(key)).status_code == 200
    assert api_key_cache.get(sha256_hex(key)) is not None  # remembered here

    done = _in_another_process("apikey", "revoke", key, "--org", org.slug)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("revoked key_")
    assert api_key_cache.get(sha256_hex(key)) is not None  # this process was not told directly...

    r = api_client.get("/api/calls", headers=bearer(key))
    assert r.status_code == 401 and r.json() == {"error": "Unauthorized"}  # ...but the epoch moved
    assert api_key_cache.get(sha256_hex(key)) is None
    row = db.exec(select(ApiKey).where(ApiKey.key_hash == sha256_hex(key))).one()
    db.refresh(row)
    assert row.revoked_at is not None


def test_role_lowered_in_another_process_applies_on_the_next_request(api_client, factory):
    org = factory.org()
    key = factory.api_key(org, role="owner")
    assert api_client.get("/api/v1/api-keys", headers=bearer(key)).status_code == 200
    script = (
        "from sqlmodel import Session, select\n"
        "from voiceconsole.db import get_engine\n"
        "from voiceconsole.models import ApiKey\n"
        "from voiceconsole.services.security import sha256_hex\n"
        f"with Session(get_engine()) as s:\n"
        f"    k = s.exec(select(ApiKey).where(ApiKey.key_hash == sha256_hex({key!r}))).one()\n"
        "    k.role = 'member'\n"
        "    s.commit()\n"
    )
    done = _python_elsewhere("-c", script)
    assert done.returncode == 0, done.stderr
    r = api_client.get("/api/v1/api-keys", headers=bearer(key))
    assert r.status_code == 403, r.text  # members do not manage API keys
    assert api_client.get("/api/calls", headers=bearer(key)).status_code == 200  # still a valid key


def test_revoke_from_the_command_line_by_id_and_bad_input(api_client, factory):
    org = factory.org()
    key = factory.api_key(org)
    listed = api_client.get("/api/v1/api-keys", headers=bearer(key)).json()["data"]
    key_id = listed[0]["id"]
    other = factory.org()

    wrong_org = _in_another_process("apikey", "revoke", key_id, "--org", other.slug)
    assert wrong_org.returncode == 1 and "no such active key" in wrong_org.stderr
    unknown_org = _in_another_process("apikey", "revoke", key_id, "--org", "no-such-org")
    assert unknown_org.returncode == 1 and "no organization" in unknown_org.stderr
    assert api_client.get("/api/calls", headers=bearer(key)).status_code == 200  # nothing revoked

    done = _in_another_process("apikey", "revoke", key_id, "--org", org.slug)
    assert done.returncode == 0 and done.stdout.strip() == f"revoked {key_id}"
    assert api_client.get("/api/calls", headers=bearer(key)).status_code == 401
    again = _in_another_process("apikey", "revoke", key_id, "--org", org.slug)
    assert again.returncode == 1


def test_organization_changes_reach_a_remembered_key(api_client, factory, db):
    org = factory.org(plan="free")
    key = factory.api_key(org)
    assert api_client.get("/api/calls", headers=bearer(key)).headers["X-RateLimit-Limit"] == "60"
    org.plan = "pro"  # e.g. an upgrade; committed by this test's own session
    db.add(org)
    db.commit()
    assert api_client.get("/api/calls", headers=bearer(key)).headers["X-RateLimit-Limit"] == "300"
