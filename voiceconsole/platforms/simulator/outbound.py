"""Outbound calls in the simulator: what the dial endpoints (server/outbound_retell.py, server/outbound_vapi.py)
keep, and how a dialed call plays out.

The outcome model (documented here so tests, the demo and the campaign benchmark can rely on it)
---------------------------------------------------------------------------------------------------
Each dial draws its outcome from a generator seeded by (state seed, platform, the number dialed, how many times
that number was dialed before on the platform): the same campaign gives the same outcomes whatever order its
workers dial in, and a retry of a lead gets a fresh draw. Default shares (`DEFAULT_RATES`, `configure(rates=)`):

    answered 60 %   voicemail 20 %   no_answer 12 %   busy 6 %   failed 2 %

- answered: rings 4–20 s, then an outbound sales conversation from the generator (about 1–6 minutes, transcript,
  latency, cost and analysis as for generated calls). It converts (Retell `call_analysis.call_successful`, Vapi
  `analysis.successEvaluation` "true") with probability 0.55 × q, q being the agent's prompt quality
  (`agents_store.prompt_quality`, for agents written through the simulator's API; 1.0 for generated agents).
- voicemail: rings 18–30 s, then the generator's voicemail message (the agent leaves one), or a hang-up after
  2–5 s when the dial asked for it (Retell `agent_override.agent.voicemail_option.action.type` "hangup").
- no_answer: rings out after 25–45 s; busy: 1–4 s; failed: the carrier refuses after 0.5–2 s. None connects:
  no start time, no transcript, no cost.
`script(number, [outcome, ...])` fixes the outcomes of the next dials to a number (tests, the demo).

End reasons: Retell `disconnection_reason` user_hangup | agent_hangup (answered), voicemail_reached,
dial_no_answer, dial_busy, dial_failed (`call_status` "ended", or "not_connected" for the last three); Vapi
`endedReason` customer-ended-call | assistant-ended-call (answered), voicemail, customer-did-not-answer,
customer-busy, twilio-failed-to-connect-call.

Over simulated time (the state's clock): Retell `registered` → `ongoing` (connected outcomes, when answered;
`start_timestamp` is set then) → `ended` / `not_connected`; Vapi `queued` → `ringing` (1 s) → `in-progress`
(connected outcomes, `startedAt`) → `ended` (when the analysis is in, `updatedAt`). A phase takes effect when the
clock passes it (`due`, called by `SimulatorState.data`); `speed` (x times real time while dials are pending) and
the control API's settle move the clock on. Webhooks go to the agent's own URL (Retell `webhook_url`: call_started,
call_ended, call_analyzed, or the agent's `webhook_events`; Vapi `server.url`: end-of-call-report, and
status-update when the assistant's `serverMessages` lists it), queued in `outbox` and posted by the server's courier.

Kept as well: every dial request (`dials`: also those refused or failed, so tests can assert a number was never
dialed twice), Retell `idempotency_key`s (a repeat within an hour answers the first call and dials nothing), and
the dial faults: `fail_dials` (the platform is down for dials, optionally after placing the call) and
`reject_number` (a to- or from-number refused with the platform's 4xx).

This module knows only the generator and plain dicts; the state applies the phases to its `CallStore`.
"""

from __future__ import annotations

import heapq
import random
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from voiceconsole.platforms.simulator.generator.catalog import _profile
from voiceconsole.platforms.simulator.generator.conversation import _build
from voiceconsole.platforms.simulator.generator.scripts import _SCENARIOS, _s_lead, _s_no_answer, _s_voicemail
from voiceconsole.platforms.simulator.generator.traffic import _RENDERERS, _as_live, _success_chance

OUTCOMES = ("answered", "voicemail", "no_answer", "busy", "failed")
DEFAULT_RATES = {"answered": 0.60, "voicemail": 0.20, "no_answer": 0.12, "busy": 0.06, "failed": 0.02}
DIAL_FAULT_STATUSES = (500, 502, 503)
IDEMPOTENCY_WINDOW_MS = 3600_000  # Retell keeps an idempotency key for an hour

