"""Leads through the API: create (validation, one lead per number), change, delete, filters and paging,
imports (dry run, real run as a job, error report, bad files), isolation and roles."""

from __future__ import annotations

import csv
import io
import json

import pytest

from tests.support.http import bearer
from tests.support.simulator import run_jobs
from tests.support.team import person

pytestmark = pytest.mark.usefixtures("no_jobs_left_behind")


@pytest.fixture
def team(factory):
    org = factory.org()
    client = factory.client(org, "Bright Smile")
    return {
        "org": org,
        "client": client,
        "key": factory.api_key(org),
        "owner": person(factory, org, role="owner"),
        "member": person(factory, org, role="member"),
        "viewer": person(factory, org, role="client_viewer", client=client),
    }


def _create(api_client, key, **body):
    return api_client.post("/api/v1/leads", json=body, headers=bearer(key))


def _import(api_client, key, content: str | bytes, mapping=None, dry_run=False, **form):
    data = {k: v for k, v in {"mapping": json.dumps(mapping) if mapping else None, **form}.items() if v is not None}
    raw = content.encode() if isinstance(content, str) else content
    return api_client.post(
        "/api/v1/leads/import" + ("?dryRun=true" if dry_run else ""),
        files={"file": ("leads.csv", raw, "text/csv")},
        data=data,
        headers=bearer(key),
    )


def test_create_a_lead_stores_e164_and_derives_the_time_zone(api_client, team):
    r = _create(
        api_client,
        team["key"],
        phone="(415) 555-2671",
        firstName="Ada",
        lastName="Lovelace",
        email="Ada@Example.COM",
        tags=["VIP", "spring"],
        customFields={"plan": "gold"},
        consent={"at": "2026-11-02T10:00:00Z", "method": "web_form", "source": "https://example.com/quote"},
        clientId=team["client"].public_id,
    )
    assert r.status_code == 201, r.text
    lead = r.json()["data"]
    assert lead["id"].startswith("lead_") and lead["phone"] == "+14155552671"
    assert lead["timezone"] == "America/Los_Angeles" and lead["email"] == "Ada@example.com"
    assert lead["tags"] == ["spring", "vip"] and lead["customFields"] == {"plan": "gold"}
    assert lead["consent"] == {
        "at": "2026-11-02T10:00:00Z",
        "method": "web_form",
        "source": "https://example.com/quote",
    }
    assert lead["status"] == "new" and lead["clientId"] == team["client"].public_id
    got = api_client.get(f"/api/v1/leads/{lead['id']}", headers=bearer(team["key"])).json()["data"]
    assert got == lead


def test_validation_names_each_field_with_the_documented_messages(api_client, team):
    r = _create(api_client, team["key"], phone="555-12", email="not-an-email", timezone="Mars/Olympus")
    assert r.status_code == 422
    assert r.json() == {
        "error": "Validation failed",
        "details": [
            {"field": "phone", "message": "Invalid phone number format"},
            {"field": "email", "message": "Must be a valid email address"},
            {"field": "timezone", "message": "Unknown time zone"},
        ],
    }
    r = _create(api_client, team["key"], phone="+14155552671", clientId="cli_nope")
    assert r.status_code == 422 and r.json()["details"] == [{"field": "clientId", "message": "No such client"}]


def test_one_lead_per_number_in_any_format(api_client, team):
    assert _create(api_client, team["key"], phone="+1 212 555 0123").status_code == 201
    r = _create(api_client, team["key"], phone="(212) 555-0123")
    assert r.status_code == 409
    assert r.json()["details"] == [{"field": "phone", "message": "A lead with this phone number already exists"}]
    other = _create(api_client, team["key"], phone="+1 212 555 0124").json()["data"]
    r = api_client.patch(f"/api/v1/leads/{other['id']}", json={"phone": "212-555-0123"}, headers=bearer(team["key"]))
    assert r.status_code == 409 and r.json()["details"][0]["field"] == "phone"


