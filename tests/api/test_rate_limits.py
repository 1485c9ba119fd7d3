"""Per-key rate limits by plan, counted in Redis (DESIGN.md §5).

Free 60/min + 10/s, Pro 300/min + 30/s, Agency 1,000/min + 100/s; every response carries
X-RateLimit-Limit/Remaining/Reset and a 429 adds Retry-After.
"""

from __future__ import annotations

import time

import pytest
from limits import parse

from tests.support.http import bearer

RATE_HEADERS = ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset")
CHEAP = "/api/auth/me"  # authenticated, no list queries: keeps bursts fast


def _headers_ok(r, limit: int) -> None:
    for name in RATE_HEADERS:
        assert name in r.headers, (r.status_code, dict(r.headers))
    assert int(r.headers["X-RateLimit-Limit"]) == limit
    assert 0 <= int(r.headers["X-RateLimit-Remaining"]) <= limit
    reset = int(r.headers["X-RateLimit-Reset"])
    now = time.time()
    assert now - 1 <= reset <= now + 61, "X-RateLimit-Reset is a unix time within the minute window"


def _burst(api_client, headers, n: int):
    started = time.monotonic()
    responses = [api_client.get(CHEAP, headers=headers) for _ in range(n)]
    return responses, time.monotonic() - started


def test_free_plan_11th_request_in_a_second_is_429(api_client, factory):
    # The burst window is one second: if this machine is too slow to send 11 requests inside
    # it, try again with a fresh key rather than assert on a window that already moved.
    for _ in range(5):
        org = factory.org(plan="free")
        h = bearer(factory.api_key(org))
        responses, elapsed = _burst(api_client, h, 11)
        if elapsed < 0.9:
            break
    else:
        pytest.skip("could not send 11 requests within one second on this machine")
    assert [r.status_code for r in responses[:10]] == [200] * 10
    limited = responses[10]
    assert limited.status_code == 429
    assert limited.json() == {"error": "Too many requests"}
    _headers_ok(limited, 60)
    retry_after = int(limited.headers["Retry-After"])
    assert 1 <= retry_after <= 2  # the burst window is one second
    # the minute window counted the 10 accepted requests, not the refused one
    assert int(limited.headers["X-RateLimit-Remaining"]) == 50
    # after Retry-After the key works again
    time.sleep(retry_after + 0.05)
    assert api_client.get(CHEAP, headers=h).status_code == 200


def test_429_applies_to_every_endpoint_of_the_key(api_client, factory, monkeypatch):
    from voiceconsole.services.api_keys import rate_limits as ratelimit

    monkeypatch.setitem(ratelimit.PLAN_LIMITS, "free", (parse("100/minute"), parse("3/5 seconds")))
    org = factory.org(plan="free")
    call = factory.call(org, factory.agent(org))
    h = bearer(factory.api_key(org))
    for _ in range(3):
        assert api_client.get(CHEAP, headers=h).status_code == 200
    for method, path, body in (
        ("GET", "/api/calls", None),
        ("GET", f"/api/calls/{call.public_id}", None),
        ("POST", f"/api/calls/{call.public_id}/notes", {"body": "x"}),
        ("GET", "/api/v1/agents", None),
        ("GET", "/api/agents/stats", None),
    ):
        r = api_client.request(method, path, json=body, headers=h)
        assert r.status_code == 429, (path, r.status_code)
        assert "Retry-After" in r.headers
    # the refused note was not written (looked up with another key: this one is still limited)
    other = bearer(factory.api_key(org))
    assert api_client.get(f"/api/calls/{call.public_id}", headers=other).json()["data"]["notes"] == []


def test_minute_window(api_client, factory, monkeypatch):
    """After the per-minute allowance is used up the next request is 429 until the window moves.

    Windows are shrunk (6 per 3 s, burst 4 per 1 s) to keep the test fast; the requests are
    spread so that the burst limit never triggers.
    """
    from voiceconsole.services.api_keys import rate_limits as ratelimit

    monkeypatch.setitem(ratelimit.PLAN_LIMITS, "free", (parse("6/3 seconds"), parse("4/1 second")))
    org = factory.org(plan="free")
    h = bearer(factory.api_key(org))
    remaining = []
    for batch in range(2):
        if batch:
            time.sleep(1.05)  # let the burst window empty
        for _ in range(3):
            r = api_client.get(CHEAP, headers=h)
            assert r.status_code == 200, r.text
            assert int(r.headers["X-RateLimit-Limit"]) == 6
            remaining.append(int(r.headers["X-RateLimit-Remaining"]))
    assert remaining == [5, 4, 3, 2, 1, 0]
    r = api_client.get(CHEAP, headers=h)
    assert r.status_code == 429
    assert int(r.headers["X-RateLimit-Remaining"]) == 0
    retry_after = int(r.headers["Retry-After"])
    assert 1 <= retry_after <= 3
    assert int(r.headers["X-RateLimit-Reset"]) >= int(time.time())
    time.sleep(retry_after + 0.1)
    assert api_client.get(CHEAP, headers=h).status_code == 200


def test_free_plan_minute_limit_of_60(api_client, factory, monkeypatch):
    """The real per-minute figure, with the burst limit relaxed so 61 quick requests reach it."""
    from voiceconsole.services.api_keys import rate_limits as ratelimit

    per_minute, _ = ratelimit.PLAN_LIMITS["free"]
    monkeypatch.setitem(ratelimit.PLAN_LIMITS, "free", (per_minute, parse("1000/second")))
    h = bearer(factory.api_key(factory.org(plan="free")))
    codes = [api_client.get(CHEAP, headers=h).status_code for _ in range(61)]
    assert codes[:60] == [200] * 60
    assert codes[60] == 429


