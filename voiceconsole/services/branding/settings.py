"""Reading and changing an agency's branding. Owners and admins change it; everyone in the organization
(client viewers included) reads it, since their portal shows it."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from sqlmodel import Session, col, select

from voiceconsole.models import Branding, Organization
from voiceconsole.models.types import pk, utcnow
from voiceconsole.schemas.branding import BrandingOut
from voiceconsole.services.access import audit
from voiceconsole.services.access.actor import Actor
from voiceconsole.services.access.permissions import require_manager
from voiceconsole.services.branding.logo import check_logo
from voiceconsole.services.errors import ValidationFailed

LOGO_PATH = "/api/v1/branding/logo"
_HEX = re.compile(r"#?([0-9a-fA-F]{6})")
_SHORT_HEX = re.compile(r"#?([0-9a-fA-F]{3})")


@dataclass
class Logo:
    data: bytes
    content_type: str
    etag: str


def normalise_color(value: str | None) -> str | None:
    """ "#RRGGBB" (or "#RGB", with or without "#") as lowercase "#rrggbb"; blank is None. ValidationFailed
    (naming `accentColor`) for anything else."""
    text = (value or "").strip()
    if not text:
        return None
    if m := _HEX.fullmatch(text):
        return "#" + m.group(1).lower()
    if m := _SHORT_HEX.fullmatch(text):
        return "#" + "".join(c * 2 for c in m.group(1).lower())
    raise ValidationFailed.field("accentColor", "Use a hex colour such as #4f46e5")


def _row(session: Session, org: Organization) -> Branding | None:
    return session.exec(select(Branding).where(col(Branding.organization_id) == org.id)).first()


def _out(org: Organization, row: Branding | None) -> BrandingOut:
    has_logo = row is not None and row.logo is not None and row.logo_sha256 is not None
    return BrandingOut(
        name=org.name,
        accent_color=row.accent_color if row else None,
        logo_url=f"{LOGO_PATH}?v={row.logo_sha256[:16]}" if has_logo and row and row.logo_sha256 else None,
        logo_content_type=row.logo_content_type if has_logo and row else None,
        logo_bytes=len(row.logo) if has_logo and row and row.logo is not None else None,
        updated_at=row.updated_at if row else None,
    )


def get_branding(session: Session, *, org: Organization) -> BrandingOut:
    """The organization's branding (its name, and no colour nor logo until one is set)."""
    return _out(org, _row(session, org))


def _editable(session: Session, org: Organization) -> Branding:
    row = _row(session, org)
    if row is None:
        row = Branding(organization_id=pk(org))
    row.updated_at = utcnow()
    session.add(row)
    return row


def update_branding(
    session: Session,
    *,
    org: Organization,
    actor: Actor,
    name: str | None = None,
    accent_color: str | None = None,
    clear_accent: bool = False,
) -> BrandingOut:
    """Change the agency's name and/or accent colour (None leaves either as it is; `clear_accent` goes back
    to VoiceConsole's colour). Every problem is reported at once, each naming its field."""
    require_manager(actor, "branding")
    problems: list[dict[str, str]] = []
    color: str | None = None
    if accent_color is not None:
        try:
            color = normalise_color(accent_color)
        except ValidationFailed as exc:
            problems.extend(exc.details)
    clean_name = " ".join((name or "").split()) if name is not None else None
    if clean_name is not None and not 1 <= len(clean_name) <= 200:
        problems.append({"field": "name", "message": "Name must be 1–200 characters"})
    if problems:
        raise ValidationFailed("Validation failed", problems)
    changes: dict[str, str | None] = {}
    if clean_name is not None and clean_name != org.name:
        org.name = clean_name
        session.add(org)
        changes["name"] = clean_name
    if accent_color is not None or clear_accent:
        row = _editable(session, org)
        if row.accent_color != color:
            row.accent_color = color
            changes["accentColor"] = color
    session.flush()
    if changes:
        audit.record(session, organization_id=pk(org), actor=actor, action="branding.updated", details=changes)
    return get_branding(session, org=org)


def set_logo(session: Session, *, org: Organization, actor: Actor, data: bytes) -> BrandingOut:
    """Store a new logo after its checks (`check_logo`: PNG, JPEG or WebP by content, size-limited)."""
    require_manager(actor, "branding")
    content_type = check_logo(data)
    row = _editable(session, org)
    row.logo, row.logo_content_type, row.logo_sha256 = data, content_type, hashlib.sha256(data).hexdigest()
    session.flush()
    audit.record(
        session,
        organization_id=pk(org),
        actor=actor,
        action="branding.logo_uploaded",
        details={"contentType": content_type, "bytes": len(data)},
    )
    return get_branding(session, org=org)


def remove_logo(session: Session, *, org: Organization, actor: Actor) -> BrandingOut:
    require_manager(actor, "branding")
    row = _row(session, org)
    if row is not None and row.logo is not None:
        row.logo = row.logo_content_type = row.logo_sha256 = None
        row.updated_at = utcnow()
        session.add(row)
        session.flush()
        audit.record(session, organization_id=pk(org), actor=actor, action="branding.logo_removed")
    return get_branding(session, org=org)


def logo_of(session: Session, *, org: Organization) -> Logo | None:
    """The organization's logo to serve, or None."""
    row = _row(session, org)
    if row is None or row.logo is None or row.logo_content_type is None or row.logo_sha256 is None:
        return None
    return Logo(data=row.logo, content_type=row.logo_content_type, etag=row.logo_sha256)
