"""Leads and the do-not-call list in a browser: a CSV import whose phone column is first mapped wrong (every
row refused), fixed in the mapping with the same file (only the really bad rows refused, by their line), then
imported by the worker with its progress followed to the end, and the leads found by their tag; a lead's page;
the do-not-call list: add a number, export it, remove it."""

from __future__ import annotations

import re
import secrets

import pytest
from playwright.sync_api import expect

from tests.support.e2e_leads import (
    error_rows,
    expect_busy,
    map_field,
    open_wizard,
    preview,
    start_and_wait,
    upload_csv,
)

pytestmark = pytest.mark.e2e


def _sign_in(page, vc_app) -> None:
    page.goto(vc_app.new_login_link())
    page.wait_for_url(re.compile(r"/dashboard/?$"))


def _download(page, link) -> str:
    """What a download link serves to this browser (its session cookie authenticates it)."""
    href = link.get_attribute("href") or ""
    assert href.startswith(("http://", "https://")) and link.get_attribute("download") is not None, href
    response = page.request.get(href)
    assert response.ok and response.headers["content-type"].startswith("text/csv"), response.status
    assert "attachment" in response.headers.get("content-disposition", "")
    return response.text()


def _numbers() -> list[str]:
    """Numbers no other test uses (leads merge by phone)."""
    base = 2000 + secrets.randbelow(900)
    return [f"+1 415 555 {base + i:04d}" for i in range(3)]


def test_import_wizard_fix_mapping_then_import(e2e_page, vc_app, vc_worker, tmp_path):
    page = e2e_page
    tag = f"e2e-{secrets.token_hex(3)}"
    ada, grace, alan = _numbers()
    csv_path = tmp_path / "spring-leads.csv"
    csv_path.write_text(
        "First name,Last name,Mobile,Email,Plan\n"
        f"Ada,Lovelace,{ada},ada@example.com,gold\n"  # line 2
        "Bad,Phone,12,bad@example.com,silver\n"  # line 3: the number cannot be read
        f"Grace,Hopper,{grace},not-an-email,gold\n"  # line 4: the email
        f"Alan,Turing,{alan},alan@example.com,\n"  # line 5
    )
    _sign_in(page, vc_app)
    page.get_by_test_id("nav-leads").click()
    page.wait_for_url(re.compile(r"/leads/?$"))
    page.get_by_test_id("leads-import").click()
    page.wait_for_url(re.compile(r"/leads/import/?$"))
    open_wizard(page)
    upload_csv(page, csv_path)
    # Pre-filled from the header: Mobile is the phone, the names and email theirs, Plan a custom field.
    expect(page.get_by_test_id("map-phone")).to_contain_text("Mobile")
    expect(page.get_by_test_id("map-firstName")).to_contain_text("First name")
    expect(page.get_by_test_id("map-email")).to_contain_text("Email")
    expect(page.get_by_test_id("map-custom-name")).to_have_count(1)
    expect(page.get_by_test_id("map-custom-name")).to_have_value("plan")
    page.get_by_test_id("import-tags").fill(tag)

    # The phone mapped to the first names: every row is refused for its phone.
    map_field(page, "phone", "First name")
    preview(page)
    expect(page.get_by_test_id("preview-valid")).to_have_text("0")
    assert sorted(set(error_rows(page))) == [2, 3, 4, 5]

    # Back to the mapping: the same file, the mapping fixed; only the really bad rows are left.
    page.get_by_test_id("import-back").click()
    expect(page.get_by_test_id("import-wizard")).to_have_attribute("data-step", "map")
    map_field(page, "phone", "Mobile")
    preview(page)
    expect(page.get_by_test_id("preview-errors")).to_have_text("2")
    assert error_rows(page) == [3, 4]
    messages = page.get_by_test_id("error-row").all_inner_texts()
    assert "phone" in messages[0] and "email" in messages[1], messages
    expect(page.get_by_test_id("preview-row")).to_have_count(2)
    expect(page.get_by_test_id("preview-create")).to_have_text("2")

    start_and_wait(page)
    expect(page.get_by_test_id("import-rows-done")).to_have_text("4 of 4 rows")
    expect(page.get_by_test_id("import-created")).to_have_text("2")
    expect(page.get_by_test_id("import-refused")).to_have_text("2")
    report = page.get_by_test_id("import-error-report")
    expect(report).to_be_visible()
    refused = _download(page, report)
    assert refused.splitlines()[0] == "row,field,message,First name,Last name,Mobile,Email,Plan"
    assert "Bad,Phone,12" in refused and "not-an-email" in refused

    # The leads, found by their tag.
    page.get_by_test_id("import-see-leads").click()
    page.wait_for_url(re.compile(r"/leads\?tag="))
    expect(page.get_by_test_id("lead-row")).to_have_count(2)
    names = sorted(page.get_by_test_id("lead-link").all_inner_texts())
    assert names == ["Ada Lovelace", "Alan Turing"], names

    # A lead's page: its fields; a bad email is refused under the field, a good change is saved.
    page.get_by_test_id("lead-link").filter(has_text="Ada Lovelace").click()
    page.wait_for_url(re.compile(r"/leads/lead_"))
    expect(page.get_by_test_id("lead-edit-phone")).to_have_value(re.compile(r"^\+1415555"))
    expect(page.get_by_test_id("attempts-empty")).to_be_visible()
    page.get_by_test_id("lead-edit-email").fill("not an email")
    page.get_by_test_id("lead-save").click()
    expect(page.get_by_test_id("lead-edit-email-error")).to_be_visible()
    page.get_by_test_id("lead-edit-email").fill("ada@lovelace.example")
    page.get_by_test_id("lead-save").click()
    expect(page.get_by_test_id("lead-saved")).to_have_text("Saved.")


