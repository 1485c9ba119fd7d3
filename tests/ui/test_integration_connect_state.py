"""Settings → Integrations, the connect form and the cards' webhook secrets, as UI state under pytest (no
browser), against the platform simulator served over HTTP.

The form goes through the same service as the API, which asks the platform first: a key it refuses shows
under the key field (which is emptied and focused) and nothing is added; a platform that cannot be reached
says so above the form, keeping what was typed; other refusals show beside the button; only an accepted
key is "Connected". A card's webhook secret is masked until revealed, and can be copied either way.
"""

from __future__ import annotations

import asyncio
import socket
import threading

import pytest
from sqlmodel import func, select

from tests.support.simulator import IntegrationSim
from tests.support.ui import make_state, redirect_path
from voiceconsole.ui.state.integrations import API_KEY_INPUT_ID, WEBHOOK_SECRET_INPUT_ID, IntegrationsState

pytestmark = pytest.mark.usefixtures("integration_settings", "no_jobs_left_behind")


@pytest.fixture(scope="module")
def simulator():
    from voiceconsole.platforms.simulator.server import create_app, serve_in_thread
    from voiceconsole.platforms.simulator.state import SimulatorState

    state = SimulatorState(seed=37, agents_per_platform=2, calls_per_platform=4, days=2)
    base_url, stop = serve_in_thread(create_app(state))
    yield state, base_url
    stop()


@pytest.fixture
def sim(simulator):
    state, base_url = simulator
    state.reset()
    return IntegrationSim(state, base_url)


def run_async(coro):
    """Run a coroutine to the end on its own loop (a Playwright session may hold this thread's loop)."""
    result: dict = {}

    def target():
        result["value"] = asyncio.run(coro)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    return result.get("value")


def page(factory, org, *, role: str = "owner") -> IntegrationsState:
    _, token = factory.user_session(org, role=role)
    state = make_state(IntegrationsState, token=token, path="/settings/integrations")
    assert state.load() is None
    return state


def submit(state: IntegrationsState, platform: str, **form: str):
    """Pick the platform and submit the form: the background handler, run to its end; returns its events."""
    state.set_platform(platform)
    if "label" in form:
        state.set_label_draft(form["label"])
    if "base_url" in form:
        state.set_base_url_draft(form["base_url"])
    return run_async(IntegrationsState.event_handlers["connect"].fn(state, form))


def described(events) -> list[tuple]:
    """The events a handler answered with, as (kind, argument): field values set, focus, toasts, clipboard."""
    out = []
    for spec in events if isinstance(events, list) else [events] if events is not None else []:
        name = spec.handler.fn.__qualname__
        args = {k._js_expr: v for k, v in spec.args}
        if name == "_set_value":
            out.append(("set_value", str(args["ref"]), str(args["value"])))
        elif name == "_set_focus":
            out.append(("focus", str(args["ref"])))
        else:
            out.append(("call", str(args["function"])))
    return out


def ref(element_id: str) -> str:
    return '"ref_' + element_id.replace("-", "_") + '"'


def integrations_of(db, org) -> int:
    from voiceconsole.models import Integration

    db.expire_all()
    n = db.exec(select(func.count()).select_from(Integration).where(Integration.organization_id == org.id)).one()
    db.rollback()
    return n


def test_a_key_the_platform_refuses_shows_under_the_field_and_nothing_is_added(factory, sim, db, sync_queue):
    org = factory.org()
    state = page(factory, org)
    asked = len(sim.requests("vapi"))

    events = submit(state, "vapi", api_key="vapi_typo_0000", label="Bright Smile", base_url=sim.url("vapi"))
    assert state.api_key_error.startswith("Vapi rejected this API key (HTTP 401).")
    assert "create a new key in the Vapi dashboard" in state.api_key_error
    assert state.unreachable_error == state.form_error == "" and not state.connecting
    # The masked key field is emptied and focused for the key to be pasted again; no toast at all.
    assert described(events) == [("set_value", ref(API_KEY_INPUT_ID), '""'), ("focus", ref(API_KEY_INPUT_ID))]
    assert (state.label_draft, state.base_url_draft) == ("Bright Smile", sim.url("vapi"))  # kept as typed
    assert len(sim.requests("vapi")) == asked + 1
    assert state.integrations == [] and integrations_of(db, org) == 0 and sync_queue.count == 0
    assert "vapi_typo_0000" not in repr(state.dict())

    state.set_platform("retell")  # another platform: the refusal no longer applies
    assert state.api_key_error == ""


def test_a_platform_that_cannot_be_reached_says_so_above_the_form_and_keeps_the_key(factory, db, sync_queue):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{s.getsockname()[1]}/retell"
    org = factory.org()
    state = page(factory, org)

    events = submit(state, "retell", api_key="sim_retell_key", label="Main", base_url=closed)
    assert events is None  # nothing emptied: the key may well be right, connecting again is one click
    assert state.api_key_error == "" and state.form_error == ""
    assert state.unreachable_error.startswith(
        "Retell could not be reached to check the API key; the integration was not added. Try again shortly. ("
    )
    assert "Could not reach Retell" in state.unreachable_error
    assert (state.label_draft, state.base_url_draft) == ("Main", closed)
    assert integrations_of(db, org) == 0 and sync_queue.count == 0


