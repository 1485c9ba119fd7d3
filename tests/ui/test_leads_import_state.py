"""The lead import wizard as a UI state (no browser): the mapping pre-filled from the header, bad files
refused with the service's message, a wrong mapping's errors, back to the mapping with the file kept, and the
real import queued and run. The slow steps are background events whose service call runs in a worker thread:
the state lock and the event loop stay free meanwhile, and a second click starts nothing."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import threading

import pytest
from sqlmodel import select

from tests.support.team import person
from tests.support.ui import make_state, redirect_path
from tests.ui.test_leads_state import Upload
from voiceconsole.db import session_scope
from voiceconsole.models import LeadImport
from voiceconsole.services.campaigns import imports
from voiceconsole.ui.state import lead_import_work
from voiceconsole.ui.state.lead_import import LeadImportState
from voiceconsole.ui.state.lead_import_mapping import (
    UNMAPPED,
    checking_text,
    custom_name,
    first_record,
    guess_mapping,
    plan_of,
    upload_check_mapping,
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
    assert upload_check_mapping(b" , Mobile ,x\n1,2,3\n") == {"phone": "Mobile"}
    assert (
        checking_text(300) == "Checking 1 KB…"
        and checking_text(1_800_000) == "Checking 1.7 MB…"
        and checking_text(50 * 1024 * 1024) == "Checking 50 MB…"
    )


def run_async(coro):
    """Run a coroutine to the end on its own loop (a Playwright session may hold this thread's loop)."""
    result: dict = {}

    def target():
        result["value"] = asyncio.run(coro)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    return result.get("value")


def background(state: LeadImportState, name: str):
    """A background handler run to its end on the state itself (`async with self` is then a no-op)."""
    return run_async(LeadImportState.event_handlers[name].fn(state))


def upload(state: LeadImportState, files: list) -> None:
    """Choose the files and click "Upload and check": the upload handler, then the check it starts."""
    spec = run_async(state.upload(files))
    if state.busy:  # the browser then starts the check (the script's callback)
        assert spec is not None and state.busy_text.startswith("Checking")
        background(state, "check_upload")
    assert not state.busy


def test_slow_steps_are_background_events():
    """A normal handler holds the state lock (a Redis lock expires after 10 s): the dry runs and the import's
    start must not run in one. The upload handler itself cannot be a background event; it only keeps the file."""
    handlers = LeadImportState.event_handlers
    assert all(handlers[n].is_background for n in ("check_upload", "run_preview", "start", "follow"))
    assert not handlers["upload"].is_background


@pytest.fixture
def wizard(factory):
    org = factory.org()
    owner = person(factory, org, role="owner")
    state = make_state(LeadImportState, token=owner.token, path="/leads/import")
    state.load()
    yield state
    state._forget_upload()
    lead_import_work.forget(state._pending_key)


def test_bad_files_show_the_services_message(wizard):
    upload(wizard, [])
    assert wizard.file_error == "Choose a CSV file first"
    upload(wizard, [Upload("sheet.xlsx", b"PK\x03\x04\x00\x00binary")])
    assert "binary data" in wizard.file_error and wizard.step == "upload"
    upload(wizard, [Upload("empty.csv", b"")])
    assert "empty" in wizard.file_error
    upload(wizard, [Upload("head.csv", b"phone,name\n")])
    assert wizard.file_error == "The file has a header but no rows"
    big = b"phone\n" + b"+14155552671\n" * (imports.MAX_IMPORT_BYTES // 13 + 2)
    upload(wizard, [Upload("big.csv", big)])
    assert "50 MB" in wizard.file_error and wizard.step == "upload"


def test_wrong_mapping_then_fixed_then_imported(wizard, no_jobs_left_behind):
    from voiceconsole.enqueue import get_queue

    upload(wizard, [Upload("spring.csv", CSV)])
    assert wizard.file_error == "" and wizard.step == "map" and wizard.filename == "spring.csv"
    assert wizard.named_columns == ["First Name", "Surname", "Phone Number", "E-mail", "Plan", "2nd line"]

    # No phone column mapped: the service's message.
    wizard.set_mapping("phone", UNMAPPED)
    background(wizard, "run_preview")
    assert wizard.mapping_error.startswith("No phone column") and wizard.step == "map"

    # The phone from the first names: every row refused.
    wizard.set_mapping("phone", "First Name")
    wizard.set_tags("Spring")
    background(wizard, "run_preview")
    assert wizard.step == "preview" and wizard.summary["valid_rows"] == 0
    assert sorted({e["row"] for e in wizard.shown_errors}) == ["2", "3", "4"]

    # Back: the same file, the mapping as it was; fixed, only the really bad rows are refused.
    wizard.back()
    assert wizard.step == "map" and wizard.mapping["phone"] == "First Name"
    wizard.set_mapping("phone", "Phone Number")
    wizard.remove_custom(1)  # not "2nd line"
    background(wizard, "run_preview")
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

    background(wizard, "start")
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
    upload(wizard, [Upload("spring.csv", CSV)])
    lead_import_work.forget(wizard._upload_key)  # as Redis does after UPLOAD_TTL_S
    background(wizard, "run_preview")
    assert wizard.step == "upload" and "expired" in wizard.file_error and not wizard.busy


def test_a_dry_run_holds_neither_the_event_loop_nor_a_second_click(wizard, monkeypatch):
    """While the dry run works in its thread, the event loop runs other work, the wizard shows it busy, and a
    second click (preview, import, back) starts nothing; then the preview shows as usual."""
    upload(wizard, [Upload("spring.csv", CSV)])
    entered, release = threading.Event(), threading.Event()
    calls: list[tuple] = []
    real = lead_import_work.dry_run

    def slow_dry_run(*args):
        calls.append(args)
        entered.set()
        assert release.wait(20), "never released"
        return real(*args)

    monkeypatch.setattr(lead_import_work, "dry_run", slow_dry_run)
    handlers = LeadImportState.event_handlers

    async def scenario() -> None:
        first = asyncio.create_task(handlers["run_preview"].fn(wizard))
        while not entered.is_set():  # this loop keeps running while the dry run blocks its thread
            await asyncio.sleep(0.01)
        assert wizard.busy and wizard.busy_text == "Checking 1 KB…"
        assert await handlers["run_preview"].fn(wizard) is None
        assert await handlers["start"].fn(wizard) is None
        wizard.back()
        assert wizard.step == "map"
        release.set()
        assert await first is None

    run_async(scenario())
    assert len(calls) == 1 and wizard.step == "preview" and not wizard.busy and wizard.busy_text == ""
    assert wizard.summary["total_rows"] == 3 and wizard.import_id == ""


def test_a_failed_dry_run_leaves_the_wizard_usable(wizard, monkeypatch):
    upload(wizard, [Upload("spring.csv", CSV)])

    def broken(*args):
        raise RuntimeError("database gone")

    monkeypatch.setattr(lead_import_work, "dry_run", broken)

    async def attempt() -> Exception | None:
        try:
            await LeadImportState.event_handlers["run_preview"].fn(wizard)
        except RuntimeError as exc:
            return exc
        return None

    assert isinstance(run_async(attempt()), RuntimeError)
    assert not wizard.busy and wizard.step == "map"


def test_a_signed_out_preview_goes_to_the_login_page(wizard):
    upload(wizard, [Upload("spring.csv", CSV)])
    router = wizard.router  # signed out (the cookie gone) while on the mapping
    wizard.router = dataclasses.replace(router, headers=dataclasses.replace(router.headers, cookie=""))
    assert redirect_path(background(wizard, "run_preview")) == "/login"
    assert not wizard.busy
