from __future__ import annotations

from voiceconsole.services.email import send_email


def send_email_job(*, to: str, subject: str, text: str, html: str | None = None) -> None:
    send_email(to=to, subject=subject, text=text, html=html)
