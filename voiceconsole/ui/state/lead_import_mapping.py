"""The lead import wizard's pure helpers: the mapping pre-filled from a file's header, custom fields' names, the
mapping as the import service takes it, and a dry run's results as the wizard shows them. No state, no I/O."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from voiceconsole.schemas.leads import ImportDryRun
from voiceconsole.ui.state.leads import lead_name

UNMAPPED = "-"  # Radix selects cannot hold an empty value
# Our fields in the mapping step, in order, with their labels.
FIELDS = [
    ("phone", "Phone (required)"),
    ("firstName", "First name"),
    ("lastName", "Last name"),
    ("email", "Email"),
    ("company", "Company"),
    ("timezone", "Time zone"),
    ("tags", "Tags"),
    ("consentAt", "Consent: when"),
    ("consentMethod", "Consent: how"),
    ("consentSource", "Consent: source"),
]
# Column names (lower-cased, letters and digits only) that say which field they hold: the service's own
# guesses (services/campaigns/imports.py) and a few more spellings a spreadsheet export uses.
GUESSES = {
    **{k: "phone" for k in ("phone", "phonenumber", "mobile", "telephone", "cell", "tel", "number")},
    **{k: "firstName" for k in ("firstname", "first", "givenname")},
    **{k: "lastName" for k in ("lastname", "last", "surname", "familyname")},
    **{k: "email" for k in ("email", "emailaddress", "mail")},
    **{k: "company" for k in ("company", "companyname", "organization", "organisation")},
    **{k: "timezone" for k in ("timezone", "tz")},
    **{k: "tags" for k in ("tags", "tag", "labels")},
    "consentat": "consentAt",
    "consentmethod": "consentMethod",
    "consentsource": "consentSource",
}


def _key(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def custom_name(column: str) -> str:
    """A column's name as a custom field's (letters, digits, underscores; not starting with a digit)."""
    name = re.sub(r"[^a-z0-9]+", "_", column.lower()).strip("_")[:64]
    return f"_{name}"[:64] if name[:1].isdigit() else name


def guess_mapping(columns: list[str]) -> tuple[dict[str, str], list[dict[str, str]]]:
    """Pre-fill the mapping from the header: each field from the first column whose name says it, and every
    other named column as a custom field (the user removes those not wanted)."""
    mapping = {field: UNMAPPED for field, _ in FIELDS}
    custom: list[dict[str, str]] = []
    for column in columns:
        field = GUESSES.get(_key(column))
        if field is not None and mapping[field] == UNMAPPED:
            mapping[field] = column
        elif column.strip() and custom_name(column):
            custom.append({"name": custom_name(column), "column": column})
    return mapping, custom


def plan_of(mapping: dict[str, str], custom: list[dict[str, str]]) -> dict[str, str]:
    """The mapping the import service takes: field → column, custom fields as `custom.<name>`."""
    plan = {field: column for field, column in mapping.items() if column and column != UNMAPPED}
    for item in custom:
        if item.get("column") and item["column"] != UNMAPPED:
            plan[f"custom.{item.get('name', '').strip()}"] = item["column"]
    return plan


def first_record(data: bytes) -> list[str]:
    """The file's first line as cells, read leniently: only to map a phone column for the upload's check
    (the service then reads the header itself, strictly)."""
    text = data[:65536].decode("utf-8-sig", errors="replace")
    return next(csv.reader(io.StringIO(text, newline="")), [])


def upload_check_mapping(data: bytes) -> dict[str, str]:
    """The mapping the upload's check runs with: the first named column as the phone, so that the service
    reads (and refuses, if need be) the whole file before any mapping is chosen."""
    header = [c.strip() for c in first_record(data)]
    return {"phone": next((c for c in header if c), "")}


def size_text(size_bytes: int) -> str:
    """A file's size as the busy message says it: "120 KB", "2.4 MB", "12 MB"."""
    mb = size_bytes / (1024 * 1024)
    if mb < 1:
        return f"{max(1, round(size_bytes / 1024))} KB"
    return f"{mb:.1f} MB" if mb < 10 else f"{mb:.0f} MB"


def checking_text(size_bytes: int) -> str:
    return f"Checking {size_text(size_bytes)}…"


def preview_row(row: int, action: str, lead: dict[str, Any]) -> dict[str, str]:
    """A dry run's preview row as the table shows it."""
    custom = lead.get("customFields") or {}
    return {
        "row": str(row),
        "action": "Update" if action == "update" else "New",
        "name": lead_name(lead),
        "phone": lead.get("phone") or "",
        "email": lead.get("email") or "",
        "company": lead.get("company") or "",
        "tags": ", ".join(lead.get("tags") or []),
        "custom": ", ".join(f"{k}: {v}" for k, v in custom.items()),
        "status": lead.get("status") or "",
    }


def summary_of(result: ImportDryRun) -> dict[str, int]:
    """A dry run's counts, as the preview's figures show them."""
    return {
        "total_rows": result.total_rows,
        "valid_rows": result.valid_rows,
        "would_create": result.would_create,
        "would_update": result.would_update,
        "errors_total": result.errors_total,
    }


def errors_of(result: ImportDryRun) -> list[dict[str, str]]:
    """A dry run's listed row errors, as the errors table shows them."""
    return [{"row": str(e.row), "field": e.field, "message": e.message} for e in result.errors]
