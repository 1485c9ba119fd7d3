"""The platform-neutral agent spec of the Agent Builder: what an agency writes once and deploys to Retell,
Vapi or ElevenLabs (platforms/builder_*.py map it to each platform's API and back).

Validation here is about shape (types, bounds, names); what only matters before a deploy (unresolved
`{{variables}}`, an empty first message, a transfer number not in E.164) is the prompt check's business
(services/builder/checks.py): warnings that do not block a draft, errors that block a deploy."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, field_validator

from voiceconsole.schemas.base import PublicModel

NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")  # tool, variable and extracted-field names
VARIABLE_RE = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")


def _name(value: str) -> str:
    if not NAME_RE.match(value):
        raise ValueError("Use letters, digits and underscores, starting with a letter (at most 64)")
    return value


Identifier = Annotated[str, AfterValidator(_name)]


class LlmSettings(PublicModel):
    model: str = Field(default="gpt-4.1-mini", min_length=1, max_length=100)
    temperature: float = Field(default=0.3, ge=0, le=2)


class EndCallTool(PublicModel):
    kind: Literal["end_call"] = "end_call"
    name: Identifier = "end_call"
    description: str = Field(default="End the call when the conversation is over.", max_length=1000)


class TransferTool(PublicModel):
    kind: Literal["transfer"] = "transfer"
    name: Identifier = "transfer_call"
    description: str = Field(default="", max_length=1000)
    number: str = Field(max_length=32, description="The number to transfer to, E.164 (+14155550100)")


class WebhookTool(PublicModel):
    kind: Literal["webhook"] = "webhook"
    name: Identifier
    description: str = Field(default="", max_length=1000)
    url: str = Field(max_length=2000, pattern=r"^https?://")
    method: Literal["GET", "POST", "PUT", "PATCH", "DELETE"] = "POST"
    # Header values are secrets (an API key of the agency's booking system): encrypted at rest, never echoed
    # (the API shows "********"; sending "********" back keeps the stored value).
    headers: dict[str, str] = Field(default_factory=dict, max_length=20)
    parameters: dict[str, Any] = Field(
        default_factory=lambda: {"type": "object", "properties": {}},
        description="A JSON schema of the arguments the LLM sends",
    )

    @field_validator("parameters")
    @classmethod
    def _schema_object(cls, value: dict[str, Any]) -> dict[str, Any]:
        if value.get("type") != "object" or not isinstance(value.get("properties", {}), dict):
            raise ValueError('A JSON schema with "type": "object" and its "properties"')
        return value


Tool = Annotated[EndCallTool | TransferTool | WebhookTool, Field(discriminator="kind")]


class ExtractField(PublicModel):
    """A piece of post-call data the platform extracts from each call (booked date, reason for calling)."""

    name: Identifier
    type: Literal["string", "number", "boolean"] = "string"
    description: str = Field(default="", max_length=1000)


class AgentSpec(PublicModel):
    name: str = Field(min_length=1, max_length=200)
    language: str = Field(default="en-US", min_length=2, max_length=16)
    voice_id: str = Field(min_length=1, max_length=200)
    llm: LlmSettings = Field(default_factory=LlmSettings)
    system_prompt: str = Field(default="", max_length=60_000)
    first_message: str = Field(default="", max_length=2_000)
    first_speaker: Literal["agent", "user"] = "agent"
    # Default values of the `{{variables}}` the prompt and first message use (a campaign's lead fields
    # override them per call).
    dynamic_variables: dict[str, str] = Field(default_factory=dict, max_length=100)
    tools: list[Tool] = Field(default_factory=list, max_length=30)
    post_call_data: list[ExtractField] = Field(default_factory=list, max_length=50)
    voicemail: Literal["hang_up", "leave_message"] = "hang_up"
    voicemail_message: str = Field(default="", max_length=2_000)
    max_call_duration_s: int = Field(default=1_800, ge=30, le=7_200)
    # Filled in by VoiceConsole on every deploy: this integration's receive URL, so the agent is monitored
    # in real time from its first call. Whatever is sent here is replaced.
    webhook_url: str | None = Field(default=None, max_length=2000)

    @field_validator("dynamic_variables")
    @classmethod
    def _variable_names(cls, value: dict[str, str]) -> dict[str, str]:
        for key in value:
            _name(key)
        return value

    def variables_used(self) -> set[str]:
        """Every `{{name}}` in the prompt and the first message."""
        return set(VARIABLE_RE.findall(self.system_prompt)) | set(VARIABLE_RE.findall(self.first_message))
