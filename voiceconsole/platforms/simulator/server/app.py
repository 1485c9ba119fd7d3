"""The simulator app: `create_app` builds one FastAPI app serving a `SimulatorState`, with a
`_PlatformApi` router per platform (routes from the retell, vapi and elevenlabs modules), the control
API under `/_sim` and the notification inbox. The endpoints are documented in the package docstring.
"""

from __future__ import annotations

from fastapi import FastAPI

from voiceconsole.platforms.simulator.inbox import Inbox, inbox_routes
from voiceconsole.platforms.simulator.server.builder_elevenlabs import _builder_elevenlabs_routes
from voiceconsole.platforms.simulator.server.builder_retell import _builder_retell_routes
from voiceconsole.platforms.simulator.server.builder_vapi import _builder_vapi_routes
from voiceconsole.platforms.simulator.server.control import _control_routes
from voiceconsole.platforms.simulator.server.elevenlabs import _elevenlabs_routes
from voiceconsole.platforms.simulator.server.outbound_retell import _outbound_retell_routes
from voiceconsole.platforms.simulator.server.outbound_vapi import _outbound_vapi_routes
from voiceconsole.platforms.simulator.server.pipeline import _PlatformApi
from voiceconsole.platforms.simulator.server.retell import _retell_routes
from voiceconsole.platforms.simulator.server.vapi import _vapi_routes
from voiceconsole.platforms.simulator.state import SimulatorState

_OUTBOUND = {"retell": _outbound_retell_routes, "vapi": _outbound_vapi_routes}


def create_app(state: SimulatorState) -> FastAPI:
    """The simulator as an ASGI app serving `state` (see the module docstring)."""
    app = FastAPI(title="VoiceConsole platform simulator", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.simulator = state
    platforms = (
        ("retell", _retell_routes, _builder_retell_routes),
        ("vapi", _vapi_routes, _builder_vapi_routes),
        ("elevenlabs", _elevenlabs_routes, _builder_elevenlabs_routes),
    )
    for platform, register, register_writes in platforms:
        api = _PlatformApi(platform, state)
        register(api, state)
        register_writes(api, state)  # the agent-writing endpoints (builder_*.py)
        if platform in _OUTBOUND:
            _OUTBOUND[platform](api, state)  # the dial endpoints (outbound_*.py)
        api.finish()
        app.include_router(api.router)
    app.include_router(_control_routes(state))
    app.state.inbox = Inbox()
    app.include_router(inbox_routes(app.state.inbox))  # the demo's notification channels post here
    return app
