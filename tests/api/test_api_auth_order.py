"""Authentication comes before validation, also for a body that is not JSON at all (FastAPI parses the
body before it resolves any dependency): no or a bad key → 401 {"error": "Unauthorized"}; a valid key →
422 naming the body; cross-origin cookie writes → 403. Every one carries the rate-limit headers."""

from __future__ import annotations

import pytest

from tests.support.http import bearer

MALFORMED = b'{"body": "unterminated'
JSON = {"Content-Type": "application/json"}
RATE_HEADERS = ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset")


@pytest.fixture
def ctx(factory):
    org = factory.org()
    call = factory.call(org, factory.agent(org))
    return {"org": org, "call": call, "key": factory.api_key(org)}


def _endpoints(ctx) -> list[tuple[str, str]]:
    cid = ctx["call"].public_id
    return [
        ("POST", f"/api/v1/calls/{cid}/notes"),
        ("POST", f"/api/calls/{cid}/notes"),
        ("POST", f"/api/v1/calls/{cid}/tags"),
        ("DELETE", f"/api/calls/{cid}/tags"),
        ("POST", "/api/v1/clients"),
        ("POST", "/api/v1/api-keys"),
    ]


@pytest.mark.parametrize("auth", [None, "Bearer viq_notarealkey0123456789", "Basic dXNlcjpwYXNz"])
def test_malformed_json_without_a_valid_key_is_401(api_client, ctx, auth):
    headers = dict(JSON, **({"Authorization": auth} if auth else {}))
    for method, path in _endpoints(ctx):
        r = api_client.request(method, path, content=MALFORMED, headers=headers)
        assert r.status_code == 401, (method, path, r.status_code, r.text)
        assert r.json() == {"error": "Unauthorized"}
        assert all(h in r.headers for h in RATE_HEADERS), (path, dict(r.headers))


def test_malformed_json_with_a_valid_key_is_422_naming_the_body(api_client, ctx):
    headers = dict(JSON, **bearer(ctx["key"]))
    for method, path in _endpoints(ctx):
        r = api_client.request(method, path, content=MALFORMED, headers=headers)
        assert r.status_code == 422, (method, path, r.status_code, r.text)
        body = r.json()
        assert body["error"] == "Validation failed"
        assert body["details"] == [{"field": "body", "message": "Request body is not valid JSON"}]
        assert all(h in r.headers for h in RATE_HEADERS), (path, dict(r.headers))
    # Each of those requests was counted once against the key, like any other.
    r = api_client.get("/api/v1/auth/me", headers=bearer(ctx["key"]))
    assert int(r.headers["X-RateLimit-Remaining"]) == 1000 - len(_endpoints(ctx)) - 1


def test_malformed_json_from_a_cookie_session(api_client, factory, ctx):
    _, token = factory.user_session(ctx["org"])
    cid = ctx["call"].public_id
    path = f"/api/v1/calls/{cid}/notes"
    cookie = {"Cookie": f"cp_session={token}"}
    r = api_client.post(path, content=MALFORMED, headers=dict(JSON, **cookie))  # no Origin: CSRF first
    assert r.status_code == 403 and r.json() == {"error": "Cross-origin request refused"}
    r = api_client.post(path, content=MALFORMED, headers=dict(JSON, Origin="http://testserver", **cookie))
    assert r.status_code == 422 and r.json()["details"][0]["field"] == "body"
    r = api_client.post(path, content=MALFORMED, headers=dict(JSON, Cookie="cp_session=nope"))
    assert r.status_code == 401 and r.json() == {"error": "Unauthorized"}


def test_valid_json_of_the_wrong_shape_keeps_the_same_order(api_client, ctx):
    path = f"/api/v1/calls/{ctx['call'].public_id}/notes"
    r = api_client.post(path, json={"nope": 1})
    assert r.status_code == 401 and r.json() == {"error": "Unauthorized"}
    r = api_client.post(path, json={"nope": 1}, headers=bearer(ctx["key"]))
    assert r.status_code == 422 and "body" in [d["field"] for d in r.json()["details"]]
    r = api_client.post(path, json={"body": "Call back tomorrow"}, headers=bearer(ctx["key"]))
    assert r.status_code == 201, r.text


def test_malformed_json_on_an_anonymous_endpoint_is_still_422(api_client):
    r = api_client.post("/api/v1/auth/magic-link", content=MALFORMED, headers=JSON)
    assert r.status_code == 422 and r.json()["details"][0]["field"] == "body"