_LEAD = next(s for s in _SCENARIOS if s.script is _s_lead)
_VOICEMAIL = next(s for s in _SCENARIOS if s.script is _s_voicemail)
_NO_ANSWER = next(s for s in _SCENARIOS if s.script is _s_no_answer)
_RING_S = {"answered": (4, 20), "voicemail": (18, 30), "no_answer": (25, 45), "busy": (1, 4), "failed": (0.5, 2)}
_RETELL_END = {
    "voicemail": "voicemail_reached",
    "no_answer": "dial_no_answer",
    "busy": "dial_busy",
    "failed": "dial_failed",
}
_VAPI_END = {
    "voicemail": "voicemail",
    "no_answer": "customer-did-not-answer",
    "busy": "customer-busy",
    "failed": "twilio-failed-to-connect-call",
}
_SUMMARIES = {
    "no_answer": "The call was not answered.",
    "busy": "The line was busy; the call did not connect.",
    "failed": "The carrier could not connect the call.",
}
_RETELL_DEFAULT_EVENTS = ("call_started", "call_ended", "call_analyzed")


@dataclass(frozen=True)
class Dialed:
    """What the simulator decided for one dial."""

    outcome: str
    ring_s: float
    converts: bool
    leave_voicemail: bool = True
    nth: int = 0  # how many dials to the number came before this one (seeds the call's rendering)


@dataclass
class DialRecord:
    """One dial request as the platform received it, and what became of it."""

    at_ms: int
    platform: str
    path: str
    status: int  # the HTTP status answered
    agent_id: str | None
    from_number: str | None  # Vapi: the phoneNumberId
    to_number: str | None
    metadata: dict[str, Any] = field(default_factory=dict)
    dynamic_variables: dict[str, Any] = field(default_factory=dict)
    idempotency_key: str | None = None
    call_id: str | None = None  # the call placed, if one was
    outcome: str | None = None
    batch_call_id: str | None = None
    error: str | None = None


@dataclass
class DialFault:
    """The next `remaining` dials to a platform (None: every dial until cleared) answer `status`; with `placed` the
    call is placed first, as when the platform fails after dialing."""

    platform: str
    status: int = 503
    remaining: int | None = 1
    placed: bool = False


@dataclass(frozen=True)
class Hook:
    """Where an agent's webhooks go: the URL, the secret to sign with (None: the platform's default), the events
    it wants, and what Vapi adds to its messages (`extra`)."""

    url: str
    events: tuple[str, ...]
    secret: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(order=True)
class Phase:
    due_ms: int
    seq: int
    call: dict[str, Any] = field(compare=False)
    events: tuple[str, ...] = field(compare=False, default=())
    hook: Hook | None = field(compare=False, default=None)


@dataclass
class Delivery:
    platform: str
    call_id: str
    event: str
    url: str
    call: dict[str, Any]
    secret: str | None
    extra: dict[str, Any]
    status: int | str | None = None  # HTTP status once sent, "skipped" for reserved hosts, or the error


