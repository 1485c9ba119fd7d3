"""The campaign dispatcher job: one dispatch pass per active campaign (services/campaigns/dispatcher.py).
Thin: asked for every scheduler tick (`enqueue.campaign_dispatch`); any number may run at once safely."""

from __future__ import annotations

from dataclasses import asdict

from voiceconsole.services.campaigns.dispatcher import dispatch_all


def dispatch_campaigns_job() -> list[dict]:
    return [asdict(result) for result in dispatch_all()]