def test_patch_changes_and_clears_fields(api_client, team):
    lead = _create(api_client, team["key"], phone="+14155552671", company="Acme", email="a@example.com").json()["data"]
    path = f"/api/v1/leads/{lead['id']}"
    r = api_client.patch(
        path,
        json={"company": None, "status": "contacted", "tags": ["hot"], "phone": "+442079460018"},
        headers=bearer(team["key"]),
    )
    assert r.status_code == 200, r.text
    data = r.json()["data"]
    assert data["company"] is None and data["email"] == "a@example.com" and data["status"] == "contacted"
    assert data["tags"] == ["hot"] and data["phone"] == "+442079460018" and data["timezone"] == "Europe/London"
    r = api_client.patch(path, json={"timezone": "Nowhere/Land"}, headers=bearer(team["key"]))
    assert r.status_code == 422 and r.json()["details"] == [{"field": "timezone", "message": "Unknown time zone"}]
    assert api_client.delete(path, headers=bearer(team["key"])).json()["data"] == {"id": lead["id"], "deleted": True}
    assert api_client.get(path, headers=bearer(team["key"])).status_code == 404


def test_filters_search_and_stable_paging(api_client, team):
    key = team["key"]
    made = []
    for i in range(25):
        body = {"phone": f"+1415555{1000 + i}", "firstName": f"Person{i:02d}", "tags": ["even"] if i % 2 == 0 else []}
        if i == 7:
            body |= {"company": "Globex", "clientId": team["client"].public_id}
        made.append(_create(api_client, key, **body).json()["data"]["id"])
    seen = []
    for page in (1, 2, 3):
        r = api_client.get(f"/api/v1/leads?page={page}&perPage=10", headers=bearer(key)).json()
        assert r["meta"] == {"page": page, "perPage": 10, "total": 25}
        seen += [lead["id"] for lead in r["data"]]
    assert seen == list(reversed(made))  # newest first, every lead once
    asc = api_client.get("/api/v1/leads?perPage=100&sortOrder=asc", headers=bearer(key)).json()["data"]
    assert [lead["id"] for lead in asc] == made

    def ids(query: str) -> list[str]:
        r = api_client.get(f"/api/v1/leads?perPage=100&{query}", headers=bearer(key))
        assert r.status_code == 200, r.text
        return [lead["id"] for lead in r.json()["data"]]

    assert len(ids("tag=even")) == 13 and len(ids("tag=EVEN")) == 13
    assert ids("search=globex") == [made[7]] and ids(f"clientId={team['client'].public_id}") == [made[7]]
    assert ids("search=person03") == [made[3]] and ids("search=555-1004") == [made[4]]
    assert ids("search=%25") == [] and ids("clientId=cli_other") == []
    assert len(ids("status=new")) == 25 and ids("status=converted") == []
    assert api_client.get("/api/v1/leads?status=bogus", headers=bearer(key)).status_code == 422


def test_roles_and_isolation(api_client, factory, team):
    lead = _create(api_client, team["key"], phone="+14155552671").json()["data"]
    member, viewer = team["member"], team["viewer"]
    r = api_client.post("/api/v1/leads", json={"phone": "+14155552672"}, headers=member.cookie)
    assert r.status_code == 201  # members work leads
    r = api_client.get("/api/v1/leads", headers=viewer.cookie)
    assert r.status_code == 403 and r.json()["error"] == "Client viewers cannot see leads"
    r = api_client.patch(f"/api/v1/leads/{lead['id']}", json={"company": "X"}, headers=viewer.cookie)
    assert r.status_code == 403
    stranger = factory.api_key(factory.org())
    for method in ("GET", "PATCH", "DELETE"):
        kwargs = {"json": {"company": "X"}} if method == "PATCH" else {}
        r = api_client.request(method, f"/api/v1/leads/{lead['id']}", headers=bearer(stranger), **kwargs)
        assert r.status_code == 404, (method, r.text)
    assert api_client.get("/api/v1/leads", headers=bearer(stranger)).json()["meta"]["total"] == 0


