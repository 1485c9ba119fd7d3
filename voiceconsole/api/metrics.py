"""`GET /api/metrics`: Prometheus's scrape (services/metrics), for a bearer token from the settings.

Without VOICECONSOLE_METRICS_TOKEN the endpoint does not exist (404, as any unknown API path): metrics
are off until an operator chooses a token, and an unconfigured deployment does not advertise them.
A missing or wrong token is 401 (compared in constant time) and counts against the caller's address
like any anonymous request (a guessing client gets 429s). Not in the OpenAPI document.
"""

from __future__ import annotations

import hmac

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from voiceconsole.api.deps import rate_limit_anonymous
from voiceconsole.api.errors import error_response
from voiceconsole.services import metrics
from voiceconsole.settings import get_settings

router = APIRouter()


@router.get("/api/metrics", include_in_schema=False)
async def scrape(request: Request) -> Response:
    token = get_settings().metrics_token
    if not token:
        return error_response(404, "Not found", [{"field": "path", "message": "No such API endpoint"}])
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), token.encode()):
        await run_in_threadpool(rate_limit_anonymous, request)  # 429 (ApiError) once over the limit
        return error_response(401, "Unauthorized", headers={"WWW-Authenticate": 'Bearer realm="metrics"'})
    body, content_type = await run_in_threadpool(metrics.render)  # reads Redis and the database
    return Response(body, media_type=content_type)
