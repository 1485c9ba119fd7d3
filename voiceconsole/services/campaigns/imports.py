"""Lead imports: a CSV file, a mapping of its columns onto lead fields, a dry run or a real run.

- The file is read as a stream, never whole: UTF-8 (a byte-order mark is fine), at most 50 MB, parsed by
  the csv module over a text wrapper of the bytes. The request checks the whole file (encoding, CSV
  structure, the mapped columns) before anything is written, so a bad file is a 422 and nothing else.
- A dry run answers the preview (the first rows as they would be stored) and every row error, each
  `{"row": 17, "field": "phone", "message": "Invalid phone number format"}` with `row` the line of the
  file (the header is line 1); nothing is written.
- A real run stores the file in chunks with a `LeadImport` and queues a job (`run_import`) that streams
  it back, merges rows into leads by phone in batches (one lead per phone per organization) and commits
  its progress with each batch: a worker that dies mid-way is replaced by a rerun that resumes at the
  last committed row and, merging by phone, writes nothing twice. Refused rows are kept for the error
  report (`error_report_csv`).

The mapping names lead fields (`phone`, `firstName`, `lastName`, `email`, `company`, `timezone`, `tags`,
`consentAt`, `consentMethod`, `consentSource`, `custom.<name>`) and the column each comes from:
`{"phone": "Phone Number", "firstName": "First", "custom.plan": "Plan"}`. Without a mapping, columns whose
names say what they hold (Phone, First name, Email, …) are mapped.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import IO, Any

from sqlalchemy import delete, insert, text, update
from sqlalchemy import select as core_select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from voiceconsole import enqueue
from voiceconsole.db import after_commit, get_engine
from voiceconsole.models import Client, Lead, LeadImport, LeadImportChunk, LeadImportError, LeadTag, Organization
from voiceconsole.models.types import id_column, pk, public_id, table_of, utcnow
from voiceconsole.schemas.leads import ImportDryRun, ImportPreviewRow, LeadImportOut, RowError
from voiceconsole.services.access import audit
from voiceconsole.services.access.actor import Actor
from voiceconsole.services.access.permissions import require
from voiceconsole.services.campaigns import dnc, leads, phones
from voiceconsole.services.errors import NotFound, ValidationFailed

MAX_IMPORT_BYTES = 50 * 1024 * 1024
MAX_IMPORT_MB = MAX_IMPORT_BYTES // (1024 * 1024)
CHUNK_BYTES = 1024 * 1024  # a stored piece of the file, and how much is read at a time
BATCH_ROWS = 1000  # leads merged per statement, and rows per committed step of a job
PREVIEW_ROWS = 20
MAX_DRY_RUN_ERRORS = 10_000  # a dry run lists this many row errors at most (and counts them all)
MAX_FIELD_CHARS = 10_000  # one cell; longer is not a lead's data

FIELDS = {
    "phone": "phone",
    "firstName": "first_name",
    "lastName": "last_name",
    "email": "email",
    "company": "company",
    "timezone": "timezone",
    "tags": "tags",
}
CONSENT_FIELDS = {"consentAt": "at", "consentMethod": "method", "consentSource": "source"}
_CUSTOM = re.compile(r"^custom\.([A-Za-z_][A-Za-z0-9_]{0,63})$")
# Column names (lower-cased, letters and digits only) mapped when no mapping is given.
_GUESSES = {
    "phone": "phone",
    "phonenumber": "phone",
    "mobile": "phone",
    "telephone": "phone",
    "firstname": "firstName",
    "first": "firstName",
    "lastname": "lastName",
    "last": "lastName",
    "surname": "lastName",
    "email": "email",
    "emailaddress": "email",
    "company": "company",
    "timezone": "timezone",
    "tags": "tags",
}


# --------------------------------------------------------------------------------------------------
# Reading a file as a stream
# --------------------------------------------------------------------------------------------------


class _ChunkStream(io.RawIOBase):
    """Bytes from an iterator of chunks, readable by `io.TextIOWrapper` (one chunk in memory at a time)."""

    def __init__(self, chunks: Iterable[bytes]):
        self._chunks = iter(chunks)
        self._pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._pending:
            try:
                self._pending = next(self._chunks)
            except StopIteration:
                return 0
        n = min(len(buffer), len(self._pending))
        buffer[:n] = self._pending[:n]
        self._pending = self._pending[n:]
        return n


class _Checked:
    """The upload's chunks, checked as they pass: size, UTF-8, no binary data; optionally kept (`keep`)."""

    def __init__(self, file: IO[bytes], keep: Callable[[int, bytes], None] | None = None):
        self.file, self.keep, self.size = file, keep, 0
        self._decoder = codecs.getincrementaldecoder("utf-8")()

    def __iter__(self) -> Iterator[bytes]:
        seq = 0
        while chunk := self.file.read(CHUNK_BYTES):
            self.size += len(chunk)
            if self.size > MAX_IMPORT_BYTES:
                raise _bad(f"The file is larger than the {MAX_IMPORT_MB} MB limit: split it into smaller files")
            try:
                self._decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                at = self.size - len(chunk) + exc.start
                raise _bad(
                    f"The file is not UTF-8 text (byte {at + 1:,} cannot be read): save it as “CSV UTF-8” and "
                    "upload it again"
                ) from None
            if b"\x00" in chunk:
                raise _bad("The file is not a CSV file: it holds binary data (a spreadsheet? export it as CSV)")
            if self.keep is not None:
                self.keep(seq, chunk)
            seq += 1
            yield chunk
        try:
            self._decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            raise _bad("The file is not UTF-8 text (it ends inside a character): save it as “CSV UTF-8”") from None


