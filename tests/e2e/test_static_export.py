"""The split deployment (README "Deploying"): `reflex export` served by a plain static web server on one
port, the backend alone (`reflex run --env prod --backend-only`) on another, and a browser that signs in
and uses the calls page across the two origins: the websocket (`/_event`), the API and the session cookie
all go to the backend, every page comes from the static server.

Both sides are on 127.0.0.1: different ports are different origins but the same site, so the default
`SameSite=Lax` session cookie works (a frontend on another site needs VOICECONSOLE_COOKIE_SAMESITE=none and
https). The export is timed and the figure saved in artifacts/static-export.txt.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.support.e2e import ARTIFACTS, LINK_RE
from tests.support.static_export import (
    ROOT,
    StaticSite,
    create_pg_database,
    drop_pg_database,
    export_frontend,
    free_port,
    reflex_command,
    stop_process_group,
)

pytestmark = pytest.mark.e2e

BACKEND_START_TIMEOUT_S = 120


@dataclass
class SplitApp:
    frontend_url: str  # the static server
    backend_url: str  # reflex --backend-only: the API, /_event, login links
    login_url: str
    export_s: float


def _cli(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "voiceconsole.cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if done.returncode != 0:
        raise RuntimeError(f"voiceconsole {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def _wait_for_backend(proc: subprocess.Popen, backend_url: str, log_path: Path) -> None:
    deadline = time.monotonic() + BACKEND_START_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the backend exited with {proc.returncode}:\n{log_path.read_text()[-4000:]}")
        try:
            with urllib.request.urlopen(f"{backend_url}/ping", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"the backend did not answer within {BACKEND_START_TIMEOUT_S}s:\n{log_path.read_text()[-4000:]}")


@pytest.fixture(scope="module")
def split_app(tmp_path_factory):
    work = tmp_path_factory.mktemp("vc-static")
    static_port, backend_port = free_port(), free_port()
    frontend_url, backend_url = f"http://127.0.0.1:{static_port}", f"http://127.0.0.1:{backend_port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VOICECONSOLE_", "REFLEX_"))}
    env.update(
        {
            "VOICECONSOLE_DATA_DIR": str(work / "data"),
            "VOICECONSOLE_BASE_URL": backend_url,  # the backend's public URL: API, login links, webhooks
            "VOICECONSOLE_FRONTEND_URL": frontend_url,  # where the pages are: sign-in and sign-out land there
            "VOICECONSOLE_ALLOWED_ORIGINS": frontend_url,  # CORS and the websocket accept the static origin
            "VOICECONSOLE_ENV": "dev",
            "PATH": f"{ROOT / '.tools' / 'node_modules' / '.bin'}{os.pathsep}{os.environ.get('PATH', '')}",
            "REFLEX_USE_SYSTEM_BUN": "1",
            "REFLEX_TELEMETRY_ENABLED": "false",
            "REFLEX_CHECK_LATEST_VERSION": "0",
            # Build and state directories of our own: the checkout's .web and .states are left alone.
            "REFLEX_WEB_WORKDIR": str(work / "web"),
            "REFLEX_STATES_WORKDIR": str(work / "states"),
            "PYTHONUNBUFFERED": "1",
        }
    )
    admin_url = os.environ.get("DATABASE_URL", "")
    pg_db = None
    if admin_url.startswith("postgres"):
        pg_db, env["DATABASE_URL"] = create_pg_database(admin_url, "vc_static")
    else:
        env.pop("DATABASE_URL", None)  # SQLite under the data directory

    export_log, backend_log = work / "export.log", work / "backend.log"
    proc = None
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="reflex-export")
    try:
        # The export (bun, Vite) runs while the database is set up and the backend starts.
        exported = pool.submit(export_frontend, work / "web", backend_url, env, export_log)
        _cli(env, "db", "upgrade")
        demo = _cli(env, "demo")
        login_url = LINK_RE.search(demo).group(0)
        assert login_url.startswith(f"{backend_url}/api/auth/magic?"), demo
        with open(backend_log, "w") as log:
            proc = subprocess.Popen(
                [
                    *reflex_command(),
                    "run",
                    "--env",
                    "prod",
                    "--backend-only",
                    "--backend-host",
                    "127.0.0.1",
                    "--backend-port",
                    str(backend_port),
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
        _wait_for_backend(proc, backend_url, backend_log)
        site, seconds = exported.result()
        ARTIFACTS.mkdir(exist_ok=True)
        (ARTIFACTS / "static-export.txt").write_text(f"reflex export --frontend-only --no-zip: {seconds:.1f} s\n")
        print(f"\nreflex export --frontend-only took {seconds:.1f} s")
        with StaticSite(site, static_port) as static:
            assert static.url == frontend_url
            yield SplitApp(frontend_url=frontend_url, backend_url=backend_url, login_url=login_url, export_s=seconds)
    finally:
        pool.shutdown(wait=True)
        if proc is not None:
            stop_process_group(proc)
        ARTIFACTS.mkdir(exist_ok=True)
        for log_path in (export_log, backend_log):
            if log_path.exists():
                shutil.copy(log_path, ARTIFACTS / f"static-{log_path.name}")
        if pg_db:
            drop_pg_database(admin_url, pg_db)


def test_static_frontend_and_backend_apart(e2e_browser, split_app):
    front, back = split_app.frontend_url, split_app.backend_url
    on_front = re.escape(front)
    context = e2e_browser.new_context(viewport={"width": 1440, "height": 900})
    context.set_default_timeout(20_000)
    page = context.new_page()
    sockets: list[str] = []
    page.on("websocket", lambda ws: sockets.append(ws.url))
    try:
        # Anonymous: the static server's page talks to the backend's websocket, which sends it to the login page.
        page.goto(f"{front}/calls")
        page.wait_for_url(re.compile(rf"^{on_front}/login/?$"))
        expect(page.get_by_test_id("login-email")).to_be_visible()

        # The login link is the backend's: it sets the session cookie there and lands on the static frontend.
        page.goto(split_app.login_url)
        page.wait_for_url(re.compile(rf"^{on_front}/dashboard/?$"))
        (cookie,) = [c for c in context.cookies() if c["name"] == "cp_session"]
        assert cookie["domain"] == "127.0.0.1" and cookie["httpOnly"] and cookie["sameSite"] == "Lax", cookie

        # The calls page: seeded calls, one opened.
        page.get_by_test_id("nav-calls").click()
        page.wait_for_url(re.compile(rf"^{on_front}/calls/?$"))
        expect(page.get_by_test_id("org-name")).to_have_text("Demo Agency")
        rows = page.get_by_test_id("call-row")
        expect(rows).to_have_count(20)
        expect(page.get_by_test_id("range-label")).to_have_text(re.compile(r"^Showing 1–20 of [\d,]+$"))
        assert (page.get_by_test_id("export-csv").get_attribute("href") or "").startswith(f"{back}/api/v1/calls/export")
        first = rows.first
        call_id = first.get_attribute("data-call-id")
        agent = first.get_by_test_id("cell-agent").inner_text().splitlines()[0].strip()
        first.get_by_test_id("call-link").click()
        page.wait_for_url(re.compile(rf"^{on_front}/calls/{call_id}/?$"))
        expect(page.get_by_test_id("call-header")).to_be_visible()
        expect(page.get_by_test_id("call-agent")).to_have_text(agent)
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "static-call-detail.png"))

        # A dynamic route loaded directly comes from the static server's fallback (404.html) and still works.
        page.reload()
        expect(page.get_by_test_id("call-agent")).to_have_text(agent)

        # The API from the static origin, with the cookie: CORS lets the page read it.
        status, body = page.evaluate(
            """async (url) => {
                const r = await fetch(url, {credentials: "include"});
                return [r.status, await r.json()];
            }""",
            f"{back}/api/v1/auth/me",
        )
        assert status == 200 and body["data"]["organization"]["name"] == "Demo Agency", body
        # A write with the cookie from the static origin: preflight, then the CSRF check knows the origin.
        note = f"Written from {front}"
        status, body = page.evaluate(
            """async ([url, text]) => {
                const r = await fetch(url, {method: "POST", credentials: "include",
                    headers: {"Content-Type": "application/json"}, body: JSON.stringify({body: text})});
                return [r.status, await r.json()];
            }""",
            [f"{back}/api/v1/calls/{call_id}/notes", note],
        )
        assert status == 201, body
        page.reload()
        expect(page.get_by_test_id("note").filter(has_text=note)).to_be_visible()
        assert sockets and all(url.startswith(f"{back.replace('http', 'ws', 1)}/_event") for url in sockets), sockets

        # Signing out posts to the backend and lands on the static login page, signed out.
        page.get_by_test_id("logout").click()
        page.wait_for_url(re.compile(rf"^{on_front}/login/?$"))
        page.goto(f"{front}/calls")
        page.wait_for_url(re.compile(rf"^{on_front}/login/?$"))
        assert not [c for c in context.cookies() if c["name"] == "cp_session"]
    finally:
        context.close()
