"""Who may call what: every operation of the OpenAPI document × every kind of caller, against the permissions
table (`voiceconsole.services.access.permissions.PERMISSIONS`).

`RULES` names, for every operation the document lists, the action it performs (a row of the permissions
table) or how it is reached without a role (`public`, `webhook`). An operation without a rule fails
`test_every_operation_has_a_rule`: a new endpoint must say who may call it.

Callers: the owner, an admin, a member, a client viewer of client A, a client viewer of client B (all of
organization A, signed in with their browser session), and the owner of another organization. Path ids are
organization A's, and the client-scoped ones (call, agent, client) belong to client A. Expected:
- a role the table allows: not refused (neither 401, 403 nor 404: a 409 or a 422 the business rules give is
  an answer past the door), except a client viewer of client B for client A's resources, and the other
  organization for any of A's ids, which are 404;
- a role the table does not allow: 403 (or 404 when the resource is not theirs to see at all).
Each (operation, caller) pair runs against a world of its own, so deleting something never changes what
the next caller finds.
"""

from __future__ import annotations

import re
import secrets
import struct
import zlib
from dataclasses import dataclass

import pytest

from tests.support.team import Person, person
from voiceconsole.api.main import api
from voiceconsole.services.access.permissions import PERMISSIONS

# (method, path under /api/v1) → action in PERMISSIONS, or "public" (no credentials needed) or "webhook"
# (a platform's signed request: no role, refused without a valid signature).
RULES: dict[tuple[str, str], str] = {
    ("GET", "/agents"): "agents.read",
    ("GET", "/agents/stats"): "agents.read",
    ("GET", "/agents/{agent_id}"): "agents.read",
    ("GET", "/calls"): "calls.read",
    ("GET", "/calls/export"): "calls.read",
    ("GET", "/calls/{call_id}"): "calls.read",
    ("POST", "/calls/{call_id}/notes"): "calls.annotate",
    ("POST", "/calls/{call_id}/tags"): "calls.annotate",
    ("DELETE", "/calls/{call_id}/tags"): "calls.annotate",
    ("GET", "/calls/{call_id}/coaching"): "coaching.read",
    ("GET", "/api-keys"): "api_keys.manage",
    ("POST", "/api-keys"): "api_keys.manage",
    ("DELETE", "/api-keys/{key_id}"): "api_keys.manage",
    ("POST", "/auth/magic-link"): "public",
    ("POST", "/auth/logout"): "public",
    ("GET", "/auth/me"): "account.read",
    ("GET", "/integrations"): "integrations.read",
    ("POST", "/integrations"): "integrations.manage",
    ("GET", "/integrations/{integration_id}"): "integrations.read",
    ("PATCH", "/integrations/{integration_id}"): "integrations.manage",
    ("DELETE", "/integrations/{integration_id}"): "integrations.manage",
    ("POST", "/integrations/{integration_id}/test"): "integrations.sync",
    ("POST", "/integrations/{integration_id}/sync"): "integrations.sync",
    ("POST", "/integrations/{platform}/webhook/{integration_id}"): "webhook",
    ("GET", "/settings/scoring"): "scoring.read",
    ("PUT", "/settings/scoring"): "scoring.manage",
    ("GET", "/clients/{client_id}/scoring"): "scoring.read",
    ("PUT", "/clients/{client_id}/scoring"): "scoring.manage",
    ("GET", "/agents/{agent_id}/scoring"): "scoring.read",
    ("PUT", "/agents/{agent_id}/scoring"): "scoring.manage",
    ("GET", "/analytics"): "analytics.read",
    ("GET", "/analytics/portfolio"): "analytics.read",
    ("GET", "/clients"): "clients.read",
    ("POST", "/clients"): "clients.manage",
    ("GET", "/clients/{client_id}"): "clients.read",
    ("PATCH", "/clients/{client_id}"): "clients.manage",
    ("DELETE", "/clients/{client_id}"): "clients.manage",
    ("PUT", "/agents/{agent_id}/client"): "clients.manage",
    ("GET", "/notification-channels"): "channels.read",
    ("POST", "/notification-channels"): "channels.manage",
    ("GET", "/notification-channels/{channel_id}"): "channels.read",
    ("PATCH", "/notification-channels/{channel_id}"): "channels.manage",
    ("DELETE", "/notification-channels/{channel_id}"): "channels.manage",
    ("POST", "/notification-channels/{channel_id}/test"): "channels.manage",
    ("GET", "/notification-channels/{channel_id}/deliveries"): "channels.read",
    ("POST", "/notification-channels/{channel_id}/resume"): "channels.manage",
    ("POST", "/notification-channels/{channel_id}/rotate-secret"): "channels.manage",
    ("GET", "/members"): "team.read",
    ("PATCH", "/members/{member_id}"): "members.manage",
    ("DELETE", "/members/{member_id}"): "members.manage",
    ("POST", "/members/{member_id}/transfer-ownership"): "ownership.manage",
    ("GET", "/invitations"): "team.read",
    ("POST", "/invitations"): "invitations.manage",
    ("POST", "/invitations/{invitation_id}/resend"): "invitations.manage",
    ("DELETE", "/invitations/{invitation_id}"): "invitations.manage",
    ("GET", "/branding"): "branding.read",
    ("PUT", "/branding"): "branding.manage",
    ("POST", "/branding/logo"): "branding.manage",
    ("DELETE", "/branding/logo"): "branding.manage",
    ("GET", "/branding/logo"): "branding.read",
    ("GET", "/sessions"): "account.read",
    ("DELETE", "/sessions"): "account.manage",
    ("DELETE", "/sessions/{session_id}"): "account.manage",  # the caller's own session (`PERSONAL`)
    ("GET", "/audit-log"): "audit.read",
    ("GET", "/reports/weekly"): "analytics.read",
    ("GET", "/agents/{agent_id}/monitoring"): "agents.read",
    ("PUT", "/agents/{agent_id}/monitoring"): "agents.monitoring",
    ("POST", "/agents"): "builder.manage",
    ("GET", "/agent-templates"): "account.read",
    ("GET", "/agents/{agent_id}/config"): "builder.read",
    ("PUT", "/agents/{agent_id}/config"): "builder.manage",
    ("POST", "/agents/{agent_id}/config/import-drift"): "builder.manage",
    ("GET", "/agents/{agent_id}/versions"): "builder.read",
    ("GET", "/agents/{agent_id}/versions/quality"): "builder.read",
    ("GET", "/agents/{agent_id}/versions/{n}"): "builder.read",
    ("POST", "/agents/{agent_id}/versions/{n}/deploy"): "builder.manage",
    ("GET", "/agents/{agent_id}/versions/{a}/diff/{b}"): "builder.read",
    ("POST", "/calls/{call_id}/coaching/to-prompt"): "builder.manage",
    ("GET", "/billing"): "billing.read",
    ("PATCH", "/billing"): "billing.manage",
    ("GET", "/billing/invoices"): "billing.read",
    ("POST", "/billing/checkout"): "billing.manage",
    ("POST", "/billing/portal"): "billing.manage",
    ("GET", "/leads"): "leads.read",
    ("POST", "/leads"): "leads.manage",
    ("GET", "/leads/{lead_id}"): "leads.read",
    ("PATCH", "/leads/{lead_id}"): "leads.manage",
    ("DELETE", "/leads/{lead_id}"): "leads.manage",
    ("POST", "/leads/import"): "leads.manage",
    ("GET", "/leads/imports/{import_id}"): "leads.read",
    ("GET", "/leads/imports/{import_id}/errors.csv"): "leads.read",
    ("GET", "/dnc"): "dnc.read",
    ("POST", "/dnc"): "dnc.add",
    ("POST", "/dnc/import"): "dnc.add",
    ("GET", "/dnc/export.csv"): "dnc.read",
    ("DELETE", "/dnc/{phone}"): "dnc.manage",
    ("GET", "/campaigns"): "campaigns.read",
    ("POST", "/campaigns"): "campaigns.manage",
    ("GET", "/campaigns/{campaign_id}"): "campaigns.read",
    ("PATCH", "/campaigns/{campaign_id}"): "campaigns.manage",
    ("DELETE", "/campaigns/{campaign_id}"): "campaigns.manage",
    ("POST", "/campaigns/{campaign_id}/start"): "campaigns.manage",
    ("POST", "/campaigns/{campaign_id}/pause"): "campaigns.manage",
    ("POST", "/campaigns/{campaign_id}/resume"): "campaigns.manage",
    ("POST", "/campaigns/{campaign_id}/cancel"): "campaigns.manage",
    ("GET", "/campaigns/{campaign_id}/stats"): "campaigns.read",
    ("GET", "/campaigns/{campaign_id}/attempts"): "campaigns.read",
}