def _bad(message: str) -> ValidationFailed:
    return ValidationFailed("Invalid file", [{"field": "file", "message": message}])


def _records(chunks: Iterable[bytes]) -> Iterator[tuple[int, list[str]]]:
    """(line the record starts on, its cells), the header first. csv errors become 422s naming the line."""
    text = io.TextIOWrapper(io.BufferedReader(_ChunkStream(chunks), CHUNK_BYTES), encoding="utf-8-sig", newline="")
    reader = csv.reader(text)
    start = 1
    try:
        for record in reader:
            yield start, record
            start = reader.line_num + 1
    except csv.Error as exc:
        raise _bad(f"The file is not a valid CSV file (line {reader.line_num}: {exc})") from None


# --------------------------------------------------------------------------------------------------
# The mapping
# --------------------------------------------------------------------------------------------------


@dataclass
class Mapping:
    given: dict[str, str]  # field → column name, as asked (stored with the import)
    index: dict[str, int]  # field → column position

    def row(self, cells: list[str]) -> dict[str, Any]:
        """A record's values by lead field (snake_case, as `leads.clean_lead` takes them)."""
        out: dict[str, Any] = {}
        custom: dict[str, str] = {}
        consent: dict[str, str] = {}
        for name, i in self.index.items():
            value = cells[i].strip() if i < len(cells) else ""
            if len(value) > MAX_FIELD_CHARS:
                value = value[:MAX_FIELD_CHARS]
            if name in FIELDS:
                if value or name == "phone":
                    out[FIELDS[name]] = value
            elif name in CONSENT_FIELDS:
                if value:
                    consent[CONSENT_FIELDS[name]] = value
            elif value:
                custom[name.removeprefix("custom.")] = value
        if custom:
            out["custom_fields"] = custom
        if consent:
            out["consent"] = consent
        return out


def parse_mapping(raw: dict[str, Any] | None, header: list[str]) -> Mapping:
    """The mapping checked against the file's header (422 naming `mapping` with what is wrong)."""
    names = [h.strip() for h in header]
    if raw is None:
        raw = {}
        for name in names:
            guess = _GUESSES.get(re.sub(r"[^a-z0-9]", "", name.lower()))
            if guess and guess not in raw:
                raw[guess] = name
    if not isinstance(raw, dict):
        raise ValidationFailed.field("mapping", 'Must be an object such as {"phone": "Phone Number"}')
    index: dict[str, int] = {}
    for key, column in raw.items():
        if not isinstance(key, str) or not (key in FIELDS or key in CONSENT_FIELDS or _CUSTOM.match(key)):
            allowed = ", ".join([*FIELDS, *CONSENT_FIELDS])
            raise ValidationFailed.field("mapping", f"Unknown field “{key}”: use {allowed} or custom.<name>")
        if not isinstance(column, str) or column.strip() not in names:
            shown = ", ".join(names[:30]) or "none"
            raise ValidationFailed.field(
                "mapping", f"Column “{column}” (for {key}) is not in the file's header (its columns: {shown})"
            )
        index[key] = names.index(column.strip())
    if "phone" not in index:
        raise ValidationFailed.field(
            "mapping", 'No phone column: map the column that holds phone numbers, e.g. {"phone": "Phone"}'
        )
    return Mapping(given={k: str(v).strip() for k, v in raw.items()}, index=index)


