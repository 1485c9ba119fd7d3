"""Emails to people about their account (login links, invitations, role changes), through the one SMTP path:
queued once the transaction commits (what they announce must be true when they arrive), or, with no SMTP
server configured, printed to the console and the log as login links are."""

from __future__ import annotations

from sqlmodel import Session

from voiceconsole.services.email import send_after_commit


def send_account_email(session: Session, *, to: str, subject: str, text: str) -> None:
    send_after_commit(session, to=to, subject=subject, text=text)
