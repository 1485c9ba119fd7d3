"""Traffic: the public entry points. `generate_agents` spreads native agent objects over the demo clients;
`generate_calls` yields a history of native calls whose volume follows local hour and weekday
(`_HOUR_WEIGHT`, `_DAY_WEIGHT`), reusing a bounded set of conversation variants per agent and scenario;
`generate_call` builds one fresh call, `generate_live_call` one in progress (and its ending); `call_list_item`
gives a call's list-endpoint shape.
"""

from __future__ import annotations

import bisect
import random
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from itertools import accumulate
from typing import Any

from voiceconsole.platforms.simulator.generator.catalog import (
    _AGENT_ROLES,
    DEMO_CLIENTS,
    DemoClient,
    _AgentSpec,
    _phone,
    _Profile,
    _profile,
    _vapi_id,
)
from voiceconsole.platforms.simulator.generator.conversation import _build, _Conversation
from voiceconsole.platforms.simulator.generator.elevenlabs import _el_agent, _el_call
from voiceconsole.platforms.simulator.generator.retell import _retell_agent, _retell_call
from voiceconsole.platforms.simulator.generator.scripts import _SCENARIOS, _pick_scenario, _s_no_answer
from voiceconsole.platforms.simulator.generator.vapi import _vapi_agent, _vapi_call

PLATFORMS = ("retell", "vapi", "elevenlabs")
# Variants `generate_call` can be asked for (bulk generation makes each for a share of the calls; see
# the renderers' docstrings): "not_connected" an outbound dial nobody took (no-answer or busy);
# Vapi "queue_error" such a dial that never left Vapi's queue; ElevenLabs "credits_only" (no USD
# cost) and "blank_termination_reason" (termination_reason "").
CALL_VARIANTS: dict[str, tuple[str, ...]] = {
    "retell": ("not_connected",),
    "vapi": ("not_connected", "queue_error"),
    "elevenlabs": ("not_connected", "credits_only", "blank_termination_reason"),
}
_NOT_CONNECTED = ("not_connected", "queue_error")
_NO_ANSWER = next(s for s in _SCENARIOS if s.script is _s_no_answer)
_NO_VARIANT: frozenset[str] = frozenset()
_VARIANTS_PER_SCENARIO = 48  # distinct conversations per (agent, scenario) in a bulk run
_LOCAL_UTC_OFFSET_H = -5  # the demo businesses sit in US Eastern time (DST ignored on purpose)


# --------------------------------------------------------------------------------------------------
# Agents
# --------------------------------------------------------------------------------------------------


