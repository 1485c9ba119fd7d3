"""CORS and the security headers of the running app (`reflex run --env prod`): the pages Reflex serves, the API
through the full Reflex app (Reflex's own CORS layers included), and what a browser on another origin may do."""

from __future__ import annotations

import socket
from urllib.parse import urlsplit

import httpx
import pytest

pytestmark = pytest.mark.e2e

EVIL = "https://evil.example"


def _vary(response: httpx.Response) -> list[str]:
    return [token.strip().lower() for value in response.headers.get_list("vary") for token in value.split(",")]


def _assert_page_headers(response: httpx.Response) -> None:
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["content-security-policy"] == "frame-ancestors 'none'"
    assert response.headers["referrer-policy"] in {"same-origin", "no-referrer"}
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "strict-transport-security" not in response.headers  # the app runs on http://localhost here
    assert len(response.headers.get_list("vary")) == 1 and _vary(response).count("origin") == 1


def test_pages_carry_the_anti_framing_and_referrer_headers(vc_app):
    with httpx.Client(base_url=vc_app.base_url, timeout=30) as client:
        home = client.get("/")
        assert home.status_code == 200 and "<html" in home.text.lower()
        _assert_page_headers(home)

        login = client.get("/login")  # a redirect to /login/, then the page: both carry the headers
        assert login.is_redirect
        _assert_page_headers(login)
        login_page = client.get(login.headers["location"])
        assert login_page.status_code == 200 and "<html" in login_page.text.lower()
        _assert_page_headers(login_page)


def test_the_api_through_reflex_allows_only_the_configured_origin(vc_app):
    auth = {"Authorization": f"Bearer {vc_app.api_key}"}
    with httpx.Client(base_url=vc_app.base_url, timeout=30) as client:
        evil = client.get("/api/v1/agents", headers={**auth, "Origin": EVIL})
        assert evil.status_code == 200, evil.text
        assert "access-control-allow-origin" not in evil.headers
        assert "access-control-allow-credentials" not in evil.headers
        assert evil.headers.get_list("vary") == ["Origin"]
        assert evil.headers["cache-control"] == "no-store"
        assert evil.headers["x-content-type-options"] == "nosniff"

        ours = client.get("/api/v1/agents", headers={**auth, "Origin": vc_app.base_url})
        assert ours.headers["access-control-allow-origin"] == vc_app.base_url
        assert ours.headers["access-control-allow-credentials"] == "true"
        assert ours.headers.get_list("vary") == ["Origin"]

        preflight = {"Access-Control-Request-Method": "DELETE", "Access-Control-Request-Headers": "authorization"}
        refused = client.options("/api/v1/agents", headers={**preflight, "Origin": EVIL})
        assert refused.status_code == 400
        assert not [name for name in refused.headers if name.startswith("access-control-allow")]
        allowed = client.options("/api/v1/agents", headers={**preflight, "Origin": vc_app.base_url})
        assert allowed.status_code == 200
        assert allowed.headers["access-control-allow-origin"] == vc_app.base_url
        methods = {m.strip() for m in allowed.headers["access-control-allow-methods"].split(",")}
        assert "DELETE" in methods and not methods & {"QUERY", "TRACE", "CONNECT"}
        assert "*" not in allowed.headers["access-control-allow-headers"]


def _websocket_status(base_url: str, origin: str) -> int:
    """The status of a websocket handshake on Reflex's state channel (/_event) sent with `origin`."""
    url = urlsplit(base_url)
    request = (
        f"GET /_event/?EIO=4&transport=websocket HTTP/1.1\r\nHost: {url.netloc}\r\nConnection: Upgrade\r\n"
        f"Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        f"Origin: {origin}\r\n\r\n"
    )
    with socket.create_connection((url.hostname, url.port), timeout=10) as conn:
        conn.sendall(request.encode())
        return int(conn.recv(1024).split(b" ", 2)[1])


def test_the_ui_websocket_accepts_only_the_configured_origin(vc_app):
    assert _websocket_status(vc_app.base_url, vc_app.base_url) == 101
    assert _websocket_status(vc_app.base_url, EVIL) == 403  # no cross-site websocket with the user's cookie


_READ_THE_API = """async ([url, key]) => {
    const read = async (init) => {
        try { return (await fetch(url, init)).status; } catch (e) { return "blocked"; }
    };
    return {
        withKey: await read({headers: {Authorization: "Bearer " + key}}),
        withCookies: await read({credentials: "include"}),
    };
}"""


def test_a_page_on_another_origin_can_neither_read_the_api_nor_frame_the_app(e2e_browser, vc_app):
    api = f"{vc_app.base_url}/api/v1/agents"
    other_origin = f"http://127.0.0.1:{urlsplit(vc_app.base_url).port}"  # the same server, another origin
    context = e2e_browser.new_context()
    try:
        page = context.new_page()
        page.goto(f"{vc_app.base_url}/ping")  # a plain document (no UI, no websocket) on the app's origin
        assert page.evaluate(_READ_THE_API, [api, vc_app.api_key]) == {"withKey": 200, "withCookies": 401}

        page.goto(f"{other_origin}/ping")
        assert page.evaluate(_READ_THE_API, [api, vc_app.api_key]) == {"withKey": "blocked", "withCookies": "blocked"}

        page.set_content(f'<iframe src="{vc_app.base_url}/login/"></iframe>')
        frame = page.frames[1]
        for _ in range(50):
            if frame.url.startswith("chrome-error://"):
                break
            page.wait_for_timeout(100)
        assert frame.url.startswith("chrome-error://"), frame.url  # Chromium refused to render it in a frame
    finally:
        context.close()
