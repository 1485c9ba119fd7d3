"""The `voiceconsole` command, run as operators run it: a subprocess on the test database."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from sqlmodel import select

from tests.support.http import bearer

VOICECONSOLE = Path(sys.executable).with_name("voiceconsole")
KEY_RE = re.compile(r"viq_[A-Za-z0-9]{32,}")


def run(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ)  # DATABASE_URL (the throwaway DB) / VOICECONSOLE_DATA_DIR / REDIS_URL of the suite
    return subprocess.run([str(VOICECONSOLE), *args], env=env, capture_output=True, text=True, timeout=120)


def _slug(proc) -> str:
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.strip().splitlines()
    assert len(lines) == 1, proc.stdout  # scripts capture the slug: nothing else on stdout
    return lines[0]


def test_org_create_prints_a_slug_and_stores_the_org(db):
    from voiceconsole.models import Organization

    slug = _slug(run("org", "create", "Acme Voice"))
    assert re.fullmatch(r"acme-voice(-[a-z0-9]{5})?", slug), slug
    org = db.exec(select(Organization).where(Organization.slug == slug)).one()
    assert org.name == "Acme Voice" and org.plan == "free"


def test_org_create_twice_gives_distinct_slugs(db):
    first = _slug(run("org", "create", "Twin Agency"))
    second = _slug(run("org", "create", "Twin Agency"))
    assert first != second
    assert first.startswith("twin-agency") and second.startswith("twin-agency")


def test_org_create_with_plan(db):
    from voiceconsole.models import Organization

    slug = _slug(run("org", "create", "Big Shop", "--plan", "agency"))
    assert db.exec(select(Organization.plan).where(Organization.slug == slug)).one() == "agency"


@pytest.mark.parametrize("args", [("org", "create", "Bad Plan", "--plan", "platinum"), ("org", "create", "   ")])
def test_org_create_rejects_bad_input(args, db):
    from sqlalchemy import func

    from voiceconsole.models import Organization

    before = db.exec(select(func.count()).select_from(Organization)).one()
    proc = run(*args)
    assert proc.returncode != 0
    assert proc.stderr.strip() and "Traceback" not in proc.stderr
    assert db.exec(select(func.count()).select_from(Organization)).one() == before


def test_apikey_create_prints_a_key_that_works(api_client, db):
    from voiceconsole.models import ApiKey, Organization
    from voiceconsole.services.security import sha256_hex

    slug = _slug(run("org", "create", "Acme Voice"))
    proc = run("apikey", "create", "--org", slug, "--name", "ci")
    assert proc.returncode == 0, proc.stderr
    key = proc.stdout.strip()
    assert KEY_RE.fullmatch(key), proc.stdout
    r = api_client.get("/api/auth/me", headers=bearer(key))
    assert r.status_code == 200, r.text
    assert r.json()["data"]["organization"]["slug"] == slug
    assert api_client.get("/api/calls", headers=bearer(key)).json()["meta"]["total"] == 0
    org = db.exec(select(Organization).where(Organization.slug == slug)).one()
    row = db.exec(select(ApiKey).where(ApiKey.organization_id == org.id)).one()
    assert row.name == "ci" and row.key_hash == sha256_hex(key)  # only the hash is kept


def test_apikey_create_for_unknown_org_fails_with_a_message():
    proc = run("apikey", "create", "--org", "no-such-org-xyz", "--name", "ci")
    assert proc.returncode != 0
    assert "no-such-org-xyz" in proc.stderr and "Traceback" not in proc.stderr
    assert not KEY_RE.search(proc.stdout)


def test_apikey_create_requires_a_name():
    slug = _slug(run("org", "create", "Nameless Keys"))
    proc = run("apikey", "create", "--org", slug)
    assert proc.returncode != 0 and "--name" in proc.stderr
    proc = run("apikey", "create", "--org", slug, "--name", "  ")
    assert proc.returncode != 0 and not KEY_RE.search(proc.stdout)


def test_db_upgrade_is_idempotent(db):
    from sqlalchemy import inspect, text

    from voiceconsole.db import get_engine

    for _ in range(2):
        proc = run("db", "upgrade")
        assert proc.returncode == 0, proc.stderr
        assert "head" in proc.stdout
    engine = get_engine()
    with engine.connect() as conn:
        versions = conn.execute(text("SELECT version_num FROM alembic_version")).all()
    assert len(versions) == 1
    assert {"organization", "call", "agent", "api_key"} <= set(inspect(engine).get_table_names())
    # the data written before is still there and the API still works on the upgraded schema
    slug = _slug(run("org", "create", "After Upgrade"))
    assert run("apikey", "create", "--org", slug, "--name", "x").returncode == 0


def test_no_arguments_shows_help():
    proc = run()
    assert "org" in (proc.stdout + proc.stderr) and "apikey" in (proc.stdout + proc.stderr)