@dataclass
class ImportOptions:
    client_id: str | None = None  # cli_…: every imported lead is this client's
    tags: list[str] = field(default_factory=list)  # added to every imported lead

    def wire(self) -> dict[str, Any]:
        return {"clientId": self.client_id, "tags": self.tags}


def prepare(
    session: Session,
    *,
    org: Organization,
    actor: Actor,
    mapping: str | None,
    client_id: str | None,
    tags: str | None,
) -> tuple[dict[str, Any] | None, ImportOptions]:
    """An import's request checked before its file is read: who asks, the mapping (a JSON object, or none
    to match columns by name), the client and the tags given to every lead."""
    require(actor, "leads.manage")
    plan: dict[str, Any] | None = None
    if mapping is not None and mapping.strip():
        try:
            plan = json.loads(mapping)
        except ValueError:
            plan = None
        if not isinstance(plan, dict):
            raise ValidationFailed.field("mapping", 'Must be a JSON object such as {"phone": "Phone Number"}')
    leads.client_pk(session, org, client_id)
    try:
        cleaned_tags = leads.clean_tags(tags or "")
    except phones.InvalidValue as exc:
        raise ValidationFailed.field("tags", str(exc)) from None
    return plan, ImportOptions(client_id=client_id, tags=cleaned_tags)


# --------------------------------------------------------------------------------------------------
# A row, as it would be stored
# --------------------------------------------------------------------------------------------------


@dataclass
class Row:
    line: int
    values: dict[str, Any]
    tags: list[str]
    timezone_given: bool = False  # else the zone is the number's: an existing lead keeps its own


def _check(line: int, cells: list[str], mapping: Mapping, region: str) -> tuple[Row | None, list[RowError]]:
    given = mapping.row(cells)
    cleaned = leads.clean_lead(given, region=region)
    if cleaned.errors:
        return None, [RowError(row=line, field=e["field"], message=e["message"]) for e in cleaned.errors]
    return Row(line=line, values=cleaned.values, tags=cleaned.tags or [], timezone_given="timezone" in given), []


def _merge(into: Row, other: Row) -> None:
    """A later row of the same number: its non-empty fields win, custom fields and tags add up."""
    for key, value in other.values.items():
        if key == "custom_fields":
            into.values["custom_fields"] = {**into.values.get("custom_fields", {}), **value}
        elif value is not None and (key != "timezone" or other.timezone_given or not into.timezone_given):
            into.values[key] = value
    into.timezone_given = into.timezone_given or other.timezone_given
    into.tags += [t for t in other.tags if t not in into.tags]


def _wire_preview(row: Row, options: ImportOptions, status: str) -> dict[str, Any]:
    v = row.values
    return {
        "firstName": v.get("first_name"),
        "lastName": v.get("last_name"),
        "phone": v["phone"],
        "email": v.get("email"),
        "company": v.get("company"),
        "timezone": v.get("timezone"),
        "clientId": options.client_id,
        "tags": row.tags + [t for t in options.tags if t not in row.tags],
        "customFields": v.get("custom_fields", {}),
        "consent": v.get("consent"),
        "status": status,
    }


# --------------------------------------------------------------------------------------------------
# The request: dry run, or store and queue
# --------------------------------------------------------------------------------------------------


def _header(records: Iterator[tuple[int, list[str]]]) -> list[str]:
    first = next(records, None)
    if first is None or not any(cell.strip() for cell in first[1]):
        raise _bad("The file is empty: its first line must name the columns")
    return [cell.strip() for cell in first[1]]


