"""The do-not-call list through the API: add, remove, list, import, export, and what it does to leads."""

from __future__ import annotations

import csv
import io

import pytest

from tests.support.http import bearer
from tests.support.simulator import run_jobs
from tests.support.team import person

pytestmark = pytest.mark.usefixtures("no_jobs_left_behind")


@pytest.fixture
def team(factory):
    org = factory.org()
    return {
        "org": org,
        "key": factory.api_key(org),
        "admin": person(factory, org, role="admin"),
        "member": person(factory, org, role="member"),
        "viewer": person(factory, org, role="client_viewer", client=factory.client(org)),
    }


def _lead(api_client, key, phone):
    r = api_client.post("/api/v1/leads", json={"phone": phone}, headers=bearer(key))
    assert r.status_code == 201, r.text
    return r.json()["data"]


def _status(api_client, key, lead):
    return api_client.get(f"/api/v1/leads/{lead['id']}", headers=bearer(key)).json()["data"]["status"]


def test_adding_a_number_marks_its_leads_and_removing_restores_them(api_client, team):
    key = team["key"]
    lead = _lead(api_client, key, "+14155552671")
    r = api_client.post(
        "/api/v1/dnc", json={"phone": "(415) 555-2671", "reason": "Asked on the phone"}, headers=bearer(key)
    )
    assert r.status_code == 201, r.text
    entry = r.json()["data"]
    assert entry["phone"] == "+14155552671" and entry["added"] is True and entry["leadsMarked"] == 1
    assert entry["source"] == "manual" and entry["reason"] == "Asked on the phone"
    assert _status(api_client, key, lead) == "do_not_call"
    again = api_client.post("/api/v1/dnc", json={"phone": "+14155552671"}, headers=bearer(key))
    assert again.status_code == 200 and again.json()["data"]["added"] is False
    # A lead on the list cannot be moved back to calling while the number is listed.
    r = api_client.patch(f"/api/v1/leads/{lead['id']}", json={"status": "new"}, headers=bearer(key))
    assert r.status_code == 409 and r.json()["details"][0]["field"] == "status"
    # A lead created (or imported) later with a listed number is do_not_call from the start.
    api_client.delete(f"/api/v1/leads/{lead['id']}", headers=bearer(key))
    assert _lead(api_client, key, "415-555-2671")["status"] == "do_not_call"
    r = api_client.post(
        "/api/v1/leads/import", files={"file": ("l.csv", b"Phone\n+14155552671\n+14155552672\n")}, headers=bearer(key)
    )
    assert r.status_code == 202
    run_jobs("default")
    listed = api_client.get("/api/v1/leads?status=do_not_call", headers=bearer(key)).json()["data"]
    assert [lead["phone"] for lead in listed] == ["+14155552671"]
    r = api_client.delete("/api/v1/dnc/+14155552671", headers=bearer(key))
    assert r.status_code == 200 and r.json()["data"] == {"phone": "+14155552671", "removed": True, "leadsRestored": 1}
    assert api_client.get("/api/v1/leads?status=do_not_call", headers=bearer(key)).json()["data"] == []
    assert api_client.delete("/api/v1/dnc/+14155552671", headers=bearer(key)).status_code == 404


def test_setting_a_lead_do_not_call_puts_its_number_on_the_list(api_client, team):
    key = team["key"]
    lead = _lead(api_client, key, "+14155552671")
    r = api_client.patch(f"/api/v1/leads/{lead['id']}", json={"status": "do_not_call"}, headers=bearer(key))
    assert r.status_code == 200
    listed = api_client.get("/api/v1/dnc", headers=bearer(key)).json()
    assert listed["meta"]["total"] == 1 and listed["data"][0]["phone"] == "+14155552671"


def test_invalid_numbers_list_search_and_paging(api_client, team):
    key = team["key"]
    r = api_client.post("/api/v1/dnc", json={"phone": "call me maybe"}, headers=bearer(key))
    assert r.status_code == 422 and r.json()["details"] == [
        {"field": "phone", "message": "Invalid phone number format"}
    ]
    for i in range(5):
        api_client.post("/api/v1/dnc", json={"phone": f"+1415555{1000 + i}"}, headers=bearer(key))
    page = api_client.get("/api/v1/dnc?perPage=2&page=2", headers=bearer(key)).json()
    assert page["meta"] == {"page": 2, "perPage": 2, "total": 5}
    assert [e["phone"] for e in page["data"]] == ["+14155551002", "+14155551001"]  # newest first
    assert [e["phone"] for e in api_client.get("/api/v1/dnc?search=1003", headers=bearer(key)).json()["data"]] == [
        "+14155551003"
    ]


def test_import_and_export(api_client, team):
    key = team["key"]
    lead = _lead(api_client, key, "+442079460018")
    content = 'Phone,Reason\n+14155552671,=HYPERLINK("x")\n(415) 555-2672,\nnonsense,x\n+44 20 7946 0018,UK\n'
    r = api_client.post("/api/v1/dnc/import", files={"file": ("dnc.csv", content.encode())}, headers=bearer(key))
    assert r.status_code == 200, r.text
    out = r.json()["data"]
    assert (out["rows"], out["added"], out["alreadyListed"], out["leadsMarked"]) == (4, 3, 0, 1)
    assert out["errors"] == [{"row": 4, "field": "phone", "message": "Invalid phone number format"}]
    assert _status(api_client, key, lead) == "do_not_call"
    r = api_client.get("/api/v1/dnc/export.csv", headers=bearer(key))
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.text)))
    assert rows[0] == ["phone", "reason", "source", "added_by", "created_at"]
    by_phone = {row[0]: row for row in rows[1:]}
    assert set(by_phone) == {"+14155552671", "+14155552672", "+442079460018"}
    assert by_phone["+14155552671"][1] == '\'=HYPERLINK("x")'  # never a formula in a spreadsheet
    assert by_phone["+14155552672"][2] == "import"
    r = api_client.post("/api/v1/dnc/import", files={"file": ("x.csv", b"\xff\xfeP\x00")}, headers=bearer(key))
    assert r.status_code == 422 and r.json()["details"][0]["field"] == "file"


def test_roles_and_isolation(api_client, factory, team):
    member, admin, viewer = team["member"], team["admin"], team["viewer"]
    r = api_client.post("/api/v1/dnc", json={"phone": "+14155552671"}, headers=member.cookie)
    assert r.status_code == 201  # anyone on the staff stops calls
    r = api_client.delete("/api/v1/dnc/+14155552671", headers=member.cookie)
    assert r.status_code == 403
    assert r.json()["error"] == "Only owners and admins manage removals from the do-not-call list."
    assert api_client.get("/api/v1/dnc", headers=viewer.cookie).status_code == 403
    stranger = factory.api_key(factory.org())
    assert api_client.delete("/api/v1/dnc/+14155552671", headers=bearer(stranger)).status_code == 404
    assert api_client.get("/api/v1/dnc", headers=bearer(stranger)).json()["meta"]["total"] == 0
    assert api_client.delete("/api/v1/dnc/+14155552671", headers=admin.cookie).status_code == 200
