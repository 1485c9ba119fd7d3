"""The receiver docs (docs/webhooks.md, and the README's Notifications section) are executed, not
copied: the code blocks marked `<!-- test: NAME -->` run against requests signed by the product's
own signing code (services/webhook_signing.py), and the `<!-- example: TYPE -->` bodies must have
exactly the fields the product sends.

- verify-python: run in-process; verify-node: run with `node` (skipped without it).
- standardwebhooks-python: the `standardwebhooks` package the product signs with.
- standardwebhooks-node: the npm package, installed into a temporary directory from the npm
  registry; skipped (with the reason) when npm or the registry is not available.
"""

from __future__ import annotations

import base64
import json
import re
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from voiceconsole.models.events import EVENT_TYPES
from voiceconsole.models.types import public_id
from voiceconsole.services.notifications.signing import signature_headers, webhook_body
from voiceconsole.services.security import new_signing_secret

ROOT = Path(__file__).resolve().parents[3]
DOC = ROOT / "docs" / "webhooks.md"
README = ROOT / "README.md"
BLOCK = re.compile(r"<!-- (test|example): ([\w.-]+) -->\s*\n```(\w+)\n(.*?)\n```", re.S)


def blocks(path: Path, kind: str) -> dict[str, tuple[str, str]]:
    """name → (language, code) of the blocks marked `<!-- kind: name -->` in a Markdown file."""
    out: dict[str, tuple[str, str]] = {}
    for k, name, lang, code in BLOCK.findall(path.read_text(encoding="utf-8")):
        if k == kind:
            assert name not in out, f"{path.name}: two blocks marked {kind}: {name}"
            out[name] = (lang, code)
    return out


SNIPPETS = blocks(DOC, "test")
EXAMPLES = blocks(DOC, "example")


def snippet(name: str, lang: str, path: Path = DOC) -> str:
    found = SNIPPETS if path == DOC else blocks(path, "test")
    assert name in found, f"{path.name} has no block marked <!-- test: {name} -->"
    assert found[name][0] == lang, f"{name} should be a ```{lang} block"
    return found[name][1]


# ------------------------------------------------------------------------------------------ requests

DATA = {  # non-ASCII on purpose: the body is UTF-8 and signed as bytes
    "callId": "cl_4kTz9QmW2xVb7NcP1sRd",
    "agentName": "Recepción — Sonrisa",
    "callScore": 42,
    "summary": "Caller wanted to move a cleaning to Friday; “no booking found”.",
    "cost": 0.312,
}


def signed(
    secret: str, *, previous: str | None = None, age: timedelta = timedelta(0), event_type: str = "call.low_score"
) -> tuple[bytes, dict[str, str]]:
    """A request exactly as the delivery engine builds it, sent `age` ago (negative: in the future)."""
    when = datetime.now(UTC) - age
    event_id = public_id("evt")
    body = webhook_body(event_id=event_id, event_type=event_type, timestamp=when, data=DATA)
    headers = signature_headers(
        body, event_id=event_id, event_type=event_type, timestamp=when, secret=secret, previous_secret=previous
    )
    return body, headers


def tampered(body: bytes) -> bytes:
    assert b'"callScore":42' in body
    return body.replace(b'"callScore":42', b'"callScore":92')


def cases() -> list[dict]:
    """(name, body, headers, receiver's secret, should pass) for every verifier."""
    secret, old, other = new_signing_secret(), new_signing_secret(), new_signing_secret()
    out = []

    def add(name: str, body: bytes, headers: dict[str, str], key: str, ok: bool) -> None:
        out.append({"name": name, "body": body, "headers": headers, "secret": key, "ok": ok})

    body, headers = signed(secret)
    add("fresh", body, headers, secret, True)
    add("lower-case header names", body, {k.lower(): v for k, v in headers.items()}, secret, True)
    add("tampered body", tampered(body), headers, secret, False)
    add("wrong secret", body, headers, other, False)
    add("no signature headers", body, {"Content-Type": "application/json"}, secret, False)
    add("sent 4 minutes ago", *signed(secret, age=timedelta(minutes=4)), secret, True)
    add("stale: sent 6 minutes ago", *signed(secret, age=timedelta(minutes=6)), secret, False)
    add("from the future: 6 minutes ahead", *signed(secret, age=-timedelta(minutes=6)), secret, False)
    rotated_body, rotated_headers = signed(secret, previous=old)
    add("rotation: receiver has the new secret", rotated_body, rotated_headers, secret, True)
    add("rotation: receiver still has the old secret", rotated_body, rotated_headers, old, True)
    add("rotation: tampered body", tampered(rotated_body), rotated_headers, old, False)
    add("after the grace period: old secret", *signed(secret), old, False)
    return out


CASES: list[dict] = []


@pytest.fixture(autouse=True)
def _fresh_cases():
    """Signed at the start of each test: the ages ("4 minutes ago") hold however late the test runs."""
    CASES[:] = cases()