def dry_run(
    session: Session,
    *,
    org: Organization,
    actor: Actor,
    file: IO[bytes],
    mapping: dict[str, Any] | None,
    options: ImportOptions,
) -> ImportDryRun:
    """What importing the file would do, without writing: the preview and every row error."""
    require(actor, "leads.manage")
    records = _records(_Checked(file))
    header = _header(records)
    plan = parse_mapping(mapping, header)
    region = phones.default_region(org)
    errors: list[RowError] = []
    errors_total = total = valid = would_create = would_update = 0
    preview: list[ImportPreviewRow] = []
    seen: set[str] = set()  # numbers met earlier in the file: merged, not created twice
    batch: list[Row] = []

    def settle(batch: list[Row]) -> None:
        nonlocal would_create, would_update
        numbers = list({r.values["phone"] for r in batch} - seen)
        existing = _known_numbers(session, pk(org), numbers)
        listed = dnc.listed_among(session, org_id=pk(org), numbers=numbers)
        for r in batch:
            number = r.values["phone"]
            if number in seen:
                continue
            seen.add(number)
            if number in existing:
                would_update += 1
            else:
                would_create += 1
            if len(preview) < PREVIEW_ROWS:
                action = "update" if number in existing else "create"
                status = "do_not_call" if number in listed else "new"
                preview.append(ImportPreviewRow(row=r.line, action=action, lead=_wire_preview(r, options, status)))

    for line, cells in records:
        if not any(c.strip() for c in cells):
            continue  # blank lines are not rows
        total += 1
        row, row_errors = _check(line, cells, plan, region)
        if row is None:
            errors_total += len(row_errors)
            errors.extend(row_errors[: max(0, MAX_DRY_RUN_ERRORS - len(errors))])
            continue
        valid += 1
        batch.append(row)
        if len(batch) >= BATCH_ROWS:
            settle(batch)
            batch = []
    settle(batch)
    if total == 0:
        raise _bad("The file has a header but no rows")
    return ImportDryRun(
        columns=header,
        total_rows=total,
        valid_rows=valid,
        would_create=would_create,
        would_update=would_update,
        preview=preview,
        errors=errors,
        errors_total=errors_total,
    )


def start_import(
    session: Session,
    *,
    org: Organization,
    actor: Actor,
    file: IO[bytes],
    filename: str | None,
    mapping: dict[str, Any] | None,
    options: ImportOptions,
) -> LeadImportOut:
    """Check the whole file, store it with a pending import and queue the job once committed. A bad file
    is a 422 and nothing is kept (the caller's transaction rolls back)."""
    require(actor, "leads.manage")
    imp = LeadImport(
        organization_id=pk(org),
        filename=(filename or "")[:255] or None,
        options=options.wire(),
        created_by=actor.display[:320],
    )
    session.add(imp)
    session.flush()
    import_id = pk(imp)
    chunks = table_of(LeadImportChunk)

    def keep(seq: int, data: bytes) -> None:
        session.execute(insert(chunks).values(import_id=import_id, seq=seq, data=data))

    checked = _Checked(file, keep)
    records = _records(checked)
    header = _header(records)
    plan = parse_mapping(mapping, header)
    rows = sum(1 for _, cells in records if any(c.strip() for c in cells))
    if rows == 0:
        raise _bad("The file has a header but no rows")
    imp.columns, imp.mapping, imp.total_rows, imp.size_bytes = header, plan.given, rows, checked.size
    session.add(imp)
    session.flush()
    audit.record(
        session,
        organization_id=pk(org),
        actor=actor,
        action="lead_import.started",
        target_type="lead_import",
        target_id=imp.public_id,
        details={"rows": rows, "bytes": checked.size},
    )
    after_commit(session, lambda: enqueue.lead_import(import_id))
    return _out(imp)


# --------------------------------------------------------------------------------------------------
# The job
# --------------------------------------------------------------------------------------------------


def _stored_chunks(import_id: int) -> Iterator[bytes]:
    """The stored file, one chunk per query (a session of its own, apart from the job's writes)."""
    seq = 0
    while True:
        with Session(get_engine()) as session:
            data = session.exec(
                select(LeadImportChunk.data).where(LeadImportChunk.import_id == import_id, LeadImportChunk.seq == seq)
            ).first()
        if data is None:
            return
        yield data
        seq += 1


@dataclass
class Outcome:
    status: str
    rows_done: int
    created: int
    updated: int
    errors: int

    def summary(self) -> dict[str, Any]:
        return self.__dict__.copy()


