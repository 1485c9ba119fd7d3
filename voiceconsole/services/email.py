"""Outgoing email through SMTP (or the console when no SMTP server is configured)."""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage

from sqlmodel import Session

from voiceconsole import enqueue
from voiceconsole.db import after_commit
from voiceconsole.settings import get_settings

log = logging.getLogger(__name__)


def send_email(*, to: str, subject: str, text: str, html: str | None = None) -> None:
    settings = get_settings()
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = settings.smtp_from, to, subject
    msg.set_content(text)
    if html:
        msg.add_alternative(html, subtype="html")
    if not settings.smtp_host:
        print(f"\n--- email to {to}: {subject}\n{text}\n---", flush=True)
        return
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=10) as smtp:
        if settings.smtp_user:
            smtp.starttls()
            smtp.login(settings.smtp_user, settings.smtp_password or "")
        smtp.send_message(msg)
    log.info("email sent to %s: %s", to, subject)


def send_after_commit(session: Session, *, to: str, subject: str, text: str) -> None:
    """Queue an email once the transaction commits (what it announces must be true when it arrives); with
    no SMTP server configured (the embedded default), print it to the console and the log now."""
    if get_settings().smtp_host:
        after_commit(session, lambda: enqueue.email(to=to, subject=subject, text=text))
        return
    print(f"\n--- email to {to}: {subject}\n{text}\n---", flush=True)
    log.info("email to %s: %s\n%s", to, subject, text)
