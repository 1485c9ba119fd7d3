"""The lead import wizard's last step: the queued import's job, followed every second until it is done."""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import urlencode

import reflex as rx

from voiceconsole.services.campaigns import imports
from voiceconsole.ui.state.auth import OrgScope

POLL_S = 1.0
POLL_LIMIT = 3600  # an hour of one-second polls; a 100,000-row import takes under a minute


class LeadImportJobMixin(rx.State, mixin=True):
    """The import's id and its job as the API shows it (`LeadImportOut.wire()`), for the wizard's state."""

    import_id: str = ""
    job: dict[str, Any] = {}

    @rx.var
    def progress(self) -> int:
        total = int(self.job.get("totalRows") or 0)
        return min(100, round(100 * int(self.job.get("rowsDone") or 0) / total)) if total else 0

    @rx.var
    def failure(self) -> str:
        return str(self.job.get("failure") or "")

    @rx.var
    def error_report(self) -> str:
        """The refused rows' CSV (the API; the session cookie authenticates the download), once there are some."""
        return str(self.job.get("errorReportUrl") or "")

    @rx.var
    def leads_href(self) -> str:
        """The imported leads: the list filtered by the import's first tag, when it gave tags."""
        tags = (self.job.get("options") or {}).get("tags") or []
        return f"/leads?{urlencode({'tag': tags[0]})}" if tags else "/leads"

    @rx.event(background=True)
    async def follow(self):
        """Read the import's progress every second until its job is done (or failed), while on the page."""
        for _ in range(POLL_LIMIT):
            await asyncio.sleep(POLL_S)
            async with self:
                step = self.step  # type: ignore[attr-defined]
                if step != "running" or not self.router.url.path.rstrip("/").endswith("/leads/import"):
                    return
                import_id = self.import_id

                def read(s: OrgScope, import_id: str = import_id):
                    return imports.get_import(s.session, org=s.org, actor=s.actor, import_id=import_id)

                def show(out) -> None:
                    self.job = out.wire()
                    if out.status in ("done", "failed"):
                        self.step = "done"  # type: ignore[attr-defined]

                self._org_action(read, failed=lambda exc: None, done=show)  # type: ignore[attr-defined]
                if self.step == "done":  # type: ignore[attr-defined]
                    return