def run_import(import_id: int) -> Outcome:
    """Write the import's rows (the job). Resumes at the last committed row; an import already done or
    failed is left as it is. Any unexpected error ends it `failed` with the reason."""
    with Session(get_engine(), expire_on_commit=False) as session:
        imp = session.get(LeadImport, import_id)
        if imp is None:
            return Outcome("missing", 0, 0, 0, 0)
        if imp.status in ("done", "failed"):
            return _outcome(imp)
        imp.status = "running"
        imp.started_at = imp.started_at or utcnow()
        session.add(imp)
        session.commit()
        try:
            _write_rows(session, imp)
        except Exception as exc:  # noqa: BLE001  (recorded on the import: its owner reads why)
            session.rollback()
            imp = session.get_one(LeadImport, import_id)
            imp.status = "failed"
            imp.failure = f"{type(exc).__name__}: {exc}"[:1000]
            imp.finished_at = utcnow()
            session.add(imp)
            session.commit()
            return _outcome(imp)
        imp.status = "done"
        imp.finished_at = utcnow()
        session.add(imp)
        session.exec(delete(LeadImportChunk).where(col(LeadImportChunk.import_id) == import_id))
        session.commit()
        return _outcome(imp)


def _outcome(imp: LeadImport) -> Outcome:
    return Outcome(imp.status, imp.rows_done, imp.created_count, imp.updated_count, imp.error_count)


def _write_rows(session: Session, imp: LeadImport) -> None:
    org = session.get_one(Organization, imp.organization_id)
    region = phones.default_region(org)
    client_id = None
    if imp.options.get("clientId"):
        client_id = session.exec(
            select(Client.id).where(Client.organization_id == org.id, Client.public_id == imp.options["clientId"])
        ).first()
    option_tags = list(imp.options.get("tags") or [])
    records = _records(_stored_chunks(pk(imp)))
    header = _header(records)
    plan = parse_mapping(imp.mapping, header)
    done = 0
    batch: list[tuple[int, list[str]]] = []
    # Checking a batch is Python work; writing one is mostly the database's. One writer thread writes batch N
    # while this thread checks batch N+1, in order (a batch starts writing once the one before is committed,
    # so a rerun still resumes at the last committed row). Only the writer touches `session` meanwhile.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="lead-import-writer") as writer:
        writing: Future[None] | None = None

        def write(records_: list[tuple[int, list[str]]]) -> None:
            nonlocal writing
            checked = _check_batch(pk(imp), records_, plan, region)
            if writing is not None:
                writing.result()  # the previous batch is committed (or its error raised here)
            writing = writer.submit(_write_batch, session, imp, org, checked, client_id, option_tags)

        for line, cells in records:
            if not any(c.strip() for c in cells):
                continue
            done += 1
            if done <= imp.rows_done:
                continue  # committed by an earlier run
            batch.append((line, cells))
            if len(batch) >= BATCH_ROWS:
                write(batch)
                batch = []
        if batch:
            write(batch)
        if writing is not None:
            writing.result()


@dataclass
class _CheckedBatch:
    rows: list[Row]  # one per number: a number's later rows are merged into its first
    refused: list[dict[str, Any]]  # LeadImportError rows
    refused_rows: int
    size: int  # rows read


def _check_batch(import_id: int, records: list[tuple[int, list[str]]], plan: Mapping, region: str) -> _CheckedBatch:
    by_phone: dict[str, Row] = {}
    refused: list[dict[str, Any]] = []
    refused_rows = 0
    for line, cells in records:
        row, errors = _check(line, cells, plan, region)
        if row is None:
            refused_rows += 1
            refused += [
                {"import_id": import_id, "row": e.row, "field": e.field, "message": e.message[:500], "values": cells}
                for e in errors
            ]
            continue
        number = row.values["phone"]
        if number in by_phone:
            _merge(by_phone[number], row)
        else:
            by_phone[number] = row
    return _CheckedBatch(list(by_phone.values()), refused, refused_rows, len(records))


def _write_batch(
    session: Session,
    imp: LeadImport,
    org: Organization,
    batch: _CheckedBatch,
    client_id: int | None,
    option_tags: list[str],
) -> None:
    """Merge one checked batch into the leads and commit it with the import's progress."""
    created, updated = upsert_leads(session, org_id=pk(org), rows=batch.rows, client_id=client_id, tags=option_tags)
    if batch.refused:
        session.execute(insert(table_of(LeadImportError)), batch.refused)
    imp.rows_done += batch.size
    imp.created_count += created
    imp.updated_count += updated
    imp.error_count += batch.refused_rows
    session.add(imp)
    session.commit()


