"""GET /api/calls (filters, paging, sorting, wire shape), call detail, notes and tags (DESIGN.md §5).

Expected results are always computed from the rows the test inserted, never written out by hand.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from tests.support.clock import assert_same_apart_from_clock
from tests.support.http import bearer

NOW = datetime.now(UTC).replace(microsecond=0)


@dataclass
class World:
    org: object
    key: str
    clients: list
    agents: list
    calls: list  # Call rows as inserted

    @property
    def headers(self) -> dict[str, str]:
        return bearer(self.key)


def _call_specs(agents):
    """A varied set of calls: every filterable attribute takes several values, some are null."""
    a_retell, a_vapi, a_eleven = agents
    return [
        dict(
            agent=a_retell,
            status="ended",
            direction="inbound",
            score=91,
            sentiment="Positive",
            started_at=NOW - timedelta(days=10, hours=3),
            duration_ms=125_000,
            cost_usd=Decimal("0.310000"),
            summary="Caller asked about quokka insurance and was happy.",
            transcript="Agent: Hi there.\nUser: Tell me about your plans.\n",
        ),
        dict(
            agent=a_retell,
            status="ended",
            direction="outbound",
            score=47,
            sentiment="Negative",
            started_at=NOW - timedelta(days=6, hours=1),
            duration_ms=42_500,
            cost_usd=Decimal("0.085000"),
            summary="Lead was not interested.",
            transcript="Agent: Hello!\nUser: I need to reschedule at the Zebrafish clinic.\n",
        ),
        dict(
            agent=a_vapi,
            status="error",
            direction="inbound",
            score=None,
            sentiment=None,
            started_at=NOW - timedelta(days=3, minutes=20),
            duration_ms=3_000,
            cost_usd=Decimal("0.010000"),
            summary=None,
            transcript=None,
            transcript_turns=[],
        ),
        dict(
            agent=a_vapi,
            status="ended",
            direction="outbound",
            score=68,
            sentiment="Neutral",
            started_at=NOW - timedelta(days=2, hours=5),
            duration_ms=300_250,
            cost_usd=Decimal("1.204500"),
            summary="Booked a consultation for Tuesday.",
            transcript="Agent: Good morning.\nUser: I'd like a consultation.\n",
        ),
        dict(
            agent=a_eleven,
            status="in_progress",
            direction="inbound",
            score=None,
            sentiment=None,
            started_at=NOW - timedelta(minutes=4),
            duration_ms=None,
            ended_at=None,
            cost_usd=None,
            summary=None,
            transcript=None,
            transcript_turns=[],
        ),
        dict(
            agent=a_eleven,
            status="ended",
            direction="inbound",
            score=79,
            sentiment="Positive",
            started_at=NOW - timedelta(hours=20),
            duration_ms=61_000,
            cost_usd=Decimal("0.150000"),
            summary="Order status given.",
            transcript="Agent: Hi.\nUser: Where is my order?\n",
        ),
        dict(
            agent=a_retell,
            status="ended",
            direction="inbound",
            score=100,
            sentiment="Positive",
            started_at=NOW - timedelta(days=1, hours=2),
            duration_ms=90_000,
            cost_usd=Decimal("0.222222"),
            summary="Great call.",
            transcript="Agent: Welcome back.\nUser: Thanks, all sorted.\n",
        ),
    ]


@pytest.fixture
def world(factory) -> World:
    org = factory.org()
    c1, c2 = factory.client(org), factory.client(org)
    agents = [
        factory.agent(org, platform="retell", client=c1, name="Reception"),
        factory.agent(org, platform="vapi", client=c2, name="Sales"),
        factory.agent(org, platform="elevenlabs", name="Support"),
    ]
    calls = []
    for i, spec in enumerate(_call_specs(agents)):
        spec = dict(spec)
        agent = spec.pop("agent")
        started = spec["started_at"]
        if "ended_at" not in spec:
            spec["ended_at"] = started + timedelta(milliseconds=spec["duration_ms"])
        spec["created_at"] = NOW - timedelta(minutes=(3, 6, 0, 5, 1, 4, 2)[i])  # an order unlike the others
        calls.append(factory.call(org, agent, **spec))
    # Another organization's calls must never show up.
    other = factory.org()
    other_agent = factory.agent(other, platform="retell")
    factory.call(other, other_agent, summary="Caller asked about quokka insurance too.")
    return World(org=org, key=factory.api_key(org), clients=[c1, c2], agents=agents, calls=calls)


def _list(api_client, world, **params):
    params.setdefault("perPage", 100)
    r = api_client.get("/api/calls", params=params, headers=world.headers)
    assert r.status_code == 200, r.text
    return r.json()


def _ids(body) -> list[str]:
    return [c["id"] for c in body["data"]]


def _expect(world, predicate) -> set[str]:
    expected = {c.public_id for c in world.calls if predicate(c)}
    # A filter test proves nothing unless the filter keeps some calls and drops others.
    assert expected and expected != {c.public_id for c in world.calls}
    return expected


def _agent_of(world, call):
    return next(a for a in world.agents if a.id == call.agent_id)


def _iso(value: str) -> datetime:
    assert value.endswith("Z"), value
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


# ---------------------------------------------------------------------------- envelope and shape


def test_list_envelope_and_meta(api_client, world):
    r = api_client.get("/api/calls", headers=world.headers)
    assert r.status_code == 200
    body = r.json()
    assert set(body) == {"data", "meta"}
    assert body["meta"] == {"page": 1, "perPage": 20, "total": len(world.calls), "totalIsEstimate": False}
    assert sorted(_ids(body)) == sorted(c.public_id for c in world.calls)


def test_call_in_a_list_has_the_documented_camelcase_fields(api_client, world):
    body = _list(api_client, world)
    by_id = {c["id"]: c for c in body["data"]}
    for call in world.calls:
        item = by_id[call.public_id]
        agent = _agent_of(world, call)
        client = next((cl for cl in world.clients if cl.id == call.client_id), None)
        assert re.fullmatch(r"cl_[A-Za-z0-9]+", item["id"])
        assert item["platformCallId"] == call.platform_call_id
        assert item["agentId"] == agent.platform_agent_id  # the platform's id, not ours
        assert item["agentName"] == agent.name
        assert item["clientId"] == (client.public_id if client else None)
        assert item["platform"] == agent.platform
        assert item["status"] == call.status
        assert item["direction"] == call.direction
        assert item["fromNumber"] == call.from_number and item["toNumber"] == call.to_number
        assert _iso(item["startedAt"]) == call.started_at
        if call.ended_at is None:
            assert item["endedAt"] is None
        else:
            assert _iso(item["endedAt"]) == call.ended_at
        if call.duration_ms is None:
            assert item["duration"] is None
        else:
            assert isinstance(item["duration"], (int, float)) and item["duration"] == call.duration_ms / 1000
        if call.cost_usd is None:
            assert item["cost"] is None
        else:
            assert isinstance(item["cost"], (int, float)) and Decimal(str(item["cost"])) == call.cost_usd
        assert item["callScore"] == call.score
        assert item["sentiment"] == call.sentiment
        assert item["summary"] == call.summary
        assert item["tags"] == []
        assert not any("_" in k for k in item), "field names are camelCase"
        assert "transcript" not in item  # the list is light; the transcript is in the detail


def test_call_detail_has_transcript_breakdown_metrics_and_notes(api_client, factory):
    org = factory.org()
    agent = factory.agent(org, platform="vapi")
    breakdown = {"resolution": {"score": 30, "max": 35}, "tone": {"score": 18, "max": 20}}
    call = factory.call(
        org,
        agent,
        recording_url="https://rec.example.com/a.wav",
        score_breakdown=breakdown,
        end_reason="customer-ended-call",
        latency_p50_ms=640,
        latency_p90_ms=1210,
        interruptions=2,
        talk_ratio=0.58,
        longest_silence_s=3.5,
    )
    key = factory.api_key(org)
    for path in (f"/api/calls/{call.public_id}", f"/api/v1/calls/{call.public_id}"):
        r = api_client.get(path, headers=bearer(key))
        assert r.status_code == 200, r.text
        d = r.json()["data"]
        assert d["id"] == call.public_id and d["agentId"] == agent.platform_agent_id
        assert d["transcript"] == call.transcript
        assert d["transcriptTurns"] == call.transcript_turns
        assert d["recordingUrl"] == "https://rec.example.com/a.wav"
        assert d["scoreBreakdown"] == breakdown
        assert d["voiceMetrics"] == {
            "latencyP50Ms": 640,
            "latencyP90Ms": 1210,
            "latencySource": "transcript",  # no platform measurement stored: the estimate
            "latencyStage": None,
            "estimatedLatencyP50Ms": 640,
            "estimatedLatencyP90Ms": 1210,
            "platformLatency": {},
            "interruptions": 2,
            "talkRatio": 0.58,
            "longestSilenceS": 3.5,
        }
        assert d["notes"] == []
        assert d["endReason"] == "customer-ended-call"
        assert d["callScore"] == call.score and d["tags"] == []


def test_unknown_call_is_404(api_client, world):
    r = api_client.get("/api/calls/cl_doesnotexist000000000", headers=world.headers)
    assert r.status_code == 404
    assert r.json() == {"error": "Call not found"}


# ---------------------------------------------------------------------------- filters


def test_filter_by_platform_agent_id(api_client, world):
    for agent in world.agents:
        body = _list(api_client, world, agentId=agent.platform_agent_id)
        assert set(_ids(body)) == _expect(world, lambda c: c.agent_id == agent.id)  # noqa: B023 (called right here)
        assert body["meta"]["total"] == len(body["data"])
        assert {c["agentId"] for c in body["data"]} == {agent.platform_agent_id}


def test_filter_by_our_internal_agent_id_matches_nothing(api_client, world):
    # agentId is the platform's id; an integer row id must not be accepted as one.
    body = _list(api_client, world, agentId=str(world.agents[0].id))
    assert body["data"] == [] and body["meta"]["total"] == 0


def test_filter_by_unknown_agent_id_matches_nothing(api_client, world):
    assert _list(api_client, world, agentId="ag_nobody")["data"] == []


@pytest.mark.parametrize("status", ["ended", "error", "in_progress"])
def test_filter_by_status(api_client, world, status):
    assert set(_ids(_list(api_client, world, status=status))) == _expect(world, lambda c: c.status == status)


@pytest.mark.parametrize("sentiment", ["Positive", "Neutral", "Negative"])
def test_filter_by_sentiment(api_client, world, sentiment):
    got = set(_ids(_list(api_client, world, sentiment=sentiment)))
    assert got == _expect(world, lambda c: c.sentiment == sentiment)


@pytest.mark.parametrize("platform", ["retell", "vapi", "elevenlabs"])
def test_filter_by_platform(api_client, world, platform):
    got = set(_ids(_list(api_client, world, platform=platform)))
    assert got == _expect(world, lambda c: c.platform == platform)


@pytest.mark.parametrize("direction", ["inbound", "outbound"])
def test_filter_by_direction(api_client, world, direction):
    got = set(_ids(_list(api_client, world, direction=direction)))
    assert got == _expect(world, lambda c: c.direction == direction)


def test_filter_by_score_range(api_client, world):
    scores = sorted(c.score for c in world.calls if c.score is not None)
    lo, hi = scores[1], scores[-2]
    got = set(_ids(_list(api_client, world, minScore=lo)))
    assert got == _expect(world, lambda c: c.score is not None and c.score >= lo)
    got = set(_ids(_list(api_client, world, maxScore=hi)))
    assert got == _expect(world, lambda c: c.score is not None and c.score <= hi)
    got = set(_ids(_list(api_client, world, minScore=lo, maxScore=hi)))
    assert got == _expect(world, lambda c: c.score is not None and lo <= c.score <= hi)
    # bounds are inclusive, including the ends of the scale
    got = set(_ids(_list(api_client, world, minScore=100, maxScore=100)))
    assert got == _expect(world, lambda c: c.score == 100)


def test_scored_filter_keeps_only_scores_that_count(api_client, world, db):
    """`scored=true`: calls whose score counts toward averages; a no-transcript 0 does not."""
    excluded = next(c for c in world.calls if c.score is not None)
    excluded.score, excluded.score_excluded = 0, True
    db.add(excluded)
    db.commit()
    counted = _expect(world, lambda c: c.score is not None and not c.score_excluded)
    assert set(_ids(_list(api_client, world, scored="true"))) == counted
    assert set(_ids(_list(api_client, world, scored="false"))) == _expect(
        world, lambda c: c.score is None or c.score_excluded
    )
    worst_first = _list(api_client, world, scored="true", sortBy="callScore", sortOrder="asc")
    assert excluded.public_id not in _ids(worst_first) and worst_first["data"][0]["callScore"] == min(
        c.score for c in world.calls if c.public_id in counted
    )
    bad = api_client.get("/api/v1/calls", params={"scored": "maybe"}, headers=world.headers)
    assert bad.status_code == 422 and bad.json()["details"][0]["field"] == "scored"


def test_filter_by_client(api_client, world):
    for client in world.clients:
        body = _list(api_client, world, clientId=client.public_id)
        assert set(_ids(body)) == _expect(world, lambda c: c.client_id == client.id)  # noqa: B023 (called right here)
        assert {c["clientId"] for c in body["data"]} == {client.public_id}


@pytest.mark.parametrize("term", ["zebrafish", "ZEBRAFISH", "Zebrafish"])
def test_search_finds_words_in_the_transcript_any_case(api_client, world, term):
    got = set(_ids(_list(api_client, world, search=term)))
    assert got == _expect(world, lambda c: "zebrafish" in (c.transcript or "").lower())


@pytest.mark.parametrize("term", ["quokka", "Quokka"])
def test_search_finds_words_in_the_summary(api_client, world, term):
    # The other organization also has a "quokka" call: it must not appear.
    got = set(_ids(_list(api_client, world, search=term)))
    assert got == _expect(world, lambda c: "quokka" in (c.summary or "").lower())


def test_search_without_a_match_returns_nothing(api_client, world):
    body = _list(api_client, world, search="xylophonist")
    assert body["data"] == [] and body["meta"]["total"] == 0


@pytest.mark.parametrize("term", ["%", "_", "%%"])
def test_search_treats_like_wildcards_as_text(api_client, world, term):
    # No call contains these characters, so nothing may match (SQL LIKE must not see wildcards).
    assert not any(term in (c.transcript or "") + (c.summary or "") for c in world.calls)
    assert _list(api_client, world, search=term)["data"] == []


def test_filter_by_date_range_is_inclusive(api_client, world):
    starts = sorted(c.started_at for c in world.calls)
    lo, hi = starts[1], starts[-2]
    fmt = lambda d: d.strftime("%Y-%m-%dT%H:%M:%SZ")  # noqa: E731
    got = set(_ids(_list(api_client, world, dateFrom=fmt(lo))))
    assert got == _expect(world, lambda c: c.started_at >= lo)
    got = set(_ids(_list(api_client, world, dateTo=fmt(hi))))
    assert got == _expect(world, lambda c: c.started_at <= hi)
    got = set(_ids(_list(api_client, world, dateFrom=fmt(lo), dateTo=fmt(hi))))
    assert got == _expect(world, lambda c: lo <= c.started_at <= hi)


def test_date_filters_honour_offsets_and_treat_naive_as_utc(api_client, world):
    pivot = sorted(c.started_at for c in world.calls)[3]
    expected = _expect(world, lambda c: c.started_at >= pivot)
    as_offset = pivot.astimezone(timezone(timedelta(hours=5, minutes=30))).isoformat()
    naive = pivot.replace(tzinfo=None).isoformat()
    assert set(_ids(_list(api_client, world, dateFrom=as_offset))) == expected
    assert set(_ids(_list(api_client, world, dateFrom=naive))) == expected
    # a date alone means midnight UTC of that day
    day = (pivot - timedelta(days=1)).date()
    start_of_day = datetime(day.year, day.month, day.day, tzinfo=UTC)
    got = set(_ids(_list(api_client, world, dateFrom=day.isoformat())))
    assert got == {c.public_id for c in world.calls if c.started_at >= start_of_day}


def test_filters_combine(api_client, world):
    got = set(_ids(_list(api_client, world, direction="inbound", sentiment="Positive", minScore=80)))
    assert got == _expect(
        world,
        lambda c: c.direction == "inbound" and c.sentiment == "Positive" and c.score is not None and c.score >= 80,
    )


# ---------------------------------------------------------------------------- paging and sorting


def test_pagination(api_client, world):
    everything = _ids(_list(api_client, world))  # default order: startedAt desc
    n = len(everything)
    assert everything == [c.public_id for c in sorted(world.calls, key=lambda c: c.started_at, reverse=True)]
    p1 = _list(api_client, world, perPage=3, page=1)
    p2 = _list(api_client, world, perPage=3, page=2)
    p3 = _list(api_client, world, perPage=3, page=3)
    assert p2["meta"] == {"page": 2, "perPage": 3, "total": n, "totalIsEstimate": False}
    assert _ids(p1) + _ids(p2) + _ids(p3) == everything
    assert len(_ids(p2)) == 3 and len(_ids(p3)) == n - 6
    beyond = _list(api_client, world, perPage=3, page=99)
    assert beyond["data"] == [] and beyond["meta"]["total"] == n
    # total counts the filtered set, not the page
    filtered = _list(api_client, world, direction="inbound", perPage=1)
    assert filtered["meta"]["total"] == sum(c.direction == "inbound" for c in world.calls)
    assert len(filtered["data"]) == 1


SORT_FIELDS = {
    "startedAt": lambda c: c.started_at,
    "endedAt": lambda c: c.ended_at,
    "callScore": lambda c: None if c.score_excluded else c.score,  # a no-transcript 0 is no score
    "duration": lambda c: c.duration_ms,
    "cost": lambda c: c.cost_usd,
    "createdAt": lambda c: c.created_at,
}


def _expected_order(calls, key, descending: bool) -> list[str]:
    present = [c for c in calls if key(c) is not None]
    missing = [c for c in calls if key(c) is None]
    present.sort(key=lambda c: (key(c), c.id), reverse=descending)
    missing.sort(key=lambda c: c.id, reverse=descending)
    return [c.public_id for c in present + missing]  # nulls last in both directions


@pytest.mark.parametrize("sort_by", list(SORT_FIELDS))
@pytest.mark.parametrize("order", ["asc", "desc"])
def test_sort_by_each_whitelisted_field(api_client, world, sort_by, order):
    got = _ids(_list(api_client, world, sortBy=sort_by, sortOrder=order))
    assert got == _expected_order(world.calls, SORT_FIELDS[sort_by], order == "desc")


def test_sort_order_defaults_to_desc(api_client, world):
    got = _ids(_list(api_client, world, sortBy="callScore"))
    assert got == _expected_order(world.calls, SORT_FIELDS["callScore"], True)
    assert got[-1] in {c.public_id for c in world.calls if c.score is None}


@pytest.fixture
def scores(factory):
    """Calls with scores (ties included), unscored ones, and no-transcript ones scored 0 (excluded), mixed."""
    org = factory.org()
    agent = factory.agent(org)
    values = [70, None, 0, 55, "excluded", 70, 100, None, "excluded", 12, 55, 70, None, "excluded", 88, 0, 31]
    calls = []
    for i, value in enumerate(values):
        excluded = value == "excluded"
        calls.append(
            factory.call(
                org,
                agent,
                started_at=NOW - timedelta(hours=i),
                score=0 if excluded else value,
                score_excluded=excluded,
                transcript=None if excluded else "Agent: Hi.\nUser: Hello.\n",
            )
        )
    return org, bearer(factory.api_key(org)), calls


def _score_order(calls, descending: bool) -> list[str]:
    """Counted scores in order (ties by id, in the same direction), then every call without one, by id."""
    return _expected_order(calls, lambda c: None if c.score_excluded else c.score, descending)


@pytest.mark.parametrize("order", ["asc", "desc"])
def test_sorting_by_score_puts_calls_without_a_score_last_both_ways(api_client, scores, order):
    _, h, calls = scores
    unscored = {c.public_id for c in calls if c.score is None or c.score_excluded}
    expected = _score_order(calls, order == "desc")
    assert set(expected[-len(unscored) :]) == unscored  # the excluded 0s too, not among the worst
    for params in ({}, {"search": "booked"}):  # every call's summary says "booked": the search path too
        body = api_client.get(
            "/api/calls", params={"sortBy": "callScore", "sortOrder": order, "perPage": 100, **params}, headers=h
        ).json()
        assert _ids(body) == expected, params
    # Only calls that count: the same order, without the tail.
    body = api_client.get(
        "/api/v1/calls", params={"sortBy": "callScore", "sortOrder": order, "scored": "true", "perPage": 100}, headers=h
    ).json()
    assert _ids(body) == [i for i in expected if i not in unscored]


@pytest.mark.parametrize("order", ["asc", "desc"])
@pytest.mark.parametrize("per_page", [1, 4, 5])
def test_paging_a_score_sort_loses_and_repeats_no_call(api_client, scores, order, per_page):
    _, h, calls = scores
    seen: list[str] = []
    page = 1
    while True:
        body = api_client.get(
            "/api/calls",
            params={"sortBy": "callScore", "sortOrder": order, "perPage": per_page, "page": page},
            headers=h,
        ).json()
        assert body["meta"]["total"] == len(calls)
        seen += _ids(body)
        if len(body["data"]) < per_page:
            break
        page += 1
    assert seen == _score_order(calls, order == "desc")  # every call once, in order


# ---------------------------------------------------------------------------- notes and tags


def test_add_note_then_visible_in_detail(api_client, world, db):
    from sqlmodel import select

    from voiceconsole.models import CallNote

    call = world.calls[0]
    r = api_client.post(
        f"/api/calls/{call.public_id}/notes", json={"body": "  Customer wants a callback.  "}, headers=world.headers
    )
    assert r.status_code == 201, r.text
    note = r.json()["data"]
    assert re.fullmatch(r"note_[A-Za-z0-9]+", note["id"])
    assert note["body"] == "Customer wants a callback."
    assert note["author"]  # who wrote it (the API key's name)
    assert _iso(note["createdAt"]) <= datetime.now(UTC)
    r2 = api_client.post(f"/api/v1/calls/{call.public_id}/notes", json={"body": "Second note"}, headers=world.headers)
    assert r2.status_code == 201
    detail = api_client.get(f"/api/calls/{call.public_id}", headers=world.headers).json()["data"]
    assert [n["body"] for n in detail["notes"]] == ["Customer wants a callback.", "Second note"]
    assert detail["notes"][0] == note
    stored = db.exec(select(CallNote).where(CallNote.call_id == call.id)).all()
    assert len(stored) == 2
    # other calls are untouched
    other = api_client.get(f"/api/calls/{world.calls[1].public_id}", headers=world.headers).json()["data"]
    assert other["notes"] == []


def _tags_in_list(api_client, world, call) -> list[str]:
    body = _list(api_client, world)
    return next(c["tags"] for c in body["data"] if c["id"] == call.public_id)


def _tags_in_detail(api_client, world, call) -> list[str]:
    return api_client.get(f"/api/calls/{call.public_id}", headers=world.headers).json()["data"]["tags"]


def test_tags_add_dedupe_lowercase_and_remove(api_client, world):
    call, neighbour = world.calls[0], world.calls[1]
    r = api_client.post(
        f"/api/calls/{call.public_id}/tags", json={"tags": ["VIP", "vip", " Follow-Up "]}, headers=world.headers
    )
    assert r.status_code == 200, r.text
    assert r.json()["data"] == {"callId": call.public_id, "tags": ["follow-up", "vip"]}
    assert _tags_in_list(api_client, world, call) == ["follow-up", "vip"]
    assert _tags_in_detail(api_client, world, call) == ["follow-up", "vip"]

    # adding again (any case) changes nothing; a new tag joins
    r = api_client.post(
        f"/api/v1/calls/{call.public_id}/tags", json={"tags": ["Vip", "billing"]}, headers=world.headers
    )
    assert r.json()["data"]["tags"] == ["billing", "follow-up", "vip"]

    # the same tag on another call is independent
    api_client.post(f"/api/calls/{neighbour.public_id}/tags", json={"tags": ["vip"]}, headers=world.headers)

    r = api_client.request(
        "DELETE", f"/api/calls/{call.public_id}/tags", json={"tags": ["VIP", "not-there"]}, headers=world.headers
    )
    assert r.status_code == 200, r.text
    assert r.json()["data"]["tags"] == ["billing", "follow-up"]
    assert _tags_in_list(api_client, world, call) == ["billing", "follow-up"]
    assert _tags_in_detail(api_client, world, call) == ["billing", "follow-up"]
    assert _tags_in_detail(api_client, world, neighbour) == ["vip"]

    r = api_client.request(
        "DELETE", f"/api/v1/calls/{call.public_id}/tags", json={"tags": ["billing", "follow-up"]}, headers=world.headers
    )
    assert r.json()["data"]["tags"] == []
    assert _tags_in_list(api_client, world, call) == []


def _tag(api_client, world, call, *tags):
    r = api_client.post(f"/api/calls/{call.public_id}/tags", json={"tags": list(tags)}, headers=world.headers)
    assert r.status_code == 200, r.text


def test_filter_by_tags_matches_any_of_them_in_any_case(api_client, world, factory):
    tagged = {0: ["follow-up"], 1: ["VIP", "billing"], 3: ["vip"], 5: ["billing"]}
    for i, tags in tagged.items():
        _tag(api_client, world, world.calls[i], *tags)
    # Another organization's "vip" call never shows up.
    other = factory.org()
    other_call = factory.call(other, factory.agent(other))
    api_client.post(
        f"/api/calls/{other_call.public_id}/tags", json={"tags": ["vip"]}, headers=bearer(factory.api_key(other))
    )
    names = {world.calls[i].public_id: {t.lower() for t in tags} for i, tags in tagged.items()}

    def having(*wanted):
        return {cid for cid, tags in names.items() if tags & set(wanted)}

    expected = having("follow-up", "vip")
    assert expected and expected != set(names)
    for params in (
        {"tags": "follow-up,vip"},
        {"tags": " Follow-Up , VIP "},
        {"tags": "follow-up,,VIP,"},  # stray commas are no tags
    ):
        body = _list(api_client, world, **params)
        assert set(_ids(body)) == expected, params
        assert body["meta"]["total"] == len(expected)
    for row in _list(api_client, world, tags="billing")["data"]:
        assert "billing" in row["tags"]
    assert set(_ids(_list(api_client, world, tags="billing"))) == having("billing")
    assert _list(api_client, world, tags="nobody-has-this")["data"] == []
    combined = _list(api_client, world, tags="vip,billing", direction="outbound")
    assert set(_ids(combined)) == {
        c.public_id for c in world.calls if c.public_id in having("vip", "billing") and c.direction == "outbound"
    }
    v1 = api_client.get("/api/v1/calls", params={"tags": "vip"}, headers=world.headers).json()
    assert set(_ids(v1)) == having("vip")


# ---------------------------------------------------------------------------- both prefixes


@pytest.mark.parametrize(
    "path",
    [
        "/calls",
        "/calls?sortBy=callScore&sortOrder=asc&perPage=3&page=2",
        "/calls?status=ended&direction=inbound",
        "/agents",
        "/agents/stats",
    ],
)
def test_v1_and_bare_prefix_serve_the_same(api_client, world, path):
    a = api_client.get("/api" + path, headers=world.headers)
    b = api_client.get("/api/v1" + path, headers=world.headers)
    assert a.status_code == b.status_code == 200
    assert_same_apart_from_clock(a.json(), b.json())
    assert a.json()["data"]


def test_both_prefixes_serve_call_and_agent_detail(api_client, world):
    call, agent = world.calls[0], world.agents[0]
    for path in (f"/calls/{call.public_id}", f"/agents/{agent.platform_agent_id}"):
        a = api_client.get("/api" + path, headers=world.headers)
        b = api_client.get("/api/v1" + path, headers=world.headers)
        assert a.status_code == b.status_code == 200
        first, second = a.json()["data"], b.json()["data"]
        # An agent's period ends "now": two requests a moment apart may differ there, and only there.
        first.pop("period", None), second.pop("period", None)
        assert first == second


def test_search_with_a_percent_sign_matches_it_literally(api_client, factory):
    org = factory.org()
    agent = factory.agent(org)
    hit = factory.call(org, agent, summary="Offered 50% off the renewal.")
    factory.call(org, agent, summary="Offered a 5 percent discount.")
    r = api_client.get("/api/calls", params={"search": "50%"}, headers=bearer(factory.api_key(org)))
    assert r.status_code == 200
    assert _ids(r.json()) == [hit.public_id]


@pytest.mark.parametrize(
    "term", ["'", '"unclosed', "a & b | !c", ":*", "\\", "--", "or", "-", "()", "<->", "é ß 日本", "   "]
)
def test_odd_search_text_never_breaks_the_query(api_client, world, term):
    r = api_client.get("/api/calls", params={"search": term}, headers=world.headers)
    assert r.status_code == 200, r.text
    if not term.strip():  # blank search is no search
        assert r.json()["meta"]["total"] == len(world.calls)
