"""The lead import wizard driven in a browser (tests/e2e): its steps one by one, and the whole happy path for
tests that only need leads (a campaign's audience)."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

IMPORT_DONE_TIMEOUT_MS = 120_000  # the job runs on the test's worker


def open_wizard(page: Page) -> None:
    page.goto("/leads/import")
    expect(page.get_by_test_id("import-wizard")).to_have_attribute("data-step", "upload")


def upload_csv(page: Page, csv_path: Path | str, *, timeout_ms: float | None = None) -> None:
    """Choose the file and have it checked: the wizard moves on to the mapping (a big file's check takes
    a while: give `timeout_ms`)."""
    page.locator('input[type="file"]').set_input_files(str(csv_path))
    expect(page.get_by_text(Path(csv_path).name)).to_be_visible()
    page.get_by_test_id("import-upload-submit").click()
    expect(page.get_by_test_id("import-wizard")).to_have_attribute("data-step", "map", timeout=timeout_ms)


def map_field(page: Page, field: str, column: str) -> None:
    """Map one of our fields (phone, firstName, …) to a column of the file."""
    page.get_by_test_id(f"map-{field}").click()
    page.get_by_role("option", name=column, exact=True).click()
    expect(page.get_by_test_id(f"map-{field}")).to_contain_text(column)


def preview(page: Page, *, timeout_ms: float | None = None) -> None:
    page.get_by_test_id("import-preview").click()
    expect(page.get_by_test_id("import-wizard")).to_have_attribute("data-step", "preview", timeout=timeout_ms)


def expect_busy(page: Page, text: str | re.Pattern[str]) -> None:
    """A slow step under way: its message (e.g. "Checking 2.9 MB…") beside a spinner, the buttons disabled."""
    expect(page.get_by_test_id("import-busy")).to_contain_text(text)


def error_rows(page: Page) -> list[int]:
    """The preview's row errors: the line of each (the header is line 1), as shown."""
    return [int(t) for t in page.get_by_test_id("error-row-number").all_inner_texts()]


def start_and_wait(page: Page) -> None:
    """Import, then follow the progress until the job is done."""
    page.get_by_test_id("import-start").click()
    expect(page.get_by_test_id("import-progress")).to_be_visible()
    expect(page.get_by_test_id("import-status")).to_have_text(re.compile(r"done"), timeout=IMPORT_DONE_TIMEOUT_MS)


def import_leads_through_wizard(page: Page, csv_path: Path | str, tag: str) -> None:
    """Import a CSV file whose column names say what they hold (Phone, First name, …), every lead tagged
    `tag`; returns once the import is done. Needs a worker (the `vc_worker` fixture)."""
    open_wizard(page)
    upload_csv(page, csv_path)
    page.get_by_test_id("import-tags").fill(tag)
    preview(page)
    start_and_wait(page)