class OutboundStore:
    """Dials, their phases still to come, webhooks to send, and the dial faults (see the module docstring)."""

    def __init__(self) -> None:
        self.rates = dict(DEFAULT_RATES)
        self.speed = 1.0  # how much faster than real time the clock runs while dials are pending
        self.dials: list[DialRecord] = []
        self.faults: list[DialFault] = []
        self.rejected: dict[tuple[str, str], str | None] = {}  # (platform, number) -> message
        self.scripted: dict[str, deque[str]] = {}
        self.outbox: deque[Delivery] = deque()
        self.deliveries: list[Delivery] = []
        self._phases: dict[str, list[Phase]] = {}
        self._seq = 0
        self._dialed: dict[tuple[str, str], int] = {}  # (platform, number) -> dials so far
        self._idempotency: dict[tuple[str, str], tuple[str, int]] = {}  # (platform, key) -> (call id, at ms)
        self._batches = 0

    # -- settings and switches -------------------------------------------------------------------

    def configure(self, *, rates: dict[str, float] | None = None, speed: float | None = None) -> dict[str, Any]:
        if rates is not None:
            unknown = set(rates) - set(OUTCOMES)
            if unknown:
                raise ValueError(f"unknown outcomes {sorted(unknown)}; expected {', '.join(OUTCOMES)}")
            merged = {**self.rates, **{k: float(v) for k, v in rates.items()}}
            if any(v < 0 for v in merged.values()) or sum(merged.values()) <= 0:
                raise ValueError("rates must be non-negative and not all zero")
            self.rates = merged
        if speed is not None:
            if speed < 1:
                raise ValueError("speed must be at least 1")
            self.speed = float(speed)
        return {"rates": self.rates, "speed": self.speed}

    def script(self, number: str, outcomes: list[str]) -> None:
        """The next dials to `number` (any platform) have these outcomes, in order."""
        bad = [o for o in outcomes if o not in OUTCOMES]
        if bad:
            raise ValueError(f"unknown outcomes {bad}; expected {', '.join(OUTCOMES)}")
        self.scripted.setdefault(number, deque()).extend(outcomes)

    def fail_dials(self, platform: str, status: int = 503, *, count: int | None = 1, placed: bool = False) -> DialFault:
        if status not in DIAL_FAULT_STATUSES:
            raise ValueError(f"status must be one of {DIAL_FAULT_STATUSES}")
        if count is not None and count < 1:
            raise ValueError("count must be at least 1 (or null: until cleared)")
        fault = DialFault(platform, status, count, placed)
        self.faults.append(fault)
        return fault

    def take_dial_fault(self, platform: str) -> DialFault | None:
        for fault in self.faults:
            if fault.platform == platform:
                if fault.remaining is not None:
                    fault.remaining -= 1
                self.faults = [f for f in self.faults if f.remaining is None or f.remaining > 0]
                return fault
        return None

    def reject_number(self, platform: str, number: str, message: str | None = None) -> None:
        """Dials from or to `number` (Vapi: also a phoneNumberId) answer the platform's 4xx naming the field."""
        self.rejected[(platform, number)] = message

    def rejection(self, platform: str, number: str | None) -> tuple[bool, str | None]:
        key = (platform, number or "")
        return key in self.rejected, self.rejected.get(key)

    def clear_faults(self, platform: str | None = None) -> None:
        keep = platform is not None
        self.faults = [f for f in self.faults if keep and f.platform != platform]
        self.rejected = {k: v for k, v in self.rejected.items() if keep and k[0] != platform}

    # -- dials -----------------------------------------------------------------------------------

    def log(self, record: DialRecord) -> DialRecord:
        self.dials.append(record)
        return record

    def remembered(self, platform: str, key: str | None, now_ms: int) -> str | None:
        """The call an idempotency key already placed within the window, if any."""
        if not key:
            return None
        found = self._idempotency.get((platform, key))
        return found[0] if found and now_ms - found[1] < IDEMPOTENCY_WINDOW_MS else None

    def remember(self, platform: str, key: str | None, call_id: str, now_ms: int) -> None:
        if key:
            self._idempotency[(platform, key)] = (call_id, now_ms)

    def next_batch_id(self) -> str:
        self._batches += 1
        return f"batch_{random.Random(f'batch|{self._batches}').getrandbits(96):024x}"

    def decide(self, seed: int, platform: str, to_number: str, agent: dict[str, Any], *, hang_up: bool) -> Dialed:
        """The outcome of a dial (see the module docstring)."""
        count = self._dialed.get((platform, to_number), 0)
        self._dialed[(platform, to_number)] = count + 1
        rng = random.Random(f"{seed}|{platform}|dial|{to_number}|{count}")
        queued = self.scripted.get(to_number)
        if queued:
            outcome = queued.popleft()
        else:
            total = sum(self.rates.values())
            pick, outcome = rng.random() * total, OUTCOMES[-1]
            for name in OUTCOMES:
                pick -= self.rates[name]
                if pick < 0:
                    outcome = name
                    break
        lo, hi = _RING_S[outcome]
        converts = outcome == "answered" and rng.random() < _success_chance(_LEAD.p_success, _as_live(agent))
        return Dialed(outcome, lo + (hi - lo) * rng.random(), converts, leave_voicemail=not hang_up, nth=count)

    # -- phases ----------------------------------------------------------------------------------

    def schedule(self, platform: str, phases: list[Phase]) -> None:
        heap = self._phases.setdefault(platform, [])
        for phase in phases:
            self._seq += 1
            phase.seq = self._seq
            heapq.heappush(heap, phase)

    def pending(self, platform: str | None = None) -> bool:
        if platform is None:
            return any(self._phases.values())
        return bool(self._phases.get(platform))

    def last_due_ms(self) -> int | None:
        dues = [max(p.due_ms for p in heap) for heap in self._phases.values() if heap]
        return max(dues) if dues else None

    def due(self, platform: str, now_ms: int) -> list[dict[str, Any]]:
        """The call versions whose time has come, in order (the state stores each in place of the one before),
        their webhooks queued in `outbox`."""
        heap = self._phases.get(platform)
        out: list[dict[str, Any]] = []
        while heap and heap[0].due_ms <= now_ms:
            phase = heapq.heappop(heap)
            out.append(phase.call)
            hook = phase.hook
            if hook is None:
                continue
            for event in phase.events:
                if event in hook.events:
                    call_id = phase.call.get("call_id") or phase.call.get("id") or ""
                    self.outbox.append(
                        Delivery(platform, call_id, event, hook.url, phase.call, hook.secret, hook.extra)
                    )
        return out

    def take_deliveries(self) -> list[Delivery]:
        taken = list(self.outbox)
        self.outbox.clear()
        self.deliveries.extend(taken)
        return taken


