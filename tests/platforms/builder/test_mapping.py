"""The pure mappings: spec → platform body → spec keeps every field each platform holds, in the field names
the official SDKs send; what a platform cannot hold is changed as its module documents."""

from __future__ import annotations

import pytest

from tests.platforms.builder.support import edited_spec, full_spec
from voiceconsole.platforms.builder import WRITERS, PlatformRejected
from voiceconsole.platforms.builder import elevenlabs as el_map
from voiceconsole.platforms.builder import retell as retell_map
from voiceconsole.platforms.builder import vapi as vapi_map
from voiceconsole.platforms.builder.base import AgentWriter
from voiceconsole.platforms.simulator.agents_store import prompt_quality
from voiceconsole.platforms.simulator.generator import generate_agents
from voiceconsole.schemas.agent_spec import AgentSpec, LlmSettings, WebhookTool


def held(platform: str, spec: AgentSpec) -> AgentSpec:
    writer: type[AgentWriter] = WRITERS[platform]
    return writer.from_platform(writer.to_platform(spec))


def what_platform_holds(platform: str, spec: AgentSpec) -> AgentSpec:
    """The spec as the platform module's docstring says the platform keeps it."""
    if platform != "elevenlabs":
        return spec
    first = spec.first_message if spec.first_speaker == "agent" else ""
    return spec.model_copy(
        update={
            "language": el_map.platform_language(spec.language),
            "webhook_url": None,
            "first_message": first,
            "first_speaker": "agent" if first else "user",
        }
    )


@pytest.mark.parametrize("platform", ["retell", "vapi", "elevenlabs"])
@pytest.mark.parametrize("make", [full_spec, edited_spec])
def test_round_trip(platform, make):
    spec = make(platform)
    assert held(platform, spec) == what_platform_holds(platform, spec)


@pytest.mark.parametrize("platform", ["retell", "vapi", "elevenlabs"])
def test_round_trip_of_defaults(platform):
    spec = AgentSpec(name="Minimal", voice_id="v1", llm={"model": "gpt-4.1"})
    assert held(platform, spec) == what_platform_holds(platform, spec)


def test_retell_bodies_use_sdk_field_names():
    body = retell_map.to_platform(full_spec("retell"))
    llm, agent = body["llm"], body["agent"]
    assert llm["model_config"] == {"type": "cascading", "primary": {"model": "gpt-4.1"}, "temperature": 0.4}
    assert llm["start_speaker"] == "agent" and llm["begin_message"].startswith("Hi {{customer_name}}")
    assert llm["default_dynamic_variables"] == {"customer_name": "there", "clinic": "Bright Smiles"}
    end_call, transfer, custom = llm["general_tools"]
    assert end_call["type"] == "end_call"
    assert transfer["transfer_destination"] == {"type": "predefined", "number": "+14155550100"}
    assert transfer["transfer_option"] == {"type": "cold_transfer"}
    assert custom["type"] == "custom" and custom["headers"] == {"Authorization": "Bearer s3cret"}
    assert agent["max_call_duration_ms"] == 900_000
    assert agent["voicemail_option"] == {
        "action": {"type": "static_text", "text": "Hi, this is Bright Smiles returning your call. Please call us back."}
    }
    assert agent["post_call_analysis_data"][1] == {
        "type": "boolean",
        "name": "is_new_patient",
        "description": "First visit?",
    }


def test_retell_reads_the_older_model_fields_and_leaves_out_what_a_spec_cannot_hold():
    spec = retell_map.from_platform(
        {
            "agent": {
                "agent_name": "Old",
                "voice_id": "11labs-Adrian",
                "language": ["es-ES", "en-US"],
                "post_call_analysis_data": [{"type": "enum", "name": "intent", "choices": ["a"], "description": ""}],
                "voicemail_option": {"action": {"type": "prompt", "text": "Leave a short message"}},
            },
            "llm": {
                "model": "gpt-4.1-mini",
                "model_temperature": 0.7,
                "begin_message": None,
                "general_tools": [
                    {"type": "press_digit", "name": "press"},
                    {"type": "custom", "name": "look-up", "url": "https://x.example.com", "method": "GET"},
                ],
            },
        }
    )
    assert spec.llm.model == "gpt-4.1-mini" and spec.llm.temperature == 0.7
    assert spec.language == "es-ES" and spec.first_message == "" and spec.first_speaker == "user"
    assert spec.post_call_data == []
    assert [t.name for t in spec.tools] == ["look_up"]  # dashes are not in our names
    assert spec.voicemail == "leave_message" and spec.voicemail_message == "Leave a short message"


