"""The simulator app: `create_app` builds one FastAPI app serving a `SimulatorState`, with a
`_PlatformApi` router per platform (routes from the retell, vapi and elevenlabs modules), the control
API under `/_sim` and the notification inbox. The endpoints are documented in the package docstring.
"""

from __future__ import annotations

from fastapi import FastAPI

from voiceconsole.platforms.simulator.inbox import Inbox, inbox_routes
from voiceconsole.platforms.simulator.server.control import _control_routes
from voiceconsole.platforms.simulator.server.elevenlabs import _elevenlabs_routes
from voiceconsole.platforms.simulator.server.pipeline import _PlatformApi
from voiceconsole.platforms.simulator.server.retell import _retell_routes
from voiceconsole.platforms.simulator.server.vapi import _vapi_routes
from voiceconsole.platforms.simulator.state import SimulatorState


def create_app(state: SimulatorState) -> FastAPI:
    """The simulator as an ASGI app serving `state` (see the module docstring)."""
    app = FastAPI(title="VoiceConsole platform simulator", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.simulator = state
    for platform, register in (("retell", _retell_routes), ("vapi", _vapi_routes), ("elevenlabs", _elevenlabs_routes)):
        api = _PlatformApi(platform, state)
        register(api, state)
        api.finish()
        app.include_router(api.router)
    app.include_router(_control_routes(state))
    app.state.inbox = Inbox()
    app.include_router(inbox_routes(app.state.inbox))  # the demo's notification channels post here
    return app
