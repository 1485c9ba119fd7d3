"""What the builder tests share: the specs they deploy, and connectors and writers pointed at a simulator."""

from __future__ import annotations

from tests.support.simulator import SimServer
from voiceconsole.platforms.builder import AgentWriter, writer_for
from voiceconsole.platforms.connector import Connector, RetryPolicy
from voiceconsole.platforms.registry import make_connector
from voiceconsole.schemas.agent_spec import AgentSpec, EndCallTool, ExtractField, TransferTool, WebhookTool

QUICK = RetryPolicy(retries=1, backoff_s=0.01, max_backoff_s=0.02, max_total_wait_s=0.1, timeout_s=10)

VOICES = {"retell": "retell-Cimo", "vapi": "Elliot", "elevenlabs": "cjVigY5qzO86Huf0OWal"}
MODELS = {"retell": "gpt-4.1", "vapi": "gpt-4.1", "elevenlabs": "gemini-2.0-flash"}

# A prompt without any of the qualities of agents_store.prompt_quality (q = 0.3), and one with all four (q = 1).
PLAIN_PROMPT = "You answer the phone for Bright Smiles Dental."
GOOD_PROMPT = (
    "You are the receptionist of Bright Smiles Dental. Your goal is to book a cleaning or a check-up for "
    "{{customer_name}}. Confirm the caller's name, the date and the time before you book anything. If the "
    "caller is upset or raises an objection about price, apologise, show empathy and offer a callback. "
    "Keep answers short and friendly; this is a phone call."
)


def full_spec(platform: str) -> AgentSpec:
    """A spec using every field."""
    return AgentSpec(
        name="Bright Smiles – Front desk",
        language="en-US",
        voice_id=VOICES[platform],
        llm={"model": MODELS[platform], "temperature": 0.4},
        system_prompt=GOOD_PROMPT,
        first_message="Hi {{customer_name}}, thanks for calling Bright Smiles!",
        first_speaker="agent",
        dynamic_variables={"customer_name": "there", "clinic": "Bright Smiles"},
        tools=[
            EndCallTool(),
            TransferTool(name="transfer_to_desk", number="+14155550100", description="Caller asks for a person"),
            WebhookTool(
                name="book_appointment",
                description="Book the appointment once the caller confirmed it",
                url="https://booking.example.com/api/book",
                method="POST",
                headers={"Authorization": "Bearer s3cret"},
                parameters={
                    "type": "object",
                    "properties": {"date": {"type": "string", "description": "ISO date"}},
                    "required": ["date"],
                },
            ),
        ],
        post_call_data=[
            ExtractField(name="booked_date", type="string", description="The date booked, if any"),
            ExtractField(name="is_new_patient", type="boolean", description="First visit?"),
            ExtractField(name="party_size", type="number", description="How many people"),
        ],
        voicemail="leave_message",
        voicemail_message="Hi, this is Bright Smiles returning your call. Please call us back.",
        max_call_duration_s=900,
        webhook_url="https://vc.example.com/webhooks/integration-1",
    )


def edited_spec(platform: str) -> AgentSpec:
    """The full spec edited: another prompt and model settings, a tool, a variable and a field fewer, hang up on
    voicemail, the caller speaks first."""
    spec = full_spec(platform)
    return spec.model_copy(
        update={
            "name": "Bright Smiles – Front desk v2",
            "llm": spec.llm.model_copy(update={"temperature": 0.2}),
            "system_prompt": PLAIN_PROMPT,
            "first_speaker": "user",
            "dynamic_variables": {"customer_name": "friend"},
            "tools": [spec.tools[0], spec.tools[2]],
            "post_call_data": spec.post_call_data[:1],
            "voicemail": "hang_up",
            "voicemail_message": "",
            "max_call_duration_s": 600,
        }
    )


def connector(sim: SimServer, platform: str) -> Connector:
    return make_connector(platform, sim.key(platform), sim.base(platform), retry=QUICK, page_size=50)


def writer(sim: SimServer, platform: str) -> AgentWriter:
    return writer_for(connector(sim, platform))
