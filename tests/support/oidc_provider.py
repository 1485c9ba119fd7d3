"""A real OpenID Connect provider on 127.0.0.1, for sign-in tests: Authlib's authorization server (the
authorization code grant with OpenID Connect's ID token, nonce required, PKCE required) in a small Flask
app, served by werkzeug in a thread.

It speaks real HTTP: a discovery document, an authorization endpoint that redirects back with a code, a
token endpoint that authenticates the client and checks the PKCE verifier, and a JWKS endpoint publishing
the RSA key its ID tokens are signed with. Nothing of VoiceConsole is mocked: the app's Authlib client
discovers, redirects, exchanges and verifies against it as it would against Google.

Who signs in: `sign_in_as(email, verified=…)` picks the person the next authorization requests consent
for, at once (API tests follow the redirects with an HTTP client); with nobody picked, the authorization
endpoint shows a small form (email, "verified" checkbox) that a browser test fills in.
"""

from __future__ import annotations

import html
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749 import ClientMixin, grants
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core import AuthorizationCodeMixin, UserInfo
from authlib.oidc.core.grants import OpenIDCode
from flask import Flask, jsonify, request
from joserfc.jwk import RSAKey
from werkzeug.serving import make_server

CLIENT_ID = "voiceconsole-test"
CLIENT_SECRET = "voiceconsole-test-secret-0123456789"


@dataclass
class Person:
    email: str
    verified: bool = True
    name: str | None = None

    @property
    def sub(self) -> str:
        return f"sub-{self.email}"


@dataclass
class _Client(ClientMixin):
    client_id: str
    client_secret: str
    redirect_uris: list[str]

    def get_client_id(self):
        return self.client_id

    def get_default_redirect_uri(self):
        return self.redirect_uris[0] if self.redirect_uris else None

    def get_allowed_scope(self, scope):
        return " ".join(s for s in (scope or "").split() if s in {"openid", "email", "profile"})

    def check_redirect_uri(self, redirect_uri):
        return redirect_uri in self.redirect_uris

    def check_client_secret(self, client_secret):
        return secrets.compare_digest(client_secret, self.client_secret)

    def check_endpoint_auth_method(self, method, endpoint):
        return method in {"client_secret_basic", "client_secret_post"}

    def check_response_type(self, response_type):
        return response_type == "code"

    def check_grant_type(self, grant_type):
        return grant_type == "authorization_code"


@dataclass
class _Code(AuthorizationCodeMixin):
    code: str
    client_id: str
    redirect_uri: str
    scope: str
    person: Person
    nonce: str | None
    code_challenge: str | None
    code_challenge_method: str | None
    auth_time: int = field(default_factory=lambda: int(time.time()))

    def get_redirect_uri(self):
        return self.redirect_uri

    def get_scope(self):
        return self.scope

    def get_nonce(self):
        return self.nonce

    def get_auth_time(self):
        return self.auth_time


