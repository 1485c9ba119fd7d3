"""An agent's page data (`agent_profile`): figures, score by category, recent and worst calls, config;
tenancy, client viewers and unknown ids."""

from __future__ import annotations

from statistics import mean

import pytest

from tests.support.profiles import LONG_PROMPT, build_agency
from voiceconsole.scoring.scorer import CATEGORIES
from voiceconsole.services.access.actor import Actor
from voiceconsole.services.agents import agent_profile
from voiceconsole.services.agents.profile import PROMPT_EXCERPT_CHARS, prompt_excerpt
from voiceconsole.services.errors import NotFound


def _viewer(client) -> Actor:
    return Actor(kind="user", id="v", display="viewer", role="client_viewer", client_id=client.id)


def test_figures_categories_and_calls_come_from_the_agents_own_calls(db, factory):
    a = build_agency(db, factory)
    p = agent_profile(db, org=a.org, agent_id=a.desk.platform_agent_id)

    assert (p.agent.name, p.agent.client_name, p.agent.platform) == ("Acme desk", "Acme", "retell")
    # Period (30 days): the three scored calls, the no-transcript one and the unscored one; not Globex's.
    assert p.figures.total_calls == 5
    scores = [c.score for c in a.scored_now]
    assert p.figures.avg_score == round(mean(scores), 1)
    assert p.figures.trends.score.previous == 50 and p.figures.trends.calls.previous == 1
    assert sum(point.calls for point in p.figures.series) == 5

    # Each category: the mean over this period's scored calls against the call of the period before.
    assert [c.key for c in p.categories] == list(CATEGORIES)
    for cat in p.categories:
        expected = round(mean(b[cat.key]["score"] for b in a.breakdowns_now), 1)
        assert (cat.avg_score, cat.previous_avg_score, cat.calls) == (expected, 50, 3)
        assert cat.change == round(expected - 50, 1)

    # Recent: every call of the agent, newest first; worst: this period's scored calls, lowest first.
    newest_first = sorted(
        [*a.scored_now, a.no_transcript, a.unscored, a.before], key=lambda c: c.started_at, reverse=True
    )
    assert [c.id for c in p.recent_calls] == [c.public_id for c in newest_first]
    assert [c.id for c in p.worst_calls] == [c.public_id for c in sorted(a.scored_now, key=lambda c: c.score)]


def test_config_summarises_what_the_platform_holds(db, factory):
    a = build_agency(db, factory)
    config = agent_profile(db, org=a.org, agent_id=a.desk.platform_agent_id).config
    assert (config.voice, config.model, config.platform_version) == ("11labs-Adrian", "gpt-4o-mini", "7")
    assert config.prompt_length == len(LONG_PROMPT)
    assert config.prompt_excerpt.startswith("You are the front desk of Acme Dental.")
    assert config.prompt_excerpt.endswith("…") and len(config.prompt_excerpt) <= PROMPT_EXCERPT_CHARS
    assert config.last_synced_at is not None

    empty = agent_profile(db, org=a.org, agent_id=a.spare.platform_agent_id)
    assert empty.config.prompt_excerpt is None and empty.config.prompt_length == 0
    assert empty.figures.total_calls == 0 and empty.recent_calls == [] and empty.worst_calls == []
    assert all(c.avg_score is None and c.calls == 0 for c in empty.categories)


def test_prompt_excerpt_collapses_whitespace_and_cuts_at_a_word():
    assert prompt_excerpt("  Be\n\nkind.  ") == "Be kind."
    assert prompt_excerpt(None) is None and prompt_excerpt("   ") is None
    assert prompt_excerpt("alpha beta gamma delta", limit=12) == "alpha beta…"


def test_the_period_moves_the_figures_but_not_the_recent_calls(db, factory):
    a = build_agency(db, factory)
    week = agent_profile(db, org=a.org, agent_id=a.desk.platform_agent_id, range_="7d")
    quarter = agent_profile(db, org=a.org, agent_id=a.desk.platform_agent_id, range_="90d")
    assert (week.figures.total_calls, quarter.figures.total_calls) == (5, 6)
    assert quarter.period.range == "90d" and len(quarter.figures.series) == 90
    assert {c.id for c in quarter.worst_calls} == {c.public_id for c in (*a.scored_now, a.before)}
    assert week.recent_calls == quarter.recent_calls


def test_other_organizations_clients_and_unknown_ids_are_not_found(db, factory):
    a = build_agency(db, factory)
    stranger = factory.org()
    for org, agent_id, actor in (
        (stranger, a.desk.platform_agent_id, None),  # another organization
        (a.org, "ag_nope", None),  # unknown
        (a.org, a.desk.platform_agent_id, _viewer(a.globex)),  # another client's viewer
    ):
        with pytest.raises(NotFound):
            agent_profile(db, org=org, agent_id=agent_id, actor=actor)

    seen = agent_profile(db, org=a.org, agent_id=a.desk.platform_agent_id, actor=_viewer(a.acme))
    assert seen.figures.total_calls == 5
