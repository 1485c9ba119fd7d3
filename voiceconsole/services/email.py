"""Outgoing email through SMTP (or the console when no SMTP server is configured)."""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage

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
