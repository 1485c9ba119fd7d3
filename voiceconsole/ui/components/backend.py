"""Links to the REST API from pages.

In production the UI and the API share one origin, but `reflex run` in development serves the UI on
:3000 and the API on :8000, so a relative `/api/...` link would miss; so would it from an exported frontend
(`reflex export`) served apart from the backend. This resolves the backend's origin in the browser the way
Reflex itself does (reflex-notes §4).
"""

import reflex as rx
from reflex.vars import Var, VarData

BACKEND_ORIGIN = Var(
    _js_expr="getBackendURL(env.PING).origin",
    _var_data=VarData(
        imports={"$/utils/state": "getBackendURL", "$/env.json": rx.ImportVar(tag="env", is_default=True)}
    ),
).to(str)


def api_url(path: rx.Var | str) -> rx.Var:
    """An absolute URL of an API path (a string or a str Var starting with /api/)."""
    return BACKEND_ORIGIN + path
