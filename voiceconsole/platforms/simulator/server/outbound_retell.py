"""Retell's outbound endpoints (`/retell`), as retell-sdk calls them (`client.call.create_phone_call`,
`client.batch_call.create_batch_call`):

- `POST /v2/create-phone-call` {from_number, to_number, override_agent_id?, override_agent_version?,
  agent_override?, metadata?, retell_llm_dynamic_variables?, idempotency_key?, ...} → 201 and the call,
  `call_status: "registered"`, carrying the metadata and dynamic variables sent. The call then plays out over
  simulated time (../outbound.py) and is listed and fetched like any other (`/v3/list-calls`, `/v2/get-call`).
  The agent is `override_agent_id`, else the agent whose own number is `from_number`; any valid E.164
  `from_number` is accepted (the simulator owns every number; `reject_number` refuses one). The same
  `idempotency_key` within an hour answers the call it placed and dials nothing.
- `POST /create-batch-call` {from_number, tasks: [{to_number, override_agent_id?, metadata?,
  retell_llm_dynamic_variables?, agent_override?}], name?, trigger_timestamp?, ...} → 201 {batch_call_id, name,
  from_number, scheduled_timestamp, total_task_count}; one call per task (with `batch_call_id`), dialed at
  `trigger_timestamp` (ms) or now. Every task is checked first: one bad task refuses the batch, nothing dialed.

400 with Retell's body (`{"status": "error", "message"}`) naming the field: a number that is not E.164, or refused
by `reject_number`; 404 for an unknown `override_agent_id`. Dial faults (`fail_dials`) answer 500/502/503.
"""

from __future__ import annotations

from typing import Any

from voiceconsole.platforms.simulator.generator import _traits
from voiceconsole.platforms.simulator.outbound import DialRecord, retell_hook, retell_phases
from voiceconsole.platforms.simulator.server.outbound_common import check_number, dial_fault, fail, logged, place
from voiceconsole.platforms.simulator.server.pipeline import ApiError, _Incoming, _json, _PlatformApi
from voiceconsole.platforms.simulator.state import SimulatorState


def _outbound_retell_routes(api: _PlatformApi, state: SimulatorState) -> None:
    def agent_for(from_number: str, agent_id: Any) -> dict[str, Any]:
        agents = state.data("retell").agents
        if agent_id:
            agent = agents.get(str(agent_id))
            if agent is None:
                raise ApiError(404, f"override_agent_id {agent_id} not found")
            return agent
        bound = next((a for a in agents.values() if _traits("retell", a["agent_id"])[1] == from_number), None)
        if bound is None:
            raise ApiError(400, f"from_number {from_number} has no outbound agent; set override_agent_id")
        return bound

    def check_numbers(from_number: Any, to_number: Any) -> None:
        check_number(
            state,
            "retell",
            "from_number",
            from_number,
            f"from_number {from_number} is not a number of this account that can make outbound calls",
        )
        check_number(state, "retell", "to_number", to_number, f"to_number {to_number} cannot be dialed")

    def hangs_up(task: dict[str, Any]) -> bool:
        agent = ((task.get("agent_override") or {}).get("agent")) or {}
        action = (agent.get("voicemail_option") or {}).get("action") or {}
        return action.get("type") == "hangup"

    def dial(task: dict[str, Any], from_number: str, agent: dict[str, Any], record: DialRecord, **extra: Any) -> Any:
        now = state.clock_ms()
        dialed = state.outbound.decide(state.seed, "retell", task["to_number"], agent, hang_up=hangs_up(task))
        phases = retell_phases(
            agent,
            dialed,
            seed=f"{state.seed}|retell|render|{task['to_number']}|{dialed.nth}",
            now_ms=extra.pop("at_ms", now),
            from_number=from_number,
            to_number=task["to_number"],
            metadata=task.get("metadata"),
            dynamic_variables=task.get("retell_llm_dynamic_variables"),
            hook=retell_hook(agent),
            **extra,
        )
        call = place(state, "retell", phases)
        record.call_id, record.outcome, record.agent_id = call["call_id"], dialed.outcome, agent["agent_id"]
        return call

    @api.route("POST", "/v2/create-phone-call")
    def create_phone_call(req: _Incoming) -> Any:
        body = req.body()
        record = DialRecord(
            state.clock_ms(),
            "retell",
            "/v2/create-phone-call",
            201,
            body.get("override_agent_id"),
            body.get("from_number"),
            body.get("to_number"),
            dict(body.get("metadata") or {}),
            dict(body.get("retell_llm_dynamic_variables") or {}),
            body.get("idempotency_key"),
        )
        with logged(state, record):
            check_numbers(body.get("from_number"), body.get("to_number"))
            agent = agent_for(body["from_number"], body.get("override_agent_id"))
            again = state.outbound.remembered("retell", record.idempotency_key, record.at_ms)
            if again is not None:
                record.call_id, record.error = again, "idempotent repeat: nothing dialed"
                return _json(state.data("retell").calls.get(again), 201)
            fault = dial_fault(state, "retell")
            call = dial(body, body["from_number"], agent, record)
            state.outbound.remember("retell", record.idempotency_key, call["call_id"], record.at_ms)
            if fault is not None:
                record.error = "platform failed after placing the call"
                fail(fault)
            return _json(call, 201)

    @api.route("POST", "/create-batch-call")
    def create_batch_call(req: _Incoming) -> Any:
        body = req.body()
        from_number, tasks = str(body.get("from_number") or ""), body.get("tasks")
        if not isinstance(tasks, list) or not tasks or not all(isinstance(t, dict) for t in tasks):
            raise ApiError(400, "tasks must be a non-empty list of objects")
        for task in tasks:  # all or nothing
            check_numbers(from_number, task.get("to_number"))
            agent_for(from_number, task.get("override_agent_id"))
        fault = dial_fault(state, "retell")
        now = state.clock_ms()
        at = max(now, int(body.get("trigger_timestamp") or now))
        batch_id = state.outbound.next_batch_id()
        for task in tasks:
            record = DialRecord(
                now,
                "retell",
                "/create-batch-call",
                201,
                task.get("override_agent_id"),
                from_number,
                task["to_number"],
                dict(task.get("metadata") or {}),
                dict(task.get("retell_llm_dynamic_variables") or {}),
                batch_call_id=batch_id,
            )
            with logged(state, record):
                agent = agent_for(from_number, task.get("override_agent_id"))
                dial(task, from_number, agent, record, at_ms=at, batch_call_id=batch_id)
        if fault is not None:
            fail(fault)
        answer: dict[str, Any] = {
            "batch_call_id": batch_id,
            "name": body.get("name") or batch_id,
            "from_number": from_number,
            "scheduled_timestamp": at,
            "total_task_count": len(tasks),
        }
        if body.get("call_time_window"):
            answer["call_time_window"] = body["call_time_window"]
        return _json(answer, 201)
