"""The REST API, mounted into the Reflex app under /api (DESIGN.md §5).

Every route is served under /api/v1/… and /api/…: the published paths stay exactly as documented
and the other prefix is an alias (hidden from the OpenAPI document to keep it readable).
"""

from __future__ import annotations

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool
from starlette.routing import Match

from voiceconsole.api.body_limit import BodyLimit
from voiceconsole.api.errors import error_response
from voiceconsole.api.handlers import RETRY_AFTER_S, install_error_handlers
from voiceconsole.api.metrics import router as metrics_router
from voiceconsole.api.middleware import RateLimitHeaders, RequestContext
from voiceconsole.api.openapi import COMMON_ERRORS
from voiceconsole.api.routes import (
    agents,
    analytics,
    api_keys,
    audit_log,
    auth,
    billing,
    branding,
    builder,
    calls,
    campaigns,
    clients,
    dnc,
    integrations,
    invitations,
    leads,
    members,
    notification_channels,
    oidc,
    scoring,
    sessions,
)
from voiceconsole.api.security_headers import SecurityHeaders
from voiceconsole.api.sign_in_flow import SignInFlowCookie
from voiceconsole.services import readiness
from voiceconsole.services.campaigns.dnc import MAX_DNC_IMPORT_BYTES
from voiceconsole.services.campaigns.imports import MAX_IMPORT_BYTES
from voiceconsole.services.intake import MAX_BODY_BYTES
from voiceconsole.services.logs import configure_logging
from voiceconsole.settings import get_settings

MAX_REQUEST_BYTES = 1024 * 1024  # a JSON request body
MAX_WEBHOOK_BYTES = MAX_BODY_BYTES  # a platform's webhook: transcripts with word timings
WEBHOOK_PATH = r"/api(/v1)?/integrations/[^/]+/webhook/[^/]+"
# CSV uploads: the file's own limit (its 422 says it) plus room for the multipart envelope. Reflex's `/_upload`
# carries the UI's files (the lead import wizard's CSV is the largest); each handler reads at most its own limit.
UPLOAD_LIMITS = (
    (r"/api(/v1)?/leads/import", MAX_IMPORT_BYTES + 1024 * 1024),
    (r"/api(/v1)?/dnc/import", MAX_DNC_IMPORT_BYTES + 1024 * 1024),
    (r"/_upload", MAX_IMPORT_BYTES + 1024 * 1024),
)

ALL_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")

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
    router = APIRouter(include_in_schema=include_in_schema, responses=COMMON_ERRORS)
    for module in (agents, calls, api_keys, auth, integrations, scoring, analytics, clients):
        router.include_router(module.router)
    router.include_router(notification_channels.router)
    router.include_router(oidc.router)  # sign in with Google / OpenID Connect (browser redirects, not documented)
    router.include_router(sessions.router)
    router.include_router(audit_log.router)
    router.include_router(members.router)
    router.include_router(invitations.router)
    router.include_router(branding.router)
    router.include_router(billing.router)
    router.include_router(builder.router)
    router.include_router(leads.router)
    router.include_router(dnc.router)
    router.include_router(campaigns.router)
    return router


def create_api() -> FastAPI:
    settings = get_settings()
    configure_logging(log_format=settings.log_format, level=settings.log_level)  # redaction; JSON when asked
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
    api.add_middleware(SignInFlowCookie)  # the OpenID Connect flow's state, on its two routes only
    api.add_middleware(BodyLimit, default=MAX_REQUEST_BYTES, routes=((WEBHOOK_PATH, MAX_WEBHOOK_BYTES), *UPLOAD_LIMITS))
    api.add_middleware(SecurityHeaders)  # CORS and security headers when served alone
    api.add_middleware(RequestContext)  # request id and latency metrics; outermost: it times everything

    # Documented paths first: /api/v1/agents…, /api/calls…, /api/agents/stats are all published.
    api.include_router(_router(True), prefix="/api/v1")
    api.include_router(_router(False), prefix="/api")

    api.include_router(metrics_router)  # GET /api/metrics, for Prometheus (api/metrics.py)

    @api.get("/api/health", include_in_schema=False)
    def health():
        """Liveness: the process answers (its dependencies are `/api/ready`'s business)."""
        return {"data": {"status": "ok"}, "meta": {}}

    @api.get("/api/ready", include_in_schema=False)
    async def ready():
        """Readiness for load balancers: database reachable and migrated, Redis reachable; else 503 naming
        the part that is not."""
        state = await run_in_threadpool(readiness.check)
        if state.ready:
            return {"data": {"status": "ready"}, "meta": {}}
        details = [{"field": part, "message": problem} for part, problem in state.problems.items()]
        return error_response(503, "Not ready", details, headers={"Retry-After": str(RETRY_AFTER_S)})

    # Last: anything else under /api is answered here, in the API's error format. Mounted into the Reflex app,
    # the frontend is the fallback for every path, so without this a wrong method or an unknown API path
    # would get the frontend's plain-text 404.
    @api.api_route("/api/{rest:path}", methods=list(ALL_METHODS), include_in_schema=False)
    def not_an_api_route(request: Request, rest: str) -> JSONResponse:
        others = [route for route in api.router.routes if getattr(route, "endpoint", None) is not not_an_api_route]
        allowed = [
            method
            for method in ALL_METHODS
            if any(route.matches({**request.scope, "method": method})[0] == Match.FULL for route in others)
        ]
        if allowed:
            details = [{"field": "method", "message": f"Allowed: {', '.join(allowed)}"}]
            return error_response(405, "Method not allowed", details, headers={"Allow": ", ".join(allowed)})
        return error_response(404, "Not found", [{"field": "path", "message": "No such API endpoint"}])

    return api


api = create_api()
