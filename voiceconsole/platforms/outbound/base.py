"""Placing outbound calls: `OutboundDialer` dials one number with one platform agent, finds a dial whose answer
was lost, and tells how a call ended, through the account's `Connector`.

Exactly once: `dial` sends its request once, without the connector's transport retries (`_request(...,
retry=False)`): a 5xx or a timeout may come after the platform placed the call, so a dial is never repeated
blindly. The caller records the attempt before dialing and, when the result is unknown (`PlatformUnavailable`, a
crash), asks `find_call_by_metadata(attempt_id, ...)` before dialing again: the call carries our `metadata`
(`lead_id`, `attempt_id`), which the platform keeps on the call. Retell also takes an `idempotency_key` (the attempt
id): a repeat within an hour answers the call already placed.

Errors:
- the platform refuses the request (4xx other than 401/403/429) → the builder's `PlatformRejected(field, message)`,
  `field` being our `DialRequest` field the platform's message names ("to_number", "from_number",
  "platform_agent_id", ...) or None;
- a refused key → the connector's `PlatformAuthError`; the platform down (5xx, 429, no answer) →
  `PlatformUnavailable`: the dial may or may not have been placed (reconcile by metadata).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar, Literal

from voiceconsole.platforms.base import CallRecord
from voiceconsole.platforms.connector import Connector, PlatformError
from voiceconsole.platforms.writes import field_named, send

OutcomeKind = Literal["answered", "no_answer", "busy", "voicemail", "failed"]
OUTCOME_KINDS: tuple[OutcomeKind, ...] = ("answered", "no_answer", "busy", "voicemail", "failed")


class OutboundUnsupported(PlatformError):
    """The platform (or this connector) cannot place outbound calls for us."""


@dataclass(frozen=True, slots=True)
class VoicemailBehaviour:
    """What the agent does when the call reaches voicemail: leave `message`, or hang up."""

    action: Literal["leave_message", "hang_up"]
    message: str = ""


@dataclass(frozen=True, slots=True)
class DialRequest:
    """One outbound call to place.

    `from_number` is what the call comes from: Retell an E.164 number of the account (`from_number`), Vapi the id
    of one of the account's phone numbers (`phoneNumberId`). `to_number` is E.164. `metadata` is kept on the call
    and must hold our `lead_id` and `attempt_id` (how the call is found again and linked to the attempt).
    """

    platform_agent_id: str
    from_number: str
    to_number: str
    metadata: dict[str, str]
    dynamic_variables: dict[str, str] = field(default_factory=dict)
    voicemail: VoicemailBehaviour | None = None

    def __post_init__(self) -> None:
        if not self.metadata.get("attempt_id") or not self.metadata.get("lead_id"):
            raise ValueError("metadata needs lead_id and attempt_id")

    @property
    def attempt_id(self) -> str:
        return self.metadata["attempt_id"]


@dataclass(frozen=True, slots=True)
class DialResult:
    """The call the platform placed: its id and its first status (Retell "registered", Vapi "queued")."""

    platform_call_id: str
    status: str
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Outcome:
    """How a dialed call ended, in our words (`kind`; None while the call is not over) and the platform's
    (`reason`: Retell `disconnection_reason`, Vapi `endedReason`, as given)."""

    kind: OutcomeKind | None
    reason: str | None


class OutboundDialer(ABC):
    """Places outbound calls on one platform account."""

    platform: ClassVar[str] = ""
    # Platform field names as they appear in error messages → our DialRequest field; the first found wins.
    error_fields: ClassVar[tuple[tuple[str, str], ...]] = ()

    def __init__(self, connector: Connector):
        self.connector = connector

    @abstractmethod
    def dial(self, request: DialRequest) -> DialResult:
        """Place the call: one request, never retried here (see the module docstring). PlatformRejected when the
        platform refuses it (a number, the agent), PlatformAuthError, or PlatformUnavailable when the result is
        unknown: reconcile with `find_call_by_metadata` before dialing again."""

    @abstractmethod
    def find_call_by_metadata(
        self,
        attempt_id: str,
        *,
        platform_agent_id: str | None = None,
        to_number: str | None = None,
        since: datetime | None = None,
    ) -> str | None:
        """The id of the call placed for `attempt_id` (our `metadata.attempt_id` on the call), or None if the
        platform has none. The hints (the attempt's agent, number and when it was recorded) narrow the search;
        give them all when known."""

    @abstractmethod
    def outcome(self, call: CallRecord | dict[str, Any]) -> Outcome:
        """How the call ended, from our mapped record or the platform's own call object (get-call, list item or
        webhook `call`)."""

    @abstractmethod
    def attempt_id(self, call: CallRecord | dict[str, Any]) -> str | None:
        """Our `attempt_id` on a call, from the record or the platform's object: links a call that arrives by
        webhook or sync to its attempt."""

    # -- HTTP ------------------------------------------------------------------------------------------

    def _send(
        self, method: str, path: str, *, json: Any = None, params: dict[str, Any] | None = None, retry: bool = True
    ) -> Any:
        """One request through the connector (`retry=False` for dials); a 4xx becomes PlatformRejected."""
        return send(
            self.connector,
            method,
            path,
            json=json,
            params=params,
            error_fields=self.error_fields,
            after_dot=False,
            retry=retry,
        )

    def field_for(self, message: str) -> str | None:
        return field_named(message, self.error_fields, after_dot=False)


def raw_of(call: CallRecord | dict[str, Any]) -> dict[str, Any]:
    """The platform's call object: as given, or the one a record was mapped from."""
    if isinstance(call, CallRecord):
        return call.raw if isinstance(call.raw, dict) else {}
    return call


def metadata_value(metadata: Any, key: str) -> str | None:
    value = metadata.get(key) if isinstance(metadata, dict) else None
    return None if value is None else str(value)
