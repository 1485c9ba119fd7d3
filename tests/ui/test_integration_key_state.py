"""Settings → Integrations, "Re-enter API key", as UI state under pytest (no browser), against the platform
simulator served over HTTP: the platform's refusal shows on the key field, a platform that cannot be
asked above the form, an accepted key closes the form with a toast and the card shows its last 4; members
and signed-out users change nothing.
"""

from __future__ import annotations

import asyncio
import socket
import threading

import pytest

from tests.support.simulator import IntegrationSim, connect
from tests.support.ui import make_state, redirect_path
from voiceconsole.ui.state.integrations import IntegrationsState

pytestmark = pytest.mark.usefixtures("integration_settings", "no_jobs_left_behind")

NEW_KEY = "sim_retell_key_rotated_UI42"


@pytest.fixture(scope="module")
def simulator():
    from voiceconsole.platforms.simulator.server import create_app, serve_in_thread
    from voiceconsole.platforms.simulator.state import SimulatorState

    state = SimulatorState(seed=31, agents_per_platform=2, calls_per_platform=4, days=2)
    base_url, stop = serve_in_thread(create_app(state))
    yield state, base_url
    stop()


@pytest.fixture
def sim(simulator):
    from voiceconsole.platforms.simulator.state import DEFAULT_API_KEYS

    state, base_url = simulator
    state.reset()
    with state.lock:
        state.api_keys.update(DEFAULT_API_KEYS)
    yield IntegrationSim(state, base_url)
    with state.lock:
        state.api_keys.update(DEFAULT_API_KEYS)


def run_async(coro):
    """Run a coroutine to the end on its own loop (a Playwright session may hold this thread's loop)."""
    result: dict = {}

    def target():
        result["value"] = asyncio.run(coro)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    return result.get("value")


def save_key(state: IntegrationsState, api_key: str):
    """Submit the form: the background handler, run to its end; returns the events it answers with."""
    return run_async(IntegrationsState.event_handlers["save_key"].fn(state, {"api_key": api_key}))


def toast_text(spec) -> str:
    call = dict((k._js_expr, v) for k, v in spec.args)["function"]._return_expr
    return str(call._args[0])


def page(factory, org, *, role: str = "owner") -> IntegrationsState:
    _, token = factory.user_session(org, role=role)
    state = make_state(IntegrationsState, token=token, path="/settings/integrations")
    assert state.load() is None
    return state


def card(state: IntegrationsState, integration_id: str) -> dict:
    return next(row for row in state.integrations if row["id"] == integration_id)


def test_an_accepted_key_closes_the_form_and_the_card_shows_it(factory, sim, sync_queue):
    org, integration = connect(factory, sim, "retell")
    state = page(factory, org)
    assert state.can_manage and card(state, integration.public_id)["key"] == "…_key"
    with sim.state.lock:
        sim.state.api_keys["retell"] = NEW_KEY  # rotated in the Retell dashboard: the old key is refused

    state.open_key_form(integration.public_id)
    assert state.key_for == integration.public_id
    done = save_key(state, NEW_KEY)
    assert toast_text(done) == "Retell accepted the new API key. A sync with it is queued."
    assert state.key_for == "" and state.key_error == state.key_form_error == "" and not state.key_checking
    shown = card(state, integration.public_id)
    assert shown["key"] == "…UI42" and shown["status"] == "active" and shown["last_error"] == ""
    assert sync_queue.count == 1
    assert NEW_KEY not in repr(state.dict())  # never kept in the state


def test_the_platforms_refusal_shows_on_the_field_and_nothing_changes(factory, sim, sync_queue):
    org, integration = connect(factory, sim, "vapi")
    state = page(factory, org)
    state.open_key_form(integration.public_id)
    sync_queue.empty()

    assert save_key(state, "vapi_typo_0000") is None
    assert state.key_error.startswith("Vapi rejected this API key (HTTP 401).")
    assert state.key_form_error == "" and state.key_for == integration.public_id  # the form stays open
    assert card(state, integration.public_id)["key"] == "…_key" and sync_queue.count == 0

    assert save_key(state, "   ") is None  # bad input names the field too, and asks nothing
    assert state.key_error == "Enter the platform's API key"
    state.close_key_form()
    assert state.key_for == state.key_error == ""


def test_a_platform_that_cannot_be_reached_shows_above_the_form(factory, sim, db):
    from sqlmodel import select

    from voiceconsole.models import Integration

    org, integration = connect(factory, sim, "elevenlabs")
    with socket.socket() as s:  # ElevenLabs answered when the account was connected; it cannot be reached now
        s.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{s.getsockname()[1]}/elevenlabs"
    stored = db.exec(select(Integration).where(Integration.id == integration.id)).one()
    stored.base_url = closed
    db.add(stored)
    db.commit()
    state = page(factory, org)
    state.open_key_form(integration.public_id)

    assert save_key(state, "xi_new_key_2222") is None
    assert state.key_error == ""
    assert state.key_form_error.startswith(
        "ElevenLabs could not be reached to check the new API key; nothing was changed."
    )
    assert "Could not reach ElevenLabs" in state.key_form_error
    assert card(state, integration.public_id)["key"] == "…_key"


def test_members_and_signed_out_users_change_nothing(factory, sim):
    org, integration = connect(factory, sim, "retell")
    member = page(factory, org, role="member")
    assert member.can_manage is False  # the button and form are not shown
    asked = len(sim.requests("retell"))
    member.open_key_form(integration.public_id)  # a stale page, or a crafted event
    assert save_key(member, sim.key("retell")) is None
    assert member.key_form_error == "Only owners and admins manage integrations."
    assert len(sim.requests("retell")) == asked

    signed_out = make_state(IntegrationsState, token="no-such-session", path="/settings/integrations")
    signed_out.open_key_form(integration.public_id)
    assert redirect_path(save_key(signed_out, sim.key("retell"))) == "/login"
    assert len(sim.requests("retell")) == asked
