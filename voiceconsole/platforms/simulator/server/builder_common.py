"""What the agent-writing routes of the three platforms share (builder_retell.py, builder_vapi.py,
builder_elevenlabs.py): `write_route`, a write endpoint that the write faults of `AgentsStore` can fail first.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from voiceconsole.platforms.simulator.server.pipeline import ApiError, Handler, _Incoming, _PlatformApi
from voiceconsole.platforms.simulator.state import SimulatorState


def write_route(api: _PlatformApi, state: SimulatorState, method: str, path: str) -> Callable[[Handler], Handler]:
    """Register a write endpoint; a write fault queued for it (`state.builder.fail_writes`) answers first."""

    def register(handler: Handler) -> Handler:
        def guarded(req: _Incoming) -> Any:
            fault = state.builder.take_fault(api.platform, path.format_map(dict(req.params)))
            if fault is not None:
                raise ApiError(fault.status, fault.message)
            return handler(req)

        api.route(method, path)(guarded)
        return handler

    return register


def drop_private(obj: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in obj.items() if not k.startswith("_")}
