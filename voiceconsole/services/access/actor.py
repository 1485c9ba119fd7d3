"""Who is acting: a signed-in user, an API key, or VoiceConsole itself (jobs, the command line)."""

from __future__ import annotations

from dataclasses import dataclass, field


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

    @property
    def ref(self) -> str:
        return f"{self.kind}:{self.id}"


SYSTEM = Actor(kind="system", id="system", display="VoiceConsole")