# --------------------------------------------------------------------------------------------------
# The calls of a dial, phase by phase, in each platform's shape
# --------------------------------------------------------------------------------------------------


def _conversation_call(
    platform: str, agent: dict[str, Any], dialed: Dialed, rng: random.Random, start_ms: int, to_number: str
) -> dict[str, Any]:
    """The ended call as the generator renders it for this outcome (transcript, cost, analysis)."""
    live = _as_live(agent)
    profile = _profile(platform, live)
    if dialed.outcome == "answered":
        scenario, ok = _LEAD, dialed.converts
    elif dialed.outcome == "voicemail":
        scenario, ok = _VOICEMAIL, False
    else:
        scenario, ok = _NO_ANSWER, False
    conv = _build(profile, scenario, rng, ok)
    if dialed.outcome == "voicemail" and not dialed.leave_voicemail:
        conv.turns, conv.duration = conv.turns[:1], min(conv.duration, 2 + 3 * rng.random())
    return _RENDERERS[platform](profile, conv, rng, start_ms, to_number, False, None, frozenset())


def retell_phases(
    agent: dict[str, Any],
    dialed: Dialed,
    *,
    seed: str,
    now_ms: int,
    from_number: str,
    to_number: str,
    metadata: dict[str, Any] | None,
    dynamic_variables: dict[str, str] | None,
    batch_call_id: str | None = None,
    hook: Hook | None = None,
) -> list[Phase]:
    """A Retell phone call from dial to end: registered, (ongoing,) ended."""
    rng = random.Random(seed)
    connect_ms = now_ms + round(dialed.ring_s * 1000)
    connected = dialed.outcome in ("answered", "voicemail")
    ended = _conversation_call("retell", agent, dialed, rng, connect_ms, to_number)
    base: dict[str, Any] = {
        "call_id": ended["call_id"],
        "call_type": "phone_call",
        "agent_id": ended["agent_id"],
        **{k: ended[k] for k in ("agent_version", "agent_name") if ended.get(k) is not None},
        "direction": "outbound",
        "from_number": from_number,
        "to_number": to_number,
    }
    extras: dict[str, Any] = {}
    if metadata:
        extras["metadata"] = metadata
    if dynamic_variables:
        extras["retell_llm_dynamic_variables"] = dynamic_variables
    if batch_call_id:
        extras["batch_call_id"] = batch_call_id
    ended.update(base)
    ended.update(extras)
    registered = {**base, "call_status": "registered", **extras}
    phases = [Phase(now_ms, 0, registered)]
    if connected:
        ongoing = {**base, "call_status": "ongoing", "start_timestamp": connect_ms, **extras}
        phases.append(Phase(connect_ms, 0, ongoing, ("call_started",), hook))
        if dialed.outcome == "voicemail":
            ended["disconnection_reason"] = "voicemail_reached"
        ended["call_status"] = "ended"
        end_ms = int(ended["end_timestamp"])
    else:
        ended.pop("start_timestamp", None)
        ended.update(
            call_status="not_connected",
            end_timestamp=connect_ms,
            duration_ms=0,
            disconnection_reason=_RETELL_END[dialed.outcome],
        )
        ended["call_analysis"] = {**ended.get("call_analysis", {}), "call_summary": _SUMMARIES[dialed.outcome]}
        end_ms = connect_ms
    ended["call_analysis"] = {
        **ended.get("call_analysis", {}),
        "call_successful": dialed.converts,
        "in_voicemail": dialed.outcome == "voicemail",
    }
    phases.append(Phase(end_ms, 0, ended, ("call_ended", "call_analyzed"), hook))
    return phases


