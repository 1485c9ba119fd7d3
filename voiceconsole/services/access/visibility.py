"""What a client viewer's portal shows besides calls and scores: costs, and agents' configuration
(prompts, voice, model), each as the agency chose for that client (`Client.show_costs`,
`Client.show_agent_config`, both off by default).

Hidden means absent from every answer, not just from the page: the services pass what they return
through `redact`, so the API, the UI, exports and reports all agree. Staff (and VoiceConsole itself)
see everything.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel
from sqlmodel import Session, col, select

from voiceconsole.models import Client
from voiceconsole.services.access.actor import Actor

# Field names (snake_case, as in the schemas) that carry money, and what they become when hidden.
COST_FIELDS: dict[str, Any] = {
    "cost": None,
    "total_cost": None,
    "cost_per_minute": None,
    "cost_per_successful_call": None,
    "cost_credits": None,
    "cost_from_credits": False,
    "cost_breakdown": [],
}
# Fields that carry how an agent is built, and what they become when hidden.
AGENT_CONFIG_FIELDS: dict[str, Any] = {
    "prompt": None,
    "prompt_excerpt": None,
    "prompt_length": 0,
    "voice": None,
    "model": None,
    "platform_version": None,
}
# Never shown to a client viewer: which of the agency's platform accounts an agent runs on.
STAFF_ONLY_FIELDS: dict[str, Any] = {"integration": None}
SYSTEM_ROLES = frozenset({"system"})  # transcript turns holding the agent's instructions (Vapi's system prompt)

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Visibility:
    costs: bool = True
    agent_config: bool = True
    staff: bool = True  # False for client viewers: staff-only details (integrations) are hidden too

    @property
    def everything(self) -> bool:
        return self.costs and self.agent_config and self.staff


EVERYTHING = Visibility()
NOTHING_EXTRA = Visibility(costs=False, agent_config=False, staff=False)


def visibility(session: Session, actor: Actor | None) -> Visibility:
    """What `actor` may see beyond calls and scores. Read at each request (one primary-key lookup), so an
    agency's change applies at once, for browser sessions and API keys alike."""
    if actor is None or actor.client_id is None:
        return EVERYTHING
    row = session.exec(
        select(col(Client.show_costs), col(Client.show_agent_config)).where(col(Client.id) == actor.client_id)
    ).first()
    if row is None:  # the client is gone: nothing beyond the minimum
        return NOTHING_EXTRA
    return Visibility(costs=bool(row[0]), agent_config=bool(row[1]), staff=False)


def _hidden_fields(seen: Visibility) -> dict[str, Any]:
    hidden: dict[str, Any] = {}
    if not seen.costs:
        hidden.update(COST_FIELDS)
    if not seen.agent_config:
        hidden.update(AGENT_CONFIG_FIELDS)
    if not seen.staff:
        hidden.update(STAFF_ONLY_FIELDS)
    return hidden


def _strip(value: Any, hidden: dict[str, Any], seen: Visibility) -> None:
    if isinstance(value, BaseModel):
        for name in type(value).model_fields:
            if name in hidden:
                setattr(value, name, _fresh(hidden[name]))
                continue
            if name == "transcript_turns" and not seen.agent_config:
                turns = getattr(value, name) or []
                setattr(value, name, [t for t in turns if not _is_system_turn(t)])
                continue
            if name == "trends" and not seen.costs:
                trends = getattr(value, name)
                if trends is not None and hasattr(trends, "cost"):
                    trends.cost = None
            _strip(getattr(value, name), hidden, seen)
    elif isinstance(value, list | tuple):
        for item in value:
            _strip(item, hidden, seen)
    elif isinstance(value, dict):
        for item in value.values():
            _strip(item, hidden, seen)


def _fresh(default: Any) -> Any:
    return [] if isinstance(default, list) else default


def _is_system_turn(turn: Any) -> bool:
    role = turn.get("role") if isinstance(turn, dict) else getattr(turn, "role", None)
    return isinstance(role, str) and role.lower() in SYSTEM_ROLES


def redact(value: M, seen: Visibility) -> M:
    """`value` (a public shape, nested shapes included) without what `seen` hides: cost fields become null
    (an itemised cost an empty list), agent configuration null, system-prompt turns leave the transcript.
    Changes `value` in place and returns it."""
    if not seen.everything:
        _strip(value, _hidden_fields(seen), seen)
    return value


def redact_all(values: list[M], seen: Visibility) -> list[M]:
    for value in values:
        redact(value, seen)
    return values
