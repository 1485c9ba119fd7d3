"""Emails to people about their account (login links, invitations, role changes), through the one SMTP path:
queued once the transaction commits (what they announce must be true when they arrive), or, with no SMTP
server configured, printed to the console and the log as login links are."""

from __future__ import annotations

import logging

from sqlmodel import Session

from voiceconsole import enqueue
from voiceconsole.db import after_commit
from voiceconsole.settings import get_settings

log = logging.getLogger(__name__)


def send_account_email(session: Session, *, to: str, subject: str, text: str) -> None:
    if get_settings().smtp_host:
        after_commit(session, lambda: enqueue.email(to=to, subject=subject, text=text))
        return
    # No SMTP configured (embedded default): the console is the mailbox.
    print(f"\n--- email to {to}: {subject}\n{text}\n---", flush=True)
    log.info("email to %s: %s\n%s", to, subject, text)
