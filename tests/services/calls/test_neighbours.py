"""Previous/next of a call (`call_neighbours`): the rows around it in the calls list it came from, else by
start time in the organization; tenancy and client viewers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from voiceconsole.services.access.actor import Actor
from voiceconsole.services.calls import SORT_COLUMNS, CallFilters, call_neighbours, page_calls
from voiceconsole.services.errors import NotFound, ValidationFailed


@pytest.fixture
def agency(factory):
    """Two clients' agents with calls whose scores tie or are missing; another organization's calls
    interleaved in time."""
    org, other = factory.org(), factory.org()
    acme, globex = factory.client(org, "Acme"), factory.client(org, "Globex")
    desk, line = factory.agent(org, client=acme, name="Acme desk"), factory.agent(org, client=globex, name="Globex")
    theirs = factory.agent(other, name="Theirs")
    now = datetime.now(UTC).replace(microsecond=0)
    scores = [70, None, 40, 70, 90, None, 40, 55]
    calls = []
    for i, score in enumerate(scores):
        agent = desk if i % 3 else line
        calls.append(
            factory.call(
                org,
                agent,
                started_at=now - timedelta(minutes=10 * i),
                score=score,
                cost_usd=Decimal("0.10") if i % 2 else Decimal("0.30"),
            )
        )
        factory.call(other, theirs, started_at=now - timedelta(minutes=10 * i + 5), score=score)
    return dict(org=org, other=other, acme=acme, globex=globex, desk=desk, calls=calls)


def _walk(db, org, start: str, **kw) -> list[str]:
    """The ids met going `next` from `start` to the end of the list."""
    seen, here = [start], start
    while (nxt := call_neighbours(db, org=org, call_id=here, **kw).next) is not None:
        seen.append(nxt.id)
        here = nxt.id
        assert len(seen) < 50, "next went round in a circle"
    return seen


def test_without_a_list_it_steps_by_start_time_newest_first(db, agency):
    calls = agency["calls"]  # calls[0] is the newest
    middle = call_neighbours(db, org=agency["org"], call_id=calls[3].public_id)
    assert (middle.previous.id, middle.next.id) == (calls[2].public_id, calls[4].public_id)
    assert middle.previous.agent_name == "Acme desk"
    first = call_neighbours(db, org=agency["org"], call_id=calls[0].public_id)
    last = call_neighbours(db, org=agency["org"], call_id=calls[-1].public_id)
    assert first.previous is None and first.next.id == calls[1].public_id
    assert last.next is None and last.previous.id == calls[-2].public_id


@pytest.mark.parametrize("sort_by", sorted(SORT_COLUMNS))
@pytest.mark.parametrize("sort_order", ["asc", "desc"])
def test_next_and_previous_follow_the_list_row_by_row(db, factory, agency, sort_by, sort_order):
    """Whatever the sort (ties and unknown values included), next walks the list exactly as the calls list
    shows it, and previous walks it back."""
    org = agency["org"]
    # A call the platform gave no start, end or duration: its NULLs sit where the list puts them.
    factory.call(org, agency["desk"], started_at=None, duration_ms=None, score=None, cost_usd=None)
    # Scored 0 for having no transcript: no score that counts, so last by score like an unscored call.
    factory.call(org, agency["desk"], score=0, score_excluded=True, transcript=None, transcript_turns=[])
    listed = [
        c.id
        for c in page_calls(
            db, org=org, filters=CallFilters(), per_page=100, sort_by=sort_by, sort_order=sort_order
        ).rows
    ]
    assert len(listed) == 10
    walked = _walk(db, org, listed[0], sort_by=sort_by, sort_order=sort_order)
    assert walked == listed
    back = [call_neighbours(db, org=org, call_id=i, sort_by=sort_by, sort_order=sort_order).previous for i in listed]
    assert [b.id if b else None for b in back] == [None, *listed[:-1]]


def test_filters_keep_it_within_the_list(db, agency):
    org, desk = agency["org"], agency["desk"]
    filters = CallFilters(agent_id=desk.platform_agent_id, scored=True)
    listed = [
        c.id for c in page_calls(db, org=org, filters=filters, per_page=100, sort_by="callScore", sort_order="asc").rows
    ]
    expected = [
        c.public_id
        for c in sorted(
            (c for c in agency["calls"] if c.agent_id == desk.id and c.score is not None), key=lambda c: (c.score, c.id)
        )
    ]
    assert listed == expected
    assert _walk(db, org, listed[0], filters=filters, sort_by="callScore", sort_order="asc") == listed
    # A call outside the list (another agent's) still has neighbours: the list's rows around where it would sit.
    outside = next(c for c in agency["calls"] if c.agent_id != desk.id and c.score == 70)
    around = call_neighbours(
        db, org=org, call_id=outside.public_id, filters=filters, sort_by="callScore", sort_order="asc"
    )
    assert around.previous is not None and around.next is not None
    assert {around.previous.id, around.next.id} <= set(listed)


def test_another_organization_and_other_clients_are_never_neighbours(db, agency):
    org, other, acme = agency["org"], agency["other"], agency["acme"]
    mine = {c.public_id for c in agency["calls"]}
    assert set(_walk(db, org, agency["calls"][0].public_id)) == mine  # the other org's interleaved calls never show
    with pytest.raises(NotFound):
        call_neighbours(db, org=other, call_id=agency["calls"][0].public_id)
    with pytest.raises(NotFound):
        call_neighbours(db, org=org, call_id="cl_unknown")

    viewer = Actor(kind="user", id="v", display="viewer", role="client_viewer", client_id=acme.id)
    acme_calls = [c for c in agency["calls"] if c.client_id == acme.id]
    walked = _walk(db, org, acme_calls[0].public_id, actor=viewer)
    assert walked == [c.public_id for c in acme_calls]  # newest first, Globex's left out
    globex_call = next(c for c in agency["calls"] if c.client_id != acme.id)
    with pytest.raises(NotFound):
        call_neighbours(db, org=org, call_id=globex_call.public_id, actor=viewer)


def test_an_unknown_sort_is_refused(db, agency):
    with pytest.raises(ValidationFailed):
        call_neighbours(db, org=agency["org"], call_id=agency["calls"][0].public_id, sort_by="agentName")
