"""What the simulator's agent-writing endpoints keep beside the generated data (server/builder_*.py), and the
rule that makes an agent's simulated calls better or worse with its prompt.

Agents written through the endpoints live with the generated ones (`PlatformData.agents`: they are listed,
synced and make calls like the others). Kept here as well:
- Retell's versions: `retell_agents[agent_id][version]` (the agent as get-agent returns it) and
  `retell_llms[llm_id][version]` (the Retell LLM). A generated Retell agent is adopted (its one version and its
  LLM copied in) the first time one of these endpoints changes it.
- write faults: `fail_writes(...)` makes the next write requests (POST/PATCH/DELETE to these endpoints) fail,
  for tests of half-made creates and of a platform that is down for writes.

The prompt rule (`prompt_quality`), documented here so tests and the demo can rely on it
-----------------------------------------------------------------------------------------
Every agent written through these endpoints gets a quality q from its prompt (Retell: the general prompt of the
published version, or of the latest while none is published; Vapi: the system message; ElevenLabs:
`conversation_config.agent.prompt.prompt`):

    q = 0.5 + 0.125 × (how many of these the prompt does)        at most 1.0
        - it asks to confirm details          (the word "confirm…")
        - it states a clear goal              ("goal", "objective", "your job", "your task")
        - it handles objections with empathy  ("objection", "empath…", "apologi[sz]e", "upset", "frustrat…")
        - it uses the caller's name variable  (a `{{…name…}}` variable, e.g. `{{customer_name}}`)
    q -= 0.2 when the prompt is shorter than 200 characters;  q is kept within [0.1, 1.0].

Each call of such an agent succeeds with probability (the scenario's usual success rate) × q; the generated
agents keep their usual rates (q = 1). A prompt doing all four scores like the generated agents; a bare
one-liner gets about a third of their successes, so a version 2 that adds the four scores visibly better than
its version 1.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

PROMPT_QUALITIES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("confirms details", re.compile(r"\bconfirm", re.IGNORECASE)),
    ("states a clear goal", re.compile(r"\b(goal|objective|your job|your task)\b", re.IGNORECASE)),
    ("handles objections", re.compile(r"objection|empath|apologi[sz]e|upset|frustrat", re.IGNORECASE)),
    ("uses the caller's name", re.compile(r"\{\{\s*\w*name\w*\s*\}\}", re.IGNORECASE)),
)
SHORT_PROMPT_CHARS = 200


def prompt_quality(prompt: str | None) -> float:
    """The quality q of a prompt (see the module docstring)."""
    text = prompt or ""
    quality = 0.5 + 0.125 * sum(1 for _, pattern in PROMPT_QUALITIES if pattern.search(text))
    if len(text.strip()) < SHORT_PROMPT_CHARS:
        quality -= 0.2
    return round(max(0.1, min(1.0, quality)), 3)


WRITE_FAULT_STATUSES = (400, 404, 409, 422, 500, 502, 503)


@dataclass
class WriteFault:
    """The next `remaining` writes to a platform (under `path_prefix`, if set; None: until cleared) fail with
    `status` and `message`."""

    platform: str
    status: int
    message: str
    remaining: int | None = 1
    path_prefix: str | None = None  # relative to the platform base, e.g. "/create-agent"

    def matches(self, platform: str, path: str) -> bool:
        return (
            self.platform == platform
            and (self.remaining is None or self.remaining > 0)
            and (not self.path_prefix or path.startswith(self.path_prefix))
        )


@dataclass
class AgentsStore:
    retell_agents: dict[str, dict[int, dict[str, Any]]] = field(default_factory=dict)
    retell_llms: dict[str, dict[int, dict[str, Any]]] = field(default_factory=dict)
    faults: list[WriteFault] = field(default_factory=list)

    def retell_llm(self, llm_id: str, version: int | None = None) -> dict[str, Any] | None:
        versions = self.retell_llms.get(llm_id)
        if not versions:
            return None
        return versions.get(max(versions) if version is None else version)

    # -- write faults ----------------------------------------------------------------------------

    def fail_writes(
        self,
        platform: str,
        status: int = 503,
        message: str | None = None,
        *,
        count: int | None = 1,
        path_prefix: str | None = None,
    ) -> WriteFault:
        if status not in WRITE_FAULT_STATUSES:
            raise ValueError(f"status must be one of {WRITE_FAULT_STATUSES}")
        if count is not None and count < 1:
            raise ValueError("count must be at least 1 (or null: until cleared)")
        if path_prefix and not path_prefix.startswith("/"):
            path_prefix = "/" + path_prefix
        if message is None:
            message = "Service temporarily unavailable" if status >= 500 else "The request was refused"
        fault = WriteFault(platform, status, message, count, path_prefix)
        self.faults.append(fault)
        return fault

    def take_fault(self, platform: str, path: str) -> WriteFault | None:
        for fault in self.faults:
            if fault.matches(platform, path):
                if fault.remaining is not None:
                    fault.remaining -= 1
                self.faults = [f for f in self.faults if f.remaining is None or f.remaining > 0]
                return fault
        return None

    def clear_faults(self, platform: str | None = None) -> None:
        self.faults = [f for f in self.faults if platform is not None and f.platform != platform]
