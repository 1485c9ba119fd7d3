"""The lead import wizard as a UI state (no browser): the mapping pre-filled from the header, bad files
refused with the service's message, a wrong mapping's errors, back to the mapping with the file kept, and the
real import queued and run."""

from __future__ import annotations

import asyncio
import json

import pytest
from sqlmodel import select

from tests.support.team import person
from tests.support.ui import make_state
from tests.ui.test_leads_state import Upload
from voiceconsole.db import session_scope
from voiceconsole.models import LeadImport
from voiceconsole.services.campaigns import imports
from voiceconsole.ui.state.lead_import import (
    UNMAPPED,
    LeadImportState,
    custom_name,
    first_record,
    guess_mapping,
    plan_of,
)

CSV = (
    b"First Name,Surname,Phone Number,E-mail,Plan,2nd line,\n"
    b"Ada,Lovelace,+1 415 555 2671,ada@example.com,gold,x,\n"  # line 2
    b"Bad,Phone,12,bad@example.com,silver,,\n"  # line 3
    b"Grace,Hopper,+1 415 555 2672,nope,gold,,\n"  # line 4
)


def test_mapping_is_prefilled_from_the_header():
    columns = ["First Name", "Surname", "Phone Number", "E-mail", "Plan", "2nd line", "", "Mobile"]
    mapping, custom = guess_mapping(columns)
    assert mapping["firstName"] == "First Name" and mapping["lastName"] == "Surname"
    assert mapping["phone"] == "Phone Number" and mapping["email"] == "E-mail"
    assert mapping["company"] == UNMAPPED
    # Another phone-like column once the phone is taken: a custom field, like any unknown named column.
    assert custom == [
        {"name": "plan", "column": "Plan"},
        {"name": "_2nd_line", "column": "2nd line"},
        {"name": "mobile", "column": "Mobile"},
    ]
    assert custom_name("Sign-up date (UTC)") == "sign_up_date_utc"
    plan = plan_of({**mapping, "company": UNMAPPED}, [*custom[:1], {"name": "x", "column": UNMAPPED}])
    assert plan == {
        "firstName": "First Name",
        "lastName": "Surname",
        "phone": "Phone Number",
        "email": "E-mail",
        "custom.plan": "Plan",
    }
    assert first_record('\ufeffa,"b,c"\nd'.encode()) == ["a", "b,c"]


@pytest.fixture
def wizard(factory):
    org = factory.org()
    owner = person(factory, org, role="owner")
    state = make_state(LeadImportState, token=owner.token, path="/leads/import")
    state.load()
    yield state
    state._forget_upload()


def test_bad_files_show_the_services_message(wizard):
    asyncio.run(wizard.upload([]))
    assert wizard.file_error == "Choose a CSV file first"
    asyncio.run(wizard.upload([Upload("sheet.xlsx", b"PK\x03\x04\x00\x00binary")]))
    assert "binary data" in wizard.file_error and wizard.step == "upload"
    asyncio.run(wizard.upload([Upload("empty.csv", b"")]))
    assert "empty" in wizard.file_error
    asyncio.run(wizard.upload([Upload("head.csv", b"phone,name\n")]))
    assert wizard.file_error == "The file has a header but no rows"
    big = b"phone\n" + b"+14155552671\n" * (imports.MAX_IMPORT_BYTES // 13 + 2)
    asyncio.run(wizard.upload([Upload("big.csv", big)]))
    assert "50 MB" in wizard.file_error and wizard.step == "upload"


def test_wrong_mapping_then_fixed_then_imported(wizard, no_jobs_left_behind):
    from voiceconsole.enqueue import get_queue

    asyncio.run(wizard.upload([Upload("spring.csv", CSV)]))
    assert wizard.file_error == "" and wizard.step == "map" and wizard.filename == "spring.csv"
    assert wizard.named_columns == ["First Name", "Surname", "Phone Number", "E-mail", "Plan", "2nd line"]

    # No phone column mapped: the service's message.
    wizard.set_mapping("phone", UNMAPPED)
    wizard.run_preview()
    assert wizard.mapping_error.startswith("No phone column") and wizard.step == "map"

    # The phone from the first names: every row refused.
    wizard.set_mapping("phone", "First Name")
    wizard.set_tags("Spring")
    wizard.run_preview()
    assert wizard.step == "preview" and wizard.summary["valid_rows"] == 0
    assert sorted({e["row"] for e in wizard.shown_errors}) == ["2", "3", "4"]

    # Back: the same file, the mapping as it was; fixed, only the really bad rows are refused.
    wizard.back()
    assert wizard.step == "map" and wizard.mapping["phone"] == "First Name"
    wizard.set_mapping("phone", "Phone Number")
    wizard.remove_custom(1)  # not "2nd line"
    wizard.run_preview()
    assert [(e["row"], e["field"]) for e in wizard.shown_errors] == [("3", "phone"), ("4", "email")]
    assert wizard.summary == {
        "total_rows": 3,
        "valid_rows": 1,
        "would_create": 1,
        "would_update": 0,
        "errors_total": 2,
    }
    (row,) = wizard.preview
    assert (row["row"], row["name"], row["phone"], row["tags"], row["custom"]) == (
        "2",
        "Ada Lovelace",
        "+14155552671",
        "spring",
        "plan: gold",
    )

    wizard.start()
    assert wizard.step == "running" and wizard.import_id.startswith("imp_")
    assert wizard.job["totalRows"] == 3 and wizard.job["mapping"]["custom.plan"] == "Plan"
    assert get_queue("default").count == 1
    assert wizard._upload_key == ""  # the file is the import's now
    with session_scope() as s:
        internal = s.exec(select(LeadImport.id).where(LeadImport.public_id == wizard.import_id)).one()
    assert imports.run_import(internal).status == "done"
    assert wizard.leads_href == "/leads?tag=spring"
    assert json.loads(json.dumps(wizard.job))["options"]["tags"] == ["spring"]


def test_an_expired_file_sends_back_to_the_upload(wizard):
    asyncio.run(wizard.upload([Upload("spring.csv", CSV)]))
    wizard._forget_upload()
    wizard.run_preview()
    assert wizard.step == "upload" and "expired" in wizard.file_error