# Valid bodies, so that a refusal is about who asks, never about what they sent.
BODIES = {
    ("POST", "/agents"): {"platform": "vapi", "integrationId": "int_missing"},  # 422 past the door: no spec
    ("PUT", "/agents/{agent_id}/config"): {"spec": {"name": "Matrix", "voiceId": "v", "systemPrompt": "Hello"}},
    ("POST", "/calls/{call_id}/coaching/to-prompt"): {"suggestion": "Confirm the caller's name"},
    ("PUT", "/agents/{agent_id}/monitoring"): {"monitored": False},
    ("PATCH", "/billing"): {"overage": True},
    ("POST", "/billing/checkout"): {"plan": "pro"},
    ("POST", "/calls/{call_id}/notes"): {"body": "Call back"},
    ("POST", "/calls/{call_id}/tags"): {"tags": ["vip"]},
    ("DELETE", "/calls/{call_id}/tags"): {"tags": ["vip"]},
    ("POST", "/api-keys"): {"name": "matrix"},
    ("POST", "/auth/magic-link"): {"email": "someone@example.com"},
    ("POST", "/integrations"): {"platform": "vapi", "apiKey": "vapi-key-123", "label": "Matrix"},
    ("PATCH", "/integrations/{integration_id}"): {"label": "Renamed"},
    ("PUT", "/settings/scoring"): {"alertThreshold": 55},
    ("PUT", "/clients/{client_id}/scoring"): {"alertThreshold": 55},
    ("PUT", "/agents/{agent_id}/scoring"): {"alertThreshold": 55},
    ("POST", "/clients"): {"name": "Matrix client"},
    ("PATCH", "/clients/{client_id}"): {"name": "Renamed client"},
    ("PUT", "/agents/{agent_id}/client"): {"clientId": None},
    ("POST", "/notification-channels"): {"kind": "email", "email": "ops@example.com", "events": ["call.low_score"]},
    ("PATCH", "/notification-channels/{channel_id}"): {"name": "Renamed channel"},
    ("PATCH", "/members/{member_id}"): {"role": "admin"},
    ("POST", "/invitations"): {"email": "newcomer@example.com", "role": "member"},
    ("PUT", "/branding"): {"name": "Matrix agency"},
    ("POST", "/leads"): {"phone": "+14155550111", "firstName": "Matrix"},
    ("PATCH", "/leads/{lead_id}"): {"company": "Matrix Inc"},
    ("POST", "/dnc"): {"phone": "+14155550122"},
    ("POST", "/campaigns"): {"name": "Matrix", "agentId": "missing", "callerNumber": "+14155550100"},  # 422
    ("PATCH", "/campaigns/{campaign_id}"): {"name": "Renamed campaign"},
}
FILES = {("POST", "/branding/logo"), ("POST", "/leads/import"), ("POST", "/dnc/import")}  # multipart uploads

