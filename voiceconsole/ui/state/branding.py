"""Settings → Branding: the agency's name, accent colour and logo, shown in its client portals.

Problems show under their field and nothing typed is lost: the inputs are the state's, kept as typed."""

from __future__ import annotations

import reflex as rx

from voiceconsole.services import branding
from voiceconsole.services.errors import DomainError, ValidationFailed
from voiceconsole.ui.state.auth import AuthState, OrgScope


def field_errors(exc: DomainError) -> dict[str, str]:
    """A refusal's messages by field ("" for one that names none)."""
    if not exc.details:
        return {"": exc.message}
    return {d.get("field", ""): d.get("message", "") for d in exc.details}


class BrandingState(AuthState):
    name_input: str = ""
    accent_input: str = ""
    logo_url: str = ""
    name_error: str = ""
    accent_error: str = ""
    logo_error: str = ""
    error: str = ""
    saved: str = ""
    uploading: bool = False

    def _show(self, out) -> None:
        self.name_input = out.name
        self.accent_input = out.accent_color or ""
        self.logo_url = out.logo_url or ""

    @rx.event
    def load(self):
        self.name_error = self.accent_error = self.logo_error = self.error = self.saved = ""
        return self._org_action(lambda s: branding.get_branding(s.session, org=s.org), done=self._show)

    @rx.event
    def set_name_input(self, value: str):
        self.name_input = value
        self.name_error = ""

    @rx.event
    def set_accent_input(self, value: str):
        self.accent_input = value
        self.accent_error = ""

    def _refused(self, exc: DomainError) -> None:
        errors = field_errors(exc)
        self.name_error = errors.pop("name", "")
        self.accent_error = errors.pop("accentColor", "")
        self.logo_error = errors.pop("logo", "")
        self.error = "; ".join(m for m in errors.values() if m)
        self.saved = ""

    def _saved(self, out, what: str) -> None:
        self.accent_input = out.accent_color or ""
        self.name_input = out.name
        self.org_name = out.name
        self.logo_url = out.logo_url or ""
        self.saved = what

    @rx.event
    def save(self, _form: dict | None = None):
        self.name_error = self.accent_error = self.error = self.saved = ""
        name, accent = self.name_input, self.accent_input

        def work(s: OrgScope):
            return branding.update_branding(
                s.session,
                org=s.org,
                actor=s.actor,
                name=name,
                accent_color=accent if accent.strip() else None,
                clear_accent=not accent.strip(),
            )

        return self._org_action(work, done=lambda out: self._saved(out, "Branding saved."), failed=self._refused)

    @rx.event
    async def upload_logo(self, files: list[rx.UploadFile]):
        self.logo_error = self.saved = ""
        if not files:
            self.logo_error = "Choose an image first"
            return None
        data = await files[0].read(branding.MAX_LOGO_BYTES + 1)  # enough to tell it is too big

        def work(s: OrgScope):
            return branding.set_logo(s.session, org=s.org, actor=s.actor, data=data)

        return self._org_action(work, done=lambda out: self._saved(out, "Logo uploaded."), failed=self._refused)

    @rx.event
    def remove_logo(self):
        self.logo_error = self.saved = ""
        return self._org_action(
            lambda s: branding.remove_logo(s.session, org=s.org, actor=s.actor),
            done=lambda out: self._saved(out, "Logo removed."),
            failed=self._refused,
        )

    @rx.var
    def accent_preview(self) -> str:
        try:
            return branding.normalise_color(self.accent_input) or ""
        except ValidationFailed:
            return ""

    @rx.var
    def logo_limit(self) -> str:
        return f"PNG, JPEG or WebP, at most {branding.MAX_LOGO_BYTES // 1024} KB"