def expect(results: list[tuple[str, bool]]) -> None:
    wrong = [
        f"{name}: {'accepted' if got else 'rejected'}"
        for name, got in results
        if got != next(c["ok"] for c in CASES if c["name"] == name)
    ]
    assert not wrong, "the documented verifier got these wrong: " + "; ".join(wrong)


# ------------------------------------------------------------------------------------------ the contract


def test_signed_request_matches_the_documented_headers():
    secret, old = new_signing_secret(), new_signing_secret()
    body, headers = signed(secret, previous=old)
    event = json.loads(body)
    assert set(event) == {"id", "event", "timestamp", "data"}
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", event["timestamp"])
    assert headers["X-VoiceConsole-Timestamp"] == event["timestamp"]
    assert headers["X-VoiceConsole-Event"] == event["event"]
    assert headers["webhook-id"] == event["id"]
    sent = datetime.fromisoformat(event["timestamp"].replace("Z", "+00:00"))
    assert headers["webhook-timestamp"] == str(int(sent.timestamp()))
    for name in ("X-VoiceConsole-Signature", "X-VoiceConsole-Signature-Previous"):
        assert re.fullmatch(r"[0-9a-f]{64}", headers[name])
    assert [s.split(",")[0] for s in headers["webhook-signature"].split(" ")] == ["v1", "v1"]
    assert headers["Content-Type"] == "application/json" and headers["User-Agent"] == "VoiceConsole-Webhooks/1"


def test_every_marked_snippet_is_there():
    assert set(SNIPPETS) == {"verify-python", "verify-node", "standardwebhooks-python", "standardwebhooks-node"}
    assert set(EXAMPLES) == set(EVENT_TYPES)


def _call_data_keys() -> set[str]:
    from voiceconsole.models import Agent, Call, Client
    from voiceconsole.services.notifications.events import call_payload

    call = Call(
        organization_id=1,
        platform="retell",
        platform_call_id="c",
        status="ended",
        started_at=datetime(2026, 2, 12, tzinfo=UTC),
        duration_ms=1000,
        cost_usd=Decimal("0.1"),
    )
    agent = Agent(organization_id=1, platform="retell", platform_agent_id="a", name="A")
    return set(call_payload(call, agent, Client(organization_id=1, name="C")))


def _agent_data_keys() -> set[str]:
    from voiceconsole.models import Agent
    from voiceconsole.services.notifications.events import agent_status_payload

    return set(
        agent_status_payload(Agent(organization_id=1, platform="retell", platform_agent_id="a", name="A"), "online")
    )


def _campaign_data_keys(db) -> set[str]:
    from voiceconsole.models import Campaign
    from voiceconsole.services.campaigns.events import campaign_payload

    return set(
        campaign_payload(db, Campaign(organization_id=1, name="C", agent_id=0, integration_id=0, caller_number=""))
    )


def _lead_data_keys(db) -> set[str]:
    from voiceconsole.models import Lead
    from voiceconsole.services.campaigns.events import lead_payload

    return set(lead_payload(db, Lead(organization_id=1, phone="+14155550100")))


def _summary_data(factory, db) -> dict:
    from zoneinfo import ZoneInfo

    from voiceconsole.services.notifications.daily_summary import build_summary

    org = factory.org()
    agent = factory.agent(org)
    call = factory.call(org, agent, started_at=datetime(2026, 2, 11, 15, tzinfo=UTC), score=42)
    return build_summary(db, org=org, client_id=agent.client_id, day=call.started_at.date(), tz=ZoneInfo("UTC"), hour=8)


def test_examples_have_exactly_the_fields_the_product_sends(factory, db):
    summary = _summary_data(factory, db)
    expected = {
        "call.completed": _call_data_keys(),
        "call.low_score": _call_data_keys() | {"threshold"},
        "call.new": _call_data_keys(),
        "agent.status_change": _agent_data_keys(),
        "daily_summary": set(summary),
        "campaign.started": _campaign_data_keys(db) | {"startedAt"},
        "campaign.paused": _campaign_data_keys(db) | {"pausedAt", "reason", "pausedBy"},
        "campaign.completed": _campaign_data_keys(db) | {"finishedAt"},
        "lead.converted": _lead_data_keys(db),
        "lead.do_not_call": _lead_data_keys(db) | {"source", "reason"},
    }
    for event_type, (lang, text) in EXAMPLES.items():
        assert lang == "json"
        example = json.loads(text)
        assert set(example) == {"id", "event", "timestamp", "data"}, event_type
        assert example["event"] == event_type and example["id"].startswith("evt_")
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", example["timestamp"])
        assert set(example["data"]) == expected[event_type], event_type
    worst = json.loads(EXAMPLES["daily_summary"][1])["data"]["worstCalls"]
    assert summary["worstCalls"] and all(set(w) == set(summary["worstCalls"][0]) for w in worst)


def _human(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:g} s"
    if seconds < 3600:
        return f"{seconds / 60:g} min"
    return f"{seconds / 3600:g} h"


