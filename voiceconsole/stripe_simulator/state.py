"""The simulator's memory: every object by id, the meter events, the event log and the knobs tests turn.

One re-entrant lock guards it all: the server answers requests on uvicorn's threads while the
webhook thread records delivery outcomes, and a test may read or turn knobs from its own thread.
Objects are stored as the JSON dicts the API returns; readers get deep copies, so an event keeps the
object as it was when the event happened.
"""

from __future__ import annotations

import copy
import secrets
import string
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

_ALPHABET = string.ascii_letters + string.digits
# Which collection an id belongs to, by its prefix (for 404 messages and `expand[]`).
KINDS = {
    "cus": "customer",
    "prod": "product",
    "price": "price",
    "mtr": "billing.meter",
    "cs": "checkout.session",
    "bps": "billing_portal.session",
    "sub": "subscription",
    "si": "subscription_item",
    "in": "invoice",
    "pi": "payment_intent",
    "evt": "event",
}


class StripeError(Exception):
    """An error answered in Stripe's shape: `{"error": {"type", "message", "param", "code"}}`."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        param: str | None = None,
        type: str = "invalid_request_error",
        code: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.message, self.param, self.type, self.code = status, message, param, type, code

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {"type": self.type, "message": self.message}
        if self.param:
            error["param"] = self.param
        if self.code:
            error["code"] = self.code
        return {"error": error}


def missing(kind: str, object_id: str, param: str = "id") -> StripeError:
    """A retrieve of an unknown id is a 404; an unknown id given as a parameter (`price`, `customer`) a 400."""
    status = 404 if param == "id" else 400
    return StripeError(status, f"No such {kind}: '{object_id}'", param=param, code="resource_missing")


def new_id(prefix: str, length: int = 24) -> str:
    return f"{prefix}_{''.join(secrets.choice(_ALPHABET) for _ in range(length))}"


def now() -> int:
    return int(time.time())


@dataclass
class EventRecord:
    """An event and what became of it: `pending` (queued or retrying), `held`, `delivered`, `failed`
    (retries exhausted) or `no_endpoint` (no webhook URL configured when it happened)."""

    event: dict[str, Any]
    status: str = "pending"
    attempts: list[dict[str, Any]] = field(default_factory=list)  # {at, status, error}

    def public(self) -> dict[str, Any]:
        return {
            "id": self.event["id"],
            "type": self.event["type"],
            "created": self.event["created"],
            "delivery": self.status,
            "attempts": list(self.attempts),
            "event": self.event,
        }


@dataclass
class MeterEventRecord:
    """A counted meter event: the API object, and what renewals need to bill it once."""

    event: dict[str, Any]
    meter_id: str
    customer: str
    value: float
    invoice: str | None = None  # the renewal invoice that billed it

    def public(self) -> dict[str, Any]:
        return {**self.event, "meter": self.meter_id, "invoice": self.invoice}


@dataclass
class StripeState:
    webhook_url: str | None = None
    webhook_secret: str = ""
    api_key_prefix: str = "sk_test_"
    lock: threading.RLock = field(default_factory=threading.RLock)
    objects: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)  # kind → id → object
    meter_events: list[MeterEventRecord] = field(default_factory=list)  # counted ones only, in arrival order
    checkout_items: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # session id → line items
    # session id → {"subscription": …, "payment_intent": …}: the metadata Checkout passes on when completed
    checkout_metadata: dict[str, dict[str, dict[str, str]]] = field(default_factory=dict)
    # Proration lines of `create_prorations` updates, billed with the subscription's next invoice.
    pending_lines: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    events: dict[str, EventRecord] = field(default_factory=dict)  # in the order they happened
    idempotency: dict[str, tuple[str, int, bytes]] = field(default_factory=dict)  # key → (request, status, body)
    outage: bool = False
    hold: bool = False
    # Set by the webhook sender: called (under the lock) with each new event's id.
    on_event: Callable[[str], None] | None = None

    # objects ------------------------------------------------------------------------------------
    def put(self, obj: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            self.objects.setdefault(obj["object"], {})[obj["id"]] = obj
            return copy.deepcopy(obj)

    def get(self, kind: str, object_id: str, param: str = "id") -> dict[str, Any]:
        """The stored object itself (callers change it under the lock); 404 in Stripe's words."""
        with self.lock:
            found = self.objects.get(kind, {}).get(object_id)
            if found is None:
                raise missing(kind.rpartition(".")[2].replace("_", " "), object_id, param)
            return found

    def read(self, kind: str, object_id: str) -> dict[str, Any]:
        with self.lock:
            return copy.deepcopy(self.get(kind, object_id))

    def find(self, object_id: str) -> dict[str, Any] | None:
        """Any stored object by id (what `expand[]` needs); None when unknown."""
        prefix = object_id.split("_", 1)[0]
        with self.lock:
            for kind in {KINDS.get(prefix, ""), *self.objects}:
                if object_id in self.objects.get(kind, {}):
                    return copy.deepcopy(self.objects[kind][object_id])
        return None

    def all(self, kind: str) -> list[dict[str, Any]]:
        """Copies, newest first (Stripe's list order; insertion order breaks ties within a second)."""
        with self.lock:
            return copy.deepcopy(list(reversed(self.objects.get(kind, {}).values())))

    # events -------------------------------------------------------------------------------------
    def record_event(self, event: dict[str, Any]) -> None:
        with self.lock:
            status = "held" if self.hold else ("pending" if self.webhook_url else "no_endpoint")
            self.events[event["id"]] = EventRecord(copy.deepcopy(event), status=status)
            if status == "pending" and self.on_event:
                self.on_event(event["id"])

    def event_record(self, event_id: str) -> EventRecord:
        with self.lock:
            if event_id not in self.events:
                raise missing("event", event_id)
            return self.events[event_id]
