"""Anything under /api that is not an endpoint is answered in the API's error format: a wrong method is a
405 listing the allowed ones (and an Allow header), an unknown path a 404 (also when the API is mounted
into the Reflex app, whose frontend would otherwise answer with a plain-text page)."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("PUT", "/api/v1/calls", "GET"),
        ("DELETE", "/api/calls/cl_any", "GET"),
        ("PATCH", "/api/v1/api-keys", "GET, POST"),
        ("GET", "/api/v1/auth/logout", "POST"),
    ],
)
def test_a_wrong_method_is_a_json_405_with_allow(api_client, method, path, allowed):
    r = api_client.request(method, path)
    assert r.status_code == 405 and r.headers["content-type"] == "application/json"
    assert r.headers["allow"] == allowed
    assert r.json() == {
        "error": "Method not allowed",
        "details": [{"field": "method", "message": f"Allowed: {allowed}"}],
    }


@pytest.mark.parametrize("path", ["/api/v1/nothing-here", "/api/v2/calls", "/api/"])
def test_an_unknown_api_path_is_a_json_404(api_client, path):
    r = api_client.get(path)
    assert r.status_code == 404 and r.json()["error"] == "Not found"
