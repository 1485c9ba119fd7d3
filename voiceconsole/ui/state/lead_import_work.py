"""The lead import wizard's slow steps, run in a worker thread by its background events (never under the state
lock): the upload's check of the whole file, the preview's dry run and the real import's start. Each reads the
uploaded file from Redis and opens a database session of its own; each returns the service's answer, the
DomainError it refused with, or EXPIRED when the uploaded file is gone.

The uploaded file is kept in Redis for the wizard's duration, not in the state (which is pickled on every
event) nor on one machine's disk: the web processes share Redis, so whichever one handles the next step finds
the file.
"""

from __future__ import annotations

import io
import secrets
from typing import Final, Literal

from voiceconsole.db import session_scope
from voiceconsole.models import Organization
from voiceconsole.redis_client import get_redis
from voiceconsole.schemas.leads import ImportDryRun, LeadImportOut
from voiceconsole.services.access.actor import Actor
from voiceconsole.services.campaigns import imports
from voiceconsole.services.errors import DomainError
from voiceconsole.ui.state.lead_import_mapping import upload_check_mapping

UPLOAD_TTL_S = 2 * 3600
EXPIRED: Final = "expired"
Expired = Literal["expired"]


class _AllAtOnce(io.BytesIO):
    """A file whose every read returns the rest. The service checks the size per chunk read; handed an oversized
    file whole, it refuses it at once instead of after parsing 50 MB of rows."""

    def read(self, size: int | None = -1) -> bytes:
        return super().read()


def keep(data: bytes) -> str:
    """Store an uploaded file for the wizard; its key."""
    key = f"vc:lead-upload:{secrets.token_urlsafe(24)}"
    get_redis().set(key, data, ex=UPLOAD_TTL_S)
    return key


def forget(key: str) -> None:
    if key:
        get_redis().delete(key)


def stored(key: str) -> bytes | None:
    if not key:
        return None
    data = get_redis().get(key)
    return data if isinstance(data, bytes) else None


def check_upload(org: Organization, actor: Actor, key: str) -> ImportDryRun | DomainError | Expired:
    """Check the whole file as the import will (the service's messages for a file that is not UTF-8 CSV, too
    big, empty, without rows)."""
    data = stored(key)
    if data is None:
        return EXPIRED
    file = _AllAtOnce(data) if len(data) > imports.MAX_IMPORT_BYTES else io.BytesIO(data)
    try:
        with session_scope() as session:
            return imports.dry_run(
                session,
                org=org,
                actor=actor,
                file=file,
                mapping=upload_check_mapping(data),
                options=imports.ImportOptions(),
            )
    except DomainError as exc:
        return exc


def dry_run(
    org: Organization, actor: Actor, key: str, mapping: str, client_id: str | None, tags: str
) -> ImportDryRun | DomainError | Expired:
    """The dry run with the wizard's mapping and options: what would be created or updated, every row error."""
    data = stored(key)
    if data is None:
        return EXPIRED
    try:
        with session_scope() as session:
            plan, options = imports.prepare(
                session, org=org, actor=actor, mapping=mapping, client_id=client_id, tags=tags
            )
            return imports.dry_run(session, org=org, actor=actor, file=io.BytesIO(data), mapping=plan, options=options)
    except DomainError as exc:
        return exc


def start_import(
    org: Organization, actor: Actor, key: str, filename: str, mapping: str, client_id: str | None, tags: str
) -> LeadImportOut | DomainError | Expired:
    """The real import: the file stored with the import and its job queued, once committed."""
    data = stored(key)
    if data is None:
        return EXPIRED
    try:
        with session_scope() as session:
            plan, options = imports.prepare(
                session, org=org, actor=actor, mapping=mapping, client_id=client_id, tags=tags
            )
            return imports.start_import(
                session,
                org=org,
                actor=actor,
                file=io.BytesIO(data),
                filename=filename,
                mapping=plan,
                options=options,
            )
    except DomainError as exc:
        return exc
