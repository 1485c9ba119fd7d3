"""Bad input on every endpoint → 422 naming the offending camelCase field; nothing is stored.

Error body (DESIGN.md §5): {"error": "Validation failed", "details": [{"field": "…", "message": "…"}]}.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest
from sqlalchemy import func
from sqlmodel import select

from tests.support.clock import assert_same_apart_from_clock
from tests.support.http import bearer


@dataclass
class Ctx:
    org: object
    key: str
    agent: object
    call: object

    @property
    def headers(self):
        return bearer(self.key)


@pytest.fixture
def ctx(factory) -> Ctx:
    org = factory.org()
    agent = factory.agent(org)
    call = factory.call(org, agent)
    return Ctx(org=org, key=factory.api_key(org), agent=agent, call=call)


def assert_422(r, field: str) -> None:
    assert r.status_code == 422, (r.status_code, r.text)
    body = r.json()
    assert body["error"] == "Validation failed"
    assert body["details"], body
    for d in body["details"]:
        assert set(d) == {"field", "message"} and isinstance(d["message"], str) and d["message"]
    fields = [d["field"] for d in body["details"]]
    assert field in fields, f"expected {field!r} among {fields}"


# ---------------------------------------------------------------------------- list query parameters

COMMON_LIST_CASES = [
    ({"sortBy": "bogus"}, "sortBy"),
    ({"sortBy": "started_at"}, "sortBy"),  # snake_case is not the wire name
    ({"sortOrder": "sideways"}, "sortOrder"),
    ({"perPage": 0}, "perPage"),
    ({"perPage": 101}, "perPage"),
    ({"perPage": "many"}, "perPage"),
    ({"page": 0}, "page"),
    ({"page": -1}, "page"),
    ({"page": "two"}, "page"),
]

CALL_LIST_CASES = [
    *COMMON_LIST_CASES,
    ({"dateFrom": "yesterday"}, "dateFrom"),
    ({"dateFrom": "2024-13-45"}, "dateFrom"),
    ({"dateTo": "31/01/2024"}, "dateTo"),
    ({"dateFrom": "2024-02-01T00:00:00Z", "dateTo": "2024-01-01T00:00:00Z"}, "dateFrom"),
    ({"status": "finished"}, "status"),
    ({"status": "ENDED"}, "status"),
    ({"sentiment": "positive"}, "sentiment"),
    ({"sentiment": "Happy"}, "sentiment"),
    ({"platform": "twilio"}, "platform"),
    ({"direction": "sideways"}, "direction"),
    ({"minScore": 80, "maxScore": 20}, "minScore"),
    ({"minScore": 101}, "minScore"),
    ({"minScore": -1}, "minScore"),
    ({"maxScore": 101}, "maxScore"),
    ({"minScore": "high"}, "minScore"),
    ({"search": "x" * 201}, "search"),
    ({"clientId": "c" * 33}, "clientId"),
    ({"agentId": "a" * 129}, "agentId"),
    ({"tags": "x" * 51}, "tags"),  # longer than any tag can be
    ({"tags": "vip," + "x" * 51}, "tags"),
    ({"tags": ",".join(f"t{i}" for i in range(21))}, "tags"),  # more than 20 tags
    ({"tags": "vip\x00"}, "tags"),
]


@pytest.mark.parametrize("prefix", ["/api", "/api/v1"])
@pytest.mark.parametrize("params,field", CALL_LIST_CASES, ids=[json.dumps(p) for p, _ in CALL_LIST_CASES])
def test_calls_list_rejects(api_client, ctx, prefix, params, field):
    assert_422(api_client.get(f"{prefix}/calls", params=params, headers=ctx.headers), field)


AGENT_LIST_CASES = [
    *COMMON_LIST_CASES,
    ({"sortBy": "callScore"}, "sortBy"),  # a calls field, not an agents one
    ({"platform": "twilio"}, "platform"),
    ({"status": "busy"}, "status"),
    ({"clientId": "c" * 33}, "clientId"),
]


@pytest.mark.parametrize("prefix", ["/api", "/api/v1"])
@pytest.mark.parametrize("params,field", AGENT_LIST_CASES, ids=[json.dumps(p) for p, _ in AGENT_LIST_CASES])
def test_agents_list_rejects(api_client, ctx, prefix, params, field):
    assert_422(api_client.get(f"{prefix}/agents", params=params, headers=ctx.headers), field)


def test_several_bad_parameters_are_all_reported(api_client, ctx):
    r = api_client.get("/api/calls", params={"perPage": 500, "sortBy": "x", "status": "nope"}, headers=ctx.headers)
    assert_422(r, "perPage")
    assert {d["field"] for d in r.json()["details"]} >= {"perPage", "sortBy", "status"}


def test_limits_at_the_edges_are_accepted(api_client, ctx):
    for params in (
        {"perPage": 1},
        {"perPage": 100},
        {"minScore": 0, "maxScore": 100},
        {"minScore": 50, "maxScore": 50},
        {"dateFrom": "2024-01-01T00:00:00Z", "dateTo": "2024-01-01T00:00:00Z"},
    ):
        r = api_client.get("/api/calls", params=params, headers=ctx.headers)
        assert r.status_code == 200, (params, r.text)
        assert r.json()["meta"]["perPage"] == params.get("perPage", 20)


def test_agent_stats_ignores_unknown_parameters(api_client, ctx):
    plain = api_client.get("/api/agents/stats", headers=ctx.headers)
    odd = api_client.get("/api/agents/stats", params={"page": 0, "sortBy": "x"}, headers=ctx.headers)
    assert plain.status_code == odd.status_code == 200
    assert_same_apart_from_clock(plain.json(), odd.json())


# ---------------------------------------------------------------------------- ids in paths


@pytest.mark.parametrize(
    "path", ["/api/calls/{bad}", "/api/v1/calls/{bad}", "/api/v1/agents/{bad}", "/api/agents/{bad}"]
)
@pytest.mark.parametrize("bad", ["cl_nope", "x" * 2000, "%27%20OR%201%3D1--", "123"])
def test_unknown_ids_are_404_not_500(api_client, ctx, path, bad):
    r = api_client.get(path.format(bad=bad), headers=ctx.headers)
    assert r.status_code == 404, r.text
    assert "error" in r.json()


def test_an_agents_internal_row_id_is_not_an_agent_id(api_client, ctx):
    r = api_client.get(f"/api/v1/agents/{ctx.agent.id}", headers=ctx.headers)
    assert r.status_code == 404


# ---------------------------------------------------------------------------- writes: notes


def _note_count(db, call) -> int:
    from voiceconsole.models import CallNote

    return db.exec(select(func.count()).select_from(CallNote).where(CallNote.call_id == call.id)).one()


NOTE_CASES = [
    ("missing body", None, "body"),
    ("empty object", {}, "body"),
    ("empty body", {"body": ""}, "body"),
    ("blank body", {"body": "   \n\t "}, "body"),
    ("too long", {"body": "x" * 5001}, "body"),
    ("not a string", {"body": 42}, "body"),
    ("null", {"body": None}, "body"),
    ("array instead of object", ["hello"], "body"),
    ("invalid JSON", b'{"body": "unterminated', "body"),
]


def _send(api_client, method, path, payload, headers):
    if payload is None:
        return api_client.request(method, path, headers=headers)
    if isinstance(payload, bytes):
        return api_client.request(
            method, path, content=payload, headers={**headers, "Content-Type": "application/json"}
        )
    return api_client.request(method, path, json=payload, headers=headers)


@pytest.mark.parametrize("name,payload,field", NOTE_CASES, ids=[c[0] for c in NOTE_CASES])
def test_note_rejected_and_not_stored(api_client, ctx, db, name, payload, field):
    r = _send(api_client, "POST", f"/api/calls/{ctx.call.public_id}/notes", payload, ctx.headers)
    assert_422(r, field)
    assert _note_count(db, ctx.call) == 0
    assert api_client.get(f"/api/calls/{ctx.call.public_id}", headers=ctx.headers).json()["data"]["notes"] == []


def test_note_of_exactly_the_maximum_length_is_accepted(api_client, ctx, db):
    r = api_client.post(f"/api/calls/{ctx.call.public_id}/notes", json={"body": "y" * 5000}, headers=ctx.headers)
    assert r.status_code == 201, r.text
    assert _note_count(db, ctx.call) == 1


def test_note_on_unknown_call_is_404_and_not_stored(api_client, ctx, db):
    from voiceconsole.models import CallNote

    r = api_client.post("/api/calls/cl_nope/notes", json={"body": "hello"}, headers=ctx.headers)
    assert r.status_code == 404
    n = db.exec(select(func.count()).select_from(CallNote).where(CallNote.organization_id == ctx.org.id)).one()
    assert n == 0


# ---------------------------------------------------------------------------- writes: tags

TAG_CASES = [
    ("missing body", None, "body"),
    ("no tags key", {}, "tags"),
    ("not a list", {"tags": "vip"}, "tags"),
    ("object", {"tags": {"vip": True}}, "tags"),
    ("empty list", {"tags": []}, "tags"),
    ("tag too long", {"tags": ["t" * 51]}, "tags[0]"),
    ("second tag too long", {"tags": ["fine", "t" * 51]}, "tags[1]"),
    ("empty tag", {"tags": ["fine", ""]}, "tags[1]"),
    ("blank tag", {"tags": ["   "]}, "tags[0]"),
    ("null tag", {"tags": [None]}, "tags[0]"),
    ("number tag", {"tags": [7]}, "tags[0]"),
    ("too many tags", {"tags": [f"t{i}" for i in range(21)]}, "tags"),
    ("invalid JSON", b'{"tags": ["a",]}', "body"),
]


def _tag_state(db, ctx):
    from voiceconsole.models import CallTag, Tag

    tags = db.exec(select(Tag.name).where(Tag.organization_id == ctx.org.id).order_by(Tag.name)).all()
    links = db.exec(select(func.count()).select_from(CallTag).where(CallTag.call_id == ctx.call.id)).one()
    return list(tags), links


@pytest.mark.parametrize("name,payload,field", TAG_CASES, ids=[c[0] for c in TAG_CASES])
def test_adding_bad_tags_is_rejected_and_nothing_stored(api_client, ctx, db, name, payload, field):
    r = _send(api_client, "POST", f"/api/calls/{ctx.call.public_id}/tags", payload, ctx.headers)
    assert_422(r, field)
    assert _tag_state(db, ctx) == ([], 0)  # not even the valid tags of a rejected request


@pytest.mark.parametrize("name,payload,field", TAG_CASES, ids=[c[0] for c in TAG_CASES])
def test_removing_with_bad_tags_is_rejected_and_nothing_removed(api_client, ctx, db, name, payload, field):
    keep = api_client.post(
        f"/api/calls/{ctx.call.public_id}/tags", json={"tags": ["fine", "t0", "vip"]}, headers=ctx.headers
    )
    assert keep.status_code == 200
    before = _tag_state(db, ctx)
    r = _send(api_client, "DELETE", f"/api/calls/{ctx.call.public_id}/tags", payload, ctx.headers)
    assert_422(r, field)
    assert _tag_state(db, ctx) == before == (["fine", "t0", "vip"], 3)


def test_tag_of_exactly_fifty_characters_is_accepted(api_client, ctx):
    tag = "a" * 50
    r = api_client.post(f"/api/calls/{ctx.call.public_id}/tags", json={"tags": [tag]}, headers=ctx.headers)
    assert r.status_code == 200 and r.json()["data"]["tags"] == [tag]


# ---------------------------------------------------------------------------- writes: API keys


def _key_count(db, org) -> int:
    from voiceconsole.models import ApiKey

    return db.exec(select(func.count()).select_from(ApiKey).where(ApiKey.organization_id == org.id)).one()


KEY_CASES = [
    ("missing body", None, "body"),
    ("no name", {}, "name"),
    ("empty name", {"name": ""}, "name"),
    ("blank name", {"name": "   "}, "name"),
    ("name too long", {"name": "n" * 101}, "name"),
    ("name not a string", {"name": ["x"]}, "name"),
    ("unknown role", {"name": "ci", "role": "superuser"}, "role"),
    ("client_viewer role", {"name": "ci", "role": "client_viewer"}, "role"),
    ("invalid JSON", b"{name: ci}", "body"),
]


@pytest.mark.parametrize("prefix", ["/api", "/api/v1"])
@pytest.mark.parametrize("name,payload,field", KEY_CASES, ids=[c[0] for c in KEY_CASES])
def test_api_key_create_rejected_and_not_stored(api_client, ctx, db, prefix, name, payload, field):
    before = _key_count(db, ctx.org)
    r = _send(api_client, "POST", f"{prefix}/api-keys", payload, ctx.headers)
    assert_422(r, field)
    assert _key_count(db, ctx.org) == before
    listed = api_client.get(f"{prefix}/api-keys", headers=ctx.headers).json()
    assert listed["meta"]["total"] == len(listed["data"]) == before


@pytest.mark.parametrize("bad", ["key_doesnotexist", "x" * 500, "1"])
def test_api_key_revoke_unknown_is_404_and_revokes_nothing(api_client, ctx, db, bad):
    from voiceconsole.models import ApiKey

    r = api_client.delete(f"/api/v1/api-keys/{bad}", headers=ctx.headers)
    assert r.status_code == 404
    revoked = db.exec(
        select(func.count())
        .select_from(ApiKey)
        .where(ApiKey.organization_id == ctx.org.id, ApiKey.revoked_at.is_not(None))
    ).one()
    assert revoked == 0
    assert api_client.get("/api/calls", headers=ctx.headers).status_code == 200


# ---------------------------------------------------------------------------- login links

EMAIL_CASES = [
    ("missing body", None, "body"),
    ("no email", {}, "email"),
    ("empty", {"email": ""}, "email"),
    ("no at sign", {"email": "not-an-email"}, "email"),
    ("no domain dot", {"email": "someone@localhost"}, "email"),
    ("spaces", {"email": "some one@example.com"}, "email"),
    ("two at signs", {"email": "a@b@example.com"}, "email"),
    ("too long", {"email": "u" * 315 + "@ex.com"}, "email"),
    ("not a string", {"email": 12345}, "email"),
    ("invalid JSON", b'{"email": }', "body"),
]


@pytest.mark.parametrize("prefix", ["/api", "/api/v1"])
@pytest.mark.parametrize("name,payload,field", EMAIL_CASES, ids=[c[0] for c in EMAIL_CASES])
def test_magic_link_rejects_bad_email_and_stores_nothing(api_client, db, prefix, name, payload, field):
    from voiceconsole.models import MagicLink, User

    links = db.exec(select(func.count()).select_from(MagicLink)).one()
    users = db.exec(select(func.count()).select_from(User)).one()
    r = _send(api_client, "POST", f"{prefix}/auth/magic-link", payload, {})
    assert_422(r, field)
    assert db.exec(select(func.count()).select_from(MagicLink)).one() == links
    assert db.exec(select(func.count()).select_from(User)).one() == users
