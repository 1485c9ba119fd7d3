"""A client's page data (`client_profile`): its own figures, agents and worst calls; tenancy, client
viewers and unknown ids."""

from __future__ import annotations

from statistics import mean

import pytest

from tests.support.profiles import build_agency
from voiceconsole.services.access.actor import Actor
from voiceconsole.services.clients import client_profile
from voiceconsole.services.errors import NotFound


def _viewer(client) -> Actor:
    return Actor(kind="user", id="v", display="viewer", role="client_viewer", client_id=client.id)


def test_a_clients_figures_agents_and_worst_calls_are_its_own(db, factory):
    a = build_agency(db, factory)
    p = client_profile(db, org=a.org, client_id=a.acme.public_id)

    assert (p.client.id, p.client.name, p.client.agent_count) == (a.acme.public_id, "Acme", 2)
    assert p.figures.total_calls == 5  # the desk's calls of the period; Globex's poor call is not Acme's
    assert p.figures.avg_score == round(mean(c.score for c in a.scored_now), 1)
    assert p.figures.trends.calls.previous == 1
    outcome = next(c for c in p.categories if c.key == "outcome")
    assert outcome.avg_score == round(mean(b["outcome"]["score"] for b in a.breakdowns_now), 1)

    # Its agents, busiest in the period first, with their figures of the period; the spare has none.
    assert [ag.name for ag in p.agents] == ["Acme desk", "Acme night line"]
    desk, spare = p.agents
    assert (desk.period.calls, desk.period.avg_score) == (5, p.figures.avg_score)
    assert (spare.period.calls, spare.period.avg_score) == (0, None)

    assert [c.id for c in p.worst_calls] == [c.public_id for c in sorted(a.scored_now, key=lambda c: c.score)]
    globex = client_profile(db, org=a.org, client_id=a.globex.public_id)
    assert [c.id for c in globex.worst_calls] == [a.globex_call.public_id]
    assert [ag.name for ag in globex.agents] == ["Globex desk"]


def test_other_organizations_clients_and_unknown_ids_are_not_found(db, factory):
    a = build_agency(db, factory)
    stranger = factory.org()
    for org, client_id, actor in (
        (stranger, a.acme.public_id, None),
        (a.org, "cli_unknown", None),
        (a.org, a.acme.public_id, _viewer(a.globex)),
    ):
        with pytest.raises(NotFound):
            client_profile(db, org=org, client_id=client_id, actor=actor)

    own = client_profile(db, org=a.org, client_id=a.acme.public_id, actor=_viewer(a.acme))
    assert own.figures.total_calls == 5 and len(own.agents) == 2
