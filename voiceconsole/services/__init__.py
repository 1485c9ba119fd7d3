"""The domain layer: every business rule lives here once, and the API, the UI and the jobs call it.

One package per domain (each `__init__` lists what the package offers):
    access         who is acting, what each role may do, the audit trail
    accounts       organizations, users, magic-link sign-in, browser sessions
    api_keys       API keys, their per-process cache and auth epoch, rate limits
    billing        the plan catalogue, AI credits
    calls          the calls list, one call in full, notes and tags, the CSV export
    agents         agents with their figures, cached agent stats
    clients        an agency's clients and which agents serve them
    analytics      KPIs, trends and the portfolio, from daily rollups
    integrations   connected platform accounts, connectors for them, connection tests, sync schedule
    intake         calls arriving from the platforms: sync, inbound webhooks, storing them
    scoring        scoring stored calls, score settings, rescoring, coaching
    notifications  events, channels, fan-out, formatting, signing, sending, daily summaries
and a few modules every domain uses: `errors` (domain errors), `security` (hashing, encryption), `text`
(what text can be stored), `net_guard` (outbound target checks), `email` (SMTP), plus `demo` (the demo
organization).

Domain packages never import each other in a circle (import-linter checks it), and never import a
job: background work is queued through `voiceconsole.enqueue`.
"""

# Registers the after-flush hook that makes API-key and organization changes revoke remembered keys in
# every process: it must be active wherever services run (web, worker, command line), not only where
# the API is served.
from voiceconsole.services.api_keys import cache as _api_key_cache  # noqa: F401
