"""Which connector speaks to which platform: the one place that knows every platform module."""

from __future__ import annotations

from voiceconsole.platforms.base import PLATFORMS
from voiceconsole.platforms.connector import Connector, RetryPolicy
from voiceconsole.platforms.elevenlabs import ElevenLabsConnector
from voiceconsole.platforms.retell import RetellConnector
from voiceconsole.platforms.vapi import VapiConnector

CONNECTORS: dict[str, type[Connector]] = {
    "retell": RetellConnector,
    "vapi": VapiConnector,
    "elevenlabs": ElevenLabsConnector,
}
assert set(CONNECTORS) == set(PLATFORMS)


def connector_class(platform: str) -> type[Connector]:
    if platform not in CONNECTORS:
        raise ValueError(f"unknown platform {platform!r}; expected one of {', '.join(PLATFORMS)}")
    return CONNECTORS[platform]


def make_connector(
    platform: str,
    api_key: str,
    base_url: str | None = None,
    *,
    retry: RetryPolicy | None = None,
    page_size: int | None = None,
) -> Connector:
    return connector_class(platform)(api_key, base_url, retry=retry, page_size=page_size)
