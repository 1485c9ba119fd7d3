"""The simulator's memory: generated agents and calls per platform, and the knobs tests turn.

Calls are the generator's native dicts, stored once and never copied in bulk (Retell calls from
`generate_calls` share nested transcript objects, so they are read-only: a change replaces the
call's top-level dict). Each platform's data is generated on first use, so a benchmark that only
syncs one platform pays only for that one.

Every public method takes `lock`, so tests may call them from their own thread while the server
answers requests; the server holds the same lock while it reads.
"""

from __future__ import annotations

import bisect
import copy
import random
import threading
import time
from collections import deque
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from voiceconsole.platforms.simulator import generator
from voiceconsole.platforms.simulator.agents_store import AgentsStore
from voiceconsole.platforms.simulator.generator import (
    CALL_VARIANTS,
    PLATFORMS,
    generate_agents,
    generate_call,
    generate_calls,
    generate_live_call,
)
from voiceconsole.platforms.simulator.outbound import OutboundStore
from voiceconsole.platforms.simulator.signing import VAPI_AUTHS, VapiHmac

DEFAULT_API_KEYS = {"retell": "sim_retell_key", "vapi": "sim_vapi_key", "elevenlabs": "sim_elevenlabs_key"}
FAULT_STATUSES = (429, 500, 502, 503)
_NEW_CALL_GAP_MS = 5_000  # new calls start this far apart, after every existing call
_ANALYSIS_KEY = {"retell": "call_analysis", "vapi": "analysis", "elevenlabs": "analysis"}
_SUMMARY_KEY = {"retell": "call_summary", "vapi": "summary", "elevenlabs": "transcript_summary"}


# --------------------------------------------------------------------------------------------------
# Native-shape accessors (the one place that knows each platform's id and time fields)
# --------------------------------------------------------------------------------------------------


def check_platform(platform: str) -> None:
    if platform not in PLATFORMS:
        raise ValueError(f"unknown platform {platform!r}; expected one of {', '.join(PLATFORMS)}")


def call_id_of(platform: str, call: dict[str, Any]) -> str:
    return call[{"retell": "call_id", "vapi": "id", "elevenlabs": "conversation_id"}[platform]]


def agent_id_of(platform: str, agent: dict[str, Any]) -> str:
    return agent["id"] if platform == "vapi" else agent["agent_id"]


def call_agent_id(platform: str, call: dict[str, Any]) -> str | None:
    return call.get("assistantId") if platform == "vapi" else call.get("agent_id")


def call_time_ms(platform: str, call: dict[str, Any]) -> int | None:
    """What the platform lists and filters calls by: Retell `start_timestamp`, Vapi `createdAt`,
    ElevenLabs `metadata.start_time_unix_secs` (as epoch ms). None for a Retell call that never
    started (a dial that failed has no start_timestamp)."""
    if platform == "retell":
        start = call.get("start_timestamp")
        return None if start is None else int(start)
    if platform == "vapi":
        return iso_to_ms(call["createdAt"])
    return int(call["metadata"]["start_time_unix_secs"]) * 1000


def call_end_ms(platform: str, call: dict[str, Any]) -> int:
    if platform == "retell":
        return int(call.get("end_timestamp") or call.get("start_timestamp") or 0)
    if platform == "vapi":
        return iso_to_ms(call["updatedAt"])
    meta = call["metadata"]
    return (int(meta["start_time_unix_secs"]) + int(meta.get("call_duration_secs") or 0)) * 1000


def iso_to_ms(text: str) -> int:
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1000)