BIG_ROWS = 60_000  # about 12 s per check at ~5,000 rows/s: past the 10 s a Redis state lock lasts
BIG_TIMEOUT_MS = 120_000


def _big_csv(path, rows: int) -> int:
    """A CSV file of `rows` leads (numbers no other test uses), every 1,000th with a phone that cannot be
    read; returns how many rows are refused."""
    lines = ["Phone,First name,Email"]
    bad = 0
    for i in range(rows):
        if i % 1000 == 999:
            lines.append(f"12,Bad{i},bad{i}@example.com")
            bad += 1
        else:
            lines.append(f"+1 212 {201 + i // 10_000} {i % 10_000:04d},Lead{i},lead{i}@example.com")
    path.write_text("\n".join(lines) + "\n")
    return bad


def test_a_big_file_is_checked_in_the_background(e2e_page, vc_app, tmp_path):
    """A 60,000-row file's checks (at upload, at preview) outlast a state lock: they run as background
    events, showing "Checking N MB…" with the buttons disabled, and end on the right counts."""
    page = e2e_page
    csv_path = tmp_path / "big-leads.csv"
    bad = _big_csv(csv_path, BIG_ROWS)
    _sign_in(page, vc_app)
    open_wizard(page)
    wrong = tmp_path / "leads.xlsx"  # refused by the browser, with the reason, before anything is sent
    wrong.write_bytes(b"PK\x03\x04 not a csv")
    page.locator('input[type="file"]').set_input_files(str(wrong))
    expect(page.get_by_test_id("import-file-error")).to_have_text("Choose a CSV file (.csv)")
    page.locator('input[type="file"]').set_input_files(str(csv_path))
    expect(page.get_by_text(csv_path.name)).to_be_visible()
    page.get_by_test_id("import-upload-submit").click()
    expect_busy(page, re.compile(r"Checking \d+(\.\d)? MB…"))
    expect(page.get_by_test_id("import-upload-submit")).to_be_disabled()
    # The check runs in a thread: the server's event loop still answers meanwhile.
    assert page.request.get(f"{vc_app.base_url}/ping", timeout=3_000).ok
    expect(page.get_by_test_id("import-busy")).to_be_visible()
    expect(page.get_by_test_id("import-wizard")).to_have_attribute("data-step", "map", timeout=BIG_TIMEOUT_MS)
    expect(page.get_by_test_id("map-phone")).to_contain_text("Phone")

    page.get_by_test_id("import-preview").click()
    expect_busy(page, "Checking")
    expect(page.get_by_test_id("import-preview")).to_be_disabled()
    # The dry run holds no state lock: another event of this page is handled while it runs.
    page.get_by_test_id("map-custom-add").click()
    expect(page.get_by_test_id("map-custom-name")).to_have_count(1, timeout=5_000)
    expect(page.get_by_test_id("import-busy")).to_be_visible()
    expect(page.get_by_test_id("import-wizard")).to_have_attribute("data-step", "preview", timeout=BIG_TIMEOUT_MS)
    expect(page.get_by_test_id("preview-total")).to_have_text(str(BIG_ROWS))
    expect(page.get_by_test_id("preview-valid")).to_have_text(str(BIG_ROWS - bad))
    expect(page.get_by_test_id("preview-create")).to_have_text(str(BIG_ROWS - bad))
    expect(page.get_by_test_id("preview-errors")).to_have_text(str(bad))
    expect(page.get_by_test_id("error-row")).to_have_count(bad)
    expect(page.get_by_test_id("import-busy")).to_have_count(0)
    expect(page.get_by_test_id("import-start")).to_be_enabled()
    assert "LockExpired" not in vc_app.log_path.read_text(errors="replace")


def test_do_not_call_add_export_remove(e2e_page, vc_app):
    page = e2e_page
    number = f"+1 415 555 {3000 + secrets.randbelow(900):04d}"
    e164 = "+" + re.sub(r"\D", "", number)
    _sign_in(page, vc_app)
    page.get_by_test_id("nav-do-not-call").click()
    page.wait_for_url(re.compile(r"/dnc/?$"))

    # A number that cannot be read is refused under the field; a good one is listed.
    page.get_by_test_id("dnc-add").click()
    page.get_by_test_id("dnc-phone").fill("12")
    page.get_by_test_id("dnc-add-submit").click()
    expect(page.get_by_test_id("dnc-phone-error")).to_be_visible()
    page.get_by_test_id("dnc-phone").fill(number)
    page.get_by_test_id("dnc-reason").fill("Asked not to be called")
    page.get_by_test_id("dnc-add-submit").click()
    expect(page.get_by_test_id("dnc-add-dialog")).to_be_hidden()
    row = page.locator(f'[data-testid="dnc-row"][data-phone="{e164}"]')
    expect(row).to_be_visible()
    expect(row).to_contain_text("Asked not to be called")

    page.get_by_test_id("dnc-search").fill(e164[-4:])
    expect(row).to_be_visible()

    exported = _download(page, page.get_by_test_id("dnc-export"))
    assert exported.splitlines()[0] == "phone,reason,source,added_by,created_at"
    assert f"{e164},Asked not to be called,manual" in exported

    row.get_by_test_id("dnc-remove").click()
    page.get_by_test_id("dnc-remove-confirm").click()
    expect(row).to_be_hidden()