def generate_agents(
    platform: str, *, seed: int, count: int, clients: list[DemoClient] | None = None, now: datetime | None = None
) -> list[dict[str, Any]]:
    """Native agent objects spread round-robin over `clients` (default DEMO_CLIENTS).

    Extra keys, not part of the platform shape, start with "_": `_client` (client name) everywhere;
    for Retell also `_prompt` and `_llm` (the Retell LLM object the response engine points at, which
    holds the prompt and model).
    """
    _check_platform(platform)
    clients = clients or DEMO_CLIENTS
    rng = random.Random(seed)
    now = _utc(now)
    org_id = _vapi_id(rng)
    agents = []
    for i in range(count):
        client = clients[i % len(clients)]
        lap, slot = divmod(i // len(clients), len(_AGENT_ROLES))
        role = _AGENT_ROLES[slot] + (f" {lap + 1}" if lap else "")
        updated = now - timedelta(days=rng.uniform(1, 60), seconds=rng.randrange(86400))
        created = updated - timedelta(days=rng.uniform(5, 200))
        spec = _AgentSpec(client, role, f"{client.name} – {role}", created, updated)
        if platform == "retell":
            agents.append(_retell_agent(rng, spec))
        elif platform == "vapi":
            agents.append(_vapi_agent(rng, spec, org_id))
        else:
            agents.append(_el_agent(rng, spec))
    return agents


# --------------------------------------------------------------------------------------------------
# Calls
# --------------------------------------------------------------------------------------------------

_Renderer = Callable[
    [_Profile, _Conversation, random.Random, int, str, bool, float | None, frozenset[str]], dict[str, Any]
]
_RENDERERS: dict[str, _Renderer] = {"retell": _retell_call, "vapi": _vapi_call, "elevenlabs": _el_call}
_ID_KEYS = {"retell": "call_id", "vapi": "id", "elevenlabs": "conversation_id"}


def _call_id(platform: str, call: dict[str, Any]) -> str:
    return str(call[_ID_KEYS[platform]])


def _live_and_ended(
    render: _Renderer,
    profile: _Profile,
    conv: _Conversation,
    rng: random.Random,
    start_ms: int,
    other: str,
    web: bool,
    elapsed: float,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """One call `elapsed` seconds into its conversation, and the same call once it has ended. The ended
    one is drawn from a copy of `rng` (same id, same start), so `rng` moves on exactly as for the live
    call alone and every call generated after it stays as it was."""
    twin = random.Random()
    twin.setstate(rng.getstate())
    live = render(profile, conv, rng, start_ms, other, web, elapsed, _NO_VARIANT)
    ended = render(profile, conv, twin, start_ms, other, web, None, _NO_VARIANT)
    return live, ended


_WEB_SHARE = 0.04  # of webable inbound calls, arriving through a website widget instead of the phone
# Relative call volume by local hour (0-23) and weekday (Mon-Sun).
_HOUR_WEIGHT = (
    0.02,
    0.01,
    0.01,
    0.01,
    0.01,
    0.02,
    0.05,
    0.3,
    0.8,
    1.0,
    1.0,
    1.0,
    0.8,
    1.0,
    1.0,
    1.0,
    0.9,
    0.6,
    0.35,
    0.2,
    0.15,
    0.1,
    0.05,
    0.03,
)
_DAY_WEIGHT = (1.0, 1.0, 1.0, 1.0, 0.95, 0.35, 0.15)


def _check_platform(platform: str) -> None:
    if platform not in PLATFORMS:
        raise ValueError(f"unknown platform {platform!r}; expected one of {', '.join(PLATFORMS)}")


def _utc(value: datetime | None) -> datetime:
    if value is None:
        return datetime.now(UTC)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _start_times(rng: random.Random, n: int, begin: float, end: float) -> list[float]:
    """`n` sorted epoch seconds in [begin, end), weighted towards weekday business hours."""
    lows, spans, weights = [], [], []
    hour = begin - begin % 3600
    while hour < end:
        lo, hi = max(hour, begin), min(hour + 3600, end)
        local = datetime.fromtimestamp(hour + _LOCAL_UTC_OFFSET_H * 3600, UTC)
        lows.append(lo)
        spans.append(hi - lo)
        weights.append(_HOUR_WEIGHT[local.hour] * _DAY_WEIGHT[local.weekday()] * (hi - lo))
        hour += 3600
    buckets = rng.choices(range(len(lows)), weights=weights, k=n)
    return sorted(lows[b] + spans[b] * rng.random() for b in buckets)


def generate_calls(
    platform: str,
    agents: list[dict[str, Any]],
    *,
    seed: int,
    count: int,
    days: int = 90,
    now: datetime | None = None,
    endings: dict[str, dict[str, Any]] | None = None,
) -> Iterator[dict[str, Any]]:
    """Yield `count` native call objects spread over the last `days` days, oldest first.

    The newest handful (up to 8, one per 100 calls) are still in progress at `now`, 20–90% of the way
    through their conversation. With `endings` given, each of those calls' finished version (the same
    call once it has ended, analysis included) is put there under its id, for a simulator to switch to
    when the call's time is up. Deterministic for a given seed, agents and `now`. Nested transcript
    structures are shared between calls: treat as read-only.
    """
    _check_platform(platform)
    if not agents:
        raise ValueError("generate_calls needs at least one agent")
    if days <= 0:
        raise ValueError("days must be positive")
    rng = random.Random(seed)
    now_s = _utc(now).timestamp()
    render = _RENDERERS[platform]
    profiles = [_profile(platform, a) for a in agents]
    busyness = [0.5 + 1.5 * rng.random() for _ in profiles]  # some agents are busier than others
    # Each direction goes to the agents whose role handles it (any agent if none does).
    pools = {}
    for direction in ("inbound", "outbound"):
        members = [i for i, p in enumerate(profiles) if direction in p.directions] or list(range(len(profiles)))
        pools[direction] = (members, list(accumulate(busyness[i] for i in members)))
    callers = max(200, count // 3)  # a caller pool small enough that people call more than once
    cache: dict[tuple[int, int, int], _Conversation] = {}

    def conversation(ai: int, si: int) -> _Conversation:
        vi = int(rng.random() * _VARIANTS_PER_SCENARIO)
        key = (ai, si, vi)
        conv = cache.get(key)
        if conv is None:
            scenario = _SCENARIOS[si]
            # Stratified outcomes: exactly p_success of a scenario's variants succeed.
            ok = (vi + 0.5) / _VARIANTS_PER_SCENARIO < scenario.p_success
            variant_rng = random.Random(f"{seed}|{profiles[ai].agent_id}|{si}|{vi}")
            conv = cache[key] = _build(profiles[ai], scenario, variant_rng, ok)
        return conv

    def one(start_s: float, live: bool) -> tuple[float, dict[str, Any]]:
        si = _pick_scenario(rng)
        while live and not _SCENARIOS[si].turns:  # live calls are real conversations
            si = _pick_scenario(rng)
        members, cum = pools[_SCENARIOS[si].direction]
        ai = members[bisect.bisect(cum, rng.random() * cum[-1])]
        conv = conversation(ai, si)
        web = conv.webable and rng.random() < _WEB_SHARE
        other = _phone(rng.randrange(callers))
        if not live:
            return start_s, render(profiles[ai], conv, rng, int(start_s * 1000), other, web, None, _NO_VARIANT)
        elapsed = conv.duration * (0.2 + 0.7 * rng.random())
        start_s = now_s - elapsed
        call, ended = _live_and_ended(render, profiles[ai], conv, rng, int(start_s * 1000), other, web, elapsed)
        if endings is not None:
            endings[_call_id(platform, call)] = ended
        return start_s, call

    live = min(8, count // 100)
    # Completed calls start at least 10 minutes ago, so every one of them has ended by `now`.
    for start_s in _start_times(rng, count - live, now_s - days * 86400 + 60, now_s - 600):
        yield one(start_s, False)[1]
    for _, call in sorted((one(0.0, True) for _ in range(live)), key=lambda pair: pair[0]):
        yield call


def generate_call(
    platform: str,
    agent: dict[str, Any],
    *,
    rng: random.Random,
    started_at: datetime,
    variant: str | None = None,
    conversation: bool = False,
) -> dict[str, Any]:
    """One completed call for `agent`, built fresh (nothing shared), e.g. to feed a webhook.

    `variant` (one of `CALL_VARIANTS[platform]`) asks for that variant instead of leaving it to chance;
    `conversation=True` for a call in which people talked (no missed dial or one-line hang-up), as
    live calls are.
    """
    _check_platform(platform)
    if variant is not None and variant not in CALL_VARIANTS[platform]:
        raise ValueError(f"{platform} has no call variant {variant!r}; expected one of {CALL_VARIANTS[platform]}")
    agent = _as_live(agent)
    profile = _profile(platform, agent)
    if variant in _NOT_CONNECTED:
        scenario = _NO_ANSWER
    else:
        scenario = _SCENARIOS[_pick_scenario(rng, profile.directions)]
        while conversation and not scenario.turns:
            scenario = _SCENARIOS[_pick_scenario(rng, profile.directions)]
    conv = _build(profile, scenario, rng, rng.random() < _success_chance(scenario.p_success, agent))
    web = conv.webable and rng.random() < _WEB_SHARE
    start_ms = int(_utc(started_at).timestamp() * 1000)
    wanted = frozenset((variant,)) if variant else _NO_VARIANT
    return _RENDERERS[platform](profile, conv, rng, start_ms, _phone(rng.randrange(10_000_000)), web, None, wanted)


def generate_live_call(
    platform: str, agent: dict[str, Any], *, rng: random.Random, now: datetime
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A call in progress at `now` (20–90% of the way through a conversation) and the same call once it
    has ended (`generate_calls` makes its newest calls so); both built fresh (nothing shared)."""
    _check_platform(platform)
    agent = _as_live(agent)
    profile = _profile(platform, agent)
    scenario = _SCENARIOS[_pick_scenario(rng, profile.directions)]
    while not scenario.turns:  # live calls are real conversations
        scenario = _SCENARIOS[_pick_scenario(rng, profile.directions)]
    conv = _build(profile, scenario, rng, rng.random() < _success_chance(scenario.p_success, agent))
    web = conv.webable and rng.random() < _WEB_SHARE
    elapsed = conv.duration * (0.2 + 0.7 * rng.random())
    start_ms = int((_utc(now).timestamp() - elapsed) * 1000)
    other = _phone(rng.randrange(10_000_000))
    return _live_and_ended(_RENDERERS[platform], profile, conv, rng, start_ms, other, web, elapsed)


def _as_live(agent: dict[str, Any]) -> dict[str, Any]:
    """The agent as its calls see it: an agent written through the simulator's API keeps, under "_live", what its
    published version differs in (Retell: `version`)."""
    live = agent.get("_live")
    return {**agent, **live} if live else agent


def _success_chance(p_success: float, agent: dict[str, Any]) -> float:
    """The scenario's success rate, times the quality of the agent's prompt for an agent written through the
    simulator's API ("_quality", see agents_store.py); generated agents keep the scenario's rate."""
    quality = agent.get("_quality")
    return p_success if quality is None else p_success * float(quality)


def call_list_item(platform: str, call: dict[str, Any]) -> dict[str, Any]:
    """The shape a call has in the platform's list endpoint (Retell v3 items, ElevenLabs summaries)."""
    _check_platform(platform)
    if platform == "retell":
        # v3 list items leave the transcripts out.
        left_out = ("transcript", "transcript_object", "transcript_with_tool_calls")
        return {k: v for k, v in call.items() if k not in left_out}
    if platform == "vapi":
        return dict(call)  # GET /call returns full Call objects
    meta = call.get("metadata") or {}
    analysis = call.get("analysis") or {}
    summary: dict[str, Any] = {
        "agent_id": call["agent_id"],
        "agent_name": call.get("agent_name"),
        "conversation_id": call["conversation_id"],
        "start_time_unix_secs": meta.get("start_time_unix_secs"),
        "call_duration_secs": meta.get("call_duration_secs", 0),
        "cost_fiat": meta.get("cost_fiat"),
        "message_count": len(call.get("transcript") or []),
        "status": call.get("status"),
        "termination_reason": meta.get("termination_reason"),
        "call_successful": analysis.get("call_successful", "unknown"),
        "transcript_summary": analysis.get("transcript_summary"),
        "direction": (meta.get("phone_call") or {}).get("direction"),
        "main_language": meta.get("main_language"),
    }
    label = ((analysis.get("data_collection_results") or {}).get("sentiment") or {}).get("value")
    if label:
        score = {"positive": 0.7, "neutral": 0.0, "negative": -0.6}[label]
        summary["sentiment_analysis"] = {
            "overall_label": label,
            "overall_sentiment_score": score,
            "overall_frustration_score": max(0.0, -score),
            "min_user_sentiment_score": min(0.0, score),
            "max_user_frustration_score": max(0.0, -score),
            "num_scored_user_turns": sum(1 for t in call.get("transcript") or [] if t.get("role") == "user"),
        }
    return summary