def ms_to_iso(ms: int) -> str:
    moment = datetime.fromtimestamp(ms / 1000, UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _utc(value: datetime | None) -> datetime:
    if value is None:
        return datetime.now(UTC)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def public(obj: dict[str, Any]) -> dict[str, Any]:
    """The object without the generator's private "_" keys (client name, Retell prompt/LLM)."""
    return {k: v for k, v in obj.items() if not k.startswith("_")}


# --------------------------------------------------------------------------------------------------
# Stores
# --------------------------------------------------------------------------------------------------


class CallStore:
    """One platform's calls, ordered by (list time, id): keyset cursors stay valid as calls arrive.

    Calls without a list time (Retell calls that never started) sit apart in `untimed`, by id: like
    NULLs they match no time bound, and lists put them after every timed call in either sort order.
    """

    def __init__(self, platform: str, calls: list[dict[str, Any]]) -> None:
        self.platform = platform
        self.by_id = {call_id_of(platform, c): c for c in calls}
        times = {cid: call_time_ms(platform, c) for cid, c in self.by_id.items()}
        self.keys: list[tuple[int, str]] = sorted((t, cid) for cid, t in times.items() if t is not None)
        self.untimed: list[str] = sorted(cid for cid, t in times.items() if t is None)

    def __len__(self) -> int:
        return len(self.by_id)

    def get(self, call_id: str) -> dict[str, Any] | None:
        return self.by_id.get(call_id)

    def add(self, call: dict[str, Any]) -> None:
        cid = call_id_of(self.platform, call)
        self.by_id[cid] = call
        at = call_time_ms(self.platform, call)
        if at is None:
            bisect.insort(self.untimed, cid)
        else:
            bisect.insort(self.keys, (at, cid))

    def replace(self, call: dict[str, Any]) -> None:
        """Swap in a changed copy of a stored call (its list time must not change)."""
        self.by_id[call_id_of(self.platform, call)] = call

    def put(self, call: dict[str, Any]) -> None:
        """Store a call, new or a later version of a stored one whose list time may have changed (a dialed Retell
        call gets its start_timestamp when it is answered)."""
        cid = call_id_of(self.platform, call)
        old = self.by_id.get(cid)
        if old is not None and call_time_ms(self.platform, old) == call_time_ms(self.platform, call):
            self.by_id[cid] = call
            return
        if old is not None:
            before = call_time_ms(self.platform, old)
            if before is None:
                self.untimed.remove(cid)
            else:
                self.keys.remove((before, cid))
        self.add(call)

    def newest_ms(self) -> int:
        return self.keys[-1][0] if self.keys else 0

    def window(self, lo_ms: int | None = None, hi_ms: int | None = None) -> tuple[int, int]:
        """Index range [start, end) of the calls whose time t satisfies lo_ms <= t < hi_ms."""
        start = 0 if lo_ms is None else bisect.bisect_left(self.keys, (lo_ms, ""))
        end = len(self.keys) if hi_ms is None else bisect.bisect_left(self.keys, (hi_ms, ""))
        return start, max(start, end)

    def walk(
        self,
        start: int,
        end: int,
        *,
        descending: bool,
        after: tuple[int | None, str] | None = None,
        untimed: bool = False,
    ) -> Iterator[dict[str, Any]]:
        """Calls in [start, end), in list order, then (with `untimed`) the calls without a time,
        strictly past the cursor position `after` ((time, id); time None: among the untimed)."""
        if after is not None and after[0] is None:
            start = end  # the cursor is past every timed call
        elif after is not None:
            if descending:
                end = min(end, bisect.bisect_left(self.keys, after))
            else:
                start = max(start, bisect.bisect_right(self.keys, after))
        indexes = range(end - 1, start - 1, -1) if descending else range(start, end)
        for i in indexes:
            yield self.by_id[self.keys[i][1]]
        if untimed:
            ids = reversed(self.untimed) if descending else iter(self.untimed)
            past = after[1] if after is not None and after[0] is None else None
            for cid in ids:
                if past is None or (cid < past if descending else cid > past):
                    yield self.by_id[cid]


@dataclass
class PlatformData:
    platform: str
    agents: dict[str, dict[str, Any]]  # by id, in generation order
    calls: CallStore
    removed_agents: dict[str, dict[str, Any]] = field(default_factory=dict)
    pending_analysis: dict[str, Any] = field(default_factory=dict)  # call id -> analysis not yet "ready"
    last_call_ms: dict[str, int] = field(default_factory=dict)  # agent id -> newest call time
    added: int = 0  # calls added after generation; seeds their randomness
    # Calls in progress: call id -> the same call once it has ended, swapped in when the clock passes its end.
    endings: dict[str, dict[str, Any]] = field(default_factory=dict)

    def note_call(self, call: dict[str, Any]) -> None:
        agent = call_agent_id(self.platform, call)
        t = call_time_ms(self.platform, call)
        if agent and t is not None:
            self.last_call_ms[agent] = max(t, self.last_call_ms.get(agent, 0))


@dataclass
class Fault:
    """The next `remaining` requests to a platform (under `path_prefix`, if set) fail with `status`."""

    platform: str
    status: int = 429
    remaining: int = 1
    retry_after: float | None = 1.0  # seconds, sent as Retry-After
    path_prefix: str | None = None  # relative to the platform base, e.g. "/v3/list-calls"

    def matches(self, path: str) -> bool:
        return self.remaining > 0 and (not self.path_prefix or path.startswith(self.path_prefix))


@dataclass(frozen=True)
class WebhookSigning:
    """How `/_sim/webhook` signs Vapi messages when a request does not say: the credential type
    ("hmac", "secret" or "bearer") and, for "hmac", the HMAC plan."""

    vapi_auth: str = "hmac"
    vapi_hmac: VapiHmac = field(default_factory=VapiHmac)

    def describe(self) -> dict[str, Any]:
        return {"vapi_auth": self.vapi_auth, "vapi_hmac": self.vapi_hmac.as_plan()}


@dataclass(frozen=True)
class RequestRecord:
    at: float  # epoch seconds
    platform: str
    method: str
    path: str  # relative to the platform base
    query: str
    status: int


# --------------------------------------------------------------------------------------------------
# The state
# --------------------------------------------------------------------------------------------------


class SimulatorState:
    """Agents and calls of the three platforms, generated deterministically from `seed`.

    `calls_per_platform` is a count or a {platform: count} mapping (platforms left out get none).
    `now` fixes the moment the history ends (default: the wall clock at construction); the
    simulated clock then advances with the wall clock, and jumps forward when calls are added so
    that every added call has ended "by now". Calls in progress (the newest few generated, and
    `add_live_calls`) end when the clock reaches their end.
    """

    def __init__(
        self,
        seed: int = 7,
        agents_per_platform: int = 12,
        calls_per_platform: int | Mapping[str, int] = 2000,
        days: int = 90,
        api_keys: Mapping[str, str] | None = None,
        now: datetime | None = None,
        *,
        request_log_size: int = 10_000,
    ) -> None:
        if isinstance(calls_per_platform, Mapping):
            for platform in calls_per_platform:
                check_platform(platform)
            self.calls_per_platform = {p: int(calls_per_platform.get(p, 0)) for p in PLATFORMS}
        else:
            self.calls_per_platform = dict.fromkeys(PLATFORMS, int(calls_per_platform))
        if agents_per_platform < 1:
            raise ValueError("agents_per_platform must be at least 1")
        self.seed = seed
        self.agents_per_platform = agents_per_platform
        self.days = days
        self.api_keys = {**DEFAULT_API_KEYS, **(api_keys or {})}
        self.now = _utc(now)
        self.lock = threading.RLock()
        self.requests: deque[RequestRecord] = deque(maxlen=request_log_size)
        self._started = time.monotonic()
        self.reset()

    # -- data ------------------------------------------------------------------------------------

    def data(self, platform: str) -> PlatformData:
        """The platform's agents and calls, generated on first use; calls in progress whose time is up have
        ended (see `_end_due_calls`)."""
        check_platform(platform)
        with self.lock:
            found = self._data.get(platform)
            if found is None:
                found = self._data[platform] = self._generate(platform)
            if found.endings:
                self._end_due_calls(found)
            if self.outbound.pending(platform):  # dialed calls move on (outbound.py)
                for call in self.outbound.due(platform, self.clock_ms()):
                    found.calls.put(call)
                    found.note_call(call)
            return found

    def warm(self) -> None:
        """Generate every platform now rather than on its first request."""
        for platform in PLATFORMS:
            self.data(platform)

    def _generate(self, platform: str) -> PlatformData:
        agents = generate_agents(platform, seed=self.seed, count=self.agents_per_platform, now=self.now)
        count = self.calls_per_platform[platform]
        endings: dict[str, dict[str, Any]] = {}
        calls = (
            list(
                generate_calls(
                    platform, agents, seed=self.seed, count=count, days=self.days, now=self.now, endings=endings
                )
            )
            if count
            else []
        )
        data = PlatformData(platform, {agent_id_of(platform, a): a for a in agents}, CallStore(platform, calls))
        data.endings = endings
        for call in calls:
            data.note_call(call)
        return data

    def _end_due_calls(self, data: PlatformData) -> None:
        """Calls in progress end when the clock reaches their end (for Vapi, their `updatedAt`, a few seconds
        later, when the analysis is in): the stored call becomes its ended version, with the same id and
        start, so lists keep their order and `updatedAtGt` finds it."""
        now = self.clock_ms()
        for call_id, ended in list(data.endings.items()):
            if call_end_ms(data.platform, ended) <= now:
                del data.endings[call_id]
                data.calls.replace(ended)

    def advance_clock(self, ms: int) -> int:
        """Move the simulated clock `ms` forward (never back); return the new "now"."""
        with self.lock:
            self._skew_ms += max(0, int(ms))
            return self.clock_ms()

    def clock_ms(self) -> int:
        """The simulated "now" in epoch ms."""
        elapsed = time.monotonic() - self._started
        return int(self.now.timestamp() * 1000 + elapsed * 1000) + self._skew_ms

    def reset(self) -> None:
        """Back to freshly generated data (regenerated lazily), valid keys, no faults, empty log."""
        with self.lock:
            self._data: dict[str, PlatformData] = {}
            self._faults: list[Fault] = []
            self._key_valid = dict.fromkeys(PLATFORMS, True)
            self._skew_ms = 0
            self.webhook_signing = WebhookSigning()
            self.builder = AgentsStore()  # what the agent-writing endpoints keep (agents_store.py)
            self.outbound = OutboundStore()  # dials, their calls to come and the dial faults (outbound.py)
            self.requests.clear()

    def summary(self) -> dict[str, Any]:
        with self.lock:
            return {
                platform: {
                    "api_key": self.api_keys[platform],
                    "key_valid": self._key_valid[platform],
                    "generated": platform in self._data,
                    "agents": len(self._data[platform].agents) if platform in self._data else None,
                    "calls": len(self._data[platform].calls) if platform in self._data else None,
                    "faults": [asdict(f) for f in self._faults if f.platform == platform and f.remaining > 0],
                }
                | ({"webhook_signing": self.webhook_signing.describe()} if platform == "vapi" else {})
                for platform in PLATFORMS
            }

    # -- auth and faults -------------------------------------------------------------------------

    def key_accepted(self, platform: str, presented: str | None) -> bool:
        with self.lock:
            return self._key_valid[platform] and presented == self.api_keys[platform]

    def invalidate_key(self, platform: str) -> None:
        """From now on the platform answers 401, as if the key had been revoked."""
        check_platform(platform)
        with self.lock:
            self._key_valid[platform] = False

    def restore_key(self, platform: str) -> None:
        check_platform(platform)
        with self.lock:
            self._key_valid[platform] = True

    def fail_next(
        self,
        platform: str,
        count: int = 1,
        status: int = 429,
        *,
        retry_after: float | None = None,
        path_prefix: str | None = None,
    ) -> Fault:
        """Make the next `count` requests to `platform` (optionally only under `path_prefix`) fail.

        429 answers carry `Retry-After: <retry_after>` (default 1 s); 500/502/503 carry it only
        when given. Faults queue up: the oldest matching one is used first.
        """
        check_platform(platform)
        if status not in FAULT_STATUSES:
            raise ValueError(f"status must be one of {FAULT_STATUSES}")
        if count < 1:
            raise ValueError("count must be at least 1")
        if path_prefix and not path_prefix.startswith("/"):
            path_prefix = "/" + path_prefix
        if retry_after is None and status == 429:
            retry_after = 1.0
        fault = Fault(platform, status, count, retry_after, path_prefix)
        with self.lock:
            self._faults.append(fault)
        return fault

    def clear_faults(self, platform: str | None = None) -> None:
        with self.lock:
            self._faults = [f for f in self._faults if platform is not None and f.platform != platform]

    def take_fault(self, platform: str, path: str) -> Fault | None:
        """Use up one failure for this request, if one is queued for it."""
        with self.lock:
            for fault in self._faults:
                if fault.platform == platform and fault.matches(path):
                    fault.remaining -= 1
                    self._faults = [f for f in self._faults if f.remaining > 0]
                    return fault
            return None

    def set_webhook_signing(
        self, *, vapi_auth: str | None = None, vapi_hmac: Mapping[str, Any] | VapiHmac | None = None
    ) -> WebhookSigning:
        """Change how `/_sim/webhook` signs Vapi messages by default (settings left out stay)."""
        with self.lock:
            current = self.webhook_signing
            auth = current.vapi_auth if vapi_auth is None else vapi_auth
            if auth not in VAPI_AUTHS:
                raise ValueError(f"vapi_auth must be one of {', '.join(VAPI_AUTHS)}")
            plan = current.vapi_hmac if vapi_hmac is None else VapiHmac.from_plan(vapi_hmac)
            self.webhook_signing = WebhookSigning(auth, plan)
            return self.webhook_signing

    def record(self, platform: str, method: str, path: str, query: str, status: int) -> None:
        with self.lock:
            self.requests.append(RequestRecord(time.time(), platform, method, path, query, status))

    def request_log(self, platform: str | None = None) -> list[RequestRecord]:
        """A copy of the recent requests (oldest first), optionally for one platform."""
        with self.lock:
            return [r for r in self.requests if platform is None or r.platform == platform]

    # -- changes over time -----------------------------------------------------------------------

    def add_calls(
        self,
        platform: str,
        count: int = 1,
        *,
        agent_id: str | None = None,
        analyzed: bool = True,
        variant: str | None = None,
    ) -> list[dict[str, Any]]:
        """Add `count` completed calls that start after every existing call; return copies of them.

        With `analyzed=False` the calls are conversations (there is an analysis to wait for) and the
        analysis is held back (Retell: no `call_analysis`; Vapi: no `analysis`; ElevenLabs: no
        `analysis` and status "processing") until `update_analysis`.
        `variant` (one of `CALL_VARIANTS[platform]`, e.g. "not_connected") makes every added call
        that variant. A Retell call that never connected has no start_timestamp, so start-time
        queries never find it; it still moves the clock on.
        """
        if count < 1:
            raise ValueError("count must be at least 1")
        check_platform(platform)
        if variant is not None and variant not in CALL_VARIANTS[platform]:
            raise ValueError(f"{platform} has no call variant {variant!r}; expected one of {CALL_VARIANTS[platform]}")
        with self.lock:
            data = self.data(platform)
            if agent_id is not None and agent_id not in data.agents:
                raise KeyError(f"no {platform} agent {agent_id!r}")
            agents = [data.agents[agent_id]] if agent_id else list(data.agents.values())
            if not agents:
                raise ValueError(f"{platform} has no agents left")
            start_ms = max(self.clock_ms(), data.calls.newest_ms() + _NEW_CALL_GAP_MS)
            latest_end, added = 0, []
            for _ in range(count):
                rng = random.Random(f"{self.seed}|{platform}|added|{data.added}")
                data.added += 1
                started = datetime.fromtimestamp(start_ms / 1000, UTC)
                agent = rng.choice(agents)
                talked = not analyzed and variant is None
                call = generate_call(platform, agent, rng=rng, started_at=started, variant=variant, conversation=talked)
                if not analyzed:
                    self._hold_analysis(data, call)
                data.calls.add(call)
                data.note_call(call)
                added.append(copy.deepcopy(call))
                latest_end = max(latest_end, call_end_ms(platform, call))
                start_ms = max(start_ms, call_time_ms(platform, call) or start_ms) + _NEW_CALL_GAP_MS
            self._skew_ms += max(0, latest_end + 1000 - self.clock_ms())  # time passes: the calls are over
            return added

    def add_live_calls(self, platform: str, count: int = 1, *, agent_id: str | None = None) -> list[dict[str, Any]]:
        """Add `count` calls in progress now (each 20–90% of the way through a conversation), all starting
        after every existing call (the clock moves on if need be); return copies of them. Each ends by
        itself when the clock reaches its end, or at once with `end_call`."""
        if count < 1:
            raise ValueError("count must be at least 1")
        check_platform(platform)
        with self.lock:
            data = self.data(platform)
            if agent_id is not None and agent_id not in data.agents:
                raise KeyError(f"no {platform} agent {agent_id!r}")
            agents = [data.agents[agent_id]] if agent_id else list(data.agents.values())
            if not agents:
                raise ValueError(f"{platform} has no agents left")
            seeds = [f"{self.seed}|{platform}|added|{data.added + i}" for i in range(count)]
            data.added += count

            def live_at(now_ms: int) -> list[tuple[dict[str, Any], dict[str, Any]]]:
                now = datetime.fromtimestamp(now_ms / 1000, UTC)
                made = []
                for seed in seeds:
                    rng = random.Random(seed)
                    made.append(generate_live_call(platform, rng.choice(agents), rng=rng, now=now))
                return made

            now_ms = self.clock_ms()
            calls = live_at(now_ms)
            # They must start after every existing call (so incremental syncs find them): time passes if needed.
            earliest = min(call_time_ms(platform, call) or now_ms for call, _ in calls)
            shift = max(0, data.calls.newest_ms() + _NEW_CALL_GAP_MS - earliest)
            if shift:
                self._skew_ms += shift
                calls = live_at(now_ms + shift)  # the same calls, later
            for call, ended in calls:
                data.calls.add(call)
                data.note_call(call)
                data.endings[call_id_of(platform, call)] = ended
            return [copy.deepcopy(call) for call, _ in calls]

    def end_call(self, platform: str, call_id: str) -> dict[str, Any]:
        """End a call in progress now (the clock moves on to its end) and return a copy of the ended call."""
        with self.lock:
            data = self.data(platform)
            ended = data.endings.get(call_id)
            if ended is None:
                raise KeyError(f"no {platform} call {call_id!r} in progress")
            self._skew_ms += max(0, call_end_ms(platform, ended) - self.clock_ms())
            self._end_due_calls(data)
            return copy.deepcopy(ended)

    def live_call_ids(self, platform: str) -> list[str]:
        """The calls of the platform still in progress."""
        with self.lock:
            return sorted(self.data(platform).endings)

    def _hold_analysis(self, data: PlatformData, call: dict[str, Any]) -> None:
        call_id = call_id_of(data.platform, call)
        data.pending_analysis[call_id] = call.pop(_ANALYSIS_KEY[data.platform], None)
        if data.platform == "vapi":
            call["updatedAt"] = call.get("endedAt") or call["updatedAt"]
        elif data.platform == "elevenlabs":
            call["status"] = "processing"

    def update_analysis(self, platform: str, call_id: str, analysis: dict[str, Any] | None = None) -> dict[str, Any]:
        """Give a call its analysis "later" and return a copy of the updated call.

        Uses `analysis` if given, else the analysis held back by `add_calls(analyzed=False)`, else
        the current analysis with " (re-analysed)" appended to its summary. Vapi's `updatedAt`
        moves to now (so `updatedAtGt` finds the call); ElevenLabs "processing" becomes "done".
        """
        with self.lock:
            data = self.data(platform)
            call = data.calls.get(call_id)
            if call is None:
                raise KeyError(f"no {platform} call {call_id!r}")
            held = data.pending_analysis.pop(call_id, None)
            if analysis is None:
                analysis = held if held is not None else _reanalysed(platform, call)
            updated = dict(call)  # a new top-level dict: nested objects may be shared with other calls
            updated[_ANALYSIS_KEY[platform]] = analysis
            if platform == "vapi":
                updated["updatedAt"] = ms_to_iso(max(self.clock_ms(), iso_to_ms(call["updatedAt"]) + 1))
            elif platform == "elevenlabs" and updated.get("status") == "processing":
                updated["status"] = "done"
            data.calls.replace(updated)
            return copy.deepcopy(updated)

    def remove_agent(self, platform: str, agent_id: str) -> dict[str, Any]:
        """Delete an agent on the platform (its calls stay); return it."""
        with self.lock:
            data = self.data(platform)
            agent = data.agents.pop(agent_id, None)
            if agent is None:
                raise KeyError(f"no {platform} agent {agent_id!r}")
            data.removed_agents[agent_id] = agent
            return copy.deepcopy(agent)

    # -- derived objects -------------------------------------------------------------------------

    def retell_llm(self, llm_id: str, version: int | None = None) -> dict[str, Any] | None:
        """A Retell LLM: one written through the API (its `version`, default the latest), else a generated
        agent's."""
        with self.lock:
            written = self.builder.retell_llm(llm_id, version)
            if written is not None or llm_id in self.builder.retell_llms:
                return written
            for agent in self.data("retell").agents.values():
                llm = agent.get("_llm") or {}
                if llm.get("llm_id") == llm_id:
                    return llm
            return None

    def vapi_phone_numbers(self) -> list[dict[str, Any]]:
        """One Twilio number per assistant, matching the `phoneNumberId` on its calls."""
        with self.lock:
            return [_vapi_phone_number(a) for a in self.data("vapi").agents.values()]


def _reanalysed(platform: str, call: dict[str, Any]) -> dict[str, Any]:
    current = call.get(_ANALYSIS_KEY[platform])
    if not current:
        raise ValueError("the call has no analysis to redo; pass one")
    summary_key = _SUMMARY_KEY[platform]
    return {**current, summary_key: f"{current.get(summary_key) or ''} (re-analysed)".strip()}


def _vapi_phone_number(assistant: dict[str, Any]) -> dict[str, Any]:
    _, number, phone_number_id, _ = generator._traits("vapi", assistant["id"])
    return {
        "id": phone_number_id,
        "orgId": assistant.get("orgId"),
        "provider": "twilio",
        "number": number,
        "name": (assistant.get("name") or "")[:40],
        "assistantId": assistant["id"],
        "status": "active",
        "twilioAccountSid": "AC" + phone_number_id.replace("-", "")[:32],
        "createdAt": assistant["createdAt"],
        "updatedAt": assistant["createdAt"],
    }
