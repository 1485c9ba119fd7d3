"""What the dial endpoints of Retell and Vapi share (outbound_retell.py, outbound_vapi.py): number checks, dial
faults, and the courier, a background thread that moves dialed calls on (the clock runs `speed` times faster
while dials are pending) and posts their webhooks to the agents' URLs. The outcome model is in ../outbound.py.

Webhooks to reserved example hosts (example.com/.org/.net and their subdomains, `.example`, `.invalid`, `.test`;
the generated agents point there) are not sent: their deliveries read "skipped". Each is posted once (10 s
timeout); a failure is recorded, not retried.
"""

from __future__ import annotations

import re
import threading
import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, cast
from urllib.parse import urlsplit

import httpx

from voiceconsole.platforms.simulator.outbound import DialFault, DialRecord, Phase
from voiceconsole.platforms.simulator.server.pipeline import ApiError
from voiceconsole.platforms.simulator.state import SimulatorState
from voiceconsole.platforms.simulator.webhooks import VapiAuth, send_webhook

E164 = re.compile(r"^\+[1-9]\d{6,14}$")
DIAL_PLATFORMS = ("retell", "vapi")
_TICK_S = 0.02
_RESERVED = ("example.com", "example.org", "example.net")
_RESERVED_TLDS = (".example", ".invalid", ".test")


def place(state: SimulatorState, platform: str, phases: list[Phase]) -> dict[str, Any]:
    """Store the dialed call (its first phase, unless it is due later: a scheduled batch), schedule the rest;
    the call as the dial answers it."""
    first = phases[0]
    if first.due_ms <= state.clock_ms():
        data = state.data(platform)
        data.calls.put(first.call)
        data.note_call(first.call)
        phases = phases[1:]
    state.outbound.schedule(platform, phases)
    courier_for(state).wake()
    return dict(first.call)


@contextmanager
def logged(state: SimulatorState, record: DialRecord) -> Iterator[DialRecord]:
    """Log the dial whatever becomes of it: an `ApiError` sets its status and error."""
    try:
        yield record
    except ApiError as exc:
        record.status = exc.status
        record.error = record.error or exc.message
        raise
    finally:
        state.outbound.log(record)


def check_number(state: SimulatorState, platform: str, field: str, number: Any, default_message: str) -> None:
    """400 unless `number` is E.164 and not refused by `reject_number` (the platform's words name the field)."""
    if not isinstance(number, str) or not E164.match(number):
        raise ApiError(400, f"{field} must be a valid phone number in the E.164 format (e.g. +14155550123)")
    refused, message = state.outbound.rejection(platform, number)
    if refused:
        raise ApiError(400, message or default_message)


def dial_fault(state: SimulatorState, platform: str) -> DialFault | None:
    """The dial fault queued for the platform, if any (`OutboundStore.fail_dials`); one without `placed` answers
    at once, before anything is dialed."""
    fault = state.outbound.take_dial_fault(platform)
    if fault is not None and not fault.placed:
        fail(fault)
    return fault


def fail(fault: DialFault) -> None:
    raise ApiError(fault.status, "Service temporarily unavailable" if fault.status == 503 else "Internal server error")


def settle(state: SimulatorState) -> int:
    """Move the clock past every pending phase of every dial, so each dialed call has ended; return the number of
    webhooks still to be posted (the courier posts them)."""
    with state.lock:
        last = state.outbound.last_due_ms()
        if last is not None:
            state.advance_clock(last - state.clock_ms() + 1)
        for platform in DIAL_PLATFORMS:
            state.data(platform)
        waiting = len(state.outbound.outbox)
    courier_for(state).wake()
    return waiting


# --------------------------------------------------------------------------------------------------
# The courier
# --------------------------------------------------------------------------------------------------


class Courier:
    """Runs while dials are pending or webhooks wait; stops by itself when there is nothing left."""

    def __init__(self, state: SimulatorState) -> None:
        self.state = state
        self._thread: threading.Thread | None = None
        self._guard = threading.Lock()

    def wake(self) -> None:
        with self._guard:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="sim-outbound-courier", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        last = time.monotonic()
        while True:
            time.sleep(_TICK_S)
            now = time.monotonic()
            state = self.state
            with state.lock:
                store = state.outbound
                if store.pending() and store.speed > 1:
                    state.advance_clock(round((store.speed - 1) * (now - last) * 1000))
                for platform in DIAL_PLATFORMS:
                    if store.pending(platform):
                        state.data(platform)  # applies the phases that are due
                deliveries = store.take_deliveries()
                signing = state.webhook_signing
                retell_key = state.api_keys["retell"]
            last = now
            for delivery in deliveries:
                if _reserved(delivery.url):
                    delivery.status = "skipped"
                    continue
                try:
                    response = send_webhook(
                        delivery.url,
                        delivery.platform,
                        delivery.event,
                        delivery.call,
                        secret=delivery.secret or retell_key,
                        vapi_auth=cast(VapiAuth, signing.vapi_auth),
                        vapi_hmac=signing.vapi_hmac,
                        extra=delivery.extra,
                    )
                    delivery.status = response.status_code
                except httpx.HTTPError as exc:
                    delivery.status = type(exc).__name__
            with state.lock, self._guard:  # the order `place` takes them in
                if not state.outbound.pending() and not state.outbound.outbox:
                    self._thread = None
                    return


_COURIERS: weakref.WeakKeyDictionary[SimulatorState, Courier] = weakref.WeakKeyDictionary()
_COURIERS_GUARD = threading.Lock()


def courier_for(state: SimulatorState) -> Courier:
    with _COURIERS_GUARD:
        courier = _COURIERS.get(state)
        if courier is None:
            courier = _COURIERS[state] = Courier(state)
        return courier


def _reserved(url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    return any(host == d or host.endswith("." + d) for d in _RESERVED) or host.endswith(_RESERVED_TLDS)