_MERGED = ("first_name", "last_name", "email", "company", "timezone", "consent")


def upsert_leads(
    session: Session, *, org_id: int, rows: list[Row], client_id: int | None, tags: list[str]
) -> tuple[int, int]:
    """Merge rows (one per number) into the organization's leads: new numbers are created, known ones get
    the row's non-empty fields, its custom fields and tags added. Numbers on the do-not-call list are
    `do_not_call`. Returns (created, updated)."""
    if not rows:
        return 0, 0
    if session.get_bind().dialect.name == "postgresql":
        return _upsert_postgresql(session, org_id=org_id, rows=rows, client_id=client_id, tags=tags)
    return _upsert_portable(session, org_id=org_id, rows=rows, client_id=client_id, tags=tags)


def _upsert_portable(
    session: Session, *, org_id: int, rows: list[Row], client_id: int | None, tags: list[str]
) -> tuple[int, int]:
    """`upsert_leads` in statements any database runs: read the known leads, insert the new ones, update
    the known ones with the merged values computed here, add the tags."""
    numbers = [r.values["phone"] for r in rows]
    listed = dnc.listed_among(session, org_id=org_id, numbers=numbers)
    lead_table = table_of(Lead)
    now = utcnow()
    existing = _existing(session, org_id, numbers)
    fresh = [r for r in rows if r.values["phone"] not in existing]
    ids: dict[str, int] = {}
    if fresh:
        values = [
            {
                "public_id": public_id("lead"),
                "organization_id": org_id,
                "client_id": client_id,
                "phone": r.values["phone"],
                **{k: r.values.get(k) for k in _MERGED},
                "custom_fields": r.values.get("custom_fields") or {},
                "status": "do_not_call" if r.values["phone"] in listed else "new",
                "created_at": now,
                "updated_at": now,
            }
            for r in fresh
        ]
        dialect = session.get_bind().dialect.name
        make = postgresql.insert if dialect == "postgresql" else sqlite.insert
        statement = (
            make(lead_table)
            .on_conflict_do_nothing(index_elements=["organization_id", "phone"])
            .returning(lead_table.c.id, lead_table.c.phone)
        )
        ids = {phone: lead_id for lead_id, phone in session.execute(statement, values).all()}
        if len(ids) < len(fresh):  # created meanwhile by someone else: merge into theirs
            existing |= _existing(session, org_id, [r.values["phone"] for r in fresh if r.values["phone"] not in ids])
    changes = []
    for r in rows:
        number = r.values["phone"]
        if number in ids or number not in existing:
            continue
        current = existing[number]
        merged = {k: (r.values[k] if r.values.get(k) is not None else current[k]) for k in _MERGED}
        if not r.timezone_given and current["timezone"]:
            merged["timezone"] = current["timezone"]
        changes.append(
            {
                "id": current["id"],
                **merged,
                "custom_fields": {**(current["custom_fields"] or {}), **(r.values.get("custom_fields") or {})},
                "client_id": client_id if client_id is not None else current["client_id"],
                "status": "do_not_call" if number in listed else current["status"],
                "updated_at": now,
            }
        )
        ids[number] = current["id"]
    if changes:
        session.execute(update(Lead), changes)
    tag_rows = [
        {"lead_id": ids[r.values["phone"]], "tag": tag, "organization_id": org_id}
        for r in rows
        for tag in dict.fromkeys([*r.tags, *tags])
        if r.values["phone"] in ids
    ]
    if tag_rows:
        dialect = session.get_bind().dialect.name
        make = postgresql.insert if dialect == "postgresql" else sqlite.insert
        session.execute(make(table_of(LeadTag)).on_conflict_do_nothing(), tag_rows)
    return len(rows) - len(changes), len(changes)


