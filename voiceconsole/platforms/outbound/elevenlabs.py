"""ElevenLabs outbound calls: not supported yet; every method raises `OutboundUnsupported`.

The SDK has the endpoint (`client.conversational_ai.twilio.outbound_call`: `POST /v1/convai/twilio/outbound-call`
with `agent_id`, `agent_phone_number_id`, `to_number`, `conversation_initiation_client_data.dynamic_variables`,
answering `{success, message, conversation_id, callSid}`), but what a campaign needs around it is missing:
- no metadata kept on the conversation for our lead and attempt ids (only `dynamic_variables` or `user_id`, which
  the agent's prompt sees), and no documented way to list conversations by them, so a lost answer cannot be
  reconciled safely;
- no end-reason vocabulary: `termination_reason` is free text and `status` is initiated | in-progress |
  processing | done | failed, so busy, no answer and voicemail cannot be told apart (the `call_initiation_failure`
  webhook's `failure_reason` busy | no-answer | unknown covers only calls that never connected);
- the simulator does not serve the endpoint, so nothing here could be tested.
Campaigns therefore dial through Retell and Vapi (issue 20).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, NoReturn

from voiceconsole.platforms.base import CallRecord
from voiceconsole.platforms.outbound.base import DialRequest, DialResult, OutboundDialer, OutboundUnsupported, Outcome

_WHY = (
    "ElevenLabs outbound calls are not supported: campaigns dial through Retell or Vapi "
    "(ElevenLabs keeps no call metadata to reconcile a dial and reports no busy / no-answer / voicemail outcome)"
)


class ElevenLabsDialer(OutboundDialer):
    platform = "elevenlabs"

    def dial(self, request: DialRequest) -> DialResult:
        _unsupported()

    def find_call_by_metadata(
        self,
        attempt_id: str,
        *,
        platform_agent_id: str | None = None,
        to_number: str | None = None,
        since: datetime | None = None,
    ) -> str | None:
        _unsupported()

    def outcome(self, call: CallRecord | dict[str, Any]) -> Outcome:
        _unsupported()

    def attempt_id(self, call: CallRecord | dict[str, Any]) -> str | None:
        _unsupported()


def _unsupported() -> NoReturn:
    raise OutboundUnsupported(_WHY)
