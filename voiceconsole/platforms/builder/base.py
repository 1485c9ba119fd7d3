"""The Agent Builder's write interface: `AgentWriter` deploys a platform-neutral `AgentSpec` to one platform
account (create, update, read back, delete), through the account's `Connector`.

Each platform module (`retell.py`, `vapi.py`, `elevenlabs.py`) holds two pure functions, `to_platform(spec)`
and `from_platform(raw)`, and a writer that sends what they make. `normalize(spec)` is what the platform keeps of a
spec (`from_platform(to_platform(spec))`): what `read` returns right after a deploy, so a drift check compares
`normalize(last deployed spec)` with `read(...)` and sees only edits made on the platform.

HTTP goes through the connector's `_request`, so timeouts, retries (429/5xx) and auth errors behave as in
sync. Errors:
- the platform refuses the request (4xx other than 401/403/429) → `PlatformRejected(field, message)`, with the
  platform's own message and, when it names a field we map, our field ("llm.temperature");
- the platform is down or keeps failing → the connector's `PlatformUnavailable`; a refused key →
  `PlatformAuthError` (both `PlatformError`s, as `PlatformRejected` is).
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal, cast

from voiceconsole.platforms.connector import Connector
from voiceconsole.platforms.writes import field_named, send
from voiceconsole.schemas.agent_spec import AgentSpec

Refs = dict[str, str]  # what else identifies the agent on the platform: Retell {"llm_id": ...}; others {}


@dataclass(frozen=True, slots=True)
class Deployed:
    """Where a spec now lives on the platform: the agent's id, its other refs, and the platform's version of it
    (Retell: the published agent version, "3"; ElevenLabs: the `version_id`; Vapi: None, it has no versions)."""

    platform_agent_id: str
    refs: Refs = field(default_factory=dict)
    platform_version: str | None = None


class AgentWriter(ABC):
    """Creates, updates, reads and deletes agents on one platform account from an `AgentSpec`."""

    platform: ClassVar[str] = ""
    # Platform field names as they appear in error messages → our spec's field; the first found wins, so
    # longer, more specific names come first.
    error_fields: ClassVar[tuple[tuple[str, str], ...]] = ()

    def __init__(self, connector: Connector):
        self.connector = connector

    # -- the interface ---------------------------------------------------------------------------------

    @abstractmethod
    def create(self, spec: AgentSpec) -> Deployed:
        """Create the agent (and what it needs) and make it live. A create that fails half-way removes what it
        made before raising: nothing is left on the platform."""

    @abstractmethod
    def update(self, platform_agent_id: str, refs: Refs, spec: AgentSpec) -> Deployed:
        """Make the agent match `spec` and go live with it (Retell: a new published version)."""

    @abstractmethod
    def read(self, platform_agent_id: str) -> tuple[AgentSpec, Refs]:
        """The agent's current configuration as a spec (to import it, or to check for drift), and its refs."""

    @abstractmethod
    def delete(self, platform_agent_id: str, refs: Refs) -> None:
        """Delete the agent and what was made for it; what is already gone counts as deleted."""

    @staticmethod
    @abstractmethod
    def to_platform(spec: AgentSpec) -> dict[str, Any]:
        """The platform's request body (bodies) for `spec`."""

    @staticmethod
    @abstractmethod
    def from_platform(raw: dict[str, Any]) -> AgentSpec:
        """A spec from the platform's agent object(s)."""

    def normalize(self, spec: AgentSpec) -> AgentSpec:
        """What the platform keeps of `spec`: what `read` returns after deploying it (see the module docstring)."""
        return self.from_platform(self.to_platform(spec))

    # -- HTTP ------------------------------------------------------------------------------------------

    def _send(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
        missing_ok: bool = False,
        once: bool = False,
    ) -> Any:
        """One request through the connector; the parsed JSON, or None for an empty success (or, with
        `missing_ok`, a 404). `once`: never retried by the transport (a create that failed with a 5xx may have
        been made: retrying could make a second agent)."""
        return send(
            self.connector,
            method,
            path,
            json=json,
            params=params,
            error_fields=self.error_fields,
            missing_ok=missing_ok,
            retry=not once,
        )

    def field_for(self, message: str) -> str | None:
        """Our field a platform's error message is about, if it names one we map."""
        return field_named(message, self.error_fields)


# --------------------------------------------------------------------------------------------------
# Helpers the mappings share
# --------------------------------------------------------------------------------------------------


def identifier(name: str, fallback: str) -> str:
    """A platform's name (tool, variable, extracted field) as our spec accepts it: letters, digits and
    underscores, starting with a letter, at most 64 ("book-appointment" → "book_appointment")."""
    cleaned = re.sub(r"[^A-Za-z0-9_]", "_", name or "").strip("_") or fallback
    if not cleaned[0].isalpha() and cleaned[0] != "_":
        cleaned = f"t_{cleaned}"
    return cleaned[:64]


ExtractType = Literal["string", "number", "boolean"]
HttpMethod = Literal["GET", "POST", "PUT", "PATCH", "DELETE"]


def extract_type(value: Any) -> ExtractType:
    """A platform's JSON-schema type as an extracted field's type (integer is a number; others are strings)."""
    kind = {"integer": "number"}.get(str(value), str(value))
    return cast(ExtractType, kind) if kind in ("number", "boolean") else "string"


def http_method(value: Any) -> HttpMethod:
    method = str(value or "POST").upper()
    return cast(HttpMethod, method) if method in ("GET", "POST", "PUT", "PATCH", "DELETE") else "POST"


def clip(text: str | None, limit: int = 1000) -> str:
    return (text or "")[:limit]


def within(value: float, lo: float, hi: float) -> float:
    return max(lo, min(hi, value))


def dict_of(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def list_of(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []
