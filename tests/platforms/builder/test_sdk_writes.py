"""The official SDKs' agent-writing calls, pointed at the simulator, work unchanged: what an SDK sends is what it
reads back, versions behave, and a created agent is listed."""

from __future__ import annotations

import elevenlabs
import pytest
import retell
import vapi
from elevenlabs.core.api_error import ApiError as ElevenLabsApiError
from vapi.core.api_error import ApiError as VapiApiError

TOOLS = [
    {"type": "end_call", "name": "end_call", "description": "End the call"},
    {
        "type": "custom",
        "name": "book",
        "description": "Book",
        "url": "https://booking.example.com/book",
        "method": "POST",
        "headers": {"X-Key": "k"},
        "parameters": {"type": "object", "properties": {"date": {"type": "string"}}},
    },
]


def retell_client(sim) -> retell.Retell:
    return retell.Retell(api_key=sim.key("retell"), base_url=sim.base("retell"), max_retries=0)


def test_retell_llm_and_agent_create_update_publish_delete(sim):
    sdk = retell_client(sim)
    llm = sdk.llm.create(
        general_prompt="You book cleanings.",
        begin_message="Hi!",
        start_speaker="agent",
        model_config={"type": "cascading", "primary": {"model": "gpt-4.1"}, "temperature": 0.2},
        general_tools=TOOLS,
        default_dynamic_variables={"customer_name": "there"},
    )
    assert llm.llm_id and llm.version == 0 and llm.general_prompt == "You book cleanings."
    fetched = sdk.llm.retrieve(llm.llm_id)
    assert fetched.api_model_config is not None and fetched.api_model_config.temperature == 0.2
    assert fetched.model == "gpt-4.1"
    assert [t.name for t in fetched.general_tools or []] == ["end_call", "book"]
    assert fetched.default_dynamic_variables == {"customer_name": "there"}

    agent = sdk.agent.create(
        response_engine={"type": "retell-llm", "llm_id": llm.llm_id},
        voice_id="retell-Cimo",
        agent_name="Front desk",
        language="en-US",
        max_call_duration_ms=900_000,
        post_call_analysis_data=[{"type": "string", "name": "booked_date", "description": "Date"}],
        voicemail_option={"action": {"type": "static_text", "text": "Call us back"}},
        webhook_url="https://vc.example.com/hook",
    )
    assert agent.version == 0 and agent.is_published is False
    assert agent.response_engine.llm_id == llm.llm_id  # type: ignore[union-attr]
    assert sdk.agent.update(agent.agent_id, agent_name="Front desk (draft)").agent_name == "Front desk (draft)"
    sdk.llm.update(llm.llm_id, general_prompt="You book cleanings and check-ups.")
    assert sdk.agent.publish(agent.agent_id, version=0) is None
    published = sdk.agent.retrieve(agent.agent_id)
    assert published.is_published is True and published.max_call_duration_ms == 900_000
    assert published.voicemail_option is not None
    assert published.post_call_analysis_data and published.post_call_analysis_data[0].name == "booked_date"

    # A published version is frozen: edits go to a new draft.
    with pytest.raises(retell.BadRequestError):
        sdk.agent.update(agent.agent_id, agent_name="Too late")
    with pytest.raises(retell.BadRequestError):
        sdk.llm.update(llm.llm_id, general_prompt="Too late")
    draft = sdk.agent.create_version(agent.agent_id, base_version=0)
    assert draft.version == 1 and draft.is_published is False
    engine_version = int(draft.response_engine.version)  # type: ignore[union-attr, arg-type]
    sdk.llm.update(llm.llm_id, general_prompt="Version two.", version=engine_version)
    sdk.agent.update(agent.agent_id, agent_name="Front desk v2", version=1)
    sdk.agent.publish(agent.agent_id, version=1, version_title="Two")
    assert sdk.agent.retrieve(agent.agent_id).agent_name == "Front desk v2"
    assert sdk.agent.retrieve(agent.agent_id, version=0).agent_name == "Front desk (draft)"
    assert sdk.llm.retrieve(llm.llm_id, version=engine_version).general_prompt == "Version two."
    assert sdk.llm.retrieve(llm.llm_id, version=0).general_prompt == "You book cleanings and check-ups."
    assert agent.agent_id in {a.agent_id for a in sdk.agent.list().items}

    with pytest.raises(retell.BadRequestError):  # still used by the agent
        sdk.llm.delete(llm.llm_id)
    assert sdk.agent.delete(agent.agent_id) is None
    with pytest.raises(retell.NotFoundError):
        sdk.agent.retrieve(agent.agent_id)
    assert sdk.llm.delete(llm.llm_id) is None
    with pytest.raises(retell.NotFoundError):
        sdk.llm.retrieve(llm.llm_id)


