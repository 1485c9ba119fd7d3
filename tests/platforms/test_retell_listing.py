"""The Retell connector's call listing against a real HTTP server answering with Retell's shapes."""

from __future__ import annotations

import json

from voiceconsole.platforms.connector import RetryPolicy
from voiceconsole.platforms.registry import make_connector


def _call(call_id: str, start_ms: int) -> dict:
    """A finished Retell call as get-call returns it (the fields the mapper needs)."""
    return {
        "call_id": call_id,
        "call_type": "phone_call",
        "agent_id": "agent_test",
        "call_status": "ended",
        "start_timestamp": start_ms,
        "end_timestamp": start_ms + 30_000,
        "duration_ms": 30_000,
        "direction": "inbound",
        "from_number": "+15555550100",
        "to_number": "+15555550199",
        "transcript_object": [{"role": "agent", "content": "Hello", "words": []}],
        "call_analysis": {"call_summary": "Said hello.", "user_sentiment": "Neutral", "call_successful": True},
    }


def test_a_list_item_without_a_call_id_is_skipped_and_the_others_keep_their_own_data(receiver):
    """One malformed item must not shift the others: each call's cursor data comes from its own item."""
    first, second = _call("call_first", 1_700_000_000_000), _call("call_second", 1_700_000_500_000)
    listing = {
        "items": [
            {"start_timestamp": 1_799_999_999_999},  # no call_id: nothing to fetch
            {"call_id": "call_first", "start_timestamp": first["start_timestamp"]},
            {"call_id": "call_second", "start_timestamp": second["start_timestamp"]},
        ],
        "has_more": False,
    }
    receiver.respond("/v3/list-calls", 200, body=json.dumps(listing).encode())
    receiver.respond("/v2/get-call/call_first", 200, body=json.dumps(first).encode())
    receiver.respond("/v2/get-call/call_second", 200, body=json.dumps(second).encode())
    with make_connector("retell", "key_test", receiver.url(""), retry=RetryPolicy(retries=0)) as connector:
        (page,) = list(connector.list_calls())
    assert [r.platform_call_id for r in page.records] == ["call_first", "call_second"]
    # The high-water mark is the newest listed call, not the id-less item's timestamp.
    assert page.cursor["since_ms"] == second["start_timestamp"]
