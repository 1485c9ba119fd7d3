"""The platform simulator: one HTTP server speaking the Retell, Vapi and ElevenLabs APIs.

Endpoints, parameters, response shapes and auth follow docs/platform-apis.md, so the
platforms' own SDKs (retell-sdk, vapi-server-sdk, elevenlabs) work against it unchanged, and so
does a connector written against the real APIs. Data comes from the demo generator
(the `generator` package): realistic agents and calls, deterministic for a seed.

Starting it
-----------
In-process (tests, benchmarks)::

    from voiceconsole.platforms.simulator.server import create_app, serve_in_thread
    from voiceconsole.platforms.simulator.state import SimulatorState

    state = SimulatorState(seed=7, agents_per_platform=12, calls_per_platform=2000, days=90)
    base_url, stop = serve_in_thread(create_app(state))   # free port on 127.0.0.1
    ...                                                    # e.g. base_url + "/retell"
    stop()

`calls_per_platform` may be a mapping, e.g. `{"vapi": 100_000}` (platforms left out get no calls).
Generation is lazy per platform (100,000 calls take roughly 3-20 s and 0.3-1.2 GB depending on the
platform; `state.warm()` generates everything up front). `now=datetime(...)` pins the end of the
generated history; otherwise it is the wall clock at construction.

From the command line: `voiceconsole simulator --port 8900` (or
`python -m voiceconsole.platforms.simulator.cli --port 8900 --calls 5000`), which prints the base
URLs and keys.

Base URLs and keys (defaults; `SimulatorState(api_keys={...})` changes them)
--------------------------------------------------------------------------
- Retell      `http://HOST:PORT/retell`      `Authorization: Bearer sim_retell_key`
- Vapi        `http://HOST:PORT/vapi`        `Authorization: Bearer sim_vapi_key`
- ElevenLabs  `http://HOST:PORT/elevenlabs`  `xi-api-key: sim_elevenlabs_key`

SDKs: `retell.Retell(api_key=..., base_url=f"{url}/retell")`,
`vapi.Vapi(token=..., base_url=f"{url}/vapi")`,
`elevenlabs.ElevenLabs(api_key=..., base_url=f"{url}/elevenlabs")`.

Endpoints
---------
Retell (`/retell`):
- `POST /v3/list-calls` body `{limit (default 50, max 1000), pagination_key, sort_order
  ("descending" default | "ascending", by start_timestamp), skip, include_total, filter_criteria}` ->
  `{items, has_more, pagination_key, total?}`. Items have no transcript fields. `pagination_key` is
  opaque (a keyset position: stable while calls are added) and null on the last page.
  filter_criteria: `agent: [{agent_id, version?: [int]}]`; numbers `start_timestamp`,
  `end_timestamp`, `duration_ms`, `combined_cost`, `e2e_latency_p50` with op gt|ge|lt|le|eq|ne or
  `{"op": "bt", "value": [lo, hi]}` (inclusive); enums (`op: "in"`) `call_status`, `call_type`,
  `direction`, `disconnection_reason`, `user_sentiment`, `agent_tag`, `data_storage_setting`;
  booleans `call_successful`, `in_voicemail`; strings (eq|ne|sw|ew|co; call_id also `in`)
  `from_number`, `to_number`, `batch_call_id`, `call_id`. Other fields answer 400.
  Calls that never started (not_connected: no `start_timestamp`) behave like SQL NULLs: no
  start_timestamp comparison matches them (not even `ne`), and lists put them after every started call
  in either sort order (among themselves by call_id), so paging still returns every call once.
- `POST /v2/list-calls` (legacy): bare array of full calls; `pagination_key` = last call_id
  (exclusive); old filter shape (`agent_id: [..]`, `call_status: [..]`, `version: [..]`,
  `start_timestamp: {lower_threshold, upper_threshold}` inclusive, ...). Unstarted calls as in v3.
- `GET /v2/get-call/{call_id}` full call with transcript.
- `POST /v2/list-agents` query `limit` (default 50, max 1000), `pagination_key`, `sort_order`
  (by user_modified_timestamp, default descending); body `filter_criteria {channel, query}` ->
  `{items: [{agent_id, agent_name, channel, is_suspended, tags, user_modified_timestamp}], has_more,
  pagination_key}`.
- `GET /list-agents` (legacy, full agents by agent_id ascending; `limit` default 1000,
  `pagination_key` = last agent_id; one entry per agent, the latest version),
  `GET /get-agent/{agent_id}[?version=N]`, `GET /get-retell-llm/{llm_id}`.

Vapi (`/vapi`), all lists are bare arrays, newest `createdAt` first:
- `GET /call` query `limit` (default 100, 0-1000), `id`, `assistantId`, `phoneNumberId`,
  `createdAtGt|Ge|Lt|Le`, `updatedAtGt|Ge|Lt|Le` (ISO-8601). No cursor: page with
  `createdAtLt=<oldest createdAt seen>`. Unknown query parameters answer 400, like Vapi's
  validation.
- `GET /call/{id}`, `GET /assistant` (+ `/assistant/{id}`), `GET /phone-number`
  (+ `/phone-number/{id}`; one Twilio number per assistant, matching the calls' `phoneNumberId`).

ElevenLabs (`/elevenlabs`):
- `GET /v1/convai/agents` query `page_size` (default 30, max 100), `cursor`, `search`, `archived`,
  `sort_by` (created_at default | name), `sort_direction` (desc default | asc) ->
  `{agents: [summary], next_cursor, has_more}`.
- `GET /v1/convai/agents/{agent_id}`.
- `GET /v1/convai/conversations` query `cursor`, `page_size` (default 30, max 100), `agent_id`,
  `call_start_after_unix` (exclusive), `call_start_before_unix` (exclusive), `call_successful`,
  `call_duration_min_secs`, `call_duration_max_secs`, `summary_mode` (exclude default | include:
  adds `transcript_summary`), `sort_direction` (desc default, by start time) ->
  `{conversations: [summary], next_cursor, has_more}`.
- `GET /v1/convai/conversations/{id}` full conversation; `.../{id}/audio` a few bytes of audio/mpeg
  when `has_audio`.

Errors: 401 on a missing or wrong key, 404 for an unknown id or path, 400 (Retell, Vapi) or 422
(ElevenLabs) on bad parameters. Bodies: Retell `{"status": "error", "message": ...}`; Vapi
`{"message": ..., "error": "<reason>", "statusCode": N}` (a list of messages on 400); ElevenLabs
`{"detail": {"status": "<code>", "message": ...}}` and, on 422, `{"detail": [{"loc", "msg", "type"}]}`.

Incremental sync: calls added later (`add_calls`) start after every existing call, so a query with
`start_timestamp` gt / `createdAtGt` / `call_start_after_unix` set to the newest call seen finds
them; a later analysis (`update_analysis`) bumps Vapi's `updatedAt` (find it with `updatedAtGt`).

Fault injection and control
---------------------------
Python (on the `SimulatorState`) and HTTP (`/_sim/...`, no auth, JSON bodies) do the same things:

- `state.fail_next(platform, count=1, status=429, retry_after=None, path_prefix=None)` /
  `POST /_sim/faults {"platform", "count", "status", "retryAfter", "pathPrefix"}`: the next `count`
  requests to the platform (whose path, relative to the platform base, starts with `pathPrefix`,
  e.g. "/v3/list-calls") answer `status` (429, 500, 502 or 503). 429 carries `Retry-After: <s>`
  (default 1; fractions round up); 5xx carry it only when given. 502 answers with an HTML body, as a
  load balancer would. Faults are checked before auth. `state.clear_faults()` /
  `DELETE /_sim/faults[?platform=]`.
- `state.invalidate_key(platform)` / `state.restore_key(platform)` /
  `POST /_sim/keys {"platform", "valid": false|true}`: every request answers 401 while invalid.
- `state.add_calls(platform, count=1, agent_id=None, analyzed=True, variant=None)` /
  `POST /_sim/calls {"platform", "count", "agentId", "analyzed", "variant"}` -> the new native calls.
  `variant` makes each of them that variant (see "Variants" below). `analyzed: false` adds
  conversations (calls with an analysis to wait for) and holds the analysis back (Retell no
  `call_analysis`, Vapi no `analysis`, ElevenLabs status "processing") until:
- `state.update_analysis(platform, call_id, analysis=None)` /
  `POST /_sim/analysis {"platform", "callId", "analysis"?}` -> the updated call.
- Calls in progress: the newest handful of the generated calls (up to 8 per platform, one per 100 calls)
  are still going on when the simulator starts, 20–90% of the way through their conversation (Retell
  `call_status: "ongoing"`, Vapi `status: "in-progress"`, ElevenLabs `status: "in-progress"`, each with
  the transcript so far), and each ends by itself when the simulated clock reaches its end: from then on
  the API serves the finished call (same id and start; transcript, cost and analysis complete; Vapi's
  `updatedAt` moved on, so `updatedAtGt` finds it). `state.add_live_calls(platform, count=1,
  agent_id=None)` / `POST /_sim/calls {"platform", "count", "agentId", "live": true}` adds such calls,
  starting after every existing call; `state.end_call(platform, call_id)` /
  `POST /_sim/calls/end {"platform", "callId"}` ends one at once (the clock moves on to its end) and
  returns it; `state.live_call_ids(platform)` lists those still going on.
- `state.remove_agent(platform, agent_id)` / `DELETE /_sim/agents/{platform}/{agent_id}`: the agent
  disappears from lists and get-agent answers 404; its calls stay.
- `state.reset()` / `POST /_sim/reset`: fresh data, valid keys, no faults.
- `GET /_sim/state`: keys, counts and pending faults. `GET /_sim/requests[?platform=]` /
  `state.request_log(platform=None)`: recent requests (at, platform, method, path relative to the
  platform base, query, status), e.g. to check a client's backoff timing.
- `POST /_sim/inbox/{box}`, `GET /_sim/inbox`: a receiver for VoiceConsole's notifications (see inbox.py).
- `POST /_sim/webhook {"platform", "url", "secret"?, "event"? | "events"?, "callId"? | "new": true,
  "agentId"?, "variant"?, "variants"?, "vapiAuth"?, "vapiHmac"?}`: posts the platform's signed webhook
  for a stored call, or for a new call it adds first (of call `variant`, if given; then the call is
  also visible through the API). `variants` lists webhook variants: Retell "stale_status"
  (call_ended / call_analyzed still say `call_status: "registered"`), Vapi "call_id_only"
  (`message.call` is `{"id"}`) and "no_cost_total" (`costs[]` without `cost` / `costBreakdown`).
  Retell signs with its API key unless `secret` is given; a Vapi `vapiHmac` plan's `secretKey` may
  stand in for `secret`. Returns `{"callId", "deliveries": [{"event", "status"}]}`. The bodies are
  in `webhooks.py`, the signatures in `signing.py`.
- `state.set_webhook_signing(vapi_auth=None, vapi_hmac=None)` /
  `POST /_sim/webhook-signing {"vapiAuth"?, "vapiHmac"?}`: how Vapi messages are signed when a
  webhook request does not say: "hmac" (default), "secret" or "bearer", and the HMAC plan, as Vapi's
  JSON: `algorithm` sha256 | sha512 | sha1, `signatureEncoding` hex | base64, `signaturePrefix`,
  `secretIsBase64`, `signatureHeader` (default "x-vapi-signature"), `timestampHeader`
  ("x-timestamp", epoch ms), `includeTimestamp`, `payloadFormat` ("{timestamp}.{body}"; also
  `{method}`). Shown under `GET /_sim/state`; `reset` restores the defaults.

Variants
--------
What real platforms send now and then, each generated for a share of the calls (deterministically:
drawn from generators seeded by the call or agent id, so the rest of the data stays as it was) and,
where marked [variant], also on request through `add_calls(variant=...)` / `"variant"`:

- Retell: multi-stage `latency` (e2e, asr, llm, tts; knowledge_base for the third of the agents
  whose LLM has a knowledge base; s2s or llm_websocket_network_rtt for speech-to-speech / custom-LLM
  agents handed in), `call_cost.product_costs`, web calls' `access_token`, and [variant]
  "not_connected" calls without `start_timestamp`.
- Vapi: `artifact.performanceMetrics` (turnLatencies and averages), itemised `costs[]`, and calls
  that did not connect: [variant] "not_connected" (rang out: `endedAt`, no `startedAt`) and, for about
  one in seven of those, [variant] "queue_error" (`call.start.error-…`: no `startedAt`, `endedAt` or
  `phoneCallProviderId`).
- ElevenLabs: `metadata.charging`; [variant] "credits_only" (one in ten: `cost` in credits,
  `cost_fiat` null, no platform split), [variant] "blank_termination_reason" (about one in sixteen
  ended conversations: `termination_reason: ""`), SIP-trunked agents (a quarter: `phone_call.type`
  "sip_trunking"), and [variant] "not_connected".

Choices the sources leave open (platform-apis.md marks them UNCERTAIN), made here as documented
above: Retell's error body and list-agents default limit; Vapi's sort order (newest first) and the
unit of its HMAC timestamp (ms); ElevenLabs' time bounds (exclusive) and summary_mode default
(exclude). Not simulated: older versions of generated Retell agents (one version each, until an agent is
edited through the write endpoints), Vapi's paginated `/v2/call`, and ElevenLabs filters other than those
listed.

Writing agents (the Agent Builder)
----------------------------------
Retell `POST /create-retell-llm`, `PATCH /update-retell-llm/{id}`, `DELETE /delete-retell-llm/{id}`,
`POST /create-agent`, `PATCH /update-agent/{id}`, `POST /create-agent-version/{id}`,
`POST /publish-agent-version/{id}`, `DELETE /delete-agent/{id}` (builder_retell.py, with every version kept);
Vapi `POST /assistant`, `PATCH`/`DELETE /assistant/{id}` (builder_vapi.py); ElevenLabs
`POST /v1/convai/agents/create`, `PATCH`/`DELETE /v1/convai/agents/{id}` (builder_elevenlabs.py). What an SDK
sends reads back as sent; the agent is listed and synced like a generated one and makes calls (`add_calls`)
whose success follows its prompt (the rule in agents_store.py). `state.builder.fail_writes(platform,
status=503, message=None, count=1, path_prefix=None)` / `POST /_sim/write-faults {"platform", "status",
"message", "count" | "down": true, "pathPrefix"}` makes the next writes (or, with "down", every write until
`DELETE /_sim/write-faults[?platform=]`) answer `status` (400, 404, 409, 422, 500, 502 or 503) with the
platform's error body around `message`; `reset` clears them.

Layout (each module imports only the ones listed before it): `pipeline` (`_PlatformApi`, `ApiError`,
auth, faults, error bodies), `params` (shared parameter, cursor, bound and paging helpers), `retell`,
`vapi` and `elevenlabs` (one platform's routes each), `builder_common`, `builder_retell`, `builder_vapi` and
`builder_elevenlabs` (the agent-writing routes), `control` (the `/_sim` API), `app`
(`create_app`) and `serve` (`serve_in_thread`). This package re-exports what other code imports.
"""

from voiceconsole.platforms.simulator.server.app import create_app
from voiceconsole.platforms.simulator.server.pipeline import ApiError
from voiceconsole.platforms.simulator.server.serve import serve_in_thread

__all__ = ["ApiError", "create_app", "serve_in_thread"]
