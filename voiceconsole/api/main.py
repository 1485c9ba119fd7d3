"""The REST API, mounted into the Reflex app under /api (DESIGN.md §5).

Every route is served under /api/v1/… and /api/…: the published paths stay exactly as documented
and the other prefix is an alias (hidden from the OpenAPI document to keep it readable).
"""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

from voiceconsole.api.body_limit import BodyLimit
from voiceconsole.api.handlers import install_error_handlers
from voiceconsole.api.middleware import RateLimitHeaders
from voiceconsole.api.routes import (
    agents,
    analytics,
    api_keys,
    auth,
    calls,
    clients,
    integrations,
    notification_channels,
    scoring,
)
from voiceconsole.services.intake import MAX_BODY_BYTES

MAX_REQUEST_BYTES = 1024 * 1024  # a JSON request body
MAX_WEBHOOK_BYTES = MAX_BODY_BYTES  # a platform's webhook: transcripts with word timings
WEBHOOK_PATH = r"/api(/v1)?/integrations/[^/]+/webhook/[^/]+"

DESCRIPTION = """
VoiceConsole REST API. Authenticate with `Authorization: Bearer viq_…` (create a key under
Settings → API keys). Responses use the envelope `{"data": …, "meta": {…}}`; errors are
`{"error": "Message", "details": [{"field": "…", "message": "…"}]}`. Lists add
`meta: {page, perPage, total}`; the calls list also says `totalIsEstimate` (its `total` is exact up to
10,000 matching calls and the planner's estimate past that).
Rate limits per key by plan (Free 60/min + 10/s, Pro 300/min + 30/s, Agency 1,000/min + 100/s);
every response carries `X-RateLimit-Limit`, `X-RateLimit-Remaining` and `X-RateLimit-Reset`,
and a 429 adds `Retry-After`.
"""


def _router(include_in_schema: bool) -> APIRouter:
    router = APIRouter(include_in_schema=include_in_schema)
    for module in (agents, calls, api_keys, auth, integrations, scoring, analytics, clients):
        router.include_router(module.router)
    router.include_router(notification_channels.router)
    return router


def create_api() -> FastAPI:
    api = FastAPI(
        title="VoiceConsole API",
        version="1.0",
        description=DESCRIPTION,
        docs_url="/api/docs",
        openapi_url="/api/openapi.json",
        redoc_url=None,
    )
    install_error_handlers(api)

    api.add_middleware(RateLimitHeaders)
    api.add_middleware(BodyLimit, default=MAX_REQUEST_BYTES, routes=((WEBHOOK_PATH, MAX_WEBHOOK_BYTES),))

    # Documented paths first: /api/v1/agents…, /api/calls…, /api/agents/stats are all published.
    api.include_router(_router(True), prefix="/api/v1")
    api.include_router(_router(False), prefix="/api")

    @api.get("/api/health", include_in_schema=False)
    def health():
        return {"data": {"status": "ok"}, "meta": {}}

    return api


api = create_api()
