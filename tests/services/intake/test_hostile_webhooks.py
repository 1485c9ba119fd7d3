"""Correctly signed platform webhooks whose content is hostile or broken: each is answered 4xx or stored
cleaned, never a 500, for every platform (real HTTP; deliveries signed as each platform signs)."""

from __future__ import annotations

import importlib
import json
import time

import httpx
import pytest
from sqlmodel import select

from tests.support.simulator import connect
from voiceconsole.models import Call
from voiceconsole.platforms.simulator.webhooks import build_webhook, sign_webhook
from voiceconsole.services.integrations import webhook_secret

PLATFORMS = ["retell", "vapi", "elevenlabs"]
EVENTS = {"retell": "call_analyzed", "vapi": "end-of-call-report", "elevenlabs": "post_call_transcription"}
ID_FIELD = {"retell": "call_id", "vapi": "id", "elevenlabs": "conversation_id"}


@pytest.fixture(scope="module")
def app_url():
    from voiceconsole.api.main import api
    from voiceconsole.platforms.simulator.server import serve_in_thread

    base_url, stop = serve_in_thread(api)
    yield base_url
    stop()


def _post(app_url: str, integration, headers: dict[str, str], body: bytes) -> httpx.Response:
    url = f"{app_url}/api/integrations/{integration.platform}/webhook/{integration.public_id}"
    return httpx.post(url, content=body, headers=headers, timeout=30)


def _conversation(sim, platform: str) -> dict:
    mapper = importlib.import_module(f"voiceconsole.platforms.{platform}")
    for _ in range(50):
        (call,) = sim.state.add_calls(platform, 1)
        if len(mapper.map_call(call).turns) >= 4:
            return call
    raise AssertionError("no conversation in 50 simulated calls")


def _stored(db, org) -> list[Call]:
    db.expire_all()
    return list(db.exec(select(Call).where(Call.organization_id == org.id)))


@pytest.mark.parametrize("platform", PLATFORMS)
def test_json_nested_deeper_than_any_parser_goes_is_a_400(platform, sim, factory, db, app_url):
    org, integration = connect(factory, sim, platform)
    body = b"[" * 100_000 + b"]" * 100_000
    r = _post(app_url, integration, sign_webhook(platform, body, secret=webhook_secret(integration)), body)
    assert r.status_code == 400, r.text
    assert r.json()["details"] == [{"field": "body", "message": "not valid JSON"}]
    assert _stored(db, org) == []


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_call_id_with_a_nul_is_a_400_and_nothing_is_stored(platform, sim, factory, db, app_url):
    org, integration = connect(factory, sim, platform)
    call = _conversation(sim, platform)
    call[ID_FIELD[platform]] = "call_\x00evil"
    headers, body = build_webhook(platform, EVENTS[platform], call, secret=webhook_secret(integration))
    r = _post(app_url, integration, headers, body)
    assert r.status_code == 400, r.text
    assert r.json()["details"][0]["field"] == "call_id"
    assert _stored(db, org) == []


@pytest.mark.parametrize("platform", PLATFORMS)
def test_nul_and_broken_characters_in_the_text_are_cleaned_and_the_call_is_stored(platform, sim, factory, db, app_url):
    org, integration = connect(factory, sim, platform)
    call = _conversation(sim, platform)
    _, body = build_webhook(platform, EVENTS[platform], call, secret=webhook_secret(integration))
    # A NUL and an unpaired surrogate in every piece of conversation text the platform sends.
    hostile = json.loads(body)
    text_keys = {"transcript", "content", "message", "summary", "call_summary", "transcript_summary"}

    def spoil(value, key=""):
        if isinstance(value, str) and key in text_keys:
            return value + "\x00\udfff"
        if isinstance(value, list):
            return [spoil(v, key) for v in value]
        if isinstance(value, dict):
            return {k: spoil(v, k) for k, v in value.items()}
        return value

    body = json.dumps(spoil(hostile)).encode()  # \u0000 and \udfff escapes, as JSON allows
    r = _post(app_url, integration, sign_webhook(platform, body, secret=webhook_secret(integration)), body)
    assert r.status_code == 200, r.text
    (row,) = _stored(db, org)
    assert row.transcript and "\x00" not in row.transcript
    stored = json.dumps([row.transcript, row.summary, row.transcript_turns, row.platform_analysis], ensure_ascii=False)
    assert "\x00" not in stored and "\\u0000" not in stored
    stored.encode("utf-8")  # no unpaired surrogate left


def _respelled(platform: str, headers: dict[str, str]) -> list[dict[str, str]]:
    """The same signed delivery with its signature header rewritten in ways the platform check accepts."""
    if platform == "vapi":
        sig = headers["x-vapi-signature"]
        variants = [sig.upper(), f"sha256={sig}", f"sha256={sig.upper()}"]
        return [{**headers, "x-vapi-signature": v} for v in variants]
    if platform == "elevenlabs":
        t, v0 = (part.split("=", 1)[1] for part in headers["ElevenLabs-Signature"].split(","))
        variants = [f"t={t},v0={v0.upper()}", f"t={t}, v0={v0}", f"t={t},v0={v0},v1=junk", f"v0={v0},t={t}"]
        return [{**headers, "ElevenLabs-Signature": v} for v in variants]
    v, d = (part.split("=", 1)[1] for part in headers["x-retell-signature"].split(","))
    return [{**headers, "x-retell-signature": value} for value in (f"v={v},d={d.upper()}", f"v={v}, d={d}")]


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_replay_is_refused_however_its_signature_header_is_spelled(platform, sim, factory, db, app_url):
    org, integration = connect(factory, sim, platform)
    call = _conversation(sim, platform)
    headers, body = build_webhook(platform, EVENTS[platform], call, secret=webhook_secret(integration))
    assert _post(app_url, integration, headers, body).status_code == 200
    for variant in _respelled(platform, headers):
        replay = _post(app_url, integration, variant, body)
        assert replay.status_code == 409, (variant, replay.text)
    # The platform's own retry is signed afresh (a later timestamp): accepted, and stored once.
    later, body_again = build_webhook(
        platform, EVENTS[platform], call, secret=webhook_secret(integration), timestamp=time.time() + 2
    )
    assert _post(app_url, integration, later, body_again).status_code == 200
    assert len(_stored(db, org)) == 1


def test_figures_beyond_what_a_column_holds_are_stored_as_unknown(sim, factory, db, app_url):
    """A signed Retell call with a duration past INTEGER and a cost past NUMERIC(12, 6): the call is stored,
    those figures as unknown, instead of the delivery failing on the database."""
    org, integration = connect(factory, sim, "retell")
    call = _conversation(sim, "retell")
    call["duration_ms"] = 3_000_000_000
    call["call_cost"] = {**(call.get("call_cost") or {}), "combined_cost": 1e12, "product_costs": []}
    headers, body = build_webhook("retell", "call_analyzed", call, secret=webhook_secret(integration))
    r = _post(app_url, integration, headers, body)
    assert r.status_code == 200, r.text
    (row,) = _stored(db, org)
    assert (row.duration_ms, row.cost_usd) == (None, None)
    assert row.transcript  # the rest of the call is kept