def test_vapi_body_and_providers():
    body = vapi_map.to_platform(full_spec("vapi"))
    assert body["model"]["provider"] == "openai" and body["model"]["messages"][0]["role"] == "system"
    assert body["voice"] == {"provider": "vapi", "voiceId": "Elliot"}
    assert body["firstMessageMode"] == "assistant-speaks-first"
    function = body["model"]["tools"][2]
    assert function["server"] == {
        "url": "https://booking.example.com/api/book",
        "headers": {"Authorization": "Bearer s3cret"},
    }
    assert body["analysisPlan"]["structuredDataPlan"]["schema"]["properties"]["party_size"]["type"] == "number"
    llm = LlmSettings(model="claude-3-5-sonnet")
    spec = full_spec("vapi").model_copy(update={"voice_id": "11labs:abc123", "llm": llm})
    body = vapi_map.to_platform(spec)
    assert body["voice"] == {"provider": "11labs", "voiceId": "abc123"}
    assert body["model"]["provider"] == "anthropic"
    assert held("vapi", spec) == spec
    generated_mode = vapi_map.to_platform(spec.model_copy(update={"first_message": ""}))["firstMessageMode"]
    assert generated_mode == "assistant-speaks-first-with-model-generated-message"


def test_vapi_refuses_a_webhook_tool_that_is_not_post():
    spec = full_spec("vapi")
    tool = spec.tools[2]
    assert isinstance(tool, WebhookTool)
    get_tool = tool.model_copy(update={"method": "GET"})
    with pytest.raises(PlatformRejected) as caught:
        vapi_map.to_platform(spec.model_copy(update={"tools": [spec.tools[0], get_tool]}))
    assert caught.value.field == "tools[1].method"


def test_elevenlabs_body_and_query_parameters():
    spec = full_spec("elevenlabs")
    body = el_map.to_platform(spec)
    agent = body["conversation_config"]["agent"]
    assert agent["language"] == "en"
    assert agent["prompt"]["llm"] == "gemini-2.0-flash"
    assert body["conversation_config"]["tts"] == {"voice_id": "cjVigY5qzO86Huf0OWal"}
    assert body["conversation_config"]["conversation"] == {"max_duration_seconds": 900}
    tools = agent["prompt"]["tools"]
    assert tools[1]["params"]["transfers"][0]["transfer_destination"] == {
        "type": "phone",
        "phone_number": "+14155550100",
    }
    assert tools[2]["api_schema"]["request_headers"] == {"Authorization": "Bearer s3cret"}
    assert tools[-1]["params"] == {
        "system_tool_type": "voicemail_detection",
        "voicemail_message": spec.voicemail_message,
    }
    assert body["platform_settings"]["data_collection"]["is_new_patient"] == {
        "type": "boolean",
        "description": "First visit?",
    }
    webhook = spec.tools[2]
    assert isinstance(webhook, WebhookTool)
    get_spec = spec.model_copy(update={"tools": [webhook.model_copy(update={"method": "GET"})]})
    schema = el_map.to_platform(get_spec)["conversation_config"]["agent"]["prompt"]["tools"][0]["api_schema"]
    assert "request_body_schema" not in schema and schema["query_params_schema"]["required"] == ["date"]
    assert held("elevenlabs", get_spec) == what_platform_holds("elevenlabs", get_spec)
    assert el_map.platform_language("pt-BR") == "pt-br"


@pytest.mark.parametrize("platform", ["retell", "vapi", "elevenlabs"])
def test_generated_agents_import(platform):
    """Agents made in a vendor console (the simulator's generated ones) read as valid specs."""
    for agent in generate_agents(platform, seed=3, count=4):
        raw = {"agent": agent, "llm": agent["_llm"]} if platform == "retell" else agent
        spec = WRITERS[platform].from_platform(raw)
        assert spec.system_prompt and spec.voice_id


def test_error_messages_name_our_fields():
    writer = WRITERS["retell"].__new__(WRITERS["retell"])
    assert writer.field_for("model_config.temperature must be a number between 0 and 1") == "llm.temperature"
    assert writer.field_for("max_call_duration_ms must be between 60000 and 7200000") == "max_call_duration_s"
    assert writer.field_for("something else went wrong") is None
    vapi_writer = WRITERS["vapi"].__new__(WRITERS["vapi"])
    assert vapi_writer.field_for("name must be shorter than or equal to 40 characters") == "name"


def test_prompt_quality_rule():
    from tests.platforms.builder.support import GOOD_PROMPT, PLAIN_PROMPT

    assert prompt_quality(PLAIN_PROMPT) == 0.3
    assert prompt_quality(GOOD_PROMPT) == 1.0
    assert prompt_quality("Confirm the date. " * 20) == 0.625
