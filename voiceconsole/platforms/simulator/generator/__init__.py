"""Deterministic generator of realistic voice-agency traffic, in each platform's own JSON shape.

Field names and units follow docs/platform-apis.md: Retell get-call / agent objects, Vapi Call /
Assistant objects, ElevenLabs conversation / agent objects (plus the ElevenLabs list summary).

How it stays fast: a conversation (script, word timestamps, latencies, analysis) is built once per
"variant" and reused by many calls, so a call costs little more than its top-level dict. Calls from
`generate_calls` therefore share their nested transcript structures: treat them as read-only.
`generate_call` builds everything fresh, so its result may be changed freely.

Layout (each module imports only the ones listed before it): `catalog` (clients, industries, names,
voices, agent traits and specs), `scripts` (conversation scripts and the scenario mix), `conversation`
(timing and the platform-neutral conversation), `retell`, `vapi` and `elevenlabs` (one platform's
rendering each) and `traffic` (`generate_agents`, `generate_calls`, `generate_call`, `generate_live_call`,
`call_list_item`).
This package re-exports what the rest of the code imports from it.
"""

from voiceconsole.platforms.simulator.generator.catalog import DEMO_CLIENTS, DemoClient, _traits
from voiceconsole.platforms.simulator.generator.traffic import (
    _DAY_WEIGHT,
    _HOUR_WEIGHT,
    _LOCAL_UTC_OFFSET_H,
    CALL_VARIANTS,
    PLATFORMS,
    call_list_item,
    generate_agents,
    generate_call,
    generate_calls,
    generate_live_call,
)

__all__ = [  # noqa: RUF022 (public names first, then the private ones other code reads)
    "CALL_VARIANTS",
    "DEMO_CLIENTS",
    "PLATFORMS",
    "DemoClient",
    "call_list_item",
    "generate_agents",
    "generate_call",
    "generate_calls",
    "generate_live_call",
    # Private names other code reads: state.py (_traits), benchmarks/api_latency.py (the volume weights).
    "_DAY_WEIGHT",
    "_HOUR_WEIGHT",
    "_LOCAL_UTC_OFFSET_H",
    "_traits",
]