def test_documented_delivery_rules_match_the_engine():
    from voiceconsole.settings import get_settings

    schedule = getattr(get_settings(), "notify_retry_schedule", None)
    engine = pytest.importorskip("voiceconsole.services.notifications.sender")
    if schedule is None:
        pytest.skip("no retry schedule setting yet")
    words = [_human(s) for s in schedule]
    shown = re.search(r"<!-- retry-schedule -->(.*?)<!-- /retry-schedule -->", DOC.read_text(), re.S).group(1)
    assert " ".join(shown.split()) == ", ".join(words[:-1]) + " and " + words[-1]
    assert engine.REQUEST_TIMEOUT_S == 5 and engine.PAUSE_AFTER_FAILURES == 5


# ------------------------------------------------------------------------------------------ Python


def test_python_snippet_accepts_and_rejects_as_documented():
    ns: dict = {}
    exec(compile(snippet("verify-python", "python"), f"{DOC}[verify-python]", "exec"), ns)
    verify, invalid = ns["verify_voiceconsole_webhook"], ns["InvalidWebhook"]
    results = []
    for c in CASES:
        try:
            event = verify(c["body"], c["headers"], c["secret"])
        except invalid:
            results.append((c["name"], False))
        else:
            assert event == json.loads(c["body"])
            results.append((c["name"], True))
    expect(results)


@pytest.mark.parametrize("path", [DOC, README], ids=["docs", "readme"])
def test_standardwebhooks_python_snippet(path):
    from standardwebhooks import WebhookVerificationError

    code = compile(snippet("standardwebhooks-python", "python", path), f"{path}[standardwebhooks-python]", "exec")
    results = []
    for c in CASES:
        ns = {"raw_body": c["body"], "headers": c["headers"], "secret": c["secret"]}
        try:
            exec(code, ns)
        except WebhookVerificationError:
            results.append((c["name"], False))
        else:
            assert ns["event"] == json.loads(c["body"])
            results.append((c["name"], True))
    expect(results)


# ------------------------------------------------------------------------------------------ Node

NODE = shutil.which("node")
needs_node = pytest.mark.skipif(NODE is None, reason="node is not installed")

NODE_HARNESS = """
const __cases = JSON.parse(require("node:fs").readFileSync(0, "utf8"));
const __out = __cases.map((c) => {
  try {
    const event = __verify(Buffer.from(c.body, "base64"), c.headers, c.secret);
    return { name: c.name, ok: true, id: event.id };
  } catch (err) {
    return { name: c.name, ok: false, error: String(err && err.message) };
  }
});
console.log(JSON.stringify(__out));
"""


def run_node(script: str, directory: Path) -> list[tuple[str, bool]]:
    path = directory / "verify.cjs"
    path.write_text(script, encoding="utf-8")
    payload = [
        {
            "name": c["name"],
            "body": base64.b64encode(c["body"]).decode(),
            "headers": c["headers"],
            "secret": c["secret"],
        }
        for c in CASES
    ]
    done = subprocess.run(
        [NODE, str(path)], input=json.dumps(payload), capture_output=True, text=True, cwd=directory, timeout=60
    )
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout.strip().splitlines()[-1])
    ids = {c["name"]: json.loads(c["body"])["id"] for c in CASES}
    for r in out:
        if r["ok"]:
            assert r["id"] == ids[r["name"]]
    return [(r["name"], r["ok"]) for r in out]


@needs_node
def test_node_snippet_accepts_and_rejects_as_documented(tmp_path):
    code = snippet("verify-node", "js")
    expect(run_node(code + "\nconst __verify = verifyVoiceConsoleWebhook;\n" + NODE_HARNESS, tmp_path))


@pytest.fixture(scope="session")
def standardwebhooks_npm(tmp_path_factory) -> Path:
    """A directory with the npm `standardwebhooks` package installed, from the npm registry."""
    npm = shutil.which("npm")
    if NODE is None or npm is None:
        pytest.skip("node/npm are not installed: the standardwebhooks npm snippet is illustrative here")
    directory = tmp_path_factory.mktemp("standardwebhooks-npm")
    try:
        done = subprocess.run(
            [npm, "install", "--no-audit", "--no-fund", "--no-package-lock", "--silent", "standardwebhooks@1"],
            cwd=directory,
            capture_output=True,
            text=True,
            timeout=120,
        )
    except subprocess.TimeoutExpired:
        pytest.skip("npm install standardwebhooks timed out (registry unreachable?): snippet not checked")
    if done.returncode != 0 or not (directory / "node_modules" / "standardwebhooks").is_dir():
        pytest.skip(f"npm install standardwebhooks failed (registry unreachable?): {done.stderr.strip()[-300:]}")
    return directory


def test_standardwebhooks_node_snippet(standardwebhooks_npm):
    code = snippet("standardwebhooks-node", "js")
    wrapped = "function __verify(rawBody, headers, secret) {\n" + code + "\n  return event;\n}\n" + NODE_HARNESS
    expect(run_node(wrapped, standardwebhooks_npm))
