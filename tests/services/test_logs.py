"""Logs (services/logs.py): JSON lines with the request id, and no secret in any record.

The flow test captures every log record of a realistic session at DEBUG (SQL statements included) as the
JSON handler writes them: an API key made, another created through the API, an integration connected (its
platform key and webhook secret), a notification channel (its `whsec_` secret), a magic-link sign-in (the
link's token, the session cookie), a signed platform webhook; plus the careless lines a developer might
write (headers, URLs, request bodies, an exception carrying a key). None of the secrets may appear.
"""

from __future__ import annotations

import io
import json
import logging
import re
import secrets

import pytest

from tests.support.http import bearer

pytestmark = pytest.mark.usefixtures("integration_settings", "no_jobs_left_behind")


@pytest.fixture
def json_logs():
    """Every record at DEBUG, formatted by the JSON formatter, into a buffer."""
    from voiceconsole.services.logs import JsonFormatter, install_redaction

    install_redaction()
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    saved_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield buffer
    finally:
        root.removeHandler(handler)
        root.setLevel(saved_level)


def test_a_full_flow_at_debug_logs_no_secret(api_client, factory, sim, json_logs, capsys):
    from voiceconsole.platforms.simulator.webhooks import build_webhook

    careless = logging.getLogger("voiceconsole.tests.careless")
    org = factory.org()
    owner_key = factory.api_key(org)
    secrets_made = [owner_key]

    r = api_client.post("/api/v1/api-keys", json={"name": "automation"}, headers=bearer(owner_key))
    assert r.status_code == 201, r.text
    secrets_made.append(r.json()["data"]["key"])

    platform_key = sim.key("vapi")
    r = api_client.post(
        "/api/v1/integrations",
        json={"platform": "vapi", "apiKey": platform_key, "label": "Vapi", "baseUrl": sim.url("vapi")},
        headers=bearer(owner_key),
    )
    assert r.status_code == 201, r.text
    integration = r.json()["data"]
    webhook_secret = integration["webhookSecret"]
    assert webhook_secret
    secrets_made += [platform_key, webhook_secret]

    r = api_client.post(
        "/api/v1/notification-channels",
        json={"kind": "webhook", "name": "ops", "url": "http://127.0.0.1:9/vc", "events": ["call.completed"]},
        headers=bearer(owner_key),
    )
    assert r.status_code == 201, r.text
    channel_secret = r.json()["data"]["secret"]
    assert channel_secret.startswith("whsec_")
    secrets_made.append(channel_secret)

    email = f"owner-{secrets.token_hex(4)}@agency.example"
    capsys.readouterr()
    assert api_client.post("/api/auth/magic-link", json={"email": email}).status_code == 202
    link = re.search(r"http://testserver/api/auth/magic\?token=\S+", capsys.readouterr().out)
    assert link is not None
    token = link.group(0).split("token=", 1)[1]
    r = api_client.get("/api/auth/magic", params={"token": token}, follow_redirects=False)
    assert r.status_code == 303
    session_token = r.cookies.get("cp_session") or r.headers["set-cookie"].split("cp_session=", 1)[1].split(";")[0]
    me = api_client.get("/api/auth/me", headers={"Cookie": f"cp_session={session_token}"})
    assert me.status_code == 200
    secrets_made += [token, session_token]

    (call,) = sim.state.add_calls("vapi", 1)
    headers, body = build_webhook("vapi", "end-of-call-report", call, secret=webhook_secret)
    r = api_client.post(f"/api/integrations/vapi/webhook/{integration['id']}", content=body, headers=headers)
    assert r.status_code == 200, r.text
    secrets_made += [v for k, v in headers.items() if k.lower() not in {"content-type"} and len(v) >= 16]

    # What a careless line of code might log.
    careless.debug(
        "request headers %s", {"Authorization": f"Bearer {owner_key}", "Cookie": f"cp_session={session_token}"}
    )
    careless.info("sign-in link sent: %s", link.group(0))
    careless.debug('body {"apiKey": "%s", "webhookSecret": "%s"}', platform_key, webhook_secret)
    careless.warning("Authorization: Bearer %s", secrets_made[1])
    try:
        raise RuntimeError(f"platform refused key {owner_key} with secret {channel_secret}")
    except RuntimeError:
        careless.exception("connect failed")

    output = json_logs.getvalue()
    lines = [json.loads(line) for line in output.splitlines() if line.strip()]
    assert len(lines) > 20  # SQL at DEBUG, the flow's own records and the careless ones
    assert any(line.get("request_id") for line in lines)
    assert any(line["logger"] == "voiceconsole.tests.careless" and "exc" in line for line in lines)
    leaked = [s for s in secrets_made if s in output]
    assert not leaked, f"secrets in the logs: {[s[:6] + '…' for s in leaked]}"


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("key viq_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789", "AbCdEfGhIjKlMnOp"),
        ("secret whsec_c2VjcmV0LWJ5dGVzLWhlcmUtMzItYnl0ZXMhIQ==", "c2VjcmV0LWJ5dGVz"),
        ("stripe sk_live_51HxYzAbCdEfGhIjKl and rk_test_abcdefghijkl", "51HxYzAbCdEf"),
        ("Authorization: Bearer abc.def.ghi-jkl", "abc.def.ghi"),
        ("{'authorization': 'Basic dXNlcjpwYXNz'}", "dXNlcjpwYXNz"),
        ("Cookie: cp_session=s3cr3tSessionToken; theme=dark", "s3cr3tSessionToken"),
        ("Set-Cookie: cp_session=s3cr3tSessionToken; HttpOnly", "s3cr3tSessionToken"),
        ("GET /api/auth/magic?token=Zm9vYmFyYmF6cXV4&next=/calls", "Zm9vYmFyYmF6cXV4"),
        ('{"apiKey": "rk_live_platform_key_1234", "label": "x"}', "platform_key_1234"),
        ("{'webhook_secret': 'plain-secret-value'}", "plain-secret-value"),
        ("password=hunter2hunter2&user=a", "hunter2hunter2"),
    ],
)
def test_redact_masks_each_kind_of_secret(text, secret):
    from voiceconsole.services.logs import redact

    masked = redact(text)
    assert secret not in masked and "***" in masked


