"""The real app in a browser: a throwaway database with the demo data, `reflex run --env prod`, Chromium.

Session-scoped, because the prod build compiles the frontend (about a minute, up to a few).
Database: a fresh PostgreSQL database `vc_e2e_<random>` on the server of DATABASE_URL when that is
set (dropped afterwards), else SQLite in a temporary data directory.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.support.e2e import ARTIFACTS, KEY_RE, LINK_RE
from tests.support.receivers import Mailbox

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("VC_E2E_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-dev-shm-usage",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
START_TIMEOUT_S = 300  # the prod build compiles the frontend at every start


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _plain_pg_url(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://").replace("postgres://", "postgresql://")


@dataclass
class RunningApp:
    base_url: str
    login_url: str  # single use: take fresh ones from new_login_link()
    api_key: str
    env: dict[str, str]
    log_path: Path
    mailbox: Mailbox | None = None  # the app's SMTP server (aiosmtpd): emails sent by workers land here
    stripe: Any = None  # the local Stripe the app bills through (tests/support/stripe_server.py StripeSim)
    _used_first_link: bool = field(default=False, repr=False)

    def cli(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "voiceconsole.cli", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        if done.returncode != 0:
            raise RuntimeError(f"voiceconsole {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def new_login_link(self) -> str:
        """A fresh single-use login link for the demo user (the first call returns the one from setup)."""
        if not self._used_first_link:
            self._used_first_link = True
            return self.login_url
        out = self.cli("demo")
        self.api_key = KEY_RE.search(out).group(0)  # `demo` replaces the demo key each run
        return LINK_RE.search(out).group(0)


def _create_pg_database(admin_url: str) -> tuple[str, str]:
    import psycopg

    name = f"vc_e2e_{secrets.token_hex(4)}"
    with psycopg.connect(_plain_pg_url(admin_url), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base, _, _ = admin_url.rpartition("/")
    return name, f"{base}/{name}"


def _drop_pg_database(admin_url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(_plain_pg_url(admin_url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _wait_until_up(proc: subprocess.Popen, base_url: str, log_path: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"reflex exited with {proc.returncode}:\n{log_path.read_text()[-4000:]}")
        try:
            with urllib.request.urlopen(f"{base_url}/ping", timeout=2) as r:
                ping_ok = r.status == 200
            with urllib.request.urlopen(f"{base_url}/login", timeout=5) as r:
                if ping_ok and r.status == 200 and b"<html" in r.read().lower():
                    return
        except OSError:
            pass
        time.sleep(1)
    raise RuntimeError(f"the app did not answer within {START_TIMEOUT_S}s:\n{log_path.read_text()[-4000:]}")


def _stop(proc: subprocess.Popen) -> None:
    """Stop reflex and its workers: SIGINT to the process group (reflex ignores SIGTERM), then SIGKILL."""
    if proc.poll() is not None:
        return
    for sig, wait in ((signal.SIGINT, 20), (signal.SIGKILL, 10)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


@pytest.fixture(scope="session")
def oidc_provider():
    """A real OpenID Connect provider on 127.0.0.1 (tests/support/oidc_provider.py) the app is configured with:
    its login page shows "Sign in with Test SSO" (tests/e2e/test_oidc_login.py). Nobody is picked to sign in,
    so the provider shows its own small form, as a real one would."""
    from tests.support.oidc_provider import OidcProvider

    with OidcProvider(redirect_uris=[]) as provider:
        yield provider


@pytest.fixture(scope="session")
def e2e_stripe():
    """The local Stripe (tests/support/stripe_server.py) the app bills through: billing is on in the e2e app,
    its catalogue set up with `voiceconsole billing setup`, and the simulator's events go to its webhook."""
    from tests.support.stripe_server import start_stripe_sim

    sim = start_stripe_sim()
    yield sim
    sim.stop()


