"""Session setup and the fixtures tests in several directories share.

A freshly migrated database (PostgreSQL when DATABASE_URL is set, else a SQLite file), Redis (REDIS_URL,
else the embedded server), factories for tenants and data, the local OpenAI-compatible server, the local
receivers of outbound notifications, and the settings and queues of tests that sync from the simulator.
Plain helpers live in tests/support; fixtures of one directory live in that directory's conftest.py.

Tests never clean up rows: every test makes its own organizations, so tenants never collide.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from pathlib import Path

import pytest

_TMP = Path(tempfile.mkdtemp(prefix="vc-tests-"))
_PG_ADMIN_URL = os.environ.get("DATABASE_URL")
_TEST_DB = None
if _PG_ADMIN_URL and _PG_ADMIN_URL.startswith("postgres"):
    # A throwaway database on the given server, so the suite never touches real data.
    import psycopg

    _TEST_DB = f"vc_test_{secrets.token_hex(4)}"
    base, _, _ = _PG_ADMIN_URL.replace("postgresql+psycopg://", "postgresql://").rpartition("/")
    with psycopg.connect(_PG_ADMIN_URL.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{_TEST_DB}"')
    os.environ["DATABASE_URL"] = f"{base}/{_TEST_DB}"
os.environ["VOICECONSOLE_DATA_DIR"] = str(_TMP)
os.environ.setdefault("VOICECONSOLE_ENV", "test")
os.environ.setdefault("VOICECONSOLE_BASE_URL", "http://testserver")
os.environ.setdefault("VOICECONSOLE_SECRET_KEY", "test-secret-key-for-the-suite-only-0123456789")

# Only now (the environment above is set): helpers may import the product.
from tests.support.factory import Factory  # noqa: E402
from tests.support.llm_server import LLM_ENV, FakeLlm  # noqa: E402
from tests.support.receivers import Channels, Mailbox, Receiver  # noqa: E402
from tests.support.simulator import PAGE_SIZE, RETRIES  # noqa: E402


def pytest_sessionstart(session):
    from voiceconsole.migrations import upgrade

    upgrade("head")


def pytest_sessionfinish(session, exitstatus):
    from voiceconsole.db import get_engine

    get_engine().dispose()
    if _TEST_DB:
        import psycopg

        with psycopg.connect(_PG_ADMIN_URL.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{_TEST_DB}" WITH (FORCE)')
    if not os.environ.get("REDIS_URL"):
        from voiceconsole.embedded_redis import stop_embedded_redis

        stop_embedded_redis(_TMP)


# --------------------------------------------------------------------------------------------------
# Database, API, data
# --------------------------------------------------------------------------------------------------


@pytest.fixture
def db():
    from sqlmodel import Session

    from voiceconsole.db import get_engine

    with Session(get_engine(), expire_on_commit=False) as session:
        yield session


@pytest.fixture
def api_client():
    from fastapi.testclient import TestClient

    from voiceconsole.api.main import api

    # A distinct client address per test: anonymous requests are rate-limited per address, and
    # the counters live in Redis (shared by every test and, with REDIS_URL, by earlier runs).
    address = f"10.{secrets.randbelow(256)}.{secrets.randbelow(256)}.{secrets.randbelow(254) + 1}"
    with TestClient(api, client=(address, 50000)) as client:
        yield client


@pytest.fixture
def factory(db):
    return Factory(db)


# --------------------------------------------------------------------------------------------------
# AI mode: the local OpenAI-compatible server (tests/support/llm_server.py)
# --------------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def llm_server():
    server = FakeLlm()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def llm(llm_server):
    llm_server.reset()
    yield llm_server
    llm_server.reset()


@pytest.fixture
def ai_mode(llm):
    """AI mode on, for every process reading settings (web, jobs on a SimpleWorker): the fake server."""
    from voiceconsole.settings import get_settings

    saved = {k: os.environ.get(k) for k in LLM_ENV}
    os.environ.update(
        {
            "VOICECONSOLE_LLM_BASE_URL": llm.base_url,
            "VOICECONSOLE_LLM_API_KEY": "sk-test-123",
            "VOICECONSOLE_LLM_MODEL": "judge-test",
            "VOICECONSOLE_LLM_TIMEOUT_S": "1",
        }
    )
    get_settings.cache_clear()
    try:
        yield llm
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        get_settings.cache_clear()


# --------------------------------------------------------------------------------------------------
# Outbound notifications: local HTTP and SMTP receivers (tests/support/receivers.py)
# --------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def receiver():
    r = Receiver()
    yield r
    r.stop()


@pytest.fixture(scope="module")
def mailbox():
    m = Mailbox()
    yield m
    m.stop()


@pytest.fixture
def notify_settings(monkeypatch, mailbox):
    """Local receivers allowed, SMTP at the test mailbox, a short retry schedule."""
    from voiceconsole.settings import get_settings

    monkeypatch.setenv("VOICECONSOLE_ALLOW_PRIVATE_TARGETS", "1")
    monkeypatch.setenv("VOICECONSOLE_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("VOICECONSOLE_SMTP_PORT", str(mailbox.port))
    monkeypatch.setenv("VOICECONSOLE_NOTIFY_RETRY_SCHEDULE", "1,2")
    get_settings.cache_clear()
    yield get_settings()
    monkeypatch.undo()
    get_settings.cache_clear()


@pytest.fixture
def channels(db):
    c = Channels(db)
    yield c
    c.close()


# --------------------------------------------------------------------------------------------------
# Integrations: settings as against the simulator, and clean queues. Autouse in tests/services/intake;
# other modules ask for them with `pytestmark = pytest.mark.usefixtures(...)`. The simulator itself:
# tests/services/conftest.py.
# --------------------------------------------------------------------------------------------------


@pytest.fixture
def integration_settings(monkeypatch):
    """Settings as a developer running against the simulator would set them."""
    from voiceconsole.settings import get_settings

    monkeypatch.setenv("VOICECONSOLE_ALLOW_PRIVATE_TARGETS", "1")
    monkeypatch.setenv("VOICECONSOLE_PLATFORM_RETRIES", str(RETRIES))
    monkeypatch.setenv("VOICECONSOLE_PLATFORM_BACKOFF_S", "0.01")
    monkeypatch.setenv("VOICECONSOLE_PLATFORM_MAX_BACKOFF_S", "0.05")
    monkeypatch.setenv("VOICECONSOLE_PLATFORM_TIMEOUT_S", "20")
    monkeypatch.setenv("VOICECONSOLE_PLATFORM_PAGE_SIZE", str(PAGE_SIZE))
    get_settings.cache_clear()
    yield get_settings()
    monkeypatch.undo()
    get_settings.cache_clear()


@pytest.fixture
def no_jobs_left_behind():
    """Queues hold only this test's jobs, and none are left for later tests (whose workers drain every
    queue: another test's sync job against a closed port would slow them down or worse)."""
    from voiceconsole.enqueue import all_queues

    def empty() -> None:
        for queue in all_queues():
            queue.empty()
            # …and the scheduled ones: a worker with its scheduler would move those that are due in.
            for job_id in queue.scheduled_job_registry.get_job_ids():
                queue.scheduled_job_registry.remove(job_id, delete_job=True)

    empty()
    yield
    empty()


@pytest.fixture
def sync_queue():
    """The sync queue, emptied of other tests' leftovers."""
    from voiceconsole.enqueue import get_queue

    queue = get_queue("sync")
    queue.empty()
    return queue
