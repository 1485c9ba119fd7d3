"""The Agent Builder's public shapes: an agent's config with its versions, diffs, checks, templates, and the
quality of each version."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from voiceconsole.schemas.agent_spec import AgentSpec
from voiceconsole.schemas.base import PublicModel


class Finding(PublicModel):
    """A prompt check's result: an `error` blocks a deploy, a `warning` does not."""

    level: str  # error | warning
    field: str  # the spec's field, camelCase as on the wire (systemPrompt, tools.0.number)
    message: str


class Drift(PublicModel):
    """What changed on the platform since the deployed version (someone edited it in the vendor's console)."""

    detected_at: datetime
    changes: list[FieldChange]


class FieldChange(PublicModel):
    field: str
    before: Any
    after: Any


class AgentConfigOut(PublicModel):
    spec: AgentSpec  # the latest version (webhook tool header values masked)
    version: int  # the latest version's number
    deployed_version: int | None
    drift: Drift | None
    checks: list[Finding]


class VersionOut(PublicModel):
    version: int
    note: str
    author: str
    source: str  # builder | import | platform | coaching | template
    created_at: datetime
    deployed_at: datetime | None  # when it was last made live (null: never)
    live: bool  # the version deployed now


class VersionDetail(VersionOut):
    spec: AgentSpec


class DiffOut(PublicModel):
    a: int
    b: int
    prompt: list[str]  # the system prompt as a unified line diff (empty when equal)
    changes: list[FieldChange]  # every other field that differs, before → after


class TemplateOut(PublicModel):
    id: str
    name: str
    description: str
    spec: AgentSpec


class CreatedAgentOut(PublicModel):
    agent_id: str  # the platform's agent id, as every agent path names it
    platform: str
    version: int
    checks: list[Finding]


class VersionQuality(PublicModel):
    """A version's calls (attributed to the version live when each started) and their figures; every figure
    comes with the count of calls behind it."""

    version: int
    calls: int
    scored_calls: int
    avg_score: float | None
    success_rate: float | None  # 0–1, of ended calls with a known outcome
    outcome_calls: int
    avg_duration_s: float | None
    cost_per_call: float | None
    costed_calls: int
    sentiment: dict[str, int]  # positive / neutral / negative → calls


Drift.model_rebuild()