@pytest.mark.parametrize("kind", ["200", "404", "422", "403"])
def test_headers_on_every_kind_of_response(api_client, factory, kind):
    org = factory.org(plan="free")
    h = bearer(factory.api_key(org, role="member"))
    r = {
        "200": lambda: api_client.get("/api/calls", headers=h),
        "404": lambda: api_client.get("/api/calls/cl_missing", headers=h),
        "422": lambda: api_client.get("/api/calls", params={"perPage": 0}, headers=h),
        "403": lambda: api_client.get("/api/v1/api-keys", headers=h),
    }[kind]()
    assert r.status_code == int(kind)
    _headers_ok(r, 60)


def test_headers_on_a_refused_cross_origin_cookie_write(api_client, factory):
    org = factory.org(plan="pro")
    call = factory.call(org, factory.agent(org))
    _, token = factory.user_session(org)
    r = api_client.post(
        f"/api/calls/{call.public_id}/notes",
        json={"body": "x"},
        headers={"Cookie": f"cp_session={token}", "Origin": "http://evil.example"},
    )
    assert r.status_code == 403
    _headers_ok(r, 300)


def test_headers_on_a_rejected_request_body(api_client, factory):
    org = factory.org(plan="free")
    call = factory.call(org, factory.agent(org))
    r = api_client.post(f"/api/calls/{call.public_id}/notes", json={"body": ""}, headers=bearer(factory.api_key(org)))
    assert r.status_code == 422
    _headers_ok(r, 60)


def test_headers_on_401_and_anonymous_endpoints(api_client):
    r = api_client.get("/api/calls", headers=bearer("viq_wrong"))
    assert r.status_code == 401
    _headers_ok(r, 60)  # unauthenticated callers are limited per address on the free plan
    r = api_client.post("/api/auth/magic-link", json={"email": "someone@example.com"})
    assert r.status_code == 202
    _headers_ok(r, 60)


def test_remaining_decreases_with_each_request(api_client, factory):
    h = bearer(factory.api_key(factory.org(plan="free")))
    remaining = [int(api_client.get(CHEAP, headers=h).headers["X-RateLimit-Remaining"]) for _ in range(5)]
    assert remaining == [59, 58, 57, 56, 55]
    # errors count too
    r = api_client.get("/api/calls/cl_missing", headers=h)
    assert r.status_code == 404 and int(r.headers["X-RateLimit-Remaining"]) == 54


@pytest.mark.parametrize("plan,per_minute,per_second", [("free", 60, 10), ("pro", 300, 30), ("agency", 1000, 100)])
def test_plan_limits(api_client, factory, plan, per_minute, per_second):
    from voiceconsole.services.api_keys import rate_limits as ratelimit

    m, s = ratelimit.PLAN_LIMITS[plan]
    assert (m.amount, m.get_expiry(), s.amount, s.get_expiry()) == (per_minute, 60, per_second, 1)
    h = bearer(factory.api_key(factory.org(plan=plan)))
    r = api_client.get(CHEAP, headers=h)
    assert r.status_code == 200
    _headers_ok(r, per_minute)
    assert int(r.headers["X-RateLimit-Remaining"]) == per_minute - 1


def test_pro_plan_burst_allows_more_than_free(api_client, factory):
    for _ in range(5):
        h = bearer(factory.api_key(factory.org(plan="pro")))
        responses, elapsed = _burst(api_client, h, 15)
        if elapsed < 0.9:
            break
    else:
        pytest.skip("too slow to test a one-second window")
    assert all(r.status_code == 200 for r in responses)


def test_keys_are_counted_separately(api_client, factory, monkeypatch):
    from voiceconsole.services.api_keys import rate_limits as ratelimit

    monkeypatch.setitem(ratelimit.PLAN_LIMITS, "free", (parse("5/10 seconds"), parse("100/second")))
    org = factory.org(plan="free")
    first, second = bearer(factory.api_key(org)), bearer(factory.api_key(org))
    codes = [api_client.get(CHEAP, headers=first).status_code for _ in range(6)]
    assert codes == [200] * 5 + [429]
    r = api_client.get(CHEAP, headers=second)
    assert r.status_code == 200 and int(r.headers["X-RateLimit-Remaining"]) == 4
    # a key of another organization is unaffected too
    other = bearer(factory.api_key(factory.org(plan="free")))
    assert api_client.get(CHEAP, headers=other).status_code == 200


def test_cookie_sessions_are_limited_per_user(api_client, factory, monkeypatch):
    from voiceconsole.services.api_keys import rate_limits as ratelimit

    monkeypatch.setitem(ratelimit.PLAN_LIMITS, "free", (parse("3/10 seconds"), parse("100/second")))
    org = factory.org(plan="free")
    _, token = factory.user_session(org)
    h = {"Cookie": f"cp_session={token}"}
    codes = [api_client.get(CHEAP, headers=h).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    # a key of the same organization has its own counter
    assert api_client.get(CHEAP, headers=bearer(factory.api_key(org))).status_code == 200


def test_wrong_keys_are_limited_per_address(api_client, monkeypatch):
    """Guessing keys is slowed down: unauthenticated attempts share a per-address budget."""
    from voiceconsole.services.api_keys import rate_limits as ratelimit

    # the free plan's burst allowance, over a window long enough not to depend on machine speed
    per_minute, per_second = ratelimit.PLAN_LIMITS["free"]
    monkeypatch.setitem(ratelimit.PLAN_LIMITS, "free", (per_minute, parse(f"{per_second.amount}/30 seconds")))
    codes = [api_client.get("/api/calls", headers=bearer(f"viq_guess{i}")).status_code for i in range(11)]
    assert codes[:10] == [401] * 10
    assert codes[10] == 429