CALLERS = ("owner", "admin", "member", "viewer_a", "viewer_b", "stranger")
ROLE_OF = {"owner": "owner", "admin": "admin", "member": "member", "viewer_a": "client_viewer"}
ROLE_OF |= {"viewer_b": "client_viewer", "stranger": "owner"}
PERSONAL = ("{session_id}",)  # ids of the caller's own things: resolved per caller, never another's
CLIENT_SCOPED = ("{call_id}", "{agent_id}", "{client_id}")  # client A's: hidden from client B's viewer
REFUSED = (401, 403, 404)


def _png() -> bytes:
    """A valid 1×1 PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0\0\0\0\0"))
        + chunk(b"IEND", b"")
    )


PNG = _png()
# Operations that need something to exist first: done by the owner before the caller asks.
SETUP = {("GET", "/branding/logo"): ("POST", "/branding/logo")}


def _operations() -> list[tuple[str, str]]:
    ops = []
    for path, item in api.openapi()["paths"].items():
        assert path.startswith("/api/v1/"), path
        for method in item:
            ops.append((method.upper(), path.removeprefix("/api/v1")))
    return ops


OPERATIONS = _operations()


def test_every_operation_has_a_rule():
    """A new endpoint needs a line in RULES (and its action a row in the permissions table)."""
    missing = sorted(set(OPERATIONS) - set(RULES))
    assert missing == [], f"operations without an access rule: {missing}"
    unknown = {action for action in RULES.values() if action not in ("public", "webhook") and action not in PERMISSIONS}
    assert unknown == set(), f"rules naming no action of the permissions table: {unknown}"


@dataclass
class World:
    org: object
    callers: dict[str, Person]
    ids: dict[str, str]


def _world(factory, channels) -> World:
    from voiceconsole.services import accounts, api_keys
    from voiceconsole.services.access.actor import SYSTEM, Actor

    org = factory.org()
    client_a, client_b = factory.client(org, "Client A"), factory.client(org, "Client B")
    agent = factory.agent(org, platform="vapi", client=client_a)
    call = factory.call(org, agent)
    integration = factory.integration(org, platform="vapi")
    channel = channels.make(org, "email", email="ops@example.com", events=("call.low_score",))
    callers = {
        "owner": person(factory, org, role="owner"),
        "admin": person(factory, org, role="admin"),
        "member": person(factory, org, role="member"),
        "viewer_a": person(factory, org, role="client_viewer", client=client_a),
        "viewer_b": person(factory, org, role="client_viewer", client=client_b),
        "stranger": person(factory, factory.org(), role="owner"),
    }
    target = person(factory, org, role="member")
    key = api_keys.create_api_key(factory.s, org=org, name="target", role="member", actor=SYSTEM)
    inviter = callers["owner"]
    invitation = accounts.create_invitation(
        factory.s,
        org=org,
        email=f"invitee{secrets.token_hex(3)}@example.com",
        role="member",
        actor=Actor("user", str(inviter.user_id), inviter.email, role="owner", user_id=inviter.user_id),
    )
    from voiceconsole.schemas.agent_spec import AgentSpec
    from voiceconsole.services.builder.deploy import record_live
    from voiceconsole.services.builder.versions import save_version

    built = save_version(factory.s, agent=agent, spec=AgentSpec(name="Built", voice_id="v"), actor=SYSTEM)
    record_live(factory.s, agent, built.number, SYSTEM)
    from voiceconsole.models import DoNotCall, LeadImport
    from voiceconsole.services.campaigns.leads import create_lead

    lead = create_lead(factory.s, org=org, actor=SYSTEM, given={"phone": "+14155550100"})
    lead_import = LeadImport(organization_id=org.id, status="done", created_by="matrix")
    factory.s.add_all([lead_import, DoNotCall(organization_id=org.id, phone="+14155550199", added_by="matrix")])
    from voiceconsole.models import Campaign

    campaign = Campaign(
        organization_id=org.id,
        name="Matrix campaign",
        agent_id=agent.id,
        integration_id=integration.id,
        caller_number="pn_matrix",
        audience={"kind": "leads", "leadIds": [lead.id]},
    )
    factory.s.add(campaign)
    factory.s.commit()
    ids = {
        "n": "1",
        "a": "1",
        "b": "1",
        "call_id": call.public_id,
        "agent_id": agent.platform_agent_id,
        "client_id": client_a.public_id,
        "key_id": key.id,
        "integration_id": integration.public_id,
        "platform": "vapi",
        "channel_id": channel.id,
        "member_id": target.member_id,
        "invitation_id": invitation.id,
        "lead_id": lead.id,
        "import_id": lead_import.public_id,
        "phone": "+14155550199",
        "campaign_id": campaign.public_id,
    }
    return World(org=org, callers=callers, ids=ids)


@pytest.fixture(autouse=True)
def platforms_refuse_every_key(monkeypatch):
    """Connecting an integration asks the platform first: here every platform refuses (422), offline."""
    from voiceconsole.platforms.connector import PlatformAuthError
    from voiceconsole.services.integrations import key_check

    class Refusing:
        def __init__(self, platform: str, *_args, **_kwargs):
            self.platform = platform

        def __enter__(self):
            return self

        def __exit__(self, *_exc):
            return None

        def check_key(self) -> None:
            raise PlatformAuthError(f"{self.platform} refused the key", status_code=401)

    monkeypatch.setattr(key_check, "make_connector", Refusing)


def _expected(action: str, caller: str, method: str, path: str) -> str:
    """ "allowed", "refused" (403, or 404 when the resource is not theirs to see) or "hidden" (404)."""
    if action in ("public", "webhook"):
        return action
    has_ids = "{" in re.sub(r"\{session_id\}", "", path)
    if caller == "stranger" and (has_ids or (method, path) in SETUP):  # organization A's things
        return "hidden"
    if caller == "viewer_b" and any(p in path for p in CLIENT_SCOPED):
        allowed = ROLE_OF[caller] in PERMISSIONS[action]
        return "hidden" if allowed else "refused"
    return "allowed" if ROLE_OF[caller] in PERMISSIONS[action] else "refused"


@pytest.mark.usefixtures("no_jobs_left_behind")
@pytest.mark.parametrize("method,path", OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_who_may_call_it(api_client, factory, channels, method, path):
    action = RULES.get((method, path))
    if action is None:
        pytest.fail(f"{method} {path} has no access rule (see test_every_operation_has_a_rule)")
    wrong = []
    for caller in CALLERS:
        world = _world(factory, channels)
        who = world.callers[caller]
        ids = dict(world.ids)
        if any(p in path for p in PERSONAL):
            ids["session_id"] = api_client.get("/api/v1/sessions", headers=who.cookie).json()["data"][0]["id"]
        url = "/api/v1" + re.sub(r"\{(\w+)\}", lambda m, ids=ids: ids[m.group(1)], path)
        if (method, path) in SETUP:
            setup_method, setup_path = SETUP[(method, path)]
            done = api_client.request(
                setup_method,
                "/api/v1" + setup_path,
                headers=world.callers["owner"].cookie,
                files={"file": ("logo.png", PNG, "image/png")},
            )
            assert done.status_code < 300, done.text
        kwargs: dict = {"headers": who.cookie}
        if (method, path) in FILES:
            kwargs["files"] = {"file": ("logo.png", PNG, "image/png")}
        elif (method, path) in BODIES:
            kwargs["json"] = BODIES[(method, path)]
        r = api_client.request(method, url, **kwargs)
        expected = _expected(action, caller, method, path)
        ok = {
            "allowed": r.status_code not in REFUSED and r.status_code < 500,
            "public": r.status_code not in (401, 403) and r.status_code < 500,
            "webhook": r.status_code == 401,
            "hidden": r.status_code == 404,
            "refused": r.status_code in (403, 404) if caller == "viewer_b" else r.status_code == 403,
        }[expected]
        if not ok:
            wrong.append(f"{caller}: expected {expected}, got {r.status_code} {r.text[:160]}")
    assert wrong == [], f"{method} {path} ({action}):\n  " + "\n  ".join(wrong)
