"""The simulator's HTTP app: `create_app(webhook_url, webhook_secret)`.

- `/v1/...` (api.py): Stripe's API as the SDK calls it. `Authorization: Bearer <key starting with
  api_key_prefix>` (or HTTP Basic with the key as user name) else 401; form-encoded parameters;
  errors as `{"error": {"type", "message", "param", "code"}}`; a POST's `Idempotency-Key` replays the
  first answer (header `Idempotent-Replayed: true`), and a reuse with other parameters is a 400
  `idempotency_error`; `expand[]` resolves ids to objects (`data.` for lists) and `line_items` on
  Checkout sessions. While the outage switch is on, every `/v1` request answers 500 `api_error`.
- `/checkout/{id}`, `/portal/{id}`, `/invoices/{id}[/pdf]` (pages.py): the hosted pages.
- `/_sim/...` (control.py): test switches, without auth.

The app keeps its `StripeState` in `app.state.stripe` and the webhook sender in `app.state.webhooks`.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request, Response

from voiceconsole.stripe_simulator import api, control, forms, pages
from voiceconsole.stripe_simulator.state import StripeError, StripeState, new_id
from voiceconsole.stripe_simulator.webhooks import WebhookSender


def create_app(webhook_url: str | None, webhook_secret: str, api_key_prefix: str = "sk_test_") -> FastAPI:
    state = StripeState(webhook_url=webhook_url, webhook_secret=webhook_secret, api_key_prefix=api_key_prefix)
    sender = WebhookSender(state)
    state.on_event = sender.enqueue

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        sender.stop()

    app = FastAPI(title="Stripe simulator", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan)
    app.state.stripe = state
    app.state.webhooks = sender
    for method, path, handler in api.ROUTES:
        app.add_api_route(path, _endpoint(state, handler), methods=[method], include_in_schema=False)
    app.include_router(control.router(state, sender))
    app.include_router(pages.router(state))
    return app


def _endpoint(state: StripeState, handler: api.Handler) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        body = await request.body()
        remembered: str | None = None  # the idempotency cache key, once the request gets that far
        try:
            if state.outage:
                raise StripeError(
                    500, "Simulated outage: Stripe is unavailable (POST /_sim/outage to end it).", type="api_error"
                )
            api_key = _authenticate(request, state.api_key_prefix)
            fingerprint = f"{request.method} {request.url.path} {body.decode()}"
            if request.method == "POST" and request.headers.get("idempotency-key"):
                remembered = f"{api_key} {request.headers['idempotency-key']}"
                with state.lock:
                    earlier = state.idempotency.get(remembered)
                if earlier is not None:
                    return _replay(earlier, fingerprint)
            params = forms.decode(body if request.method == "POST" else request.url.query)
            base_url = str(request.base_url).rstrip("/")
            call = api.Call(state=state, params=params, path=dict(request.path_params), base_url=base_url)
            status, payload = 200, expand(state, handler(call), call.expand())
        except StripeError as exc:
            status, payload = exc.status, exc.body()
        raw = json.dumps(payload, indent=2).encode()
        if remembered and status < 500:  # Stripe keeps the first answer, unless the request never ran
            with state.lock:
                state.idempotency[remembered] = (fingerprint, status, raw)
        return _json(raw, status)

    return endpoint


def _authenticate(request: Request, prefix: str) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, credentials = header.partition(" ")
    key = credentials.strip() if scheme.lower() == "bearer" else ""
    if scheme.lower() == "basic":  # curl -u sk_test_…:
        try:
            key = base64.b64decode(credentials).decode().partition(":")[0]
        except (binascii.Error, UnicodeDecodeError):
            key = ""
    if not key:
        raise StripeError(401, "You did not provide an API key. Send it as `Authorization: Bearer sk_test_…`.")
    if not key.startswith(prefix):
        raise StripeError(401, f"Invalid API Key provided: {key[:8]}{'*' * max(len(key) - 12, 0)}{key[-4:]}")
    return key


def _replay(earlier: tuple[str, int, bytes], fingerprint: str) -> Response:
    first, status, raw = earlier
    if first != fingerprint:
        error = StripeError(
            400,
            "Keys for idempotent requests can only be used with the same parameters they were first used with.",
            type="idempotency_error",
        )
        return _json(json.dumps(error.body()).encode(), 400)
    response = _json(raw, status)
    response.headers["Idempotent-Replayed"] = "true"
    return response


def _json(raw: bytes, status: int) -> Response:
    return Response(raw, status_code=status, media_type="application/json", headers={"Request-Id": new_id("req", 14)})


def expand(state: StripeState, obj: dict[str, Any], paths: list[str]) -> dict[str, Any]:
    """Replace ids named by `expand[]` paths with their objects (`data.` walks a list's objects)."""
    for path in paths:
        _expand(state, obj, path.split("."))
    return obj


def _expand(state: StripeState, node: Any, parts: list[str]) -> None:
    if not parts or not isinstance(node, dict):
        return
    if node.get("object") == "list" and parts[0] == "data":
        for each in node["data"]:
            _expand(state, each, parts[1:])
        return
    head, rest = parts[0], parts[1:]
    value = node.get(head)
    if isinstance(value, str):
        found = state.find(value)
        if found is not None:
            node[head] = value = found
    _expand(state, value, rest)
