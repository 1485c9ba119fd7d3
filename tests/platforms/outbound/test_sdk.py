"""The simulator's outbound endpoints through the official SDKs: Retell create-phone-call and create-batch-call,
Vapi calls.create; the calls play out, carry what was sent, and list and fetch like any other call."""

from __future__ import annotations

import pytest
import retell
import vapi
from vapi import AssistantOverrides, CreateCustomerDto
from vapi.core.api_error import ApiError as VapiApiError

from tests.platforms.outbound.support import agent_id, caller, dials, script, settle


def retell_client(sim) -> retell.Retell:
    return retell.Retell(api_key=sim.key("retell"), base_url=sim.base("retell"), max_retries=0)


def vapi_client(sim) -> vapi.Vapi:
    return vapi.Vapi(token=sim.key("vapi"), base_url=sim.base("vapi"))


def test_retell_create_phone_call_plays_out(sim):
    client, agent = retell_client(sim), agent_id(sim, "retell")
    script(sim, "+14155550199", "answered")
    call = client.call.create_phone_call(
        from_number="+14155550100",
        to_number="+14155550199",
        override_agent_id=agent,
        metadata={"lead_id": "l1", "attempt_id": "a1"},
        retell_llm_dynamic_variables={"first_name": "Ada"},
    )
    assert call.call_status == "registered" and call.direction == "outbound"
    assert call.metadata == {"lead_id": "l1", "attempt_id": "a1"}
    assert call.retell_llm_dynamic_variables == {"first_name": "Ada"}

    settle(sim)
    ended = client.call.retrieve(call.call_id)
    assert ended.call_status == "ended" and ended.disconnection_reason in (
        "user_hangup",
        "agent_hangup",
        "call_transfer",
    )
    assert ended.start_timestamp and ended.end_timestamp and ended.transcript
    assert ended.agent_id == agent and ended.metadata == {"lead_id": "l1", "attempt_id": "a1"}
    listed = client.call.list(filter_criteria={"to_number": {"op": "eq", "type": "string", "value": "+14155550199"}})
    assert [c.call_id for c in listed.items] == [call.call_id]
    assert listed.items[0].metadata == {"lead_id": "l1", "attempt_id": "a1"}


@pytest.mark.parametrize(
    ("outcome", "reason", "status"),
    [
        ("voicemail", "voicemail_reached", "ended"),
        ("no_answer", "dial_no_answer", "not_connected"),
        ("busy", "dial_busy", "not_connected"),
        ("failed", "dial_failed", "not_connected"),
    ],
)
def test_retell_outcomes(sim, outcome, reason, status):
    client = retell_client(sim)
    script(sim, "+14155550123", outcome)
    call = client.call.create_phone_call(
        from_number="+14155550100", to_number="+14155550123", override_agent_id=agent_id(sim, "retell")
    )
    settle(sim)
    ended = client.call.retrieve(call.call_id)
    assert (ended.disconnection_reason, ended.call_status) == (reason, status)
    assert ended.call_analysis.in_voicemail == (outcome == "voicemail")
    assert (ended.start_timestamp is not None) == (outcome == "voicemail")


def test_retell_idempotency_key_dials_once(sim):
    client = retell_client(sim)
    kwargs = {
        "from_number": "+14155550100",
        "to_number": "+14155550124",
        "override_agent_id": agent_id(sim, "retell"),
        "idempotency_key": "attempt-7",
    }
    first = client.call.create_phone_call(**kwargs)
    again = client.call.create_phone_call(**kwargs)
    assert again.call_id == first.call_id
    assert [d["call_id"] for d in dials(sim)] == [first.call_id, first.call_id]
    assert sum(1 for d in dials(sim) if d["outcome"]) == 1  # the second request placed nothing


def test_retell_batch_call(sim):
    client, agent = retell_client(sim), agent_id(sim, "retell")
    batch = client.batch_call.create_batch_call(
        from_number="+14155550100",
        name="August leads",
        tasks=[
            {"to_number": "+14155550131", "override_agent_id": agent, "metadata": {"attempt_id": "b1"}},
            {"to_number": "+14155550132", "override_agent_id": agent, "retell_llm_dynamic_variables": {"x": "y"}},
        ],
    )
    assert batch.total_task_count == 2 and batch.name == "August leads"
    placed = dials(sim, "retell")
    assert {d["to_number"] for d in placed} == {"+14155550131", "+14155550132"}
    assert {d["batch_call_id"] for d in placed} == {batch.batch_call_id}
    settle(sim)
    calls = client.call.list(
        filter_criteria={"batch_call_id": {"op": "eq", "type": "string", "value": batch.batch_call_id}}
    ).items
    assert len(calls) == 2 and {c.to_number for c in calls} == {"+14155550131", "+14155550132"}


def test_retell_bad_number_is_refused(sim):
    client = retell_client(sim)
    with pytest.raises(retell.BadRequestError) as caught:
        client.call.create_phone_call(
            from_number="+14155550100", to_number="555-0199", override_agent_id=agent_id(sim, "retell")
        )
    assert "to_number" in str(caught.value)
    assert dials(sim)[0]["status"] == 400 and dials(sim)[0]["call_id"] is None


def test_vapi_calls_create_plays_out(sim):
    client, agent = vapi_client(sim), agent_id(sim, "vapi")
    script(sim, "+14155550177", "busy")
    call = client.calls.create(
        assistant_id=agent,
        phone_number_id=caller(sim, "vapi", agent),
        customer=CreateCustomerDto(number="+14155550177"),
        assistant_overrides=AssistantOverrides(
            variable_values={"first_name": "Ada"}, metadata={"lead_id": "l1", "attempt_id": "a1"}
        ),
    )
    assert call.status == "queued" and call.type == "outboundPhoneCall"
    settle(sim)
    ended = client.calls.get(call.id)
    assert ended.status == "ended" and ended.ended_reason == "customer-busy" and ended.started_at is None
    assert ended.customer.number == "+14155550177"
    assert ended.assistant_overrides.metadata == {"lead_id": "l1", "attempt_id": "a1"}
    assert ended.assistant_overrides.variable_values == {"first_name": "Ada"}
    assert call.id in [c.id for c in client.calls.list(assistant_id=agent)]


def test_vapi_batch_and_validation(sim):
    client, agent = vapi_client(sim), agent_id(sim, "vapi")
    batch = client.calls.create(
        assistant_id=agent,
        phone_number_id=caller(sim, "vapi", agent),
        customers=[CreateCustomerDto(number="+14155550181"), CreateCustomerDto(number="+14155550182")],
    )
    assert len(batch.results) == 2 and batch.errors == []
    with pytest.raises(VapiApiError) as caught:
        client.calls.create(
            assistant_id=agent, phone_number_id=caller(sim, "vapi", agent), customer=CreateCustomerDto(number="12")
        )
    assert caught.value.status_code == 400 and "customer.number" in str(caught.value.body)