CSV_WITH_ERRORS = (
    "Phone Number,First,Last,Email,Plan,Zone\r\n"
    "+14155550101,Ada,Lovelace,ada@example.com,gold,\r\n"
    "(415) 555-0102,Grace,Hopper,,silver,Europe/Paris\r\n"
    "not a phone,Bad,Row,,,\r\n"
    '+14155550104,"Multi\nLine",Name,nope,,\r\n'
    "+14155550101,,,,platinum,\r\n"  # the same number again: merged into the first
    "\r\n"
    "+14155550106,Tz,Bad,,,Moon/Base\r\n"
)
MAPPING = {
    "phone": "Phone Number",
    "firstName": "First",
    "lastName": "Last",
    "email": "Email",
    "custom.plan": "Plan",
    "timezone": "Zone",
}
EXPECTED_ERRORS = [
    {"row": 4, "field": "phone", "message": "Invalid phone number format"},
    {"row": 5, "field": "email", "message": "Must be a valid email address"},
    {"row": 9, "field": "timezone", "message": "Unknown time zone"},
]


def test_dry_run_previews_and_lists_row_errors_without_writing(api_client, team):
    _create(api_client, team["key"], phone="+14155550102", company="Existing")
    r = _import(api_client, team["key"], CSV_WITH_ERRORS, MAPPING, dry_run=True, tags="spring")
    assert r.status_code == 200, r.text
    data = r.json()["data"]
    assert data["errors"] == EXPECTED_ERRORS and data["errorsTotal"] == 3
    assert data["totalRows"] == 6 and data["validRows"] == 3
    assert (data["wouldCreate"], data["wouldUpdate"]) == (1, 1)
    first = data["preview"][0]
    assert first["row"] == 2 and first["action"] == "create"
    assert first["lead"]["phone"] == "+14155550101" and first["lead"]["customFields"] == {"plan": "gold"}
    assert first["lead"]["tags"] == ["spring"] and first["lead"]["timezone"] == "America/Los_Angeles"
    assert data["preview"][1]["action"] == "update" and data["preview"][1]["lead"]["timezone"] == "Europe/Paris"
    total = api_client.get("/api/v1/leads", headers=bearer(team["key"])).json()["meta"]["total"]
    assert total == 1  # nothing written


def test_real_run_imports_as_a_job_with_the_same_errors_and_an_error_report(api_client, team):
    key = team["key"]
    _create(api_client, key, phone="+14155550102", company="Existing", tags=["old"])
    r = _import(api_client, key, CSV_WITH_ERRORS, MAPPING, tags="spring", clientId=team["client"].public_id)
    assert r.status_code == 202, r.text
    imp = r.json()["data"]
    assert imp["id"].startswith("imp_") and imp["status"] == "pending" and imp["totalRows"] == 6
    run_jobs("default")
    imp = api_client.get(f"/api/v1/leads/imports/{imp['id']}", headers=bearer(key)).json()["data"]
    assert imp["status"] == "done", imp
    assert (imp["rowsDone"], imp["progress"], imp["created"], imp["updated"], imp["errors"]) == (6, 1.0, 1, 1, 3)
    leads = {lead["phone"]: lead for lead in api_client.get("/api/v1/leads", headers=bearer(key)).json()["data"]}
    assert set(leads) == {"+14155550101", "+14155550102"}
    ada = leads["+14155550101"]
    assert ada["firstName"] == "Ada" and ada["customFields"] == {"plan": "platinum"}  # the later row's plan
    assert ada["tags"] == ["spring"] and ada["clientId"] == team["client"].public_id
    grace = leads["+14155550102"]
    assert grace["company"] == "Existing" and grace["firstName"] == "Grace" and grace["timezone"] == "Europe/Paris"
    assert grace["tags"] == ["old", "spring"]
    report = api_client.get(imp["errorReportUrl"], headers=bearer(key))
    assert report.status_code == 200 and report.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(report.text)))
    assert rows[0] == ["row", "field", "message", "Phone Number", "First", "Last", "Email", "Plan", "Zone"]
    assert [{"row": int(r[0]), "field": r[1], "message": r[2]} for r in rows[1:]] == EXPECTED_ERRORS
    assert rows[2][3:6] == ["+14155550104", "Multi\nLine", "Name"]
    # The dry run of the same file says the same.
    dry = _import(api_client, key, CSV_WITH_ERRORS, MAPPING, dry_run=True).json()["data"]
    assert dry["errors"] == EXPECTED_ERRORS