# `upsert_leads` on PostgreSQL: one statement per batch, its rows passed as one JSON array (a short
# statement whatever the batch's size: neither SQLAlchemy nor psycopg handles thousands of parameters, and
# the json module encodes the rows at C speed). The merge rules are `_upsert_portable`'s, written in SQL: a
# non-empty value wins, a lead keeps its own time zone unless the file gives one, custom fields add up,
# a number on the do-not-call list (`dnc.listed_among`'s question, asked per row here) is `do_not_call`,
# tags are added.
#
# Each number is looked up by itself (`LATERAL … LIMIT 1`: the unique index on organization and phone).
# Joined as a set instead, the planner reads all the organization's leads for every batch whenever its
# statistics predate the import (an organization importing its first list is one it has never seen): a
# 100,000-row import then reads 5 million rows, each compared with the batch's 1,000 numbers.
_MERGE_POSTGRESQL = text(
    """
WITH given AS (
    SELECT * FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS g(
        phone text, public_id text, first_name text, last_name text, email text, company text,
        timezone text, timezone_given boolean, custom_fields jsonb, consent jsonb, tags jsonb
    )
),
checked AS (
    SELECT g.*, c.id AS current_id, EXISTS (
        SELECT 1 FROM do_not_call AS d WHERE d.organization_id = :org_id AND d.phone = g.phone
    ) AS listed
    FROM given AS g
    LEFT JOIN LATERAL (
        SELECT l.id FROM lead AS l WHERE l.organization_id = :org_id AND l.phone = g.phone LIMIT 1
    ) AS c ON true
),
created AS (
    INSERT INTO lead (public_id, organization_id, client_id, phone, first_name, last_name, email, company,
                      timezone, custom_fields, consent, status, created_at, updated_at)
    SELECT g.public_id, :org_id, :client_id, g.phone, g.first_name, g.last_name, g.email, g.company,
           g.timezone, COALESCE(g.custom_fields, '{}'), g.consent,
           CASE WHEN g.listed THEN 'do_not_call' ELSE 'new' END, :now, :now
    FROM checked AS g
    WHERE g.current_id IS NULL AND g.public_id IS NOT NULL
    ON CONFLICT (organization_id, phone) DO NOTHING
    RETURNING id, phone
),
updated AS (
    UPDATE lead AS l SET
        first_name = COALESCE(g.first_name, l.first_name),
        last_name = COALESCE(g.last_name, l.last_name),
        email = COALESCE(g.email, l.email),
        company = COALESCE(g.company, l.company),
        timezone = CASE WHEN g.timezone_given THEN COALESCE(g.timezone, l.timezone)
                        ELSE COALESCE(l.timezone, g.timezone) END,
        consent = COALESCE(g.consent, l.consent),
        custom_fields = COALESCE(l.custom_fields, '{}') || COALESCE(g.custom_fields, '{}'),
        client_id = COALESCE(CAST(:client_id AS integer), l.client_id),
        status = CASE WHEN g.listed THEN 'do_not_call' ELSE l.status END,
        updated_at = :now
    FROM checked AS g
    WHERE l.id = g.current_id
    RETURNING l.id, l.phone
),
tagged AS (
    INSERT INTO lead_tag (lead_id, tag, organization_id)
    SELECT w.id, t.tag, :org_id
    FROM (SELECT id, phone FROM created UNION ALL SELECT id, phone FROM updated) AS w
    JOIN given AS g ON g.phone = w.phone
    CROSS JOIN LATERAL jsonb_array_elements_text(g.tags) AS t(tag)
    ON CONFLICT DO NOTHING
)
SELECT true AS created, phone FROM created
UNION ALL
SELECT false AS created, phone FROM updated
"""
)
_KNOWN_POSTGRESQL = text(
    """
SELECT n.phone FROM jsonb_array_elements_text(CAST(:phones AS jsonb)) AS n(phone)
CROSS JOIN LATERAL (
    SELECT 1 FROM lead AS l WHERE l.organization_id = :org_id AND l.phone = n.phone LIMIT 1
) AS known
"""
)