def test_retell_refuses_bad_fields(sim):
    sdk = retell_client(sim)
    with pytest.raises(retell.BadRequestError, match="temperature"):
        sdk.llm.create(start_speaker="agent", model_config={"type": "cascading", "temperature": 1.5})
    llm = sdk.llm.create(start_speaker="agent", general_prompt="Hi")
    with pytest.raises(retell.BadRequestError, match="max_call_duration_ms"):
        sdk.agent.create(
            response_engine={"type": "retell-llm", "llm_id": llm.llm_id}, voice_id="retell-Cimo", max_call_duration_ms=5
        )


def test_retell_generated_agent_can_be_edited(sim):
    sdk = retell_client(sim)
    agent_id = next(iter(sim.state.data("retell").agents))
    current = sdk.agent.retrieve(agent_id)
    draft = sdk.agent.create_version(agent_id, base_version=current.version)
    sdk.agent.update(agent_id, agent_name="Renamed")
    sdk.agent.publish(agent_id, version=draft.version)
    assert sdk.agent.retrieve(agent_id).agent_name == "Renamed"
    assert sdk.agent.retrieve(agent_id, version=current.version).agent_name == current.agent_name


def vapi_client(sim) -> vapi.Vapi:
    return vapi.Vapi(token=sim.key("vapi"), base_url=sim.base("vapi"))


def test_vapi_assistant_create_update_get_delete(sim):
    sdk = vapi_client(sim)
    created = sdk.assistants.create(
        name="Front desk",
        first_message="Hi!",
        first_message_mode="assistant-speaks-first",
        model={
            "provider": "openai",
            "model": "gpt-4o",
            "temperature": 0.3,
            "messages": [{"role": "system", "content": "You book cleanings."}],
            "tools": [{"type": "endCall"}],
        },
        voice={"provider": "vapi", "voiceId": "Elliot"},
        max_duration_seconds=900,
        voicemail_message="Call us back",
        metadata={"team": "front"},
        server={"url": "https://vc.example.com/hook"},
    )
    assert created.id and created.name == "Front desk" and created.max_duration_seconds == 900
    got = sdk.assistants.get(created.id)
    assert got.model.messages[0].content == "You book cleanings."  # type: ignore[union-attr, index]
    assert got.voicemail_message == "Call us back" and got.metadata == {"team": "front"}
    assert got.server is not None and got.server.url == "https://vc.example.com/hook"
    updated = sdk.assistants.update(created.id, name="Front desk v2", max_duration_seconds=600)
    assert updated.name == "Front desk v2" and updated.max_duration_seconds == 600
    assert updated.voicemail_message == "Call us back"  # fields not sent stay
    assert created.id in {a.id for a in sdk.assistants.list()}
    with pytest.raises(VapiApiError) as caught:
        sdk.assistants.update(created.id, name="x" * 41)
    assert caught.value.status_code == 400
    assert sdk.assistants.delete(created.id).id == created.id
    with pytest.raises(VapiApiError) as caught:
        sdk.assistants.get(created.id)
    assert caught.value.status_code == 404


def el_client(sim) -> elevenlabs.ElevenLabs:
    return elevenlabs.ElevenLabs(api_key=sim.key("elevenlabs"), base_url=sim.base("elevenlabs"))


def test_elevenlabs_agent_create_update_get_delete(sim):
    sdk = el_client(sim)
    config = {
        "agent": {
            "first_message": "Hi!",
            "language": "en",
            "prompt": {"prompt": "You book cleanings.", "llm": "gemini-2.0-flash", "temperature": 0.3},
        },
        "tts": {"voice_id": "cjVigY5qzO86Huf0OWal"},
        "conversation": {"max_duration_seconds": 900},
    }
    created = sdk.conversational_ai.agents.create(
        name="Front desk",
        conversation_config=config,
        platform_settings={"data_collection": {"booked_date": {"type": "string", "description": "Date"}}},
        tags=["dental"],
    )
    agent = sdk.conversational_ai.agents.get(created.agent_id)
    assert agent.name == "Front desk" and agent.tags == ["dental"]
    assert agent.conversation_config.agent.prompt.prompt == "You book cleanings."  # type: ignore[union-attr]
    assert agent.conversation_config.tts.voice_id == "cjVigY5qzO86Huf0OWal"  # type: ignore[union-attr]
    first_version = agent.version_id
    updated = sdk.conversational_ai.agents.update(
        created.agent_id,
        name="Front desk v2",
        conversation_config={"agent": {"prompt": {"prompt": "Version two."}}},
        version_description="Shorter prompt",
    )
    assert updated.name == "Front desk v2" and updated.version_id != first_version
    prompt = updated.conversation_config.agent.prompt  # type: ignore[union-attr]
    assert prompt.prompt == "Version two." and prompt.llm == "gemini-2.0-flash"  # merged, not replaced
    listed = sdk.conversational_ai.agents.list(page_size=100)
    assert created.agent_id in {a.agent_id for a in listed.agents}
    sdk.conversational_ai.agents.delete(created.agent_id)
    with pytest.raises(ElevenLabsApiError) as caught:
        sdk.conversational_ai.agents.get(created.agent_id)
    assert caught.value.status_code == 404