@pytest.fixture(scope="session")
def vc_app(tmp_path_factory, oidc_provider, e2e_stripe) -> RunningApp:
    work = tmp_path_factory.mktemp("vc-e2e")
    data_dir = work / "data"
    port = _free_port()
    base_url = f"http://localhost:{port}"
    oidc_provider.client.redirect_uris.append(f"{base_url}/api/auth/oidc/callback")
    mailbox = Mailbox()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VOICECONSOLE_", "REFLEX_"))}
    env.update(
        {
            "VOICECONSOLE_DATA_DIR": str(data_dir),
            "VOICECONSOLE_BASE_URL": base_url,
            "VOICECONSOLE_ENV": "dev",
            "VOICECONSOLE_ALLOW_PRIVATE_TARGETS": "1",  # integrations point at the local simulator
            # Emails (login links, invitations, alerts) go to a local aiosmtpd, sent by workers.
            "VOICECONSOLE_SMTP_HOST": "127.0.0.1",
            "VOICECONSOLE_SMTP_PORT": str(mailbox.port),
            "VOICECONSOLE_OIDC_ISSUER": oidc_provider.issuer,
            "VOICECONSOLE_OIDC_CLIENT_ID": oidc_provider.client.client_id,
            "VOICECONSOLE_OIDC_CLIENT_SECRET": oidc_provider.client.client_secret,
            "VOICECONSOLE_OIDC_NAME": "Test SSO",
            "STRIPE_SECRET_KEY": "sk_test_simulator",
            "STRIPE_WEBHOOK_SECRET": e2e_stripe.secret,
            "VOICECONSOLE_STRIPE_API_BASE": e2e_stripe.url,
            "PORT": str(port),
            "PATH": f"{ROOT / '.tools' / 'node_modules' / '.bin'}{os.pathsep}{os.environ.get('PATH', '')}",
            "REFLEX_USE_SYSTEM_BUN": "1",
            "REFLEX_TELEMETRY_ENABLED": "false",
            "REFLEX_CHECK_LATEST_VERSION": "0",
            # Our own frontend build and state directories, so a developer's `reflex run` in the
            # checkout is not disturbed (reflex wipes the states directory at start).
            "REFLEX_WEB_WORKDIR": str(work / "web"),
            "REFLEX_STATES_WORKDIR": str(work / "states"),
            "PYTHONUNBUFFERED": "1",
        }
    )
    admin_url = os.environ.get("DATABASE_URL", "")
    pg_db = None
    if admin_url.startswith("postgres"):
        pg_db, env["DATABASE_URL"] = _create_pg_database(admin_url)
    else:
        env.pop("DATABASE_URL", None)  # SQLite under the data directory

    log_path = work / "server.log"
    proc = None
    try:
        app = RunningApp(
            base_url=base_url, login_url="", api_key="", env=env, log_path=log_path, mailbox=mailbox, stripe=e2e_stripe
        )
        app.cli("db", "upgrade")
        app.cli("billing", "setup")
        e2e_stripe.configure_webhook(f"{base_url}/api/billing/stripe/webhook")
        demo = app.cli("demo")
        app.login_url = LINK_RE.search(demo).group(0)
        app.api_key = KEY_RE.search(demo).group(0)
        assert app.login_url.startswith(base_url), demo

        reflex = Path(sys.executable).with_name("reflex")
        command = [str(reflex)] if reflex.exists() else [sys.executable, "-m", "reflex"]
        with open(log_path, "w") as log:
            proc = subprocess.Popen(
                [
                    *command,
                    "run",
                    "--env",
                    "prod",
                    "--frontend-port",
                    str(port),
                    "--backend-port",
                    str(port),
                    "--loglevel",
                    "info",
                ],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,  # its own process group, so teardown stops every child
            )
        _wait_until_up(proc, base_url, log_path)
        yield app
    finally:
        if proc is not None:
            _stop(proc)
        mailbox.stop()
        if not env.get("REDIS_URL"):
            from voiceconsole.embedded_redis import stop_embedded_redis

            stop_embedded_redis(data_dir)
        if log_path.exists():
            ARTIFACTS.mkdir(exist_ok=True)
            shutil.copy(log_path, ARTIFACTS / "server.log")
        if pg_db:
            _drop_pg_database(admin_url, pg_db)


@pytest.fixture(scope="session")
def e2e_browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM}")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def e2e_page(e2e_browser, vc_app):
    """A fresh browser profile (no cookies) per test."""
    context = e2e_browser.new_context(viewport={"width": 1440, "height": 900}, base_url=vc_app.base_url)
    context.set_default_timeout(20_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(scope="module")
def vc_worker(vc_app):
    """A long-running `voiceconsole worker` (RQ + the periodic ticker) against the app's database and Redis,
    for tests that need jobs to run while they watch the browser (deliveries, retries). Module-scoped, so
    it never races other modules' `cli("worker", "--burst")`. Its log is saved as artifacts/worker.log."""
    log_path = vc_app.log_path.with_name("worker.log")
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "voiceconsole.cli", "worker"],
            cwd=ROOT,
            env=vc_app.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    try:
        time.sleep(1)
        if proc.poll() is not None:
            raise RuntimeError(f"the worker exited with {proc.returncode}:\n{log_path.read_text()[-4000:]}")
        yield proc
    finally:
        _stop(proc)
        ARTIFACTS.mkdir(exist_ok=True)
        shutil.copy(log_path, ARTIFACTS / "worker.log")