def _upsert_postgresql(
    session: Session, *, org_id: int, rows: list[Row], client_id: int | None, tags: list[str]
) -> tuple[int, int]:
    """`upsert_leads` in one statement (`_MERGE_POSTGRESQL`) after one lookup of the numbers already known
    (their rows need no new public id). The statement's insert and update read the leads as they were
    when it started: a number another transaction creates or deletes meanwhile is in neither, and is
    merged by the next round."""
    created = updated = 0
    pending = rows
    for _round in range(3):
        known = _known_numbers(session, org_id, [r.values["phone"] for r in pending])
        given = [
            {
                **r.values,
                "public_id": None if r.values["phone"] in known else public_id("lead"),
                "timezone_given": r.timezone_given,
                "tags": list(dict.fromkeys([*r.tags, *tags])),
            }
            for r in pending
        ]
        params = {"rows": json.dumps(given), "org_id": org_id, "client_id": client_id, "now": utcnow()}
        merged = {phone: new for new, phone in session.execute(_MERGE_POSTGRESQL, params)}
        created += sum(merged.values())
        updated += len(merged) - sum(merged.values())
        pending = [r for r in pending if r.values["phone"] not in merged]
        if not pending:
            return created, updated
    raise RuntimeError(f"{len(pending)} leads could not be merged (their numbers keep changing meanwhile)")


def _known_numbers(session: Session, org_id: int, numbers: list[str]) -> set[str]:
    """Which of `numbers` the organization has leads for."""
    if not numbers:
        return set()
    if session.get_bind().dialect.name == "postgresql":
        return set(session.execute(_KNOWN_POSTGRESQL, {"org_id": org_id, "phones": json.dumps(numbers)}).scalars())
    return set(session.exec(select(Lead.phone).where(Lead.organization_id == org_id, col(Lead.phone).in_(numbers))))


def _existing(session: Session, org_id: int, numbers: list[str]) -> dict[str, dict[str, Any]]:
    if not numbers:
        return {}
    t = table_of(Lead)
    columns = [t.c.id, t.c.phone, t.c.client_id, t.c.status, t.c.custom_fields, *(t.c[k] for k in _MERGED)]
    q = core_select(*columns).where(t.c.organization_id == org_id, t.c.phone.in_(numbers))
    return {row.phone: dict(row._mapping) for row in session.execute(q)}


# --------------------------------------------------------------------------------------------------
# Reading imports
# --------------------------------------------------------------------------------------------------


def _get(session: Session, org: Organization, import_id: str) -> LeadImport:
    imp = session.exec(
        select(LeadImport).where(LeadImport.organization_id == org.id, LeadImport.public_id == import_id)
    ).first()
    if imp is None:
        raise NotFound("Import not found")
    return imp


def _out(imp: LeadImport) -> LeadImportOut:
    return LeadImportOut(
        id=imp.public_id,
        status=imp.status,
        filename=imp.filename,
        size_bytes=imp.size_bytes,
        columns=imp.columns,
        mapping=imp.mapping,
        options=imp.options,
        total_rows=imp.total_rows,
        rows_done=imp.rows_done,
        progress=round(imp.rows_done / imp.total_rows, 4) if imp.total_rows else 0.0,
        created=imp.created_count,
        updated=imp.updated_count,
        errors=imp.error_count,
        failure=imp.failure,
        error_report_url=f"/api/v1/leads/imports/{imp.public_id}/errors.csv" if imp.error_count else None,
        created_by=imp.created_by,
        created_at=imp.created_at,
        started_at=imp.started_at,
        finished_at=imp.finished_at,
    )


def get_import(session: Session, *, org: Organization, actor: Actor, import_id: str) -> LeadImportOut:
    require(actor, "leads.read")
    return _out(_get(session, org, import_id))


def error_report_csv(session: Session, *, org: Organization, actor: Actor, import_id: str) -> Iterator[str]:
    """The refused rows as CSV: row, field, message, then the row's own columns (fix and import again).
    Checked now (404 for another organization's import), read in pages while it streams."""
    require(actor, "leads.read")
    imp = _get(session, org, import_id)
    internal_id, columns = pk(imp), list(imp.columns)

    def lines() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(["row", "field", "message", *columns])
        last = 0
        while True:
            with Session(get_engine()) as s:
                batch = list(
                    s.exec(
                        select(LeadImportError)
                        .where(LeadImportError.import_id == internal_id, id_column(LeadImportError) > last)
                        .order_by(id_column(LeadImportError))
                        .limit(BATCH_ROWS)
                    )
                )
            for e in batch:
                writer.writerow([e.row, e.field, e.message, *(dnc.csv_safe(v) for v in e.values)])
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
            if len(batch) < BATCH_ROWS:
                return
            last = pk(batch[-1])

    return lines()
