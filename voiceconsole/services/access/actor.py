"""Who is acting: a signed-in user, an API key, or VoiceConsole itself (jobs, the command line)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace


@dataclass
class Actor:
    """Who is acting, for access checks, audit logs and note authorship."""

    kind: str  # "user" | "api_key" | "system"
    id: str
    display: str
    role: str = "owner"
    user_id: int | None = None
    client_id: int | None = None  # set for client viewers: they see only this client
    extra: dict = field(default_factory=dict)
    # Where the request came from, for the audit log (None for jobs and the command line).
    ip: str | None = None
    user_agent: str | None = None

    @property
    def ref(self) -> str:
        return f"{self.kind}:{self.id}"

    def at(self, *, ip: str | None, user_agent: str | None) -> Actor:
        """This actor acting from a request's address and browser (a copy: cached actors stay as they are)."""
        return replace(self, ip=ip, user_agent=(user_agent or None) and user_agent[:400])


SYSTEM = Actor(kind="system", id="system", display="VoiceConsole")
