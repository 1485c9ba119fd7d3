"""CORS (only the configured origins, with credentials) and the security headers, on the API served alone
(`voiceconsole.api.main:api`, as uvicorn and these tests serve it) and on the middleware itself stacked the
way Reflex stacks its apps. The pages and the API through the full Reflex app: tests/e2e/test_security_headers.py.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from starlette.applications import Starlette
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import PlainTextResponse
from starlette.routing import Mount, Route

from tests.support.http import bearer
from voiceconsole.api.security_headers import METHODS, SecurityHeaders
from voiceconsole.settings import get_settings, load_settings

EVIL = "https://evil.example"


@pytest.fixture
def origin() -> str:
    return get_settings().allowed_origins[0]  # the base URL's origin: http://testserver in the suite


@pytest.fixture
def key(factory) -> str:
    return factory.api_key(factory.org())


def _vary(response) -> list[str]:
    return [token.strip().lower() for value in response.headers.get_list("vary") for token in value.split(",")]


def test_the_configured_origins_default_to_the_base_urls_origin():
    assert load_settings({"VOICECONSOLE_BASE_URL": "https://Console.Example.com/app/"}).allowed_origins == (
        "https://console.example.com",
    )
    assert load_settings({"PORT": "3011"}).allowed_origins == ("http://localhost:3011",)
    listed = load_settings({"VOICECONSOLE_ALLOWED_ORIGINS": "https://app.example.com, http://localhost:3000/"})
    assert listed.allowed_origins == ("https://app.example.com", "http://localhost:3000")


@pytest.mark.parametrize("value", ["*", "https://app.example.com/console", "app.example.com", "ftp://app.example.com"])
def test_allowed_origins_must_be_origins(value):
    with pytest.raises(ValueError, match="VOICECONSOLE_ALLOWED_ORIGINS"):
        load_settings({"VOICECONSOLE_ALLOWED_ORIGINS": value})


def test_an_evil_origin_gets_no_cors_headers(api_client, key):
    r = api_client.get("/api/v1/agents", headers={**bearer(key), "Origin": EVIL})
    assert r.status_code == 200, r.text
    assert "access-control-allow-origin" not in r.headers
    assert "access-control-allow-credentials" not in r.headers
    assert _vary(r) == ["origin"]


def test_the_configured_origin_may_read_with_credentials(api_client, key, origin):
    r = api_client.get("/api/v1/agents", headers={**bearer(key), "Origin": origin})
    assert r.status_code == 200, r.text
    assert r.headers["access-control-allow-origin"] == origin
    assert r.headers["access-control-allow-credentials"] == "true"
    exposed = r.headers["access-control-expose-headers"].lower()
    assert "x-ratelimit-remaining" in exposed and "content-disposition" in exposed
    assert _vary(r) == ["origin"]


def test_a_preflight_from_an_evil_origin_is_refused(api_client):
    r = api_client.options(
        "/api/v1/agents",
        headers={"Origin": EVIL, "Access-Control-Request-Method": "DELETE", "Access-Control-Request-Headers": "x-foo"},
    )
    assert r.status_code == 400
    assert not [name for name in r.headers if name.startswith("access-control-")]


def test_a_preflight_allows_only_the_apis_methods_and_headers(api_client, origin):
    r = api_client.options(
        "/api/v1/calls/cl_x/tags",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type",
        },
    )
    assert r.status_code == 200, r.text
    assert r.headers["access-control-allow-origin"] == origin
    assert r.headers["access-control-allow-credentials"] == "true"
    assert {m.strip() for m in r.headers["access-control-allow-methods"].split(",")} == set(METHODS)
    allowed_headers = {h.strip().lower() for h in r.headers["access-control-allow-headers"].split(",")}
    assert {"authorization", "content-type"} <= allowed_headers
    assert "*" not in allowed_headers
    assert _vary(r).count("origin") == 1

    for method, asked in (("TRACE", "authorization"), ("GET", "x-anything")):
        asking = {"Origin": origin, "Access-Control-Request-Method": method, "Access-Control-Request-Headers": asked}
        refused = api_client.options("/api/v1/agents", headers=asking)
        assert refused.status_code == 400, (method, asked)
        assert "access-control-allow-origin" not in refused.headers


def test_api_responses_carry_the_security_headers_and_no_store(api_client, key):
    for r in (
        api_client.get("/api/v1/agents", headers=bearer(key)),  # authenticated JSON
        api_client.get("/api/v1/agents"),  # a 401
        api_client.get("/api/health"),
    ):
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["x-frame-options"] == "DENY"
        assert r.headers["content-security-policy"] == "frame-ancestors 'none'"
        assert r.headers["referrer-policy"] == "same-origin"
        assert r.headers.get_list("cache-control") == ["no-store"]
        assert _vary(r) == ["origin"]
        assert "strict-transport-security" not in r.headers  # the suite's base URL is http://


def test_the_export_keeps_its_own_cache_control(api_client, key):
    r = api_client.get("/api/v1/calls/export", headers=bearer(key))
    assert r.status_code == 200, r.text
    assert r.headers["content-disposition"].startswith("attachment")
    assert r.headers.get_list("cache-control") == ["no-store"]  # the route's, not doubled
    assert r.headers["x-content-type-options"] == "nosniff"


# --- the middleware alone, and stacked the way the Reflex app stacks it ------------------------------------


def _page(request):
    return PlainTextResponse("<html></html>", media_type="text/html")


def _cached(request):
    return PlainTextResponse("{}", headers={"Cache-Control": "private, max-age=60", "Vary": "Accept-Encoding"})


def _app(**options) -> SecurityHeaders:
    inner = Starlette(routes=[Route("/", _page), Route("/api/cached", _cached)])
    return SecurityHeaders(inner, allowed_origins=["https://console.example.com"], **options)


def test_a_routes_own_cache_control_and_vary_are_kept():
    r = TestClient(_app()).get("/api/cached", headers={"Origin": "https://console.example.com"})
    assert r.headers.get_list("cache-control") == ["private, max-age=60"]
    assert r.headers.get_list("vary") == ["Accept-Encoding, Origin"]


def test_pages_carry_the_framing_and_referrer_headers_but_may_be_cached():
    r = TestClient(_app()).get("/")
    assert r.headers["x-frame-options"] == "DENY"
    assert r.headers["content-security-policy"] == "frame-ancestors 'none'"
    assert r.headers["referrer-policy"] == "same-origin"
    assert r.headers["x-content-type-options"] == "nosniff"
    assert "cache-control" not in r.headers
    assert "strict-transport-security" not in r.headers


def test_https_adds_strict_transport_security(monkeypatch):
    assert TestClient(_app(hsts=True)).get("/").headers["strict-transport-security"].startswith("max-age=")
    monkeypatch.setenv("VOICECONSOLE_BASE_URL", "https://console.example.com")
    get_settings.cache_clear()
    try:
        r = TestClient(SecurityHeaders(Starlette(routes=[Route("/", _page)]))).get("/")
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
    assert r.headers["strict-transport-security"].startswith("max-age=")


def _reflex_like_stack() -> SecurityHeaders:
    """Reflex's shape: its own Starlette apps each add CORSMiddleware(allow_origins=["*"] by default,
    allow_credentials=True, methods and headers "*"), our API app (with its own copy of the middleware)
    mounts them as the fallback, and the Reflex app wraps the whole in the middleware once more."""
    reflex_inner = Starlette(routes=[Route("/", _page)])
    reflex_inner.add_middleware(CORSMiddleware, allow_origins=["*"], allow_credentials=True, allow_methods=["*"])
    api = Starlette(routes=[Route("/api/cached", _cached), Mount("", reflex_inner)])
    api.add_middleware(SecurityHeaders, allowed_origins=["https://console.example.com"])
    top = Starlette(routes=[Mount("", api)])
    top.add_middleware(CORSMiddleware, allow_origins=["*"], allow_credentials=True, allow_methods=["*"])
    return SecurityHeaders(top, allowed_origins=["https://console.example.com"])


@pytest.mark.parametrize("path", ["/", "/api/cached"])
def test_behind_reflexs_cors_layers_vary_is_sent_once_and_evil_origins_are_not_reflected(path):
    client = TestClient(_reflex_like_stack())
    evil = client.get(path, headers={"Origin": EVIL})
    assert "access-control-allow-origin" not in evil.headers
    assert "access-control-allow-credentials" not in evil.headers
    assert [t.lower() for t in _vary(evil)].count("origin") == 1
    assert len(evil.headers.get_list("vary")) == 1

    ours = client.get(path, headers={"Origin": "https://console.example.com"})
    assert ours.headers["access-control-allow-origin"] == "https://console.example.com"
    assert _vary(ours).count("origin") == 1
    assert ours.headers.get_list("x-frame-options") == ["DENY"]


def test_behind_reflexs_cors_layers_preflights_are_answered_by_the_outer_middleware():
    client = TestClient(_reflex_like_stack())
    evil = client.options("/api/cached", headers={"Origin": EVIL, "Access-Control-Request-Method": "GET"})
    assert evil.status_code == 400
    assert "access-control-allow-origin" not in evil.headers
    ours = client.options(
        "/", headers={"Origin": "https://console.example.com", "Access-Control-Request-Method": "QUERY"}
    )
    assert ours.status_code == 400  # Reflex's CORS would allow every method
