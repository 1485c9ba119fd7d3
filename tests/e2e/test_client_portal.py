"""A client viewer's portal in a real browser, on the demo data: the portal's navigation only, the agency's
name and logo, their client's calls only and no costs, the weekly report, and the agency's own pages
refused (sent back to the portal)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.support.e2e import ARTIFACTS

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]

# Run in the app's environment (its database): a client viewer of the demo's first client, the agency's
# branding, and a login link for the viewer.
MAKE_VIEWER = r"""
import json, secrets, struct, zlib
from sqlmodel import select
from voiceconsole.db import session_scope
from voiceconsole.models import Client, Membership, Organization
from voiceconsole.services import accounts, branding
from voiceconsole.services.access.actor import Actor

def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0))
       + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00\xff\x00\x00" * 2)) + chunk(b"IEND", b""))
with session_scope() as s:
    org = s.exec(select(Organization).where(Organization.is_demo == True)).first()
    clients = s.exec(select(Client).where(Client.organization_id == org.id).order_by(Client.name)).all()
    mine = clients[0]
    email = f"viewer-{secrets.token_hex(3)}@example.com"
    user = accounts.get_or_create_user(s, email=email)
    s.add(Membership(user_id=user.id, organization_id=org.id, role="client_viewer", client_id=mine.id))
    boss = Actor(kind="system", id="e2e", display="e2e")
    branding.update_branding(s, org=org, actor=boss, accent_color="#e8590c")
    branding.set_logo(s, org=org, actor=boss, data=png)
    link = accounts.create_magic_link(s, email=email)
    print(json.dumps({"link": link, "client": mine.public_id, "clientName": mine.name,
                      "others": [c.name for c in clients[1:]], "org": org.name}))
"""


def _api(vc_app, path: str) -> dict:
    req = urllib.request.Request(f"{vc_app.base_url}{path}", headers={"Authorization": f"Bearer {vc_app.api_key}"})
    with urllib.request.urlopen(req, timeout=20) as r:
        return json.loads(r.read())


def _make_viewer(vc_app) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", MAKE_VIEWER], cwd=ROOT, env=vc_app.env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_client_viewer_sees_their_portal_only(e2e_page, vc_app):
    viewer = _make_viewer(vc_app)
    page = e2e_page
    page.goto(viewer["link"])
    page.wait_for_url(re.compile(r"/dashboard/?$"))
    ARTIFACTS.mkdir(exist_ok=True)

    # The portal's navigation, the agency's name and logo, the agency's accent colour.
    nav = page.get_by_test_id("sidebar")
    for item in ("dashboard", "calls", "agents", "weekly-report"):
        expect(nav.get_by_test_id(f"nav-{item}")).to_be_visible()
    for item in ("clients", "integrations", "scoring", "api-keys", "branding"):
        expect(nav.get_by_test_id(f"nav-{item}")).to_have_count(0)
    expect(nav.get_by_test_id("brand-name")).to_have_text(viewer["org"])
    logo = nav.get_by_test_id("brand-logo")
    expect(logo).to_be_visible()
    assert page.evaluate("(el) => el.naturalWidth", logo.element_handle()) == 2  # the image loaded
    # No cost card, and no other client on the dashboard.
    expect(page.get_by_test_id("kpi-card")).to_have_count(4)
    expect(page.locator("[data-testid=kpi-card][data-kpi=cost]")).to_have_count(0)
    for name in viewer["others"]:
        expect(page.get_by_text(name, exact=True)).to_have_count(0)
    page.screenshot(path=str(ARTIFACTS / "portal-dashboard.png"), full_page=True)

    # Calls: their client's only, no cost column.
    theirs = _api(vc_app, f"/api/v1/calls?clientId={viewer['client']}&perPage=20")["data"]
    nav.get_by_test_id("nav-calls").click()
    page.wait_for_url(re.compile(r"/calls"))
    rows = page.get_by_test_id("call-row")
    expect(rows).to_have_count(len(theirs))
    assert [r.get_attribute("data-call-id") for r in rows.all()] == [c["id"] for c in theirs]
    expect(page.get_by_role("columnheader", name=re.compile("^Cost"))).to_have_count(0)
    page.screenshot(path=str(ARTIFACTS / "portal-calls.png"), full_page=True)

    # The weekly report of their client.
    nav.get_by_test_id("nav-weekly-report").click()
    page.wait_for_url(re.compile(r"/report$"))
    expect(page.get_by_test_id("weekly-report")).to_be_visible()
    expect(page.get_by_test_id("page-title")).to_contain_text(viewer["clientName"])
    page.screenshot(path=str(ARTIFACTS / "portal-report.png"), full_page=True)

    # The agency's own pages send them back to the portal.
    for path in ("/settings/api-keys", "/settings/integrations", "/clients", f"/clients/{viewer['client']}"):
        page.goto(path)
        page.wait_for_url(re.compile(r"/dashboard/?$"))
    expect(page.get_by_test_id("api-keys-table")).to_have_count(0)
