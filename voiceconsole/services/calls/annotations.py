"""Annotating calls: notes and tags (owners, admins and members; client viewers read only)."""

from __future__ import annotations

from sqlalchemy import delete
from sqlmodel import Session, col, select

from voiceconsole.models import CallNote, CallTag, Organization, Tag
from voiceconsole.models.types import pk
from voiceconsole.schemas import Note
from voiceconsole.services.access.actor import Actor
from voiceconsole.services.access.permissions import require
from voiceconsole.services.calls.detail import find_call, note_out
from voiceconsole.services.calls.rows import tags_for
from voiceconsole.services.errors import ValidationFailed

MAX_TAGS_PER_REQUEST = 20
MAX_TAG_LENGTH = 50
MAX_NOTE_LENGTH = 5000


def add_note(session: Session, *, org: Organization, call_id: str, body: str, actor: Actor) -> Note:
    require(actor, "calls.annotate")
    body = (body or "").strip()
    if not body:
        raise ValidationFailed.field("body", "Note must not be empty")
    if len(body) > MAX_NOTE_LENGTH:
        raise ValidationFailed.field("body", f"Note must be at most {MAX_NOTE_LENGTH} characters")
    call = find_call(session, org=org, call_id=call_id, actor=actor)
    note = CallNote(organization_id=pk(org), call_id=pk(call), author=actor.display, body=body)
    session.add(note)
    session.flush()
    return note_out(note)


def tag_name(text: str) -> str:
    """A tag as stored and matched: trimmed and lowercase ("Follow-up " and "follow-up" are one tag)."""
    return text.strip().lower()


def normalise_tags(tags: list[str]) -> list[str]:
    if not isinstance(tags, list) or not tags:
        raise ValidationFailed.field("tags", "Give at least one tag")
    if len(tags) > MAX_TAGS_PER_REQUEST:
        raise ValidationFailed.field("tags", f"At most {MAX_TAGS_PER_REQUEST} tags per request")
    out: list[str] = []
    for i, tag in enumerate(tags):
        name = tag_name(tag) if isinstance(tag, str) else ""
        if not name or len(name) > MAX_TAG_LENGTH:
            raise ValidationFailed.field(f"tags[{i}]", f"Tags must be 1–{MAX_TAG_LENGTH} characters")
        if name not in out:
            out.append(name)
    return out


def add_tags(session: Session, *, org: Organization, call_id: str, tags: list[str], actor: Actor) -> list[str]:
    require(actor, "calls.annotate")
    names = normalise_tags(tags)
    call = find_call(session, org=org, call_id=call_id, actor=actor)
    call_pk = pk(call)
    existing = {
        t.name: t for t in session.exec(select(Tag).where(Tag.organization_id == org.id, col(Tag.name).in_(names)))
    }
    attached = set(session.exec(select(CallTag.tag_id).where(CallTag.call_id == call_pk)))
    for name in names:
        tag = existing.get(name)
        if tag is None:
            tag = Tag(organization_id=pk(org), name=name)
            session.add(tag)
            session.flush()
        tag_pk = pk(tag)
        if tag_pk not in attached:
            session.add(CallTag(call_id=call_pk, tag_id=tag_pk))
            attached.add(tag_pk)
    session.flush()
    return tags_for(session, [call_pk]).get(call_pk, [])


def remove_tags(session: Session, *, org: Organization, call_id: str, tags: list[str], actor: Actor) -> list[str]:
    require(actor, "calls.annotate")
    names = normalise_tags(tags)
    call = find_call(session, org=org, call_id=call_id, actor=actor)
    call_pk = pk(call)
    tag_ids = select(col(Tag.id)).where(Tag.organization_id == org.id, col(Tag.name).in_(names)).scalar_subquery()
    session.exec(delete(CallTag).where(col(CallTag.call_id) == call_pk, col(CallTag.tag_id).in_(tag_ids)))
    session.flush()
    return tags_for(session, [call_pk]).get(call_pk, [])
