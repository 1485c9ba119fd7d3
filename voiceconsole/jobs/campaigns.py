"""The campaign dispatcher job: one dispatch pass per active campaign (services/campaigns/dispatcher.py), and the
leads' safety net (lead imports whose job was lost are queued again: services/campaigns/upkeep.py).
Thin: asked for every scheduler tick (`enqueue.campaign_dispatch`); any number may run at once safely."""

from __future__ import annotations

from dataclasses import asdict

from voiceconsole.db import session_scope
from voiceconsole.services.campaigns.dispatcher import dispatch_all
from voiceconsole.services.campaigns.upkeep import requeue_lost_imports


def dispatch_campaigns_job() -> dict:
    with session_scope() as session:
        requeued = requeue_lost_imports(session)
    return {"passes": [asdict(result) for result in dispatch_all()], "importsRequeued": requeued}
