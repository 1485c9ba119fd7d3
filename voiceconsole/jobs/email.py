"""Sending one email (login links, channel alerts), retried by RQ on SMTP failures."""

from __future__ import annotations

from voiceconsole.services.email import send_email


def send_email_job(*, to: str, subject: str, text: str, html: str | None = None) -> None:
    send_email(to=to, subject=subject, text=text, html=html)