def vapi_phases(
    agent: dict[str, Any],
    dialed: Dialed,
    *,
    seed: str,
    now_ms: int,
    phone_number_id: str,
    to_number: str,
    name: str | None,
    overrides: dict[str, Any] | None,
    hook: Hook | None = None,
) -> list[Phase]:
    """A Vapi outbound call from dial to end: queued, ringing, (in-progress,) ended."""
    rng = random.Random(seed)
    connect_ms = now_ms + round(dialed.ring_s * 1000)
    connected = dialed.outcome in ("answered", "voicemail")
    ended = _conversation_call("vapi", agent, dialed, rng, connect_ms, to_number)
    base: dict[str, Any] = {
        "id": ended["id"],
        "orgId": ended["orgId"],
        "assistantId": ended["assistantId"],
        "type": "outboundPhoneCall",
        "phoneNumberId": phone_number_id,
        "customer": {"number": to_number},
        "phoneCallProvider": "twilio",
        "createdAt": _iso(now_ms),
    }
    if name:
        base["name"] = name
    if overrides:
        base["assistantOverrides"] = overrides
    provider_id = ended.get("phoneCallProviderId") or f"CA{rng.getrandbits(128):032x}"
    ended.update(base)
    ended["phoneCallProviderId"] = provider_id
    ring_ms = min(now_ms + 1000, connect_ms)
    phases = [
        Phase(now_ms, 0, {**base, "status": "queued", "updatedAt": _iso(now_ms)}, ("status-update",), hook),
        Phase(
            ring_ms,
            0,
            {**base, "status": "ringing", "phoneCallProviderId": provider_id, "updatedAt": _iso(ring_ms)},
            ("status-update",),
            hook,
        ),
    ]
    if connected:
        live = {
            **base,
            "status": "in-progress",
            "phoneCallProviderId": provider_id,
            "startedAt": _iso(connect_ms),
            "updatedAt": _iso(connect_ms),
        }
        phases.append(Phase(connect_ms, 0, live, ("status-update",), hook))
        ended["startedAt"] = _iso(connect_ms)
        if dialed.outcome == "voicemail":
            ended["endedReason"] = "voicemail"
        end_ms = _ms(ended["endedAt"])
    else:
        ended.pop("startedAt", None)
        end_ms = connect_ms
        ended.update(endedAt=_iso(end_ms), endedReason=_VAPI_END[dialed.outcome], cost=0.0)
        ended["analysis"] = {"summary": _SUMMARIES[dialed.outcome]}
    updated_ms = max(end_ms + 3000, _ms(ended.get("updatedAt") or _iso(end_ms)))
    ended["status"] = "ended"
    ended["updatedAt"] = _iso(updated_ms)
    phases.append(Phase(updated_ms, 0, ended, ("status-update", "end-of-call-report"), hook))
    return phases


def _iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _ms(text: str) -> int:
    return int(datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() * 1000)


def retell_hook(agent: dict[str, Any]) -> Hook | None:
    url = agent.get("webhook_url")
    if not url:
        return None
    return Hook(url, tuple(agent.get("webhook_events") or _RETELL_DEFAULT_EVENTS))


def vapi_hook(assistant: dict[str, Any], public_assistant: dict[str, Any], default_secret: str) -> Hook | None:
    server = assistant.get("server") or {}
    url = server.get("url") or assistant.get("serverUrl")
    if not url:
        return None
    wanted = assistant.get("serverMessages")
    events = ("end-of-call-report",) + (("status-update",) if wanted and "status-update" in wanted else ())
    secret = server.get("secret") or assistant.get("serverUrlSecret") or default_secret
    return Hook(url, events, secret, {"assistant": public_assistant})
