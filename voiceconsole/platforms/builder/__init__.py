"""The Agent Builder's platform side: an `AgentSpec` deployed to Retell, Vapi or ElevenLabs and read back.

`writer_for(connector)` gives the `AgentWriter` for a connector's platform (see `base.py` for the interface and
the errors, and each platform's module for what it holds of a spec).
"""

from __future__ import annotations

from voiceconsole.platforms.builder.base import AgentWriter, Deployed, Refs
from voiceconsole.platforms.builder.elevenlabs import ElevenLabsAgentWriter
from voiceconsole.platforms.builder.retell import RetellAgentWriter
from voiceconsole.platforms.builder.vapi import VapiAgentWriter
from voiceconsole.platforms.connector import Connector
from voiceconsole.platforms.writes import PlatformRejected

WRITERS: dict[str, type[AgentWriter]] = {
    "retell": RetellAgentWriter,
    "vapi": VapiAgentWriter,
    "elevenlabs": ElevenLabsAgentWriter,
}


def writer_for(connector: Connector) -> AgentWriter:
    """The writer for the connector's platform, sending through that connector."""
    writer = WRITERS.get(connector.platform)
    if writer is None:
        raise ValueError(f"no agent writer for platform {connector.platform!r}")
    return writer(connector)


__all__ = ["WRITERS", "AgentWriter", "Deployed", "PlatformRejected", "Refs", "writer_for"]