def test_columns_are_matched_by_name_without_a_mapping(api_client, team):
    content = "\ufeffPhone,First Name,Email\n+14155550101,Ada,ada@example.com\n"  # with a byte-order mark
    data = _import(api_client, team["key"], content, dry_run=True).json()["data"]
    assert data["errors"] == [] and data["preview"][0]["lead"]["firstName"] == "Ada"


@pytest.mark.parametrize(
    "content,mapping,message",
    [
        (b"", None, "The file is empty: its first line must name the columns"),
        ("Phone\n", None, "The file has a header but no rows"),
        ("Name,Email\nAda,a@example.com\n", None, "No phone column"),
        ("Tel,Name\n+14155550101,Ada\n", {"phone": "Phone"}, "Column “Phone” (for phone) is not in the file's header"),
        ("Tel\n+14155550101\n", {"phone": "Tel", "shoeSize": "Tel"}, "Unknown field “shoeSize”"),
        (
            "Phone,Name\n+14155550101,Zo\xeb\n".encode("latin-1"),
            None,
            "The file is not UTF-8 text (byte 27 cannot be read)",
        ),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", None, "The file is not UTF-8 text"),
        (b"Phone\n+1415\x00555\n", None, "The file is not a CSV file: it holds binary data"),
        # An unclosed quote swallows the rest of the file into one cell, past the csv module's limit.
        ('Phone,Name\n"+14155550101,' + "x" * 200_000 + "\n", None, "The file is not a valid CSV file (line 2"),
    ],
)
@pytest.mark.parametrize("dry_run", [True, False])
def test_bad_files_are_refused_and_nothing_is_written(api_client, factory, team, content, mapping, message, dry_run):
    from sqlmodel import func, select

    from voiceconsole.models import LeadImport

    r = _import(api_client, team["key"], content, mapping, dry_run=dry_run)
    assert r.status_code == 422, r.text
    detail = r.json()["details"][0]
    assert detail["field"] in ("file", "mapping") and message in detail["message"], detail
    count = factory.s.exec(
        select(func.count()).select_from(LeadImport).where(LeadImport.organization_id == team["org"].id)
    )
    assert count.one() == 0


def test_a_file_over_the_limit_is_refused_with_the_limit(api_client, team, monkeypatch):
    from voiceconsole.services.campaigns import imports

    monkeypatch.setattr(imports, "MAX_IMPORT_BYTES", 1000)
    r = _import(api_client, team["key"], "Phone\n" + "+14155550101\n" * 100)
    assert r.status_code == 422
    assert r.json()["details"] == [
        {"field": "file", "message": "The file is larger than the 50 MB limit: split it into smaller files"}
    ]


def test_a_bad_mapping_and_import_roles(api_client, factory, team):
    r = api_client.post(
        "/api/v1/leads/import",
        files={"file": ("x.csv", b"Phone\n+14155550101\n", "text/csv")},
        data={"mapping": "{not json"},
        headers=bearer(team["key"]),
    )
    assert r.status_code == 422 and r.json()["details"][0]["field"] == "mapping"
    r = api_client.post(
        "/api/v1/leads/import",
        files={"file": ("x.csv", b"Phone\n+14155550101\n", "text/csv")},
        headers=team["viewer"].cookie,
    )
    assert r.status_code == 403
    r = api_client.post(
        "/api/v1/leads/import",
        files={"file": ("x.csv", b"Phone\n+14155550101\n", "text/csv")},
        headers=team["member"].cookie,
    )
    assert r.status_code == 202
    imp = r.json()["data"]["id"]
    stranger = factory.api_key(factory.org())
    assert api_client.get(f"/api/v1/leads/imports/{imp}", headers=bearer(stranger)).status_code == 404
    assert api_client.get(f"/api/v1/leads/imports/{imp}/errors.csv", headers=bearer(stranger)).status_code == 404
