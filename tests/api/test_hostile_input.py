"""Input a careless or hostile client may send: every such request is answered with a clear error, never
a 500 (NUL characters, unpaired surrogates, dates past the calendar, bodies that cannot be read or are
too large), and authentication still comes first."""

from __future__ import annotations

import json

import pytest

from tests.support.http import bearer


def _fields(response) -> list[str]:
    return [d["field"] for d in response.json().get("details", [])]


@pytest.fixture
def key(factory):
    return factory.api_key(factory.org())


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/calls?search=%00",
        "/api/v1/calls?agentId=a%00b",
        "/api/v1/calls/export?search=%00",
        "/api/v1/analytics?range=7d&agentId=%00",
        "/api/v1/calls/cl_%00",
        "/api/v1/agents/ag%00/scoring",
        "/api/v1/clients/cli_%00",
    ],
)
def test_a_nul_in_a_query_or_path_parameter_is_a_422_naming_it(api_client, key, path):
    r = api_client.get(path, headers=bearer(key))
    assert r.status_code == 422, r.text
    assert r.json()["error"] == "Validation failed" and _fields(r)


def test_a_nul_in_the_query_of_an_unauthenticated_request_is_still_a_401(api_client):
    assert api_client.get("/api/v1/calls?search=%00").status_code == 401


def test_the_export_refuses_a_nul_before_it_starts_streaming(api_client, key):
    r = api_client.get("/api/v1/calls/export?search=%00", headers=bearer(key))
    assert r.status_code == 422 and r.headers["content-type"].startswith("application/json")
    assert _fields(r) == ["search"]


@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    [
        ("post", "/api/v1/clients", {"name": "a\u0000b"}, "name"),
        ("post", "/api/v1/api-keys", {"name": "zap\u0000ier"}, "name"),
        (
            "post",
            "/api/v1/notification-channels",
            {"kind": "email", "events": ["call.low_score"], "email": "a\u0000@b.co"},
            "email",
        ),
        ("post", "/api/v1/integrations", {"platform": "vapi", "apiKey": "k\udfffey"}, "apiKey"),
    ],
)
def test_unstorable_text_in_a_body_is_a_422_naming_the_field(api_client, key, method, path, body, field):
    r = getattr(api_client, method)(
        path, content=json.dumps(body), headers={**bearer(key), "content-type": "application/json"}
    )
    assert r.status_code == 422, r.text
    assert any(f.endswith(field) for f in _fields(r)), r.json()


def test_a_note_and_a_tag_with_unstorable_text_are_refused_and_nothing_is_stored(api_client, factory):
    org = factory.org()
    call = factory.call(org, factory.agent(org))
    key = factory.api_key(org)
    headers = {**bearer(key), "content-type": "application/json"}
    note = api_client.post(
        f"/api/v1/calls/{call.public_id}/notes", content=json.dumps({"body": "a\u0000b"}), headers=headers
    )
    tag = api_client.post(
        f"/api/v1/calls/{call.public_id}/tags", content=json.dumps({"tags": ["\udfff"]}), headers=headers
    )
    assert note.status_code == 422 and _fields(note) == ["body"]
    assert tag.status_code == 422 and _fields(tag) == ["tags[0]"]
    detail = api_client.get(f"/api/v1/calls/{call.public_id}", headers=bearer(key)).json()["data"]
    assert detail["notes"] == [] and detail["tags"] == []


def test_a_magic_link_for_an_address_with_a_nul_is_a_422(api_client):
    r = api_client.post(
        "/api/v1/auth/magic-link",
        content=json.dumps({"email": "a\u0000@b.co"}),
        headers={"content-type": "application/json"},
    )
    assert r.status_code == 422 and _fields(r) == ["email"]


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/api/v1/calls?dateTo=9999-12-31T23:59:59-12:00", "dateTo"),
        ("/api/v1/calls?dateFrom=0001-01-01T00:00:00%2B14:00", "dateFrom"),
        ("/api/v1/analytics?range=custom&dateFrom=2026-01-01&dateTo=9999-12-31", "dateTo"),
        ("/api/v1/analytics?range=custom&dateFrom=2026-01-01&dateTo=9999-12-31T23:59:59-12:00", "dateTo"),
    ],
)
def test_a_date_past_the_calendar_is_a_422_naming_it(api_client, key, path, field):
    r = api_client.get(path, headers=bearer(key))
    assert r.status_code == 422, r.text
    assert _fields(r) == [field]


@pytest.mark.parametrize(
    "body",
    [b'{"name": "\xff\xfe"}', b"[" * 5000 + b"]" * 5000],
    ids=["invalid-utf8", "nested-5000-deep"],
)
def test_an_unreadable_body_is_a_401_without_a_key_and_a_422_naming_the_body_with_one(api_client, key, body):
    headers = {"content-type": "application/json"}
    assert api_client.post("/api/v1/clients", content=body, headers=headers).status_code == 401
    r = api_client.post("/api/v1/clients", content=body, headers={**headers, **bearer(key)})
    assert r.status_code == 422, r.text
    assert _fields(r) == ["body"]


def test_a_body_over_the_limit_is_a_413_naming_the_body(api_client, key):
    big = json.dumps({"name": "x" * (2 * 1024 * 1024)})
    r = api_client.post("/api/v1/clients", content=big, headers={**bearer(key), "content-type": "application/json"})
    assert r.status_code == 413, r.text
    assert r.json()["error"] == "Request body too large" and _fields(r) == ["body"]


def test_a_chunked_body_is_cut_off_at_the_limit_without_authentication(api_client):
    sent = 0

    def chunks():  # no Content-Length: the server must count as it reads
        nonlocal sent
        for _ in range(64):
            sent += 64 * 1024
            yield b" " * (64 * 1024)

    r = api_client.post("/api/v1/clients", content=chunks(), headers={"content-type": "application/json"})
    assert r.status_code == 413 and _fields(r) == ["body"]


def test_a_platform_webhook_allows_more_but_not_without_limit(api_client):
    path = "/api/integrations/vapi/webhook/int_doesnotexist"
    within = api_client.post(
        path, content=b"{" + b" " * (2 * 1024 * 1024) + b"}", headers={"content-type": "application/json"}
    )
    assert within.status_code == 404  # read whole: 2 MiB is within a webhook's 5 MiB (an unknown integration)
    over = api_client.post(path, content=b" " * (6 * 1024 * 1024), headers={"content-type": "application/json"})
    assert over.status_code == 413 and over.json()["details"][0]["message"] == "At most 5,120 KiB"


def test_the_uis_file_uploads_take_an_import_sized_file_but_not_more(api_client):
    """Reflex's `/_upload` carries the lead import wizard's CSV (up to the import's 50 MB): the 1 MiB default
    would refuse any real file (it did: the wizard stayed on its first step)."""
    within = api_client.post("/_upload", content=b"x" * (3 * 1024 * 1024), headers={"content-type": "text/csv"})
    assert within.status_code != 413  # past the limit check (the bare API has no Reflex behind it: 404/405)
    over = api_client.post(
        "/_upload", content=b"x" * (52 * 1024 * 1024), headers={"content-type": "application/octet-stream"}
    )
    assert over.status_code == 413 and over.json()["details"][0]["message"] == "At most 52,224 KiB"
