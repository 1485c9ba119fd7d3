"""Sign in with Google or an OpenID Connect provider (Authlib's OpenID Connect client).

`GET /api/auth/{provider}/login` sends the browser to the provider (discovery document, authorization
code flow with PKCE S256, state and nonce kept in the sign-in flow cookie: api/sign_in_flow.py);
`GET /api/auth/{provider}/callback` exchanges the code, verifies the ID token (signature against the
provider's JWKS, issuer, audience, expiry, nonce) and hands the verified identity to
`services.accounts.external`, which decides who may sign in. Every failure lands on the login page with
`?error=<reason>&provider=<name>`, which explains it; nothing is signed in.

The one place the web process calls out during a request (the provider's discovery, token and JWKS
endpoints): there is no sign-in without it.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
from typing import Any
from urllib.parse import urlencode

import httpx
from authlib.integrations.starlette_client import OAuth, OAuthError
from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse
from joserfc.errors import JoseError
from starlette.concurrency import run_in_threadpool

from voiceconsole.api.deps import rate_limit_anonymous
from voiceconsole.api.errors import ApiError
from voiceconsole.api.session_cookie import start_browser_session
from voiceconsole.db import session_scope
from voiceconsole.services import accounts
from voiceconsole.services.accounts.external import (
    ProviderIdentity,
    SignInRefused,
    email_is_verified,
    sign_in_with_provider,
)
from voiceconsole.settings import SignInProvider, get_settings

log = logging.getLogger(__name__)

router = APIRouter(prefix="/auth", tags=["auth"], include_in_schema=False)

PROVIDER_TIMEOUT_S = 10.0
# Authlib talks to providers with httpx2 when installed, else httpx: a network failure is either's error.
_NETWORK_ERRORS: tuple[type[Exception], ...] = (
    httpx.HTTPError,
    *(importlib.import_module(name).HTTPError for name in ("httpx2",) if importlib.util.find_spec(name)),
)
HOME = "/dashboard"

# One Authlib client per configured provider (it caches the discovery document and the JWKS).
_clients: dict[SignInProvider, Any] = {}


def _provider(name: str) -> SignInProvider:
    provider = get_settings().sign_in.get(name)
    if provider is None:
        raise ApiError(404, "Not found", [{"field": "provider", "message": f"Sign-in with {name} is not configured"}])
    return provider


def _client(provider: SignInProvider) -> Any:
    client = _clients.get(provider)
    if client is None:
        oauth = OAuth()
        client = oauth.register(
            provider.name,
            client_id=provider.client_id,
            client_secret=provider.client_secret,
            server_metadata_url=provider.discovery_url,
            client_kwargs={
                "scope": "openid email profile",
                "code_challenge_method": "S256",  # PKCE
                "timeout": PROVIDER_TIMEOUT_S,
            },
        )
        _clients[provider] = client
    return client


def callback_url(provider_name: str) -> str:
    """The redirect URI to register with the provider (exactly this, under the public base URL)."""
    return f"{get_settings().base_url}/api/auth/{provider_name}/callback"


def _to_login(reason: str, provider: SignInProvider) -> RedirectResponse:
    return RedirectResponse(
        get_settings().page_url(f"/login?{urlencode({'error': reason, 'provider': provider.name})}"), status_code=303
    )


@router.get("/{provider_name}/login", dependencies=[Depends(rate_limit_anonymous)])
async def start_sign_in(provider_name: str, request: Request):
    provider = _provider(provider_name)
    try:
        return await _client(provider).authorize_redirect(request, callback_url(provider.name))
    except (*_NETWORK_ERRORS, OAuthError, ValueError, KeyError) as exc:  # discovery unreachable or unusable
        log.warning("sign-in with %s: the provider's discovery document failed: %s", provider.name, exc)
        return _to_login("provider_unavailable", provider)


@router.get("/{provider_name}/callback", dependencies=[Depends(rate_limit_anonymous)])
async def finish_sign_in(provider_name: str, request: Request):
    provider = _provider(provider_name)
    if request.query_params.get("error") == "access_denied":
        return _to_login("cancelled", provider)
    try:
        token = await _client(provider).authorize_access_token(request)
    except _NETWORK_ERRORS as exc:
        log.warning("sign-in with %s: the provider could not be reached: %s", provider.name, exc)
        return _to_login("provider_unavailable", provider)
    except (OAuthError, JoseError, ValueError, KeyError) as exc:
        # A state that is not this browser's, a nonce that is not this flow's, a code the provider refuses
        # (PKCE verifier, reuse, expiry), an ID token that does not verify.
        log.warning("sign-in with %s refused: %s: %s", provider.name, type(exc).__name__, exc)
        return _to_login("sign_in_failed", provider)
    claims = token.get("userinfo") or {}
    if not claims.get("sub"):
        log.warning("sign-in with %s refused: no verified ID token in the answer", provider.name)
        return _to_login("sign_in_failed", provider)
    identity = ProviderIdentity(
        provider=provider.name,
        label=provider.label,
        subject=str(claims["sub"]),
        email=claims.get("email"),
        email_verified=email_is_verified(claims.get("email_verified")),
        name=claims.get("name"),
    )
    ip = request.client.host if request.client else None
    user_agent = request.headers.get("user-agent")
    try:
        result = await run_in_threadpool(_sign_in, identity, ip, user_agent)
    except SignInRefused as exc:
        log.info("sign-in with %s refused: %s", provider.name, exc.reason)
        return _to_login(exc.reason, provider)
    response = RedirectResponse(get_settings().page_url(HOME), status_code=303)
    return start_browser_session(response, result.session_token)


def _sign_in(identity: ProviderIdentity, ip: str | None, user_agent: str | None) -> accounts.LoginResult:
    with session_scope() as session:
        return sign_in_with_provider(session, identity=identity, ip=ip, user_agent=user_agent)
