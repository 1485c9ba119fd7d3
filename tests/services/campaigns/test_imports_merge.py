"""The import's merge into existing leads: the same rules whichever way it runs. On PostgreSQL a batch is merged
by one statement (`imports._upsert_postgresql`); elsewhere by portable statements (`imports._upsert_portable`).
Both are run here on the same leads and must leave the same result."""

from __future__ import annotations

import pytest
from sqlmodel import select

from voiceconsole.models import Lead, LeadTag
from voiceconsole.services.access.actor import SYSTEM
from voiceconsole.services.campaigns import dnc, imports
from voiceconsole.services.campaigns.leads import clean_lead

KEPT = "+14155550101"  # known, keeps its own zone and company; its custom fields grow
ZONED = "+14155550102"  # known, the file gives a zone: it wins
LISTED = "+14155550103"  # known, put on the do-not-call list after it was created
NEW_LISTED = "+14155550104"  # new, on the list: starts as do_not_call
NEW = "+442079460018"  # new: zone from the number
CONTACTED = "+14155550105"  # known, already called: keeps its status, gets the consent


def _row(line: int, **given) -> imports.Row:
    cleaned = clean_lead(given, region="US")
    assert not cleaned.errors, cleaned.errors
    return imports.Row(line=line, values=cleaned.values, tags=cleaned.tags or [], timezone_given="timezone" in given)


def _known(db, org, client_id):
    first = [
        _row(
            2, phone=KEPT, first_name="Ada", company="Old", timezone="Europe/Paris", custom_fields={"a": "1", "b": "2"}
        ),
        _row(3, phone=ZONED, first_name="Grace", email="grace@example.com"),
        _row(4, phone=LISTED, first_name="Alan"),
        _row(5, phone=CONTACTED, first_name="Edsger", consent={"method": "web form"}),
    ]
    for r in first:
        r.tags = ["old"]
    assert imports._upsert_portable(db, org_id=org.id, rows=first, client_id=None, tags=[]) == (4, 0)
    db.commit()
    contacted = db.exec(select(Lead).where(Lead.organization_id == org.id, Lead.phone == CONTACTED)).one()
    contacted.status = "contacted"
    db.add(contacted)
    dnc.add_number(db, org=org, actor=SYSTEM, phone=LISTED, source="manual")
    dnc.add_number(db, org=org, actor=SYSTEM, phone=NEW_LISTED, source="manual")
    db.commit()


def _file_rows() -> list[imports.Row]:
    rows = [
        _row(10, phone=KEPT, first_name="Ada", last_name="Lovelace", custom_fields={"b": "3", "c": "4"}),
        _row(11, phone=ZONED, timezone="Asia/Tokyo", company="Analytical"),
        _row(12, phone=LISTED, email="alan@example.com"),
        _row(13, phone=NEW_LISTED, first_name="Barbara"),
        _row(14, phone=NEW, first_name="Tim", email="tim@example.org", tags="vip, uk"),
        _row(15, phone=CONTACTED, consent={"at": "2026-11-01T10:00:00Z", "method": "call", "source": "agent"}),
    ]
    rows[0].tags = ["old", "spring"]
    return rows


def _state(db, org) -> dict[str, tuple]:
    db.expire_all()
    leads = list(db.exec(select(Lead).where(Lead.organization_id == org.id)))
    tags: dict[int, list[str]] = {}
    for tag in db.exec(select(LeadTag).where(LeadTag.organization_id == org.id)):
        tags.setdefault(tag.lead_id, []).append(tag.tag)
    return {
        lead.phone: (
            lead.first_name,
            lead.last_name,
            lead.email,
            lead.company,
            lead.timezone,
            lead.custom_fields,
            lead.consent,
            lead.status,
            lead.client_id is not None,
            sorted(tags.get(lead.id, [])),
        )
        for lead in leads
    }


def _merge(db, factory, how) -> tuple[tuple[int, int], dict[str, tuple]]:
    org = factory.org()
    client = factory.client(org)
    _known(db, org, client.id)
    counts = how(db, org_id=org.id, rows=_file_rows(), client_id=client.id, tags=["bulk"])
    db.commit()
    return counts, _state(db, org)


def test_known_leads_are_merged_and_new_ones_created_by_the_rules(db, factory):
    counts, state = _merge(db, factory, imports.upsert_leads)
    assert counts == (2, 4)
    assert state[KEPT] == (
        "Ada",
        "Lovelace",
        None,
        "Old",
        "Europe/Paris",  # its own zone: the file gave none
        {"a": "1", "b": "3", "c": "4"},
        None,
        "new",
        True,
        ["bulk", "old", "spring"],
    )
    assert state[ZONED][3:5] == ("Analytical", "Asia/Tokyo") and state[ZONED][2] == "grace@example.com"
    assert state[LISTED][7] == "do_not_call" and state[LISTED][2] == "alan@example.com"
    assert state[NEW_LISTED][7] == "do_not_call" and state[NEW_LISTED][9] == ["bulk"]
    assert state[NEW][4] == "Europe/London" and state[NEW][7] == "new" and state[NEW][9] == ["bulk", "uk", "vip"]
    assert state[CONTACTED][7] == "contacted"
    assert state[CONTACTED][6] == {"at": "2026-11-01T10:00:00Z", "method": "call", "source": "agent"}


def test_the_database_s_own_merge_equals_the_portable_one(db, factory):
    if db.get_bind().dialect.name != "postgresql":
        pytest.skip("one merge only on this database")
    assert _merge(db, factory, imports._upsert_postgresql) == _merge(db, factory, imports._upsert_portable)


def test_a_number_created_meanwhile_is_merged_into_the_existing_lead(db, factory, monkeypatch):
    """The batch's lookup missed a lead another import created just after it: merged, not duplicated."""
    org = factory.org()
    imports.upsert_leads(db, org_id=org.id, rows=[_row(2, phone=NEW, company="Theirs")], client_id=None, tags=[])
    db.commit()
    monkeypatch.setattr(imports, "_known_numbers", lambda *_args: set())  # as if looked up before it existed
    counts = imports.upsert_leads(
        db, org_id=org.id, rows=[_row(3, phone=NEW, first_name="Tim")], client_id=None, tags=[]
    )
    db.commit()
    assert counts == (0, 1)
    [lead] = db.exec(select(Lead).where(Lead.organization_id == org.id))
    assert (lead.first_name, lead.company) == ("Tim", "Theirs")