def test_an_accepted_key_is_connected_with_a_toast_and_its_first_sync(factory, sim, db, sync_queue):
    org = factory.org()
    state = page(factory, org)
    state.api_key_error = "an earlier refusal"

    events = submit(state, "vapi", api_key=sim.key("vapi"), label="Bright Smile", base_url=sim.url("vapi"))
    kinds = described(events)
    assert kinds[:2] == [
        ("set_value", ref(API_KEY_INPUT_ID), '""'),
        ("set_value", ref(WEBHOOK_SECRET_INPUT_ID), '""'),
    ]
    assert "Connected: Vapi accepted the API key. The first sync is queued." in kinds[2][1]
    assert state.api_key_error == state.unreachable_error == state.form_error == ""
    assert state.label_draft == state.base_url_draft == "" and not state.connecting
    (row,) = state.integrations
    assert row["label"] == "Bright Smile" and row["status"] == "active" and row["key"] == "…_key"
    assert integrations_of(db, org) == 1 and sync_queue.count == 1
    assert sim.key("vapi") not in repr(state.dict())


def test_other_refusals_show_beside_the_button(factory, sim, db, sync_queue):
    org = factory.org()
    state = page(factory, org)
    assert described(submit(state, "retell", api_key=sim.key("retell"), base_url=sim.url("retell")))
    asked = len(sim.requests("retell"))

    events = submit(state, "retell", api_key=sim.key("retell"), label="Again", base_url=sim.url("retell"))
    assert events is None and state.api_key_error == state.unreachable_error == ""
    assert "already connected" in state.form_error
    submit(state, "vapi", api_key=sim.key("vapi"), label="x" * 201, base_url=sim.url("vapi"))
    assert state.form_error == "At most 200 characters"
    assert len(sim.requests("retell")) == asked and not sim.requests("vapi")  # neither asked the platform
    assert integrations_of(db, org) == 1


def test_members_and_signed_out_users_connect_nothing(factory, sim, db):
    org = factory.org()
    member = page(factory, org, role="member")
    assert submit(member, "retell", api_key=sim.key("retell"), base_url=sim.url("retell")) is None
    assert member.form_error == "Only owners and admins manage integrations."
    signed_out = make_state(IntegrationsState, token="no-such-session", path="/settings/integrations")
    assert redirect_path(submit(signed_out, "retell", api_key=sim.key("retell"), base_url=sim.url("retell"))) == (
        "/login"
    )
    assert not sim.requests("retell") and integrations_of(db, org) == 0


def test_webhook_secrets_are_masked_until_revealed_and_copied_from_the_server(api_client, factory, sim, db, sync_queue):
    from tests.support.http import bearer

    org = factory.org()
    owner = bearer(factory.api_key(org))
    created = api_client.post(
        "/api/v1/integrations",
        json={"platform": "vapi", "apiKey": sim.key("vapi"), "label": "Vapi", "baseUrl": sim.url("vapi")},
        headers=owner,
    )
    assert created.status_code == 201, created.text
    integration_id, secret = created.json()["data"]["id"], created.json()["data"]["webhookSecret"]
    state = page(factory, org)
    (row,) = state.integrations
    assert row["has_webhook_secret"] == "yes" and row["webhook_secret"] == "" and row["secret_revealed"] == ""
    assert secret not in repr(state.dict())  # masked: the secret is not even in the page

    copied = described(state.copy_secret(integration_id))  # copying does not need it shown
    assert copied[0] == ("call", f'(() => (navigator?.["clipboard"]?.["writeText"]("{secret}")))')
    assert "Webhook secret copied" in copied[1][1]

    state.toggle_secret(integration_id)
    (row,) = state.integrations
    assert row["webhook_secret"] == secret and row["secret_revealed"] == "yes"
    state.refresh()  # the page's periodic refresh keeps it shown
    assert state.integrations[0]["webhook_secret"] == secret
    state.toggle_secret(integration_id)
    (row,) = state.integrations
    assert row["webhook_secret"] == "" and row["secret_revealed"] == "" and secret not in repr(state.dict())

    member = page(factory, org, role="member")  # members never get the secret, shown or copied
    (row,) = member.integrations
    assert row["has_webhook_secret"] == ""
    member.toggle_secret(integration_id)
    assert member.integrations[0]["webhook_secret"] == ""
    assert "no webhook secret" in described(member.copy_secret(integration_id))[0][1]


def test_no_database_connection_is_held_while_the_platform_answers(factory, sim, db, sync_queue, monkeypatch):
    from voiceconsole.db import get_engine
    from voiceconsole.platforms.retell import RetellConnector

    org = factory.org()
    state = page(factory, org)
    pool = get_engine().pool
    seen: list[int] = []
    check_key = RetellConnector.check_key

    def watched(connector):
        seen.append(pool.checkedout())  # type: ignore[attr-defined]
        return check_key(connector)

    monkeypatch.setattr(RetellConnector, "check_key", watched)
    db.rollback()  # this test's own session holds nothing either
    submit(state, "retell", api_key=sim.key("retell"), base_url=sim.url("retell"))
    assert seen == [0] and len(state.integrations) == 1
