"""One call: header, transcript, recording, notes and tags."""

from __future__ import annotations

from typing import Any

import reflex as rx

from voiceconsole.services.calls import add_note, add_tags, get_call, remove_tags
from voiceconsole.services.errors import DomainError, NotFound
from voiceconsole.ui import format as fmt
from voiceconsole.ui.state.auth import LOGIN_ROUTE, AuthState, NotSignedIn
from voiceconsole.ui.state.calls import call_row

SPEAKERS = {"agent": "Agent", "user": "Caller", "tool": "Tool", "system": "System"}


def call_header(wire: dict[str, Any], tz: str) -> dict[str, str]:
    row = call_row(wire, tz)
    row.update({
        "from_number": wire.get("fromNumber") or fmt.DASH,
        "to_number": wire.get("toNumber") or fmt.DASH,
        "started": fmt.datetime_label(wire.get("startedAt"), tz),
        "ended": fmt.datetime_label(wire.get("endedAt"), tz),
        "end_reason": fmt.label(wire.get("endReason")),
        "recording_url": wire.get("recordingUrl") or "",
        "summary_full": wire.get("summary") or "",
        "platform_call_id": wire.get("platformCallId") or "",
    })
    return row


def transcript_turns(turns: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Chat bubbles: one per turn, agent on the left, caller on the right (word timings dropped)."""
    out = []
    for turn in turns or []:
        role = str(turn.get("role") or "user")
        text = str(turn.get("text") or "").strip()
        if not text:
            continue
        start = turn.get("start")
        out.append({
            "side": "agent" if role == "agent" else ("caller" if role == "user" else "system"),
            "speaker": SPEAKERS.get(role, role.title()),
            "text": text,
            "at": fmt.mmss(start) if isinstance(start, (int, float)) else "",
        })
    return out


def score_parts(breakdown: dict[str, Any] | None) -> list[dict[str, str]]:
    """Numeric parts of the score breakdown (0–100 each), for the small bars under the score."""
    parts = []
    for name, value in (breakdown or {}).items():
        if isinstance(value, dict):
            value = value.get("score", value.get("value"))
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            parts.append({"name": fmt.label(str(name)), "value": str(round(float(value))),
                          "band": fmt.score_band(value)})
    return parts


def note_item(wire: dict[str, Any], tz: str) -> dict[str, str]:
    return {"id": wire["id"], "body": wire["body"], "author": wire["author"],
            "at": fmt.datetime_label(wire.get("createdAt"), tz)}


class CallDetailState(AuthState):
    call: dict[str, str] = {}
    turns: list[dict[str, str]] = []
    score_breakdown: list[dict[str, str]] = []
    notes: list[dict[str, str]] = []
    tags: list[str] = []
    not_found: bool = False
    loading: bool = True
    note_draft: str = ""
    note_error: str = ""
    tag_draft: str = ""
    tag_error: str = ""

    def _route_call_id(self) -> str:
        # /calls/[call_id]: the last path segment. Read from the URL the browser is on.
        return self.router.url.path.rstrip("/").rsplit("/", 1)[-1]

    def _clear(self) -> None:
        self.call, self.turns, self.notes, self.tags, self.score_breakdown = {}, [], [], [], []
        self.not_found = False
        self.note_error = self.tag_error = ""
        self.note_draft = self.tag_draft = ""

    @rx.event
    def load(self):
        self._clear()  # nothing of the previous call (or session) survives into this one
        self.loading = True
        try:
            with self.open_org() as scope:
                detail = get_call(scope.session, org=scope.org, call_id=self._route_call_id(), actor=scope.actor)
        except NotSignedIn:
            return rx.redirect(LOGIN_ROUTE)
        except NotFound:
            self.not_found = True
            self.loading = False
            return None
        wire = detail.wire()
        self.call = call_header(wire, self.timezone)
        self.turns = transcript_turns(wire.get("transcriptTurns") or [])
        self.score_breakdown = score_parts(wire.get("scoreBreakdown"))
        self.notes = [note_item(n, self.timezone) for n in wire.get("notes") or []]
        self.tags = list(wire.get("tags") or [])
        self.loading = False
        return None

    @rx.event
    def set_note_draft(self, value: str):
        self.note_draft = value
        self.note_error = ""

    @rx.event
    def set_tag_draft(self, value: str):
        self.tag_draft = value
        self.tag_error = ""

    @rx.event
    def submit_note(self, form_data: dict):
        body = str(form_data.get("body", self.note_draft) or "")
        try:
            with self.open_org() as scope:
                note = add_note(scope.session, org=scope.org, call_id=self._route_call_id(), body=body,
                                actor=scope.actor)
        except NotSignedIn:
            return rx.redirect(LOGIN_ROUTE)
        except DomainError as exc:
            self.note_draft = body
            self.note_error = fmt.error_text(exc)
            return None
        self.notes = [*self.notes, note_item(note.wire(), self.timezone)]
        self.note_draft = ""
        self.note_error = ""
        return None

    @rx.event
    def submit_tag(self, form_data: dict):
        raw = str(form_data.get("tag", self.tag_draft) or "")
        names = [t for t in (part.strip() for part in raw.split(",")) if t] or [raw]
        try:
            with self.open_org() as scope:
                tags = add_tags(scope.session, org=scope.org, call_id=self._route_call_id(), tags=names,
                                actor=scope.actor)
        except NotSignedIn:
            return rx.redirect(LOGIN_ROUTE)
        except DomainError as exc:
            self.tag_draft = raw
            self.tag_error = fmt.error_text(exc)
            return None
        self.tags = tags
        self.tag_draft = ""
        self.tag_error = ""
        return None

    @rx.event
    def remove_tag(self, name: str):
        try:
            with self.open_org() as scope:
                tags = remove_tags(scope.session, org=scope.org, call_id=self._route_call_id(), tags=[name],
                                   actor=scope.actor)
        except NotSignedIn:
            return rx.redirect(LOGIN_ROUTE)
        except DomainError as exc:
            self.tag_error = fmt.error_text(exc)
            return None
        self.tags = tags
        self.tag_error = ""
        return None