def test_redact_leaves_ordinary_messages_alone():
    from voiceconsole.services.logs import redact

    for text in ("synced 12 calls for int_abc in 3.2 s", "GET /api/v1/calls/cl_123 200", "score 87 (Excellent)"):
        assert redact(text) == text


def test_uvicorn_access_records_keep_their_arguments():
    from voiceconsole.services.logs import install_redaction

    install_redaction()
    record = logging.getLogger("uvicorn.access").makeRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("1.2.3.4", "GET", "/m?token=abcdef123", "1.1", 200),
        None,
    )
    assert isinstance(record.args, tuple) and len(record.args) == 5  # uvicorn's formatter unpacks them
    assert "abcdef123" not in record.getMessage()


def test_configure_logging_json_writes_json_lines_with_the_request_id(api_client, capfd):
    from voiceconsole.services.logs import configure_logging

    root = logging.getLogger()
    saved = (root.level, list(root.handlers))
    try:
        configure_logging(log_format="json", level="INFO")
        r = api_client.get("/api/health", headers={"X-Request-ID": "req-42"})
        assert r.headers["X-Request-ID"] == "req-42"
        from voiceconsole.services.logs import request_id

        token = request_id.set("req-42")
        logging.getLogger("voiceconsole.tests").info("hello with Bearer abcdefghijkl")
        request_id.reset(token)
    finally:
        for handler in list(root.handlers):
            if getattr(handler, "_voiceconsole", False):
                root.removeHandler(handler)
        root.setLevel(saved[0])
    (line,) = [json.loads(x) for x in capfd.readouterr().err.splitlines() if "hello with" in x]
    assert line["request_id"] == "req-42" and line["level"] == "INFO" and line["ts"].endswith("Z")
    assert "abcdefghijkl" not in line["msg"]
