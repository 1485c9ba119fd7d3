"""The audit log: changes recorded with who and from where, named resource.verb, readable by owners and
admins (paged, filterable by actor and action; 422 on filters that name nothing; 403 for others)."""

from __future__ import annotations

import pytest
from sqlmodel import select

from tests.support.http import bearer
from voiceconsole.models import AuditLog

BROWSER = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.5; rv:128.0) Gecko/20100101 Firefox/128.0"


def _log(api_client, headers, **params):
    return api_client.get("/api/v1/audit-log", params=params, headers=headers)


def test_changes_are_recorded_with_who_and_from_where(api_client, factory):
    org = factory.org()
    owner_key = factory.api_key(org)
    user, token = factory.user_session(org, role="admin")
    cookie_headers = {"Origin": "http://testserver", "User-Agent": BROWSER, "Cookie": f"cp_session={token}"}
    created = api_client.post("/api/v1/clients", json={"name": "Bright Smile"}, headers=cookie_headers)
    assert created.status_code == 201
    client_id = created.json()["data"]["id"]
    key_id = api_client.post("/api/v1/api-keys", json={"name": "Zapier"}, headers=bearer(owner_key)).json()["data"][
        "id"
    ]
    assert api_client.delete(f"/api/v1/api-keys/{key_id}", headers=bearer(owner_key)).status_code == 200
    assert api_client.delete(f"/api/v1/clients/{client_id}", headers=bearer(owner_key)).status_code == 200

    log = _log(api_client, bearer(owner_key))
    assert log.status_code == 200
    body = log.json()
    assert body["meta"] == {"page": 1, "perPage": 20, "total": 5}
    actions = [e["action"] for e in body["data"]]
    # Newest first; the first key was made by the test factory, as by the command line: the system.
    assert actions == ["client.deleted", "api_key.revoked", "api_key.created", "client.created", "api_key.created"]
    assert body["data"][-1]["actor"] == {"type": "system", "id": "system", "name": "VoiceConsole"}
    assert body["data"][-1]["source"] == "system"
    by_person = body["data"][-2]
    assert by_person["actor"] == {"type": "user", "id": user.email, "name": user.email}
    assert by_person["userAgent"] == BROWSER and by_person["ip"]
    assert by_person["source"] == f"{by_person['ip']} · Firefox on macOS"
    assert by_person["targetType"] == "client" and by_person["targetId"] == client_id
    by_key = body["data"][0]
    assert by_key["actor"]["type"] == "api_key" and by_key["actor"]["id"].startswith("key_")
    assert by_key["actor"]["name"] == "API key “test”" and by_key["source"].startswith("API key “test”")


def test_filters_by_actor_and_action_and_pages(api_client, factory):
    org = factory.org()
    key = factory.api_key(org)
    user, token = factory.user_session(org)
    for name in ("A", "B", "C"):
        api_client.post("/api/v1/clients", json={"name": name}, headers=bearer(key))
    api_client.post(
        "/api/v1/clients", json={"name": "D"}, headers={"Origin": "http://testserver", "Cookie": f"cp_session={token}"}
    )
    key_id = _log(api_client, bearer(key)).json()["data"][1]["actor"]["id"]

    assert _log(api_client, bearer(key), actor=user.email.upper()).json()["meta"]["total"] == 1
    assert _log(api_client, bearer(key), actor=key_id).json()["meta"]["total"] == 3
    assert _log(api_client, bearer(key), actor="nobody@example.com").json()["meta"]["total"] == 0
    assert _log(api_client, bearer(key), action="client.created").json()["meta"]["total"] == 4
    assert _log(api_client, bearer(key), action="client").json()["meta"]["total"] == 4
    assert _log(api_client, bearer(key), action="client.*").json()["meta"]["total"] == 4
    assert _log(api_client, bearer(key), action="client.create").json()["meta"]["total"] == 4  # the older name
    assert _log(api_client, bearer(key), action="api_key.revoked").json()["meta"]["total"] == 0
    page = _log(api_client, bearer(key), page=2, perPage=3).json()
    assert page["meta"] == {"page": 2, "perPage": 3, "total": 5} and len(page["data"]) == 2


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"actor": "not an actor"}, "actor"),
        ({"action": "DROP TABLE"}, "action"),
        ({"action": "client.created.twice"}, "action"),
        ({"perPage": "500"}, "perPage"),
        ({"dateFrom": "2026-02-01", "dateTo": "2026-01-01"}, "dateFrom"),
        ({"dateFrom": "yesterday"}, "dateFrom"),
    ],
)
def test_bad_filters_are_422_naming_the_field(api_client, factory, params, field):
    org = factory.org()
    answer = _log(api_client, bearer(factory.api_key(org)), **params)
    assert answer.status_code == 422, answer.text
    assert field in {d["field"] for d in answer.json()["details"]}


def test_members_and_client_viewers_cannot_read_it(api_client, factory):
    org = factory.org()
    client = factory.client(org)
    _, member = factory.user_session(org, role="member")
    _, viewer = factory.user_session(org, role="client_viewer", client=client)
    for token in (member, viewer):
        assert api_client.get("/api/v1/audit-log", cookies={"cp_session": token}).status_code == 403
    assert _log(api_client, bearer(factory.api_key(org, role="member"))).status_code == 403
    assert api_client.get("/api/v1/audit-log").status_code == 401


def test_only_this_organizations_entries(api_client, factory):
    org, other = factory.org(), factory.org()
    api_client.post("/api/v1/clients", json={"name": "Theirs"}, headers=bearer(factory.api_key(other)))
    entries = _log(api_client, bearer(factory.api_key(org))).json()["data"]
    assert [e["action"] for e in entries] == ["api_key.created"]  # its own key, nothing of the other's


def test_rows_written_before_0009_stay_readable(api_client, factory, db):
    org = factory.org()
    user, token = factory.user_session(org, role="owner")
    db.add(AuditLog(organization_id=org.id, actor=f"user:{user.id}", action="integration.create"))
    db.add(AuditLog(organization_id=org.id, actor="system:system", action="client.rename"))
    db.commit()
    entries = api_client.get("/api/v1/audit-log", cookies={"cp_session": token}).json()["data"]
    assert {e["action"] for e in entries} == {"integration.created", "client.renamed"}
    person = next(e for e in entries if e["actor"]["type"] == "user")
    assert person["actor"]["id"] == user.email and person["source"] == "unknown"
    assert next(e for e in entries if e["actor"]["type"] == "system")["source"] == "system"
    assert db.exec(select(AuditLog).where(AuditLog.organization_id == org.id)).all()  # untouched
