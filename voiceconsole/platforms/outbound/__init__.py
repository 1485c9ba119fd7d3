"""Outbound calls on Retell and Vapi (campaigns): `dialer_for(connector)` gives the `OutboundDialer` for a
connector's platform. See `base.py` for the interface, the exactly-once rule and the errors, and each platform's
module for what it sends and how its end reasons map to our outcomes. ElevenLabs is not supported (elevenlabs.py).
"""

from __future__ import annotations

from voiceconsole.platforms.connector import Connector
from voiceconsole.platforms.outbound.base import (
    OUTCOME_KINDS,
    DialRequest,
    DialResult,
    OutboundDialer,
    OutboundUnsupported,
    Outcome,
    OutcomeKind,
    VoicemailBehaviour,
)
from voiceconsole.platforms.outbound.elevenlabs import ElevenLabsDialer
from voiceconsole.platforms.outbound.retell import RetellDialer
from voiceconsole.platforms.outbound.vapi import VapiDialer
from voiceconsole.platforms.writes import PlatformRejected

DIALERS: dict[str, type[OutboundDialer]] = {
    "retell": RetellDialer,
    "vapi": VapiDialer,
    "elevenlabs": ElevenLabsDialer,
}


def dialer_for(connector: Connector) -> OutboundDialer:
    """The dialer for the connector's platform, sending through that connector."""
    dialer = DIALERS.get(connector.platform)
    if dialer is None:
        raise ValueError(f"no outbound dialer for platform {connector.platform!r}")
    return dialer(connector)


__all__ = [
    "DIALERS",
    "OUTCOME_KINDS",
    "DialRequest",
    "DialResult",
    "OutboundDialer",
    "OutboundUnsupported",
    "Outcome",
    "OutcomeKind",
    "PlatformRejected",
    "VoicemailBehaviour",
    "dialer_for",
]
