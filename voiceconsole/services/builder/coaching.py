"""From coaching to prompt: a suggestion on a call's coaching panel becomes a new draft version of that
call's agent, the suggestion placed in a marked section at the end of the system prompt — ready to review,
diff and deploy (nothing goes live by itself)."""

from __future__ import annotations

from sqlmodel import Session, select

from voiceconsole.models import Agent, Call, Organization
from voiceconsole.schemas.builder import AgentConfigOut
from voiceconsole.services.access.actor import Actor
from voiceconsole.services.access.permissions import require
from voiceconsole.services.builder import versions
from voiceconsole.services.builder.deploy import get_config, import_from_platform
from voiceconsole.services.errors import NotFound, ValidationFailed

SECTION = "## Coaching notes (added from call reviews)"


def with_suggestion(prompt: str, suggestion: str) -> str:
    """The prompt with `suggestion` as a bullet of the coaching section (made at the end if missing; a
    suggestion already there is not added twice)."""
    bullet = f"- {' '.join(suggestion.split())}"
    if SECTION not in prompt:
        return f"{prompt.rstrip()}\n\n{SECTION}\n{bullet}\n"
    head, _, tail = prompt.partition(SECTION)
    lines = tail.strip("\n").splitlines()
    section = [line for line in lines if line.startswith("- ")]
    rest = lines[len(section) :]
    if bullet not in section:
        section.append(bullet)
    return "\n".join([head.rstrip() + "\n", SECTION, *section, *rest]).rstrip() + "\n"


def add_to_prompt(
    session: Session, *, org: Organization, actor: Actor, call_id: str, suggestion: str
) -> AgentConfigOut:
    require(actor, "builder.manage")
    text = " ".join(suggestion.split())
    if not text:
        raise ValidationFailed.field("suggestion", "The suggestion is empty")
    call = session.exec(select(Call).where(Call.organization_id == org.id, Call.public_id == call_id)).first()
    if call is None:
        raise NotFound("Call not found")
    agent = session.get(Agent, call.agent_id) if call.agent_id else None
    if agent is None:
        raise ValidationFailed.field("callId", "The call has no agent to improve")
    if versions.latest(session, agent) is None:
        import_from_platform(session, agent)
    current = versions.latest(session, agent)
    assert current is not None
    spec = versions.spec_of(current, masked=True)  # masked header values keep the stored secrets
    draft = spec.model_copy(update={"system_prompt": with_suggestion(spec.system_prompt, text)})
    versions.save_version(
        session, agent=agent, spec=draft, actor=actor, note=f"From the coaching of call {call_id}", source="coaching"
    )
    return get_config(session, org=org, agent_id=agent.platform_agent_id, actor=actor)