class OidcProvider:
    """Start with `start()` (or as a context manager); `issuer` is its URL, `stop()` takes it down."""

    def __init__(self, *, redirect_uris: list[str], client_id: str = CLIENT_ID, client_secret: str = CLIENT_SECRET):
        self.client = _Client(client_id, client_secret, list(redirect_uris))
        self.key = RSAKey.generate_key(2048, parameters={"kid": f"k-{secrets.token_hex(4)}", "use": "sig"})
        self.person: Person | None = None  # who consents at once; None: the form
        self.authorize_requests: list[dict[str, str]] = []  # query of each authorization request
        self.token_requests: list[dict[str, str]] = []  # form of each token request (no secrets)
        self._codes: dict[str, _Code] = {}
        self._nonces: set[str] = set()
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self.issuer = ""
        self.app = self._build()

    # -- control ------------------------------------------------------------------------------------
    def sign_in_as(self, email: str, *, verified: bool = True, name: str | None = None) -> Person:
        self.person = Person(email=email, verified=verified, name=name)
        return self.person

    def start(self) -> OidcProvider:
        self._server = make_server("127.0.0.1", 0, self.app, threaded=True)
        self.issuer = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, name="oidc-provider", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> OidcProvider:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- the provider -------------------------------------------------------------------------------
    def _build(self) -> Flask:
        app = Flask("oidc-provider")
        provider = self

        class CodeGrant(grants.AuthorizationCodeGrant):
            TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

            def save_authorization_code(self, code, req):
                data = req.payload.data
                provider._codes[code] = _Code(
                    code=code,
                    client_id=req.client.get_client_id(),
                    redirect_uri=req.payload.redirect_uri,
                    scope=req.payload.scope,
                    person=req.user,
                    nonce=data.get("nonce"),
                    code_challenge=data.get("code_challenge"),
                    code_challenge_method=data.get("code_challenge_method"),
                )
                if data.get("nonce"):
                    provider._nonces.add(data["nonce"])

            def query_authorization_code(self, code, client):
                found = provider._codes.get(code)
                return found if found is not None and found.client_id == client.get_client_id() else None

            def delete_authorization_code(self, authorization_code):
                provider._codes.pop(authorization_code.code, None)

            def authenticate_user(self, authorization_code):
                return authorization_code.person

        class IdToken(OpenIDCode):
            def exists_nonce(self, nonce, req):
                return nonce in provider._nonces

            def resolve_client_private_key(self, client):
                return provider.key

            def get_client_algorithm(self, client):
                return "RS256"

            def get_client_claims(self, client):
                return {"iss": provider.issuer, "aud": [client.get_client_id()]}

            def get_encode_header(self, client):
                return {"alg": "RS256", "kid": provider.key.kid}

            def generate_user_info(self, user, scope):
                info = UserInfo(sub=user.sub)
                if "email" in scope:
                    info["email"] = user.email
                    info["email_verified"] = user.verified
                if "profile" in scope and user.name:
                    info["name"] = user.name
                return info

        server = AuthorizationServer(
            app,
            query_client=lambda client_id: self.client if client_id == self.client.client_id else None,
            save_token=lambda token, req: None,
        )
        server.register_grant(CodeGrant, [IdToken(require_nonce=True), CodeChallenge(required=True)])

        @app.get("/.well-known/openid-configuration")
        def discovery():
            return jsonify(
                issuer=self.issuer,
                authorization_endpoint=f"{self.issuer}/authorize",
                token_endpoint=f"{self.issuer}/token",
                jwks_uri=f"{self.issuer}/jwks",
                response_types_supported=["code"],
                subject_types_supported=["public"],
                id_token_signing_alg_values_supported=["RS256"],
                scopes_supported=["openid", "email", "profile"],
                token_endpoint_auth_methods_supported=["client_secret_basic", "client_secret_post"],
                code_challenge_methods_supported=["S256"],
                claims_supported=["sub", "email", "email_verified", "name"],
            )

        @app.get("/jwks")
        def jwks():
            return jsonify(keys=[self.key.as_dict(private=False)])

        @app.route("/authorize", methods=["GET", "POST"])
        def authorize():
            self.authorize_requests.append(dict(request.args))
            person = self.person
            if request.method == "POST":
                email = (request.form.get("email") or "").strip()
                person = Person(email=email, verified=request.form.get("verified") == "on") if email else None
            if person is None:
                return _form(request.query_string.decode())
            return server.create_authorization_response(grant_user=person)

        @app.post("/token")
        def token():
            self.token_requests.append({k: v for k, v in request.form.items() if k != "client_secret"})
            return server.create_token_response()

        return app


def _form(query: str) -> str:
    return f"""<!doctype html><html><head><title>Test provider: sign in</title></head><body>
<h1>Test provider</h1>
<form method="post" action="/authorize?{html.escape(query)}">
  <label>Email <input name="email" type="email" aria-label="Provider email"></label>
  <label><input name="verified" type="checkbox" checked> Email verified</label>
  <button type="submit">Continue</button>
</form></body></html>"""
