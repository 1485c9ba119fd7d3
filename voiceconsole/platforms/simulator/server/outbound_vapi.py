"""Vapi's outbound endpoint (`/vapi`), as vapi-server-sdk calls it (`client.calls.create`):

- `POST /call` {assistantId, phoneNumberId, customer: {number, ...} | customers: [...], assistantOverrides?:
  {variableValues?, metadata?, voicemailMessage?, ...}, name?, schedulePlan?} → 201 and the Call, `status:
  "queued"`, `type: "outboundPhoneCall"`, echoing `assistantOverrides` (so its `metadata` and `variableValues` read
  back from get-call and list-calls). With `customers`, one call each: 201 {results: [Call], errors: []}. The call
  then plays out over simulated time (../outbound.py).

As Vapi's validation does (400, `{"message": [...], "error": "Bad Request"}`): properties the SDK's CreateCallDto
does not have (a top-level `metadata`, say) "should not exist"; `customer.number` must be E.164; `phoneNumberId` must
be one of the account's numbers (`GET /phone-number`) and `assistantId` one of its assistants. Transient
assistants, squads, workflows and phone numbers are not simulated (400). `reject_number` refuses a customer number
or a phoneNumberId; dial faults (`fail_dials`) answer 500/502/503.
"""

from __future__ import annotations

from typing import Any

from voiceconsole.platforms.simulator.outbound import DialRecord, vapi_hook, vapi_phases
from voiceconsole.platforms.simulator.server.outbound_common import check_number, dial_fault, fail, logged, place
from voiceconsole.platforms.simulator.server.pipeline import ApiError, _Incoming, _json, _PlatformApi
from voiceconsole.platforms.simulator.state import SimulatorState, public

# The properties of the SDK's CreateCallDto (vapi-server-sdk `calls.create`).
_CREATE_CALL_FIELDS = frozenset(
    (
        "customers",
        "name",
        "schedulePlan",
        "transport",
        "assistantId",
        "assistant",
        "assistantOverrides",
        "squadId",
        "squad",
        "squadOverrides",
        "workflowId",
        "workflow",
        "workflowOverrides",
        "phoneNumberId",
        "phoneNumber",
        "customerId",
        "customer",
    )
)
_NOT_SIMULATED = ("assistant", "squadId", "squad", "workflowId", "workflow", "phoneNumber", "customerId", "transport")
VAPI_WEBHOOK_SECRET = "sim_vapi_webhook_secret"  # signs an assistant's messages when its `server` has no secret


def _outbound_vapi_routes(api: _PlatformApi, state: SimulatorState) -> None:
    def check(body: dict[str, Any]) -> tuple[dict[str, Any], str, list[dict[str, Any]]]:
        unknown = sorted(set(body) - _CREATE_CALL_FIELDS)
        if unknown:
            raise ApiError(400, "; ".join(f"property {name} should not exist" for name in unknown))
        used = [name for name in _NOT_SIMULATED if body.get(name)]
        if used:
            raise ApiError(400, f"{', '.join(used)}: not supported by the simulator; use assistantId and phoneNumberId")
        assistant = state.data("vapi").agents.get(str(body.get("assistantId") or ""))
        if assistant is None:
            raise ApiError(400, "assistantId: Couldn't Get Assistant. Assistant Not Found")
        phone_number_id = body.get("phoneNumberId")
        if phone_number_id not in {n["id"] for n in state.vapi_phone_numbers()}:
            raise ApiError(400, f"phoneNumberId {phone_number_id}: Couldn't Get Phone Number. Phone Number Not Found")
        refused, message = state.outbound.rejection("vapi", phone_number_id)
        if refused:
            raise ApiError(400, message or f"phoneNumberId {phone_number_id} can't make outbound calls")
        given: Any = body.get("customers") or [body.get("customer")]
        if not isinstance(given, list) or not all(isinstance(c, dict) for c in given):
            raise ApiError(400, "customer.number must be a valid phone number in the E.164 format")
        customers: list[dict[str, Any]] = given
        for customer in customers:
            check_number(
                state,
                "vapi",
                "customer.number",
                customer.get("number"),
                f"customer.number {customer.get('number')} can't be dialed",
            )
        return assistant, str(phone_number_id), customers

    def dial(
        body: dict[str, Any], assistant: dict[str, Any], phone_number_id: str, customer: dict[str, Any]
    ) -> tuple[dict[str, Any], DialRecord]:
        overrides = {**(body.get("assistantOverrides") or {}), **(customer.get("assistantOverrides") or {})}
        record = DialRecord(
            state.clock_ms(),
            "vapi",
            "/call",
            201,
            assistant["id"],
            phone_number_id,
            customer["number"],
            dict(overrides.get("metadata") or {}),
            dict(overrides.get("variableValues") or {}),
        )
        with logged(state, record):
            # Vapi has no per-call "hang up on voicemail": the assistant's voicemail message is left, if any.
            dialed = state.outbound.decide(state.seed, "vapi", customer["number"], assistant, hang_up=False)
            phases = vapi_phases(
                assistant,
                dialed,
                seed=f"{state.seed}|vapi|render|{customer['number']}|{dialed.nth}",
                now_ms=record.at_ms,
                phone_number_id=phone_number_id,
                to_number=customer["number"],
                name=body.get("name"),
                overrides=overrides or None,
                hook=vapi_hook(assistant, public(assistant), VAPI_WEBHOOK_SECRET),
            )
            call = place(state, "vapi", phases)
            record.call_id, record.outcome = call["id"], dialed.outcome
            return call, record

    @api.route("POST", "/call")
    def create_call(req: _Incoming) -> Any:
        body = req.body()
        try:
            assistant, phone_number_id, customers = check(body)
            fault = dial_fault(state, "vapi")
        except ApiError as exc:
            sent = body.get("customer")
            customer: dict[str, Any] = sent if isinstance(sent, dict) else {}
            record = DialRecord(
                state.clock_ms(),
                "vapi",
                "/call",
                exc.status,
                body.get("assistantId"),
                body.get("phoneNumberId"),
                customer.get("number"),
                error=exc.message,
            )
            state.outbound.log(record)
            raise
        placed = [dial(body, assistant, phone_number_id, customer) for customer in customers]
        if fault is not None:
            for _, record in placed:
                record.status, record.error = fault.status, "platform failed after placing the call"
            fail(fault)
        calls = [call for call, _ in placed]
        if body.get("customers"):
            return _json({"results": calls, "errors": []}, 201)
        return _json(calls[0], 201)
